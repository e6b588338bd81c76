package backend

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
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
//
// It returns an error, one line, only when the kernel loaded cannot run
// on this CPU and starting again did not change that: going on would end
// in SIGILL at the first matrix product.
func FixKernel(w io.Writer) error {
	if _, ok := os.LookupEnv(FixedEnv); ok {
		from := os.Getenv(FixedEnv)
		defer func() {
			fixedFrom = from
			os.Unsetenv(FixedEnv)
			os.Unsetenv(CoretypeEnv)
		}()
	}
	a := DecideKernel(hostCPU, Kernel(), Config(), os.LookupEnv)
	if a.Fatal != "" {
		return errors.New(a.Fatal)
	}
	if a.Warning != "" {
		fmt.Fprintf(w, "ffchar: warning: %s\n", a.Warning)
	}
	if a.Coretype == "" {
		return nil
	}
	// The variables are replaced, not appended to: with two entries for
	// one name, getenv (Go's and the C library's) returns the first, and
	// an empty one there would hide the marker from the new process.
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return k == CoretypeEnv || k == FixedEnv
	})
	env = append(env, CoretypeEnv+"="+a.Coretype, FixedEnv+"="+a.From)
	err := reexec(env)
	fmt.Fprintf(w, "ffchar: warning: OpenBLAS chose the kernel %s; starting again with %s=%s failed: %v\n",
		a.From, CoretypeEnv, a.Coretype, err)
	return nil
}

// hostCPU is HostCPU, less AVX-512 when the test-only FakeCPUEnv is
// "avx2".
func hostCPU() CPU {
	c := HostCPU()
	if os.Getenv(FakeCPUEnv) == "avx2" {
		c.AVX512F, c.AVX512BW, c.AVX512DQ, c.AVX512VL = false, false, false, false
	}
	return c
}
