package backend

import (
	"strings"
	"testing"
)

// TestDecideKernel covers the kernel fix-up's decisions. The kernel names
// are those of OpenBLAS 0.3.21's driver/others/dynamic.c; the
// configuration strings are what Debian's build reports
// (openblas_get_config) and a static build's.
func TestDecideKernel(t *testing.T) {
	const (
		dynamic  = "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Prescott MAX_THREADS=64"
		static   = "OpenBLAS 0.3.21 NO_AFFINITY PRESCOTT MAX_THREADS=64"
		reexeced = "from-reexec"
	)
	var (
		sapphire = CPU{AVX2: true, FMA: true, AVX512F: true, AVX512BW: true, AVX512DQ: true, AVX512VL: true}
		zen3     = CPU{AMD: true, AVX2: true, FMA: true}
		zen4     = CPU{AMD: true, AVX2: true, FMA: true, AVX512F: true, AVX512BW: true, AVX512DQ: true, AVX512VL: true}
		haswell  = CPU{AVX2: true, FMA: true}
		knl      = CPU{AVX2: true, FMA: true, AVX512F: true} // AVX-512F without BW/DQ/VL
		avx      = CPU{AVX: true}                            // Sandy Bridge: no AVX2
		noFMA    = CPU{AVX2: true}
	)
	for _, tc := range []struct {
		name     string
		cpu      CPU
		corename string
		config   string
		env      map[string]string
		coretype string // want
		warning  string // substring of the wanted warning; "" for none
	}{
		{name: "gonum has no kernel", cpu: sapphire},
		{name: "intel avx512 prescott", cpu: sapphire, corename: "Prescott", config: dynamic, coretype: "SkylakeX"},
		{name: "amd avx2 prescott", cpu: zen3, corename: "Prescott", config: dynamic, coretype: "Zen"},
		{name: "amd avx512 core2", cpu: zen4, corename: "Core2", config: dynamic, coretype: "SkylakeX"},
		{name: "intel avx2 nehalem", cpu: haswell, corename: "Nehalem", config: dynamic, coretype: "Haswell"},
		{name: "avx512f only katmai", cpu: knl, corename: "Katmai", config: dynamic, coretype: "Haswell"},
		{name: "sandybridge on avx2 cpu", cpu: haswell, corename: "Sandybridge", config: dynamic, coretype: "Haswell"},
		{name: "case of static names", cpu: haswell, corename: "PRESCOTT", config: dynamic, coretype: "Haswell"},
		{name: "recognised zen kept", cpu: zen3, corename: "Zen", config: dynamic},
		{name: "haswell on avx512 kept", cpu: sapphire, corename: "Haswell", config: dynamic},
		{name: "skylakex kept", cpu: sapphire, corename: "SkylakeX", config: dynamic},
		{name: "unknown newer name kept", cpu: sapphire, corename: "Zen5", config: dynamic},
		{name: "no avx2: generic is right", cpu: avx, corename: "Sandybridge", config: dynamic},
		{name: "avx2 without fma: generic is right", cpu: noFMA, corename: "Prescott", config: dynamic},
		{name: "user coretype wins", cpu: sapphire, corename: "Prescott", config: dynamic,
			env: map[string]string{CoretypeEnv: "Prescott"}},
		{name: "user coretype wins over the test fake", cpu: sapphire, corename: "Prescott", config: dynamic,
			env: map[string]string{CoretypeEnv: "Prescott", FakeCorenameEnv: "Prescott"}},
		{name: "fake generic detection", cpu: zen3, corename: "Zen", config: dynamic,
			env: map[string]string{FakeCorenameEnv: "Prescott"}, coretype: "Zen"},
		{name: "re-executed and fixed", cpu: sapphire, corename: "SkylakeX", config: dynamic,
			env: map[string]string{CoretypeEnv: "SkylakeX", FixedEnv: "Prescott"}},
		{name: "re-executed, still generic: no loop", cpu: sapphire, corename: "Prescott", config: dynamic,
			env: map[string]string{CoretypeEnv: "SkylakeX", FixedEnv: "Prescott"}, warning: "kept the generic kernel Prescott"},
		{name: "marker alone stops a re-execution", cpu: sapphire, corename: "Prescott", config: dynamic,
			env: map[string]string{FixedEnv: reexeced}, warning: "generic kernel"},
		{name: "static build cannot be fixed", cpu: sapphire, corename: "PRESCOTT", config: static, warning: "DYNAMIC_ARCH"},
		// F3: variables present but empty, or hostile.
		{name: "empty marker stops a re-execution", cpu: sapphire, corename: "Prescott", config: dynamic,
			env: map[string]string{FixedEnv: "", CoretypeEnv: ""}},
		{name: "empty coretype is unset", cpu: haswell, corename: "Prescott", config: dynamic,
			env: map[string]string{CoretypeEnv: ""}, coretype: "Haswell"},
		{name: "blank coretype is unset", cpu: haswell, corename: "Prescott", config: dynamic,
			env: map[string]string{CoretypeEnv: " "}, coretype: "Haswell"},
		// F2: a kernel forced on a CPU that cannot run it.
		{name: "skylakex forced without avx512", cpu: haswell, corename: "SkylakeX", config: dynamic,
			env: map[string]string{CoretypeEnv: "SkylakeX"}, coretype: "Haswell", warning: "cannot run the SkylakeX kernel (it lacks AVX-512"},
		{name: "skylakex forced on zen3", cpu: zen3, corename: "SkylakeX", config: dynamic,
			env: map[string]string{CoretypeEnv: "SkylakeX"}, coretype: "Zen", warning: "cannot run"},
		{name: "haswell forced without avx2", cpu: avx, corename: "Haswell", config: dynamic,
			env: map[string]string{CoretypeEnv: "Haswell"}, coretype: "Sandybridge", warning: "lacks AVX2 and FMA"},
		{name: "zen forced on an sse cpu", cpu: CPU{}, corename: "Zen", config: dynamic,
			env: map[string]string{CoretypeEnv: "Zen"}, coretype: "Prescott", warning: "cannot run"},
		{name: "skylakex forced on avx512f only", cpu: knl, corename: "SkylakeX", config: dynamic,
			env: map[string]string{CoretypeEnv: "SkylakeX"}, coretype: "Haswell", warning: "cannot run"},
		{name: "runnable forced kernel kept", cpu: sapphire, corename: "Haswell", config: dynamic,
			env: map[string]string{CoretypeEnv: "Haswell"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := DecideKernel(func() CPU { return tc.cpu }, tc.corename, tc.config, func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
			if got.Coretype != tc.coretype {
				t.Errorf("Coretype = %q, want %q", got.Coretype, tc.coretype)
			}
			if got.Fatal != "" {
				t.Errorf("Fatal = %q", got.Fatal)
			}
			if ok, _ := tc.cpu.Runs(got.Coretype); got.Coretype != "" && !ok {
				t.Errorf("replaced by %s, which the CPU cannot run either", got.Coretype)
			}
			if (got.Warning == "") != (tc.warning == "") || !strings.Contains(got.Warning, tc.warning) {
				t.Errorf("Warning = %q, want one containing %q", got.Warning, tc.warning)
			}
		})
	}
}

func TestDescribeNamesKernel(t *testing.T) {
	d := Describe()
	if !strings.HasPrefix(d, Name()) {
		t.Errorf("Describe() = %q, want it to start with the backend %q", d, Name())
	}
	if Name() == "openblas" && (Kernel() == "" || !strings.Contains(d, "kernel "+Kernel())) {
		t.Errorf("Describe() = %q, Kernel() = %q: OpenBLAS's kernel not named", d, Kernel())
	}
	if Name() == "gonum" && Kernel() != "" {
		t.Errorf("gonum Kernel() = %q, want none", Kernel())
	}
}

// TestDecideKernelFatal (F2): when the process was already started again
// and the kernel is still one the CPU cannot run, it stops with one line
// rather than start again or go on to SIGILL.
func TestDecideKernelFatal(t *testing.T) {
	env := map[string]string{CoretypeEnv: "SkylakeX", FixedEnv: "SkylakeX"}
	got := DecideKernel(func() CPU { return CPU{AVX: true, AVX2: true, FMA: true} }, "SkylakeX", "DYNAMIC_ARCH",
		func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if got.Coretype != "" || !strings.Contains(got.Fatal, "AVX-512") || strings.Contains(got.Fatal, "\n") {
		t.Errorf("DecideKernel = %+v, want no re-execution and one fatal line", got)
	}
}
