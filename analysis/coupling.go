package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// The coupling analysis. Two learning curves of one treatment correlate
// through their shared time course, in levels and in increments alike: the
// layer of one seed correlates with the model of another seed about as
// well as with its own. A layer–model correlation says something about a
// run only beyond its between-seed surrogate, and it cannot exceed its
// reliability ceiling, the largest r that two curves measured with the
// probe's noise can show. Couplings reports all three for every measure,
// on any clock (steps or epochs) and timescale.

// Clocks of a curve.
const (
	ClockStep  = "step"
	ClockEpoch = "epoch"
)

// Measures of a View.
const (
	ViewLevels     = "levels"
	ViewIncrements = "increments"
)

// View says which series of a run's curves a correlation is computed
// over.
type View struct {
	Clock   string // ClockStep or ClockEpoch: what the curve's x values count
	Measure string // ViewLevels or ViewIncrements
	// Window is, for increments, the length (in clock units) of the
	// non-overlapping windows from Start whose increments are correlated:
	// y(Start+(k+1)·Window) − y(Start+k·Window), interpolated linearly
	// between recorded points. 0 takes the increments between consecutive
	// recorded points.
	Window int
	// Start is the first clock value used.
	Start int
	// FromStart marks a view that starts at its treatment's start step
	// (StartStep), whatever step that is; views without it start at
	// Start for every treatment.
	FromStart bool
}

// String names the view without its start step when it starts at the
// treatment's start step (which differs between treatments).
func (v View) String() string {
	from := fmt.Sprintf("from %s %d", v.Clock, v.Start)
	if v.FromStart {
		from = "from the start step"
	}
	switch {
	case v.Measure == ViewLevels:
		return "levels " + from
	case v.Window == 0:
		return fmt.Sprintf("increments between recorded %ss %s", v.Clock, from)
	}
	return fmt.Sprintf("increments over %d-%s windows %s", v.Window, v.Clock, from)
}

// Same reports whether v and w are the same measure: for views from the
// treatment's start step, whatever step that is.
func (v View) Same(w View) bool {
	if v.FromStart {
		v.Start = 0
	}
	if w.FromStart {
		w.Start = 0
	}
	return v == w
}

// grid returns the clock values at which v samples curves recorded at ref
// (ascending).
func (v View) grid(ref []int) []int {
	var g []int
	if len(ref) == 0 {
		return nil
	}
	if v.Measure == ViewIncrements && v.Window > 0 {
		for s := v.Start; s <= ref[len(ref)-1]; s += v.Window {
			g = append(g, s)
		}
		return g
	}
	for _, s := range ref {
		if s >= v.Start {
			g = append(g, s)
		}
	}
	return g
}

// series returns the values v correlates of y, recorded at xs, on grid g.
func (v View) series(xs []int, y []float64, g []int) []float64 {
	vals := make([]float64, len(g))
	for i, s := range g {
		vals[i] = At(xs, y, float64(s))
	}
	if v.Measure == ViewLevels {
		return vals
	}
	var d []float64
	for i := 1; i < len(vals); i++ {
		d = append(d, vals[i]-vals[i-1])
	}
	return d
}

// Reliability is the split-half reliability of two series, estimated from
// the probe's two halves: the Fisher-z mean over runs of the correlation
// between a series measured on one half and on the other, stepped up to the
// whole probe by the Spearman–Brown formula 2r/(1+r) (0 when r ≤ 0). The
// ceiling √(rel_layer·rel_model) is the largest correlation the two series
// can show when their true values correlate perfectly. All NaN without
// halves.
type Reliability struct {
	Layer, Model, Ceiling float64
}

// noReliability is the Reliability of curves without halves.
var noReliability = Reliability{math.NaN(), math.NaN(), math.NaN()}

// SpearmanBrown steps the correlation r between two halves of a
// measurement up to the reliability of the whole: 2r/(1+r), and 0 for
// r ≤ 0 (no reliable part).
func SpearmanBrown(r float64) float64 {
	if math.IsNaN(r) {
		return r
	}
	if r <= 0 {
		return 0
	}
	return 2 * r / (1 + r)
}

// MinDetectableR is the smallest correlation a two-sided test at level
// 1 − confidence detects with probability power from n pairs: by the Fisher
// transform, tanh((z_{(1+confidence)/2} + z_power)/√(n−3)). NaN for n ≤ 3.
func MinDetectableR(n int, confidence, power float64) float64 {
	if n <= 3 {
		return math.NaN()
	}
	confidence = checkConfidence(confidence)
	return math.Tanh((NormalQuantile((1+confidence)/2) + NormalQuantile(power)) / math.Sqrt(float64(n-3)))
}

// CouplingRun is one run's part of a Coupling, on the Fisher-z scale.
type CouplingRun struct {
	Run  string
	Seed uint64
	// Within is atanh r of the run's own layer and model; Surrogate the
	// mean of atanh r of its layer with the model of every other run of
	// the treatment; Residual atanh r of the layer and model minus the
	// treatment's mean curves. NaN when undefined.
	Within, Surrogate, Residual float64
}

// Coupling is one layer–model correlation measure of one treatment and
// layer: the runs' own correlation, its between-seed surrogate, the
// run-specific excess, the correlation of residuals, and the measure's
// reliability ceiling.
type Coupling struct {
	Group
	Layer int
	View  View
	// Points is the length of each run's series.
	Points int
	// Within, Surrogate, Excess and Residual summarise over runs, on the
	// Fisher-z scale: the runs' own correlation, the surrogate (each
	// run's layer with the other runs' models), their difference per run
	// (the run-specific part), and the correlation of residuals from the
	// treatment's mean curves.
	Within, Surrogate, Excess, Residual Summary
	// PPerm is the two-sided permutation p-value of the mean excess under
	// the null hypothesis that a run's layer is no more related to its
	// own model than to another run's of the treatment (the pairing of
	// layers and models is exchangeable): Permutations random pairings.
	PPerm        float64
	Permutations int
	// Reliability is that of the series correlated, ResidualReliability
	// that of their residuals: the ceilings of Within and Residual.
	Reliability, ResidualReliability Reliability
	Runs                             []CouplingRun
	Warnings                         []error

	z [][]float64 // z[i][j]: atanh r of run i's layer with run j's model
}

// R returns tanh of the mean within-run z: the Fisher-z mean r.
func (c *Coupling) R() float64 { return math.Tanh(c.Within.Mean) }

// Disattenuated is R over the reliability ceiling: the correlation the
// true curves would show; NaN without a ceiling.
func (c *Coupling) Disattenuated() float64 {
	if !(c.Reliability.Ceiling > 0) {
		return math.NaN()
	}
	return c.R() / c.Reliability.Ceiling
}

// CouplingPermutations is the number of random pairings of a permutation
// test.
const CouplingPermutations = 9999

// Halves are the curves of the probe's two halves, matching a sweep's
// whole-probe curves run for run and layer for layer; nil when the probe
// was not split.
type Halves *[2][]Curve

// runLayerKey names one layer of one run.
type runLayerKey struct {
	run   string
	layer int
}

// halfIndex maps each half's curves by run and layer; both maps are nil
// without halves.
func halfIndex(halves Halves) [2]map[runLayerKey]*Curve {
	var half [2]map[runLayerKey]*Curve
	if halves == nil {
		return half
	}
	for h := range half {
		half[h] = map[runLayerKey]*Curve{}
		for i := range halves[h] {
			c := &halves[h][i]
			half[h][runLayerKey{c.Run, c.Layer}] = c
		}
	}
	return half
}

// Couplings computes every view of views(group) for every treatment and
// layer of curves, sorted by treatment, layer and view order. halves, when
// not nil, gives the reliabilities.
func Couplings(curves []Curve, halves Halves, views func(Group) []View, confidence float64) []Coupling {
	half := halfIndex(halves)
	keys, byKey := byGroupLayer(curves, func(c *Curve) groupLayerKey { return groupLayerKey{c.Group, c.Layer} })
	var out []Coupling
	for _, k := range keys {
		cs := byKey[k]
		for _, v := range views(k.g) {
			g := v.grid(cs[0].Epochs)
			x, y := make([][]float64, len(cs)), make([][]float64, len(cs))
			var xh, yh [2][][]float64
			complete := halves != nil
			for i, c := range cs {
				x[i], y[i] = v.series(c.Epochs, c.LayerAccuracy, g), v.series(c.Epochs, c.ModelAccuracy, g)
				for h := range half {
					hc := half[h][runLayerKey{c.Run, c.Layer}]
					if hc == nil {
						complete = false
						continue
					}
					xh[h] = append(xh[h], v.series(hc.Epochs, hc.LayerAccuracy, g))
					yh[h] = append(yh[h], v.series(hc.Epochs, hc.ModelAccuracy, g))
				}
			}
			cp := couple(x, y, confidence)
			cp.Group, cp.Layer, cp.View = k.g, k.layer, v
			for i, c := range cs {
				cp.Runs[i].Run, cp.Runs[i].Seed = c.Run, c.Seed
			}
			cp.Reliability, cp.ResidualReliability = noReliability, noReliability
			if complete {
				cp.Reliability = reliability(xh, yh, false)
				cp.ResidualReliability = reliability(xh, yh, true)
			} else if halves != nil {
				cp.Warnings = append(cp.Warnings, warnf(ErrTooFewSeeds, "%s %s: runs without both probe halves, no reliability", groupLayer(k.g, k.layer), v))
			}
			cp.Warnings = prefix(groupLayer(k.g, k.layer)+" "+v.String(), cp.Warnings)
			out = append(out, cp)
		}
	}
	return out
}

// zCorr returns atanh of Pearson's r of x and y, NaN when undefined.
func zCorr(x, y []float64) float64 {
	c := Pearson(x, y, DefaultConfidence)
	if !c.Defined() {
		return math.NaN()
	}
	z, _ := FisherZ(c.R)
	return z
}

// couple computes the within, surrogate, excess and residual statistics of
// runs whose layer series are x[i] and model series y[i].
func couple(x, y [][]float64, confidence float64) Coupling {
	n := len(x)
	c := Coupling{Runs: make([]CouplingRun, n), z: make([][]float64, n)}
	if n > 0 {
		c.Points = len(x[0])
	}
	for i := range x {
		c.z[i] = make([]float64, n)
		for j := range y {
			c.z[i][j] = zCorr(x[i], y[j])
		}
	}
	rx, ry := residuals(x), residuals(y)
	var within, surr, excess, resid []float64
	undefined := 0
	for i := range x {
		var s []float64
		for j := range y {
			if j != i && !math.IsNaN(c.z[i][j]) {
				s = append(s, c.z[i][j])
			}
		}
		run := CouplingRun{Within: c.z[i][i], Surrogate: math.NaN(), Residual: zCorr(rx[i], ry[i])}
		if len(s) > 0 {
			run.Surrogate = mean(s)
		}
		if math.IsNaN(run.Within) {
			undefined++
		}
		c.Runs[i] = run
		within, surr, resid = append(within, run.Within), append(surr, run.Surrogate), append(resid, run.Residual)
		excess = append(excess, run.Within-run.Surrogate)
	}
	c.Within, c.Surrogate = MeanCI(within, confidence), MeanCI(surr, confidence)
	c.Excess, c.Residual = MeanCI(excess, confidence), MeanCI(resid, confidence)
	if undefined > 0 {
		c.Warnings = append(c.Warnings, warnf(ErrConstant, "%d of %d runs without a defined correlation", undefined, n))
	}
	c.PPerm, c.Permutations = permutationP([]*Coupling{&c}), CouplingPermutations
	return c
}

// mean is the arithmetic mean of xs (not empty).
func mean(xs []float64) float64 {
	var s float64
	for _, v := range xs {
		s += v
	}
	return s / float64(len(xs))
}

// residuals returns each series minus the mean series over all of them
// (NaN values left out of the mean).
func residuals(x [][]float64) [][]float64 {
	if len(x) == 0 {
		return nil
	}
	m := make([]float64, len(x[0]))
	for t := range m {
		var s float64
		k := 0
		for i := range x {
			if t < len(x[i]) && !math.IsNaN(x[i][t]) {
				s += x[i][t]
				k++
			}
		}
		m[t] = math.NaN()
		if k > 0 {
			m[t] = s / float64(k)
		}
	}
	out := make([][]float64, len(x))
	for i := range x {
		out[i] = make([]float64, len(x[i]))
		for t := range x[i] {
			out[i][t] = x[i][t] - m[t]
		}
	}
	return out
}

// reliability estimates the split-half reliabilities of the layer series
// (halves xh) and the model series (yh), or of their residuals from the
// mean series of each half.
func reliability(xh, yh [2][][]float64, resid bool) Reliability {
	rel := func(a, b [][]float64) float64 {
		if resid {
			a, b = residuals(a), residuals(b)
		}
		var zs []float64
		for i := range a {
			if z := zCorr(a[i], b[i]); !math.IsNaN(z) {
				zs = append(zs, z)
			}
		}
		if len(zs) == 0 {
			return math.NaN()
		}
		return SpearmanBrown(math.Tanh(mean(zs)))
	}
	r := Reliability{Layer: rel(xh[0], xh[1]), Model: rel(yh[0], yh[1])}
	r.Ceiling = math.Sqrt(r.Layer * r.Model)
	return r
}

// permutationP is the two-sided permutation p-value of the mean over the
// couplings cs of their statistic T = mean_i z_ii − mean_{i≠j} z_ij (the
// mean excess of the runs' own pairing over the surrogate), each
// coupling's pairing shuffled independently. Runs with an undefined
// correlation against any run are left out. The generator is seeded by a
// constant: the same couplings give the same p.
func permutationP(cs []*Coupling) float64 {
	var ps []pairing
	var observed float64
	for _, c := range cs {
		var keep []int
		for i := range c.z {
			ok := true
			for j := range c.z {
				ok = ok && !math.IsNaN(c.z[i][j]) && !math.IsNaN(c.z[j][i])
			}
			if ok {
				keep = append(keep, i)
			}
		}
		if len(keep) < 3 {
			continue
		}
		p := pairing{n: len(keep), perm: make([]int, len(keep))}
		for _, i := range keep {
			row := make([]float64, 0, len(keep))
			for _, j := range keep {
				row = append(row, c.z[i][j])
				p.sum += c.z[i][j]
			}
			p.z = append(p.z, row)
		}
		for i := range p.perm {
			p.perm[i] = i
		}
		observed += p.stat(p.perm)
		ps = append(ps, p)
	}
	if len(ps) == 0 {
		return math.NaN()
	}
	rng := rand.New(rand.NewPCG(0x636f75706c696e67, 0x7065726d))
	// Rounding: a permutation whose statistic equals the observed one up
	// to the last bits counts as at least as extreme.
	tol := 1e-12 * max(1, math.Abs(observed))
	extreme := 0
	for range CouplingPermutations {
		var t float64
		for k := range ps {
			p := &ps[k]
			rng.Shuffle(p.n, func(i, j int) { p.perm[i], p.perm[j] = p.perm[j], p.perm[i] })
			t += p.stat(p.perm)
		}
		if math.Abs(t) >= math.Abs(observed)-tol {
			extreme++
		}
	}
	return float64(1+extreme) / float64(1+CouplingPermutations)
}

// pairing is one treatment's z matrix in a permutation test.
type pairing struct {
	z    [][]float64
	sum  float64 // over all n² pairs
	n    int
	perm []int
}

// stat is T for the pairing perm (run i's layer with run perm[i]'s
// model): the mean of the n paired z minus the mean of the other n(n−1).
func (p *pairing) stat(perm []int) float64 {
	var d float64
	for i, j := range perm {
		d += p.z[i][j]
	}
	n := float64(p.n)
	return d/n - (p.sum-d)/(n*(n-1))
}
