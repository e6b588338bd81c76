package artifacts

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/ff"
)

// kinds lists every file kind with a writer of fixed test content and its
// reader.
var kinds = []struct {
	name  string
	write func(path string, meta map[string]string) error
	read  func(path string) error
}{
	{"metrics",
		func(p string, m map[string]string) error { return WriteMetrics(p, testRuns(), m) },
		func(p string) error { _, _, err := ReadMetrics(p); return err }},
	{"evaluations",
		func(p string, m map[string]string) error { return WriteEvaluations(p, testEvaluations(), m) },
		func(p string) error { _, _, err := ReadEvaluations(p); return err }},
	{"confusion",
		func(p string, m map[string]string) error { return WriteConfusion(p, testEvaluations(), m) },
		func(p string) error { _, _, err := ReadConfusion(p); return err }},
	{"params",
		func(p string, m map[string]string) error { return WriteParams(p, testParams(), m) },
		func(p string) error { _, _, err := ReadParams(p); return err }},
	{"dataset",
		func(p string, m map[string]string) error {
			return WriteDataset(p, map[string]*ff.Data{"train": synthetic(30, 12, 1), "test": synthetic(7, 12, 2)}, m)
		},
		func(p string) error { _, _, err := ReadDataset(p); return err }},
	{"table",
		func(p string, m map[string]string) error {
			return WriteTable(p, &Table{Name: "t", Title: "test", Columns: []Column{
				{Name: "s", Strings: []string{"a", "b", "c"}},
				{Name: "i", Ints: []int64{1, -2, 3}},
				{Name: "f", Floats: []float64{0.5, nan, 2}},
			}}, m)
		},
		func(p string) error { _, _, err := ReadTable(p); return err }},
}

// manyKeys returns metadata with enough keys that two iterations over the
// map almost surely differ in order.
func manyKeys() map[string]string {
	m := make(map[string]string)
	for i := range 64 {
		m[fmt.Sprintf("key%02d", i)] = fmt.Sprint(i * i)
	}
	return m
}

// TestDeterministic writes every kind of file twice, in different
// directories, and requires identical bytes: outputs are cached by content.
func TestDeterministic(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			var files [2][]byte
			for i := range files {
				path := filepath.Join(t.TempDir(), "out")
				if err := k.write(path, manyKeys()); err != nil {
					t.Fatal(err)
				}
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				files[i] = b
			}
			if !bytes.Equal(files[0], files[1]) {
				t.Errorf("two writes of the same content differ (%d and %d bytes)", len(files[0]), len(files[1]))
			}
		})
	}
}

// checkReadError requires err to be a single-line *FileError naming path.
func checkReadError(t *testing.T, what, path string, err error) {
	t.Helper()
	var fe *FileError
	switch {
	case err == nil:
		t.Errorf("%s: no error", what)
	case !errors.As(err, &fe) || fe.Path != path:
		t.Errorf("%s: error %q (%T) is not a FileError for %s", what, err, err, path)
	case !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), "\n"):
		t.Errorf("%s: error %q does not name %s on one line", what, err, path)
	}
}

// TestCorruptFiles checks that readers turn truncated, overwritten and
// bit-flipped files into errors naming the file, never a panic. A flipped
// byte inside a value buffer may go unnoticed (Arrow IPC has no checksum;
// the cache detects such damage by content hash), so for flips the test
// only requires that an error, if any, names the file.
func TestCorruptFiles(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			dir := t.TempDir()
			good := filepath.Join(dir, "good")
			if err := k.write(good, map[string]string{"a": "b"}); err != nil {
				t.Fatal(err)
			}
			if err := k.read(good); err != nil {
				t.Fatal(err)
			}
			orig, err := os.ReadFile(good)
			if err != nil {
				t.Fatal(err)
			}
			bad := filepath.Join(dir, "bad")
			n := len(orig)
			for _, size := range []int{0, 1, 4, 8, 12, n / 3, n / 2, n - 12, n - 8, n - 1} {
				if err := os.WriteFile(bad, orig[:size], 0o644); err != nil {
					t.Fatal(err)
				}
				checkReadError(t, fmt.Sprintf("truncated to %d of %d bytes", size, n), bad, k.read(bad))
			}
			rng := rand.New(rand.NewPCG(1, 1))
			garbage := make([]byte, n)
			for i := range garbage {
				garbage[i] = byte(rng.Uint32())
			}
			if err := os.WriteFile(bad, garbage, 0o644); err != nil {
				t.Fatal(err)
			}
			checkReadError(t, "random bytes", bad, k.read(bad))
			// Garbage in the middle with the magic bytes and footer kept.
			mid := bytes.Clone(orig)
			copy(mid[8:n/2], garbage)
			if err := os.WriteFile(bad, mid, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := k.read(bad); err != nil {
				checkReadError(t, "garbage in the middle", bad, err)
			}

			step := max(1, n/200)
			for pos := 0; pos < n; pos += step {
				flipped := bytes.Clone(orig)
				flipped[pos] ^= 0xff
				if err := os.WriteFile(bad, flipped, 0o644); err != nil {
					t.Fatal(err)
				}
				if err := k.read(bad); err != nil {
					checkReadError(t, fmt.Sprintf("byte %d flipped", pos), bad, err)
				}
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent")
	for _, k := range kinds {
		err := k.read(path)
		checkReadError(t, k.name, path, err)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: error %v does not wrap fs.ErrNotExist", k.name, err)
		}
	}
}

func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out")
	failure := errors.New("injected failure")
	fill := func(w io.Writer) error {
		if _, err := w.Write(bytes.Repeat([]byte("x"), 3<<20)); err != nil {
			return err
		}
		return failure
	}
	err := writeAtomic(path, fill)
	if !errors.Is(err, failure) || !strings.Contains(err.Error(), path) {
		t.Errorf("writeAtomic error %v, want the fill error naming %s", err, path)
	}
	assertNoFiles(t, dir)

	if err := writeAtomic(path, func(w io.Writer) error { _, err := io.WriteString(w, "old"); return err }); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("stat after write: %v, %v; want mode 0644", fi, err)
	}
	// A failed replacement leaves the old content in place.
	if err := writeAtomic(path, fill); err == nil {
		t.Fatal("no error")
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "old" {
		t.Errorf("after a failed replacement the file holds %q, %v", b, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d entries in %s, want 1", len(ents), dir)
	}
}

// TestWriteFailures checks the public writers: a failure after the
// temporary file exists (here: a reserved metadata key, found while
// encoding) or before (a missing directory) leaves nothing under the final
// name and no temporary file.
func TestWriteFailures(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out")
			err := k.write(path, map[string]string{KindKey: "x"})
			if err == nil || !strings.Contains(err.Error(), path) {
				t.Errorf("error %v, want one naming %s", err, path)
			}
			assertNoFiles(t, dir)

			if err := k.write(path, nil); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(path)
			if err := k.write(path, map[string]string{"k": "\xff"}); err == nil {
				t.Fatal("invalid UTF-8 metadata accepted")
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(before, after) {
				t.Errorf("a failed write changed the existing file")
			}

			missing := filepath.Join(dir, "no", "such", "dir", "out")
			err = k.write(missing, nil)
			var fe *FileError
			if !errors.As(err, &fe) || fe.Path != missing || !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("write into a missing directory: %v", err)
			}
		})
	}
}

// FuzzReaders feeds arbitrary bytes to every reader, starting from valid
// files of each kind: each must return data or an error naming the file,
// and must neither panic nor exhaust memory.
func FuzzReaders(f *testing.F) {
	dir := f.TempDir()
	for _, k := range kinds {
		path := filepath.Join(dir, k.name)
		if err := k.write(path, map[string]string{"a": "b"}); err != nil {
			f.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "f")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, k := range kinds {
			if err := k.read(path); err != nil {
				checkReadError(t, k.name, path, err)
			}
		}
	})
}
