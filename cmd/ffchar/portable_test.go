package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/backend"
)

func TestArithmeticFlagRange(t *testing.T) {
	_, stderr, code := ffchar(t, "status", "--profile", "smoke", "--cache", t.TempDir(), "--arithmetic", "exact")
	want := `ffchar: --arithmetic "exact": must be one of native, portable` + "\n"
	if code != 2 || stderr != want {
		t.Errorf("exit %d, stderr %q; want 2, %q", code, stderr, want)
	}
}

// TestPortableArithmetic trains the smoke profile's runs with
// --arithmetic portable from a process whose OpenBLAS chose another kernel
// (OPENBLAS_CORETYPE=Zen): the program starts again on Haswell and says
// so. Where portable arithmetic cannot run (the gonum build), it refuses
// in one line, and computes nothing.
func TestPortableArithmetic(t *testing.T) {
	cache := filepath.Join(t.TempDir(), "cache")
	cmd := command("run", "--profile", "smoke", "--until", "train", "--cache", cache, "--jobs", "1", "--arithmetic", "portable")
	cmd.Env = append(cmd.Env, backend.CoretypeEnv+"=Zen")
	out, err := cmd.CombinedOutput()
	refusal := backend.CheckPortable(backend.HostCPU(), backend.HostBuild())
	if refusal != nil {
		want := "ffchar: " + refusal.Error() + "\n"
		if err == nil || string(out) != want {
			t.Fatalf("where portable arithmetic cannot run: err %v, output\n%s\nwant exactly %q", err, out, want)
		}
		if _, err := os.Stat(filepath.Join(cache, "o")); err == nil {
			t.Errorf("the refused command wrote outputs into %s", cache)
		}
		return
	}
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if want := "kernel Haswell (portable arithmetic: 1 thread)"; !strings.Contains(string(out), want) {
		t.Errorf("output does not say %q:\n%s", want, out)
	}
}

func TestVersionNamesPortablePins(t *testing.T) {
	stdout, _, code := ffchar(t, "--version")
	want := "portable arithmetic pins blas_library=openblas " + backend.PortableVersion + " blas_kernel=haswell blas_threads=1 goamd64=v1 ("
	if code != 0 || !strings.Contains(stdout, want) {
		t.Errorf("--version printed\n%s\nwant a line with %q", stdout, want)
	}
}
