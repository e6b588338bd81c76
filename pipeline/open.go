package pipeline

import (
	"errors"
	"io/fs"
	"os"
)

// errNotRegular is the reason a cache file that is a FIFO, device,
// directory or anything else but a regular file is never read: opening a
// FIFO would block until someone writes to it, so every command using the
// cache would hang.
var errNotRegular = errors.New("not a regular file")

// openRegular opens path for reading (flag may add os.O_CREATE) only if
// it is a regular file, and returns what it found out about the file. It
// opens without blocking (a FIFO does not wait for a writer) and checks
// the mode of what it opened, so a file swapped in between cannot slip
// through. Files below the cache folder are opened with Cache.openRegular
// instead; this is for job directories and for gc's walk.
func openRegular(path string, flag int) (*os.File, fs.FileInfo, error) {
	return openRegularWith(path, func() (*os.File, error) {
		return os.OpenFile(path, os.O_RDONLY|openFlagNonblock|flag, 0o666)
	})
}

// openRegularWith is openRegular with the opening left to open.
func openRegularWith(path string, open func() (*os.File, error)) (*os.File, fs.FileInfo, error) {
	f, err := open()
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, &os.PathError{Op: "open", Path: path, Err: errNotRegular}
	}
	return f, fi, nil
}

// errTooLarge is a file longer than readRegular's limit.
var errTooLarge = errors.New("larger than the limit")

// readRegular reads the whole regular file at path, at most limit bytes;
// a longer file is an error wrapping errTooLarge.
func readRegular(path string, limit int64) ([]byte, error) {
	f, fi, err := openRegular(path, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(path, f, fi, limit)
}
