//go:build !(darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd)

package pipeline

import (
	"errors"
	"os"
)

// Without flock the cache cannot coordinate processes; rather than risk
// duplicated or interleaved work silently, locking fails.

var errNoFlock = errors.New("file locking is not supported on this system")

func flockTry(f *os.File) (bool, error) { return false, errNoFlock }

func flockBlock(f *os.File) error { return errNoFlock }

func funlock(f *os.File) error { return nil }
