package artifacts

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/ff"
	"github.com/ffchar/ffchar/internal/parquettest"
)

var nan = math.NaN()

// sameRows compares row slices exactly, NaN equal to NaN: %v prints a
// float64 as the shortest decimal that parses back to it.
func sameRows[T any](t *testing.T, got, want []T) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d", len(got), len(want))
	}
	for i := range got {
		if g, w := fmt.Sprintf("%+v", got[i]), fmt.Sprintf("%+v", want[i]); g != w {
			t.Fatalf("row %d:\n got %s\nwant %s", i, g, w)
		}
	}
}

func testMeta() map[string]string {
	return map[string]string{
		"action":   "3f1c0a",
		"git":      "b0cb9aa",
		"params":   `{"depth": 2, "lr": 0.001}`,
		"versions": "go1.26 arrow-go v18.8.0",
		"empty":    "",
		"unicode":  "Hinton — ε=1e-8",
	}
}

func layerMetrics(base float64, peer bool) ff.LayerMetrics {
	lm := ff.LayerMetrics{Loss: base, Accuracy: 0.5 + base/10, GoodnessPos: 3 * base, GoodnessNeg: base / 3,
		LabelAccuracy: 0.1 + base/100, PeerLoss: nan}
	if peer {
		lm.PeerLoss = base / 7
	}
	return lm
}

// testRuns returns two runs of different depths; run a has step records
// (steps 0, 5 and 10 of 10-step epochs), run b has no validation and no
// classifier, and its greedy schedule trains one layer per epoch.
func testRuns() []RunMetrics {
	a := RunMetrics{Info: RunInfo{RunID: "loewe-d2-s1", Treatment: "baseline", Recipe: "loewe", Depth: 2, Width: 64, Seed: 1},
		StepsPerEpoch: 10}
	for _, st := range []int{0, 5, 10} {
		b := float64(st) / 16
		probe := &ff.SplitMetrics{Layers: []ff.LayerMetrics{layerMetrics(b+0.75, false), layerMetrics(b+0.875, false)},
			ClassifierAccuracy: 0.5 + b/100, ClassifierLoss: 2, GoodnessAccuracy: nan, Samples: 50}
		m := ff.StepMetrics{Step: st, Epoch: (st + 9) / 10, LR: 0.001, Probe: probe}
		if st > 0 {
			m.Train = &ff.SplitMetrics{Layers: []ff.LayerMetrics{layerMetrics(b+1, true), layerMetrics(b+1.5, true)},
				ClassifierAccuracy: 0.6, ClassifierLoss: 0.4, GoodnessAccuracy: nan, Samples: 500}
		}
		a.Steps = append(a.Steps, m)
	}
	for e := 1; e <= 3; e++ {
		b := float64(e)
		val := &ff.SplitMetrics{Layers: []ff.LayerMetrics{layerMetrics(b+0.25, false), layerMetrics(b+0.5, false)},
			ClassifierAccuracy: 0.9 + b/100, ClassifierLoss: 1 / b, GoodnessAccuracy: 0.8, Samples: 100}
		a.Info.Width = 64
		a.Epochs = append(a.Epochs, ff.EpochMetrics{Epoch: e, LR: 0.001 * b, Seconds: 1.5 * b,
			Train: ff.SplitMetrics{Layers: []ff.LayerMetrics{layerMetrics(b, true), layerMetrics(b+0.125, true)},
				ClassifierAccuracy: 0.7, ClassifierLoss: 0.3, GoodnessAccuracy: nan, Samples: 1000},
			Val: val})
	}
	b := RunMetrics{Info: RunInfo{RunID: "pezeshki-d3-s18446744073709551615", Treatment: "greedy", Recipe: "pezeshki",
		Depth: 3, Width: 2000, Seed: math.MaxUint64}, StepsPerEpoch: 600}
	for e := 1; e <= 3; e++ {
		var ls []ff.LayerMetrics
		for l := range 3 {
			lm := layerMetrics(float64(10*e+l), false)
			if l >= e {
				lm = ff.LayerMetrics{Loss: nan, Accuracy: nan, GoodnessPos: nan, GoodnessNeg: nan, LabelAccuracy: nan, PeerLoss: nan}
			}
			ls = append(ls, lm)
		}
		b.Epochs = append(b.Epochs, ff.EpochMetrics{Epoch: e, Layer: e, LR: math.Inf(1), Seconds: math.Copysign(0, -1),
			Train: ff.SplitMetrics{Layers: ls, ClassifierAccuracy: nan, ClassifierLoss: nan, GoodnessAccuracy: 0.25, Samples: 60000}})
	}
	return []RunMetrics{a, b}
}

func TestMetricsRoundTrip(t *testing.T) {
	runs := testRuns()
	path := filepath.Join(t.TempDir(), "m.parquet")
	if err := WriteMetrics(path, runs, testMeta()); err != nil {
		t.Fatal(err)
	}
	rows, meta, err := ReadMetrics(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := MetricsRows(runs)
	if err != nil {
		t.Fatal(err)
	}
	// Run a: 3 epochs × (train + val) × 2 layers, step 0's probe, steps
	// 5 and 10's probe and stream, 2 layers each; run b: 3 epochs × train
	// × 3 layers.
	if len(want) != 12+10+9 {
		t.Fatalf("MetricsRows gave %d rows, want 31", len(want))
	}
	sameRows(t, rows, want)
	if !maps.Equal(meta, testMeta()) {
		t.Errorf("metadata %v, want %v", meta, testMeta())
	}

	// Spot checks of the flattening against the input.
	r := rows[8] // run a, epoch 1 (step 10), val, layer 1: after step 0 and 5's rows, epoch 1's train rows
	if r.RunID != "loewe-d2-s1" || r.Split != SplitVal || r.Layer != 1 || r.Epoch != 1 || r.Step != 10 ||
		r.ClassifierAccuracy != runs[0].Epochs[0].Val.ClassifierAccuracy || r.FFLoss != 1.25 {
		t.Errorf("row 8 = %+v", r)
	}
	r = rows[1] // run a, step 0, probe, layer 2
	if r.Split != SplitProbe || r.Step != 0 || r.Epoch != 0 || r.Layer != 2 || r.FFLoss != 0.875 || !math.IsNaN(r.Seconds) {
		t.Errorf("row 1 = %+v", r)
	}
	r = rows[12] // run a, step 10, stream, layer 1
	if r.Split != SplitStream || r.Step != 10 || r.Epoch != 1 || r.Samples != 500 {
		t.Errorf("row 12 = %+v", r)
	}
	if r := rows[len(rows)-1]; r.Step != 1800 {
		t.Errorf("run b's epoch 3 at step %d, want 1800", r.Step)
	}
	r = rows[len(rows)-1] // run b, epoch 3, train, layer 3
	if r.Seed != math.MaxUint64 || r.Layer != 3 || r.LayerTrained != 3 || !math.IsInf(r.LR, 1) || r.Samples != 60000 {
		t.Errorf("last row = %+v", r)
	}
}

// TestMetricsNulls checks that NaN is stored as NULL, not as a NaN value,
// by reading the file with pqarrow directly.
func TestMetricsNulls(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.parquet")
	runs := testRuns()
	if err := WriteMetrics(path, runs, nil); err != nil {
		t.Fatal(err)
	}
	tbl, meta := parquettest.Read(t, path)
	rows, _ := MetricsRows(runs)
	for _, c := range []struct {
		col   string
		field func(MetricsRow) float64
	}{
		{"peer_loss", func(r MetricsRow) float64 { return r.PeerLoss }},
		{"classifier_accuracy", func(r MetricsRow) float64 { return r.ClassifierAccuracy }},
		{"goodness_accuracy", func(r MetricsRow) float64 { return r.GoodnessAccuracy }},
		{"ff_loss", func(r MetricsRow) float64 { return r.FFLoss }},
	} {
		want := 0
		for _, r := range rows {
			if math.IsNaN(c.field(r)) {
				want++
			}
		}
		col := tbl.Column(tbl.Schema().FieldIndices(c.col)[0])
		if got := col.NullN(); got != want || want == 0 {
			t.Errorf("%s: %d NULLs, want %d (> 0)", c.col, got, want)
		}
		if !tbl.Schema().Field(tbl.Schema().FieldIndices(c.col)[0]).Nullable {
			t.Errorf("%s is not nullable", c.col)
		}
	}
	if tbl.Schema().Field(0).Nullable {
		t.Errorf("run_id is nullable")
	}
	if got, want := meta.GetCreatedBy(), "parquet-go version"; !strings.HasPrefix(got, want) {
		t.Errorf("created_by %q", got)
	}
	if v := meta.KeyValueMetadata().FindValue(KindKey); v == nil || *v != kindMetrics {
		t.Errorf("%s = %v, want %s", KindKey, v, kindMetrics)
	}
}

func TestMetricsEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.parquet")
	if err := WriteMetrics(path, nil, nil); err != nil {
		t.Fatal(err)
	}
	rows, meta, err := ReadMetrics(path)
	if err != nil || len(rows) != 0 || len(meta) != 0 {
		t.Fatalf("ReadMetrics = %v, %v, %v; want no rows, no metadata", rows, meta, err)
	}
}

func TestMetricsBadInput(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func([]RunMetrics) []RunMetrics
		want   string
	}{
		{"empty id", func(r []RunMetrics) []RunMetrics { r[0].Info.RunID = ""; return r }, "empty run ID"},
		{"duplicate", func(r []RunMetrics) []RunMetrics { return append(r, r[0]) }, "appears twice"},
		{"depth", func(r []RunMetrics) []RunMetrics { r[0].Info.Depth = 3; return r }, "probe split has 2 layers, depth 3"},
		{"width", func(r []RunMetrics) []RunMetrics { r[1].Info.Width = 0; return r }, "width 0 out of range"},
		{"epoch", func(r []RunMetrics) []RunMetrics { r[0].Epochs[1].Epoch = 0; return r }, "epoch 0 out of range"},
		{"trained layer", func(r []RunMetrics) []RunMetrics { r[1].Epochs[0].Layer = 4; return r }, "trained layer 4, depth 3"},
		{"utf8", func(r []RunMetrics) []RunMetrics { r[1].Info.Treatment = "\xff"; return r }, "UTF-8"},
		{"steps out of order", func(r []RunMetrics) []RunMetrics { r[0].Steps[2].Step = 5; return r }, "step 5 after step 5"},
		{"negative step", func(r []RunMetrics) []RunMetrics { r[0].Steps[0].Step = -1; return r }, "step -1 out of range"},
		{"no steps per epoch", func(r []RunMetrics) []RunMetrics { r[1].StepsPerEpoch = 0; return r }, "0 steps per epoch"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "m.parquet")
			err := WriteMetrics(path, c.change(testRuns()), nil)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("WriteMetrics error %v, want one naming %s and saying %q", err, path, c.want)
			}
			assertNoFiles(t, dir)
		})
	}
}

func testEvaluation(depth int, classifier bool, scale float64) *ff.Evaluation {
	e := &ff.Evaluation{SplitMetrics: ff.SplitMetrics{ClassifierAccuracy: nan, ClassifierLoss: nan,
		GoodnessAccuracy: 0.5 * scale, Samples: 10000}}
	for l := range depth {
		lm := layerMetrics(scale+float64(l), false)
		e.Layers = append(e.Layers, lm)
	}
	for i := range ff.NumClasses {
		for j := range ff.NumClasses {
			e.GoodnessConfusion[i][j] = i*ff.NumClasses + j + int(scale)
		}
	}
	if classifier {
		e.ClassifierAccuracy, e.ClassifierLoss = 0.97, 0.1*scale
		for i := range ff.NumClasses {
			e.Confusion[i][i] = 1000 + int(scale)
			e.Confusion[i][(i+1)%ff.NumClasses] = i
		}
	}
	return e
}

func testEvaluations() []RunEvaluation {
	runs := testRuns()
	return []RunEvaluation{
		{Info: runs[0].Info, Epoch: 1, Step: 10, Eval: testEvaluation(2, true, 1)},
		{Info: runs[0].Info, Epoch: 3, Step: 30, Eval: testEvaluation(2, true, 3)},
		{Info: runs[1].Info, Epoch: 3, Step: 1800, Eval: testEvaluation(3, false, 5)},
	}
}

func TestEvaluationsRoundTrip(t *testing.T) {
	evals := testEvaluations()
	dir := t.TempDir()
	epath, cpath := filepath.Join(dir, "eval.parquet"), filepath.Join(dir, "confusion.parquet")
	if err := WriteEvaluations(epath, evals, testMeta()); err != nil {
		t.Fatal(err)
	}
	if err := WriteConfusion(cpath, evals, map[string]string{"split": "test"}); err != nil {
		t.Fatal(err)
	}

	rows, meta, err := ReadEvaluations(epath)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := EvaluationRows(evals)
	if len(want) != 2+2+3 {
		t.Fatalf("EvaluationRows gave %d rows, want 7", len(want))
	}
	sameRows(t, rows, want)
	if !maps.Equal(meta, testMeta()) {
		t.Errorf("metadata %v", meta)
	}
	if r := rows[6]; r.Layer != 3 || r.Epoch != 3 || !math.IsNaN(r.ClassifierAccuracy) || r.GoodnessAccuracy != 2.5 {
		t.Errorf("row 6 = %+v", r)
	}

	crows, cmeta, err := ReadConfusion(cpath)
	if err != nil {
		t.Fatal(err)
	}
	cwant, _ := ConfusionRows(evals)
	// Two checkpoints with both predictors, one without a classifier.
	if len(cwant) != 5*ff.NumClasses*ff.NumClasses {
		t.Fatalf("ConfusionRows gave %d rows, want 500", len(cwant))
	}
	sameRows(t, crows, cwant)
	if cmeta["split"] != "test" || len(cmeta) != 1 {
		t.Errorf("metadata %v", cmeta)
	}
	// Rebuild the matrices from the rows.
	var got [3][2][ff.NumClasses][ff.NumClasses]int
	for _, r := range crows {
		i := map[string]int{"loewe-d2-s1/1": 0, "loewe-d2-s1/3": 1, "pezeshki-d3-s18446744073709551615/3": 2}[fmt.Sprintf("%s/%d", r.RunID, r.Epoch)]
		p := map[string]int{PredictorClassifier: 0, PredictorGoodness: 1}[r.Predictor]
		got[i][p][r.TrueClass][r.PredictedClass] = r.Count
	}
	for i, e := range evals {
		if got[i][0] != e.Eval.Confusion || got[i][1] != e.Eval.GoodnessConfusion {
			t.Errorf("evaluation %d: confusion matrices differ after the round trip", i)
		}
	}
}

func TestEvaluationsBadInput(t *testing.T) {
	dir := t.TempDir()
	evals := testEvaluations()
	evals = append(evals, evals[1])
	for _, write := range []func(string, []RunEvaluation, map[string]string) error{WriteEvaluations, WriteConfusion} {
		if err := write(filepath.Join(dir, "e.parquet"), evals, nil); err == nil || !strings.Contains(err.Error(), "appears twice") {
			t.Errorf("duplicate checkpoint: error %v", err)
		}
	}
	evals = testEvaluations()
	evals[0].Eval = nil
	if err := WriteEvaluations(filepath.Join(dir, "e.parquet"), evals, nil); err == nil || !strings.Contains(err.Error(), "no evaluation") {
		t.Errorf("nil evaluation: error %v", err)
	}
	assertNoFiles(t, dir)
}

// TestWrongKind checks that each reader refuses the other files by their
// recorded kind rather than by failing on some column.
func TestWrongKind(t *testing.T) {
	dir := t.TempDir()
	m, e := filepath.Join(dir, "m.parquet"), filepath.Join(dir, "e.parquet")
	if err := WriteMetrics(m, testRuns(), nil); err != nil {
		t.Fatal(err)
	}
	if err := WriteEvaluations(e, testEvaluations(), nil); err != nil {
		t.Fatal(err)
	}
	_, _, err := ReadEvaluations(m)
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "file holds metrics/1, want evaluations/1") {
		t.Errorf("ReadEvaluations(metrics file): %v", err)
	}
	_, _, err = ReadConfusion(e)
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), e) {
		t.Errorf("ReadConfusion(evaluations file): %v", err)
	}
	_, _, err = ReadParams(m)
	if err == nil || !strings.Contains(err.Error(), m) {
		t.Errorf("ReadParams(Parquet file): %v", err)
	}
}

func TestReservedMetadata(t *testing.T) {
	for _, meta := range []map[string]string{
		{KindKey: "metrics/2"},
		{"ARROW:schema": "x"},
		{"": "x"},
		{"k": "\xc3\x28"},
		{"\xc3\x28": "v"},
	} {
		dir := t.TempDir()
		path := filepath.Join(dir, "m.parquet")
		if err := WriteMetrics(path, testRuns(), meta); err == nil || !strings.Contains(err.Error(), "metadata") {
			t.Errorf("metadata %q: error %v", meta, err)
		}
		assertNoFiles(t, dir)
	}
}

func assertNoFiles(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Errorf("%s left in %s", e.Name(), dir)
	}
}

// TestRowWriters checks that rows read back and written again give the
// original file's bytes, for each table kind.
func TestRowWriters(t *testing.T) {
	dir := t.TempDir()
	same := func(a, b string) {
		t.Helper()
		x, err := os.ReadFile(a)
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(b)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s and %s differ", a, b)
		}
	}
	m1, m2 := filepath.Join(dir, "m1"), filepath.Join(dir, "m2")
	if err := WriteMetrics(m1, testRuns(), testMeta()); err != nil {
		t.Fatal(err)
	}
	mrows, meta, err := ReadMetrics(m1)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteMetricsRows(m2, mrows, meta); err != nil {
		t.Fatal(err)
	}
	same(m1, m2)

	e1, e2 := filepath.Join(dir, "e1"), filepath.Join(dir, "e2")
	if err := WriteEvaluations(e1, testEvaluations(), testMeta()); err != nil {
		t.Fatal(err)
	}
	erows, meta, err := ReadEvaluations(e1)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteEvaluationRows(e2, erows, meta); err != nil {
		t.Fatal(err)
	}
	same(e1, e2)

	c1, c2 := filepath.Join(dir, "c1"), filepath.Join(dir, "c2")
	if err := WriteConfusion(c1, testEvaluations(), testMeta()); err != nil {
		t.Fatal(err)
	}
	crows, meta, err := ReadConfusion(c1)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteConfusionRows(c2, crows, meta); err != nil {
		t.Fatal(err)
	}
	same(c1, c2)

	// Rows that the engine path would have refused are refused here too.
	bad := filepath.Join(dir, "bad")
	mrows[3].Layer = 7
	if err := WriteMetricsRows(bad, mrows, nil); err == nil || !strings.Contains(err.Error(), "row 3") {
		t.Errorf("metrics row with layer 7 > depth: error %v", err)
	}
	mrows[3].Layer, mrows[3].Split = 1, "test"
	if err := WriteMetricsRows(bad, mrows, nil); err == nil || !strings.Contains(err.Error(), `split "test"`) {
		t.Errorf("metrics row with split test: error %v", err)
	}
	erows[0].Epoch = 0
	if err := WriteEvaluationRows(bad, erows, nil); err == nil || !strings.Contains(err.Error(), "epoch 0") {
		t.Errorf("evaluation row with epoch 0: error %v", err)
	}
	crows[5].PredictedClass = 10
	if err := WriteConfusionRows(bad, crows, nil); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Errorf("confusion row with class 10: error %v", err)
	}
	if _, err := os.Stat(bad); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused write left %s: %v", bad, err)
	}
}

// TestMetricsWithoutStepColumn reads a metrics table written before step
// recording existed (no step column): it reads, with step 0 on every row.
func TestMetricsWithoutStepColumn(t *testing.T) {
	runs := testRuns()[1:] // no step records
	rows, err := MetricsRows(runs)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "old.parquet")
	err = writeParquetFile(path, kindMetrics, nil, func() (*table, error) {
		tb, err := metricsCodec.table(reflect.ValueOf(rows))
		if err != nil {
			return nil, err
		}
		for i, f := range tb.fields {
			if f.Name == "step" {
				tb.fields = slices.Delete(tb.fields, i, i+1)
				tb.cols = slices.Delete(tb.cols, i, i+1)
				break
			}
		}
		return tb, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := ReadMetrics(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) {
		t.Fatalf("%d rows, want %d", len(got), len(rows))
	}
	for i := range got {
		if got[i].Step != 0 || got[i].Epoch != rows[i].Epoch || got[i].FFLoss != rows[i].FFLoss && !math.IsNaN(rows[i].FFLoss) {
			t.Fatalf("row %d = %+v, want %+v with step 0", i, got[i], rows[i])
		}
	}
}
