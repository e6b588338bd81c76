package stages

import "testing"

// The provenance line names the backend, the kernels the runs were
// trained with, Go and the revision; nothing without a backend.
func TestProvenanceLine(t *testing.T) {
	for _, tt := range []struct {
		p    Provenance
		want string
	}{
		{Provenance{Backend: "gonum", Go: "go1.26"}, "- Published with BLAS backend gonum, go1.26.\n"},
		{Provenance{Backend: "openblas 0.3.21", Go: "go1.26", Kernels: []string{"haswell"}, Revision: "abc"},
			"- Published with BLAS backend openblas 0.3.21 (runs trained with OpenBLAS kernel haswell), go1.26, ffchar revision `abc`.\n"},
		{Provenance{}, ""},
	} {
		if got := provenanceLine(tt.p); got != tt.want {
			t.Errorf("provenanceLine(%+v) = %q, want %q", tt.p, got, tt.want)
		}
	}
}
