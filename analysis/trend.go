package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"
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
	Measure Measure
	// Slope summarises over runs each run's OLS slope of delay on layer
	// index, in epochs per layer. A run counts once, whatever its depth,
	// so the interval needs no independence between a run's layers. Runs
	// with fewer than two layers with a defined delay are left out.
	Slope Summary
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

// runDelays is one run's delays, by layer.
type runDelays struct {
	Group
	run    string
	layers []*Delay // sorted by layer
}

// byRun groups delays by run, sorted by group, seed and run.
func byRun(delays []Delay) []runDelays {
	ptrs := make([]*Delay, len(delays))
	for i := range delays {
		ptrs[i] = &delays[i]
	}
	slices.SortStableFunc(ptrs, func(a, b *Delay) int {
		return cmp.Or(compareGroup(a.Group, b.Group), cmp.Compare(a.Seed, b.Seed),
			cmp.Compare(a.Run, b.Run), cmp.Compare(a.Layer, b.Layer))
	})
	var out []runDelays
	for _, d := range ptrs {
		if len(out) == 0 || out[len(out)-1].run != d.Run {
			out = append(out, runDelays{Group: d.Group, run: d.Run})
		}
		out[len(out)-1].layers = append(out[len(out)-1].layers, d)
	}
	return out
}

// slope returns the OLS slope of the run's delay m on layer index, and
// false when fewer than two layers have a defined delay.
func (r *runDelays) slope(m Measure) (float64, bool) {
	var x, y []float64
	for _, d := range r.layers {
		if v := d.Value(m); !math.IsNaN(v) {
			x = append(x, float64(d.Layer))
			y = append(y, v)
		}
	}
	return slope(x, y)
}

// RunSlopes returns, for every run with at least two layers with a
// defined delay m, the OLS slope of delay on layer index (epochs per
// layer), and the number of runs left out.
func RunSlopes(delays []Delay, m Measure) (slopes []float64, leftOut int) {
	for _, r := range byRun(delays) {
		if len(r.layers) < 2 {
			continue // a single-layer run has no slope to speak of
		}
		if s, ok := r.slope(m); ok {
			slopes = append(slopes, s)
		} else {
			leftOut++
		}
	}
	return slopes, leftOut
}

// DelayTrends returns one DelayTrend per group with depth ≥ 2 and per
// measure, sorted by group then measure.
func DelayTrends(delays []Delay, confidence float64) []DelayTrend {
	runs := byRun(delays)
	var out []DelayTrend
	for i := 0; i < len(runs); {
		j := i
		for j < len(runs) && runs[j].Group == runs[i].Group {
			j++
		}
		g := runs[i].Group
		if g.Depth >= 2 {
			for _, m := range Measures {
				out = append(out, delayTrend(g, runs[i:j], m, confidence))
			}
		}
		i = j
	}
	return out
}

func delayTrend(g Group, runs []runDelays, m Measure, confidence float64) DelayTrend {
	t := DelayTrend{Group: g, Measure: m}
	where := fmt.Sprintf("%v %v", g, m)

	var slopes, pooled []float64
	left := 0
	for i := range runs {
		s, ok := runs[i].slope(m)
		if !ok {
			left++
			continue
		}
		slopes = append(slopes, s)
	}
	t.Slope = MeanCI(slopes, confidence)
	if left > 0 {
		t.Warnings = append(t.Warnings, warnf(ErrTooFewPoints, "%s: %d of %d runs have fewer than 2 layers with a delay", where, left, len(runs)))
	}
	t.Warnings = append(t.Warnings, prefix(where+" slope", slices.Clone(t.Slope.Warnings))...)

	// Adjacent steps, and their per-run mean.
	sums := make([]float64, len(runs))
	counts := make([]int, len(runs))
	for l := 1; l < g.Depth; l++ {
		var diffs []float64
		for i := range runs {
			a, b := layerValue(&runs[i], l, m), layerValue(&runs[i], l+1, m)
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
	for i := range runs {
		for _, d := range runs[i].layers {
			y = append(y, d.Value(m))
			x = append(x, float64(d.Layer))
			cl = append(cl, runs[i].run)
		}
	}
	t.Regression = OLS(y, []Regressor{{"layer", x}}, cl, confidence)
	t.Regression.Warnings = prefix(where+" regression", t.Regression.Warnings)
	return t
}

func layerValue(r *runDelays, layer int, m Measure) float64 {
	for _, d := range r.layers {
		if d.Layer == layer {
			return d.Value(m)
		}
	}
	return math.NaN()
}
