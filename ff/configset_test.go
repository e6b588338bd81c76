package ff

import (
	"slices"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/internal/fieldtest"
)

func TestSetGetRoundTrip(t *testing.T) {
	cfg, _ := DefaultConfig(Loewe)
	for _, c := range []struct{ name, value string }{
		{"depth", "4"}, {"lr", "0.00030000000000000003"}, {"classifier", "false"},
		{"norm", "l2"}, {"widths", "3,4,5,6"}, {"weight_decay", "1e-05"},
	} {
		if err := cfg.Set(c.name, c.value); err != nil {
			t.Fatalf("Set(%s, %s): %v", c.name, c.value, err)
		}
		if got, _ := cfg.Get(c.name); got != c.value {
			t.Errorf("Get(%s) = %q after Set %q", c.name, got, c.value)
		}
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("valid config after Set: %v", err)
	}
}

func TestSetErrors(t *testing.T) {
	cfg, _ := DefaultConfig(Loewe)
	for _, c := range []struct{ name, value, want string }{
		{"depht", "3", `unknown field "depht"`},
		{"depth", "three", `depth = "three": must be an integer`},
		{"lr", "fast", `lr = "fast": must be a number`},
		{"classifier", "maybe", `classifier = "maybe": must be true or false`},
		{"widths", "3,x", `widths = "3,x": must be a comma-separated list of integers`},
	} {
		err := cfg.Set(c.name, c.value)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("Set(%s, %s) = %v, want prefix %q", c.name, c.value, err, c.want)
		}
	}
}

func TestLinesAreCanonical(t *testing.T) {
	cfg, _ := DefaultConfig(Loewe)
	lines := cfg.Lines()
	// Every field has a line except readout, at its keydefault.
	if len(lines) != len(FieldNames())-1 {
		t.Fatalf("%d lines for %d fields", len(lines), len(FieldNames()))
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "readout ") {
			t.Errorf("line %q for readout at its keydefault", l)
		}
	}
	cfg.Readout = AllLayers
	if got := cfg.Lines(); !slices.Contains(got, "readout all") {
		t.Errorf("readout = all: no line \"readout all\" in %q", got)
	}
	cfg.Readout = SkipFirst
	for _, want := range []string{"depth 3", "lr 0.001", "weight_decay 0.0003", "norm rms", "widths ", "classifier true"} {
		found := false
		for _, l := range lines {
			found = found || l == want
		}
		if !found {
			t.Errorf("no line %q in %q", want, lines)
		}
	}
}

// A field added at its keydefault leaves the key lines, and so every
// cached run's key, unchanged; at another value it adds its line.
func TestNewFieldAtDefaultKeepsKeyLines(t *testing.T) {
	for _, r := range Recipes {
		cfg, _ := DefaultConfig(r)
		cfg.Widths = []int{32, 16}
		if got, want := FieldLines(fieldtest.WithNewField(cfg, "classifier")), cfg.Lines(); !slices.Equal(got, want) {
			t.Errorf("%s: lines with a new field at its default:\n%q\nwant\n%q", r, got, want)
		}
		got := FieldLines(fieldtest.WithNewField(cfg, "goodness"))
		if want := append(cfg.Lines(), "example_option goodness"); !slices.Equal(got, want) {
			t.Errorf("%s: lines with a new field set:\n%q\nwant\n%q", r, got, want)
		}
	}
}
