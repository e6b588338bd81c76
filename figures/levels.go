package figures

import (
	"errors"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/stat"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/ffchar/ffchar/analysis"
)

// LevelSummary is one level of a one-at-a-time design as figure 9 shows
// it: the base, or the base with one axis changed.
type LevelSummary struct {
	Name string // "base" or "axis=value"
	// Accuracy is the model's test accuracy (a fraction), H1 the mean
	// slope of the H1 delay on layer index (steps per layer), and H2 layer
	// 1's Fisher-z mean r with the model; each with its interval.
	Accuracy, H1, H2 analysis.Summary
}

// Levels is figure 9: a forest plot of a one-at-a-time sweep, one row per
// level (the base on top) and one panel per quantity: test accuracy, H1's
// slope and H2's layer-1 r, means with confidence intervals, a dashed line
// at the base's value.
func Levels(levels []LevelSummary, h1Measure, h2Measure string) (*Figure, error) {
	if len(levels) == 0 {
		return nil, errors.New("figures: no levels")
	}
	n := len(levels)
	y := func(i int) float64 { return float64(n - i) } // the base on top
	panels := []struct {
		title, xLabel string
		scale         float64
		get           func(LevelSummary) analysis.Summary
	}{
		{"Test accuracy", "model test accuracy (%)", percent, func(l LevelSummary) analysis.Summary { return l.Accuracy }},
		{"H1: delay per layer", h1Measure + " slope (steps per layer)", 1, func(l LevelSummary) analysis.Summary { return l.H1 }},
		{"H2: layer 1 vs model", "r of " + h2Measure, 1, func(l LevelSummary) analysis.Summary { return l.H2 }},
	}
	var row []*plot.Plot
	var t tally
	glyph := layerGlyph(1)
	bar := draw.LineStyle{Color: LayerColor(1), Width: vg.Points(0.75)}
	for k, pn := range panels {
		p := newPanel(pn.title)
		xs := newSpan()
		var dots, bars, far plotter.XYs
		var errs plotter.XErrors
		var farText []string
		var means []float64
		for _, l := range levels {
			if s := pn.get(l); finite(s.Mean) {
				means = append(means, s.Mean*pn.scale)
			}
		}
		lo, hi := outlierFences(means)
		for i, l := range levels {
			s := pn.get(l)
			if !finite(s.Mean) {
				continue
			}
			if k == 0 {
				t.add(s)
			}
			m := s.Mean * pn.scale
			if m < lo || m > hi {
				// Far from the other levels: drawn at the panel's edge
				// with its value, so that it does not squash the rest.
				far = append(far, plotter.XY{X: m, Y: y(i)})
				farText = append(farText, fmtValue(m))
				continue
			}
			dots = append(dots, plotter.XY{X: m, Y: y(i)})
			xs.add(m)
			if finite(s.Lo) && finite(s.Hi) {
				lo, hi := s.Lo*pn.scale, s.Hi*pn.scale
				bars = append(bars, plotter.XY{X: m, Y: y(i)})
				errs = append(errs, struct{ Low, High float64 }{m - lo, hi - m})
				xs.add(lo, hi)
			}
		}
		if len(dots) == 0 {
			return nil, errors.New("figures: no defined " + pn.title)
		}
		xs = xs.pad(0.08, 1)
		if len(far) > 0 {
			edge := draw.GlyphStyle{Color: LayerColor(1), Radius: vg.Points(3), Shape: draw.PyramidGlyph{}}
			inset := 0.03 * (xs.hi - xs.lo)
			var at plotter.XYs
			for _, f := range far {
				x := xs.hi - inset
				if f.X < xs.lo {
					x = xs.lo + inset
				}
				at = append(at, plotter.XY{X: x, Y: f.Y})
			}
			p.Add(&plotter.Scatter{XYs: at, GlyphStyle: edge})
			labels, err := plotter.NewLabels(plotter.XYLabels{XYs: at, Labels: farText})
			if err != nil {
				return nil, err
			}
			for i := range labels.TextStyle {
				labels.TextStyle[i] = textStyle(tickSize)
				labels.TextStyle[i].XAlign = draw.XRight
				labels.TextStyle[i].YAlign = draw.YBottom
			}
			labels.Offset = vg.Point{X: -vg.Points(2), Y: vg.Points(4)}
			p.Add(labels)
		}
		if base := pn.get(levels[0]); finite(base.Mean) {
			v := base.Mean * pn.scale
			p.Add(refLine(plotter.XY{X: v, Y: 0.5}, plotter.XY{X: v, Y: float64(n) + 0.5}))
		}
		if len(bars) > 0 {
			p.Add(&plotter.XErrorBars{XYs: bars, XErrors: errs, LineStyle: bar, CapWidth: vg.Points(3)})
		}
		p.Add(&plotter.Scatter{XYs: dots, GlyphStyle: glyph})
		setX(xs, p)
		setY(span{0.5, float64(n) + 0.5}, p)
		ticks := make([]plot.Tick, n)
		for i, l := range levels {
			ticks[i] = plot.Tick{Value: y(i)}
			if k == 0 {
				ticks[i].Label = l.Name
			}
		}
		p.Y.Tick.Marker = plot.ConstantTicks(ticks)
		p.X.Label.Text = pn.xLabel
		row = append(row, p)
	}
	f := &Figure{
		Title:  "One factor at a time: each level against the base (dashed); ▲ at an edge: a level far off the scale, its value written\nmean ± " + ciText(t.confs) + " over " + countText(t.ns, "run") + " per level",
		Panels: [][]*plot.Plot{row},
		Width:  PageWidth,
	}
	f.fitHeight(vg.Length(n)*0.28*vg.Inch + 0.9*vg.Inch)
	return f, nil
}

// outlierFences returns the bounds outside which a level's mean is far
// from the others: 10 interquartile ranges beyond the quartiles (far
// beyond Tukey's 3, so that only a level on another scale, such as the
// greedy schedule's delays, is set apart), and ±Inf with fewer than 4
// values.
func outlierFences(xs []float64) (lo, hi float64) {
	if len(xs) < 4 {
		return math.Inf(-1), math.Inf(1)
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	q1 := stat.Quantile(0.25, stat.Empirical, s, nil)
	q3 := stat.Quantile(0.75, stat.Empirical, s, nil)
	iqr := q3 - q1
	if iqr == 0 {
		return math.Inf(-1), math.Inf(1)
	}
	return q1 - 10*iqr, q3 + 10*iqr
}

// fmtValue writes a mean as a figure label: three significant digits,
// without an exponent below a million.
func fmtValue(v float64) string {
	if a := math.Abs(v); a >= 1000 && a < 1e6 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}
