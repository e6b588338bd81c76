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

// mkdirTemp creates a new folder in dir whose name starts with prefix,
// after recording its name in dir's journal (see CleanTemps). Unlike
// os.MkdirTemp it uses mode 0777 less the umask, the mode the folder keeps
// once it is published.
func mkdirTemp(dir, prefix string) (string, error) {
	for i := 0; ; i++ {
		name := prefix + rand.Text()
		if err := record(dir, name); err != nil {
			return "", err
		}
		p := filepath.Join(dir, name)
		err := os.Mkdir(p, 0o777)
		if errors.Is(err, fs.ErrExist) && i < 100 {
			continue
		}
		return p, err
	}
}

// JournalName is the file in which ReplaceDir and WriteRecorded list, in
// the folder they write in, the temporary names they are about to
// create. CleanTemps removes only the names listed there: a folder like
// $HOME holds ".bashrc.old-2023" and ".config.old-ubuntu/", which look
// like temporaries and are not ffchar's.
const JournalName = ".ffchar-temps"

// maxJournal bounds the journal CleanTemps reads; a journal lists one
// name per killed or running write.
const maxJournal = 1 << 20

// record appends name to dir's journal and syncs it, before name is
// created. A journal that is a link or not a regular file is refused.
func record(dir, name string) error {
	p := filepath.Join(dir, JournalName)
	if fi, err := os.Lstat(p); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("recording a temporary name in %s: not a regular file", p)
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
	if err != nil {
		return fmt.Errorf("recording a temporary name in %s: %w", p, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return fmt.Errorf("recording a temporary name in %s: not a regular file", p)
	}
	if _, err := io.WriteString(f, name+"\n"); err != nil {
		return fmt.Errorf("recording a temporary name in %s: %w", p, err)
	}
	return f.Sync()
}

// recorded returns the names dir's journal lists that are temporary
// names (IsTemp) of entries directly in dir.
func recorded(root *os.Root) ([]string, error) {
	fi, err := root.Lstat(JournalName)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", filepath.Join(root.Name(), JournalName))
	}
	f, err := root.Open(JournalName)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxJournal+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxJournal {
		return nil, fmt.Errorf("%s: larger than %d bytes", filepath.Join(root.Name(), JournalName), maxJournal)
	}
	var names []string
	for _, name := range strings.Split(string(b), "\n") {
		if IsTemp(name) && filepath.Base(name) == name {
			names = append(names, name)
		}
	}
	return names, nil
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
// left: the temporary files and folders its journal (JournalName) lists,
// and then the journal. Nothing else is touched, whatever its name, and
// every removal goes through an os.Root on dir: links are removed, never
// followed. If a folder was moved aside by ReplaceDir's two-rename
// fallback and its replacement never arrived, it is first put back. The
// caller should hold LockDir(dir), so that it cannot remove the
// temporaries of a write in progress.
func CleanTemps(dir string) error {
	root, err := os.OpenRoot(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	defer root.Close()
	names, err := recorded(root)
	if err != nil {
		return err
	}
	for _, name := range names {
		fi, err := root.Lstat(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return err
		}
		if i := strings.LastIndex(name, ".old-"); i > 0 && fi.IsDir() {
			base := name[1:i]
			if _, err := root.Lstat(base); errors.Is(err, fs.ErrNotExist) {
				if err := root.Rename(filepath.Join(name, base), base); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return fmt.Errorf("restoring %s: %w", filepath.Join(dir, base), err)
				}
			}
		}
		if fi.IsDir() {
			err = root.RemoveAll(name)
		} else {
			err = root.Remove(name)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := root.Remove(JournalName); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
