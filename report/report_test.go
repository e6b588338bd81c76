package report

import (
	"math"
	"testing"

	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/experiments"
)

func TestPointsSplitAndModelAccuracy(t *testing.T) {
	info := artifacts.RunInfo{RunID: "a/r0", Treatment: "a", Recipe: "loewe", Depth: 2, Width: 10, Seed: 3}
	rows := []artifacts.MetricsRow{
		{RunInfo: info, Epoch: 1, Split: "train", Layer: 1, LayerMeasures: artifacts.LayerMeasures{FFAccuracy: 0.5},
			ModelMeasures: artifacts.ModelMeasures{ClassifierAccuracy: 0.6}},
		{RunInfo: info, Epoch: 1, Split: "val", Layer: 1, LayerMeasures: artifacts.LayerMeasures{FFAccuracy: 0.7, LabelAccuracy: 0.4},
			ModelMeasures: artifacts.ModelMeasures{ClassifierAccuracy: 0.8}},
		// Without a classifier (pezeshki) the model accuracy is goodness
		// over labels.
		{RunInfo: info, Epoch: 1, Split: "val", Layer: 2, LayerMeasures: artifacts.LayerMeasures{FFAccuracy: 0.9},
			ModelMeasures: artifacts.ModelMeasures{ClassifierAccuracy: math.NaN(), GoodnessAccuracy: 0.75}},
	}
	pts := Points(rows, "val")
	if len(pts) != 2 {
		t.Fatalf("%d validation points, want 2", len(pts))
	}
	if p := pts[0]; p.LayerAccuracy != 0.7 || p.ModelAccuracy != 0.8 || p.LabelAccuracy != 0.4 || p.Run != "a/r0" || p.Depth != 2 {
		t.Errorf("point %+v", p)
	}
	if pts[1].ModelAccuracy != 0.75 {
		t.Errorf("model accuracy without a classifier: %v, want the goodness accuracy 0.75", pts[1].ModelAccuracy)
	}
	if got := Points(rows, "train"); len(got) != 1 || got[0].LayerAccuracy != 0.5 {
		t.Errorf("training points %+v", got)
	}
}

// The evaluation table repeats model columns on every layer row: the test
// accuracy summary must count each run and checkpoint once.
func TestTestAccuracyCountsRunsOnce(t *testing.T) {
	var rows []artifacts.EvaluationRow
	for r, acc := range []float64{0.9, 0.8} {
		info := artifacts.RunInfo{RunID: []string{"x/r0", "x/r1"}[r], Treatment: "x", Depth: 3, Width: 5}
		for layer := 1; layer <= 3; layer++ {
			rows = append(rows, artifacts.EvaluationRow{RunInfo: info, Epoch: 4, Layer: layer,
				ModelMeasures: artifacts.ModelMeasures{ClassifierAccuracy: acc, GoodnessAccuracy: acc - 0.1}})
		}
	}
	tb := testAccuracyTable(rows, 0.95)
	if tb.Rows() != 1 {
		t.Fatalf("%d rows, want 1 (one treatment, one checkpoint)", tb.Rows())
	}
	for _, c := range tb.Columns {
		switch c.Name {
		case "classifier_mean":
			if math.Abs(c.Floats[0]-0.85) > 1e-12 {
				t.Errorf("classifier mean %v, want 0.85", c.Floats[0])
			}
		case "classifier_n":
			if c.Ints[0] != 2 {
				t.Errorf("classifier n %d, want 2 runs", c.Ints[0])
			}
		}
	}
}

func TestCurvesSplitDefault(t *testing.T) {
	if s := CurvesSplit(nil); s != experiments.SplitVal {
		t.Errorf("no experiment: %q", s)
	}
	e := &experiments.Experiment{}
	e.Evaluate.Curves = experiments.SplitTrain
	if s := CurvesSplit(e); s != experiments.SplitTrain {
		t.Errorf("curves = train: %q", s)
	}
}
