package dataset

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/ffchar/ffchar/ff"
)

// Names of the four files of a data set, without the optional ".gz".
const (
	TrainImages = "train-images-idx3-ubyte"
	TrainLabels = "train-labels-idx1-ubyte"
	TestImages  = "t10k-images-idx3-ubyte"
	TestLabels  = "t10k-labels-idx1-ubyte"
)

// fileNames is the order of Splits.Files.
var fileNames = [4]string{TrainImages, TrainLabels, TestImages, TestLabels}

// Sizes holds one sample count per split.
type Sizes struct {
	Train, Val, Test int
}

// Options control Load and Set.Load. The zero value
// reads every sample with the reference splits.
type Options struct {
	// Limit keeps the first Limit.Train, Limit.Val and Limit.Test samples
	// of each split; zero keeps the whole split. A limit larger than its
	// split is an error.
	Limit Sizes

	// Holdout is the number of images at the end of the training file that
	// form the validation split. Zero means a sixth of the training file,
	// 10,000 for MNIST as in the reference implementation.
	Holdout int

	// MD5 maps file names (TrainImages, ...) to the expected hexadecimal
	// md5 of the file as stored, compressed or not. Load verifies the files
	// listed and no others. Set.Load ignores MD5 and always verifies the
	// set's declared checksums.
	MD5 map[string]string

	// MaxBytes, when positive, bounds the memory a load may take, in
	// bytes: the files as stored, the images and labels it keeps and
	// their float32 samples. It is checked against the sizes the files'
	// headers announce, before anything is decompressed; a data set that
	// needs more is an error wrapping ErrTooLarge.
	MaxBytes float64

	// Offline stops Set.Load from fetching a data set that is missing
	// (MNIST, when it is not in the module cache); it then fails with an
	// error wrapping fs.ErrNotExist.
	Offline bool
}

// File identifies one file read.
type File struct {
	// Name is the file's base name as found, e.g.
	// "train-images-idx3-ubyte.gz".
	Name string
	// MD5 and SHA256 are hexadecimal digests of the file as stored.
	MD5, SHA256 string
}

// Splits is a data set divided for training.
type Splits struct {
	Train, Val, Test *ff.Data

	// Rows and Cols give the image shape; every sample has Rows×Cols
	// features.
	Rows, Cols int

	// Source is the Set's Name for Set.Load ("mnist", ...) and the
	// folder for Load.
	Source string
	// Dir is the folder the files were read from.
	Dir string
	// Files lists the files read, in the order TrainImages, TrainLabels,
	// TestImages, TestLabels.
	Files []File
}

// Load reads the data set in dir, verifying opts.MD5, and splits it.
func Load(dir string, opts Options) (*Splits, error) {
	return load(dir, dir, checksums{stored: opts.MD5}, opts)
}

// checksums are the md5s a load verifies, by file name: of the files as
// stored (compressed or not), and of their uncompressed IDX content.
type checksums struct {
	stored, content map[string]string
}

func load(source, dir string, sums checksums, opts Options) (*Splits, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	for _, m := range []map[string]string{sums.stored, sums.content} {
		if err := checkMD5(m); err != nil {
			return nil, err
		}
	}
	var (
		paths [4]string
		raws  [4][]byte
		files = make([]File, 4)
	)
	for i, name := range fileNames {
		path, err := resolve(dir, name)
		if err != nil {
			return nil, err
		}
		if raws[i], err = readFile(path); err != nil {
			return nil, err
		}
		paths[i] = path
	}

	// Before anything is decompressed: the stored checksums, and the
	// sizes the headers announce against the limits and the memory bound.
	var dims [4][]uint32
	for i, name := range fileNames {
		sum5, sum256 := md5.Sum(raws[i]), sha256.Sum256(raws[i])
		files[i] = File{Name: filepath.Base(paths[i]), MD5: hex.EncodeToString(sum5[:]), SHA256: hex.EncodeToString(sum256[:])}
		if want := sums.stored[name]; want != "" && !strings.EqualFold(want, files[i].MD5) {
			return nil, &FileError{Path: paths[i], Err: fmt.Errorf("%w: md5 %s, want %s", ErrChecksum, files[i].MD5, strings.ToLower(want))}
		}
		rank := 3
		if i%2 == 1 {
			rank = 1
		}
		d, err := peekDims(raws[i], rank)
		if err != nil {
			return nil, &FileError{Path: paths[i], Err: err}
		}
		dims[i] = d
	}
	trainN, testN := int(dims[0][0]), int(dims[2][0])
	rows, cols := int(dims[0][1]), int(dims[0][2])
	for _, p := range []struct{ images, labels int }{{0, 1}, {2, 3}} {
		if dims[p.labels][0] != dims[p.images][0] {
			return nil, &FileError{Path: paths[p.labels], Err: fmt.Errorf("%w: %d labels for the %d images in %s", ErrCount, dims[p.labels][0], dims[p.images][0], files[p.images].Name)}
		}
	}
	if features := rows * cols; features <= ff.NumClasses {
		return nil, &FileError{Path: paths[0], Err: fmt.Errorf("%w %d×%d: %d pixels, want more than the %d label features", ErrDims, rows, cols, features, ff.NumClasses)}
	}
	if int(dims[2][1]) != rows || int(dims[2][2]) != cols {
		return nil, &FileError{Path: paths[2], Err: fmt.Errorf("%w %d×%d, want %d×%d as in %s", ErrDims, dims[2][1], dims[2][2], rows, cols, files[0].Name)}
	}
	if testN == 0 {
		return nil, &FileError{Path: paths[2], Err: errors.New("no images")}
	}
	holdout := opts.Holdout
	if holdout == 0 {
		holdout = trainN / 6
	}
	if holdout < 1 || holdout >= trainN {
		return nil, &FileError{Path: paths[0], Err: fmt.Errorf("%d images cannot be split into training and %d validation images", trainN, holdout)}
	}
	avail := Sizes{Train: trainN - holdout, Val: holdout, Test: testN}
	n, err := opts.Limit.apply(avail)
	if err != nil {
		return nil, fmt.Errorf("dataset: %s: %v", source, err)
	}
	if opts.MaxBytes > 0 {
		kept := float64(n.Train + n.Val + n.Test)
		need := float64(len(raws[0])+len(raws[1])+len(raws[2])+len(raws[3])) +
			kept*float64(rows*cols)*(1+4) + float64(trainN+testN)
		if need > opts.MaxBytes {
			return nil, &FileError{Path: paths[0], Err: fmt.Errorf("%w: announces %d images of %d×%d; keeping %d training, %d validation and %d test samples needs about %.3g GB, more than the %.3g GB allowed",
				ErrTooLarge, trainN, rows, cols, n.Train, n.Val, n.Test, need/1e9, opts.MaxBytes/1e9)}
		}
	}

	// The files are decoded concurrently: decompressing the training
	// images takes most of the time. Only the images the splits keep are
	// held (readImageSpans). Errors are reported in file order, so the
	// same files always give the same error.
	var (
		wg     sync.WaitGroup
		errs   [4]error
		parts  [4][][]byte
		labels [2][]uint8
	)
	for i, name := range fileNames {
		wg.Go(func() {
			var h hash.Hash
			var err error
			switch i {
			case 0:
				parts[i], h, err = readImageSpans(raws[i], dims[i], []span{{0, n.Train}, {avail.Train, avail.Train + n.Val}})
			case 2:
				parts[i], h, err = readImageSpans(raws[i], dims[i], []span{{0, n.Test}})
			default:
				if labels[i/2], err = decodeLabels(raws[i]); err == nil {
					h = md5.New()
					h.Write(labelsHeader(labels[i/2]))
					h.Write(labels[i/2])
				}
			}
			if want := sums.content[name]; err == nil && want != "" {
				if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(want, got) {
					err = fmt.Errorf("%w: md5 of the uncompressed content %s, want %s", ErrChecksum, got, strings.ToLower(want))
				}
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, &FileError{Path: paths[i], Err: err}
		}
	}
	trainLabels, testLabels := labels[0], labels[1]
	image := func(pix []byte, k int) *Images { return &Images{N: k, Rows: rows, Cols: cols, Pix: pix} }
	return &Splits{
		Train:  toData(image(parts[0][0], n.Train), trainLabels[:n.Train], 0, n.Train),
		Val:    toData(image(parts[0][1], n.Val), trainLabels[avail.Train:avail.Train+n.Val], 0, n.Val),
		Test:   toData(image(parts[2][0], n.Test), testLabels[:n.Test], 0, n.Test),
		Rows:   rows,
		Cols:   cols,
		Source: source,
		Dir:    dir,
		Files:  files,
	}, nil
}

func (o *Options) check() error {
	for _, c := range []struct {
		name string
		v    int
	}{
		{"Limit.Train", o.Limit.Train},
		{"Limit.Val", o.Limit.Val},
		{"Limit.Test", o.Limit.Test},
		{"Holdout", o.Holdout},
	} {
		if c.v < 0 {
			return fmt.Errorf("dataset: option %s is %d, want ≥ 0", c.name, c.v)
		}
	}
	return nil
}

func checkMD5(sums map[string]string) error {
	for name, sum := range sums {
		if !slices.Contains(fileNames[:], name) {
			return fmt.Errorf("dataset: MD5 given for %q, want one of %s", name, strings.Join(fileNames[:], ", "))
		}
		if b, err := hex.DecodeString(sum); err != nil || len(b) != md5.Size {
			return fmt.Errorf("dataset: MD5 for %s is %q, want 32 hexadecimal digits", name, sum)
		}
	}
	return nil
}

// apply returns the sizes limit keeps of avail.
func (limit Sizes) apply(avail Sizes) (Sizes, error) {
	n := avail
	for _, c := range []struct {
		split        string
		limit, avail int
		dst          *int
	}{
		{"training", limit.Train, avail.Train, &n.Train},
		{"validation", limit.Val, avail.Val, &n.Val},
		{"test", limit.Test, avail.Test, &n.Test},
	} {
		if c.limit > c.avail {
			return Sizes{}, fmt.Errorf("limit of %d %s samples exceeds the %d available", c.limit, c.split, c.avail)
		}
		if c.limit > 0 {
			*c.dst = c.limit
		}
	}
	return n, nil
}

// resolve returns the path of name.gz or name in dir, preferring name.gz.
func resolve(dir, name string) (string, error) {
	for _, p := range []string{filepath.Join(dir, name+".gz"), filepath.Join(dir, name)} {
		fi, err := os.Stat(p)
		if err == nil && fi.Mode().IsRegular() {
			return p, nil
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", &FileError{Path: p, Err: unwrapPath(err)}
		}
	}
	return "", &FileError{Path: dir, Err: fmt.Errorf("no %s.gz or %s: %w", name, name, fs.ErrNotExist)}
}

// byteScale maps a pixel byte to [0, 1]: float32(b)/255, one float32
// division as in torchvision's ToTensor.
var byteScale = func() (t [256]float32) {
	for b := range t {
		t[b] = float32(b) / 255
	}
	return t
}()

// toData converts images [lo, hi) of im and their labels into new memory.
func toData(im *Images, labels []uint8, lo, hi int) *ff.Data {
	features := im.Rows * im.Cols
	pix := im.Pix[lo*features : hi*features]
	x := make([]float32, len(pix))
	// Most of the time goes to faulting in the new memory, which
	// parallelises well.
	const chunk = 1 << 22
	var wg sync.WaitGroup
	for start := 0; start < len(pix); start += chunk {
		end := min(start+chunk, len(pix))
		wg.Go(func() { scale(x[start:end], pix[start:end]) })
	}
	wg.Wait()
	return &ff.Data{X: x, Labels: slices.Clone(labels[lo:hi]), N: hi - lo, Features: features}
}

// scale sets dst[i] to src[i] scaled to [0, 1].
func scale(dst []float32, src []uint8) {
	dst = dst[:len(src)]
	for i, b := range src {
		dst[i] = byteScale[b]
	}
}
