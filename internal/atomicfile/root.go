package atomicfile

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrLink is the reason a path below a root that goes through a symbolic
// link is refused: whoever planted the link would choose where ffchar
// writes.
var ErrLink = errors.New("is a symbolic link; ffchar does not follow links inside its folders (remove it)")

// NoLinks returns an error naming (as root's folder joined with the
// component) the first component of name, below root, that is a symbolic
// link. Components that do not exist end the check. os.Root already keeps
// every operation inside its folder; this also refuses links that stay
// inside it.
func NoLinks(root *os.Root, name string) error {
	parts := strings.Split(filepath.Clean(name), string(filepath.Separator))
	for i := range parts {
		p := filepath.Join(parts[:i+1]...)
		fi, err := root.Lstat(p)
		if err != nil {
			return nil
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s %w", filepath.Join(root.Name(), p), ErrLink)
		}
	}
	return nil
}

// MkdirAllIn creates the folder name below root, and its parents,
// refusing any link on the way.
func MkdirAllIn(root *os.Root, name string) error {
	if err := NoLinks(root, name); err != nil {
		return err
	}
	return root.MkdirAll(name, 0o777)
}

// WriteIn is Write for the file name below root: the temporary file, the
// rename and the folder's sync all go through root, and a link on the way
// (the file itself included) is refused. The folder must exist.
func WriteIn(root *os.Root, name string, perm fs.FileMode, fill func(io.Writer) error) (err error) {
	if err := NoLinks(root, name); err != nil {
		return err
	}
	dir, base := filepath.Split(name)
	if dir == "" {
		dir = "."
	}
	var f *os.File
	var tmp string
	for i := 0; ; i++ {
		tmp = filepath.Join(dir, "."+base+".tmp-"+rand.Text())
		f, err = root.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) && i < 100 {
			continue
		}
		break
	}
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			root.Remove(tmp)
		}
	}()
	if err = writeSynced(f, fill); err != nil {
		return err
	}
	if err = root.Rename(tmp, name); err != nil {
		return err
	}
	d, err := root.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return syncOpenDir(d)
}
