package dataset

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/ff"
)

// The synthetic set most tests start from: 60 training images (50 for
// training and the default sixth, 10, for validation) and 20 test images.
const (
	setTrain = 60
	setTest  = 20
	setSeed  = 7
)

func newSet(t *testing.T, gz bool) string {
	t.Helper()
	dir := t.TempDir()
	if err := WriteSynthetic(dir, setTrain, setTest, setSeed, gz); err != nil {
		t.Fatal(err)
	}
	return dir
}

// sameData reports whether a and b hold the same samples.
func sameData(a, b *ff.Data) bool {
	return a.N == b.N && a.Features == b.Features && slices.Equal(a.X, b.X) && bytes.Equal(a.Labels, b.Labels)
}

func TestLoadSynthetic(t *testing.T) {
	want := Synthetic(setTrain, setSeed)
	for _, gz := range []bool{false, true} {
		dir := newSet(t, gz)
		s, err := Load(dir, Options{})
		if err != nil {
			t.Fatalf("gz=%t: %v", gz, err)
		}
		if s.Train.N != 50 || s.Val.N != 10 || s.Test.N != setTest {
			t.Errorf("gz=%t: split sizes %d/%d/%d, want 50/10/%d", gz, s.Train.N, s.Val.N, s.Test.N, setTest)
		}
		for _, d := range []*ff.Data{s.Train, s.Val, s.Test} {
			if err := d.Check(); err != nil {
				t.Errorf("gz=%t: %v", gz, err)
			}
		}
		if !sameData(s.Train, want.Slice(0, 50)) || !sameData(s.Val, want.Slice(50, 60)) {
			t.Errorf("gz=%t: training and validation splits differ from Synthetic(%d, %d)", gz, setTrain, setSeed)
		}
		if s.Rows != 28 || s.Cols != 28 || s.Train.Features != 784 || s.Source != dir || s.Dir != dir {
			t.Errorf("gz=%t: Rows, Cols, Features, Source, Dir = %d, %d, %d, %q, %q", gz, s.Rows, s.Cols, s.Train.Features, s.Source, s.Dir)
		}
		if len(s.Files) != 4 {
			t.Fatalf("gz=%t: %d files recorded, want 4", gz, len(s.Files))
		}
		for i, name := range fileNames {
			if gz {
				name += ".gz"
			}
			raw, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			m, h := md5.Sum(raw), sha256.Sum256(raw)
			want := File{Name: name, MD5: hex.EncodeToString(m[:]), SHA256: hex.EncodeToString(h[:])}
			if s.Files[i] != want {
				t.Errorf("gz=%t: Files[%d] = %+v, want %+v", gz, i, s.Files[i], want)
			}
		}
	}
}

// TestLoadFormats checks that compression is recognised by content, not
// name, and that name.gz is preferred to name.
func TestLoadFormats(t *testing.T) {
	want := Synthetic(setTrain, setSeed)
	for _, tc := range []struct {
		name   string
		rename map[string]string // from → to, applied to a gzipped or raw set
		gz     bool
	}{
		{name: "raw", gz: false},
		{name: "gzip", gz: true},
		{name: "gzip named raw", gz: true, rename: map[string]string{TrainImages + ".gz": TrainImages, TestLabels + ".gz": TestLabels}},
		{name: "raw named gzip", gz: false, rename: map[string]string{TrainImages: TrainImages + ".gz", TrainLabels: TrainLabels + ".gz"}},
	} {
		dir := newSet(t, tc.gz)
		for from, to := range tc.rename {
			if err := os.Rename(filepath.Join(dir, from), filepath.Join(dir, to)); err != nil {
				t.Fatal(err)
			}
		}
		s, err := Load(dir, Options{})
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !sameData(s.Train, want.Slice(0, 50)) {
			t.Errorf("%s: training split differs from Synthetic(%d, %d)", tc.name, setTrain, setSeed)
		}
	}

	// A raw set of another seed next to the gzipped one is ignored.
	dir := newSet(t, true)
	if err := WriteSynthetic(dir, setTrain, setTest, setSeed+1, false); err != nil {
		t.Fatal(err)
	}
	s, err := Load(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !sameData(s.Train, want.Slice(0, 50)) || s.Files[0].Name != TrainImages+".gz" {
		t.Errorf("with both name and name.gz present, %s was read", s.Files[0].Name)
	}
}

func TestLoadOptions(t *testing.T) {
	dir := newSet(t, false)
	full, err := Load(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sums := make(map[string]string)
	for i, name := range fileNames {
		sums[name] = strings.ToUpper(full.Files[i].MD5) // Case does not matter.
	}
	synth := Synthetic(setTrain, setSeed)

	for _, tc := range []struct {
		name string
		opts Options
		want Sizes
		// The splits as slices of Synthetic(setTrain, setSeed) and of the
		// full test split.
		train, val [2]int
	}{
		{name: "defaults", want: Sizes{50, 10, 20}, train: [2]int{0, 50}, val: [2]int{50, 60}},
		{name: "limits", opts: Options{Limit: Sizes{5, 6, 7}}, want: Sizes{5, 6, 7}, train: [2]int{0, 5}, val: [2]int{50, 56}},
		{name: "one limit", opts: Options{Limit: Sizes{Val: 1}}, want: Sizes{50, 1, 20}, train: [2]int{0, 50}, val: [2]int{50, 51}},
		{name: "whole splits as limits", opts: Options{Limit: Sizes{50, 10, 20}}, want: Sizes{50, 10, 20}, train: [2]int{0, 50}, val: [2]int{50, 60}},
		{name: "holdout", opts: Options{Holdout: 30}, want: Sizes{30, 30, 20}, train: [2]int{0, 30}, val: [2]int{30, 60}},
		{name: "holdout and limits", opts: Options{Holdout: 1, Limit: Sizes{Train: 2}}, want: Sizes{2, 1, 20}, train: [2]int{0, 2}, val: [2]int{59, 60}},
		{name: "checksums", opts: Options{MD5: sums}, want: Sizes{50, 10, 20}, train: [2]int{0, 50}, val: [2]int{50, 60}},
	} {
		s, err := Load(dir, tc.opts)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := (Sizes{s.Train.N, s.Val.N, s.Test.N}); got != tc.want {
			t.Errorf("%s: sizes %+v, want %+v", tc.name, got, tc.want)
		}
		if !sameData(s.Train, synth.Slice(tc.train[0], tc.train[1])) {
			t.Errorf("%s: training split is not samples %v", tc.name, tc.train)
		}
		if !sameData(s.Val, synth.Slice(tc.val[0], tc.val[1])) {
			t.Errorf("%s: validation split is not samples %v", tc.name, tc.val)
		}
		if !sameData(s.Test, full.Test.Slice(0, tc.want.Test)) {
			t.Errorf("%s: test split is not the first %d test samples", tc.name, tc.want.Test)
		}
	}
}

func TestLoadBadOptions(t *testing.T) {
	dir := newSet(t, false)
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"train limit", Options{Limit: Sizes{Train: 51}}, "dataset: " + dir + ": limit of 51 training samples exceeds the 50 available"},
		{"val limit", Options{Limit: Sizes{Val: 11}}, "dataset: " + dir + ": limit of 11 validation samples exceeds the 10 available"},
		{"test limit", Options{Limit: Sizes{Test: 21}}, "dataset: " + dir + ": limit of 21 test samples exceeds the 20 available"},
		{"negative limit", Options{Limit: Sizes{Test: -1}}, "dataset: option Limit.Test is -1, want ≥ 0"},
		{"negative holdout", Options{Holdout: -2}, "dataset: option Holdout is -2, want ≥ 0"},
		{"holdout", Options{Holdout: 60}, "dataset: " + filepath.Join(dir, TrainImages) + ": 60 images cannot be split into training and 60 validation images"},
		{"md5 name", Options{MD5: map[string]string{"train-images.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873"}},
			`dataset: MD5 given for "train-images.gz", want one of train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte`},
		{"md5 value", Options{MD5: map[string]string{TestLabels: "ec29112d"}}, `dataset: MD5 for t10k-labels-idx1-ubyte is "ec29112d", want 32 hexadecimal digits`},
	} {
		_, err := Load(dir, tc.opts)
		if err == nil {
			t.Errorf("%s: no error, want %q", tc.name, tc.want)
		} else if err.Error() != tc.want {
			t.Errorf("%s: error\n\t%s\nwant\n\t%s", tc.name, err, tc.want)
		}
	}
}

// Edits of a file's bytes, for failure injection.

func setU32(off int, v uint32) func([]byte) []byte {
	return func(b []byte) []byte { binary.BigEndian.PutUint32(b[off:], v); return b }
}

func setByte(off int, v byte) func([]byte) []byte {
	return func(b []byte) []byte { b[off] = v; return b }
}

func truncate(n int) func([]byte) []byte {
	return func(b []byte) []byte { return b[:n] }
}

func appendZeros(n int) func([]byte) []byte {
	return func(b []byte) []byte { return append(b, make([]byte, n)...) }
}

func replace(c []byte) func([]byte) []byte {
	return func([]byte) []byte { return c }
}

// TestLoadBadFiles damages one file of a valid set and checks the error
// Load returns.
func TestLoadBadFiles(t *testing.T) {
	labels := func(n int) []uint8 { return make([]uint8, n) }
	images := func(n, rows, cols int) []byte {
		return encodeImages(&Images{N: n, Rows: rows, Cols: cols, Pix: make([]uint8, n*rows*cols)})
	}
	for _, tc := range []struct {
		name string
		file string                  // the file damaged
		edit func([]byte) []byte     // applied to its IDX bytes
		gz   func([]byte) []byte     // if set, applied to the compressed edited bytes
		kind error                   // the sentinel the error wraps
		want string                  // the message after the path
		pfx  bool                    // want is only a prefix of the message
		path func(dir string) string // the path named, if not dir/file
	}{
		{name: "element type", file: TrainImages, edit: setU32(0, 0x0903), kind: ErrMagic,
			want: "bad magic 0x00000903, want 0x00000803 (IDX, unsigned bytes, rank 3)"},
		{name: "not IDX", file: TestLabels, edit: replace([]byte("hello, world\n")), kind: ErrMagic,
			want: "bad magic 0x68656c6c, want 0x00000801 (IDX, unsigned bytes, rank 1)"},
		{name: "labels as images", file: TrainImages, edit: replace(encodeLabels(labels(60))), kind: ErrRank,
			want: "wrong rank 1, want 3 (an image file)"},
		{name: "images as labels", file: TestLabels, edit: replace(images(20, 28, 28)), kind: ErrRank,
			want: "wrong rank 3, want 1 (a label file)"},
		{name: "zero rows", file: TrainImages, edit: setU32(8, 0), kind: ErrDims,
			want: "wrong dimensions 0×28, want images of at least one pixel"},
		{name: "test shape", file: TestImages, edit: replace(images(20, 28, 27)), kind: ErrDims,
			want: "wrong dimensions 28×27, want 28×28 as in train-images-idx3-ubyte"},
		{name: "too few pixels", file: TrainImages, edit: replace(images(60, 3, 3)), kind: ErrDims,
			want: "wrong dimensions 3×3: 9 pixels, want more than the 10 label features"},
		{name: "truncated pixels", file: TrainImages, edit: truncate(16 + 1000), kind: ErrTruncated,
			want: "truncated: want 47040 pixel bytes, got 1000"},
		{name: "truncated header", file: TrainImages, edit: truncate(10), kind: ErrTruncated,
			want: "truncated: want a 16-byte header, got 10 bytes"},
		{name: "empty", file: TrainLabels, edit: truncate(0), kind: ErrTruncated,
			want: "truncated: want a 4-byte magic number, got 0 bytes"},
		{name: "truncated labels", file: TestLabels, edit: truncate(8 + 5), kind: ErrTruncated,
			want: "truncated: want 20 label bytes, got 5"},
		{name: "huge dimensions", file: TestImages, edit: func(b []byte) []byte {
			for off := 4; off < 16; off += 4 {
				binary.BigEndian.PutUint32(b[off:], 0xffffffff)
			}
			return b
		}, kind: ErrDims, want: "wrong dimensions [4294967295 4294967295 4294967295]: the header announces more than 4294967296 bytes of data"},
		{name: "trailing pixels", file: TestImages, edit: appendZeros(3), kind: ErrTrailing,
			want: "trailing data: 3 bytes after the 15680 pixel bytes"},
		{name: "trailing labels", file: TrainLabels, edit: appendZeros(2), kind: ErrTrailing,
			want: "trailing data: 2 bytes after the 60 label bytes"},
		{name: "fewer labels", file: TrainLabels, edit: replace(encodeLabels(labels(59))), kind: ErrCount,
			want: "count mismatch: 59 labels for the 60 images in train-images-idx3-ubyte"},
		{name: "more labels", file: TestLabels, edit: replace(encodeLabels(labels(21))), kind: ErrCount,
			want: "count mismatch: 21 labels for the 20 images in t10k-images-idx3-ubyte"},
		{name: "fewer images", file: TestImages, edit: replace(images(19, 28, 28)), kind: ErrCount,
			want: "count mismatch: 20 labels for the 19 images in t10k-images-idx3-ubyte",
			path: func(dir string) string { return filepath.Join(dir, TestLabels) }},
		{name: "label 10", file: TrainLabels, edit: setByte(8+5, 10), kind: ErrLabel,
			want: "label out of range: label 10 at index 5, want 0..9"},
		{name: "label 255", file: TestLabels, edit: setByte(8+19, 255), kind: ErrLabel,
			want: "label out of range: label 255 at index 19, want 0..9"},
		{name: "gzip checksum", file: TrainImages, gz: func(b []byte) []byte { b[len(b)-8] ^= 1; return b }, kind: ErrGzip,
			want: "corrupt gzip data: gzip: invalid checksum"},
		{name: "gzip truncated", file: TrainLabels, gz: func(b []byte) []byte { return b[:len(b)/2] }, kind: ErrTruncated,
			want: "truncated: gzip stream ends early, after ", pfx: true},
		{name: "gzip header", file: TestImages, edit: replace([]byte{0x1f, 0x8b, 0x07, 0, 0, 0, 0, 0, 0, 0xff}), kind: ErrGzip,
			want: "corrupt gzip data: gzip: invalid header"},
		{name: "gzipped garbage", file: TestImages, edit: replace([]byte("te")), gz: func(b []byte) []byte { return b }, kind: ErrTruncated,
			want: "truncated: want a 4-byte magic number, got 2 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := newSet(t, false)
			path := filepath.Join(dir, tc.file)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if tc.edit != nil {
				b = tc.edit(b)
			}
			if tc.gz != nil {
				b = tc.gz(gzipBytes(t, b))
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			if tc.path != nil {
				path = tc.path(dir)
			}
			_, err = Load(dir, Options{})
			if !tc.pfx {
				checkFileError(t, err, path, tc.kind, tc.want)
				return
			}
			var fe *FileError
			if !errors.As(err, &fe) || fe.Path != path || !errors.Is(err, tc.kind) || !strings.HasPrefix(err.Error(), "dataset: "+path+": "+tc.want) {
				t.Errorf("error %v, want a *FileError for %s wrapping %q, starting %q", err, path, tc.kind, tc.want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	dir := newSet(t, true)
	if err := os.Remove(filepath.Join(dir, TestLabels+".gz")); err != nil {
		t.Fatal(err)
	}
	_, err := Load(dir, Options{})
	checkFileError(t, err, dir, fs.ErrNotExist, "no t10k-labels-idx1-ubyte.gz or t10k-labels-idx1-ubyte: file does not exist")

	_, err = Load(filepath.Join(dir, "nowhere"), Options{})
	checkFileError(t, err, filepath.Join(dir, "nowhere"), fs.ErrNotExist, "no train-images-idx3-ubyte.gz or train-images-idx3-ubyte: file does not exist")
}

func TestLoadNoTestImages(t *testing.T) {
	dir := t.TempDir()
	if err := WriteSynthetic(dir, setTrain, 0, setSeed, false); err != nil {
		t.Fatal(err)
	}
	_, err := Load(dir, Options{})
	checkFileError(t, err, filepath.Join(dir, TestImages), nil, "no images")
}

func TestChecksumMismatch(t *testing.T) {
	dir := newSet(t, true)
	raw, err := os.ReadFile(filepath.Join(dir, TrainImages+".gz"))
	if err != nil {
		t.Fatal(err)
	}
	got := md5.Sum(raw)

	// The canonical MNIST checksums, as LoadMNIST applies them.
	_, err = load("mnist", dir, checksums{stored: MNIST.Stored}, Options{})
	checkFileError(t, err, filepath.Join(dir, TrainImages+".gz"), ErrChecksum,
		"checksum mismatch: md5 "+hex.EncodeToString(got[:])+", want f68b3c2dcbeaaa9fbdd348bbdeb94873")

	// A checksum the caller supplies, for one file only.
	_, err = Load(dir, Options{MD5: map[string]string{TestLabels: "EC29112DD5AFA0611CE80D1B7F02629C"}})
	raw, rerr := os.ReadFile(filepath.Join(dir, TestLabels+".gz"))
	if rerr != nil {
		t.Fatal(rerr)
	}
	got = md5.Sum(raw)
	checkFileError(t, err, filepath.Join(dir, TestLabels+".gz"), ErrChecksum,
		"checksum mismatch: md5 "+hex.EncodeToString(got[:])+", want ec29112dd5afa0611ce80d1b7f02629c")
}
