package analysis

import (
	"math"
	"math/rand/v2"
	"testing"
)

// synthRuns builds n runs of one treatment (depth 1) recorded at steps
// 0, 10, …, 10·(T−1). Every run's layer and model share the shape
// shape(t) of amplitude amp; a run-specific deviation d_i(t) (a random walk, SD dev per
// step) enters the layer with weight a and the model with weight b; each
// half of the probe adds independent white noise of SD noise to each
// curve, and the whole probe is the mean of the halves. It returns the
// whole curves and the halves.
func synthRuns(n, T int, amp, a, b, dev, noise float64, seed uint64) ([]Curve, [2][]Curve) {
	rng := rand.New(rand.NewPCG(seed, 1))
	g := Group{Treatment: "depth=1,width=10", Depth: 1, Width: 10}
	var whole []Curve
	var halves [2][]Curve
	for i := 0; i < n; i++ {
		steps := make([]int, T)
		var d float64
		tl, tm := make([]float64, T), make([]float64, T)
		for t := range steps {
			steps[t] = 10 * t
			shape := 0.5 + amp*(1-math.Exp(-float64(t)/8))
			d += dev * rng.NormFloat64()
			tl[t], tm[t] = shape+a*d, shape+b*d
		}
		c := Curve{Group: g, Run: string(rune('a' + i)), Seed: uint64(i), Layer: 1, Epochs: steps}
		var hs [2]Curve
		for h := range hs {
			hs[h] = Curve{Group: g, Run: c.Run, Seed: c.Seed, Layer: 1, Epochs: steps,
				LayerAccuracy: make([]float64, T), ModelAccuracy: make([]float64, T)}
			for t := range steps {
				hs[h].LayerAccuracy[t] = tl[t] + noise*rng.NormFloat64()
				hs[h].ModelAccuracy[t] = tm[t] + noise*rng.NormFloat64()
			}
			halves[h] = append(halves[h], hs[h])
		}
		for t := range steps {
			c.LayerAccuracy = append(c.LayerAccuracy, (hs[0].LayerAccuracy[t]+hs[1].LayerAccuracy[t])/2)
			c.ModelAccuracy = append(c.ModelAccuracy, (hs[0].ModelAccuracy[t]+hs[1].ModelAccuracy[t])/2)
		}
		c.LabelAccuracy = make([]float64, T)
		whole = append(whole, c)
	}
	return whole, halves
}

func levelsView(Group) []View { return []View{{Clock: ClockStep, Measure: ViewLevels}} }

// TestCouplingSharedShape: layer and model share a strong time course and
// nothing else. Their levels correlate highly within a run, but no more
// than with another run's model: the surrogate equals the within r, the
// excess is 0 within its CI, and the permutation test does not reject.
func TestCouplingSharedShape(t *testing.T) {
	curves, halves := synthRuns(30, 50, 0.4, 0, 0, 0, 0.01, 1)
	cs := Couplings(curves, &halves, levelsView, 0.95)
	if len(cs) != 1 {
		t.Fatalf("%d couplings, want 1", len(cs))
	}
	c := cs[0]
	if c.R() < 0.9 {
		t.Errorf("within r %.3f: the shared shape should dominate", c.R())
	}
	if s := math.Tanh(c.Surrogate.Mean); math.Abs(s-c.R()) > 0.01 {
		t.Errorf("surrogate r %.4f, within %.4f: should agree (no coupling)", s, c.R())
	}
	if !(c.Excess.Lo < 0 && c.Excess.Hi > 0) || math.Abs(c.Excess.Mean) > 0.05 {
		t.Errorf("excess %.4f [%.4f, %.4f], want ≈ 0 with 0 inside its CI", c.Excess.Mean, c.Excess.Lo, c.Excess.Hi)
	}
	if c.PPerm < 0.05 {
		t.Errorf("permutation p %.4f rejects a pairing without coupling", c.PPerm)
	}
	if math.Abs(math.Tanh(c.Residual.Mean)) > 0.1 {
		t.Errorf("residual r %.3f, want ≈ 0", math.Tanh(c.Residual.Mean))
	}
}

// TestCouplingInjected: a run-specific random walk shared by layer and
// model (weights 1 and 1, so the true residual correlation is
// var(d)/(var(d)+σ²) ≈ 1 for a walk much larger than the noise) is
// recovered as a positive excess with a small permutation p and a
// residual r near its expected value.
func TestCouplingInjected(t *testing.T) {
	curves, halves := synthRuns(30, 50, 0.4, 1, 1, 0.01, 0.005, 2)
	c := Couplings(curves, &halves, levelsView, 0.95)[0]
	if !(c.Excess.Lo > 0.1) {
		t.Errorf("excess %.3f [%.3f, %.3f], want clearly positive", c.Excess.Mean, c.Excess.Lo, c.Excess.Hi)
	}
	if c.PPerm > 0.001 {
		t.Errorf("permutation p %.4f, want ≤ 0.001 (the smallest is 1/%d)", c.PPerm, CouplingPermutations+1)
	}
	// The residual of the whole probe: d_i − mean d plus noise of SD
	// 0.005/√2 per curve. A walk of SD 0.01 per step over 50 steps varies
	// by far more than that, so r must be near 1.
	if r := math.Tanh(c.Residual.Mean); r < 0.9 {
		t.Errorf("residual r %.3f, want ≥ 0.9", r)
	}
	// Opposite signs: the model moves against the layer.
	curves, halves = synthRuns(30, 50, 0.4, 1, -1, 0.01, 0.005, 3)
	c = Couplings(curves, &halves, levelsView, 0.95)[0]
	if !(c.Excess.Hi < -0.1) || c.PPerm > 0.001 {
		t.Errorf("negative coupling: excess %.3f [%.3f, %.3f], p %.4f", c.Excess.Mean, c.Excess.Lo, c.Excess.Hi, c.PPerm)
	}
}

// TestSplitHalfReliability checks the reliability and ceiling against
// their closed form. Increments over 10-step windows (one recorded point)
// of a flat curve (no shared shape, whose increments would add signal) whose
// true increments are white with variance V and whose halves add white
// noise of variance σ² per point: each half's increment has noise
// variance 2σ², the whole probe's σ². So the whole's reliability is
// V/(V+σ²), which Spearman–Brown gives from the halves' r = V/(V+2σ²).
func TestSplitHalfReliability(t *testing.T) {
	const (
		dev   = 0.02 // SD of the walk's step: V = dev² (a = 1)
		noise = 0.01 // σ
	)
	view := func(Group) []View { return []View{{Clock: ClockStep, Measure: ViewIncrements, Window: 10}} }
	curves, halves := synthRuns(200, 60, 0, 1, 1, dev, noise, 4)
	c := Couplings(curves, &halves, view, 0.95)[0]
	V, s2 := dev*dev, noise*noise
	want := V / (V + s2)
	for _, got := range []float64{c.Reliability.Layer, c.Reliability.Model} {
		// 200 runs × 59 increments: the estimate's SE is about 0.005.
		if math.Abs(got-want) > 0.03 {
			t.Errorf("reliability %.4f, want %.4f ± 0.03", got, want)
		}
	}
	if math.Abs(c.Reliability.Ceiling-want) > 0.03 {
		t.Errorf("ceiling %.4f, want %.4f ± 0.03", c.Reliability.Ceiling, want)
	}
	// Layer and model share the walk exactly: the observed r is the
	// ceiling, and disattenuating it gives about 1.
	if d := c.Disattenuated(); math.Abs(d-1) > 0.05 {
		t.Errorf("disattenuated r %.3f, want 1 ± 0.05 (observed %.3f, ceiling %.3f)", d, c.R(), c.Reliability.Ceiling)
	}
	// Without halves there is no reliability.
	if c := Couplings(curves, nil, view, 0.95)[0]; !math.IsNaN(c.Reliability.Ceiling) {
		t.Errorf("ceiling %v without halves, want NaN", c.Reliability.Ceiling)
	}
}

// TestSpearmanBrownAndPower checks the closed forms: 2r/(1+r), and the
// Fisher-z power formula against values computed by hand:
// z_0.975 + z_0.8 = 1.959964 + 0.841621 = 2.801585;
// n = 30: tanh(2.801585/√27) = 0.492356; n = 10: tanh(2.801585/√7) = 0.785242.
func TestSpearmanBrownAndPower(t *testing.T) {
	for _, tt := range []struct{ r, want float64 }{{0.5, 2.0 / 3}, {0, 0}, {-0.3, 0}, {1, 1}} {
		if got := SpearmanBrown(tt.r); math.Abs(got-tt.want) > 1e-15 {
			t.Errorf("SpearmanBrown(%v) = %v, want %v", tt.r, got, tt.want)
		}
	}
	for _, tt := range []struct {
		n    int
		want float64
	}{{30, 0.492356}, {10, 0.785242}} {
		if got := MinDetectableR(tt.n, 0.95, 0.8); math.Abs(got-tt.want) > 1e-5 {
			t.Errorf("MinDetectableR(%d) = %.6f, want %.6f", tt.n, got, tt.want)
		}
	}
	if !math.IsNaN(MinDetectableR(3, 0.95, 0.8)) {
		t.Error("MinDetectableR(3) defined")
	}
}

// TestWindowView checks the windowed increments on a curve recorded every
// 10 steps: windows of 20 from step 20 over steps 0..100 are the
// differences y(40)−y(20), y(60)−y(40), y(80)−y(60), y(100)−y(80); a
// window that does not fall on recorded steps interpolates.
func TestWindowView(t *testing.T) {
	steps := []int{0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}
	y := make([]float64, len(steps))
	for i, s := range steps {
		y[i] = float64(s * s)
	}
	v := View{Clock: ClockStep, Measure: ViewIncrements, Window: 20, Start: 20}
	got := v.series(steps, y, v.grid(steps))
	want := []float64{1600 - 400, 3600 - 1600, 6400 - 3600, 10000 - 6400}
	if len(got) != len(want) {
		t.Fatalf("series %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("window %d: %v, want %v", i, got[i], want[i])
		}
	}
	v = View{Clock: ClockStep, Measure: ViewIncrements, Window: 25, Start: 0}
	// y(25) interpolates 400 and 900: 650; y(50) = 2500.
	if got := v.series(steps, y, v.grid(steps)); got[0] != 650 || got[1] != 2500-650 {
		t.Errorf("interpolated windows %v, want [650 1850 …]", got)
	}
	lv := View{Clock: ClockStep, Measure: ViewLevels, Start: 35}
	if got := lv.grid(steps); len(got) != 7 || got[0] != 40 {
		t.Errorf("levels from 35: grid %v, want 40..100", got)
	}
}

// TestStartStep: layer 1 flat at 0.5 until step 30, then rising. With a
// probe of 500 samples, 2 SE at p = 0.5 is 2·√(0.25/1000) = 0.0316: the
// first step above 0.5316 is 50 (0.54), rounded up to a multiple of 20:
// 60.
func TestStartStep(t *testing.T) {
	steps := []int{0, 10, 20, 30, 40, 50, 60}
	acc := []float64{0.5, 0.5, 0.5, 0.5, 0.52, 0.54, 0.6}
	c := []Curve{{Epochs: steps, LayerAccuracy: acc}}
	if s, ok := StartStep(c, 500, 2, 20); !ok || s != 60 {
		t.Errorf("StartStep = %d, %v; want 60, true", s, ok)
	}
	if s, ok := StartStep(c, 500, 2, 1); !ok || s != 50 {
		t.Errorf("StartStep unrounded = %d, %v; want 50, true", s, ok)
	}
	if _, ok := StartStep(c, 500, 10, 1); ok {
		t.Error("StartStep found a start 10 SE above step 0 (0.658 is never reached)")
	}
}
