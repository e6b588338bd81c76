package atomicfile

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ReplaceDir replaces the folder dst, as a whole, by one that fill writes.
// fill gets a new empty sibling folder, ".<base>.tmp-<random>"; when it
// succeeds, that folder takes dst's place in one step (an exchange of the
// two names on Linux), and the old folder is removed. A reader of dst sees
// the old folder or the new one, never a mix of the two, and a process
// killed at any point leaves dst whole. On systems without an exchange the
// old folder is first renamed to ".<base>.old-<random>"; between the two
// renames dst is absent (never mixed), and CleanTemps puts the old folder
// back if the process died there.
//
// Temporary names start with a dot, so globs over the parent skip them.
// The caller should hold LockDir on the parent and call CleanTemps first.
func ReplaceDir(dst string, fill func(tmp string) error) (err error) {
	parent, base := filepath.Split(filepath.Clean(dst))
	if parent == "" {
		parent = "."
	}
	tmp, err := mkdirTemp(parent, "."+base+".tmp-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := fill(tmp); err != nil {
		return err
	}
	if err := syncTree(tmp); err != nil {
		return err
	}
	if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(tmp, dst); err != nil {
			return err
		}
		return SyncDir(parent)
	}
	switch err := exchangeNames(tmp, dst); {
	case err == nil:
		// tmp now holds the old folder.
		if err := SyncDir(parent); err != nil {
			return err
		}
		os.RemoveAll(tmp)
		return nil
	case !errors.Is(err, errNoExchange):
		return err
	}
	old, err := mkdirTemp(parent, "."+base+".old-")
	if err != nil {
		return err
	}
	if err := os.Rename(dst, filepath.Join(old, base)); err != nil {
		os.Remove(old)
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Rename(filepath.Join(old, base), dst)
		os.Remove(old)
		return err
	}
	if err := SyncDir(parent); err != nil {
		return err
	}
	os.RemoveAll(old)
	return nil
}

// mkdirTemp creates a new folder in dir whose name starts with prefix.
// Unlike os.MkdirTemp it uses mode 0777 less the umask, the mode the
// folder keeps once it is published.
func mkdirTemp(dir, prefix string) (string, error) {
	for i := 0; ; i++ {
		p := filepath.Join(dir, prefix+rand.Text())
		err := os.Mkdir(p, 0o777)
		if errors.Is(err, fs.ErrExist) && i < 100 {
			continue
		}
		return p, err
	}
}

// exchangeNames is exchange, replaced in tests to exercise the fallback.
var exchangeNames = exchange

var errNoExchange = errors.New("atomic exchange of two names not supported")

// syncTree syncs every file and folder below dir, so that the renames
// that publish it cannot outlive its content in a crash.
func syncTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !d.Type().IsRegular() {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil && d.IsDir() {
			return SyncDir(p)
		}
		return err
	})
}

// IsTemp reports whether name is one this package gives a temporary file
// or folder: ".<base>.tmp-<random>" (Write, ReplaceDir) or
// ".<base>.old-<random>" (ReplaceDir).
func IsTemp(name string) bool {
	if !strings.HasPrefix(name, ".") {
		return false
	}
	for _, mark := range []string{".tmp-", ".old-"} {
		if i := strings.LastIndex(name, mark); i > 0 && i+len(mark) < len(name) {
			return true
		}
	}
	return false
}

// CleanTemps removes, directly in dir, what a killed Write or ReplaceDir
// left: temporary files and folders named as IsTemp says. Nothing else is
// touched, and links are removed, never followed. If a folder was moved
// aside by ReplaceDir's two-rename fallback and its replacement never
// arrived, it is first put back. The caller should hold LockDir(dir), so
// that it cannot remove the temporaries of a write in progress.
func CleanTemps(dir string) error {
	des, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	for _, de := range des {
		name := de.Name()
		if !IsTemp(name) {
			continue
		}
		p := filepath.Join(dir, name)
		if i := strings.LastIndex(name, ".old-"); i > 0 && de.IsDir() {
			base := name[1:i]
			if _, err := os.Lstat(filepath.Join(dir, base)); errors.Is(err, fs.ErrNotExist) {
				if err := os.Rename(filepath.Join(p, base), filepath.Join(dir, base)); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return fmt.Errorf("restoring %s: %w", filepath.Join(dir, base), err)
				}
			}
		}
		if de.IsDir() {
			err = os.RemoveAll(p)
		} else {
			err = os.Remove(p)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}
