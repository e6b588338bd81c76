package main

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/ffchar/ffchar/artifacts"
)

// columnValues returns the distinct values of a column of a Parquet file,
// read with pqarrow rather than ffchar's readers, formatted as text.
func columnValues(t *testing.T, path, name string) []string {
	t.Helper()
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
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

// The experiment of issue 9, a grid over schedule and per-layer widths,
// runs end to end: its tables carry one column per axis and each layer's
// width, and its figures are laid out by those axes.
func TestAnyFieldIsAGridAxis(t *testing.T) {
	body, err := os.ReadFile("testdata/beyond.toml")
	if err != nil {
		t.Fatal(err)
	}
	workdir(t, map[string]string{"beyond.toml": string(body)})
	mustRun(t, "run", "--profile", "beyond", "--cache", "cache")

	curves := "results/beyond/data/curves.parquet"
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
		if got := columnValues(t, "results/beyond/"+f, "layer_width"); !slices.Equal(got, []string{"16", "32"}) {
			t.Errorf("%s: layer_width holds %q", f, got)
		}
		if got := columnValues(t, "results/beyond/"+f, "schedule"); len(got) != 2 {
			t.Errorf("%s: schedule holds %q", f, got)
		}
	}
	if got := columnValues(t, "results/beyond/data/confusion.parquet", "widths"); len(got) != 2 {
		t.Errorf("confusion: widths holds %q", got)
	}

	// The figures are laid out by schedule and widths.
	svg, err := os.ReadFile("results/beyond/figures/fig1_accuracy.svg")
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
		svg, err := os.ReadFile("results/beyond/figures/" + fig + ".svg")
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
