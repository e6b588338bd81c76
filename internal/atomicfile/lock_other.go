//go:build !(darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd)

package atomicfile

// LockDir does nothing where flock is not available.
func LockDir(dir string) (unlock func()) { return func() {} }
