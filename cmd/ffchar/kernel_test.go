package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ffchar/ffchar/backend"
)

// versionWith runs `ffchar --version` as a subprocess with OPENBLAS_CORETYPE
// and the kernel fix-up's variables taken from env only.
func versionWith(t *testing.T, env ...string) string {
	t.Helper()
	cmd := command("--version")
	cmd.Env = nil
	for _, kv := range append(os.Environ(), "FFCHAR_TEST_MAIN=1") {
		k, _, _ := strings.Cut(kv, "=")
		if k != backend.CoretypeEnv && k != backend.FixedEnv && k != backend.FakeCorenameEnv {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ffchar --version %v: %v\n%s", env, err, out)
	}
	return string(out)
}

// TestGenericKernelIsFixed makes the program believe that OpenBLAS fell back
// to Prescott (the test-only FFCHAR_TEST_BLAS_CORENAME) and checks that it
// started again with the kernel matching the CPU, once.
func TestGenericKernelIsFixed(t *testing.T) {
	if backend.Name() != "openblas" {
		t.Skip("the gonum backend has no kernels")
	}
	want := backend.HostCPU().Kernel()
	if want == "" {
		t.Skip("CPU without AVX2 and FMA: a generic kernel is right")
	}
	out := versionWith(t, backend.FakeCorenameEnv+"=Prescott")
	if line := "kernel " + want + " (set by ffchar: OpenBLAS chose Prescott)"; !strings.Contains(out, line) {
		t.Errorf("with OpenBLAS on Prescott, --version printed\n%s\nwant %q", out, line)
	}
	if !strings.Contains(out, "BLAS config OpenBLAS") || !strings.Contains(out, " "+want+" ") {
		t.Errorf("OpenBLAS's configuration does not name kernel %s:\n%s", want, out)
	}
}

// TestExplicitCoretypeWins forces the generic Prescott kernel through
// OPENBLAS_CORETYPE, as a user may: ffchar keeps it and says so.
func TestExplicitCoretypeWins(t *testing.T) {
	if backend.Name() != "openblas" {
		t.Skip("the gonum backend has no kernels")
	}
	for _, env := range [][]string{
		{backend.CoretypeEnv + "=Prescott"},
		{backend.CoretypeEnv + "=Prescott", backend.FakeCorenameEnv + "=Prescott"},
	} {
		out := versionWith(t, env...)
		if !strings.Contains(out, "BLAS openblas") || !strings.Contains(out, "kernel Prescott\n") {
			t.Errorf("with %v, --version printed\n%s\nwant kernel Prescott, not changed", env, out)
		}
	}
}

// TestVersionNamesBLAS: --version names the backend (and OpenBLAS's kernel)
// in use, as `make bench` shows it.
func TestVersionNamesBLAS(t *testing.T) {
	out, _ := mustRun(t, "--version")
	if want := "BLAS " + backend.Describe() + "\n"; !strings.Contains(out, want) {
		t.Errorf("--version printed\n%s\nwant %q", out, want)
	}
}

// TestFixKernelRunsOnce starts the program as FixKernel's second execution
// would find itself if OpenBLAS had ignored OPENBLAS_CORETYPE: it must not
// start again (the test would hang), and warns instead.
func TestFixKernelRunsOnce(t *testing.T) {
	if backend.Name() != "openblas" {
		t.Skip("the gonum backend has no kernels")
	}
	out := versionWith(t, backend.CoretypeEnv+"=Prescott", backend.FixedEnv+"=Prescott", backend.FakeCorenameEnv+"=Prescott")
	for _, want := range []string{"warning: OpenBLAS kept the generic kernel Prescott", "kernel Prescott (set by ffchar: OpenBLAS chose Prescott)"} {
		if !strings.Contains(out, want) {
			t.Errorf("--version printed\n%s\nwant %q", out, want)
		}
	}
}

// versionWithin is versionWith for a case that used to re-execute
// forever: the program is killed if it has not ended after a minute (a
// hang guard, not a timing assertion; --version takes milliseconds).
func versionWithin(t *testing.T, env ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "--version")
	for _, kv := range append(os.Environ(), "FFCHAR_TEST_MAIN=1") {
		k, _, _ := strings.Cut(kv, "=")
		if k != backend.CoretypeEnv && k != backend.FixedEnv && k != backend.FakeCorenameEnv && k != backend.FakeCPUEnv {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("ffchar --version %v did not end: it re-executes itself in a loop", env)
	}
	return string(out), err
}

// TestKernelGuardEmptyVariables (F3): with the fix-up's variables set but
// empty, and hostile values, the program starts again at most once.
func TestKernelGuardEmptyVariables(t *testing.T) {
	if backend.Name() != "openblas" {
		t.Skip("the gonum backend has no kernels")
	}
	for _, env := range [][]string{
		{backend.FakeCorenameEnv + "=prescott", backend.CoretypeEnv + "=", backend.FixedEnv + "="},
		{backend.FakeCorenameEnv + "=prescott", backend.CoretypeEnv + "="},
		{backend.FakeCorenameEnv + "=prescott", backend.FixedEnv + "="},
		{backend.FakeCorenameEnv + "=prescott", backend.FixedEnv + "=\x01;rm -rf /", backend.CoretypeEnv + "= "},
	} {
		out, err := versionWithin(t, env...)
		if err != nil {
			t.Errorf("%q: %v\n%s", env, err, out)
		}
		if strings.Count(out, "BLAS openblas") != 1 {
			t.Errorf("%q: --version printed\n%s", env, out)
		}
	}
}

// TestUnrunnableCoretypeReplaced (F2): an OPENBLAS_CORETYPE whose kernel
// needs instructions the CPU lacks (SkylakeX without AVX-512) is replaced,
// with one warning line, by the kernel the CPU runs (Haswell, or Zen). The test-only
// FFCHAR_TEST_CPU hides AVX-512 from the check, so that this runs on any
// CPU with AVX2.
func TestUnrunnableCoretypeReplaced(t *testing.T) {
	if backend.Name() != "openblas" {
		t.Skip("the gonum backend has no kernels")
	}
	host := backend.HostCPU()
	host.AVX512F, host.AVX512BW, host.AVX512DQ, host.AVX512VL = false, false, false, false
	safe := host.Kernel()
	if safe == "" {
		t.Skip("needs a CPU with AVX2 and FMA")
	}
	out, err := versionWithin(t, backend.CoretypeEnv+"=SkylakeX", backend.FakeCPUEnv+"=avx2")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"ffchar: warning: " + backend.CoretypeEnv + "=SkylakeX: this CPU cannot run", "kernel " + safe + " "} {
		if !strings.Contains(out, want) {
			t.Errorf("--version printed\n%s\nwant %q", out, want)
		}
	}
}
