package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/ffchar/ffchar/axes"
)

// Point is one row of a metrics table: one run, one epoch, one layer.
type Point struct {
	Run       string // unique run identifier
	Treatment string // the experimental condition the run belongs to
	Depth     int    // number of FF layers
	Width     int    // units per layer (the config's width field)
	// Widths, when set, is each layer's width (a run configured with
	// widths); LayerWidth reads it.
	Widths string
	Seed   uint64

	Epoch int // from 1
	Layer int // from 1

	// LayerAccuracy is the layer's FF accuracy, the paper's "layer
	// accuracy".
	LayerAccuracy float64
	// ModelAccuracy is the classifier's accuracy, the paper's "model
	// accuracy". It is a property of the run and epoch, repeated on every
	// layer's row.
	ModelAccuracy float64
	// LabelAccuracy is the layer's own 10-class goodness accuracy; may be
	// NaN.
	LabelAccuracy float64
}

// Group identifies a treatment. Runs are grouped by all fields, so a
// treatment name shared by runs of different shapes forms several groups.
// The treatment name carries the treatment's grid axes (see Axes).
type Group struct {
	Treatment    string
	Depth, Width int
	// Widths is each layer's width, "x"-separated ("32x16"), when the runs
	// set them per layer; "" when every layer is Width wide.
	Widths string
}

func (g Group) String() string {
	if g.Widths != "" {
		return fmt.Sprintf("%s (depth %d, widths %s)", g.Treatment, g.Depth, g.Widths)
	}
	return fmt.Sprintf("%s (depth %d, width %d)", g.Treatment, g.Depth, g.Width)
}

// compareGroup orders treatments by their axes in name order, numbers as
// numbers (width 300 before 1000), then by shape.
func compareGroup(a, b Group) int {
	if a.Treatment != b.Treatment {
		if c := CompareTreatments(a.Treatment, b.Treatment); c != 0 {
			return c
		}
	}
	return cmp.Or(cmp.Compare(a.Depth, b.Depth), cmp.Compare(a.Width, b.Width), compareValue(a.Widths, b.Widths))
}

// CompareTreatments orders treatment IDs axis by axis, comparing values
// numerically when both are numbers and as text otherwise, then as text.
func CompareTreatments(a, b string) int {
	aa, ba := axes.Parse(a), axes.Parse(b)
	for i := 0; i < len(aa) && i < len(ba); i++ {
		if c := cmp.Or(strings.Compare(aa[i].Name, ba[i].Name), compareValue(aa[i].Value, ba[i].Value)); c != 0 {
			return c
		}
	}
	return cmp.Or(cmp.Compare(len(aa), len(ba)), strings.Compare(a, b))
}

// compareValue orders two axis values: numbers as numbers, also inside
// text (axes.CompareValues).
func compareValue(a, b string) int { return axes.CompareValues(a, b) }

// Curve is one layer of one run over epochs, sorted by epoch.
type Curve struct {
	Group
	Run   string
	Seed  uint64
	Layer int

	Epochs        []int
	LayerAccuracy []float64
	ModelAccuracy []float64
	LabelAccuracy []float64
}

// last returns the index of the curve's final epoch.
func (c *Curve) last() int { return len(c.Epochs) - 1 }

// Curves builds one Curve per run and layer from points, sorted by group,
// seed, run and layer. It returns an error for data that cannot come from
// a consistent metrics table: an empty run name, a layer outside 1..Depth,
// an epoch below 1, a run whose treatment, depth, width or seed differ
// between rows, a repeated (run, layer, epoch), or a model accuracy that
// differs between the layers of one run and epoch.
func Curves(points []Point) ([]Curve, error) {
	return buildCurves(points, 1, "epoch")
}

// buildCurves is Curves with x values (Point.Epoch) from first, called
// unit in errors.
func buildCurves(points []Point, first int, unit string) ([]Curve, error) {
	type runInfo struct {
		g    Group
		seed uint64
	}
	type key struct {
		run   string
		layer int
	}
	runs := make(map[string]runInfo)
	byKey := make(map[key][]int)
	type runEpoch struct {
		run   string
		epoch int
	}
	model := make(map[runEpoch]float64)
	for i := range points {
		p := &points[i]
		switch {
		case p.Run == "":
			return nil, fmt.Errorf("analysis: row %d: empty run", i)
		case p.Depth < 1 || p.Width < 1:
			return nil, fmt.Errorf("analysis: run %q: depth %d and width %d must be at least 1", p.Run, p.Depth, p.Width)
		case p.Widths != "" && !validWidths(p.Widths, p.Depth):
			return nil, fmt.Errorf("analysis: run %q: widths %q is not %d positive widths", p.Run, p.Widths, p.Depth)
		case p.Layer < 1 || p.Layer > p.Depth:
			return nil, fmt.Errorf("analysis: run %q: layer %d outside 1..%d", p.Run, p.Layer, p.Depth)
		case p.Epoch < first:
			return nil, fmt.Errorf("analysis: run %q: %s %d below %d", p.Run, unit, p.Epoch, first)
		}
		info := runInfo{Group{p.Treatment, p.Depth, p.Width, p.Widths}, p.Seed}
		if old, ok := runs[p.Run]; ok && old != info {
			return nil, fmt.Errorf("analysis: run %q: rows disagree on treatment, depth, width or seed", p.Run)
		}
		runs[p.Run] = info
		re := runEpoch{p.Run, p.Epoch}
		if m, ok := model[re]; ok && !sameFloat(m, p.ModelAccuracy) {
			return nil, fmt.Errorf("analysis: run %q %s %d: model accuracy differs between layers (%v, %v)", p.Run, unit, p.Epoch, m, p.ModelAccuracy)
		}
		model[re] = p.ModelAccuracy
		k := key{p.Run, p.Layer}
		byKey[k] = append(byKey[k], i)
	}

	curves := make([]Curve, 0, len(byKey))
	for k, rows := range byKey {
		slices.SortFunc(rows, func(a, b int) int { return cmp.Compare(points[a].Epoch, points[b].Epoch) })
		info := runs[k.run]
		c := Curve{
			Group: info.g, Run: k.run, Seed: info.seed, Layer: k.layer,
			Epochs:        make([]int, len(rows)),
			LayerAccuracy: make([]float64, len(rows)),
			ModelAccuracy: make([]float64, len(rows)),
			LabelAccuracy: make([]float64, len(rows)),
		}
		for j, r := range rows {
			p := &points[r]
			if j > 0 && p.Epoch == c.Epochs[j-1] {
				return nil, fmt.Errorf("analysis: run %q layer %d: %s %d appears twice", k.run, k.layer, unit, p.Epoch)
			}
			c.Epochs[j] = p.Epoch
			c.LayerAccuracy[j] = p.LayerAccuracy
			c.ModelAccuracy[j] = p.ModelAccuracy
			c.LabelAccuracy[j] = p.LabelAccuracy
		}
		curves = append(curves, c)
	}
	slices.SortFunc(curves, func(a, b Curve) int {
		return cmp.Or(compareGroup(a.Group, b.Group), cmp.Compare(a.Seed, b.Seed),
			cmp.Compare(a.Run, b.Run), cmp.Compare(a.Layer, b.Layer))
	})
	return curves, nil
}

func sameFloat(a, b float64) bool {
	return a == b || (math.IsNaN(a) && math.IsNaN(b))
}

// runCurves splits curves sorted as Curves returns them into runs.
func runCurves(curves []Curve) [][]Curve {
	return splitRuns(curves, func(c *Curve) string { return c.Run })
}

// splitRuns splits xs, in which each run's items are adjacent, into runs.
func splitRuns[T any](xs []T, run func(*T) string) [][]T {
	var runs [][]T
	for i := 0; i < len(xs); {
		j := i + 1
		for j < len(xs) && run(&xs[j]) == run(&xs[i]) {
			j++
		}
		runs = append(runs, xs[i:j])
		i = j
	}
	return runs
}

// CurveSummary is the mean over seeds, with its confidence interval, of
// one treatment's layer at one epoch.
type CurveSummary struct {
	Group
	Layer, Epoch  int
	LayerAccuracy Summary
	ModelAccuracy Summary
	LabelAccuracy Summary
}

// SummarizeCurves returns one CurveSummary per group, layer and epoch,
// sorted in that order. NaN values (a missing label accuracy) are left out
// of the means and counted in Summary.Missing.
func SummarizeCurves(curves []Curve, confidence float64) []CurveSummary {
	type key struct {
		g            Group
		layer, epoch int
	}
	type vals struct{ layer, model, label []float64 }
	m := make(map[key]*vals)
	for i := range curves {
		c := &curves[i]
		for j, e := range c.Epochs {
			k := key{c.Group, c.Layer, e}
			v := m[k]
			if v == nil {
				v = new(vals)
				m[k] = v
			}
			v.layer = append(v.layer, c.LayerAccuracy[j])
			v.model = append(v.model, c.ModelAccuracy[j])
			v.label = append(v.label, c.LabelAccuracy[j])
		}
	}
	out := make([]CurveSummary, 0, len(m))
	for k, v := range m {
		cs := CurveSummary{
			Group: k.g, Layer: k.layer, Epoch: k.epoch,
			LayerAccuracy: MeanCI(v.layer, confidence),
			ModelAccuracy: MeanCI(v.model, confidence),
			LabelAccuracy: MeanCI(v.label, confidence),
		}
		where := fmt.Sprintf("%s epoch %d", groupLayer(k.g, k.layer), k.epoch)
		cs.LayerAccuracy.Warnings = prefix(where+" layer accuracy", cs.LayerAccuracy.Warnings)
		cs.ModelAccuracy.Warnings = prefix(where+" model accuracy", cs.ModelAccuracy.Warnings)
		cs.LabelAccuracy.Warnings = prefix(where+" label accuracy", cs.LabelAccuracy.Warnings)
		out = append(out, cs)
	}
	slices.SortFunc(out, func(a, b CurveSummary) int {
		return cmp.Or(compareGroup(a.Group, b.Group), cmp.Compare(a.Layer, b.Layer), cmp.Compare(a.Epoch, b.Epoch))
	})
	return out
}

// FinalAccuracy is the mean over seeds of a treatment's model accuracy at
// each run's final epoch.
type FinalAccuracy struct {
	Group
	Summary
}

// FinalModelAccuracy returns one FinalAccuracy per group, sorted by group.
func FinalModelAccuracy(curves []Curve, confidence float64) []FinalAccuracy {
	var out []FinalAccuracy
	runs := runCurves(curves)
	for i := 0; i < len(runs); {
		g := runs[i][0].Group
		var vals []float64
		for ; i < len(runs) && runs[i][0].Group == g; i++ {
			c := &runs[i][0]
			vals = append(vals, c.ModelAccuracy[c.last()])
		}
		s := MeanCI(vals, confidence)
		s.Warnings = prefix(g.String(), s.Warnings)
		out = append(out, FinalAccuracy{g, s})
	}
	return out
}

// prefix returns warnings with where prepended to each.
func prefix(where string, ws []error) []error {
	for i, w := range ws {
		ws[i] = fmt.Errorf("%s: %w", where, w)
	}
	return ws
}
