package backend

import (
	"strings"
	"testing"
)

// TestCheckPortable covers the refusals of portable arithmetic: each case
// names the one-line reason's distinctive words. The configuration strings
// are those of Debian's OpenBLAS builds (openblas_get_config).
func TestCheckPortable(t *testing.T) {
	const (
		debian = "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64"
		newer  = "OpenBLAS 0.3.26 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64"
		static = "OpenBLAS 0.3.21 NO_AFFINITY SKYLAKEX MAX_THREADS=64"
		haswel = "OpenBLAS 0.3.21 NO_AFFINITY HASWELL MAX_THREADS=64"
	)
	var (
		zen4    = CPU{Model: "AMD EPYC 9654", AMD: true, AVX2: true, FMA: true, AVX512F: true, AVX512BW: true, AVX512DQ: true, AVX512VL: true}
		haswell = CPU{Model: "Intel(R) Xeon(R) CPU E5-2680 v3", AVX2: true, FMA: true}
		sandy   = CPU{Model: "Intel(R) Xeon(R) CPU E5-2670"}
		noFMA   = CPU{AVX2: true}
	)
	ok := Build{Backend: "openblas", Config: debian, GOARCH: "amd64", GOAMD64: "v1"}
	with := func(f func(*Build)) Build { b := ok; f(&b); return b }
	for _, tc := range []struct {
		name string
		cpu  CPU
		b    Build
		want string // "" for no error
	}{
		{"zen4", zen4, ok, ""},
		{"haswell", haswell, ok, ""},
		{"static Haswell build", haswell, with(func(b *Build) { b.Config = haswel }), ""},
		{"gonum", zen4, with(func(b *Build) { b.Backend, b.Config = "gonum", "" }), "computes with gonum"},
		{"arm64", zen4, with(func(b *Build) { b.GOARCH = "arm64" }), "built for arm64"},
		{"no AVX2", sandy, ok, "(Intel(R) Xeon(R) CPU E5-2670) has no AVX2 or FMA"},
		{"no FMA", noFMA, ok, "(model unknown) has no FMA"},
		{"other version", zen4, with(func(b *Build) { b.Config = newer }), "pinned to OpenBLAS 0.3.21; this ffchar is linked with OpenBLAS 0.3.26"},
		{"static other kernel", zen4, with(func(b *Build) { b.Config = static }), "built for one other kernel only"},
		{"GOAMD64=v3", zen4, with(func(b *Build) { b.GOAMD64 = "v3" }), "GOAMD64=v3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckPortable(tc.cpu, tc.b)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("CheckPortable: %v, want nil", err)
			case tc.want != "" && err == nil:
				t.Fatalf("CheckPortable: nil, want an error with %q", tc.want)
			case err != nil && (!strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n")):
				t.Fatalf("CheckPortable: %q, want one line with %q", err, tc.want)
			}
		})
	}
}

// TestPortablePins checks that the pins agree with the constants that
// CheckPortable and EnsurePortable enforce.
func TestPortablePins(t *testing.T) {
	want := []Pin{{"blas_library", "openblas 0.3.21"}, {"blas_kernel", "haswell"}, {"blas_threads", "1"}, {"goamd64", "v1"}}
	got := PortablePins()
	if len(got) != len(want) {
		t.Fatalf("PortablePins() = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("PortablePins()[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}
