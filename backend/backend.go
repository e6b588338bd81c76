package backend

import (
	"gonum.org/v1/gonum/blas"
)

// impl and name are replaced by the openblas build in its init function.
var (
	impl       blas.Float32 = gonumBLAS{}
	name                    = "gonum"
	setThreads              = func(int) {}
)

// Float32 returns the float32 BLAS implementation in use.
func Float32() blas.Float32 { return impl }

// Name returns the name of the backend in use: "gonum" or "openblas".
func Name() string { return name }

// SetThreads sets the number of threads the backend may use for one call.
// It matters for OpenBLAS, whose idle threads otherwise spin and steal the
// core from Go code when several runs go in parallel; gonum's pure-Go
// implementation schedules its own goroutines and ignores it.
func SetThreads(n int) {
	if n < 1 {
		n = 1
	}
	setThreads(n)
}
