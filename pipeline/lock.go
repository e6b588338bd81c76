package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// A Lock is held on one action key. It excludes other holders of the same
// key in this process and, through flock on the key's lock file, in other
// processes, including processes on other machines when the file system
// supports flock (see the package documentation).
type Lock struct {
	f       *os.File
	release func()
	once    sync.Once
}

// Lock waits until it holds the lock for id, or ctx is done.
func (c *Cache) Lock(ctx context.Context, id ActionID) (*Lock, error) {
	path := c.lockFile(id)
	release, err := procLock(ctx, path)
	if err != nil {
		return nil, err
	}
	f, err := c.fileLock(ctx, path, true)
	if err != nil {
		release()
		return nil, err
	}
	return &Lock{f: f, release: release}, nil
}

// TryLock acquires the lock for id if it is free and reports whether it
// did.
func (c *Cache) TryLock(id ActionID) (*Lock, bool, error) {
	path := c.lockFile(id)
	release, ok := tryProcLock(path)
	if !ok {
		return nil, false, nil
	}
	f, err := c.fileLock(context.Background(), path, false)
	if err != nil || f == nil {
		release()
		return nil, false, err
	}
	return &Lock{f: f, release: release}, true, nil
}

// Unlock releases the lock. Further calls do nothing.
func (l *Lock) Unlock() error {
	var err error
	l.once.Do(func() {
		err = funlock(l.f)
		if cerr := l.f.Close(); err == nil {
			err = cerr
		}
		l.release()
	})
	return err
}

// fileLock opens (creating if needed) and flocks the lock file at path.
// If wait is false and the lock is held elsewhere it returns nil, nil.
//
// gc deletes lock files while holding them, so after acquiring the lock
// we check that path still names the file we locked; if not, the lock is
// on an orphaned inode that a newcomer cannot see, and we start over on
// the new file.
//
// A link in place of the lock file or its folder is refused, never
// followed: creating the lock file through it would create a file
// wherever the link points.
func (c *Cache) fileLock(ctx context.Context, path string, wait bool) (*os.File, error) {
	if err := c.mkdirAll(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("pipeline: creating lock file %s: %w", path, err)
	}
	for healed := false; ; {
		// Read-only is enough for flock, and lets users who share a cache
		// lock files that another user created. Non-blocking, and only a
		// regular file: a FIFO put in place of a lock file must not hang
		// every process that uses the key. Whatever else stands under a
		// lock file's name can never be a lock, so it is removed, once.
		f, fi1, err := c.openRegular(path, os.O_CREATE)
		if errors.Is(err, errLink) {
			return nil, fmt.Errorf("pipeline: lock file: %w", linkError(err))
		}
		if err != nil {
			if !healed {
				healed = true
				if c.clearForRename(path) == nil {
					continue
				}
			}
			return nil, fmt.Errorf("pipeline: opening lock file %s: %w", path, err)
		}
		if wait {
			var gaveUp bool
			gaveUp, err = flockWait(ctx, f)
			if gaveUp {
				// flockWait has taken ownership of f.
				return nil, err
			}
		} else {
			var ok bool
			ok, err = flockTry(f)
			if err == nil && !ok {
				f.Close()
				return nil, nil
			}
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("pipeline: locking %s: %w", path, err)
		}
		// The file locked is still the one under the name (another
		// process may have removed and recreated it while we waited).
		if fi2, err := c.root.Lstat(c.rel(path)); err == nil && os.SameFile(fi1, fi2) {
			return f, nil
		}
		funlock(f)
		f.Close()
	}
}

// flockWait blocks in flock until f is locked or ctx is done. flock
// cannot be interrupted, so the wait runs in its own goroutine; if ctx
// ends first, that goroutine keeps f, releases the lock if it ever gets
// it, and closes f; flockWait then reports gaveUp and ctx.Err().
func flockWait(ctx context.Context, f *os.File) (gaveUp bool, err error) {
	if ok, err := flockTry(f); err != nil || ok {
		return false, err
	}
	done := make(chan error, 1)
	go func() { done <- flockBlock(f) }()
	select {
	case err := <-done:
		return false, err
	case <-ctx.Done():
		go func() {
			if err := <-done; err == nil {
				funlock(f)
			}
			f.Close()
		}()
		return true, ctx.Err()
	}
}

// Locks within one process are also kept in a table, because file locks
// alone do not exclude goroutines of the same process everywhere: on NFS
// Linux implements flock with POSIX record locks, which belong to the
// process, so a second flock from the same process would succeed.
var procLocks = struct {
	sync.Mutex
	m map[string]*procEntry
}{m: make(map[string]*procEntry)}

type procEntry struct {
	ch   chan struct{} // holds a token while the lock is held
	refs int           // holders and waiters
}

func procRef(path string) *procEntry {
	procLocks.Lock()
	defer procLocks.Unlock()
	e := procLocks.m[path]
	if e == nil {
		e = &procEntry{ch: make(chan struct{}, 1)}
		procLocks.m[path] = e
	}
	e.refs++
	return e
}

func procUnref(path string, e *procEntry) {
	procLocks.Lock()
	defer procLocks.Unlock()
	e.refs--
	if e.refs == 0 {
		delete(procLocks.m, path)
	}
}

func procLock(ctx context.Context, path string) (release func(), err error) {
	e := procRef(path)
	select {
	case e.ch <- struct{}{}:
	case <-ctx.Done():
		procUnref(path, e)
		return nil, ctx.Err()
	}
	return func() { <-e.ch; procUnref(path, e) }, nil
}

func tryProcLock(path string) (release func(), ok bool) {
	e := procRef(path)
	select {
	case e.ch <- struct{}{}:
		return func() { <-e.ch; procUnref(path, e) }, true
	default:
		procUnref(path, e)
		return nil, false
	}
}
