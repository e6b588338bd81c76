package cputime

import (
	"runtime"
	"testing"
)

// TestProcessGrows checks that busy work shows up as CPU time on unix.
func TestProcessGrows(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("no getrusage")
	}
	t0 := Process()
	x := 0.0
	for i := 0; i < 50_000_000; i++ {
		x += float64(i % 7)
	}
	if d := Process() - t0; d <= 0 || x == 0 {
		t.Errorf("CPU time grew by %v over busy work", d)
	}
}
