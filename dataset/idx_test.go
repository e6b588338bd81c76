package dataset

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io/fs"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// gzipBytes compresses b.
func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// checkFileError checks that err is a one-line *FileError for path with
// the message want after the path, wrapping kind when kind is not nil.
func checkFileError(t *testing.T, err error, path string, kind error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", want)
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("error spans several lines: %q", msg)
	}
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("error %q is a %T, want a *FileError", msg, err)
	}
	if fe.Path != path {
		t.Errorf("error names %q, want %q", fe.Path, path)
	}
	if kind != nil && !errors.Is(err, kind) {
		t.Errorf("error %q does not wrap %q", msg, kind)
	}
	if full := "dataset: " + path + ": " + want; msg != full {
		t.Errorf("error\n\t%s\nwant\n\t%s", msg, full)
	}
}

func TestReadImagesLabels(t *testing.T) {
	im := &Images{N: 3, Rows: 2, Cols: 5, Pix: []uint8{
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
		10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
		255, 254, 253, 252, 251, 250, 249, 248, 247, 246,
	}}
	labels := []uint8{9, 0, 4}
	dir := t.TempDir()
	for _, gz := range []bool{false, true} {
		imPath := filepath.Join(dir, "images")
		labPath := filepath.Join(dir, "labels")
		if err := writeFile(imPath, encodeImages(im), gz); err != nil {
			t.Fatal(err)
		}
		if err := writeFile(labPath, encodeLabels(labels), gz); err != nil {
			t.Fatal(err)
		}
		gotIm, err := ReadImages(imPath)
		if err != nil {
			t.Fatalf("gz=%t: %v", gz, err)
		}
		if gotIm.N != im.N || gotIm.Rows != im.Rows || gotIm.Cols != im.Cols || !bytes.Equal(gotIm.Pix, im.Pix) {
			t.Errorf("gz=%t: ReadImages = %+v, want %+v", gz, gotIm, im)
		}
		gotLab, err := ReadLabels(labPath)
		if err != nil {
			t.Fatalf("gz=%t: %v", gz, err)
		}
		if !bytes.Equal(gotLab, labels) {
			t.Errorf("gz=%t: ReadLabels = %v, want %v", gz, gotLab, labels)
		}
		// Each reader rejects the other's files.
		_, err = ReadImages(labPath)
		checkFileError(t, err, labPath, ErrRank, "wrong rank 1, want 3 (an image file)")
		_, err = ReadLabels(imPath)
		checkFileError(t, err, imPath, ErrRank, "wrong rank 3, want 1 (a label file)")
	}

	missing := filepath.Join(dir, "missing")
	_, err := ReadImages(missing)
	checkFileError(t, err, missing, fs.ErrNotExist, "no such file or directory")
	_, err = ReadLabels(missing)
	checkFileError(t, err, missing, fs.ErrNotExist, "no such file or directory")
}

// TestByteScale compares the pixel conversion with a float64 reference.
// float32 division is correctly rounded, so the error is at most half an
// ulp: a relative 2⁻²⁴; 0 and 255 map exactly to 0 and 1.
func TestByteScale(t *testing.T) {
	const tol = 0x1p-24
	for b := range 256 {
		got, want := float64(byteScale[b]), float64(b)/255
		if math.Abs(got-want) > tol*want {
			t.Errorf("byteScale[%d] = %v, want %v within %g relative", b, got, want, tol)
		}
	}
	if byteScale[0] != 0 || byteScale[255] != 1 {
		t.Errorf("byteScale[0], byteScale[255] = %v, %v, want 0, 1", byteScale[0], byteScale[255])
	}
}

// FuzzReadIDX checks that any bytes give an error or well-formed data,
// never a panic or an outsized allocation.
func FuzzReadIDX(f *testing.F) {
	im := encodeImages(&Images{N: 2, Rows: 3, Cols: 4, Pix: make([]uint8, 24)})
	lab := encodeLabels([]uint8{0, 9, 3})
	huge := binary.BigEndian.AppendUint32(nil, 0x0803)
	for range 3 {
		huge = binary.BigEndian.AppendUint32(huge, math.MaxUint32)
	}
	for _, seed := range [][]byte{
		nil,
		{0x1f, 0x8b},
		im,
		lab,
		gzipBytes(f, im),
		gzipBytes(f, lab),
		im[:20],
		lab[:9],
		append(lab[:len(lab):len(lab)], 7),
		huge,
		gzipBytes(f, huge),
		[]byte("not an IDX file"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if im, err := decodeImages(data); err != nil {
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("error spans several lines: %q", err)
			}
		} else if im.Rows < 1 || im.Cols < 1 || len(im.Pix) != im.N*im.Rows*im.Cols {
			t.Errorf("decodeImages gave %d images of %d×%d with %d bytes", im.N, im.Rows, im.Cols, len(im.Pix))
		}
		if labels, err := decodeLabels(data); err != nil {
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("error spans several lines: %q", err)
			}
		} else {
			for i, l := range labels {
				if l > 9 {
					t.Fatalf("decodeLabels gave label %d at %d", l, i)
				}
			}
		}
	})
}
