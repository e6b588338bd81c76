package analysis

import (
	"math"
	"testing"
)

// logistic is a learning curve rising from 0.5 to 0.95 around centre c.
func logistic(e, c float64) float64 {
	return 0.5 + 0.45/(1+math.Exp(-(e-c)/0.5))
}

func epochs(n int) []int {
	es := make([]int, n)
	for i := range es {
		es[i] = i + 1
	}
	return es
}

func TestReachEpoch(t *testing.T) {
	// A straight line 0, 0.2, ..., 1 at epochs 1..6: gain 1, so f of the
	// gain is reached at epoch 1 + 5f exactly (the interpolation is exact
	// on a line).
	line := []float64{0, 0.2, 0.4, 0.6, 0.8, 1}
	// A curve that overshoots and falls back: gain is measured to the
	// maximum, the first crossing counts. y0 = 0.5, max 0.9, 50% → 0.7
	// crossed between epoch 2 (0.6) and 3 (0.9): 2 + 0.1/0.3.
	overshoot := []float64{0.5, 0.6, 0.9, 0.7, 0.8}
	tests := []struct {
		name string
		y    []float64
		frac float64
		want float64
	}{
		{"line 50%", line, 0.5, 3.5},
		{"line 90%", line, 0.9, 5.5},
		{"line 95%", line, 0.95, 5.75},
		{"line 100%", line, 1, 6},
		{"overshoot 50%", overshoot, 0.5, 2 + 0.1/0.3},
		{"overshoot 100%", overshoot, 1, 3},
	}
	for _, tt := range tests {
		got, err := ReachEpoch(epochs(len(tt.y)), tt.y, tt.frac)
		if err != nil || !near(got, tt.want, 1e-12) {
			t.Errorf("%s: ReachEpoch = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	for _, y := range [][]float64{{0.9, 0.8, 0.9, 0.7}, {0.5, 0.5, 0.5}} {
		if got, err := ReachEpoch(epochs(len(y)), y, 0.5); !math.IsNaN(got) || !errorsIs(err, ErrNoGain) {
			t.Errorf("ReachEpoch(%v) = %v, %v; want NaN, ErrNoGain", y, got, err)
		}
	}
}

func TestBestLag(t *testing.T) {
	// Logistic curves shifted by exactly k epochs: the overlap at lag k
	// holds identical values, so r = 1 there and nowhere else.
	n := 30
	for _, k := range []int{0, 1, 2, 5, -3} {
		ref, y := make([]float64, n), make([]float64, n)
		for i := range n {
			ref[i] = logistic(float64(i+1), 12)
			y[i] = logistic(float64(i+1), 12+float64(k))
		}
		lag, r, ok := BestLag(ref, y)
		if !ok || lag != k || !near(r, 1, 1e-12) {
			t.Errorf("shift %d: BestLag = %d (r %v, ok %v), want %d, r 1", k, lag, r, ok, k)
		}
	}
	if _, _, ok := BestLag([]float64{1, 1, 1, 1}, []float64{1, 2, 3, 4}); ok {
		t.Errorf("BestLag of a constant reference reported a lag")
	}
}

// shiftedPoints returns points of runs whose layer l follows a logistic
// curve centred at 12 + step(seed)·(l-1), over n epochs, with model
// accuracy a linear function of layer 1's plus a seed-dependent wiggle.
func shiftedPoints(treatment string, depth, width, seeds, n int, step func(seed int) float64, wiggle float64) []Point {
	var pts []Point
	for s := range seeds {
		run := treatment + "/" + string(rune('a'+s))
		for e := 1; e <= n; e++ {
			l1 := logistic(float64(e), 12)
			model := 0.8*l1 + 0.1 + wiggle*math.Sin(float64(e*(s+2)))
			for l := 1; l <= depth; l++ {
				acc := logistic(float64(e), 12+step(s)*float64(l-1))
				pts = append(pts, Point{Run: run, Treatment: treatment, Depth: depth, Width: width, Seed: uint64(s),
					Epoch: e, Layer: l, LayerAccuracy: acc, ModelAccuracy: model, LabelAccuracy: math.NaN()})
			}
		}
	}
	return pts
}

func TestDelaysKnownShift(t *testing.T) {
	// Every layer is layer 1 shifted by 2 epochs per layer index, and the
	// plateaus are inside the 40 epochs (the first value is within 1e-9 of
	// the floor), so every reach epoch and the lag grow by 2 per layer.
	// Tolerance 1e-6 covers the residual difference of the first values.
	pts := shiftedPoints("shift2", 4, 100, 3, 40, func(int) float64 { return 2 }, 0)
	curves, err := Curves(pts)
	if err != nil {
		t.Fatal(err)
	}
	ds := Delays(curves, EpochDelays)
	if len(ds) != 12 {
		t.Fatalf("%d delays, want 12", len(ds))
	}
	for _, d := range ds {
		if len(d.Warnings) != 0 {
			t.Errorf("run %s layer %d: warnings %v", d.Run, d.Layer, d.Warnings)
		}
		// Layer 1's 50% point is its centre, 12, exactly by symmetry of
		// the samples around it.
		want := 12 + 2*float64(d.Layer-1)
		if !near(d.Value(MeasureE50), want, 1e-6) || d.Value(MeasureLag) != 2*float64(d.Layer-1) {
			t.Errorf("run %s layer %d: t50 %v lag %v, want %v, %v", d.Run, d.Layer, d.Value(MeasureE50), d.Value(MeasureLag), want, 2*(d.Layer-1))
		}
		t90 := ds[0].Value(MeasureE90) + 2*float64(d.Layer-1)
		if !near(d.Value(MeasureE90), t90, 1e-6) {
			t.Errorf("layer %d: t90 %v, want %v", d.Layer, d.Value(MeasureE90), t90)
		}
	}

	sums := SummarizeDelays(ds, EpochDelays.Measures(), 0.95)
	for _, s := range sums {
		if s.Measure == MeasureE50 && (!near(s.Mean, 12+2*float64(s.Layer-1), 1e-6) || s.N != 3) {
			t.Errorf("summary layer %d: %+v", s.Layer, s)
		}
	}

	trends := DelayTrends(ds, EpochDelays.Measures(), 0.95)
	if len(trends) != len(EpochDelays.Measures()) {
		t.Fatalf("%d trends, want %d", len(trends), len(EpochDelays.Measures()))
	}
	for _, tr := range trends {
		if !near(tr.Slope.Mean, 2, 1e-6) || tr.Slope.N != 3 {
			t.Errorf("%v: slope %+v, want 2 over 3 runs", tr.Measure, tr.Slope)
		}
		if c, ok := tr.Regression.Coef(LayerRegressor); !ok || !near(c.Estimate, 2, 1e-6) {
			t.Errorf("%v: regression slope %+v, want 2", tr.Measure, c)
		}
		if len(tr.Steps) != 3 {
			t.Fatalf("%v: %d steps, want 3", tr.Measure, len(tr.Steps))
		}
		// The three seeds are identical, so the three differences tie: the
		// normal approximation applies (as in R), with V = 6, mean 3,
		// variance 3·4·7/24 - (3³-3)/48 = 3, and a continuity correction:
		// P(V ≥ 6) ≈ 1 - Φ((6 - 3 - 0.5)/√3).
		pg := 0.5 * math.Erfc(2.5/math.Sqrt(3)/math.Sqrt2)
		for _, st := range tr.Steps {
			if !near(st.Diff.Mean, 2, 1e-6) || st.Test.Exact || !near(st.Test.PGreater, pg, 1e-12) {
				t.Errorf("%v step %d→%d: %+v", tr.Measure, st.From, st.To, st)
			}
		}
		if tr.Pooled.N != 3 || !near(tr.Pooled.PGreater, pg, 1e-12) {
			t.Errorf("%v pooled: %+v", tr.Measure, tr.Pooled)
		}
	}
}

func TestDelayTrendSeedShifts(t *testing.T) {
	// Seed s shifts each layer by s+1 whole epochs (s = 0..4; whole, so
	// the samples shift exactly), so run s has t50 slope s+1: mean 3, SD
	// √2.5, 95% interval 3 ± t(0.975, 4)·√2.5/√5 with t(0.975, 4) =
	// 2.776445 (table). The five distinct positive steps give the exact
	// signed-rank p 1/32 (one-sided), 1/16 (two-sided). Tolerance 1e-6
	// (see TestDelaysKnownShift).
	pts := shiftedPoints("jitter", 3, 100, 5, 40, func(s int) float64 { return float64(s + 1) }, 0)
	curves, err := Curves(pts)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range DelayTrends(Delays(curves, EpochDelays), EpochDelays.Measures(), 0.95) {
		if tr.Measure != MeasureE50 {
			continue
		}
		half := 2.776445 * math.Sqrt(2.5) / math.Sqrt(5)
		if !near(tr.Slope.Mean, 3, 1e-6) || !near(tr.Slope.Lo, 3-half, 1e-6) || !near(tr.Slope.Hi, 3+half, 1e-6) {
			t.Errorf("slope %+v, want 3 ± %v", tr.Slope, half)
		}
		for _, st := range tr.Steps {
			if !st.Test.Exact || st.Test.N != 5 || !near(st.Test.PGreater, 1.0/32, 1e-15) || !near(st.Test.P, 1.0/16, 1e-15) {
				t.Errorf("step %d→%d: %+v", st.From, st.To, st.Test)
			}
		}
		if !tr.Pooled.Exact || !near(tr.Pooled.PGreater, 1.0/32, 1e-15) {
			t.Errorf("pooled: %+v", tr.Pooled)
		}
	}
}

func TestDelayNoGain(t *testing.T) {
	// Layer 2 never rises above its first value: its delays are undefined
	// with a warning and it is left out of the summary, counted.
	var pts []Point
	for s := range 2 {
		run := string(rune('a' + s))
		for e := 1; e <= 6; e++ {
			pts = append(pts,
				Point{Run: run, Treatment: "t", Depth: 2, Width: 10, Seed: uint64(s), Epoch: e, Layer: 1, LayerAccuracy: 0.5 + 0.05*float64(e), ModelAccuracy: 0.1 * float64(e)},
				Point{Run: run, Treatment: "t", Depth: 2, Width: 10, Seed: uint64(s), Epoch: e, Layer: 2, LayerAccuracy: 0.9 - 0.01*float64(e), ModelAccuracy: 0.1 * float64(e)})
		}
	}
	curves, err := Curves(pts)
	if err != nil {
		t.Fatal(err)
	}
	ds := Delays(curves, EpochDelays)
	for _, d := range ds {
		if d.Layer == 2 && (!math.IsNaN(d.Value(MeasureE50)) || !hasWarning(d.Warnings, ErrNoGain)) {
			t.Errorf("layer 2: t50 %v warnings %v, want NaN with ErrNoGain", d.Value(MeasureE50), d.Warnings)
		}
	}
	for _, s := range SummarizeDelays(ds, EpochDelays.Measures(), 0.95) {
		if s.Layer == 2 && s.Measure == MeasureE50 && (s.N != 0 || s.Undefined != 2 || !hasWarning(s.Warnings, ErrNoGain)) {
			t.Errorf("layer 2 summary: %+v, want 0 used, 2 undefined, ErrNoGain", s)
		}
	}
}
