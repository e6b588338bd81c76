package dataset

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
)

// Fashion-MNIST as Debian packages it.
const (
	// FashionMNISTPackage is the Debian package that installs the files.
	FashionMNISTPackage = "dataset-fashion-mnist"
	// FashionMNISTDir is the folder the package installs them in.
	FashionMNISTDir = "/usr/share/datasets/fashion-mnist"
	// FashionMNISTDirEnv names the environment variable that, when set,
	// replaces FashionMNISTDir: for a copy outside the package, and for
	// tests.
	FashionMNISTDirEnv = "FFCHAR_FASHION_MNIST_DIR"
)

// fashionMNISTMD5 holds the md5 checksums of the four files of Zalando's
// Fashion-MNIST release (github.com/zalandoresearch/fashion-mnist) after
// decompression. Zalando's README publishes the checksums of the gzipped
// files (8d4fb7e6c68d591d4c3dfef9ec88bf0d, 25c81989df183df01b3e8a0aad5dffbe,
// bef4ecab320f06d8554ea6380940ec79, bb300cfdad3c16e7a12a480ee83cd310 in this
// order), but Debian's package normalises the gzip headers (no file name,
// the packaging date as time stamp), so its files never match them; their
// deflate streams and CRCs are Zalando's, byte for byte. Restoring the two
// header fields gives files with exactly the published checksums, and
// these are the checksums of what they inflate to.
var fashionMNISTMD5 = map[string]string{
	TrainImages: "f4a8712d7a061bf5bd6d2ca38dc4d50a",
	TrainLabels: "9018921c3c673c538a1fc5bad174d6f9",
	TestImages:  "8181f5470baa50b63fa0f6fddb340f0a",
	TestLabels:  "15d484375f8d13e6eb1aabb0c3f46965",
}

// FashionMNISTMD5 returns the md5 checksums of the four Fashion-MNIST files
// as uncompressed IDX, keyed by TrainImages, TrainLabels, TestImages and
// TestLabels.
func FashionMNISTMD5() map[string]string { return maps.Clone(fashionMNISTMD5) }

// LoadFashionMNIST reads Fashion-MNIST from the folder LocateFashionMNIST
// returns, verifies every file's content against FashionMNISTMD5 and splits
// it as LoadMNIST splits MNIST. Options.MD5 and Options.Offline are ignored.
func LoadFashionMNIST(opts Options) (*Splits, error) {
	dir, err := LocateFashionMNIST()
	if err != nil {
		return nil, err
	}
	return load("fashion-mnist", dir, checksums{content: fashionMNISTMD5}, opts)
}

// LocateFashionMNIST returns the folder holding the four Fashion-MNIST
// files: $FFCHAR_FASHION_MNIST_DIR when set, FashionMNISTDir otherwise.
// When a file is missing, the one-line error names the package to install
// and wraps fs.ErrNotExist.
func LocateFashionMNIST() (string, error) {
	dir := FashionMNISTDir
	if d := os.Getenv(FashionMNISTDirEnv); d != "" {
		dir = d
	}
	for _, name := range fileNames {
		if _, err := resolve(dir, name); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return "", notInstalled(fmt.Sprintf("dataset: Fashion-MNIST is not installed (no %s.gz in %s): apt-get install %s",
					name, dir, FashionMNISTPackage))
			}
			return "", err
		}
	}
	return filepath.Clean(dir), nil
}

// notInstalled is a missing data set: its message says how to install it,
// and it wraps fs.ErrNotExist without repeating it.
type notInstalled string

func (e notInstalled) Error() string { return string(e) }

func (e notInstalled) Unwrap() error { return fs.ErrNotExist }
