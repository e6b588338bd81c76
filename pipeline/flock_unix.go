//go:build darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd

package pipeline

import (
	"errors"
	"os"
	"syscall"
)

func flockTry(f *os.File) (bool, error) {
	err := flock(f, syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

func flockBlock(f *os.File) error { return flock(f, syscall.LOCK_EX) }

func funlock(f *os.File) error { return flock(f, syscall.LOCK_UN) }

func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			return err
		}
	}
}
