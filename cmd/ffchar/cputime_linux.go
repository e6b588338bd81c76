package main

import (
	"time"

	"golang.org/x/sys/unix"
)

// threadCPU returns the CPU time the calling OS thread has used so far,
// and false when it cannot be read.
func threadCPU() (time.Duration, bool) { return cpuClock(unix.CLOCK_THREAD_CPUTIME_ID) }

// processCPU returns the CPU time all the process's threads have used so
// far, and false when it cannot be read.
func processCPU() (time.Duration, bool) { return cpuClock(unix.CLOCK_PROCESS_CPUTIME_ID) }

func cpuClock(id int32) (time.Duration, bool) {
	var ts unix.Timespec
	if err := unix.ClockGettime(id, &ts); err != nil {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}
