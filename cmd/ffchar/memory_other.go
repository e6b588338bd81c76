//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package main

// addressSpaceLimit reports no address-space limit where there is no
// RLIMIT_AS.
func addressSpaceLimit() (uint64, bool) { return 0, false }
