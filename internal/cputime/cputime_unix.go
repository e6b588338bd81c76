//go:build unix

// Package cputime reads the CPU time a process has used, for benchmarks
// that report rates per CPU-second: unlike wall time, it hardly moves when
// other processes share the machine.
package cputime

import (
	"syscall"
	"time"
)

// Process is the CPU time the process has used, user and system; 0 where
// it cannot be read.
func Process() time.Duration {
	var r syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &r) != nil {
		return 0
	}
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}
