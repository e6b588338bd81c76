package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteReplacesWhole(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	if err := WriteBytes(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	if err := WriteBytes(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("content %q, want new", b)
	}
}

// A failure in the middle of writing leaves the old file and no temporary
// file behind.
func TestFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	WriteBytes(path, []byte("old"))
	boom := errors.New("disk full")
	err := Write(path, 0o666, func(w io.Writer) error {
		w.Write(make([]byte, 3<<20))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("error %v, want %v", err, boom)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("content %q after a failed write, want old", b)
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("%d files in the folder after a failed write, want 1", len(es))
	}
	if err := WriteBytes(filepath.Join(dir, "missing", "x"), nil); err == nil {
		t.Errorf("write into a missing folder succeeded")
	}
}

func TestMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.sh")
	if err := Write(path, 0o777, func(w io.Writer) error { _, err := io.WriteString(w, "#!/bin/sh\n"); return err }); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm()&0o100 == 0 {
		t.Errorf("mode %v: not executable", fi.Mode())
	}
}
