package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Measure names a delay statistic of a layer's curve.
type Measure int

const (
	// T50, T90 and T95 are the (fractional) epochs at which a layer's
	// accuracy first reaches 50%, 90% and 95% of its gain.
	T50 Measure = iota
	T90
	T95
	// Lag is the integer lag, in epochs, that maximises the
	// cross-correlation of the layer's curve with layer 1's.
	Lag
)

// Measures lists every Measure.
var Measures = []Measure{T50, T90, T95, Lag}

func (m Measure) String() string {
	switch m {
	case T50:
		return "t50"
	case T90:
		return "t90"
	case T95:
		return "t95"
	case Lag:
		return "lag"
	}
	return fmt.Sprintf("Measure(%d)", int(m))
}

// Fraction returns the fraction of the gain a reach measure refers to, 0
// for Lag.
func (m Measure) Fraction() float64 {
	switch m {
	case T50:
		return 0.5
	case T90:
		return 0.9
	case T95:
		return 0.95
	}
	return 0
}

// Delay describes when one layer of one run improves.
type Delay struct {
	Group
	Run   string
	Seed  uint64
	Layer int
	// Gain is the maximum accuracy over epochs minus the accuracy at the
	// first epoch.
	Gain float64
	// T50, T90 and T95 are epochs (see ReachEpoch); NaN when Gain ≤ 0.
	T50, T90, T95 float64
	// Lag is the lag of this layer behind layer 1 (see BestLag), 0 for
	// layer 1 itself; NaN when undefined. LagR is the correlation at Lag.
	Lag, LagR float64
	Warnings  []error
}

// Value returns the delay measured by m.
func (d *Delay) Value(m Measure) float64 {
	switch m {
	case T50:
		return d.T50
	case T90:
		return d.T90
	case T95:
		return d.T95
	case Lag:
		return d.Lag
	}
	panic("analysis: unknown delay measure")
}

// ReachEpoch returns the epoch at which y first reaches y0 + frac·gain,
// where y0 is the first value and gain = max(y) - y0, interpolating
// linearly between the epoch before the crossing and the crossing epoch,
// so the result is fractional. NaN values are left out. It returns an
// error wrapping ErrNoGain when gain ≤ 0, or ErrTooFewPoints with fewer
// than 2 values. frac must be in (0, 1].
func ReachEpoch(epochs []int, y []float64, frac float64) (float64, error) {
	if len(epochs) != len(y) {
		panic("analysis: epochs and values of different lengths")
	}
	if !(frac > 0 && frac <= 1) {
		panic("analysis: reach fraction outside (0, 1]")
	}
	es, ys := finite(epochs, y)
	if len(ys) < 2 {
		return math.NaN(), warnf(ErrTooFewPoints, "%d epochs with a value", len(ys))
	}
	y0, top := ys[0], slices.Max(ys)
	gain := top - y0
	if !(gain > 0) {
		return math.NaN(), warnf(ErrNoGain, "accuracy %g at epoch %d is never exceeded", y0, es[0])
	}
	target := y0 + frac*gain
	for i := 1; i < len(ys); i++ {
		if ys[i] >= target {
			// ys[i-1] < target ≤ ys[i], so the slope is positive.
			f := (target - ys[i-1]) / (ys[i] - ys[i-1])
			return float64(es[i-1]) + f*float64(es[i]-es[i-1]), nil
		}
	}
	// Rounding in y0 + 1·gain can leave the target a hair above the max.
	return float64(es[slices.Index(ys, top)]), nil
}

func finite(epochs []int, y []float64) ([]int, []float64) {
	es := make([]int, 0, len(y))
	ys := make([]float64, 0, len(y))
	for i, v := range y {
		if !math.IsNaN(v) {
			es = append(es, epochs[i])
			ys = append(ys, v)
		}
	}
	return es, ys
}

// BestLag returns the integer lag k, |k| ≤ len(ref)/2, that maximises the
// Pearson correlation of ref[t] with y[t+k] over the overlapping t, and
// that correlation. A positive k means y follows ref k steps later. Lags
// whose overlap is shorter than 3 or constant are skipped; among equal
// maxima the smallest |k| wins, then the positive one. ok is false when no
// lag has a defined correlation. ref and y must have the same length and
// be sampled at the same, equally spaced epochs.
func BestLag(ref, y []float64) (lag int, r float64, ok bool) {
	if len(ref) != len(y) {
		panic("analysis: cross-correlation of series of different lengths")
	}
	n := len(ref)
	kmax := n / 2
	best := math.Inf(-1)
	for _, k := range lagOrder(kmax) {
		lo, hi := max(0, -k), min(n, n-k) // t range with t+k in range
		c := Pearson(ref[lo:hi], y[lo+k:hi+k], 0)
		if c.Defined() && c.R > best {
			best, lag, ok = c.R, k, true
		}
	}
	if !ok {
		return 0, math.NaN(), false
	}
	return lag, best, true
}

// lagOrder returns 0, 1, -1, 2, -2, ..., kmax, -kmax: the order of
// preference among equal correlations.
func lagOrder(kmax int) []int {
	ks := []int{0}
	for k := 1; k <= kmax; k++ {
		ks = append(ks, k, -k)
	}
	return ks
}

// Delays returns one Delay per curve, in the same order. Curves must be
// sorted as Curves returns them; a run's lags are relative to its layer 1
// curve, and undefined when that is missing.
func Delays(curves []Curve) []Delay {
	out := make([]Delay, 0, len(curves))
	for _, run := range runCurves(curves) {
		var ref *Curve
		if run[0].Layer == 1 {
			ref = &run[0]
		}
		for i := range run {
			out = append(out, delayOf(&run[i], ref))
		}
	}
	return out
}

func delayOf(c, ref *Curve) Delay {
	d := Delay{Group: c.Group, Run: c.Run, Seed: c.Seed, Layer: c.Layer,
		Gain: math.NaN(), T50: math.NaN(), T90: math.NaN(), T95: math.NaN(), Lag: math.NaN(), LagR: math.NaN()}
	where := runLayer(c.Run, c.Layer)
	if _, ys := finite(c.Epochs, c.LayerAccuracy); len(ys) > 0 {
		d.Gain = slices.Max(ys) - ys[0]
	}
	for _, m := range []Measure{T50, T90, T95} {
		t, err := ReachEpoch(c.Epochs, c.LayerAccuracy, m.Fraction())
		if err != nil {
			d.Warnings = append(d.Warnings, fmt.Errorf("%s: %w", where, err))
			break
		}
		switch m {
		case T50:
			d.T50 = t
		case T90:
			d.T90 = t
		case T95:
			d.T95 = t
		}
	}
	if ref == nil {
		d.Warnings = append(d.Warnings, warnf(ErrNoLag, "%s: run has no layer 1 curve", where))
		return d
	}
	x, y, err := aligned(ref, c)
	if err != nil {
		d.Warnings = append(d.Warnings, warnf(ErrNoLag, "%s: %v", where, err))
		return d
	}
	if c.Layer == 1 {
		if Pearson(x, x, 0).Defined() {
			d.Lag, d.LagR = 0, 1
			return d
		}
		d.Warnings = append(d.Warnings, warnf(ErrNoLag, "%s: constant curve", where))
		return d
	}
	if k, r, ok := BestLag(x, y); ok {
		d.Lag, d.LagR = float64(k), r
	} else {
		d.Warnings = append(d.Warnings, warnf(ErrNoLag, "%s: no lag within ±%d epochs", where, len(x)/2))
	}
	return d
}

// aligned returns the layer accuracies of ref and c at their common
// epochs, checking that those are consecutive.
func aligned(ref, c *Curve) (x, y []float64, err error) {
	j := 0
	var prev int
	for i, e := range ref.Epochs {
		for j < len(c.Epochs) && c.Epochs[j] < e {
			j++
		}
		if j == len(c.Epochs) {
			break
		}
		if c.Epochs[j] != e {
			continue
		}
		if len(x) > 0 && e != prev+1 {
			return nil, nil, fmt.Errorf("epochs %d and %d are not consecutive", prev, e)
		}
		prev = e
		x = append(x, ref.LayerAccuracy[i])
		y = append(y, c.LayerAccuracy[j])
	}
	return x, y, nil
}

// DelaySummary is the mean over seeds of one delay measure of one
// treatment's layer.
type DelaySummary struct {
	Group
	Layer   int
	Measure Measure
	Summary
	// Undefined counts runs whose delay was undefined (no gain, no lag).
	Undefined int
}

// SummarizeDelays returns one DelaySummary per group, layer and measure,
// sorted in that order.
func SummarizeDelays(delays []Delay, confidence float64) []DelaySummary {
	keys, m := byGroupLayer(delays, func(d *Delay) groupLayerKey { return groupLayerKey{d.Group, d.Layer} })
	var out []DelaySummary
	for _, k := range keys {
		for _, meas := range Measures {
			vals := make([]float64, len(m[k]))
			for i, d := range m[k] {
				vals[i] = d.Value(meas)
			}
			s := DelaySummary{Group: k.g, Layer: k.layer, Measure: meas, Summary: MeanCI(vals, confidence)}
			s.Undefined, s.Missing = s.Missing, 0
			where := fmt.Sprintf("%s %v", groupLayer(k.g, k.layer), meas)
			s.Warnings = prefix(where, s.Warnings)
			if s.Undefined > 0 {
				kind := ErrNoGain
				if meas == Lag {
					kind = ErrNoLag
				}
				s.Warnings = append(s.Warnings, warnf(kind, "%s: %d of %d runs left out", where, s.Undefined, len(m[k])))
			}
			out = append(out, s)
		}
	}
	return out
}

// groupLayerKey identifies a treatment's layer.
type groupLayerKey struct {
	g     Group
	layer int
}

// byGroupLayer groups xs by treatment and layer: the keys sorted by
// treatment, then layer, and each key's members in input order.
func byGroupLayer[T any](xs []T, key func(*T) groupLayerKey) ([]groupLayerKey, map[groupLayerKey][]*T) {
	m := map[groupLayerKey][]*T{}
	var keys []groupLayerKey
	for i := range xs {
		k := key(&xs[i])
		if _, ok := m[k]; !ok {
			keys = append(keys, k)
		}
		m[k] = append(m[k], &xs[i])
	}
	slices.SortFunc(keys, func(a, b groupLayerKey) int {
		return cmp.Or(compareGroup(a.g, b.g), cmp.Compare(a.layer, b.layer))
	})
	return keys, m
}
