package backend

import (
	"fmt"
	"io"
	"os"
)

// FixKernel makes OpenBLAS use the kernel that matches the CPU when it fell
// back to a generic one (DecideKernel): the kernel can only be chosen when
// the library loads, so FixKernel executes the program again, once, with
// OPENBLAS_CORETYPE set, and does not return. Otherwise it returns, after
// writing a warning to w if the kernel is generic and cannot be fixed. Call
// it first thing in main.
//
// In the process it started again, FixKernel removes OPENBLAS_CORETYPE and
// its marker from the environment, so that programs it starts (a Slurm job
// on another node) choose their own kernel.
func FixKernel(w io.Writer) {
	if from := os.Getenv(FixedEnv); from != "" {
		defer func() {
			fixedFrom = from
			os.Unsetenv(FixedEnv)
			os.Unsetenv(CoretypeEnv)
		}()
	}
	a := DecideKernel(HostCPU, Kernel(), Config(), os.Getenv)
	if a.Warning != "" {
		fmt.Fprintf(w, "ffchar: warning: %s\n", a.Warning)
	}
	if a.Coretype == "" {
		return
	}
	env := append(os.Environ(), CoretypeEnv+"="+a.Coretype, FixedEnv+"="+a.From)
	err := reexec(env)
	fmt.Fprintf(w, "ffchar: warning: OpenBLAS chose the generic kernel %s; starting again with %s=%s failed: %v\n",
		a.From, CoretypeEnv, a.Coretype, err)
}
