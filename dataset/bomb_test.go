package dataset

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestGzipBombRefusedEarly: a gzipped image file whose header announces
// 100 images of 28×28 (78,400 bytes) but whose stream inflates to 200 MB
// is refused after reading what the header announces; a header announcing
// more than MaxBodyBytes is refused before anything is read.
func TestGzipBombRefusedEarly(t *testing.T) {
	dir := t.TempDir()
	header := func(n, rows, cols uint32) []byte {
		b := make([]byte, 16)
		binary.BigEndian.PutUint32(b, idxUbyte<<8|3)
		binary.BigEndian.PutUint32(b[4:], n)
		binary.BigEndian.PutUint32(b[8:], rows)
		binary.BigEndian.PutUint32(b[12:], cols)
		return b
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(header(100, 28, 28))
	zeros := make([]byte, 1<<20)
	for range 200 {
		zw.Write(zeros)
	}
	zw.Close()
	bomb := filepath.Join(dir, "bomb-idx3-ubyte.gz")
	must(t, os.WriteFile(bomb, buf.Bytes(), 0o644))

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := ReadImages(bomb)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTrailing) {
		t.Errorf("gzip bomb: %v, want ErrTrailing", err)
	}
	// Allocation is the measure of "early": the stream is 200 MB inflated.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("reading the bomb allocated %d MB; want it refused after the %d bytes the header announces", alloc>>20, 100*28*28)
	}

	// A header announcing 2³²-1 images of 2³²-1 × 2³²-1 pixels.
	buf.Reset()
	zw = gzip.NewWriter(&buf)
	zw.Write(header(^uint32(0), ^uint32(0), ^uint32(0)))
	zw.Close()
	huge := filepath.Join(dir, "huge-idx3-ubyte.gz")
	must(t, os.WriteFile(huge, buf.Bytes(), 0o644))
	if _, err := ReadImages(huge); !errors.Is(err, ErrDims) {
		t.Errorf("header announcing 2^96 bytes: %v, want ErrDims", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
