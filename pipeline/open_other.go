//go:build !(darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd)

package pipeline

const openFlagNonblock = 0
