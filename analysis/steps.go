package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"
)

// Step-resolution analysis. The curves are the held-out probe's, recorded
// at optimizer steps from 0 (the untrained network): a Curve whose Epochs
// field holds steps (see StepCurves). Delays are in steps from
// initialisation and gains are measured from step 0, so a layer that
// starts behind and catches up is late, not early.

// Step measures of a layer's delay, by name. "tNN" is the steps to an FF
// accuracy of NN% (one per StepOptions.Thresholds).
const (
	MeasureS50 = "s50" // steps to 50% of the gain over the step-0 accuracy
	MeasureS90 = "s90" // steps to 90% of that gain
	MeasureLag = "lag" // steps behind layer 1 by cross-correlation
)

// Defaults of StepOptions.
var (
	DefaultThresholds   = []float64{0.6, 0.7, 0.8, 0.9}
	DefaultDeficitSteps = []int{50, 100, 250, 500}
)

// Default step-resolution settings and verdict margins.
const (
	DefaultLagWindow       = 500  // steps
	DefaultLagGrid         = 5    // steps between resampled points
	DefaultStepDelayMargin = 10   // H1: steps per layer
	DefaultStepWidthMargin = 0.03 // H3: atanh(r) per doubling of width
)

// H2 measures.
const (
	H2Increments = "increments" // correlation of increments between recorded steps
	H2Levels     = "levels"     // correlation of levels
)

// StepOptions configure StepAnalyze. The zero value means every default.
type StepOptions struct {
	Confidence float64
	// Thresholds are the FF accuracies whose first crossing is a delay
	// measure ("t60" for 0.6, ...).
	Thresholds []float64
	// DeficitSteps are the steps at which the depth deficit is measured.
	DeficitSteps []int
	// LagWindow is the span from step 0 over which the lag is found, and
	// LagGrid the spacing of the uniform grid the curves are resampled on
	// (linear interpolation) for the cross-correlation.
	LagWindow, LagGrid int
	// H1Measure is the delay H1's verdict uses (default MeasureS50);
	// H1Margin its equivalence margin in steps per layer.
	H1Measure string
	H1Margin  float64
	// H2Measure is H2Increments (default) or H2Levels: the correlation H2
	// and H3's verdicts use. LayerMargin (atanh r per layer) and
	// WidthMargin (atanh r per doubling of width) are their margins.
	H2Measure                string
	LayerMargin, WidthMargin float64

	// The coupling analysis (coupling.go) separates a layer–model
	// correlation into the treatment's shared time course and the part
	// that belongs to the run.

	// Strong is the r of levels that H2's paper reading calls strong
	// (default 0.7).
	Strong float64
	// Windows are the timescales, in steps: each curve is cut into
	// non-overlapping windows of that many steps from the start step, and
	// the increments over the windows are correlated (default 20, 50, 100,
	// 250 and 500).
	Windows []int
	// StartSE ends the classifier-only phase: the start step of every
	// windowed correlation is the first recorded step at which the
	// treatment's mean layer-1 FF accuracy exceeds its step-0 mean by
	// StartSE probe standard errors (default 2).
	StartSE float64
	// CouplingSteps are the steps at which layer and model are correlated
	// across the seeds of a treatment: the direct test of "runs whose
	// shallow layer is ahead have the better model" (default 100, 200,
	// 300, 400 and 500).
	CouplingSteps []int
	// CouplingMargin is the atanh r below which a coupling (across seeds,
	// or a run's excess over its surrogate) is negligible (default 0.1).
	CouplingMargin float64
	// Power is the power at which the smallest detectable r is reported
	// (default 0.8, at two-sided level 1 − Confidence).
	Power float64
}

// Defaults of the coupling analysis.
var (
	DefaultWindows       = []int{20, 50, 100, 250, 500}
	DefaultCouplingSteps = []int{100, 200, 300, 400, 500}
)

const (
	DefaultStrong         = 0.7
	DefaultStartSE        = 2
	DefaultCouplingMargin = 0.1
	DefaultPower          = 0.8
)

// WithDefaults returns o with every zero field set to its default. It
// panics on an unknown measure name.
func (o StepOptions) WithDefaults() StepOptions { return o.withDefaults() }

func (o StepOptions) withDefaults() StepOptions {
	o.Confidence = checkConfidence(o.Confidence)
	if o.Thresholds == nil {
		o.Thresholds = DefaultThresholds
	}
	if o.DeficitSteps == nil {
		o.DeficitSteps = DefaultDeficitSteps
	}
	if o.LagWindow == 0 {
		o.LagWindow = DefaultLagWindow
	}
	if o.LagGrid == 0 {
		o.LagGrid = DefaultLagGrid
	}
	if o.H1Measure == "" {
		o.H1Measure = MeasureS50
	}
	if !slices.Contains(o.Measures(), o.H1Measure) {
		panic("analysis: unknown step measure " + o.H1Measure)
	}
	if o.H2Measure == "" {
		o.H2Measure = H2Increments
	}
	if o.H2Measure != H2Increments && o.H2Measure != H2Levels {
		panic("analysis: unknown H2 measure " + o.H2Measure)
	}
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		} else if *v < 0 {
			*v = 0
		}
	}
	def(&o.H1Margin, DefaultStepDelayMargin)
	def(&o.LayerMargin, DefaultLayerMargin)
	def(&o.WidthMargin, DefaultStepWidthMargin)
	def(&o.Strong, DefaultStrong)
	def(&o.StartSE, DefaultStartSE)
	def(&o.CouplingMargin, DefaultCouplingMargin)
	def(&o.Power, DefaultPower)
	if o.Windows == nil {
		o.Windows = DefaultWindows
	}
	if o.CouplingSteps == nil {
		o.CouplingSteps = DefaultCouplingSteps
	}
	return o
}

// ThresholdMeasure names the measure "steps to FF accuracy v": "t80" for
// 0.8.
func ThresholdMeasure(v float64) string {
	return "t" + strconv.FormatFloat(100*v, 'f', -1, 64)
}

// Measures lists the delay measures in table order.
func (o StepOptions) Measures() []string {
	th := o.Thresholds
	if th == nil {
		th = DefaultThresholds
	}
	ms := []string{MeasureS50, MeasureS90}
	for _, v := range th {
		ms = append(ms, ThresholdMeasure(v))
	}
	return append(ms, MeasureLag)
}

// MeasureText describes a step measure in words.
func MeasureText(m string) string {
	switch m {
	case MeasureS50:
		return "steps from initialisation until a layer reaches 50% of its FF-accuracy gain over step 0 (s50)"
	case MeasureS90:
		return "steps from initialisation until a layer reaches 90% of its FF-accuracy gain over step 0 (s90)"
	case MeasureLag:
		return "lag behind layer 1 in steps, by cross-correlation over the first steps (lag)"
	}
	if v, err := strconv.ParseFloat(strings.TrimPrefix(m, "t"), 64); err == nil && strings.HasPrefix(m, "t") {
		return fmt.Sprintf("steps from initialisation until a layer's FF accuracy first reaches %g%% (%s)", v, m)
	}
	return m
}

// StepDelaySummary is, per treatment, layer and measure, the mean over
// seeds of a step delay with its interval.
type StepDelaySummary struct {
	Group
	Layer   int
	Measure string
	Summary
	// Undefined counts runs whose value is undefined (threshold never
	// reached, no gain, no lag).
	Undefined int
}

// SummarizeStepDelays summarises delays per treatment, layer and measure,
// sorted in that order (measures in Measures order).
func SummarizeStepDelays(delays []StepDelay, opt StepOptions) []StepDelaySummary {
	opt = opt.withDefaults()
	keys, vals := byGroupLayer(delays, func(d *StepDelay) groupLayerKey { return groupLayerKey{d.Group, d.Layer} })
	var out []StepDelaySummary
	for _, k := range keys {
		for _, m := range opt.Measures() {
			var xs []float64
			for _, d := range vals[k] {
				xs = append(xs, d.Values[m])
			}
			s := MeanCI(xs, opt.Confidence)
			out = append(out, StepDelaySummary{Group: k.g, Layer: k.layer, Measure: m, Summary: s, Undefined: s.Missing})
		}
	}
	return out
}

// StepCurves builds one Curve per run and layer from probe points whose
// Epoch field holds the optimizer step (from 0): the returned curves'
// Epochs are steps. Errors are those of Curves, with steps from 0.
func StepCurves(points []Point) ([]Curve, error) {
	return buildCurves(points, 0, "step")
}

// StepDelay is one layer's delays in one run, in steps from
// initialisation.
type StepDelay struct {
	Group
	Run   string
	Seed  uint64
	Layer int
	// Start is the accuracy at the first recorded step (step 0), Gain the
	// maximum minus Start.
	Start, Gain float64
	// Values holds each measure of StepOptions.Measures, NaN when
	// undefined (no gain; a threshold never reached; no lag).
	Values map[string]float64
	// LagR is the cross-correlation at the lag.
	LagR     float64
	Warnings []error
}

// StepDelays computes every layer's step delays.
func StepDelays(curves []Curve, opt StepOptions) []StepDelay {
	opt = opt.withDefaults()
	var out []StepDelay
	for _, run := range runCurves(curves) {
		ref := &run[0] // layer 1: curves are sorted by layer
		for i := range run {
			c := &run[i]
			d := StepDelay{Group: c.Group, Run: c.Run, Seed: c.Seed, Layer: c.Layer, Values: map[string]float64{}}
			where := runLayer(c.Run, c.Layer)
			steps, ys := finite(c.Epochs, c.LayerAccuracy)
			d.Start, d.Gain = math.NaN(), math.NaN()
			if len(ys) > 0 {
				d.Start, d.Gain = ys[0], slices.Max(ys)-ys[0]
			}
			for _, m := range []struct {
				name string
				frac float64
			}{{MeasureS50, 0.5}, {MeasureS90, 0.9}} {
				v, err := ReachEpoch(steps, ys, m.frac)
				if err != nil {
					d.Warnings = append(d.Warnings, fmt.Errorf("%s %s: %w", where, m.name, err))
				}
				d.Values[m.name] = v
			}
			for _, th := range opt.Thresholds {
				name := ThresholdMeasure(th)
				d.Values[name] = ReachLevel(steps, ys, th)
				if math.IsNaN(d.Values[name]) {
					d.Warnings = append(d.Warnings, warnf(ErrNoGain, "%s: FF accuracy %g never reached", where, th))
				}
			}
			d.Values[MeasureLag], d.LagR = math.NaN(), math.NaN()
			if c.Layer == ref.Layer && c.Layer == 1 {
				d.Values[MeasureLag], d.LagR = 0, 1
			} else if ref.Layer == 1 {
				lag, r, ok := StepLag(ref.Epochs, ref.LayerAccuracy, c.Epochs, c.LayerAccuracy, opt.LagWindow, opt.LagGrid)
				if ok {
					d.Values[MeasureLag], d.LagR = float64(lag), r
				} else {
					d.Warnings = append(d.Warnings, warnf(ErrNoLag, "%s", where))
				}
			}
			out = append(out, d)
		}
	}
	return out
}

// ReachLevel returns the step at which y first reaches level, linearly
// interpolated between the recorded steps around the crossing; the first
// step when y starts at or above it; NaN when it is never reached.
// NaN values are left out.
func ReachLevel(steps []int, y []float64, level float64) float64 {
	steps, y = finite(steps, y)
	for i, v := range y {
		if v < level {
			continue
		}
		if i == 0 {
			return float64(steps[i])
		}
		f := (level - y[i-1]) / (v - y[i-1])
		return float64(steps[i-1]) + f*float64(steps[i]-steps[i-1])
	}
	return math.NaN()
}

// At returns y at step s by linear interpolation between the recorded
// steps around it (NaN values left out), and NaN outside the recorded
// range.
func At(steps []int, y []float64, s float64) float64 {
	xs, ys := finite(steps, y)
	i, found := slices.BinarySearch(xs, int(math.Ceil(s)))
	switch {
	case len(xs) == 0 || s < float64(xs[0]) || s > float64(xs[len(xs)-1]):
		return math.NaN()
	case found && float64(xs[i]) == s:
		return ys[i]
	}
	f := (s - float64(xs[i-1])) / float64(xs[i]-xs[i-1])
	return ys[i-1] + f*(ys[i]-ys[i-1])
}

// StepLag resamples both curves on a uniform grid of spacing grid steps
// over [0, window] (linear interpolation) and returns BestLag of the
// second behind the first, in steps (lag·grid), with its correlation.
func StepLag(refSteps []int, ref []float64, steps []int, y []float64, window, grid int) (lag int, r float64, ok bool) {
	var a, b []float64
	for s := 0; s <= window; s += grid {
		va, vb := At(refSteps, ref, float64(s)), At(steps, y, float64(s))
		if math.IsNaN(va) || math.IsNaN(vb) {
			break
		}
		a, b = append(a, va), append(b, vb)
	}
	k, r, ok := BestLag(a, b)
	return k * grid, r, ok
}

// RunStepSlopes returns, per run with at least two layers where measure is
// defined, the OLS slope of the measure on layer index (steps per layer),
// and the number of runs left out.
func RunStepSlopes(delays []StepDelay, measure string) (runs []string, slopes []float64, leftOut int) {
	for _, rd := range splitRuns(delays, func(d *StepDelay) string { return d.Run }) {
		var xs, ys []float64
		for _, d := range rd {
			if v := d.Values[measure]; !math.IsNaN(v) {
				xs, ys = append(xs, float64(d.Layer)), append(ys, v)
			}
		}
		if len(rd) < 2 {
			continue // one-layer runs have no slope to leave out
		}
		s, ok := slope(xs, ys)
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

// StepTrend is, per treatment and measure, the mean over runs of the
// per-run slope of the measure on layer index, in steps per layer.
type StepTrend struct {
	Group
	Measure string
	Slope   Summary
	// PGreater is the one-sided p-value of the t-test of mean slope ≤ 0
	// against > 0 (deeper layers later); PHolm is PGreater Holm-adjusted
	// over the treatments of the same measure.
	PGreater, PHolm float64
	LeftOut         int
}

// StepTrends returns the trends of every treatment with depth ≥ 2 and
// every measure, sorted by measure (in Measures order), then treatment.
func StepTrends(delays []StepDelay, opt StepOptions) []StepTrend {
	opt = opt.withDefaults()
	groups := map[Group][]StepDelay{}
	var keys []Group
	for _, d := range delays {
		if d.Depth < 2 {
			continue
		}
		if _, ok := groups[d.Group]; !ok {
			keys = append(keys, d.Group)
		}
		groups[d.Group] = append(groups[d.Group], d)
	}
	slices.SortFunc(keys, compareGroup)
	var out []StepTrend
	for _, m := range opt.Measures() {
		first := len(out)
		var ps []float64
		for _, g := range keys {
			_, sl, left := RunStepSlopes(groups[g], m)
			s := MeanCI(sl, opt.Confidence)
			t := StepTrend{Group: g, Measure: m, Slope: s, PGreater: s.PGreater(0), LeftOut: left}
			out = append(out, t)
			ps = append(ps, t.PGreater)
		}
		for i, p := range Holm(ps) {
			out[first+i].PHolm = p
		}
	}
	return out
}

// DepthDeficit is, per treatment and step, the mean over runs of the
// per-run OLS slope of layer FF accuracy on layer index at that step, in
// accuracy points (percent) per layer: negative when deeper layers are
// behind.
type DepthDeficit struct {
	Group
	Step  int
	Slope Summary
	// PLess is the one-sided p-value of the t-test against slope < 0,
	// PHolm it Holm-adjusted over every row of the table.
	PLess, PHolm float64
}

// DepthDeficits measures the deficit of every treatment with depth ≥ 2 at
// opt.DeficitSteps (interpolated between recorded steps; a step beyond a
// run's last is left out).
func DepthDeficits(curves []Curve, opt StepOptions) []DepthDeficit {
	opt = opt.withDefaults()
	type key struct {
		g    Group
		step int
	}
	vals := map[key][]float64{}
	var keys []key
	for _, run := range runCurves(curves) {
		if len(run) < 2 {
			continue
		}
		for _, s := range opt.DeficitSteps {
			var xs, ys []float64
			for i := range run {
				if v := At(run[i].Epochs, run[i].LayerAccuracy, float64(s)); !math.IsNaN(v) {
					xs, ys = append(xs, float64(run[i].Layer)), append(ys, 100*v)
				}
			}
			sl, ok := slope(xs, ys)
			if !ok {
				continue
			}
			k := key{run[0].Group, s}
			if _, seen := vals[k]; !seen {
				keys = append(keys, k)
			}
			vals[k] = append(vals[k], sl)
		}
	}
	slices.SortFunc(keys, func(a, b key) int { return cmp.Or(compareGroup(a.g, b.g), cmp.Compare(a.step, b.step)) })
	out := make([]DepthDeficit, len(keys))
	ps := make([]float64, len(keys))
	for i, k := range keys {
		s := MeanCI(vals[k], opt.Confidence)
		out[i] = DepthDeficit{Group: k.g, Step: k.step, Slope: s, PLess: s.PLess(0)}
		ps[i] = out[i].PLess
	}
	for i, p := range Holm(ps) {
		out[i].PHolm = p
	}
	return out
}

// Increments returns, for each curve, the curve of its increments between
// consecutive recorded steps: at step s_i, y(s_i) − y(s_{i−1}), for the
// layer and the model alike. Correlating increments instead of levels
// removes the shared upward trend of two learning curves, which makes
// levels correlate whatever the relation between them.
func Increments(curves []Curve) []Curve {
	out := make([]Curve, len(curves))
	for i, c := range curves {
		d := Curve{Group: c.Group, Run: c.Run, Seed: c.Seed, Layer: c.Layer}
		for j := 1; j < len(c.Epochs); j++ {
			d.Epochs = append(d.Epochs, c.Epochs[j])
			d.LayerAccuracy = append(d.LayerAccuracy, c.LayerAccuracy[j]-c.LayerAccuracy[j-1])
			d.ModelAccuracy = append(d.ModelAccuracy, c.ModelAccuracy[j]-c.ModelAccuracy[j-1])
			d.LabelAccuracy = append(d.LabelAccuracy, c.LabelAccuracy[j]-c.LabelAccuracy[j-1])
		}
		out[i] = d
	}
	return out
}

// SeedCorrelation is, per treatment, layer and step, Pearson's r across
// seeds between the layer's accuracy and the model's at that step.
type SeedCorrelation struct {
	Group
	Layer, Step int
	Correlation
	// PHolm is the two-sided p-value Holm-adjusted over every row of the
	// table.
	PHolm float64
}

// SeedCorrelations computes the across-seed correlations at steps
// (interpolated between recorded steps).
func SeedCorrelations(curves []Curve, steps []int, confidence float64) []SeedCorrelation {
	type key struct {
		g           Group
		layer, step int
	}
	xs, ys := map[key][]float64{}, map[key][]float64{}
	var keys []key
	for i := range curves {
		c := &curves[i]
		for _, s := range steps {
			k := key{c.Group, c.Layer, s}
			if _, ok := xs[k]; !ok {
				keys = append(keys, k)
			}
			xs[k] = append(xs[k], At(c.Epochs, c.LayerAccuracy, float64(s)))
			ys[k] = append(ys[k], At(c.Epochs, c.ModelAccuracy, float64(s)))
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(compareGroup(a.g, b.g), cmp.Compare(a.layer, b.layer), cmp.Compare(a.step, b.step))
	})
	out := make([]SeedCorrelation, len(keys))
	ps := make([]float64, len(keys))
	for i, k := range keys {
		c := Pearson(xs[k], ys[k], confidence)
		c.Warnings = prefix(fmt.Sprintf("%v layer %d step %d", k.g, k.layer, k.step), c.Warnings)
		out[i] = SeedCorrelation{Group: k.g, Layer: k.layer, Step: k.step, Correlation: c}
		ps[i] = c.P
	}
	for i, p := range Holm(ps) {
		out[i].PHolm = p
	}
	return out
}

// Holm returns Holm's step-down adjustment of the p-values p (family-wise
// error control over the family p): sorted ascending, p_(i) is multiplied
// by n−i+1 (i from 1), made monotone and capped at 1. NaN values are left
// out of the family and stay NaN.
func Holm(p []float64) []float64 {
	idx := make([]int, 0, len(p))
	for i, v := range p {
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(p[a], p[b]) })
	out := make([]float64, len(p))
	for i := range out {
		out[i] = math.NaN()
	}
	n, run := len(idx), 0.0
	for rank, i := range idx {
		run = math.Max(run, math.Min(1, float64(n-rank)*p[i]))
		out[i] = run
	}
	return out
}

// StepReport holds the step-resolution statistics.
type StepReport struct {
	Options StepOptions // with defaults filled in

	Curves []Curve // probe curves; Epochs are steps
	// Per run and layer.
	Delays      []StepDelay
	Levels      []LayerModel // correlation of levels over the recorded steps
	IncrementsR []LayerModel // correlation of increments
	// Per treatment (and layer, step or measure).
	DelaySummaries                     []StepDelaySummary
	Trends                             []StepTrend
	Deficits                           []DepthDeficit
	LevelSummaries, IncrementSummaries []CorrelationSummary
	SeedCorrelations                   []SeedCorrelation
	CurveSummaries                     []CurveSummary
	// Over all runs.
	Regression Regression // of the H2 measure
	Hypotheses []Hypothesis
}

// StepAnalyze computes every step-resolution statistic over probe points
// (Point.Epoch holding the step).
func StepAnalyze(points []Point, opt StepOptions) (*StepReport, error) {
	opt = opt.withDefaults()
	curves, err := StepCurves(points)
	if err != nil {
		return nil, err
	}
	c := opt.Confidence
	r := &StepReport{Options: opt, Curves: curves}
	r.Delays = StepDelays(curves, opt)
	r.DelaySummaries = SummarizeStepDelays(r.Delays, opt)
	r.Trends = StepTrends(r.Delays, opt)
	r.Deficits = DepthDeficits(curves, opt)
	r.Levels = LayerModelCorrelations(curves, c)
	r.IncrementsR = LayerModelCorrelations(Increments(curves), c)
	r.LevelSummaries = pearsonOnly(SummarizeCorrelations(r.Levels, c))
	r.IncrementSummaries = pearsonOnly(SummarizeCorrelations(r.IncrementsR, c))
	r.SeedCorrelations = SeedCorrelations(curves, opt.DeficitSteps, c)
	r.CurveSummaries = SummarizeCurves(curves, c)
	used := r.IncrementsR
	if opt.H2Measure == H2Levels {
		used = r.Levels
	}
	r.Regression = CorrelationRegression(used, PearsonMethod, c)
	r.Hypotheses = r.hypotheses()
	return r, nil
}

func pearsonOnly(s []CorrelationSummary) []CorrelationSummary {
	return slices.DeleteFunc(s, func(c CorrelationSummary) bool { return c.Method != PearsonMethod })
}

// hypotheses evaluates H1–H3 at step resolution under the options' rules.
// The effects of the measures the verdicts do not use are reported beside
// them with the verdict they would give, marked "(context)".
func (r *StepReport) hypotheses() []Hypothesis {
	opt := r.Options
	h1 := func(m string) Effect {
		_, sl, left := RunStepSlopes(r.Delays, m)
		s := MeanCI(sl, opt.Confidence)
		e := Effect{
			Statistic: fmt.Sprintf("mean over runs of the OLS slope of %s (steps from initialisation) on layer index", m),
			Unit:      "steps per layer", Claim: "> 0",
			Value: s.Mean, Lo: s.Lo, Hi: s.Hi, P: s.PGreater(0), POneSided: true, Runs: s.N,
			Verdict:  DirectionalVerdict(s.Lo, s.Hi, +1, opt.H1Margin),
			Warnings: prefix("H1 "+m, slices.Clone(s.Warnings)),
		}
		if left > 0 {
			e.Warnings = append(e.Warnings, warnf(ErrNoGain, "H1 %s: %d runs with fewer than 2 layers with a value left out", m, left))
		}
		return e
	}
	main := h1(opt.H1Measure)
	effects := []Effect{main}
	for _, m := range opt.Measures() {
		if m != opt.H1Measure {
			e := h1(m)
			e.Context = true
			effects = append(effects, e)
		}
	}
	hyps := []Hypothesis{{ID: "H1", Claim: "deeper layers improve later than shallower ones", Effects: effects, Verdict: main.Verdict}}

	strong := func(lms []LayerModel, what string) Effect {
		var zs []float64
		for i := range lms {
			if lms[i].Layer == 1 && lms[i].Pearson.Defined() {
				z, _ := FisherZ(lms[i].Pearson.R)
				zs = append(zs, z)
			}
		}
		s := MeanCI(zs, opt.Confidence)
		v, lo, hi := math.Tanh(s.Mean), math.Tanh(s.Lo), math.Tanh(s.Hi)
		return Effect{
			Statistic: fmt.Sprintf("Fisher-z mean over runs of Pearson r of %s, layer 1 vs model accuracy over recorded steps", what),
			Unit:      "r", Claim: fmt.Sprintf("≥ %g, lower bound > %g", StrongR, StrongRLowerCI),
			Value: v, Lo: lo, Hi: hi, P: s.PValue(math.Atanh(StrongR)), Null: StrongR, Runs: s.N,
			Verdict: StrengthVerdict(v, lo, hi), Warnings: prefix("H2 "+what, slices.Clone(s.Warnings)),
		}
	}
	inc, lev := strong(r.IncrementsR, "increments"), strong(r.Levels, "levels")
	used, other := inc, lev
	if opt.H2Measure == H2Levels {
		used, other = lev, inc
	}
	other.Context = true
	coef := func(id, name, unit string, margin float64) Effect {
		e := Effect{
			Statistic: fmt.Sprintf("OLS slope of atanh(Pearson r of %s) on %s, controlling for the other regressors; SE clustered by run", opt.H2Measure, name),
			Unit:      unit, Claim: "< 0", Runs: r.Regression.Clusters,
		}
		c, ok := r.Regression.Coef(name)
		if !ok {
			e.Value, e.Lo, e.Hi, e.P, e.Verdict = math.NaN(), math.Inf(-1), math.Inf(1), math.NaN(), Inconclusive
			e.Warnings = append(e.Warnings, warnf(ErrNotEstimable, "%s: %s does not vary independently across the runs", id, name))
			return e
		}
		e.Value, e.Lo, e.Hi, e.P = c.Estimate, c.Lo, c.Hi, c.P
		e.Verdict = DirectionalVerdict(c.Lo, c.Hi, -1, margin)
		e.Warnings = prefix(id, slices.Clone(r.Regression.Warnings))
		return e
	}
	weakens := coef("H2", LayerRegressor, "atanh(r) per layer", opt.LayerMargin)
	width := coef("H3", WidthRegressor, "atanh(r) per doubling of width", opt.WidthMargin)
	hyps = append(hyps,
		Hypothesis{ID: "H2", Claim: "shallow-layer accuracy correlates strongly with model accuracy, and the correlation weakens with layer position",
			Effects: []Effect{used, weakens, other}, Verdict: CombineVerdicts(used.Verdict, weakens.Verdict)},
		Hypothesis{ID: "H3", Claim: "the layer-model correlation weakens as layers get wider",
			Effects: []Effect{width}, Verdict: width.Verdict})
	return hyps
}

// StepVerdictRule states the step-resolution verdict rules for opt.
func StepVerdictRule(opt StepOptions) string {
	opt = opt.withDefaults()
	var b strings.Builder
	fmt.Fprintf(&b, "Step-resolution rules (fixed in the experiment file before the sweep ran). Curves: the held-out probe, from step 0.\n")
	fmt.Fprintf(&b, "H1: the mean over runs of each run's OLS slope of %s on layer index is positive; margin %g steps per layer.\n", opt.H1Measure, opt.H1Margin)
	fmt.Fprintf(&b, "H2: layer 1's Fisher-z mean Pearson r of %s with the model is strong (≥ %g, lower bound > %g), and the slope of atanh(r) on layer index is negative; margin %g per layer.\n",
		opt.H2Measure, StrongR, StrongRLowerCI, opt.LayerMargin)
	fmt.Fprintf(&b, "H3: the slope of atanh(r) of %s on log2(width) is negative; margin %g per doubling.\n", opt.H2Measure, opt.WidthMargin)
	fmt.Fprintf(&b, "Directional effects follow the verdict rule above; measures other than these are reported as context and decide nothing.")
	return b.String()
}
