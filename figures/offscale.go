package figures

import (
	"cmp"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// offScale sets apart the means far from the others (outlierFences), such
// as the greedy schedule's delays among simultaneous ones: instead of
// stretching the axis until the rest lie flat along it, they are drawn
// with their glyph at the panel's edge and their value written beside
// it, as figure 9 does. A nil *offScale sets nothing apart.
type offScale struct {
	lo, hi float64
	panel  *plot.Plot // the panel errSeries is drawing for
	pts    []offPoint
}

type offPoint struct {
	panel *plot.Plot
	x, v  float64
	glyph draw.GlyphStyle
}

// newOffScale returns the offScale of the means (already scaled as
// plotted), or nil when none is far from the others.
func newOffScale(means []float64) *offScale {
	lo, hi := outlierFences(means)
	for _, m := range means {
		if m < lo || m > hi {
			return &offScale{lo: lo, hi: hi}
		}
	}
	return nil
}

// far reports whether mean v is drawn at the edge, and if so records it.
func (o *offScale) far(x, v float64, glyph draw.GlyphStyle) bool {
	if o == nil || (v >= o.lo && v <= o.hi) {
		return false
	}
	o.pts = append(o.pts, offPoint{o.panel, x, v, glyph})
	return true
}

// any reports whether a mean was set apart.
func (o *offScale) any() bool { return o != nil && len(o.pts) > 0 }

// on makes p the panel whose means o sees next.
func (o *offScale) on(p *plot.Plot) {
	if o != nil {
		o.panel = p
	}
}

// count returns how many means o has set apart so far.
func (o *offScale) count() int {
	if o == nil {
		return 0
	}
	return len(o.pts)
}

// caption returns what a figure's title says of the means set apart and
// of the inset that shows them (insets): "" when none was.
func (o *offScale) caption() string {
	if !o.any() {
		return ""
	}
	above, below := false, false
	for _, p := range o.pts {
		above, below = above || p.v > o.hi, below || p.v < o.lo
	}
	where := "↑ at the top edge"
	switch {
	case above && below:
		where = "↑↓ at an edge"
	case below:
		where = "↓ at the bottom edge"
	}
	return "; " + where + ": a mean far off the scale of the others, its value written; the inset shows all at full scale"
}

// draw adds each set-apart mean to its panel, on the edge of the y range
// ys it lies beyond: its glyph, and its value with an arrow. Values at
// nearly the same x are written one under the other.
func (o *offScale) draw(ys span) {
	if o == nil {
		return
	}
	pts := slices.Clone(o.pts)
	slices.SortStableFunc(pts, func(a, b offPoint) int { return cmp.Compare(a.x, b.x) })
	inset := 0.03 * (ys.hi - ys.lo)
	step := 0.07 * (ys.hi - ys.lo)
	stacked := map[*plot.Plot][]offPoint{}
	for _, p := range pts {
		y, label, align := ys.hi-inset, "↑ "+fmtValue(p.v), draw.YTop
		if p.v < ys.lo {
			y, label, align = ys.lo+inset, "↓ "+fmtValue(p.v), draw.YBottom
		}
		depth := 0
		for _, q := range stacked[p.panel] {
			if (q.v < ys.lo) == (p.v < ys.lo) && p.x-q.x < 0.3 {
				depth++
			}
		}
		stacked[p.panel] = append(stacked[p.panel], p)
		p.panel.Add(&plotter.Scatter{XYs: plotter.XYs{{X: p.x, Y: y}}, GlyphStyle: p.glyph})
		sty := textStyle(tickSize)
		sty.XAlign, sty.YAlign = draw.XLeft, align
		ly := y - float64(depth)*step
		if p.v < ys.lo {
			ly = y + float64(depth)*step
		}
		if align == draw.YTop {
			ly += inset
		} else {
			ly -= inset
		}
		p.panel.Add(&plotter.Labels{XYs: []plotter.XY{{X: p.x, Y: ly}}, Labels: []string{label},
			TextStyle: []text.Style{sty}, Offset: vg.Point{X: p.glyph.Radius + vg.Points(1.5)}})
	}
}
