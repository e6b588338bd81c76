package pipeline

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Every file the cache reads, writes or removes below its folder goes
// through an os.Root opened on that folder, so no planted link or ".."
// can lead outside it, and through checkLinks, so that a link inside is
// refused with a line naming it instead of being followed (os.Root
// follows links that stay inside; a link to another cache folder would
// still let whoever planted it decide where outputs land).
//
// tmp/ is the exception: it may be a link to a scratch folder elsewhere
// (see GC), and the runner creates job directories in it by path.

// errLink is the reason a path inside the cache that is a symbolic link
// is neither read nor written through.
var errLink = errors.New("is a symbolic link; the cache never follows links inside its folder (remove it, or make it a plain folder or file)")

// rel returns path relative to the cache folder. Every path the cache
// builds is below it; anything else is a programming error.
func (c *Cache) rel(path string) string {
	r, err := filepath.Rel(c.dir, path)
	if err != nil || !filepath.IsLocal(r) {
		panic("pipeline: path " + path + " is not below the cache folder")
	}
	return r
}

// checkLinks returns an error naming the first component of path, below
// the cache folder, that is a symbolic link. Components that do not exist
// end the check: what is created there is created through the root.
func (c *Cache) checkLinks(path string) error {
	r := c.rel(path)
	parts := strings.Split(r, string(filepath.Separator))
	for i := range parts {
		p := filepath.Join(parts[:i+1]...)
		fi, err := c.root.Lstat(p)
		if err != nil {
			return nil
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return &os.PathError{Op: "open", Path: filepath.Join(c.dir, p), Err: errLink}
		}
	}
	return nil
}

// linkError formats err, from checkLinks, as "<path> is a symbolic link…".
func linkError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) && pe.Err == errLink {
		return fmt.Errorf("%s %v", pe.Path, errLink)
	}
	return err
}

// pathErr gives an error from the root the absolute path of the file.
func (c *Cache) pathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) && !filepath.IsAbs(pe.Path) {
		pe.Path = filepath.Join(c.dir, pe.Path)
	}
	return err
}

// openRegular is the cache's own openRegular (see open.go), for a path
// below the cache folder, through its root.
func (c *Cache) openRegular(path string, flag int) (*os.File, fs.FileInfo, error) {
	if err := c.checkLinks(path); err != nil {
		return nil, nil, err
	}
	return openRegularWith(path, func() (*os.File, error) {
		f, err := c.root.OpenFile(c.rel(path), os.O_RDONLY|openFlagNonblock|flag, 0o666)
		return f, c.pathErr(err)
	})
}

// readRegular is readRegular for a path below the cache folder.
func (c *Cache) readRegular(path string, limit int64) ([]byte, error) {
	f, fi, err := c.openRegular(path, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(path, f, fi, limit)
}

// mkdirAll creates dir, below the cache folder, through the root.
func (c *Cache) mkdirAll(dir string) error {
	if err := c.checkLinks(dir); err != nil {
		return linkError(err)
	}
	return c.pathErr(c.root.MkdirAll(c.rel(dir), 0o777))
}

// createTemp creates a new file in dir, below the cache folder, whose
// name starts with prefix. Unlike os.CreateTemp it uses mode 0666 (less
// the umask), like every other cache file, so that a cache can be shared
// by the users of a group.
func (c *Cache) createTemp(dir, prefix string) (*os.File, error) {
	if err := c.checkLinks(dir); err != nil {
		return nil, linkError(err)
	}
	for i := 0; ; i++ {
		name := filepath.Join(c.rel(dir), prefix+rand.Text())
		f, err := c.root.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) && i < 100 {
			continue
		}
		if err != nil {
			return nil, c.pathErr(err)
		}
		return f, nil
	}
}

// remove removes the file at path, below the cache folder.
func (c *Cache) remove(path string) error {
	return c.pathErr(c.root.Remove(c.rel(path)))
}

// renameOver renames tmp to path, both below the cache folder. A rename
// cannot replace a directory, and a run that found a directory in place
// of an output would otherwise fail the same way forever: when the rename
// fails and what stands at path is not a regular file, it is removed and
// the rename tried once more. path is a name the cache itself gives
// files, so whatever is there is in the cache's own space; a link there
// is refused, not removed. The common case costs the rename alone.
func (c *Cache) renameOver(tmp, path string) error {
	if err := c.checkLinks(path); err != nil {
		return linkError(err)
	}
	err := c.root.Rename(c.rel(tmp), c.rel(path))
	if err == nil {
		return nil
	}
	if cerr := c.clearForRename(path); cerr != nil {
		return c.pathErr(err)
	}
	return c.pathErr(c.root.Rename(c.rel(tmp), c.rel(path)))
}

// clearForRename removes what stands at path if it is neither a regular
// file nor a link (see renameOver and the lock files). A directory is
// removed with its contents; os.Root's RemoveAll never follows a link.
func (c *Cache) clearForRename(path string) error {
	if err := c.checkLinks(path); err != nil {
		return linkError(err)
	}
	r := c.rel(path)
	fi, err := c.root.Lstat(r)
	if err != nil || fi.Mode().IsRegular() {
		return nil
	}
	if fi.IsDir() {
		return c.root.RemoveAll(r)
	}
	return c.root.Remove(r)
}

// syncDir makes a rename in dir, below the cache folder, durable, naming
// the directory in its error.
func (c *Cache) syncDir(dir string) error {
	f, err := c.root.Open(c.rel(dir))
	if err == nil {
		err = f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("syncing directory %s: %w", dir, c.pathErr(err))
	}
	return nil
}

// readLimited reads f, opened as path with info fi, at most limit bytes;
// a longer file is an error wrapping errTooLarge.
func readLimited(path string, f io.Reader, fi fs.FileInfo, limit int64) ([]byte, error) {
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

// copyChecked copies output o to the new file dst (outside the cache's
// own folders: a job's input directory), hashing it on the way, and
// fails if the bytes copied are not o.
func (c *Cache) copyChecked(o Output, dst string) error {
	src := c.OutputFile(o.ID)
	f, _, err := c.openRegular(src, 0)
	if err != nil {
		return linkError(err)
	}
	defer f.Close()
	w, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), io.LimitReader(f, o.Size+1))
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	var got OutputID
	h.Sum(got[:0])
	if n != o.Size || got != o.ID {
		return fmt.Errorf("%s changed since it was checked (hash mismatch)", src)
	}
	return nil
}
