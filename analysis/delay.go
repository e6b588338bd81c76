package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Delay measures, by name. A gain-fraction measure is named by its clock's
// letter and the percentage ("s50": steps to 50% of the gain; "e50": epochs
// to it), a threshold measure by "t" and the FF accuracy ("t80": to an FF
// accuracy of 80%; FractionMeasure, ThresholdMeasure), so a name says what
// it counts and a table says in which unit.
const MeasureLag = "lag" // the lag behind layer 1 by cross-correlation

// Named gain-fraction measures of the two clocks.
const (
	MeasureS50 = "s50" // steps to 50% of the gain over the step-0 accuracy
	MeasureS90 = "s90" // steps to 90% of that gain
	MeasureE50 = "e50" // epochs to 50% of the gain over the first epoch's accuracy
	MeasureE90 = "e90"
	MeasureE95 = "e95"
)

// FractionMeasure names the measure "clock units to frac of the gain":
// "s50" for ClockStep and 0.5, "e95" for ClockEpoch and 0.95.
func FractionMeasure(clock string, frac float64) string {
	return clock[:1] + strconv.FormatFloat(100*frac, 'f', -1, 64)
}

// ThresholdMeasure names the measure "clock units to FF accuracy v": "t80"
// for 0.8.
func ThresholdMeasure(v float64) string {
	return "t" + strconv.FormatFloat(100*v, 'f', -1, 64)
}

// DelayOptions say which delays Delays measures and on which clock. The
// per-epoch analysis uses EpochDelays; the step analysis
// StepOptions.DelayOptions.
type DelayOptions struct {
	// Clock is ClockStep or ClockEpoch: what the curves' x values count.
	Clock string
	// Fractions are the fractions of the gain (maximum minus the value at
	// the clock's first point) whose first crossing is a measure.
	Fractions []float64
	// Thresholds are the FF accuracies whose first crossing is a measure.
	Thresholds []float64
	// LagWindow is the span from the clock's first point over which the
	// lag is found, 0 for the whole run; LagGrid (≥ 1) the spacing of the
	// uniform grid the curves are resampled on (linear interpolation).
	LagWindow, LagGrid int
}

// EpochDelays are the delays of the per-epoch analysis: epochs to 50, 90
// and 95% of the gain over the first epoch's value, and the lag on a grid
// of one epoch over the whole run.
var EpochDelays = DelayOptions{Clock: ClockEpoch, Fractions: []float64{0.5, 0.9, 0.95}, LagGrid: 1}

// Measures lists the measures in table order: fractions, thresholds, lag.
func (o DelayOptions) Measures() []string {
	var ms []string
	for _, f := range o.Fractions {
		ms = append(ms, FractionMeasure(o.Clock, f))
	}
	for _, v := range o.Thresholds {
		ms = append(ms, ThresholdMeasure(v))
	}
	return append(ms, MeasureLag)
}

// Unit is the clock's unit in the plural: "steps" or "epochs".
func (o DelayOptions) Unit() string { return o.Clock + "s" }

// Origin says, in words, where the clock's delays are counted from.
func (o DelayOptions) Origin() string { return origin(o.Clock) }

// FirstPoint names the clock's first point, the baseline of a gain.
func (o DelayOptions) FirstPoint() string {
	if o.Clock == ClockStep {
		return "step 0"
	}
	return "the first epoch"
}

func origin(clock string) string {
	if clock == ClockStep {
		return "initialisation"
	}
	return "the first epoch"
}

// MeasureText describes a measure of the clock in words.
func (o DelayOptions) MeasureText(m string) string {
	u, from := o.Unit(), origin(o.Clock)
	if m == MeasureLag {
		span := "over the first " + u
		if o.LagWindow == 0 {
			span = "over the whole run"
		}
		return fmt.Sprintf("lag behind layer 1 in %s, by cross-correlation %s (lag)", u, span)
	}
	first := o.FirstPoint()
	for _, f := range o.Fractions {
		if m == FractionMeasure(o.Clock, f) {
			return fmt.Sprintf("%s from %s until a layer reaches %g%% of its FF-accuracy gain over %s (%s)", u, from, 100*f, first, m)
		}
	}
	for _, v := range o.Thresholds {
		if m == ThresholdMeasure(v) {
			return fmt.Sprintf("%s from %s until a layer's FF accuracy first reaches %g%% (%s)", u, from, 100*v, m)
		}
	}
	return m
}

// fraction returns the gain fraction of measure m, 0 when m is not one.
func (o DelayOptions) fraction(m string) float64 {
	for _, f := range o.Fractions {
		if m == FractionMeasure(o.Clock, f) {
			return f
		}
	}
	return 0
}

// Delay is one layer's delays in one run, in units of its curve's clock.
type Delay struct {
	Group
	Run   string
	Seed  uint64
	Layer int
	// Start is the accuracy at the clock's first point, Gain the maximum
	// minus Start.
	Start, Gain float64
	// Values holds each measure of DelayOptions.Measures, NaN when
	// undefined (no gain; a threshold never reached; no lag).
	Values map[string]float64
	// LagR is the cross-correlation at the lag.
	LagR     float64
	Warnings []error
}

// Value returns measure m, NaN when it was not measured.
func (d *Delay) Value(m string) float64 {
	if v, ok := d.Values[m]; ok {
		return v
	}
	return math.NaN()
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

// Delays computes every layer's delays under opt. Curves must be sorted
// as Curves returns them; a run's lags are relative to its layer 1 curve,
// and undefined when that is missing.
func Delays(curves []Curve, opt DelayOptions) []Delay {
	if opt.LagGrid < 1 {
		panic("analysis: lag grid below 1")
	}
	var out []Delay
	for _, run := range runCurves(curves) {
		ref := &run[0] // layer 1: curves are sorted by layer
		for i := range run {
			c := &run[i]
			d := Delay{Group: c.Group, Run: c.Run, Seed: c.Seed, Layer: c.Layer, Values: map[string]float64{}}
			where := runLayer(c.Run, c.Layer)
			xs, ys := finite(c.Epochs, c.LayerAccuracy)
			d.Start, d.Gain = math.NaN(), math.NaN()
			if len(ys) > 0 {
				d.Start, d.Gain = ys[0], slices.Max(ys)-ys[0]
			}
			for _, f := range opt.Fractions {
				name := FractionMeasure(opt.Clock, f)
				v, err := ReachEpoch(xs, ys, f)
				if err != nil {
					d.Warnings = append(d.Warnings, fmt.Errorf("%s %s: %w", where, name, err))
				}
				d.Values[name] = v
			}
			for _, th := range opt.Thresholds {
				name := ThresholdMeasure(th)
				d.Values[name] = ReachLevel(xs, ys, th)
				if math.IsNaN(d.Values[name]) {
					d.Warnings = append(d.Warnings, warnf(ErrNoGain, "%s: FF accuracy %g never reached", where, th))
				}
			}
			d.Values[MeasureLag], d.LagR = math.NaN(), math.NaN()
			switch {
			case ref.Layer != 1:
				d.Warnings = append(d.Warnings, warnf(ErrNoLag, "%s: run has no layer 1 curve", where))
			case c.Layer == 1:
				d.Values[MeasureLag], d.LagR = 0, 1
			default:
				lag, r, ok := ResampledLag(ref.Epochs, ref.LayerAccuracy, c.Epochs, c.LayerAccuracy, opt.LagWindow, opt.LagGrid)
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

// ReachLevel returns the clock value at which y first reaches level,
// linearly interpolated between the recorded points around the crossing;
// the first point when y starts at or above it; NaN when it is never
// reached. NaN values are left out.
func ReachLevel(xs []int, y []float64, level float64) float64 {
	xs, y = finite(xs, y)
	for i, v := range y {
		if v < level {
			continue
		}
		if i == 0 {
			return float64(xs[i])
		}
		f := (level - y[i-1]) / (v - y[i-1])
		return float64(xs[i-1]) + f*float64(xs[i]-xs[i-1])
	}
	return math.NaN()
}

// At returns y at clock value s by linear interpolation between the
// recorded points around it (NaN values left out), and NaN outside the
// recorded range.
func At(xs []int, y []float64, s float64) float64 {
	xs, ys := finite(xs, y)
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

// ResampledLag resamples both curves on a uniform grid of spacing grid
// from the first curve's first point over window (until either curve
// ends when window is 0), by linear interpolation, and returns BestLag of
// the second behind the first in clock units (lag·grid), with its
// correlation. On the epoch clock with grid 1 the grid is the recorded
// epochs themselves.
func ResampledLag(refXs []int, ref []float64, xs []int, y []float64, window, grid int) (lag int, r float64, ok bool) {
	rx, _ := finite(refXs, ref)
	if len(rx) == 0 {
		return 0, math.NaN(), false
	}
	var a, b []float64
	for s := rx[0]; window == 0 || s <= rx[0]+window; s += grid {
		va, vb := At(refXs, ref, float64(s)), At(xs, y, float64(s))
		if math.IsNaN(va) || math.IsNaN(vb) {
			break
		}
		a, b = append(a, va), append(b, vb)
	}
	k, r, ok := BestLag(a, b)
	return k * grid, r, ok
}

// DelaySummary is the mean over seeds of one delay measure of one
// treatment's layer.
type DelaySummary struct {
	Group
	Layer   int
	Measure string
	Summary
	// Undefined counts runs whose value is undefined (threshold never
	// reached, no gain, no lag).
	Undefined int
}

// SummarizeDelays returns one DelaySummary per group, layer and measure,
// sorted in that order (measures in the order given).
func SummarizeDelays(delays []Delay, measures []string, confidence float64) []DelaySummary {
	keys, m := byGroupLayer(delays, func(d *Delay) groupLayerKey { return groupLayerKey{d.Group, d.Layer} })
	var out []DelaySummary
	for _, k := range keys {
		for _, meas := range measures {
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
				if meas == MeasureLag {
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
