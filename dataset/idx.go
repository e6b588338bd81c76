package dataset

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/bits"
	"os"

	"github.com/ffchar/ffchar/ff"
)

// Kinds of file problems, wrapped by the *FileError values this package
// returns.
var (
	ErrMagic     = errors.New("bad magic")
	ErrRank      = errors.New("wrong rank")
	ErrDims      = errors.New("wrong dimensions")
	ErrTruncated = errors.New("truncated")
	ErrTrailing  = errors.New("trailing data")
	ErrGzip      = errors.New("corrupt gzip data")
	ErrCount     = errors.New("count mismatch")
	ErrLabel     = errors.New("label out of range")
	ErrChecksum  = errors.New("checksum mismatch")
)

// FileError reports a problem with one file.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string { return "dataset: " + e.Path + ": " + e.Err.Error() }

func (e *FileError) Unwrap() error { return e.Err }

// Images is the content of an IDX image file: N images of Rows×Cols pixels,
// row-major, one byte per pixel, image after image.
type Images struct {
	N, Rows, Cols int
	Pix           []uint8
}

// idxUbyte is the IDX element type of unsigned bytes, the only one
// MNIST-like files use.
const idxUbyte = 0x08

// ReadImages reads an IDX image file (rank 3, unsigned bytes), gzipped or
// raw.
func ReadImages(path string) (*Images, error) {
	raw, err := readFile(path)
	if err != nil {
		return nil, err
	}
	im, err := decodeImages(raw)
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	return im, nil
}

// ReadLabels reads an IDX label file (rank 1, unsigned bytes, values
// 0..9), gzipped or raw.
func ReadLabels(path string) ([]uint8, error) {
	raw, err := readFile(path)
	if err != nil {
		return nil, err
	}
	labels, err := decodeLabels(raw)
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	return labels, nil
}

// readFile reads a whole file, reporting failure as a *FileError. It opens
// the file once and takes its size from that open file, so a file larger
// than any IDX file is refused before it is read, and one that grows
// meanwhile is still read only up to that bound.
func readFile(path string) ([]byte, error) {
	fail := func(err error) ([]byte, error) { return nil, &FileError{Path: path, Err: unwrapPath(err)} }
	f, err := os.Open(path)
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	const most = MaxBodyBytes + 64
	if fi.Mode().IsRegular() && fi.Size() > most {
		return fail(fmt.Errorf("%w: %d bytes, more than an IDX file of at most %d data bytes", ErrDims, fi.Size(), uint64(MaxBodyBytes)))
	}
	var b bytes.Buffer
	b.Grow(int(min(fi.Size(), most)) + 1)
	if _, err := b.ReadFrom(io.LimitReader(f, most+1)); err != nil {
		return fail(err)
	}
	if b.Len() > most {
		return fail(fmt.Errorf("%w: more than an IDX file of at most %d data bytes", ErrDims, uint64(MaxBodyBytes)))
	}
	return b.Bytes(), nil
}

// unwrapPath drops the path from an *fs.PathError, which a FileError
// already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// decodeImages parses the bytes of an image file. Pix shares memory with
// raw when raw is not compressed.
func decodeImages(raw []byte) (*Images, error) {
	dims, body, err := decodeHeader(raw, 3)
	if err != nil {
		return nil, err
	}
	n, rows, cols := dims[0], dims[1], dims[2]
	if rows == 0 || cols == 0 {
		return nil, fmt.Errorf("%w %d×%d, want images of at least one pixel", ErrDims, rows, cols)
	}
	pixels := uint64(rows) * uint64(cols) // Cannot overflow: both are below 2³².
	hi, want := bits.Mul64(uint64(n), pixels)
	if hi != 0 || want > uint64(len(body)) {
		if hi != 0 {
			return nil, fmt.Errorf("%w: want %d×%d×%d pixel bytes, got %d", ErrTruncated, n, rows, cols, len(body))
		}
		return nil, fmt.Errorf("%w: want %d pixel bytes, got %d", ErrTruncated, want, len(body))
	}
	if extra := uint64(len(body)) - want; extra > 0 {
		return nil, fmt.Errorf("%w: %d bytes after the %d pixel bytes", ErrTrailing, extra, want)
	}
	return &Images{N: int(n), Rows: int(rows), Cols: int(cols), Pix: body}, nil
}

// decodeLabels parses the bytes of a label file. The result shares memory
// with raw when raw is not compressed.
func decodeLabels(raw []byte) ([]uint8, error) {
	dims, body, err := decodeHeader(raw, 1)
	if err != nil {
		return nil, err
	}
	n := uint64(dims[0])
	if n > uint64(len(body)) {
		return nil, fmt.Errorf("%w: want %d label bytes, got %d", ErrTruncated, n, len(body))
	}
	if extra := uint64(len(body)) - n; extra > 0 {
		return nil, fmt.Errorf("%w: %d bytes after the %d label bytes", ErrTrailing, extra, n)
	}
	for i, l := range body {
		if l >= ff.NumClasses {
			return nil, fmt.Errorf("%w: label %d at index %d, want 0..%d", ErrLabel, l, i, ff.NumClasses-1)
		}
	}
	return body, nil
}

// decodeHeader decompresses raw if it is gzipped, checks the magic number
// for unsigned bytes of the given rank and returns the dimensions and the
// bytes that follow them.
func decodeHeader(raw []byte, rank int) (dims []uint32, body []byte, err error) {
	if isGzip(raw) {
		return gunzipIDX(raw, rank)
	}
	return parseHeader(raw, rank)
}

// MaxBodyBytes bounds the data an IDX file's header may announce (MNIST's
// training images are 47 MB): a header asking for more is refused before
// anything is allocated.
const MaxBodyBytes = 4 << 30

// bodySize returns the number of data bytes the dimensions announce:
// their product, for unsigned bytes.
func bodySize(dims []uint32) (uint64, error) {
	size := uint64(1)
	for _, d := range dims {
		hi, lo := bits.Mul64(size, uint64(d))
		if hi != 0 || lo > MaxBodyBytes {
			return 0, fmt.Errorf("%w %v: the header announces more than %d bytes of data", ErrDims, dims, uint64(MaxBodyBytes))
		}
		size = lo
	}
	return size, nil
}

// gunzipIDX decompresses a gzipped IDX file as far as its header says it
// extends, plus one byte to detect trailing data: a stream that inflates
// to more than the header announces (a decompression bomb) is refused
// after reading that much, never decompressed whole.
func gunzipIDX(raw []byte, rank int) (dims []uint32, body []byte, err error) {
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrGzip, err)
	}
	head := make([]byte, 4+4*rank)
	n, err := io.ReadFull(zr, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("%w: %v", ErrGzip, err)
	}
	if dims, _, err = parseHeader(head[:n], rank); err != nil {
		return nil, nil, err
	}
	size, err := bodySize(dims)
	if err != nil {
		return nil, nil, err
	}
	// Deflate expands at most 1032:1, so a header announcing more than
	// that is not believed for the first allocation.
	hint := min(size, 1032*uint64(len(raw)))
	body, err = readAll(io.LimitReader(zr, int64(size)+1), int(hint))
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, nil, fmt.Errorf("%w: gzip stream ends early, after %d bytes", ErrTruncated, len(head)+len(body))
	case err != nil:
		return nil, nil, fmt.Errorf("%w: %v", ErrGzip, err)
	case uint64(len(body)) > size:
		return nil, nil, fmt.Errorf("%w: the gzip stream inflates beyond the %d data bytes its header announces", ErrTrailing, size)
	}
	return dims, body, nil
}

// parseHeader checks the magic number of an uncompressed IDX file for
// unsigned bytes of the given rank and returns the dimensions and the
// bytes that follow them.
func parseHeader(data []byte, rank int) (dims []uint32, body []byte, err error) {
	if len(data) < 4 {
		return nil, nil, fmt.Errorf("%w: want a 4-byte magic number, got %d bytes", ErrTruncated, len(data))
	}
	magic := binary.BigEndian.Uint32(data)
	if data[0] != 0 || data[1] != 0 || data[2] != idxUbyte {
		return nil, nil, fmt.Errorf("%w 0x%08x, want 0x%08x (IDX, unsigned bytes, rank %d)", ErrMagic, magic, idxUbyte<<8|rank, rank)
	}
	if int(data[3]) != rank {
		return nil, nil, fmt.Errorf("%w %d, want %d (%s)", ErrRank, data[3], rank, rankWhat[rank])
	}
	end := 4 + 4*rank
	if len(data) < end {
		return nil, nil, fmt.Errorf("%w: want a %d-byte header, got %d bytes", ErrTruncated, end, len(data))
	}
	dims = make([]uint32, rank)
	for i := range dims {
		dims[i] = binary.BigEndian.Uint32(data[4+4*i:])
	}
	return dims, data[end:], nil
}

var rankWhat = map[int]string{1: "a label file", 3: "an image file"}

func isGzip(raw []byte) bool { return len(raw) >= 2 && raw[0] == 0x1f && raw[1] == 0x8b }

// readAll is io.ReadAll starting from a buffer of size hint+1, so that a
// right hint costs no copying.
func readAll(r io.Reader, hint int) ([]byte, error) {
	buf := make([]byte, 0, hint+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// encodeImages returns im in IDX format, uncompressed.
func encodeImages(im *Images) []byte {
	return append(append(make([]byte, 0, 16+len(im.Pix)), imagesHeader(im)...), im.Pix...)
}

// imagesHeader returns the IDX header of im: the bytes before its pixels.
func imagesHeader(im *Images) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint32(b, idxUbyte<<8|3)
	binary.BigEndian.PutUint32(b[4:], uint32(im.N))
	binary.BigEndian.PutUint32(b[8:], uint32(im.Rows))
	binary.BigEndian.PutUint32(b[12:], uint32(im.Cols))
	return b
}

// encodeLabels returns labels in IDX format, uncompressed.
func encodeLabels(labels []uint8) []byte {
	return append(append(make([]byte, 0, 8+len(labels)), labelsHeader(labels)...), labels...)
}

// labelsHeader returns the IDX header of a label file: the bytes before
// its labels.
func labelsHeader(labels []uint8) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint32(b, idxUbyte<<8|1)
	binary.BigEndian.PutUint32(b[4:], uint32(len(labels)))
	return b
}

// writeFile writes data to path, gzip-compressed when gz is set.
func writeFile(path string, data []byte, gz bool) error {
	if gz {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write(data); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		data = buf.Bytes()
	}
	return os.WriteFile(path, data, 0o644)
}
