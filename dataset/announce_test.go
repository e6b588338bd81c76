package dataset

import (
	"compress/gzip"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// writeLarge writes a data set whose training files honestly hold n
// blank 28×28 images (n×784 bytes inflated, about a thousandth of that
// stored) and labels, and whose test files hold 10.
func writeLarge(t *testing.T, dir string, n uint32) {
	t.Helper()
	write := func(name string, dims []uint32, body int64) {
		f, err := os.Create(filepath.Join(dir, name+".gz"))
		must(t, err)
		zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
		head := make([]byte, 4+4*len(dims))
		binary.BigEndian.PutUint32(head, idxUbyte<<8|uint32(len(dims)))
		for i, d := range dims {
			binary.BigEndian.PutUint32(head[4+4*i:], d)
		}
		zw.Write(head)
		zeros := make([]byte, 1<<20)
		for ; body > 0; body -= int64(len(zeros)) {
			zw.Write(zeros[:min(int64(len(zeros)), body)])
		}
		must(t, zw.Close())
		must(t, f.Close())
	}
	write(TrainImages, []uint32{n, 28, 28}, int64(n)*784)
	write(TrainLabels, []uint32{n}, int64(n))
	write(TestImages, []uint32{10, 28, 28}, 10*784)
	write(TestLabels, []uint32{10}, 10)
}

// TestAnnouncedSizesBounded (F6): a data set whose header honestly
// announces many images is loaded within the memory its limits need: a
// load of 100 samples per split from 600,000 images (470 MB inflated)
// allocates a few MB, not the whole file. Without limits, a memory bound
// below what the announced sizes need is refused, with one line naming
// the file and the count, before the images are decompressed.
func TestAnnouncedSizesBounded(t *testing.T) {
	dir := t.TempDir()
	const n = 600_000
	writeLarge(t, dir, n)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s, err := Load(dir, Options{Limit: Sizes{Train: 100, Val: 100, Test: 10}})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if s.Train.N != 100 || s.Val.N != 100 || s.Test.N != 10 {
		t.Errorf("splits %d, %d, %d", s.Train.N, s.Val.N, s.Test.N)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("loading 210 samples allocated %d MB; the images file inflates to %d MB", alloc>>20, n*784>>20)
	}

	runtime.ReadMemStats(&before)
	_, err = Load(dir, Options{MaxBytes: 256 << 20})
	runtime.ReadMemStats(&after)
	if err == nil || !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), TrainImages) ||
		!strings.Contains(err.Error(), "600000 images") || strings.Contains(err.Error(), "\n") {
		t.Errorf("load beyond the memory bound: %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("the refused load allocated %d MB", alloc>>20)
	}

	// The sizes a plan needs, from the headers alone.
	avail, err := Announced(dir, 0)
	if err != nil || avail != (Sizes{Train: n - n/6, Val: n / 6, Test: 10}) {
		t.Errorf("Announced = %+v, %v", avail, err)
	}
}
