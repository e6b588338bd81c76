package artifacts

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/ffchar/ffchar/ff"
)

// TestProbeHalvesRows: a run recorded with the split-half probe has
// probe_a and probe_b rows beside its probe rows, step 0 included (epoch
// 0), in Splits order; and the rows read back are written again to the
// same bytes, as the sweep tables are (this failed at step 0's half rows).
func TestProbeHalvesRows(t *testing.T) {
	split := func(acc float64) ff.SplitMetrics {
		return ff.SplitMetrics{Layers: []ff.LayerMetrics{layerMetrics(acc, false)}, ClassifierAccuracy: acc,
			ClassifierLoss: 1, GoodnessAccuracy: nan, Samples: 20}
	}
	run := RunMetrics{Info: RunInfo{RunID: "r0", Treatment: "t", Recipe: "loewe", Depth: 1, Width: 8, Seed: 3}, StepsPerEpoch: 10}
	for _, st := range []int{0, 5, 10} {
		p := split(0.5 + float64(st)/100)
		run.Steps = append(run.Steps, ff.StepMetrics{Step: st, Epoch: (st + 9) / 10, Probe: &p,
			ProbeHalves: []ff.SplitMetrics{split(0.49 + float64(st)/100), split(0.51 + float64(st)/100)}})
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.parquet"), filepath.Join(dir, "b.parquet")
	if err := WriteMetrics(a, []RunMetrics{run}, nil); err != nil {
		t.Fatal(err)
	}
	rows, meta, err := ReadMetrics(a)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		if r.Step == 0 {
			got = append(got, r.Split)
		}
	}
	if want := []string{SplitProbe, SplitProbeA, SplitProbeB}; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("step 0 rows %q, want %q", got, want)
	}
	if err := WriteMetricsRows(b, rows, meta); err != nil {
		t.Fatal(err)
	}
	x, _ := os.ReadFile(a)
	y, _ := os.ReadFile(b)
	if !bytes.Equal(x, y) {
		t.Error("rows written again differ from the run's file")
	}
	bad := run
	bad.Steps = []ff.StepMetrics{{Step: 0, Probe: run.Steps[0].Probe, ProbeHalves: run.Steps[0].ProbeHalves[:1]}}
	if err := WriteMetrics(filepath.Join(dir, "c.parquet"), []RunMetrics{bad}, nil); err == nil {
		t.Error("a step with one probe half was written")
	}
}
