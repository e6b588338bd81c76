package report

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/analysis"
	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/ff"
)

// An axis has one name in the sweep tables and the analysis tables
// alike: the epochs axis is epochs in both, beside a correlation's points.
func TestTableAxisNamedAsInTheSweepTables(t *testing.T) {
	tbl := rowTable("start_step", "test", []startStepRow{
		{Group: analysis.Group{Treatment: "epochs=4,width=8", Depth: 2, Width: 8}, StartStep: 10},
		{Group: analysis.Group{Treatment: "epochs=2,width=8", Depth: 2, Width: 8}, StartStep: 11},
	})
	var names []string
	for _, c := range tbl.Columns {
		names = append(names, c.Name)
	}
	if want := []string{"treatment", artifacts.AxisColumnName("epochs"), "width", "depth", "start_step", "found"}; !slices.Equal(names, want) {
		t.Fatalf("columns %q, want %q", names, want)
	}
	if got := tbl.Columns[1].Ints; !slices.Equal(got, []int64{4, 2}) {
		t.Errorf("epochs %v, want [4 2] (typed as the epochs field)", got)
	}
}

// No statistic of an analysis table is named like an engine field, which
// would be an axis column's name: a grid over that field would give the
// table two columns of one name. Engine fields declared here are axes
// (their meaning says so) or identity columns; classifier and goodness
// only name the summaries of test_accuracy (classifier_mean, ...).
func TestStatisticNames(t *testing.T) {
	prefixes := map[string]bool{"classifier": true, "goodness": true}
	for name, d := range analysisColumns {
		if strings.Contains(name, ".") || ff.FieldKind(name) == reflect.Invalid || artifacts.IdentityColumn(name) || prefixes[name] {
			continue
		}
		if !strings.HasPrefix(d.Doc, "grid axis") {
			t.Errorf("column %s (%s) is named like an engine field", name, d.Doc)
		}
	}
}

// The provenance line follows the list item counting the runs, even when
// the experiment's description speaks of runs over something first.
func TestWithProvenanceAfterTheRunsLine(t *testing.T) {
	readme := "Sixty runs over two days.\n\n- 4 runs over 2 treatments, up to 3 epochs.\n\n## Next\n"
	got := WithProvenance(readme, "- Published with BLAS backend gonum, go1.26.\n")
	want := "Sixty runs over two days.\n\n- 4 runs over 2 treatments, up to 3 epochs.\n- Published with BLAS backend gonum, go1.26.\n\n## Next\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// An axis named like a column of the sweep tables (lr, each epoch's rate
// there) has that table's name, grid_lr, in the analysis tables too.
func TestTableAxisNamedLikeARunColumn(t *testing.T) {
	tbl := rowTable("final_accuracy", "test", []finalAccuracyRow{
		{Group: analysis.Group{Treatment: "lr=0.01,width=8", Depth: 2, Width: 8}},
	})
	var names []string
	for _, c := range tbl.Columns[:4] {
		names = append(names, c.Name)
	}
	if want := []string{"treatment", "grid_lr", "width", "depth"}; !slices.Equal(names, want) {
		t.Errorf("columns %q, want %q", names, want)
	}
}

// tableMeasures returns the delay measures a table's []measure field can
// name: the epoch delays', or the step delays' of every bundled profile
// and of the defaults.
func tableMeasures(t *testing.T, table string) []string {
	if !strings.HasPrefix(table, "step_") {
		return analysis.EpochDelays.Measures()
	}
	ms := analysis.StepOptions{}.WithDefaults().DelayOptions().Measures()
	for _, name := range experiments.Profiles() {
		exp, err := experiments.Profile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range exp.Analysis.WithDefaults().DelayOptions().Measures() {
			if !slices.Contains(ms, m) {
				ms = append(ms, m)
			}
		}
	}
	return ms
}

// rowColumns lists every column a row type can write, in order: the
// identity's treatment, depth and width (its axis columns are named by the
// grid), and measures for a []measure field.
func rowColumns(typ reflect.Type, measures []string) []string {
	var out []string
	for _, f := range rowFields(typ, "", nil) {
		switch f.typ {
		case groupType:
			out = append(out, "treatment", "depth", "width")
		case summaryType:
			out = append(out, f.name+"mean", f.name+"lo", f.name+"hi", f.name+"n")
		case measureType:
			for _, m := range measures {
				out = append(out, f.name+m)
			}
		default:
			out = append(out, f.name)
		}
	}
	return out
}

// Every column of every analysis table has a unit and meaning declared,
// whatever a sample report happens to write.
func TestRowColumnsDeclared(t *testing.T) {
	for table, typ := range rowTypes {
		for _, c := range rowColumns(typ, tableMeasures(t, table)) {
			if d, ok := AnalysisColumn(table, c); !ok || d.Doc == "" {
				t.Errorf("table %s (%s): column %s is not declared in analysisColumns", table, typ.Name(), c)
			}
		}
	}
}

// No two columns of a row type share a name, and none is named like an
// axis column, which a grid over that engine field would add beside it.
func TestRowColumnsUnique(t *testing.T) {
	for table, typ := range rowTypes {
		seen := map[string]bool{}
		for _, c := range rowColumns(typ, tableMeasures(t, table)) {
			if seen[c] {
				t.Errorf("table %s (%s): two columns named %s", table, typ.Name(), c)
			}
			seen[c] = true
			if artifacts.IdentityColumn(c) {
				continue // not written when it is an axis (groupColumns)
			}
			field := strings.TrimPrefix(c, "grid_")
			if ff.FieldKind(field) != reflect.Invalid && artifacts.AxisColumnName(field) == c {
				t.Errorf("table %s (%s): column %s is named like the column of the axis %s", table, typ.Name(), c, field)
			}
		}
	}
}

// A table's columns follow its row type: summaries and measures expanded
// in place, ±Inf written as NaN, and a Holm column adjusting its p-values
// over the whole table, after the rows.
func TestRowTable(t *testing.T) {
	g := analysis.Group{Treatment: "width=8", Depth: 2, Width: 8}
	tbl := rowTable("final_correlation", "test", []finalCorrelationRow{
		{Group: g, layerColumns: layerOf(g, 1), R: 0.5, Lo: math.Inf(-1), Hi: 0.9, P: 0.01, Seeds: 3},
		{Group: g, layerColumns: layerOf(g, 2), R: 0.6, Lo: 0.1, Hi: 0.9, P: 0.04, Seeds: 3},
	})
	var names []string
	for _, c := range tbl.Columns {
		names = append(names, c.Name)
	}
	want := []string{"treatment", "width", "depth", "layer", "layer_width", "r", "lo", "hi", "p", "seeds", "p_holm"}
	if !slices.Equal(names, want) {
		t.Fatalf("columns %q, want %q", names, want)
	}
	if lo := tbl.Column("lo").Floats[0]; !math.IsNaN(lo) {
		t.Errorf("lo %v, want NaN for -Inf", lo)
	}
	// Holm over two tests (closed form): 2·0.01, then max(0.02, 1·0.04).
	if got := tbl.Column("p_holm").Floats; math.Abs(got[0]-0.02) > 1e-15 || math.Abs(got[1]-0.04) > 1e-15 {
		t.Errorf("p_holm %v, want [0.02 0.04]", got)
	}

	ms := []measure{{"e50", 1}, {"lag", 2}}
	tbl = rowTable("delays", "test", []delayRow{{runLayerColumns: runLayerOf(g, "r0", 1), Measures: ms}, {runLayerColumns: runLayerOf(g, "r1", 1), Measures: ms}})
	names = nil
	for _, c := range tbl.Columns[6:] {
		names = append(names, c.Name)
	}
	if want := []string{"start_accuracy", "gain", "e50", "lag", "lag_r"}; !slices.Equal(names, want) {
		t.Errorf("delay columns %q, want %q", names, want)
	}
}

// A table built from a row type other than its declared one is a mistake
// that panics.
func TestRowTableUndeclared(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for a table built from another row type")
		}
	}()
	rowTable("final_accuracy", "test", []startStepRow{})
}
