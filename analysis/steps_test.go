package analysis

import (
	"math"
	"math/rand/v2"
	"testing"
)

// schedule is the default recording schedule (every 20 steps after a
// dense start) of a run of 8 epochs of 500 steps, as ff.StepSchedule
// gives it; written out here because analysis does not import ff.
func schedule() []int {
	s := []int{0, 1, 2, 3, 4, 6, 8, 11, 16}
	for x := 20; x <= 4000; x += 20 {
		s = append(s, x)
	}
	return s
}

// logisticCurve is lo + (hi-lo)/(1+exp(-(s-c)/tau)).
func logisticCurve(lo, hi, c, tau float64) func(float64) float64 {
	return func(s float64) float64 { return lo + (hi-lo)/(1+math.Exp(-(s-c)/tau)) }
}

// inverse returns the step at which logisticCurve(lo, hi, c, tau) equals y.
func inverse(lo, hi, c, tau, y float64) float64 {
	q := (y - lo) / (hi - lo)
	return c + tau*math.Log(q/(1-q))
}

// stepRun returns the probe points of one run whose layer l follows f[l-1],
// with the model accuracy given by model.
func stepRun(run string, g Group, seed uint64, steps []int, f []func(float64) float64, model func(float64) float64) []Point {
	var pts []Point
	for l, fl := range f {
		for _, s := range steps {
			pts = append(pts, Point{Run: run, Treatment: g.Treatment, Depth: g.Depth, Width: g.Width, Seed: seed,
				Epoch: s, Layer: l + 1, LayerAccuracy: fl(float64(s)), ModelAccuracy: model(float64(s)), LabelAccuracy: math.NaN()})
		}
	}
	return pts
}

// TestStepDelaysLogistic checks the delays of three logistic layers shifted
// by 50 steps each against their closed forms. Tolerance: 2 steps for the
// gain and threshold crossings (linear interpolation between points 20
// steps apart on a logistic with τ = 30 errs by less than that), and the
// lag to the 5-step resampling grid.
func TestStepDelaysLogistic(t *testing.T) {
	g := Group{Treatment: "t", Depth: 3, Width: 100}
	const lo, hi, tau = 0.5, 0.95, 30
	centres := []float64{100, 150, 200}
	var f []func(float64) float64
	for _, c := range centres {
		f = append(f, logisticCurve(lo, hi, c, tau))
	}
	curves, err := StepCurves(stepRun("r", g, 1, schedule(), f, f[0]))
	if err != nil {
		t.Fatal(err)
	}
	ds := Delays(curves, StepOptions{}.DelayOptions())
	if len(ds) != 3 {
		t.Fatalf("%d delays, want 3", len(ds))
	}
	for i, d := range ds {
		c := centres[i]
		y0 := f[i](0)
		top := f[i](4000)
		want := map[string]float64{
			MeasureS50: inverse(lo, hi, c, tau, y0+0.5*(top-y0)),
			MeasureS90: inverse(lo, hi, c, tau, y0+0.9*(top-y0)),
			"t60":      inverse(lo, hi, c, tau, 0.6),
			"t70":      inverse(lo, hi, c, tau, 0.7),
			"t80":      inverse(lo, hi, c, tau, 0.8),
			"t90":      inverse(lo, hi, c, tau, 0.9),
		}
		for m, w := range want {
			if got := d.Values[m]; math.Abs(got-w) > 2 {
				t.Errorf("layer %d %s = %.2f, want %.2f ± 2", d.Layer, m, got, w)
			}
		}
		if got, w := d.Values[MeasureLag], c-centres[0]; math.Abs(got-w) > DefaultLagGrid {
			t.Errorf("layer %d lag = %g, want %g ± %d", d.Layer, got, w, DefaultLagGrid)
		}
	}
	_, slopes, left := RunSlopes(ds, MeasureS50)
	if left != 0 || len(slopes) != 1 || math.Abs(slopes[0]-50) > 2 {
		t.Errorf("S50 slope %v (left out %d), want 50 ± 2 steps per layer", slopes, left)
	}
}

// TestCatchUpLayer is the case the per-epoch measure gets backwards: layer
// 2 starts behind layer 1 and catches up fast during the second epoch.
// Measured from the end of epoch 1 (gain over the epoch-1 value, curves
// sampled at epoch ends), its t50 comes earlier than layer 1's; measured
// from step 0 at step resolution, it comes later, as do its threshold
// crossings, and its lag behind layer 1 is positive. Expected values are
// the closed forms of the logistics (tolerance 3 steps).
func TestCatchUpLayer(t *testing.T) {
	g := Group{Treatment: "t", Depth: 2, Width: 100}
	l1 := logisticCurve(0.5, 0.95, 300, 150) // slow riser
	l2 := logisticCurve(0.5, 0.95, 450, 60)  // starts behind, catches up fast
	pts := stepRun("r", g, 1, schedule(), []func(float64) float64{l1, l2}, l1)

	// Per epoch: points at steps 500, 1000, ..., 4000 as epochs 1..8.
	var epochPts []Point
	for _, p := range pts {
		if p.Epoch > 0 && p.Epoch%500 == 0 {
			q := p
			q.Epoch = p.Epoch / 500
			epochPts = append(epochPts, q)
		}
	}
	ec, err := Curves(epochPts)
	if err != nil {
		t.Fatal(err)
	}
	ed := Delays(ec, EpochDelays)
	if !(ed[1].Value(MeasureE50) < ed[0].Value(MeasureE50)) {
		t.Fatalf("per-epoch t50: layer 1 %.3f, layer 2 %.3f; the test expects layer 2 to look earlier", ed[0].Value(MeasureE50), ed[1].Value(MeasureE50))
	}

	sc, err := StepCurves(pts)
	if err != nil {
		t.Fatal(err)
	}
	sd := Delays(sc, StepOptions{}.DelayOptions())
	s50 := func(f func(float64) float64, c, tau float64) float64 {
		y0, top := f(0), f(4000)
		return inverse(0.5, 0.95, c, tau, y0+0.5*(top-y0))
	}
	for i, w := range []float64{s50(l1, 300, 150), s50(l2, 450, 60)} {
		if got := sd[i].Values[MeasureS50]; math.Abs(got-w) > 3 {
			t.Errorf("layer %d S50 = %.1f, want %.1f ± 3", i+1, got, w)
		}
	}
	if !(sd[1].Values[MeasureS50] > sd[0].Values[MeasureS50]+50) {
		t.Errorf("S50: layer 2 (%.1f) not clearly after layer 1 (%.1f)", sd[1].Values[MeasureS50], sd[0].Values[MeasureS50])
	}
	if !(sd[1].Values["t80"] > sd[0].Values["t80"]) {
		t.Errorf("t80: layer 2 %.1f, layer 1 %.1f", sd[1].Values["t80"], sd[0].Values["t80"])
	}
	if !(sd[1].Values[MeasureLag] > 0) {
		t.Errorf("lag of layer 2 = %g, want > 0", sd[1].Values[MeasureLag])
	}
}

// TestReachLevelAndAt checks interpolation on a hand-made series.
func TestReachLevelAndAt(t *testing.T) {
	steps := []int{0, 10, 20, 40}
	y := []float64{0.5, 0.6, math.NaN(), 0.9}
	for _, c := range []struct{ level, want float64 }{{0.4, 0}, {0.55, 5}, {0.75, 25}, {0.9, 40}, {0.95, math.NaN()}} {
		if got := ReachLevel(steps, y, c.level); !(math.Abs(got-c.want) < 1e-12 || math.IsNaN(got) && math.IsNaN(c.want)) {
			t.Errorf("ReachLevel(%g) = %g, want %g", c.level, got, c.want)
		}
	}
	for _, c := range []struct{ s, want float64 }{{0, 0.5}, {5, 0.55}, {25, 0.75}, {40, 0.9}, {41, math.NaN()}, {-1, math.NaN()}} {
		if got := At(steps, y, c.s); !(math.Abs(got-c.want) < 1e-12 || math.IsNaN(got) && math.IsNaN(c.want)) {
			t.Errorf("At(%g) = %g, want %g", c.s, got, c.want)
		}
	}
}

// TestHolm checks Holm's adjustment against R's
// p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02.
func TestHolm(t *testing.T) {
	got := Holm([]float64{0.01, 0.04, math.NaN(), 0.03, 0.005})
	want := []float64{0.03, 0.06, math.NaN(), 0.06, 0.02}
	for i := range want {
		if !(math.Abs(got[i]-want[i]) < 1e-15 || math.IsNaN(got[i]) && math.IsNaN(want[i])) {
			t.Errorf("Holm[%d] = %g, want %g", i, got[i], want[i])
		}
	}
}

// TestOneSidedP checks PGreater and PLess against the two-sided p-value:
// for a positive mean the one-sided p towards it is half the two-sided p
// (the t distribution is symmetric), and the other is 1 minus that.
func TestOneSidedP(t *testing.T) {
	s := MeanCI([]float64{1.2, 0.4, 2.1, 0.9, 1.5}, 0.95)
	if got, want := s.PGreater(0), s.P/2; math.Abs(got-want) > 1e-12 {
		t.Errorf("PGreater = %g, want %g", got, want)
	}
	if got, want := s.PLess(0), 1-s.P/2; math.Abs(got-want) > 1e-12 {
		t.Errorf("PLess = %g, want %g", got, want)
	}
}

// TestLevelsVersusIncrements: a layer and a model that share only a
// rising trend, each with independent noise, correlate strongly in levels
// and hardly at all in increments between recorded steps, when the noise
// dominates the steps' increments.
func TestLevelsVersusIncrements(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	trend := logisticCurve(0.5, 0.95, 300, 100)
	var pts []Point
	for _, s := range schedule() {
		m := trend(float64(s)) + 0.01*rng.NormFloat64()
		for l := 1; l <= 2; l++ {
			pts = append(pts, Point{Run: "r", Treatment: "t", Depth: 2, Width: 100, Seed: 1, Epoch: s, Layer: l,
				LayerAccuracy: trend(float64(s)) + 0.01*rng.NormFloat64(), ModelAccuracy: m, LabelAccuracy: math.NaN()})
		}
	}
	curves, err := StepCurves(pts)
	if err != nil {
		t.Fatal(err)
	}
	views := func(Group) []View {
		return []View{{Clock: ClockStep, Measure: ViewLevels}, {Clock: ClockStep, Measure: ViewIncrements}}
	}
	cs := Couplings(curves, nil, views, 0.95)
	for i := 0; i+1 < len(cs); i += 2 {
		lev, inc := cs[i].R(), cs[i+1].R()
		if lev < 0.9 || math.Abs(inc) > 0.3 {
			t.Errorf("layer %d: levels r = %.3f (want > 0.9), increments r = %.3f (want |r| < 0.3)", cs[i].Layer, lev, inc)
		}
	}
	if len(cs) != 4 {
		t.Errorf("%d couplings, want 2 layers × 2 views", len(cs))
	}
}

// TestDepthDeficitAndStepAnalyze builds 6 seeds of a depth-3 treatment in
// which layer l is the same logistic shifted by 40·(l−1) steps plus a
// per-seed jitter, and checks the deficit slopes against a direct
// computation, the H1 verdict (supported: S50 grows by 40 steps per layer,
// margin 10) and the trend table.
func TestDepthDeficitAndStepAnalyze(t *testing.T) {
	g := Group{Treatment: "t", Depth: 3, Width: 300}
	rng := rand.New(rand.NewPCG(3, 4))
	var pts []Point
	var wantDeficit float64 // mean over seeds of the closed-form slope at step 100
	for seed := uint64(1); seed <= 6; seed++ {
		j := 10 * rng.Float64()
		var f []func(float64) float64
		var ys []float64
		for l := range 3 {
			f = append(f, logisticCurve(0.5, 0.95, 150+j+40*float64(l), 40))
			ys = append(ys, 100*f[l](100))
		}
		wantDeficit += (ys[2] - ys[0]) / 2 / 6 // OLS slope over layers 1, 2, 3
		pts = append(pts, stepRun("r"+string(rune('0'+seed)), g, seed, schedule(), f, f[0])...)
	}
	rep, err := StepAnalyze(pts, StepOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range rep.Deficits {
		if d.Step != 100 {
			continue
		}
		// Step 100 is recorded, so no interpolation: exact up to rounding.
		if math.Abs(d.Slope.Mean-wantDeficit) > 1e-9 || d.Slope.N != 6 || !(d.PLess < 0.001) {
			t.Errorf("deficit at step 100: %+v, want mean %g", d.Slope, wantDeficit)
		}
	}
	h1 := rep.Hypotheses[0]
	if h1.ID != "H1" || h1.Verdict != Supported || math.Abs(h1.Effects[0].Value-40) > 3 || !h1.Effects[0].POneSided {
		t.Errorf("H1 = %+v", h1.Effects[0])
	}
	for _, tr := range rep.Trends {
		if tr.Measure == MeasureS50 && (math.Abs(tr.Slope.Mean-40) > 3 || tr.PHolm < tr.PGreater) {
			t.Errorf("trend %+v", tr)
		}
	}
	if len(rep.SeedCorrelations) != 3*len(DefaultCouplingSteps) {
		t.Errorf("%d seed correlations, want %d", len(rep.SeedCorrelations), 3*len(DefaultCouplingSteps))
	}
}

// TestOwnStartSlopes: under a greedy-like schedule layer l is flat until
// its own start (l−1)·100 and then rises with a shape whose half-gain
// point is 20 + 5·(l−1) steps after it. Counted from step 0 the slope is
// 105 steps per layer; from each layer's own start it is 5.
func TestOwnStartSlopes(t *testing.T) {
	var curves []Curve
	for l := 1; l <= 3; l++ {
		s0 := (l - 1) * 100
		half := float64(20 + 5*(l-1))
		c := Curve{Group: Group{Treatment: "g", Depth: 3, Width: 4}, Run: "r", Layer: l}
		for st := 0; st <= 400; st += 5 {
			y := 0.5
			if st > s0 {
				// Linear rise to the gain 0.4 at twice the half-gain point.
				y = 0.5 + 0.4*math.Min(1, float64(st-s0)/(2*half))
			}
			c.Epochs, c.LayerAccuracy = append(c.Epochs, st), append(c.LayerAccuracy, y)
		}
		curves = append(curves, c)
	}
	own := OwnStartSlopes(curves, func(l int) int { return (l - 1) * 100 }, 0.5)
	zero := OwnStartSlopes(curves, func(int) int { return 0 }, 0.5)
	if len(own) != 1 || math.Abs(own[0]-5) > 1e-9 {
		t.Errorf("own-start slope %v, want [5]", own)
	}
	if len(zero) != 1 || math.Abs(zero[0]-105) > 1e-9 {
		t.Errorf("step-0 slope %v, want [105]", zero)
	}
}
