package backend

import (
	"strings"

	"gonum.org/v1/gonum/blas"
)

// impl, name, corename and config are replaced by the openblas build in its
// init function.
var (
	impl       blas.Float32 = gonumBLAS{}
	name                    = "gonum"
	setThreads              = func(int) {}
	corename                = func() string { return "" }
	config                  = func() string { return "" }
)

// fixedFrom is the generic kernel OpenBLAS had chosen before FixKernel
// started the process again with a better one; "" when it did not.
var fixedFrom string

// Float32 returns the float32 BLAS implementation in use.
func Float32() blas.Float32 { return impl }

// Name returns the name of the backend in use: "gonum" or "openblas".
func Name() string { return name }

// Kernel returns the name of the kernel OpenBLAS uses
// (openblas_get_corename: "Zen", "Haswell", "SkylakeX", "Prescott"...), or ""
// for the gonum backend. Results depend on it: kernels round differently.
func Kernel() string { return corename() }

// Config returns OpenBLAS's build configuration (openblas_get_config, for
// example "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen
// MAX_THREADS=64"), or "" for the gonum backend.
func Config() string { return config() }

// Library names the BLAS library and its version: "gonum" or
// "openblas 0.3.21".
func Library() string {
	f := strings.Fields(Config())
	if len(f) >= 2 && f[0] == "OpenBLAS" {
		return name + " " + f[1]
	}
	return name
}

// Describe is the one-line description commands print: the library and,
// for OpenBLAS, its kernel and how it was chosen.
func Describe() string {
	k := Kernel()
	if k == "" {
		return Library()
	}
	s := Library() + " kernel " + k
	if portable {
		s += " (portable arithmetic: 1 thread)"
	} else if fixedFrom != "" {
		s += " (set by ffchar: OpenBLAS chose " + fixedFrom + ")"
	}
	return s
}

// SetThreads sets the number of threads the backend may use for one call
// (always one in portable arithmetic, which pins it).
// It matters for OpenBLAS, whose idle threads otherwise spin and steal the
// core from Go code when several runs go in parallel; gonum's pure-Go
// implementation schedules its own goroutines and ignores it.
func SetThreads(n int) {
	if n < 1 || portable {
		n = 1
	}
	setThreads(n)
}
