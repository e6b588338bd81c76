//go:build !linux

package main

import "time"

// threadCPU reports that CPU time is not read here: the calibration then
// measures wall time.
func threadCPU() (time.Duration, bool) { return 0, false }

// processCPU reports that CPU time is not read here (see threadCPU).
func processCPU() (time.Duration, bool) { return 0, false }
