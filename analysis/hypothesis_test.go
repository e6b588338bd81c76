package analysis

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestDirectionalVerdict(t *testing.T) {
	inf := math.Inf(1)
	// Each row is one branch of VerdictRule.
	tests := []struct {
		v, lo, hi float64
		sign      int
		margin    float64
		want      Verdict
	}{
		{1, 0.5, 2, +1, 0.1, Supported},                 // claimed sign, excludes 0, wider than the margin
		{-1, -2, -0.5, -1, 0.1, Supported},              // same for a claimed negative effect
		{0.15, 0.05, 0.3, +1, 0.1, Supported},           // partly outside the margin, estimate outside it
		{0.07, 0.05, 0.3, +1, 0.1, Inconclusive},        // estimate inside the margin: not supported yet
		{-0.031, -0.06, -0.012, -1, 0.05, Inconclusive}, // significant, estimate inside the margin (was "supported")
		{-0.03, -0.05, -0.01, -1, 0.05, NotSupported},   // inside [-m, m]: negligible
		{-1, -2, -0.5, +1, 0.1, NotSupported},           // excludes 0 on the opposite side
		{1, 0.5, 2, -1, 0.1, NotSupported},              // same, claimed negative
		{0, -0.05, 0.08, +1, 0.1, NotSupported},         // inside [-m, m]: negligible
		{0.03, 0.01, 0.05, +1, 0.1, NotSupported},       // significant but negligible
		{0, 0, 0, +1, 0.1, NotSupported},                // a zero-width interval at 0
		{0.5, -0.5, 2, +1, 0.1, Inconclusive},           // straddles 0, wider than the margin
		{0, -0.05, 0.08, +1, 0, Inconclusive},           // no margin: straddling 0 is inconclusive
		{0.2, -inf, inf, +1, 0.1, Inconclusive},         // no interval (fewer than 2 runs)
		{0, math.NaN(), 1, -1, 0.1, Inconclusive},       // undefined
		{0.5, 0, 1, +1, 0.1, Inconclusive},              // touches 0: does not exclude it
	}
	for _, tt := range tests {
		if got := DirectionalVerdict(tt.v, tt.lo, tt.hi, tt.sign, tt.margin); got != tt.want {
			t.Errorf("DirectionalVerdict(%v [%v, %v], %+d, %v) = %q, want %q", tt.v, tt.lo, tt.hi, tt.sign, tt.margin, got, tt.want)
		}
	}
}

func TestStrengthVerdict(t *testing.T) {
	tests := []struct {
		lo, hi float64
		want   Verdict
	}{
		{0.75, 0.92, Supported},
		{0.7, 0.85, Supported},     // the lower bound reaches the threshold
		{0.51, 0.85, Inconclusive}, // the interval straddles 0.7
		{0.2, 0.6, NotSupported},   // whole interval below 0.7
		{-1, -1, NotSupported},
		{-1, 1, Inconclusive}, // no interval
		{math.NaN(), 1, Inconclusive},
	}
	for _, tt := range tests {
		if got := StrengthVerdict(tt.lo, tt.hi, 0.7); got != tt.want {
			t.Errorf("StrengthVerdict([%v, %v], 0.7) = %q, want %q", tt.lo, tt.hi, got, tt.want)
		}
	}
	// The ceiling rule: a measure that cannot reach the threshold cannot
	// test the claim, whatever its estimate.
	if got := WithCeiling(NotSupported, 0.12, 0.7); got != Untestable {
		t.Errorf("WithCeiling(not supported, ceiling 0.12, threshold 0.7) = %q, want %q", got, Untestable)
	}
	if got := WithCeiling(Supported, 0.9, 0.7); got != Supported {
		t.Errorf("WithCeiling(supported, ceiling 0.9) = %q", got)
	}
	if got := WithCeiling(Inconclusive, math.NaN(), 0.7); got != Inconclusive {
		t.Errorf("WithCeiling without a ceiling = %q", got)
	}
}

func TestCombineVerdicts(t *testing.T) {
	S, N, I := Supported, NotSupported, Inconclusive
	tests := []struct {
		in   []Verdict
		want Verdict
	}{
		{[]Verdict{S, S}, S},
		{[]Verdict{S, I}, I},
		{[]Verdict{S, N}, N},
		{[]Verdict{I, N}, N},
		{nil, I},
	}
	for _, tt := range tests {
		if got := CombineVerdicts(tt.in...); got != tt.want {
			t.Errorf("CombineVerdicts(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func hypothesis(t *testing.T, pts []Point, id string) Hypothesis {
	t.Helper()
	r, err := Analyze(pts, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range r.Hypotheses {
		if h.ID == id {
			return h
		}
	}
	t.Fatalf("no %s", id)
	return Hypothesis{}
}

func TestHypothesesOnConstructedData(t *testing.T) {
	steps := func(f func(s int) float64) func(int) float64 { return f }
	// Five seeds, depth 3, the model following layer 1 with a small
	// seed-dependent wiggle (so r < 1 and varies across seeds).
	tests := []struct {
		name  string
		pts   []Point
		id    string
		want  Verdict
		kinds []error // warnings expected on some effect
	}{
		{"H1 layers shifted later", shiftedPoints("a", 3, 100, 5, 40, steps(func(s int) float64 { return float64(s + 1) }), 0.01),
			"H1", Supported, nil},
		// Identical layers: every run's slope is exactly 0, so the
		// interval is [0, 0], inside the margin.
		{"H1 no delay", shiftedPoints("a", 3, 100, 5, 40, steps(func(int) float64 { return 0 }), 0.01),
			"H1", NotSupported, []error{ErrZeroVariance}},
		{"H1 deeper layers earlier", shiftedPoints("a", 3, 100, 5, 40, steps(func(s int) float64 { return -float64(s%3 + 1) }), 0.01),
			"H1", NotSupported, nil},
		{"H1 one seed", shiftedPoints("a", 3, 100, 1, 40, steps(func(int) float64 { return 2 }), 0.01),
			"H1", Inconclusive, []error{ErrTooFewSeeds}},
		// Layer 1 is near-perfectly correlated with the model and the
		// correlation falls with the shift of later layers.
		{"H2 strong and weakening", shiftedPoints("a", 3, 100, 5, 40, steps(func(s int) float64 { return float64(s + 1) }), 0.01),
			"H2", Supported, []error{ErrCollinear}},
		// Every run has width 100: the width slope is not estimable.
		{"H3 one width", shiftedPoints("a", 3, 100, 5, 40, steps(func(s int) float64 { return float64(s + 1) }), 0.01),
			"H3", Inconclusive, []error{ErrNotEstimable}},
	}
	for _, tt := range tests {
		h := hypothesis(t, tt.pts, tt.id)
		if h.Verdict != tt.want {
			t.Errorf("%s: %s %q, want %q; effects %+v", tt.name, tt.id, h.Verdict, tt.want, h.Effects)
		}
		for _, kind := range tt.kinds {
			found := false
			for _, e := range h.Effects {
				found = found || hasWarning(e.Warnings, kind)
			}
			if !found {
				t.Errorf("%s: no %v warning in %+v", tt.name, kind, h.Effects)
			}
		}
	}

	// H2 with the model anti-correlated with layer 1: not strong.
	pts := shiftedPoints("a", 3, 100, 5, 40, func(s int) float64 { return float64(s + 1) }, 0.01)
	for i := range pts {
		pts[i].ModelAccuracy = 1 - pts[i].ModelAccuracy
	}
	h := hypothesis(t, pts, "H2")
	if h.Effects[0].Verdict != NotSupported || h.Verdict != NotSupported {
		t.Errorf("anti-correlated model: H2 %q, layer-1 part %+v", h.Verdict, h.Effects[0])
	}
}

func TestHypothesisWidth(t *testing.T) {
	// Two widths. In the wider treatment the layers are shifted further,
	// so their correlation with the model (which follows layer 1) is
	// lower: the width slope is negative. Then the same with the widths
	// swapped: positive, the opposite of the claim.
	narrow := shiftedPoints("n", 3, 100, 5, 40, func(s int) float64 { return float64(s%2 + 1) }, 0.01)
	wide := shiftedPoints("w", 3, 500, 5, 40, func(s int) float64 { return float64(s%2 + 4) }, 0.01)
	h := hypothesis(t, append(append([]Point(nil), narrow...), wide...), "H3")
	if h.Verdict != Supported || h.Effects[0].Runs != 10 || !(h.Effects[0].Value < 0) {
		t.Errorf("wider layers shifted further: H3 %q %+v", h.Verdict, h.Effects[0])
	}
	for i := range wide {
		wide[i].Width = 50
	}
	h = hypothesis(t, append(narrow, wide...), "H3")
	if h.Verdict != NotSupported || !(h.Effects[0].Value > 0) {
		t.Errorf("narrower layers shifted further: H3 %q %+v", h.Verdict, h.Effects[0])
	}
}

func TestVerdictRuleText(t *testing.T) {
	// The rule text quotes the constants; keep them in step.
	for _, v := range []float64{StrongR, DefaultDelayMargin, DefaultLayerMargin, DefaultWidthMargin} {
		if !strings.Contains(VerdictRule, strconv.FormatFloat(v, 'g', -1, 64)) {
			t.Errorf("VerdictRule does not mention %v", v)
		}
	}
}

func TestOptionsDefaults(t *testing.T) {
	o := Options{WidthMargin: -1, LayerMargin: 0.2}.withDefaults()
	want := Options{Confidence: 0.95, DelayMeasure: MeasureE50, Method: PearsonMethod,
		DelayMargin: DefaultDelayMargin, LayerMargin: 0.2, WidthMargin: 0}
	if o != want {
		t.Errorf("withDefaults = %+v, want %+v", o, want)
	}
}

func TestAnalyzeShape(t *testing.T) {
	// Two treatments × 3 seeds × depth 3 × 20 epochs.
	pts := shiftedPoints("a", 3, 100, 3, 20, func(int) float64 { return 1 }, 0.01)
	pts = append(pts, shiftedPoints("b", 3, 200, 3, 20, func(int) float64 { return 2 }, 0.01)...)
	r, err := Analyze(pts, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want int
	}{
		{"curves", len(r.Curves), 18},
		{"correlations", len(r.Correlations), 18},
		{"delays", len(r.Delays), 18},
		{"curve summaries", len(r.CurveSummaries), 2 * 3 * 20},
		{"correlation summaries", len(r.CorrelationSummaries), 2 * 3 * 2},
		{"final correlations", len(r.FinalCorrelations), 2 * 3},
		{"delay summaries", len(r.DelaySummaries), 2 * 3 * len(EpochDelays.Measures())},
		{"delay trends", len(r.DelayTrends), 2 * len(EpochDelays.Measures())},
		{"final model", len(r.FinalModel), 2},
		{"regression rows", r.Regression.N, 18},
		{"regression clusters", r.Regression.Clusters, 6},
		{"hypotheses", len(r.Hypotheses), 3},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.name, c.got, c.want)
		}
	}
}

func BenchmarkAnalyze(b *testing.B) {
	// A full-size study: 6 treatments × 10 seeds × depth 4 × 60 epochs.
	var pts []Point
	for i, tr := range []string{"a", "b", "c", "d", "e", "f"} {
		pts = append(pts, shiftedPoints(tr, 4, 100*(i+1), 10, 60, func(s int) float64 { return float64(s%3 + 1) }, 0.01)...)
	}
	for b.Loop() {
		if _, err := Analyze(pts, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
