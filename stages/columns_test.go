package stages

import (
	"path/filepath"
	"testing"

	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/internal/sweeptest"
	"github.com/ffchar/ffchar/report"
)

// One type and one name per concept: every column that the sweep tables
// and the analysis tables of one sweep both have (depth, width, layer,
// layer_width, epoch, step, the axes) has the same Arrow type in all of
// them, so that they join; and an axis keeps its name (epochs, in a grid
// over epochs) in both.
func TestColumnTypesAgreeAcrossTables(t *testing.T) {
	dir := t.TempDir()
	exp, err := experiments.Parse("fixed", []byte("name = \"fixed\"\nrecipe = \"loewe\"\nseeds = 5\nmaster_seed = 1\n[data]\nsource = \"synthetic\"\ntrain_limit = 100\nval_limit = 100\ntest_limit = 100\n[base]\nbatch_size = 10\n[grid]\ndepth = [2]\nwidth = [8, 16]\nepochs = [3]\n[record]\nprobe = 100\nhalves = true\n"))
	if err != nil {
		t.Fatal(err)
	}
	curves := sweeptest.Rows(sweeptest.Options{Widths: []int{8, 16}, Seeds: 5, Epochs: 3, EpochSteps: 100, Seed: 3})
	for i := range curves {
		r := &curves[i]
		r.Treatment += ",epochs=3"
		r.RunID = r.Treatment + "/" + filepath.Base(r.RunID)
		r.LayerWidths = []int{r.Width, r.Width}
	}
	if err := artifacts.WriteMetricsRows(filepath.Join(dir, CurvesFile), curves, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := report.Write(report.Dirs{Tables: dir, Figures: filepath.Join(dir, "figures"), Readme: filepath.Join(dir, "README.md")},
		&report.Sweep{Curves: curves}, exp, nil, ""); err != nil {
		t.Fatal(err)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*.parquet"))
	if len(names) < 5 {
		t.Fatalf("%d tables", len(names))
	}
	typ := map[string]string{}
	where := map[string]string{}
	epochsAxis := 0
	for _, n := range names {
		s, err := artifacts.ReadSchema(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range s.Fields {
			if f.Name == "epochs" {
				epochsAxis++
			}
			if f.Name == "grid_epochs" {
				t.Errorf("%s: the epochs axis is grid_epochs", filepath.Base(n))
			}
			if old, ok := typ[f.Name]; ok && old != f.Type {
				t.Errorf("column %s is %s in %s but %s in %s", f.Name, old, where[f.Name], f.Type, filepath.Base(n))
				continue
			}
			typ[f.Name], where[f.Name] = f.Type, filepath.Base(n)
		}
	}
	if typ["depth"] != "int32" || typ["layer"] != "int32" || typ["step"] != "int32" {
		t.Errorf("depth %s, layer %s, step %s; want int32 as the run tables declare", typ["depth"], typ["layer"], typ["step"])
	}
	if epochsAxis < 2 {
		t.Errorf("the epochs axis is a column of %d tables", epochsAxis)
	}
}
