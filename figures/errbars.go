package figures

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// errSeries returns the plotters drawing the means of pts (sorted by x,
// times scale) as glyphs joined by a line, broken where a mean is
// undefined, with their confidence intervals, clipped to [lo, hi], as error
// bars. Points are drawn at at(x), which dodges series sharing an x. An
// interval that is not finite (fewer than two seeds) has no bar. Spans x
// and y grow to cover what is drawn and t counts the defined means. Means
// that off sets apart break the line and are left to off to draw.
func errSeries(pts []xySummary, scale, lo, hi float64, line draw.LineStyle, glyph draw.GlyphStyle,
	at func(float64) float64, x, y *span, t *tally, off *offScale) []plot.Plotter {
	var out []plot.Plotter
	var bars plotter.XYs
	var errs plotter.YErrors
	var dots plotter.XYs
	for i := 0; i < len(pts); {
		if !finite(pts[i].s.Mean) {
			i++
			continue
		}
		var seg plotter.XYs
		for ; i < len(pts) && finite(pts[i].s.Mean); i++ {
			p := pts[i]
			px, m := at(p.x), p.s.Mean*scale
			if off.far(px, m, glyph) {
				x.add(px)
				t.add(p.s)
				i++
				break
			}
			seg = append(seg, plotter.XY{X: px, Y: m})
			x.add(px)
			y.add(m)
			t.add(p.s)
			if finite(p.s.Lo) && finite(p.s.Hi) {
				l := min(max(p.s.Lo*scale, lo), m)
				h := max(min(p.s.Hi*scale, hi), m)
				bars = append(bars, plotter.XY{X: px, Y: m})
				errs = append(errs, struct{ Low, High float64 }{m - l, h - m})
				y.add(l, h)
			}
		}
		if len(seg) > 1 {
			out = append(out, &plotter.Line{XYs: seg, LineStyle: line})
		}
		dots = append(dots, seg...)
	}
	if len(bars) > 0 {
		bs := line
		bs.Width = vg.Points(0.75)
		bs.Dashes = nil
		out = append(out, &plotter.YErrorBars{XYs: bars, YErrors: errs, LineStyle: bs, CapWidth: vg.Points(3)})
	}
	if len(dots) > 0 {
		out = append(out, &plotter.Scatter{XYs: dots, GlyphStyle: glyph})
	}
	return out
}

// lineEntry is the legend entry of a series drawn by errSeries.
func lineEntry(label string, line draw.LineStyle, glyph draw.GlyphStyle) LegendEntry {
	return LegendEntry{Label: label, Thumbs: []plot.Thumbnailer{
		&plotter.Line{LineStyle: line},
		&plotter.Scatter{GlyphStyle: glyph},
	}}
}

// layerGlyph is the glyph of a layer's points: a dot in its colour.
func layerGlyph(layer int) draw.GlyphStyle {
	return draw.GlyphStyle{Color: LayerColor(layer), Radius: vg.Points(2.25), Shape: draw.CircleGlyph{}}
}

// shift returns the function adding d.
func shift(d float64) func(float64) float64 {
	return func(x float64) float64 { return x + d }
}

// scaleBy returns the function multiplying by 10^d: a shift on a log axis.
func scaleBy(d float64) func(float64) float64 {
	f := math.Pow(10, d)
	return func(x float64) float64 { return x * f }
}

// zeroLine is a thin grey reference line at y = 0 across [lo, hi].
func zeroLine(lo, hi float64) plot.Plotter {
	return refLine(plotter.XY{X: lo, Y: 0}, plotter.XY{X: hi, Y: 0})
}

// refLine is a thin grey dashed reference line from a to b.
func refLine(a, b plotter.XY) plot.Plotter {
	return &plotter.Line{
		XYs:       plotter.XYs{a, b},
		LineStyle: draw.LineStyle{Color: lightGrey, Width: vg.Points(0.5), Dashes: []vg.Length{vg.Points(2), vg.Points(2)}},
	}
}

var lightGrey = grey(0xB0)
