package artifacts

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/internal/parquettest"
)

// A sweep table (rows with LayerWidths) has one typed column per grid axis
// read from the treatment names, and layer_width; read back and written
// again it gives the same bytes. A run's own table has neither.
func TestSweepTableAxisColumns(t *testing.T) {
	rows, err := MetricsRows(testRuns())
	if err != nil {
		t.Fatal(err)
	}
	treatments := map[string]string{
		"baseline": "depth=2,lr=0.001,schedule=simultaneous,widths=64x32",
		"greedy":   "depth=3,lr=0.01,schedule=greedy,widths=8x16x32",
	}
	widths := map[string][]int{"baseline": {64, 32}, "greedy": {8, 16, 32}}
	for i := range rows {
		old := rows[i].Treatment
		rows[i].Treatment, rows[i].LayerWidths = treatments[old], widths[old]
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "curves.parquet")
	if err := WriteMetricsRows(path, rows, map[string]string{"x": "y"}); err != nil {
		t.Fatal(err)
	}
	back, meta, err := ReadMetrics(path)
	if err != nil {
		t.Fatal(err)
	}
	if meta[AxesKey] != "depth,lr,schedule,widths" {
		t.Errorf("%s = %q", AxesKey, meta[AxesKey])
	}
	for i := range back {
		if back[i].LayerWidth(back[i].Layer) != rows[i].LayerWidth(rows[i].Layer) {
			t.Fatalf("row %d: layer width %d, want %d", i, back[i].LayerWidth(back[i].Layer), rows[i].LayerWidth(rows[i].Layer))
		}
	}
	again := filepath.Join(dir, "again.parquet")
	if err := WriteMetricsRows(again, back, meta); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(path)
	b, _ := os.ReadFile(again)
	if !bytes.Equal(a, b) {
		t.Error("a sweep table read back and written again differs")
	}

	cols := parquetColumns(t, path)
	for _, want := range []string{"seed grid_lr schedule widths epoch", "layer layer_width layer_trained"} {
		if !strings.Contains(strings.Join(cols, " "), want) {
			t.Errorf("columns %q lack %q in order", cols, want)
		}
	}
	if n := len(slices.DeleteFunc(slices.Clone(cols), func(c string) bool { return c != "depth" })); n != 1 {
		t.Errorf("depth, an identity column, repeated: %q", cols)
	}

	// Axes that differ between treatments are a mistake.
	rows[0].Treatment = "depth=2,norm=rms"
	if err := WriteMetricsRows(filepath.Join(dir, "bad.parquet"), rows, nil); err == nil || !strings.Contains(err.Error(), "different axes") {
		t.Errorf("mixed axes: %v", err)
	}

	// A run's own table is unchanged.
	own := filepath.Join(dir, "own.parquet")
	if err := WriteMetrics(own, testRuns(), nil); err != nil {
		t.Fatal(err)
	}
	if cols := parquetColumns(t, own); slices.Contains(cols, "layer_width") || slices.Contains(cols, "grid_lr") {
		t.Errorf("a run's own table has sweep columns: %q", cols)
	}
}

// The column type follows the engine field: numbers for int and float
// fields, strings for the rest.
func TestAxisColumnTypes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []string
		ints   bool
		floats bool
	}{
		{"depth", []string{"1", "2"}, true, false},
		{"lr", []string{"0.001", "1e-05"}, false, true},
		{"schedule", []string{"greedy"}, false, false},
		{"classifier", []string{"true"}, false, false},
		{"widths", []string{"32x16"}, false, false},
		{"unknown_field", []string{"3"}, false, false},
	} {
		c := AxisColumn(tc.name, tc.values)
		if (c.Ints != nil) != tc.ints || (c.Floats != nil) != tc.floats || c.Len() != len(tc.values) {
			t.Errorf("AxisColumn(%s): %+v", tc.name, c)
		}
	}
}

// parquetColumns returns the column names of a Parquet file, read with
// pqarrow (parquettest).
func parquetColumns(t *testing.T, path string) []string {
	t.Helper()
	tbl, _ := parquettest.Read(t, path)
	s := tbl.Schema()
	var names []string
	for _, f := range s.Fields() {
		names = append(names, f.Name)
	}
	return names
}
