package experiments

import (
	"strings"
	"testing"
)

// TestEmptyValuesRefused (F10): an empty string or an empty list where a
// value is needed is refused naming the key, like any other bad value,
// instead of standing for a default under another cache key.
func TestEmptyValuesRefused(t *testing.T) {
	tests := []struct{ name, src, key string }{
		{"empty readout in base", head + "[base]\nreadout = \"\"\n[grid]\ndepth = [1]\n", "base.readout"},
		{"empty readout on an axis", head + "[grid]\nreadout = [\"\", \"all\"]\n", "grid.readout"},
		{"empty widths", head + "[grid]\nwidths = [[]]\n", "grid.widths"},
		{"empty widths in base", head + "[base]\nwidths = []\n[grid]\ndepth = [1]\n", "base.widths"},
		{"empty schedule", head + "[base]\nschedule = \"\"\n[grid]\ndepth = [1]\n", "base.schedule"},
		{"empty axis", head + "[grid]\ndepth = []\n", "grid.depth"},
		{"empty source", strings.Replace(head, `source = "mnist"`, `source = ""`, 1) + "[grid]\ndepth = [1]\n", "data.source"},
		{"empty recipe", strings.Replace(head, `recipe = "loewe"`, `recipe = ""`, 1) + "[grid]\ndepth = [1]\n", "recipe"},
		{"empty h1_measure", head + "[grid]\ndepth = [1]\n[analysis]\nh1_measure = \"\"\n", "analysis.h1_measure"},
	}
	for _, tt := range tests {
		_, err := Parse("x.toml", []byte(tt.src))
		if err == nil || !strings.Contains(err.Error(), tt.key) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line naming %s", tt.name, err, tt.key)
		}
	}
}
