package analysis

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/stat"
)

// MaxAbsR is where |r| = 1 is clamped before the Fisher transform, whose
// value at ±1 is infinite: atanh(MaxAbsR) ≈ 7.25.
const MaxAbsR = 1 - 1e-6

// Method names a correlation coefficient.
type Method string

const (
	PearsonMethod  Method = "pearson"
	SpearmanMethod Method = "spearman"
)

// Correlation is a correlation coefficient of one pair of series.
type Correlation struct {
	R float64 // NaN when undefined (see Warnings)
	N int     // pairs used
	// P is the two-sided p-value of r = 0 from t = r√(N-2)/√(1-r²) with
	// N-2 degrees of freedom.
	P float64
	// Lo and Hi bound the Fisher-z confidence interval, tanh(atanh(r) ± q·se)
	// with q the normal quantile and se = 1/√(N-3) (Pearson) or
	// √(1.06/(N-3)) (Spearman); -1 and 1 when N ≤ 3.
	Lo, Hi     float64
	Confidence float64
	Warnings   []error
}

// Defined reports whether the coefficient exists.
func (c Correlation) Defined() bool { return !math.IsNaN(c.R) }

// Pearson returns the Pearson product-moment correlation of x and y. Pairs
// with a NaN are left out. Fewer than 3 pairs or a constant series leave
// R undefined (NaN) with a warning.
func Pearson(x, y []float64, confidence float64) Correlation {
	x, y, c, ok := pairs(x, y, confidence)
	if !ok {
		return c
	}
	c.R = stat.Correlation(x, y, nil)
	c.R = max(-1, min(1, c.R)) // rounding can step just past ±1
	c.finish(1)
	return c
}

// Spearman returns Spearman's rank correlation of x and y: the Pearson
// correlation of their mid-ranks (ties share the mean of their ranks).
// Pairs with a NaN are left out; the p-value uses the same t
// approximation as Pearson, and the interval Fieller, Hartley and
// Pearson's (1957) variance 1.06/(N-3) of atanh(r).
func Spearman(x, y []float64, confidence float64) Correlation {
	x, y, c, ok := pairs(x, y, confidence)
	if !ok {
		return c
	}
	c.R = stat.Correlation(Ranks(x), Ranks(y), nil)
	c.R = max(-1, min(1, c.R))
	c.finish(1.06)
	return c
}

// pairs drops pairs with a NaN and checks the series for length and
// constancy; ok is false when the correlation is undefined.
func pairs(x, y []float64, confidence float64) (xs, ys []float64, c Correlation, ok bool) {
	if len(x) != len(y) {
		panic("analysis: correlation of series of different lengths")
	}
	c = Correlation{R: math.NaN(), P: math.NaN(), Lo: -1, Hi: 1, Confidence: checkConfidence(confidence)}
	xs = make([]float64, 0, len(x))
	ys = make([]float64, 0, len(y))
	for i := range x {
		if !math.IsNaN(x[i]) && !math.IsNaN(y[i]) {
			xs = append(xs, x[i])
			ys = append(ys, y[i])
		}
	}
	c.N = len(xs)
	if c.N < len(x) {
		c.Warnings = append(c.Warnings, warnf(ErrMissing, "%d of %d pairs", len(x)-c.N, len(x)))
	}
	if c.N < 3 {
		c.Warnings = append(c.Warnings, warnf(ErrTooFewPoints, "correlation needs 3 pairs, have %d", c.N))
		return xs, ys, c, false
	}
	if constant(xs) || constant(ys) {
		c.Warnings = append(c.Warnings, warnf(ErrConstant, "%d pairs", c.N))
		return xs, ys, c, false
	}
	return xs, ys, c, true
}

func constant(x []float64) bool {
	for _, v := range x[1:] {
		if v != x[0] {
			return false
		}
	}
	return true
}

// finish computes the p-value and Fisher interval of a defined R; vz is
// the variance factor of atanh(r) (1 for Pearson).
func (c *Correlation) finish(vz float64) {
	df := float64(c.N - 2)
	c.P = TTwoSided(c.R*math.Sqrt(df)/math.Sqrt(1-c.R*c.R), df)
	if c.N <= 3 {
		c.Warnings = append(c.Warnings, warnf(ErrTooFewPoints, "Fisher interval needs 4 pairs, have %d", c.N))
		return
	}
	z := math.Atanh(c.R)
	half := NormalQuantile(0.5+c.Confidence/2) * math.Sqrt(vz/float64(c.N-3))
	c.Lo, c.Hi = math.Tanh(z-half), math.Tanh(z+half)
}

// Ranks returns the 1-based ranks of x, ties sharing the mean of the ranks
// they span.
func Ranks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	r := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && x[idx[j]] == x[idx[i]] {
			j++
		}
		mid := float64(i+j+1) / 2 // mean of ranks i+1..j
		for _, k := range idx[i:j] {
			r[k] = mid
		}
		i = j
	}
	return r
}

// FisherZ returns atanh(r), with |r| clamped to MaxAbsR; clamped reports
// whether it was.
func FisherZ(r float64) (z float64, clamped bool) {
	if math.Abs(r) > MaxAbsR {
		r = math.Copysign(MaxAbsR, r)
		clamped = true
	}
	return math.Atanh(r), clamped
}

// LayerModel is the correlation, over one run's epochs, between one
// layer's accuracy and the model's accuracy.
type LayerModel struct {
	Group
	Run      string
	Seed     uint64
	Layer    int
	Pearson  Correlation
	Spearman Correlation
}

// Corr returns the coefficient computed by m.
func (lm *LayerModel) Corr(m Method) Correlation {
	if m == SpearmanMethod {
		return lm.Spearman
	}
	return lm.Pearson
}

// LayerModelCorrelations returns one LayerModel per curve, in the same
// order.
func LayerModelCorrelations(curves []Curve, confidence float64) []LayerModel {
	out := make([]LayerModel, len(curves))
	for i := range curves {
		c := &curves[i]
		where := runLayer(c.Run, c.Layer)
		p := Pearson(c.LayerAccuracy, c.ModelAccuracy, confidence)
		s := Spearman(c.LayerAccuracy, c.ModelAccuracy, confidence)
		p.Warnings = prefix(where+" pearson", p.Warnings)
		s.Warnings = prefix(where+" spearman", s.Warnings)
		out[i] = LayerModel{Group: c.Group, Run: c.Run, Seed: c.Seed, Layer: c.Layer, Pearson: p, Spearman: s}
	}
	return out
}

func runLayer(run string, layer int) string {
	return fmt.Sprintf("run %q layer %d", run, layer)
}

func groupLayer(g Group, layer int) string {
	return fmt.Sprintf("%v layer %d", g, layer)
}

// CorrelationSummary is the Fisher-z average over seeds of one
// treatment's layer-versus-model correlations.
type CorrelationSummary struct {
	Group
	Layer  int
	Method Method
	// R is tanh of the mean of atanh(r) over seeds; Lo and Hi are tanh of
	// the t interval of that mean, -1 and 1 with fewer than 2 seeds.
	R, Lo, Hi float64
	// P is the two-sided p-value of the one-sample t-test of mean z = 0.
	P float64
	// Z summarises atanh(r) over seeds, Z.N being the number of seeds
	// used.
	Z Summary
	// Undefined counts runs left out because their correlation is
	// undefined (a constant or too short series).
	Undefined int
	// Clamped counts runs whose |r| = 1 was clamped to MaxAbsR.
	Clamped  int
	Warnings []error
}

// SummarizeCorrelations returns one CorrelationSummary per group, layer and
// method (Pearson first), sorted in that order.
func SummarizeCorrelations(lms []LayerModel, confidence float64) []CorrelationSummary {
	keys, groups := byGroupLayer(lms, func(lm *LayerModel) groupLayerKey { return groupLayerKey{lm.Group, lm.Layer} })
	var out []CorrelationSummary
	for _, k := range keys {
		for _, m := range []Method{PearsonMethod, SpearmanMethod} {
			s := CorrelationSummary{Group: k.g, Layer: k.layer, Method: m}
			var zs []float64
			for _, lm := range groups[k] {
				c := lm.Corr(m)
				if !c.Defined() {
					s.Undefined++
					continue
				}
				z, clamped := FisherZ(c.R)
				if clamped {
					s.Clamped++
				}
				zs = append(zs, z)
			}
			s.Z = MeanCI(zs, confidence)
			s.R, s.Lo, s.Hi, s.P = math.Tanh(s.Z.Mean), math.Tanh(s.Z.Lo), math.Tanh(s.Z.Hi), s.Z.P
			where := groupLayer(k.g, k.layer) + " " + string(m)
			if s.Undefined > 0 {
				s.Warnings = append(s.Warnings, warnf(ErrConstant, "%s: %d of %d runs left out", where, s.Undefined, len(groups[k])))
			}
			if s.Clamped > 0 {
				s.Warnings = append(s.Warnings, warnf(ErrClamped, "%s: %d runs", where, s.Clamped))
			}
			s.Warnings = append(s.Warnings, prefix(where, slices.Clone(s.Z.Warnings))...)
			out = append(out, s)
		}
	}
	return out
}

// FinalCorrelation is, for one treatment's layer, the Pearson correlation
// across seeds between the layer's accuracy and the model's accuracy at
// each run's final epoch.
type FinalCorrelation struct {
	Group
	Layer int
	Correlation
}

// FinalCorrelations returns one FinalCorrelation per group and layer,
// sorted in that order. A correlation over fewer than 3 seeds is
// undefined; over 3 it has no Fisher interval (both with a warning).
func FinalCorrelations(curves []Curve, confidence float64) []FinalCorrelation {
	keys, m := byGroupLayer(curves, func(c *Curve) groupLayerKey { return groupLayerKey{c.Group, c.Layer} })
	out := make([]FinalCorrelation, 0, len(keys))
	for _, k := range keys {
		var layer, model []float64
		for _, c := range m[k] {
			layer = append(layer, c.LayerAccuracy[c.last()])
			model = append(model, c.ModelAccuracy[c.last()])
		}
		c := Pearson(layer, model, confidence)
		if c.N < 4 {
			c.Warnings = append(c.Warnings, warnf(ErrTooFewSeeds, "%d seeds with final accuracies; a Fisher interval needs 4", c.N))
		}
		c.Warnings = prefix(groupLayer(k.g, k.layer)+" final accuracies across seeds", c.Warnings)
		out = append(out, FinalCorrelation{k.g, k.layer, c})
	}
	return out
}
