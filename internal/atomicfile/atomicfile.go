// Package atomicfile writes files whole or not at all: into a temporary
// file in the destination folder, flushed, synced and renamed over the
// final name, after which the folder is synced so the rename survives a
// crash. A reader sees the old file or the new one, never a part.
package atomicfile

import (
	"bufio"
	"crypto/rand"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Write writes path through fill. The file gets mode perm less the umask
// (0666 for data, so a group can share results; 0777 for scripts). On any
// error the temporary file is removed and nothing at path changes. The
// folder must exist. Temporary files are named ".<base>.tmp-<random>", so
// globs over a folder's outputs skip them.
func Write(path string, perm fs.FileMode, fill func(io.Writer) error) (err error) {
	return write(path, perm, fill, false)
}

// WriteRecorded is Write that first lists the temporary file's name in
// the folder's journal (see CleanTemps), for files written directly into
// a folder whose killed temporaries CleanTemps should remove.
func WriteRecorded(path string, perm fs.FileMode, fill func(io.Writer) error) (err error) {
	return write(path, perm, fill, true)
}

func write(path string, perm fs.FileMode, fill func(io.Writer) error, rec bool) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := create(dir, "."+base+".tmp-", perm, rec)
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = writeSynced(f, fill); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	return SyncDir(dir)
}

// WriteBytes writes b to path atomically with mode 0666 less the umask.
func WriteBytes(path string, b []byte) error {
	return Write(path, 0o666, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

func create(dir, prefix string, perm fs.FileMode, rec bool) (*os.File, error) {
	for i := 0; ; i++ {
		name := prefix + rand.Text()
		if rec {
			if err := record(dir, name); err != nil {
				return nil, err
			}
		}
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) && i < 100 {
			continue
		}
		return f, err
	}
}

// SyncDir makes a rename in dir durable. File systems that cannot sync a
// folder are accepted: there the rename is as durable as they make it.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return syncOpenDir(d)
}

// syncOpenDir syncs the open folder d (see SyncDir).
func syncOpenDir(d *os.File) error {
	err := d.Sync()
	if err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return err
	}
	return nil
}

// writeSynced fills f through a buffer, then flushes, syncs and closes it:
// its bytes are on disk when it returns nil.
func writeSynced(f *os.File, fill func(io.Writer) error) error {
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := fill(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}
