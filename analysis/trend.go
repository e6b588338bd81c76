package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// Step compares one layer's delay with the next layer's across seeds.
type Step struct {
	From, To int // layers; To = From + 1
	// Diff summarises delay(To) - delay(From) over the runs where both
	// are defined.
	Diff Summary
	// Test is the Wilcoxon signed-rank test of those differences.
	Test SignedRank
}

// DelayTrend describes, for one treatment and delay measure, how delay
// changes with layer index.
type DelayTrend struct {
	Group
	Measure string
	// Slope summarises over runs each run's OLS slope of delay on layer
	// index, in clock units per layer. A run counts once, whatever its
	// depth, so the interval needs no independence between a run's
	// layers. Runs with fewer than two layers with a defined delay are
	// left out and counted (LeftOut).
	Slope   Summary
	LeftOut int
	// PGreater is the one-sided p-value of the t-test of mean slope ≤ 0
	// against > 0 (deeper layers later); PHolm is PGreater Holm-adjusted
	// over the treatments of the same measure.
	PGreater, PHolm float64
	// Steps holds one Step per pair of adjacent layers.
	Steps []Step
	// Pooled is the signed-rank test, over runs, of each run's mean step
	// (the adjacent differences pooled over layers, one value per run).
	Pooled SignedRank
	// Regression is delay on layer index pooled over the treatment's
	// runs and layers, with standard errors clustered by run.
	Regression Regression
	Warnings   []error
}

// runOf is one run's delays, in layer order (as Delays returns them).
type runOf []Delay

// slope returns the OLS slope of the run's delay m on layer index, and
// false when fewer than two layers have a defined delay.
func (r runOf) slope(m string) (float64, bool) {
	var x, y []float64
	for i := range r {
		if v := r[i].Value(m); !math.IsNaN(v) {
			x = append(x, float64(r[i].Layer))
			y = append(y, v)
		}
	}
	return slope(x, y)
}

func (r runOf) value(layer int, m string) float64 {
	for i := range r {
		if r[i].Layer == layer {
			return r[i].Value(m)
		}
	}
	return math.NaN()
}

// RunSlopes returns, per run with at least two layers, the OLS slope of
// measure on layer index (clock units per layer) of the runs where at
// least two layers have a value, and the number of runs left out. Delays
// must be in run order, as Delays returns them.
func RunSlopes(delays []Delay, measure string) (runs []string, slopes []float64, leftOut int) {
	for _, rd := range splitRuns(delays, func(d *Delay) string { return d.Run }) {
		if len(rd) < 2 {
			continue // one-layer runs have no slope to leave out
		}
		s, ok := runOf(rd).slope(measure)
		if !ok {
			leftOut++
			continue
		}
		runs, slopes = append(runs, rd[0].Run), append(slopes, s)
	}
	return runs, slopes, leftOut
}

// slope returns the OLS slope of y on x (gonum's stat.LinearRegression);
// ok is false with fewer than two distinct x.
func slope(x, y []float64) (float64, bool) {
	if len(x) < 2 || slices.Min(x) == slices.Max(x) {
		return math.NaN(), false
	}
	_, beta := stat.LinearRegression(x, y, nil, false)
	return beta, true
}

// DelayTrends returns the trends of every treatment with depth ≥ 2 and
// every measure, sorted by measure (in the order given), then treatment.
// Delays must be in run order, as Delays returns them.
func DelayTrends(delays []Delay, measures []string, confidence float64) []DelayTrend {
	groups := map[Group][]runOf{}
	var keys []Group
	for _, rd := range splitRuns(delays, func(d *Delay) string { return d.Run }) {
		g := rd[0].Group
		if g.Depth < 2 {
			continue
		}
		if _, ok := groups[g]; !ok {
			keys = append(keys, g)
		}
		groups[g] = append(groups[g], runOf(rd))
	}
	slices.SortFunc(keys, compareGroup)
	var out []DelayTrend
	for _, m := range measures {
		first := len(out)
		var ps []float64
		for _, g := range keys {
			t := delayTrend(g, groups[g], m, confidence)
			out = append(out, t)
			ps = append(ps, t.PGreater)
		}
		for i, p := range Holm(ps) {
			out[first+i].PHolm = p
		}
	}
	return out
}

func delayTrend(g Group, runs []runOf, m string, confidence float64) DelayTrend {
	t := DelayTrend{Group: g, Measure: m}
	where := fmt.Sprintf("%v %v", g, m)

	var slopes, pooled []float64
	for _, r := range runs {
		s, ok := r.slope(m)
		if !ok {
			t.LeftOut++
			continue
		}
		slopes = append(slopes, s)
	}
	t.Slope = MeanCI(slopes, confidence)
	t.PGreater = t.Slope.PGreater(0)
	if t.LeftOut > 0 {
		t.Warnings = append(t.Warnings, warnf(ErrTooFewPoints, "%s: %d of %d runs have fewer than 2 layers with a delay", where, t.LeftOut, len(runs)))
	}
	t.Warnings = append(t.Warnings, prefix(where+" slope", slices.Clone(t.Slope.Warnings))...)

	// Adjacent steps, and their per-run mean.
	sums := make([]float64, len(runs))
	counts := make([]int, len(runs))
	for l := 1; l < g.Depth; l++ {
		var diffs []float64
		for i, r := range runs {
			a, b := r.value(l, m), r.value(l+1, m)
			if math.IsNaN(a) || math.IsNaN(b) {
				continue
			}
			diffs = append(diffs, b-a)
			sums[i] += b - a
			counts[i]++
		}
		st := Step{From: l, To: l + 1, Diff: MeanCI(diffs, confidence), Test: SignedRankTest(diffs)}
		w := fmt.Sprintf("%s layers %d→%d", where, l, l+1)
		st.Diff.Warnings = prefix(w, st.Diff.Warnings)
		st.Test.Warnings = prefix(w, st.Test.Warnings)
		t.Steps = append(t.Steps, st)
	}
	for i := range runs {
		if counts[i] > 0 {
			pooled = append(pooled, sums[i]/float64(counts[i]))
		}
	}
	t.Pooled = SignedRankTest(pooled)
	t.Pooled.Warnings = prefix(where+" pooled steps", t.Pooled.Warnings)

	var y, x []float64
	var cl []string
	for _, r := range runs {
		for i := range r {
			y = append(y, r[i].Value(m))
			x = append(x, float64(r[i].Layer))
			cl = append(cl, r[i].Run)
		}
	}
	t.Regression = OLS(y, []Regressor{{LayerRegressor, x}}, cl, confidence)
	t.Regression.Warnings = prefix(where+" regression", t.Regression.Warnings)
	return t
}

// LayerGap is, per treatment and pair of adjacent layers, the mean over
// runs of a delay measure of layer k+1 minus that of layer k: where in the
// stack the delay arises.
type LayerGap struct {
	Group
	Layer   int // the gap is from Layer to Layer+1
	Measure string
	Summary
}

// eachGap calls f with every run's layer k (in run and layer order) and
// the measure of layer k+1 minus that of layer k.
func eachGap(delays []Delay, measure string, f func(d *Delay, gap float64)) {
	for _, rd := range splitRuns(delays, func(d *Delay) string { return d.Run }) {
		for i := 0; i+1 < len(rd); i++ {
			if rd[i+1].Layer == rd[i].Layer+1 {
				f(&rd[i], rd[i+1].Value(measure)-rd[i].Value(measure))
			}
		}
	}
}

// LayerGaps computes the gaps of every treatment with depth ≥ 2 in
// measure (on the delays' clock), sorted by treatment and layer. Delays
// must be in run order, as Delays returns them.
func LayerGaps(delays []Delay, measure string, confidence float64) []LayerGap {
	type key struct {
		g     Group
		layer int
	}
	vals := map[key][]float64{}
	var keys []key
	eachGap(delays, measure, func(d *Delay, gap float64) {
		k := key{d.Group, d.Layer}
		if _, ok := vals[k]; !ok {
			keys = append(keys, k)
		}
		vals[k] = append(vals[k], gap)
	})
	slices.SortFunc(keys, func(a, b key) int { return cmp.Or(compareGroup(a.g, b.g), cmp.Compare(a.layer, b.layer)) })
	out := make([]LayerGap, len(keys))
	for i, k := range keys {
		out[i] = LayerGap{Group: k.g, Layer: k.layer, Measure: measure, Summary: MeanCI(vals[k], confidence)}
	}
	return out
}
