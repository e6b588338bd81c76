package dataset

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fashionFiles returns the installed package's folder, skipping when
// dataset-fashion-mnist is not installed.
func fashionFiles(tb testing.TB) string {
	tb.Helper()
	tb.Setenv(FashionMNIST.DirEnv, "")
	dir, err := FashionMNIST.Locate()
	if errors.Is(err, fs.ErrNotExist) {
		tb.Skip(err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return dir
}

// copyFashion copies the four installed files into a new folder and
// returns it.
func copyFashion(t *testing.T) string {
	t.Helper()
	src, dst := fashionFiles(t), t.TempDir()
	for _, name := range fileNames {
		b, err := os.ReadFile(filepath.Join(src, name+".gz"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, name+".gz"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func TestFashionMNIST(t *testing.T) {
	fashionFiles(t)
	s, err := FashionMNIST.Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Train.N != 50000 || s.Val.N != 10000 || s.Test.N != 10000 || s.Rows != 28 || s.Cols != 28 {
		t.Errorf("%d/%d/%d samples of %d×%d, want 50000/10000/10000 of 28×28", s.Train.N, s.Val.N, s.Test.N, s.Rows, s.Cols)
	}
	if s.Source != "fashion-mnist" {
		t.Errorf("Source %q, want fashion-mnist", s.Source)
	}
	// Zalando's README: 60,000 training and 10,000 test images in ten
	// balanced classes, so 1,000 test images per class.
	var counts [10]int
	for _, l := range s.Test.Labels {
		counts[l]++
	}
	if counts != [10]int{1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000} {
		t.Errorf("test class counts %v, want 1000 each", counts)
	}
}

func TestFashionMNISTNotInstalled(t *testing.T) {
	empty := t.TempDir()
	t.Setenv(FashionMNIST.DirEnv, empty)
	for _, f := range []func() error{
		func() error { _, err := FashionMNIST.Locate(); return err },
		func() error { _, err := FashionMNIST.Load(Options{}); return err },
	} {
		err := f()
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("empty folder: %v, want an error wrapping fs.ErrNotExist", err)
		}
		want := "dataset: Fashion-MNIST is not installed (no train-images-idx3-ubyte.gz in " + empty + "): apt-get install dataset-fashion-mnist"
		if err.Error() != want {
			t.Errorf("error\n%s\nwant\n%s", err, want)
		}
	}
}

// rewriteGzip replaces path, a gzipped file, by one with the same content
// passed through edit, compressed with the given gzip header, and returns
// the md5 of the new content.
func rewriteGzip(t *testing.T, path string, hdr gzip.Header, edit func([]byte)) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	content, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	edit(content)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Header = hdr
	if _, err := zw.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(content)
	return hex.EncodeToString(sum[:])
}

func TestFashionMNISTChecksum(t *testing.T) {
	// The content is what is checked, not the compressed bytes: Debian's
	// files and Zalando's differ only in their gzip headers, and files
	// compressed afresh are as good.
	dir := copyFashion(t)
	t.Setenv(FashionMNIST.DirEnv, dir)
	path := filepath.Join(dir, TestLabels+".gz")
	rewriteGzip(t, path, gzip.Header{Name: TestLabels, ModTime: time.Unix(1504176627, 0)}, func([]byte) {})
	if _, err := FashionMNIST.Load(Options{Limit: Sizes{Train: 10, Val: 10, Test: 10}}); err != nil {
		t.Fatalf("recompressed test labels: %v", err)
	}

	// A corrupted copy: one test label changed (still a valid label, so
	// only the checksum can tell).
	got := rewriteGzip(t, path, gzip.Header{}, func(b []byte) { b[8] = (b[8] + 1) % 10 })
	_, err := FashionMNIST.Load(Options{})
	checkFileError(t, err, path, ErrChecksum,
		"checksum mismatch: md5 of the uncompressed content "+got+", want 15d484375f8d13e6eb1aabb0c3f46965")
}

func TestFashionMNISTChecksumSynthetic(t *testing.T) {
	// Without the package: four well-formed files that are not
	// Fashion-MNIST are refused, naming the first file.
	dir := newSet(t, false)
	t.Setenv(FashionMNIST.DirEnv, dir)
	raw, err := os.ReadFile(filepath.Join(dir, TrainImages))
	if err != nil {
		t.Fatal(err)
	}
	got := md5.Sum(raw)
	_, err = FashionMNIST.Load(Options{})
	checkFileError(t, err, filepath.Join(dir, TrainImages), ErrChecksum,
		"checksum mismatch: md5 of the uncompressed content "+hex.EncodeToString(got[:])+", want f4a8712d7a061bf5bd6d2ca38dc4d50a")
}
