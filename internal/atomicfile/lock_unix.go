//go:build darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd

package atomicfile

import (
	"os"
	"syscall"
)

// LockDir takes an exclusive flock on the folder dir, waiting for it, and
// returns the function that releases it. Writers that replace folders in
// dir or clean its temporaries hold it, so that one never removes
// another's work in progress. Where a folder cannot be locked (some
// network file systems), it goes on without the lock.
func LockDir(dir string) (unlock func()) {
	f, err := os.Open(dir)
	if err != nil {
		return func() {}
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return func() {}
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}
}
