//go:build darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd

package pipeline

import "syscall"

// openFlagNonblock makes open return at once on a FIFO or a device
// instead of waiting for a writer; on a regular file it changes nothing.
const openFlagNonblock = syscall.O_NONBLOCK
