package main

import (
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/internal/parquettest"
)

// columnValues returns the distinct values of a column of a Parquet file,
// read with pqarrow rather than ffchar's readers, formatted as text.
func columnValues(t *testing.T, path, name string) []string {
	t.Helper()
	tbl, _ := parquettest.Read(t, path)
	idx := tbl.Schema().FieldIndices(name)
	if len(idx) != 1 {
		t.Fatalf("%s: no column %q", path, name)
	}
	var vals []string
	for _, ch := range tbl.Column(idx[0]).Data().Chunks() {
		for i := 0; i < ch.Len(); i++ {
			vals = append(vals, ch.(arrow.Array).ValueStr(i))
		}
	}
	slices.Sort(vals)
	return slices.Compact(vals)
}

// A grid over schedule and per-layer widths
// runs end to end: its tables carry one column per axis and each layer's
// width, and its figures are laid out by those axes.
func TestAnyFieldIsAGridAxis(t *testing.T) {
	body, err := os.ReadFile("testdata/axes.toml")
	if err != nil {
		t.Fatal(err)
	}
	workdir(t, map[string]string{"axes.toml": string(body)})
	mustRun(t, "run", "--profile", "axes", "--cache", "cache", "--results", "results")

	curves := "results/axes/data/curves.parquet"
	if got := columnValues(t, curves, "schedule"); !slices.Equal(got, []string{"greedy", "simultaneous"}) {
		t.Errorf("curves: schedule column holds %q, want greedy and simultaneous", got)
	}
	if got := columnValues(t, curves, "widths"); !slices.Equal(got, []string{"16x32", "32x16"}) {
		t.Errorf("curves: widths column holds %q", got)
	}
	if got := columnValues(t, curves, "layer_width"); !slices.Equal(got, []string{"16", "32"}) {
		t.Errorf("curves: layer_width column holds %q, want 16 and 32", got)
	}
	rows, meta, err := artifacts.ReadMetrics(curves)
	if err != nil {
		t.Fatal(err)
	}
	if meta[artifacts.AxesKey] != "schedule,widths" {
		t.Errorf("curves: %s = %q, want schedule,widths", artifacts.AxesKey, meta[artifacts.AxesKey])
	}
	for _, r := range rows {
		want := 32
		if strings.Contains(r.Treatment, "widths=16x32") == (r.Layer == 1) {
			want = 16
		}
		if got := r.LayerWidth(r.Layer); got != want {
			t.Fatalf("run %s layer %d: layer width %d, want %d", r.RunID, r.Layer, got, want)
		}
	}
	for _, f := range []string{"data/evaluations.parquet", "tables/correlation_summary.parquet", "tables/delays.parquet"} {
		if got := columnValues(t, "results/axes/"+f, "layer_width"); !slices.Equal(got, []string{"16", "32"}) {
			t.Errorf("%s: layer_width holds %q", f, got)
		}
		if got := columnValues(t, "results/axes/"+f, "schedule"); len(got) != 2 {
			t.Errorf("%s: schedule holds %q", f, got)
		}
	}
	if got := columnValues(t, "results/axes/data/confusion.parquet", "widths"); len(got) != 2 {
		t.Errorf("confusion: widths holds %q", got)
	}

	// The figures are laid out by schedule and widths.
	svg, err := os.ReadFile("results/axes/figures/fig1_accuracy.svg")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"schedule greedy, widths 16x32", "schedule simultaneous, widths 32x16"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("figure 1 has no panel %q", want)
		}
	}
	for fig, wants := range map[string][]string{
		"fig2_delay":             {"by schedule, at widths 32x16", "by widths, at schedule simultaneous"},
		"fig4_correlation_width": {"schedule greedy", "layer width"},
		"fig5_final_accuracy":    {"Final model accuracy by schedule and widths"},
	} {
		svg, err := os.ReadFile("results/axes/figures/" + fig + ".svg")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range wants {
			if !strings.Contains(string(svg), want) {
				t.Errorf("%s lacks %q", fig, want)
			}
		}
	}
}

// A one-at-a-time design crossed with two widths runs end to end: the
// one_at_a_time table has a row per level with H1–H3 (H3 estimable, since
// widths are crossed) and differences from the base, NaN at the base, and
// the README compares the levels.
func TestOneAtATimeSweep(t *testing.T) {
	workdir(t, map[string]string{"oat.toml": `name = "oat"
recipe = "loewe"
seeds = 3
master_seed = 5
[data]
source = "synthetic"
train_limit = 400
val_limit = 100
test_limit = 100
[base]
batch_size = 20
depth = 2
epochs = 3
[grid]
width = [16, 8]
[one_at_a_time]
readout = ["skip-first", "all"]
peer_weight = [0.03, 0]
[record]
every = 5
probe = 50
`})
	mustRun(t, "run", "--profile", "oat", "--cache", "cache", "--results", "results")
	curves := "results/oat/data/curves.parquet"
	for col, want := range map[string][]string{"readout": {"all", "skip-first"}, "peer_weight": {"0", "0.03"}, "width": {"16", "8"}} {
		if got := columnValues(t, curves, col); !slices.Equal(got, want) {
			t.Errorf("curves: %s holds %q, want %q", col, got, want)
		}
	}
	tbl, _, err := artifacts.ReadTable("results/oat/tables/one_at_a_time.parquet")
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) *artifacts.Column {
		c := tbl.Column(name)
		if c == nil {
			t.Fatalf("one_at_a_time: no column %q", name)
		}
		return c
	}
	if got, want := col("level").Strings, []string{"base", "peer_weight=0", "readout=all"}; !slices.Equal(got, want) {
		t.Fatalf("levels %q, want %q", got, want)
	}
	for i, n := range col("test_accuracy_n").Ints {
		if n != 6 {
			t.Errorf("level %s: test accuracy over %d runs, want 2 widths × 3 seeds", col("level").Strings[i], n)
		}
	}
	if d := col("dh1_diff").Floats; !math.IsNaN(d[0]) || math.IsNaN(d[1]) || math.IsNaN(d[2]) {
		t.Errorf("H1 differences from the base %v: want NaN at the base only", d)
	}
	for i, v := range col("h3_width_slope_estimate").Floats {
		if math.IsNaN(v) {
			t.Errorf("level %s: H3 not estimated with crossed widths", col("level").Strings[i])
		}
	}
	svg, err := os.ReadFile("results/oat/figures/fig9_levels.svg")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"readout=all", "peer_weight=0", "H1: delay per layer"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("figure 9 lacks %q", want)
		}
	}
	// The other figures name treatments by level and width.
	svg, err = os.ReadFile("results/oat/figures/fig1_accuracy.svg")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"level base, width 8", "level readout=all, width 16"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("figure 1 has no panel %q", want)
		}
	}
	// Figure 2 compares widths at the base level.
	if svg, err := os.ReadFile("results/oat/figures/fig2_delay.svg"); err != nil {
		t.Fatal(err)
	} else if !strings.Contains(string(svg), "by width, at level base") {
		t.Error("figure 2 does not compare widths at the base level")
	}
	readme, err := os.ReadFile("results/oat/README.md")
	if err != nil {
		t.Fatal(err)
	}
	index, err := os.ReadFile("results/README.md")
	if err != nil {
		t.Fatal(err)
	}
	if ix := string(index); !strings.Contains(ix, "The paper's claims at step resolution") || !strings.Contains(ix, "(oat/tables/one_at_a_time.md)") ||
		!strings.Contains(ix, "slope of s50") || strings.Contains(ix, "slope of s90") {
		t.Errorf("results/README.md: want the step-resolution verdict rows without context rows, and the per-level table:\n%s", ix)
	}
	for _, want := range []string{"## One factor at a time: how H1–H3 change per axis", "| readout=all | 6 |", "| readout=all, width=16 |",
		"one factor at a time around the base (bold): peer_weight ∈ {**0.03**, 0}; readout ∈ {**skip-first**, all}"} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("README lacks %q", want)
		}
	}
}
