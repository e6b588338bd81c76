package artifacts

import (
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// The columns of every run table, in its own and its sweep form, are the
// declarations of its row type's tags, in order and with their types:
// identity columns, then (in a sweep table) the axes, then the table's own
// columns with layer_width after layer and without the own-table-only
// ones.
func TestDeclaredColumnsMatchFiles(t *testing.T) {
	dir := t.TempDir()
	widths := map[string][]int{"baseline": {64, 32}, "greedy": {8, 16, 32}}
	axis := map[string]string{"baseline": "lr=0.001,schedule=simultaneous", "greedy": "lr=0.01,schedule=greedy"}
	sweep := func(info *RunInfo) {
		info.LayerWidths = widths[info.Treatment]
		if info.LayerWidths == nil {
			info.LayerWidths = []int{} // a confusion row of a run with no layer widths known
		}
		info.Treatment = axis[info.Treatment]
	}
	mrows, err := MetricsRows(testRuns())
	if err != nil {
		t.Fatal(err)
	}
	evals := testEvaluations()
	erows, err := EvaluationRows(evals)
	if err != nil {
		t.Fatal(err)
	}
	crows, err := ConfusionRows(evals)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		codec *codec
		write func(path string, sweep bool) error
	}{
		{"metrics", metricsCodec, func(path string, sw bool) error {
			rows := slices.Clone(mrows)
			for i := range rows {
				if sw {
					sweep(&rows[i].RunInfo)
				}
			}
			return WriteMetricsRows(path, rows, nil)
		}},
		{"evaluations", evaluationCodec, func(path string, sw bool) error {
			rows := slices.Clone(erows)
			for i := range rows {
				if sw {
					sweep(&rows[i].RunInfo)
				}
			}
			return WriteEvaluationRows(path, rows, nil)
		}},
		{"confusion", confusionCodec, func(path string, sw bool) error {
			rows := slices.Clone(crows)
			for i := range rows {
				if sw {
					sweep(&rows[i].RunInfo)
				}
			}
			return WriteConfusionRows(path, rows, nil)
		}},
	} {
		for _, sw := range []bool{false, true} {
			path := filepath.Join(dir, tc.name+".parquet")
			if err := tc.write(path, sw); err != nil {
				t.Fatalf("%s (sweep %v): %v", tc.name, sw, err)
			}
			s, err := ReadSchema(path)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, f := range tc.codec.fields {
				if f.identity {
					want = append(want, f.Name+" "+f.typ)
				}
			}
			if sw {
				want = append(want, "grid_lr float64", "schedule utf8")
			}
			for _, f := range tc.codec.fields {
				if f.identity || sw && f.own {
					continue
				}
				want = append(want, f.Name+" "+f.typ)
				if sw && f.layer {
					want = append(want, LayerWidthColumn.Name+" int32")
				}
			}
			var got []string
			for _, f := range s.Fields {
				got = append(got, f.Name+" "+f.Type)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s (sweep %v) columns\n got %q\nwant %q", tc.name, sw, got, want)
			}
			for i, d := range DescribeColumns(s) {
				if d.Doc == "" {
					t.Errorf("%s: column %s is not declared", tc.name, s.Fields[i].Name)
				}
			}
		}
	}
}

// A file that lacks a declared column is an error naming it, not a panic.
func TestMissingColumn(t *testing.T) {
	rows, err := MetricsRows(testRuns())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.parquet")
	err = writeParquetFile(path, kindMetrics, nil, func() (*table, error) {
		tb, err := metricsCodec.table(reflect.ValueOf(rows))
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(tb.fields, func(f arrow.Field) bool { return f.Name == "goodness_neg" })
		tb.fields = slices.Delete(tb.fields, i, i+1)
		tb.cols = slices.Delete(tb.cols, i, i+1)
		return tb, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = ReadMetrics(path)
	var fe *FileError
	if !errors.As(err, &fe) || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), `no column "goodness_neg"`) {
		t.Errorf("reading a table without goodness_neg: %v", err)
	}
}
