package analysis

import (
	"fmt"
	"math"
	"slices"
)

// Names of the regressors of CorrelationRegression.
const (
	LayerRegressor = "layer"
	WidthRegressor = "log2(width)" // so its slope is per doubling of width
	DepthRegressor = "depth"
)

// CorrelationRegression fits, over every run and layer with a defined
// correlation m, the multiple regression
//
//	atanh(r) = b0 + b1·layer + b2·log2(width) + b3·depth
//
// by OLS, with standard errors clustered by run (a run contributes one row
// per layer). A regressor that does not vary (say width, when every run
// has the same) is dropped with a warning.
func CorrelationRegression(lms []LayerModel, m Method, confidence float64) Regression {
	n := len(lms)
	y := make([]float64, n)
	layer, width, depth := make([]float64, n), make([]float64, n), make([]float64, n)
	cl := make([]string, n)
	undefined, clamped := 0, 0
	for i := range lms {
		lm := &lms[i]
		y[i] = math.NaN()
		if c := lm.Corr(m); c.Defined() {
			var cz bool
			y[i], cz = FisherZ(c.R)
			if cz {
				clamped++
			}
		} else {
			undefined++
		}
		layer[i], width[i], depth[i] = float64(lm.Layer), math.Log2(float64(lm.LayerWidth(lm.Layer))), float64(lm.Depth)
		cl[i] = lm.Run
	}
	reg := OLS(y, []Regressor{{LayerRegressor, layer}, {WidthRegressor, width}, {DepthRegressor, depth}}, cl, confidence)
	reg.ClusterName = "run"
	if undefined > 0 {
		reg.Warnings = append(reg.Warnings, warnf(ErrConstant, "%s correlation regression: %d of %d run-layers left out", m, undefined, n))
	}
	if clamped > 0 {
		reg.Warnings = append(reg.Warnings, warnf(ErrClamped, "%s correlation regression: %d run-layers", m, clamped))
	}
	return reg
}

// Verdict is the outcome of testing a claim.
type Verdict string

const (
	Supported    Verdict = "supported"
	NotSupported Verdict = "not supported"
	Inconclusive Verdict = "inconclusive"
	// Untestable is the verdict of a claim whose measure's reliability
	// ceiling, the largest value it could show, is below the claim's
	// threshold: the data cannot support it whatever the truth.
	Untestable Verdict = "cannot be tested by this measure"
)

// StrongR is the r that H2 calls strong (the per-epoch analysis; the step
// analysis takes StepOptions.Strong).
const StrongR = 0.7

// Default equivalence margins of the verdict rule.
const (
	DefaultDelayMargin = 0.1  // H1: epochs per layer
	DefaultLayerMargin = 0.05 // H2: change of atanh(r) per layer
	// H3: change of atanh(r) per doubling of width. It was 0.01 per 100
	// units when width entered linearly; at width 300, where a doubling
	// adds 300 units, that is 0.03 per doubling.
	DefaultWidthMargin = 0.03
)

// VerdictRule states how a verdict follows from an effect and its
// confidence interval.
const VerdictRule = `Verdict rule. Each claim is tested on effect sizes v with 95% confidence intervals [lo, hi].
A directional effect, claimed to be positive (s = +1) or negative (s = -1), with equivalence margin m, is
  supported      when the whole interval has the claimed sign (s·lo > 0 and s·hi > 0) and the point estimate lies
                 outside the margin (s·v > m);
  not supported  when the whole interval has the opposite sign, or lies inside [-m, m] (the effect is negligible);
  inconclusive   otherwise, including when there is no interval (fewer than 2 runs).
"Strongly correlated" (threshold 0.7) is supported when the lower bound of the Fisher-z mean r is at least 0.7,
not supported when its upper bound is below 0.7, and inconclusive otherwise.
A claim whose measure has a reliability ceiling (from the split-half probe) below the claim's threshold is
  cannot be tested by this measure, whatever its estimate.
A claim with several parts is supported when every part is, not supported when any part is not, inconclusive otherwise.
H1 (deeper layers improve later): the mean over runs of each run's OLS slope of the delay (default e50: the epoch at
  which the layer reaches 50% of its gain) on layer index is positive; margin 0.1 epochs per layer.
H2 (layer 1 correlates strongly with the model, less so at deeper positions): layer 1's r is strong, and the slope
  of atanh(r) on layer index is negative; margin 0.05 per layer.
H3 (the correlation weakens with width): the slope of atanh(r) on log2(width) is negative; margin 0.03 per doubling.
The slopes of H2 and H3 come from one OLS regression of atanh(r), per run and layer, on layer index, log2(width)
and depth, with standard errors clustered by run. Every p-value names its null hypothesis.`

// DirectionalVerdict applies the verdict rule to an effect v claimed to
// have sign (+1 or -1), with interval [lo, hi] and equivalence margin (≤ 0
// for none).
func DirectionalVerdict(v, lo, hi float64, sign int, margin float64) Verdict {
	if sign != 1 && sign != -1 {
		panic("analysis: claimed sign must be +1 or -1")
	}
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsNaN(v) {
		return Inconclusive
	}
	s := float64(sign)
	negligible := margin > 0 && lo >= -margin && hi <= margin
	switch {
	case negligible:
		return NotSupported
	case min(s*lo, s*hi) > 0 && s*v > max(margin, 0):
		return Supported
	case max(s*lo, s*hi) < 0:
		return NotSupported
	}
	return Inconclusive
}

// StrengthVerdict applies the "strongly correlated" rule to a Fisher-z
// mean r with interval [lo, hi] and threshold: supported when lo ≥
// threshold, not supported when hi < threshold.
func StrengthVerdict(lo, hi, threshold float64) Verdict {
	switch {
	case math.IsNaN(lo) || math.IsNaN(hi):
		return Inconclusive
	case lo >= threshold:
		return Supported
	case hi < threshold:
		return NotSupported
	}
	return Inconclusive
}

// WithCeiling returns v, or Untestable when the measure's reliability
// ceiling is known and below the claim's threshold (both as r).
func WithCeiling(v Verdict, ceiling, threshold float64) Verdict {
	if !math.IsNaN(ceiling) && ceiling < threshold {
		return Untestable
	}
	return v
}

// CombineVerdicts returns the verdict of a claim made of parts.
func CombineVerdicts(vs ...Verdict) Verdict {
	switch {
	case len(vs) == 0:
		return Inconclusive
	case slices.Contains(vs, NotSupported):
		return NotSupported
	case !slices.ContainsFunc(vs, func(v Verdict) bool { return v != Supported }):
		return Supported
	}
	return Inconclusive
}

// Effect is one measured part of a claim.
type Effect struct {
	Statistic string // what Value is
	Unit      string
	// Claim is the direction or threshold claimed, as text.
	Claim         string
	Value, Lo, Hi float64
	// P is the p-value of the test of Value = Null: two-sided, or, when
	// POneSided, one-sided in the claimed direction. NullHypothesis says
	// what P tests, in words; P is NaN for an effect without a test.
	P, Null        float64
	POneSided      bool
	NullHypothesis string
	// Ceiling is the reliability ceiling of the measure, as r: the
	// largest value it could show; NaN when unknown (no split-half probe)
	// or not a correlation.
	Ceiling float64
	// Context marks an effect reported beside the verdict's, which does
	// not decide it.
	Context  bool
	Runs     int // runs contributing
	Verdict  Verdict
	Warnings []error
}

// Hypothesis is one row of the hypothesis table.
type Hypothesis struct {
	ID      string // "H1", "H2", "H3"
	Claim   string
	Effects []Effect
	Verdict Verdict
}

// Options configure Analyze and EvaluateHypotheses. The zero value means
// every default.
type Options struct {
	// Confidence is the level of every interval; default 0.95.
	Confidence float64
	// DelayMeasure is the delay H1 is tested on, one of
	// EpochDelays.Measures(); default MeasureE50.
	DelayMeasure string
	// Method is the correlation coefficient of H2 and H3; default Pearson.
	Method Method
	// Equivalence margins of the verdict rule; zero means the default, a
	// negative value no margin.
	DelayMargin, LayerMargin, WidthMargin float64
}

func (o Options) withDefaults() Options {
	o.Confidence = checkConfidence(o.Confidence)
	if o.DelayMeasure == "" {
		o.DelayMeasure = MeasureE50
	}
	if !slices.Contains(EpochDelays.Measures(), o.DelayMeasure) {
		panic("analysis: unknown epoch delay measure " + o.DelayMeasure)
	}
	if o.Method == "" {
		o.Method = PearsonMethod
	}
	if o.Method != PearsonMethod && o.Method != SpearmanMethod {
		panic("analysis: unknown correlation method " + string(o.Method))
	}
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		} else if *v < 0 {
			*v = 0
		}
	}
	def(&o.DelayMargin, DefaultDelayMargin)
	def(&o.LayerMargin, DefaultLayerMargin)
	def(&o.WidthMargin, DefaultWidthMargin)
	return o
}

// EvaluateHypotheses returns the rows H1, H2 and H3 of the hypothesis
// table, pooling every run given. reg must be CorrelationRegression of lms
// with opt's method and confidence. couplings, when given, are the
// per-epoch couplings (EpochViews): with Pearson correlations, H2 reports
// their surrogate and run-specific excess beside its verdict.
func EvaluateHypotheses(delays []Delay, lms []LayerModel, reg Regression, couplings []Coupling, opt Options) []Hypothesis {
	opt = opt.withDefaults()

	h1 := DelayHypothesis(delays, EpochDelays, opt.DelayMeasure, opt.DelayMargin, opt.Confidence)

	// H2, part 1: layer 1 strongly correlated with the model.
	var zs []float64
	undefined := 0
	for i := range lms {
		if lms[i].Layer != 1 {
			continue
		}
		c := lms[i].Corr(opt.Method)
		if !c.Defined() {
			undefined++
			continue
		}
		z, _ := FisherZ(c.R)
		zs = append(zs, z)
	}
	zsum := MeanCI(zs, opt.Confidence)
	strong := strongEffect(zsum, math.NaN(), StrongR,
		fmt.Sprintf("Fisher-z mean over runs of %s r, layer 1 vs model accuracy over epochs", opt.Method), "H2 layer 1")
	if undefined > 0 {
		strong.Warnings = append(strong.Warnings, warnf(ErrConstant, "H2 layer 1: %d runs left out", undefined))
	}

	// H2, part 2, and H3: slopes from the regression.
	what := fmt.Sprintf("levels over every epoch (%s)", opt.Method)
	weakens := slopeEffect("H2", reg, LayerRegressor, "atanh(r) per layer", opt.LayerMargin, what)
	h2 := []Effect{strong, weakens}
	if opt.Method == PearsonMethod && len(couplings) > 0 {
		// The surrogate and the run's own part of the same r, from the
		// coupling analysis of the levels over every epoch.
		p := PoolCouplings(couplings, EpochViews[0], 1, opt.Confidence)
		h2 = append(h2, surrogateEffect(p), excessEffect(p, "levels over every epoch", DefaultCouplingMargin))
	}
	width := slopeEffect("H3", reg, WidthRegressor, "atanh(r) per doubling of width", opt.WidthMargin, what)

	return []Hypothesis{
		h1,
		{ID: "H2", Claim: "shallow-layer accuracy correlates strongly with model accuracy, and the correlation weakens with layer position",
			Effects: h2, Verdict: CombineVerdicts(strong.Verdict, weakens.Verdict)},
		{ID: "H3", Claim: "the layer-model correlation weakens as layers get wider",
			Effects: []Effect{width}, Verdict: width.Verdict},
	}
}

// DelayHypothesis is H1, "deeper layers improve later", on delays measured
// under do: the verdict is the mean over runs of each run's OLS slope of
// measure on layer index (clock units per layer; one-sided t-test, margin
// in clock units per layer); the slopes of the other measures and the gaps
// between adjacent layers in measure are reported beside it as context.
func DelayHypothesis(delays []Delay, do DelayOptions, measure string, margin, confidence float64) Hypothesis {
	unit := do.Unit()
	h1 := func(m string) Effect {
		_, sl, left := RunSlopes(delays, m)
		s := MeanCI(sl, confidence)
		e := Effect{
			Statistic: fmt.Sprintf("mean over runs of the OLS slope of %s (%s from %s) on layer index", m, unit, origin(do.Clock)),
			Unit:      unit + " per layer", Claim: "> 0",
			Value: s.Mean, Lo: s.Lo, Hi: s.Hi, P: s.PGreater(0), POneSided: true, Runs: s.N,
			NullHypothesis: "mean slope ≤ 0 (one-sided t-test over runs)", Ceiling: math.NaN(),
			Verdict:  DirectionalVerdict(s.Mean, s.Lo, s.Hi, +1, margin),
			Warnings: prefix("H1 "+m, slices.Clone(s.Warnings)),
		}
		if left > 0 {
			e.Warnings = append(e.Warnings, warnf(ErrNoGain, "H1 %s: %d runs with fewer than 2 layers with a value left out", m, left))
		}
		return e
	}
	main := h1(measure)
	effects := []Effect{main}
	for _, m := range do.Measures() {
		if m != measure {
			e := h1(m)
			e.Context = true
			effects = append(effects, e)
		}
	}
	// Where the delay arises: the gap between adjacent layers, pooled
	// over the runs deep enough to have the pair.
	gaps := map[int][]float64{}
	maxLayer := 0
	eachGap(delays, measure, func(d *Delay, gap float64) {
		gaps[d.Layer] = append(gaps[d.Layer], gap)
		maxLayer = max(maxLayer, d.Layer)
	})
	for l := 1; l <= maxLayer; l++ {
		s := MeanCI(gaps[l], confidence)
		effects = append(effects, Effect{
			Statistic: fmt.Sprintf("mean over runs of %s of layer %d minus that of layer %d (the gap between adjacent layers)", measure, l+1, l),
			Unit:      unit, Claim: "> 0", Value: s.Mean, Lo: s.Lo, Hi: s.Hi, P: s.PGreater(0), POneSided: true, Runs: s.N,
			NullHypothesis: "mean gap ≤ 0 (one-sided t-test over runs)", Ceiling: math.NaN(), Context: true,
			Verdict: DirectionalVerdict(s.Mean, s.Lo, s.Hi, +1, margin), Warnings: prefix(fmt.Sprintf("H1 gap %d-%d", l, l+1), slices.Clone(s.Warnings)),
		})
	}
	return Hypothesis{ID: "H1", Claim: "deeper layers improve later than shallower ones", Effects: effects, Verdict: main.Verdict}
}

// slopeEffect is the effect "the correlation weakens with regressor name":
// its OLS slope in reg, claimed negative, with margin; what names the
// correlation. A regressor that does not vary independently is
// inconclusive, with a warning.
func slopeEffect(id string, reg Regression, name, unit string, margin float64, what string) Effect {
	e := Effect{
		Statistic: fmt.Sprintf("OLS slope of atanh r of %s on %s, controlling for the other regressors; SE clustered by %s", what, name, reg.ClusterName),
		Unit:      unit, Claim: "< 0", Runs: reg.Clusters, Ceiling: math.NaN(),
		NullHypothesis: "slope = 0 (two-sided t-test, clustered SE)",
	}
	c, ok := reg.Coef(name)
	if !ok {
		e.Value, e.Lo, e.Hi, e.P, e.Verdict = math.NaN(), math.Inf(-1), math.Inf(1), math.NaN(), Inconclusive
		e.Warnings = append(e.Warnings, warnf(ErrNotEstimable, "%s: %s does not vary independently", id, name))
		return e
	}
	e.Value, e.Lo, e.Hi, e.P = c.Estimate, c.Lo, c.Hi, c.P
	e.Verdict = DirectionalVerdict(c.Estimate, c.Lo, c.Hi, -1, margin)
	e.Warnings = prefix(id, slices.Clone(reg.Warnings))
	return e
}

// strongEffect is the effect "layer 1 correlates strongly with the model":
// the Fisher-z mean within (of atanh r over runs) as r, supported when its
// lower bound reaches strong, untestable when the measure's ceiling is
// below it.
func strongEffect(within Summary, ceiling, strong float64, statistic, where string) Effect {
	v, lo, hi := rEffect(within)
	return Effect{
		Statistic: statistic,
		Unit:      "r", Claim: fmt.Sprintf("≥ %g (lower bound)", strong), Value: v, Lo: lo, Hi: hi,
		P: within.PValue(math.Atanh(strong)), Null: strong, Runs: within.N, Ceiling: ceiling,
		NullHypothesis: fmt.Sprintf("r = %g (two-sided t-test over runs of mean atanh r)", strong),
		Verdict:        WithCeiling(StrengthVerdict(lo, hi, strong), ceiling, strong),
		Warnings:       prefix(where, slices.Clone(within.Warnings)),
	}
}

// surrogateEffect is the context effect of a pooled coupling's
// between-seed surrogate.
func surrogateEffect(p Pooled) Effect {
	sv, slo, shi := rEffect(p.Surrogate)
	return Effect{
		Statistic: "the same r with each run's layer paired with the other runs' models of its treatment (between-seed surrogate: the shared time course), Fisher-z mean",
		Unit:      "r", Claim: "descriptive", Value: sv, Lo: slo, Hi: shi, P: math.NaN(), Runs: p.Surrogate.N,
		NullHypothesis: "none (descriptive)", Ceiling: p.Ceiling, Context: true,
	}
}

// excessEffect is the context effect of a pooled coupling's run-specific
// part, what naming the measure, with margin in atanh r.
func excessEffect(p Pooled, what string, margin float64) Effect {
	return Effect{
		Statistic: "run-specific part of " + what + ": atanh r of a run's own pairing minus its surrogate's, mean over runs",
		Unit:      "atanh r", Claim: "> 0", Value: p.Excess.Mean, Lo: p.Excess.Lo, Hi: p.Excess.Hi, P: p.PPerm, Runs: p.Excess.N,
		NullHypothesis: fmt.Sprintf("layer and model curves pair at random within a treatment (permutation test, %d pairings)", CouplingPermutations),
		Ceiling:        p.ResidualCeiling, Context: true,
		Verdict: WithCeiling(DirectionalVerdict(p.Excess.Mean, p.Excess.Lo, p.Excess.Hi, +1, margin),
			p.ResidualCeiling, math.Tanh(margin)),
		Warnings: prefix("H2 excess "+what, slices.Clone(p.Excess.Warnings)),
	}
}
