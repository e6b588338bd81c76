package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ffchar/ffchar/internal/tomlkeys"
)

// Step-resolution analysis. The curves are the held-out probe's, recorded
// at optimizer steps from 0 (the untrained network): a Curve whose Epochs
// field holds steps (see StepCurves). Delays are in steps from
// initialisation and gains are measured from step 0, so a layer that
// starts behind and catches up is late, not early.

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
//
// The tags declare the experiment file's [analysis] table (package
// internal/tomlkeys) and the correlate stage's key lines (KeyLines), in
// this order. An option added later gets a keydefault tag holding the
// value that reproduces the analysis from before it, so that published
// reports keep their keys.
type StepOptions struct {
	Confidence float64 `toml:"confidence" file:"-"`
	// Thresholds are the FF accuracies whose first crossing is a delay
	// measure ("t60" for 0.6, ...).
	Thresholds []float64 `toml:"thresholds" want:"a non-empty array of accuracies" nonempty:"" range:"(0,1)" ascending:"threshold" doc:"FF accuracies whose first crossing is a delay measure (t60, ...)"`
	// DeficitSteps are the steps at which the depth deficit is measured.
	DeficitSteps []int `toml:"deficit_steps" want:"a non-empty array of steps" nonempty:"" range:"[1,1073741824]" ascending:"step" doc:"steps at which the depth deficit is measured"`
	// LagWindow is the span from step 0 over which the lag is found, and
	// LagGrid the spacing of the uniform grid the curves are resampled on
	// (linear interpolation) for the cross-correlation.
	LagWindow int `toml:"lag_window" range:"[1,1073741824]" why:"steps" doc:"steps from 0 searched by the cross-correlation"`
	LagGrid   int `toml:"lag_grid" range:"[1,1073741824]" why:"steps" doc:"its resampling grid, in steps"`
	// H1Measure is the delay H1's verdict uses (default MeasureS50);
	// H1Margin its equivalence margin in steps per layer.
	H1Measure string  `toml:"h1_measure" nonempty:"" doc:"\"s50\", \"s90\" (steps to that share of the gain over step 0), \"lag\", or \"t80\" (steps to 80% FF accuracy)"`
	H1Margin  float64 `toml:"h1_margin" positive:"" doc:"steps per layer"`
	// H2Measure is H2Increments (default) or H2Levels: the correlation H2
	// and H3's verdicts use. LayerMargin (atanh r per layer) and
	// WidthMargin (atanh r per doubling of width) are their margins.
	H2Measure   string  `toml:"h2_measure" oneof:"increments,levels" key:"-" doc:"accepted for older files; H2 now reports levels and coupling apart"`
	LayerMargin float64 `toml:"layer_margin" positive:"" doc:"atanh(r) per layer"`
	WidthMargin float64 `toml:"width_margin" positive:"" doc:"atanh(r) per doubling of width"`

	// The coupling analysis (coupling.go) separates a layer–model
	// correlation into the treatment's shared time course and the part
	// that belongs to the run.

	// Strong is the r of levels that H2's paper reading calls strong
	// (default 0.7).
	Strong float64 `toml:"h2_strong" range:"(0,1)" doc:"r of levels that H2's paper reading calls strong (lower bound of its CI)"`
	// Windows are the timescales, in steps: each curve is cut into
	// non-overlapping windows of that many steps from the start step, and
	// the increments over the windows are correlated (default 20, 50, 100,
	// 250 and 500).
	Windows []int `toml:"windows" want:"a non-empty array of steps" nonempty:"" range:"[1,1073741824]" ascending:"step" doc:"timescales: increments over non-overlapping windows of this many steps"`
	// StartSE ends the classifier-only phase: the start step of every
	// windowed correlation is the first recorded step at which the
	// treatment's mean layer-1 FF accuracy exceeds its step-0 mean by
	// StartSE probe standard errors (default 2).
	StartSE float64 `toml:"start_se" positive:"" doc:"the start step: layer 1's mean leaves its step-0 value by this many probe SEs"`
	// CouplingSteps are the steps at which layer and model are correlated
	// across the seeds of a treatment: the direct test of "runs whose
	// shallow layer is ahead have the better model" (default 100, 200,
	// 300, 400 and 500).
	CouplingSteps []int `toml:"coupling_steps" want:"a non-empty array of steps" nonempty:"" range:"[1,1073741824]" ascending:"step" doc:"steps of the across-seed correlation (H2 coupling)"`
	// CouplingMargin is the atanh r below which a coupling (across seeds,
	// or a run's excess over its surrogate) is negligible (default 0.1).
	CouplingMargin float64 `toml:"coupling_margin" positive:"" doc:"atanh(r): a smaller coupling is negligible"`
	// Power is the power at which the smallest detectable r is reported
	// (default 0.8, at two-sided level 1 − Confidence).
	Power float64 `toml:"power" range:"(0,1)" doc:"power of the smallest detectable r reported"`

	// ProbeSamples is the number of probe samples a point of the curves
	// measures (from the data, not the experiment file): it sets the
	// probe's standard error for StartSE.
	ProbeSamples int
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

// DelayOptions are the step delays: steps to 50 and 90% of the gain over
// step 0 and to each of Thresholds, and the lag over LagWindow on a grid
// of LagGrid steps.
func (o StepOptions) DelayOptions() DelayOptions {
	th := o.Thresholds
	if th == nil {
		th = DefaultThresholds
	}
	lw, lg := o.LagWindow, o.LagGrid
	if lw == 0 {
		lw = DefaultLagWindow
	}
	if lg == 0 {
		lg = DefaultLagGrid
	}
	return DelayOptions{Clock: ClockStep, Fractions: []float64{0.5, 0.9}, Thresholds: th, LagWindow: lw, LagGrid: lg}
}

// Measures lists the delay measures in table order.
func (o StepOptions) Measures() []string { return o.DelayOptions().Measures() }

// StepCurves builds one Curve per run and layer from probe points whose
// Epoch field holds the optimizer step (from 0): the returned curves'
// Epochs are steps. Errors are those of Curves, with steps from 0.
func StepCurves(points []Point) ([]Curve, error) {
	return buildCurves(points, 0, "step")
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

// SeedCorrelation is, per treatment, layer and step, Pearson's r across
// seeds between the layer's accuracy and the model's at that step: the
// direct test of "runs whose layer is ahead have the better model".
type SeedCorrelation struct {
	Group
	Layer, Step int
	Correlation
	// PHolm is the two-sided p-value Holm-adjusted over every row of the
	// table.
	PHolm float64
	// Reliability is the split-half reliability across seeds of the
	// layer's and the model's accuracy at the step (NaN without halves):
	// the ceiling is the largest r the seeds could show.
	Reliability Reliability
	// MinDetectable is the smallest r detectable with the analysis's
	// power at this many seeds (MinDetectableR).
	MinDetectable float64
}

// SeedCorrelations computes the across-seed correlations at steps
// (interpolated between recorded steps), with their split-half
// reliabilities when halves is not nil and the smallest r detectable with
// probability power.
func SeedCorrelations(curves []Curve, halves Halves, steps []int, confidence, power float64) []SeedCorrelation {
	type key struct {
		g           Group
		layer, step int
	}
	type vals struct{ x, y, xa, xb, ya, yb []float64 }
	half := halfIndex(halves)
	m := map[key]*vals{}
	var keys []key
	for i := range curves {
		c := &curves[i]
		for _, s := range steps {
			k := key{c.Group, c.Layer, s}
			v, ok := m[k]
			if !ok {
				keys = append(keys, k)
				v = &vals{}
				m[k] = v
			}
			at := func(c *Curve, y []float64) float64 { return At(c.Epochs, y, float64(s)) }
			v.x, v.y = append(v.x, at(c, c.LayerAccuracy)), append(v.y, at(c, c.ModelAccuracy))
			if halves == nil {
				continue
			}
			a, b := half[0][runLayerKey{c.Run, c.Layer}], half[1][runLayerKey{c.Run, c.Layer}]
			if a == nil || b == nil {
				continue
			}
			v.xa, v.xb = append(v.xa, at(a, a.LayerAccuracy)), append(v.xb, at(b, b.LayerAccuracy))
			v.ya, v.yb = append(v.ya, at(a, a.ModelAccuracy)), append(v.yb, at(b, b.ModelAccuracy))
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(compareGroup(a.g, b.g), cmp.Compare(a.layer, b.layer), cmp.Compare(a.step, b.step))
	})
	out := make([]SeedCorrelation, len(keys))
	ps := make([]float64, len(keys))
	for i, k := range keys {
		v := m[k]
		c := Pearson(v.x, v.y, confidence)
		c.Warnings = prefix(fmt.Sprintf("%v layer %d step %d", k.g, k.layer, k.step), c.Warnings)
		out[i] = SeedCorrelation{Group: k.g, Layer: k.layer, Step: k.step, Correlation: c,
			Reliability: noReliability, MinDetectable: MinDetectableR(c.N, confidence, power)}
		if len(v.xa) == len(v.x) && len(v.x) > 0 {
			rel := func(a, b []float64) float64 { return SpearmanBrown(Pearson(a, b, confidence).R) }
			r := Reliability{Layer: rel(v.xa, v.xb), Model: rel(v.ya, v.yb)}
			r.Ceiling = math.Sqrt(r.Layer * r.Model)
			out[i].Reliability = r
		}
		ps[i] = c.P
	}
	for i, p := range Holm(ps) {
		out[i].PHolm = p
	}
	return out
}

// StartStep ends the classifier-only phase of a treatment: the first
// recorded step of the layer-1 curves at which their mean FF accuracy
// exceeds the mean at the first recorded step (step 0) by se standard
// errors of a probe of samples samples (FF accuracy counts 2·samples
// decisions: SE = √(p(1−p)/(2·samples)) at the step-0 mean p), rounded up to
// a multiple of round. ok is false when the mean never gets there; the
// start is then 0.
func StartStep(layer1 []Curve, samples int, se float64, round int) (start int, ok bool) {
	if len(layer1) == 0 || samples < 1 {
		return 0, false
	}
	ref := layer1[0].Epochs
	meanAt := func(s int) float64 {
		var sum float64
		n := 0
		for i := range layer1 {
			if v := At(layer1[i].Epochs, layer1[i].LayerAccuracy, float64(s)); !math.IsNaN(v) {
				sum += v
				n++
			}
		}
		return sum / float64(n)
	}
	p0 := meanAt(ref[0])
	bar := p0 + se*math.Sqrt(p0*(1-p0)/float64(2*samples))
	for _, s := range ref[1:] {
		if meanAt(s) > bar {
			if round > 1 && s%round != 0 {
				s += round - s%round
			}
			return s, true
		}
	}
	return 0, false
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
	// Halves are the curves of the probe's two halves; nil when the probe
	// was not split.
	Halves Halves
	// Per run and layer.
	Delays []Delay
	// Per treatment (and layer, step or measure).
	Starts           []Start
	DelaySummaries   []DelaySummary
	Gaps             []LayerGap
	Trends           []DelayTrend
	Deficits         []DepthDeficit
	SeedCorrelations []SeedCorrelation
	// TreatmentCouplings are the across-seed correlations at the coupling
	// steps, per treatment and layer (H2 and H3 coupling).
	TreatmentCouplings []TreatmentCoupling
	// Couplings are every layer–model correlation measure against its
	// surrogate and ceiling (coupling.go), in the order of Views.
	Couplings []Coupling
	// Pools are the couplings of every view and layer pooled over the
	// treatments, computed once (Pool reads them).
	Pools          []Pooled
	CurveSummaries []CurveSummary
	// Over all runs.
	Regression Regression // of atanh r of levels from the start step
	Hypotheses []Hypothesis
}

// Start is a treatment's start step (StartStep).
type Start struct {
	Group
	Step int
	// Found is false when layer 1 never left chance by the rule: Step is
	// then 0.
	Found bool
}

// StepAnalyze computes every step-resolution statistic over probe points
// (Point.Epoch holding the step). halves, when given, are the points of
// the probe's two halves (two slices), from which every measure's
// reliability ceiling is estimated.
func StepAnalyze(points []Point, opt StepOptions, halves ...[]Point) (*StepReport, error) {
	opt = opt.withDefaults()
	curves, err := StepCurves(points)
	if err != nil {
		return nil, err
	}
	c := opt.Confidence
	r := &StepReport{Options: opt, Curves: curves}
	switch len(halves) {
	case 0:
	case 2:
		var h [2][]Curve
		for i := range h {
			if h[i], err = StepCurves(halves[i]); err != nil {
				return nil, fmt.Errorf("probe half %d: %w", i+1, err)
			}
		}
		r.Halves = &h
	default:
		panic("analysis: StepAnalyze takes two probe halves or none")
	}
	r.Delays = Delays(curves, opt.DelayOptions())
	r.DelaySummaries = SummarizeDelays(r.Delays, opt.Measures(), c)
	r.Gaps = LayerGaps(r.Delays, opt.H1Measure, c)
	r.Trends = DelayTrends(r.Delays, opt.Measures(), c)
	r.Deficits = DepthDeficits(curves, opt)
	r.SeedCorrelations = SeedCorrelations(curves, r.Halves, opt.CouplingSteps, c, opt.Power)
	r.TreatmentCouplings = treatmentCouplings(r.SeedCorrelations, opt.CouplingSteps)
	r.CurveSummaries = SummarizeCurves(curves, c)
	r.Starts = starts(curves, opt)
	startOf := map[Group]int{}
	for _, s := range r.Starts {
		startOf[s.Group] = s.Step
	}
	r.Couplings = Couplings(curves, r.Halves, func(g Group) []View { return opt.Views(startOf[g]) }, c)
	for _, v := range opt.Views(0) {
		for l := 1; l <= maxLayer(curves); l++ {
			r.Pools = append(r.Pools, PoolCouplings(r.Couplings, v, l, c))
		}
	}
	r.Regression = CorrelationRegression(r.runCorrelations(opt.Views(0)[2]), PearsonMethod, c)
	r.Hypotheses = r.hypotheses()
	return r, nil
}

// Views are the step-clock measures the coupling analysis computes for a
// treatment whose classifier-only phase ends at step start: levels and
// increments between recorded steps over the whole curve (the measures
// published before the coupling analysis), levels from the start step (H2's
// paper reading), and increments over each of Windows from the start step.
// Couplings with the same start compare as views whatever their start.
func (o StepOptions) Views(start int) []View {
	o = o.withDefaults()
	vs := []View{
		{Clock: ClockStep, Measure: ViewLevels},
		{Clock: ClockStep, Measure: ViewIncrements},
		{Clock: ClockStep, Measure: ViewLevels, Start: start, FromStart: true},
	}
	for _, w := range o.Windows {
		vs = append(vs, View{Clock: ClockStep, Measure: ViewIncrements, Window: w, Start: start, FromStart: true})
	}
	return vs
}

// starts applies StartStep to every treatment, rounding to the shortest
// window.
func starts(curves []Curve, opt StepOptions) []Start {
	keys, byKey := byGroupLayer(curves, func(c *Curve) groupLayerKey { return groupLayerKey{c.Group, c.Layer} })
	var out []Start
	for _, k := range keys {
		if k.layer != 1 {
			continue
		}
		var l1 []Curve
		for _, c := range byKey[k] {
			l1 = append(l1, *c)
		}
		s, ok := StartStep(l1, opt.ProbeSamples, opt.StartSE, opt.Windows[0])
		out = append(out, Start{Group: k.g, Step: s, Found: ok})
	}
	return out
}

// runCorrelations returns the per-run correlations of view v's couplings
// as LayerModels (Pearson only), for the regression on layer and width.
func (r *StepReport) runCorrelations(v View) []LayerModel {
	var out []LayerModel
	for i := range r.Couplings {
		c := &r.Couplings[i]
		if !c.View.Same(v) {
			continue
		}
		for _, run := range c.Runs {
			p := Correlation{R: math.Tanh(run.Within), N: c.Points, P: math.NaN()}
			out = append(out, LayerModel{Group: c.Group, Run: run.Run, Seed: run.Seed, Layer: c.Layer, Pearson: p,
				Spearman: Correlation{R: math.NaN()}})
		}
	}
	return out
}

// OwnStartSlopes returns, per run of curves, the OLS slope on layer index
// of the steps each layer takes to reach frac of its gain counted from its
// own first training step start(layer): the curve from that step on, its
// value there the baseline. Under the greedy schedule, where layer l starts
// training only after layers 1..l−1 have finished, this removes the wait
// that the schedule builds into delays counted from step 0. Runs with
// fewer than two layers with a value are left out.
func OwnStartSlopes(curves []Curve, start func(layer int) int, frac float64) []float64 {
	var out []float64
	for _, run := range runCurves(curves) {
		var xs, ys []float64
		for i := range run {
			c := &run[i]
			s0 := start(c.Layer)
			var steps []int
			var y []float64
			for j, st := range c.Epochs {
				if st >= s0 {
					steps, y = append(steps, st), append(y, c.LayerAccuracy[j])
				}
			}
			v, err := ReachEpoch(steps, y, frac)
			if err != nil || math.IsNaN(v) {
				continue
			}
			xs, ys = append(xs, float64(c.Layer)), append(ys, v-float64(s0))
		}
		if sl, ok := slope(xs, ys); ok {
			out = append(out, sl)
		}
	}
	return out
}

// Pooled is one view's layer-l couplings pooled over every treatment:
// means over all runs (Fisher-z), the permutation p of the pooled excess,
// and the mean ceilings.
type Pooled struct {
	View  View
	Layer int
	// Within, Surrogate, Excess and Residual summarise every run's atanh
	// r; N = 0 when no treatment has the layer.
	Within, Surrogate, Excess, Residual Summary
	PPerm                               float64
	Ceiling, ResidualCeiling            float64
}

// Pool returns view v's couplings of layer pooled over every treatment
// (from Pools; the zero Pooled when v is not one of the report's views).
func (r *StepReport) Pool(v View, layer int) Pooled {
	for _, p := range r.Pools {
		if p.Layer == layer && p.View.Same(v) {
			return p
		}
	}
	return PoolCouplings(nil, v, layer, r.Options.Confidence)
}

// maxLayer is the deepest layer of curves.
func maxLayer(curves []Curve) int {
	m := 0
	for i := range curves {
		m = max(m, curves[i].Layer)
	}
	return m
}

// PoolCouplings pools view v's couplings of layer over every treatment,
// on either clock.
func PoolCouplings(couplings []Coupling, v View, layer int, conf float64) Pooled {
	var within, surr, excess, resid, ceil, rceil []float64
	var cs []*Coupling
	for i := range couplings {
		c := &couplings[i]
		if c.Layer != layer || !c.View.Same(v) {
			continue
		}
		cs = append(cs, c)
		for _, run := range c.Runs {
			within, surr, resid = append(within, run.Within), append(surr, run.Surrogate), append(resid, run.Residual)
			excess = append(excess, run.Within-run.Surrogate)
		}
		ceil, rceil = append(ceil, c.Reliability.Ceiling), append(rceil, c.ResidualReliability.Ceiling)
	}
	p := Pooled{View: v, Layer: layer, Within: MeanCI(within, conf), Surrogate: MeanCI(surr, conf), Excess: MeanCI(excess, conf),
		Residual: MeanCI(resid, conf), PPerm: permutationP(cs), Ceiling: math.NaN(), ResidualCeiling: math.NaN()}
	if len(ceil) > 0 {
		p.Ceiling, p.ResidualCeiling = meanOrNaN(ceil), meanOrNaN(rceil)
	}
	return p
}

// meanOrNaN is the mean of xs, NaN when any is NaN.
func meanOrNaN(xs []float64) float64 {
	for _, v := range xs {
		if math.IsNaN(v) {
			return math.NaN()
		}
	}
	return mean(xs)
}

// rEffect is an effect on the r scale from a Fisher-z summary.
func rEffect(s Summary) (v, lo, hi float64) {
	return math.Tanh(s.Mean), math.Tanh(s.Lo), math.Tanh(s.Hi)
}

// hypotheses evaluates the claims at step resolution under the options'
// rules. The effects that do not decide a verdict are reported beside it
// with the verdict they would give, marked "(context)".
func (r *StepReport) hypotheses() []Hypothesis {
	opt := r.Options
	conf := opt.Confidence
	hyps := []Hypothesis{DelayHypothesis(r.Delays, opt.DelayOptions(), opt.H1Measure, opt.H1Margin, conf)}

	// H2, the paper's reading: levels over time, from the start step.
	views := opt.Views(0)
	levels := views[2]
	lp := r.Pool(levels, 1)
	strong := strongEffect(lp.Within, lp.Ceiling, opt.Strong,
		"layer 1's Pearson r with the model over levels from the start step (the end of the classifier-only phase), Fisher-z mean over runs", "H2 levels")
	surrogate := surrogateEffect(lp)
	excess := func(p Pooled, what string) Effect { return excessEffect(p, what, opt.CouplingMargin) }
	weakens := slopeEffect("H2", r.Regression, LayerRegressor, "atanh(r) per layer", opt.LayerMargin, "levels from the start step")
	hyps = append(hyps, Hypothesis{ID: "H2",
		Claim:   "shallow-layer accuracy correlates strongly with model accuracy over training, less so in deeper layers (the paper's reading: levels over time, the treatment's shared time course)",
		Effects: []Effect{strong, weakens, surrogate, excess(lp, "levels from the start step")},
		Verdict: CombineVerdicts(strong.Verdict, weakens.Verdict)})

	// H2, coupling: across seeds at fixed steps.
	cp := r.seedCoupling(1)
	coupling := Effect{
		Statistic: fmt.Sprintf("across seeds at steps %s: layer 1's Pearson r with the model, Fisher-z mean over the steps per treatment, mean over treatments", joinInts(opt.CouplingSteps)),
		Unit:      "atanh r", Claim: "> 0", Value: cp.Z.Mean, Lo: cp.Z.Lo, Hi: cp.Z.Hi, P: cp.Z.P, Runs: cp.Runs, Ceiling: cp.Ceiling,
		NullHypothesis: "mean atanh r = 0 (two-sided t-test over treatments)",
		Verdict: WithCeiling(DirectionalVerdict(cp.Z.Mean, cp.Z.Lo, cp.Z.Hi, +1, opt.CouplingMargin),
			cp.Ceiling, math.Tanh(opt.CouplingMargin)),
		Warnings: prefix("H2 coupling", slices.Clone(cp.Z.Warnings)),
	}
	power := Effect{
		Statistic: fmt.Sprintf("smallest across-seed r detectable with %g%% power at %d seeds (two-sided, level %.2g), per treatment and step", 100*opt.Power, cp.Seeds, 1-conf),
		Unit:      "r", Claim: "descriptive", Value: MinDetectableR(cp.Seeds, conf, opt.Power), Lo: math.NaN(), Hi: math.NaN(),
		P: math.NaN(), Runs: cp.Runs, NullHypothesis: "none (power)", Ceiling: math.NaN(), Context: true,
	}
	ce := []Effect{coupling, power}
	for _, w := range views[3:] {
		ce = append(ce, excess(r.Pool(w, 1), w.String()))
	}
	hyps = append(hyps, Hypothesis{ID: "H2 coupling",
		Claim:   "runs whose layer 1 is ahead have the better model (the run's own part of the layer-model correlation)",
		Effects: ce, Verdict: coupling.Verdict})

	// H3: width, in both readings.
	width := slopeEffect("H3", r.Regression, WidthRegressor, "atanh(r) per doubling of width", opt.WidthMargin, "levels from the start step")
	hyps = append(hyps, Hypothesis{ID: "H3", Claim: "the layer-model correlation (levels over time) weakens as layers get wider",
		Effects: []Effect{width}, Verdict: width.Verdict})
	wc := slopeEffect("H3 coupling", r.seedRegression(), WidthRegressor, "atanh(r) per doubling of width", opt.WidthMargin, "the across-seed correlation at the coupling steps")
	hyps = append(hyps, Hypothesis{ID: "H3 coupling", Claim: "the across-seed layer-model correlation weakens as layers get wider",
		Effects: []Effect{wc}, Verdict: wc.Verdict})
	return hyps
}

// TreatmentCoupling is one treatment and layer's across-seed coupling:
// the Fisher-z mean over the coupling steps of the across-seed r of the
// layer with the model, the mean ceiling over those steps, and the seeds.
type TreatmentCoupling struct {
	Group
	Layer   int
	Z       float64 // mean atanh r over the steps where r is defined
	Ceiling float64 // mean over the steps, as r; NaN without halves
	Seeds   int     // the most seeds at a step

	ceilings []float64
}

// treatmentCouplings groups the across-seed correlations at steps by
// treatment and layer, in the order of scs.
func treatmentCouplings(scs []SeedCorrelation, steps []int) []TreatmentCoupling {
	type key struct {
		g     Group
		layer int
	}
	at := map[key]int{}
	var out []TreatmentCoupling
	var zs [][]float64
	for _, c := range scs {
		if !slices.Contains(steps, c.Step) || !c.Defined() {
			continue
		}
		k := key{c.Group, c.Layer}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, TreatmentCoupling{Group: c.Group, Layer: c.Layer})
			zs = append(zs, nil)
		}
		z, _ := FisherZ(c.R)
		zs[i] = append(zs[i], z)
		out[i].ceilings = append(out[i].ceilings, c.Reliability.Ceiling)
		out[i].Seeds = max(out[i].Seeds, c.N)
	}
	for i := range out {
		out[i].Z, out[i].Ceiling = mean(zs[i]), meanOrNaN(out[i].ceilings)
	}
	return out
}

// seedPooled is the across-seed correlation of one layer at the coupling
// steps, per treatment the Fisher-z mean over the steps, summarised over
// treatments.
type seedPooled struct {
	Z       Summary
	Ceiling float64 // mean over treatments and steps, as r; NaN without halves
	Runs    int     // runs in all
	Seeds   int     // the smallest seed count of a treatment
}

func (r *StepReport) seedCoupling(layer int) seedPooled {
	p := seedPooled{Ceiling: math.NaN()}
	var zs, ceil []float64
	for _, tc := range r.TreatmentCouplings {
		if tc.Layer != layer {
			continue
		}
		zs, ceil = append(zs, tc.Z), append(ceil, tc.ceilings...)
		if len(zs) == 1 || tc.Seeds < p.Seeds {
			p.Seeds = tc.Seeds
		}
		p.Runs += tc.Seeds
	}
	p.Z = MeanCI(zs, r.Options.Confidence)
	if len(ceil) > 0 {
		p.Ceiling = meanOrNaN(ceil)
	}
	return p
}

// seedRegression regresses, over treatments and layers, the Fisher-z mean
// over the coupling steps of the across-seed correlation on layer index,
// log2(width) and depth, with SE clustered by treatment.
func (r *StepReport) seedRegression() Regression {
	n := len(r.TreatmentCouplings)
	y := make([]float64, n)
	layer, width, depth := make([]float64, n), make([]float64, n), make([]float64, n)
	cl := make([]string, n)
	for i, tc := range r.TreatmentCouplings {
		y[i] = tc.Z
		layer[i], width[i], depth[i] = float64(tc.Layer), math.Log2(float64(tc.LayerWidth(tc.Layer))), float64(tc.Depth)
		cl[i] = tc.Group.String()
	}
	reg := OLS(y, []Regressor{{LayerRegressor, layer}, {WidthRegressor, width}, {DepthRegressor, depth}}, cl, r.Options.Confidence)
	reg.ClusterName = "treatment"
	return reg
}

func joinInts(vs []int) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ", ")
}

// StepVerdictRule states the step-resolution verdict rules for opt.
func StepVerdictRule(opt StepOptions) string {
	opt = opt.withDefaults()
	var b strings.Builder
	fmt.Fprintf(&b, "Step-resolution rules (fixed in the experiment file). Curves: the held-out probe, from step 0. The start step of a treatment is the first recorded step at which its mean layer-1 FF accuracy exceeds the step-0 mean by %g probe standard errors (rounded up to a multiple of %d steps): before it, the model's rise is the classifier fitting untrained features.\n", opt.StartSE, opt.Windows[0])
	fmt.Fprintf(&b, "H1: the mean over runs of each run's OLS slope of %s on layer index is positive; margin %g steps per layer. The gaps between adjacent layers are reported beside it.\n", opt.H1Measure, opt.H1Margin)
	fmt.Fprintf(&b, "H2 (the paper's reading, levels over time): layer 1's Fisher-z mean Pearson r of levels from the start step has a lower bound ≥ %g, and the slope of atanh(r) on layer index is negative; margin %g per layer. Its between-seed surrogate and the run-specific excess are reported beside it.\n",
		opt.Strong, opt.LayerMargin)
	fmt.Fprintf(&b, "H2 coupling (the run's own part): across seeds at steps %s, layer 1's atanh r with the model, averaged over the steps per treatment, has a mean over treatments > 0; margin %g. The smallest r detectable with %g%% power and the within-run excess over the surrogate at windows of %s steps are reported beside it.\n",
		joinInts(opt.CouplingSteps), opt.CouplingMargin, 100*opt.Power, joinInts(opt.Windows))
	fmt.Fprintf(&b, "H3: the slope of atanh(r) on log2(width) is negative; margin %g per doubling; for levels from the start step (per run and layer, SE clustered by run) and for the across-seed coupling (per treatment and layer, SE clustered by treatment).\n", opt.WidthMargin)
	fmt.Fprintf(&b, "Supported needs the point estimate outside the margin. A claim whose reliability ceiling (split-half probe, Spearman–Brown) is below its threshold (%g for H2, tanh(%g) for coupling) cannot be tested by this measure. Context rows decide nothing.", opt.Strong, opt.CouplingMargin)
	return b.String()
}

// KeyLines returns the key lines of the options in effect (defaults filled
// in), one "param analysis_<name> <value>" per tagged field, in
// declaration order: the options' part of the correlate key.
func (o StepOptions) KeyLines() []string {
	o = o.WithDefaults()
	return tomlkeys.Lines("param analysis_", &o)
}
