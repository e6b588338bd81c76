package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
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
// through.
func openRegular(path string, flag int) (*os.File, fs.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openFlagNonblock|flag, 0o666)
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
	tooLarge := fmt.Errorf("%s: larger than %d bytes: %w", path, limit, errTooLarge)
	if fi.Size() > limit {
		return nil, tooLarge
	}
	// The size read at open sizes the buffer; reading one byte past the
	// limit tells a file that grew since.
	buf := bytes.NewBuffer(make([]byte, 0, fi.Size()+1))
	if _, err := buf.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > limit {
		return nil, tooLarge
	}
	return buf.Bytes(), nil
}

// renameOver renames tmp to path. A rename cannot replace a directory,
// and a run that found a directory in place of an output would otherwise
// fail the same way forever: when the rename fails and what stands at path
// is not a regular file, it is removed and the rename tried once more.
// path is a name the cache itself gives files, so whatever is there is in
// the cache's own space; a directory is removed with its contents
// (os.RemoveAll does not follow symbolic links), anything else unlinked.
// The common case costs the rename alone.
func renameOver(tmp, path string) error {
	err := os.Rename(tmp, path)
	if err == nil {
		return nil
	}
	if cerr := clearForRename(path); cerr != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// clearForRename removes what stands at path if it is not a regular file
// (see renameOver and the lock files).
func clearForRename(path string) error {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode().IsRegular() {
		return nil
	}
	if fi.IsDir() {
		return os.RemoveAll(path)
	}
	return os.Remove(path)
}
