package analysis

import (
	"math"
	"strings"
	"testing"
)

// linearPoints returns one run per seed, depth 2: layer 1 rises along a
// seed-dependent curve, layer 2 is given by l2, and the model accuracy is
// a·layer1 + b.
func linearPoints(seeds int, a, b float64, l2 func(seed, epoch int) float64) []Point {
	var pts []Point
	for s := range seeds {
		run := "r" + string(rune('0'+s))
		for e := 1; e <= 8; e++ {
			l1 := 0.5 + 0.4*(1-math.Exp(-float64(e)/float64(s+2)))
			pts = append(pts,
				Point{Run: run, Treatment: "t", Depth: 2, Width: 50, Seed: uint64(s), Epoch: e, Layer: 1, LayerAccuracy: l1, ModelAccuracy: a*l1 + b, LabelAccuracy: math.NaN()},
				Point{Run: run, Treatment: "t", Depth: 2, Width: 50, Seed: uint64(s), Epoch: e, Layer: 2, LayerAccuracy: l2(s, e), ModelAccuracy: a*l1 + b, LabelAccuracy: 0.1 * float64(s)})
		}
	}
	return pts
}

func mustCurves(t *testing.T, pts []Point) []Curve {
	t.Helper()
	c, err := Curves(pts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLayerModelLinear(t *testing.T) {
	// model = a·layer1 + b, so layer 1's r is +1 (a > 0) or -1 (a < 0) in
	// every run, Pearson and Spearman alike (a monotone map keeps ranks).
	// |r| = 1 is clamped to MaxAbsR for the Fisher mean, with a warning,
	// so the summary is exactly ±MaxAbsR with a zero-width interval.
	wiggle := func(s, e int) float64 { return 0.6 + 0.01*float64((e*(s+3))%5) }
	for _, a := range []float64{0.9, -0.9} {
		want := math.Copysign(1, a)
		lms := LayerModelCorrelations(mustCurves(t, linearPoints(3, a, 0.05, wiggle)), 0.95)
		for _, lm := range lms {
			if lm.Layer == 1 && (!near(lm.Pearson.R, want, 1e-12) || !near(lm.Spearman.R, want, 1e-12)) {
				t.Errorf("a=%v run %s: r %v, rho %v, want %v", a, lm.Run, lm.Pearson.R, lm.Spearman.R, want)
			}
		}
		for _, s := range SummarizeCorrelations(lms, 0.95) {
			if s.Layer != 1 {
				continue
			}
			if !near(s.R, want*MaxAbsR, 1e-12) || s.Lo != s.R || s.Hi != s.R || s.Clamped != 3 || !hasWarning(s.Warnings, ErrClamped) {
				t.Errorf("a=%v %s summary: %+v", a, s.Method, s)
			}
		}
	}
}

func TestSummarizeCorrelationsFisher(t *testing.T) {
	// Three runs with different layer-2 correlations. The summary must be
	// tanh of the mean of atanh(r) with the t interval (ν = 2,
	// t(0.975, 2) = 0.95/√(2·0.975·0.025) in closed form), computed here
	// from the per-run r independently of the package's averaging.
	l2 := func(s, e int) float64 { return 0.5 + 0.03*float64(e) + 0.02*float64((e*(s+2))%3) }
	lms := LayerModelCorrelations(mustCurves(t, linearPoints(3, 0.8, 0.1, l2)), 0.95)
	var zs []float64
	for _, lm := range lms {
		if lm.Layer == 2 {
			zs = append(zs, math.Atanh(lm.Pearson.R))
		}
	}
	mean := (zs[0] + zs[1] + zs[2]) / 3
	var ss float64
	for _, z := range zs {
		ss += (z - mean) * (z - mean)
	}
	sd := math.Sqrt(ss / 2)
	q := 0.95 / math.Sqrt(2*0.975*0.025)
	tstat := mean / (sd / math.Sqrt(3))
	p := 1 - tstat/math.Sqrt(2+tstat*tstat) // ν=2: P(|T| ≥ t) = 1 - t/√(2+t²)
	for _, s := range SummarizeCorrelations(lms, 0.95) {
		if s.Layer != 2 || s.Method != PearsonMethod {
			continue
		}
		if !near(s.R, math.Tanh(mean), 1e-12) || !near(s.Lo, math.Tanh(mean-q*sd/math.Sqrt(3)), 1e-9) ||
			!near(s.Hi, math.Tanh(mean+q*sd/math.Sqrt(3)), 1e-9) || !near(s.P, p, 1e-9) || s.Z.N != 3 || len(s.Warnings) != 0 {
			t.Errorf("summary %+v, want r %v, p %v", s, math.Tanh(mean), p)
		}
	}
}

func TestCorrelationWarnings(t *testing.T) {
	// Run r0's layer 2 is constant: its correlation is undefined, it is
	// left out of the mean and counted.
	l2 := func(s, e int) float64 {
		if s == 0 {
			return 0.7
		}
		return 0.5 + 0.01*float64(e*e%(s+4))
	}
	lms := LayerModelCorrelations(mustCurves(t, linearPoints(3, 0.8, 0.1, l2)), 0.95)
	if lm := lms[1]; lm.Run != "r0" || lm.Layer != 2 || lm.Pearson.Defined() || !hasWarning(lm.Pearson.Warnings, ErrConstant) ||
		!strings.Contains(lm.Pearson.Warnings[0].Error(), `run "r0" layer 2`) {
		t.Errorf("constant layer: %+v", lm)
	}
	for _, s := range SummarizeCorrelations(lms, 0.95) {
		if s.Layer == 2 && (s.Undefined != 1 || s.Z.N != 2 || !hasWarning(s.Warnings, ErrConstant)) {
			t.Errorf("summary with a constant run: %+v", s)
		}
	}

	// One seed: a mean but no interval (r in [-1, 1]) and no p-value.
	lms = LayerModelCorrelations(mustCurves(t, linearPoints(1, 0.8, 0.1, l2)), 0.95)
	for _, s := range SummarizeCorrelations(lms, 0.95) {
		if s.Layer == 1 && (s.Lo != -1 || s.Hi != 1 || !math.IsNaN(s.P) || !hasWarning(s.Warnings, ErrTooFewSeeds)) {
			t.Errorf("one seed: %+v", s)
		}
	}
}

func TestFinalCorrelations(t *testing.T) {
	// Final (epoch 8) accuracies across 5 seeds: the result must be the
	// Pearson correlation of those values (validated in TestPearson).
	l2 := func(s, e int) float64 { return 0.5 + 0.01*float64(e) + 0.013*float64(s*s%7) }
	curves := mustCurves(t, linearPoints(5, -0.5, 0.9, l2))
	var x, y []float64
	for _, c := range curves {
		if c.Layer == 2 {
			x = append(x, c.LayerAccuracy[7])
			y = append(y, c.ModelAccuracy[7])
		}
	}
	want := Pearson(x, y, 0.95)
	fc := FinalCorrelations(curves, 0.95)
	if len(fc) != 2 || fc[1].Layer != 2 || fc[1].N != 5 || fc[1].R != want.R || fc[1].Lo != want.Lo {
		t.Errorf("final correlations %+v, want layer 2 r %v", fc, want.R)
	}
	// Layer 1's final model accuracy is -0.5·layer1 + 0.9: r = -1.
	if !near(fc[0].R, -1, 1e-12) {
		t.Errorf("layer 1 final r = %v, want -1", fc[0].R)
	}
	// Three seeds: r and p, but no Fisher interval.
	fc = FinalCorrelations(mustCurves(t, linearPoints(3, -0.5, 0.9, l2)), 0.95)
	if fc[1].Lo != -1 || fc[1].Hi != 1 || !hasWarning(fc[1].Warnings, ErrTooFewSeeds) {
		t.Errorf("three seeds: %+v", fc[1])
	}
}

func TestCurvesErrors(t *testing.T) {
	ok := Point{Run: "a", Treatment: "t", Depth: 2, Width: 10, Seed: 1, Epoch: 1, Layer: 1, LayerAccuracy: 0.5, ModelAccuracy: 0.3}
	mod := func(f func(p *Point)) Point { p := ok; f(&p); return p }
	tests := []struct {
		name string
		pts  []Point
		msg  string
	}{
		{"empty run", []Point{mod(func(p *Point) { p.Run = "" })}, "empty run"},
		{"layer past depth", []Point{mod(func(p *Point) { p.Layer = 3 })}, "outside 1..2"},
		{"epoch 0", []Point{mod(func(p *Point) { p.Epoch = 0 })}, "epoch 0"},
		{"duplicate", []Point{ok, ok}, "appears twice"},
		{"seed differs", []Point{ok, mod(func(p *Point) { p.Seed = 2; p.Epoch = 2 })}, "disagree"},
		{"model differs", []Point{ok, mod(func(p *Point) { p.Layer = 2; p.ModelAccuracy = 0.4 })}, "model accuracy differs"},
	}
	for _, tt := range tests {
		if _, err := Curves(tt.pts); err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: err %v, want one containing %q", tt.name, err, tt.msg)
		}
	}
	// Unsorted input comes out sorted by epoch.
	c, err := Curves([]Point{mod(func(p *Point) { p.Epoch = 3; p.LayerAccuracy = 0.9 }), ok})
	if err != nil || len(c) != 1 || c[0].Epochs[0] != 1 || c[0].LayerAccuracy[1] != 0.9 {
		t.Errorf("Curves = %+v, %v", c, err)
	}
}

func TestSummarizeCurves(t *testing.T) {
	// Two seeds: layer-2 accuracy at epoch e is 0.5+0.01e+0.02s, so the
	// mean is 0.51+0.01e, SD 0.02/√2, and the interval half-width
	// t(0.975, 1)·SD/√2 = tan(0.475π)·0.01 (Cauchy closed form).
	l2 := func(s, e int) float64 { return 0.5 + 0.01*float64(e) + 0.02*float64(s) }
	cs := SummarizeCurves(mustCurves(t, linearPoints(2, 0.5, 0.1, l2)), 0.95)
	if len(cs) != 16 {
		t.Fatalf("%d summaries, want 16", len(cs))
	}
	half := math.Tan(0.475*math.Pi) * 0.01
	for _, s := range cs {
		if s.Layer != 2 {
			// Layer 1's label accuracy is NaN in both runs.
			if s.LabelAccuracy.Missing != 2 || !hasWarning(s.LabelAccuracy.Warnings, ErrTooFewSeeds) {
				t.Errorf("layer 1 label accuracy %+v", s.LabelAccuracy)
			}
			continue
		}
		m := 0.51 + 0.01*float64(s.Epoch)
		if !near(s.LayerAccuracy.Mean, m, 1e-12) || !near(s.LayerAccuracy.Hi-m, half, 1e-9) || s.LayerAccuracy.N != 2 {
			t.Errorf("epoch %d: %+v, want %v ± %v", s.Epoch, s.LayerAccuracy, m, half)
		}
		// Label accuracy 0.1s: mean 0.05.
		if !near(s.LabelAccuracy.Mean, 0.05, 1e-12) {
			t.Errorf("epoch %d label %+v", s.Epoch, s.LabelAccuracy)
		}
	}
	fm := FinalModelAccuracy(mustCurves(t, linearPoints(1, 0.5, 0.1, l2)), 0.95)
	if len(fm) != 1 || fm[0].N != 1 || !hasWarning(fm[0].Warnings, ErrTooFewSeeds) {
		t.Errorf("final model accuracy with one seed: %+v", fm)
	}
}
