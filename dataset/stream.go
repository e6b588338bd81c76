package dataset

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/bits"
	"os"
)

// ErrTooLarge is a data set whose announced sizes need more memory than
// Options.MaxBytes allows.
var ErrTooLarge = errors.New("too large")

// peekDims returns the dimensions the header of an IDX file (raw, as
// stored, gzipped or not) announces, decompressing only the header, and
// checks that they are within MaxBodyBytes and, for images, at least one
// pixel.
func peekDims(raw []byte, rank int) ([]uint32, error) {
	head := raw
	if isGzip(raw) {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrGzip, err)
		}
		buf := make([]byte, 4+4*rank)
		n, err := io.ReadFull(zr, buf)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: %v", ErrGzip, err)
		}
		head = buf[:n]
	}
	dims, _, err := parseHeader(head, rank)
	if err != nil {
		return nil, err
	}
	if _, err := bodySize(dims); err != nil {
		return nil, err
	}
	if rank == 3 && (dims[1] == 0 || dims[2] == 0) {
		return nil, fmt.Errorf("%w %d×%d, want images of at least one pixel", ErrDims, dims[1], dims[2])
	}
	return dims, nil
}

// span is a range [lo, hi) of images to keep.
type span struct{ lo, hi int }

// readImageSpans reads an image file (raw, as stored) whose header
// announced dims, keeping only the images of spans (ascending, not
// overlapping): the rest is decompressed and hashed but never held, so a
// load needs memory for what it keeps, whatever the file announces. It
// returns the kept pixels, one slice per span, and the md5 of the whole
// uncompressed file. A body shorter or longer than announced is an error.
func readImageSpans(raw []byte, dims []uint32, spans []span) ([][]byte, hash.Hash, error) {
	var r io.Reader = bytes.NewReader(raw)
	if isGzip(raw) {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrGzip, err)
		}
		r = zr
	}
	h := md5.New()
	head := make([]byte, 16)
	if _, err := io.ReadFull(r, head); err != nil {
		return nil, nil, fmt.Errorf("%w: want a 16-byte header", ErrTruncated)
	}
	h.Write(head)
	n := int(dims[0])
	pixels := int(dims[1]) * int(dims[2])
	hi, size := bits.Mul64(uint64(n), uint64(pixels))
	if hi != 0 {
		return nil, nil, fmt.Errorf("%w %v", ErrDims, dims)
	}
	var got uint64
	short := func(err error) error {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%w: want %d pixel bytes, got %d", ErrTruncated, size, got)
		}
		return fmt.Errorf("%w: %v", ErrGzip, err)
	}
	skip := func(images int) error {
		m, err := io.CopyN(h, r, int64(images)*int64(pixels))
		got += uint64(m)
		if err != nil {
			return short(err)
		}
		return nil
	}
	parts := make([][]byte, len(spans))
	pos := 0
	for i, s := range spans {
		if err := skip(s.lo - pos); err != nil {
			return nil, nil, err
		}
		parts[i] = make([]byte, (s.hi-s.lo)*pixels)
		m, err := io.ReadFull(r, parts[i])
		got += uint64(m)
		if err != nil {
			return nil, nil, short(err)
		}
		h.Write(parts[i])
		pos = s.hi
	}
	if err := skip(n - pos); err != nil {
		return nil, nil, err
	}
	extra, err := io.Copy(io.Discard, io.LimitReader(r, 1<<20))
	if err != nil {
		// Reading to the end checks the gzip trailer's CRC and length.
		return nil, nil, fmt.Errorf("%w: %v", ErrGzip, err)
	}
	if extra > 0 {
		if isGzip(raw) {
			return nil, nil, fmt.Errorf("%w: the gzip stream inflates beyond the %d data bytes its header announces", ErrTrailing, size)
		}
		return nil, nil, fmt.Errorf("%w: %d bytes after the %d pixel bytes", ErrTrailing, len(raw)-16-int(size), size)
	}
	return parts, h, nil
}

// Announced returns the split sizes the data set in dir holds, before
// any limit, from its files' headers alone: the training file less the
// holdout (0: a sixth of it, as Load), the holdout, and the test file.
// plan uses it to estimate a folder's cost without loading it.
func Announced(dir string, holdout int) (Sizes, error) {
	var n [2]int
	for i, name := range []string{TrainImages, TestImages} {
		path, err := resolve(dir, name)
		if err != nil {
			return Sizes{}, err
		}
		raw, err := readHead(path)
		if err != nil {
			return Sizes{}, err
		}
		dims, err := peekDims(raw, 3)
		if err != nil {
			return Sizes{}, &FileError{Path: path, Err: err}
		}
		n[i] = int(dims[0])
	}
	if holdout == 0 {
		holdout = n[0] / 6
	}
	return Sizes{Train: n[0] - holdout, Val: holdout, Test: n[1]}, nil
}

// readHead reads the start of the file at path, enough for a header,
// gzipped or not.
func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &FileError{Path: path, Err: unwrapPath(err)}
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	return b, nil
}
