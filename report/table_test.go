package report

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/analysis"
	"github.com/ffchar/ffchar/artifacts"
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
