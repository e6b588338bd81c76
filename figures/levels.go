package figures

import (
	"errors"

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
	glyph := draw.GlyphStyle{Color: LayerColor(1), Radius: vg.Points(2.25), Shape: draw.CircleGlyph{}}
	bar := draw.LineStyle{Color: LayerColor(1), Width: vg.Points(0.75)}
	for k, pn := range panels {
		p := newPanel(pn.title)
		xs := newSpan()
		var dots, bars plotter.XYs
		var errs plotter.XErrors
		for i, l := range levels {
			s := pn.get(l)
			if !finite(s.Mean) {
				continue
			}
			m := s.Mean * pn.scale
			dots = append(dots, plotter.XY{X: m, Y: y(i)})
			xs.add(m)
			if k == 0 {
				t.add(s)
			}
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
		if base := pn.get(levels[0]); finite(base.Mean) {
			v := base.Mean * pn.scale
			p.Add(&plotter.Line{XYs: plotter.XYs{{X: v, Y: 0.5}, {X: v, Y: float64(n) + 0.5}},
				LineStyle: draw.LineStyle{Color: lightGrey, Width: vg.Points(0.5), Dashes: []vg.Length{vg.Points(2), vg.Points(2)}}})
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
		Title:  "One factor at a time: each level against the base (dashed)\nmean ± " + ciText(t.confs) + " over " + seedsText(t.ns) + " per level",
		Panels: [][]*plot.Plot{row},
		Width:  PageWidth,
	}
	f.fitHeight(vg.Length(n)*0.28*vg.Inch + 0.9*vg.Inch)
	return f, nil
}
