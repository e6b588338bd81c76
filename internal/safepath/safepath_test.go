package safepath

import "testing"

func TestJoin(t *testing.T) {
	for _, tt := range []struct {
		root, name string
		ok         bool
	}{
		{"results", "quick", true},
		{"results", "a.b-c_d", true},
		{"/c/slurm", "x", true},
		{"results", "", false},
		{"results", ".", false},
		{"results", "..", false},
		{"results", "a/../..", false},
		{"results", "../../escaped", false},
		{"results", "a/..", false},
		{"/c/slurm", "/etc", true}, // Join treats it as relative: /c/slurm/etc
		{".", "x", true},
		{".", "..", false},
	} {
		_, err := Join(tt.root, tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("Join(%q, %q): %v, want ok %v", tt.root, tt.name, err, tt.ok)
		}
	}
}
