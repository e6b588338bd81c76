package figures

import (
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// An Inset is a small plot drawn in a corner of a panel's data area. The
// figures use one where a mean far off the scale of the others is drawn at
// the panel's edge (offScale): the panel shows the rest at a scale that
// tells them apart, the inset every series at full scale, so that the
// outlying series' shape is seen too.
type Inset struct {
	Plot   *plot.Plot
	Corner Corner
}

// Corner is a corner of a panel's data area.
type Corner int

// The corners, in the order emptiestCorner prefers them.
const (
	TopLeft Corner = iota
	TopRight
	BottomRight
	BottomLeft
)

// Inset size as fractions of the panel's data area, and the share of it
// kept free of data around the inset (cornerBox).
const (
	insetWidth  = 0.38
	insetHeight = 0.42
	insetMargin = 0.04
)

// draw draws the inset in its corner of dc, the panel's data canvas: a
// white box with a thin grey frame, the plot inside.
func (in Inset) draw(dc draw.Canvas) {
	w, h := dc.Max.X-dc.Min.X, dc.Max.Y-dc.Min.Y
	gap := vg.Points(2)
	r := vg.Rectangle{Min: vg.Point{X: dc.Min.X + gap, Y: dc.Max.Y - gap - insetHeight*h}}
	if in.Corner == TopRight || in.Corner == BottomRight {
		r.Min.X = dc.Max.X - gap - insetWidth*w
	}
	if in.Corner == BottomLeft || in.Corner == BottomRight {
		r.Min.Y = dc.Min.Y + gap
	}
	r.Max = vg.Point{X: r.Min.X + insetWidth*w, Y: r.Min.Y + insetHeight*h}
	dc.SetColor(color.White)
	dc.Fill(r.Path())
	dc.SetLineStyle(draw.LineStyle{Color: color.Gray{Y: 0x99}, Width: vg.Points(0.5)})
	dc.Stroke(r.Path())
	sub := draw.Canvas{Canvas: dc.Canvas, Rectangle: r}
	in.Plot.Draw(draw.Crop(sub, vg.Points(1), -vg.Points(2), vg.Points(1), -vg.Points(1)))
}

// cornerBox returns the box of corner c in data fractions (0–1 on both
// axes): the inset's area and a margin around it.
func cornerBox(c Corner) (x0, x1, y0, y1 float64) {
	w, h := insetWidth+insetMargin, insetHeight+insetMargin
	x0, x1, y0, y1 = 0, w, 1-h, 1
	if c == TopRight || c == BottomRight {
		x0, x1 = 1-w, 1
	}
	if c == BottomLeft || c == BottomRight {
		y0, y1 = 0, h
	}
	return x0, x1, y0, y1
}

// emptiestCorner returns which of corners (all four when none are given)
// of the data area xs × ys holds the fewest of pts (the first on ties),
// and how many it holds. Points beyond the area count at its edge.
func emptiestCorner(pts []plotter.XY, xs, ys span, corners ...Corner) (Corner, int) {
	if len(corners) == 0 {
		corners = []Corner{TopLeft, TopRight, BottomRight, BottomLeft}
	}
	best, bestN := corners[0], -1
	for _, c := range corners {
		x0, x1, y0, y1 := cornerBox(c)
		n := 0
		for _, p := range pts {
			fx := min(max((p.X-xs.lo)/(xs.hi-xs.lo), 0), 1)
			fy := min(max((p.Y-ys.lo)/(ys.hi-ys.lo), 0), 1)
			if fx >= x0 && fx <= x1 && fy >= y0 && fy <= y1 {
				n++
			}
		}
		if bestN < 0 || n < bestN {
			best, bestN = c, n
		}
	}
	return best, bestN
}

// insetLine is one series of a panel as its inset draws it: the means
// along x, in the panel's line style and glyph.
type insetLine struct {
	pts    plotter.XYs
	lo, hi []float64 // the means' intervals (NaN: none)
	line   draw.LineStyle
	glyph  draw.GlyphStyle
}

// insetPlot draws lines at full scale: x over xs with ticks xt, y over
// every mean, above floor; its title says what it is.
func insetPlot(lines []insetLine, xs span, xt plot.Ticker, floor float64) *plot.Plot {
	p := plot.New()
	p.Title.Text = "all at full scale"
	p.Title.TextStyle.Font = font.From(sans, insetSize)
	p.Title.Padding = vg.Points(1)
	p.BackgroundColor = color.Transparent
	ys := newSpan()
	for _, l := range lines {
		if len(l.pts) > 1 {
			ln := l.line
			ln.Width = vg.Points(0.75)
			p.Add(&plotter.Line{XYs: l.pts, LineStyle: ln})
		}
		g := l.glyph
		g.Radius = vg.Points(1.5)
		p.Add(&plotter.Scatter{XYs: l.pts, GlyphStyle: g})
		for _, q := range l.pts {
			ys.add(q.Y)
		}
	}
	setX(xs, p)
	setY(ys.pad(0.08, 1).clamp(floor, math.Inf(1)), p)
	p.X.Tick.Marker = xt
	p.Y.Tick.Marker = niceTicks{intervals: 2}
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Tick.Label.Font = font.From(sans, insetSize)
		a.Tick.Length = vg.Points(2)
		a.Padding = vg.Points(1)
		a.LineStyle.Width = vg.Points(0.5)
		a.Tick.LineStyle.Width = vg.Points(0.5)
	}
	return p
}

// fullScale returns the series pts (means times scale, shifted by at) as
// an inset draws it.
func fullScale(pts []xySummary, scale float64, at func(float64) float64, line draw.LineStyle, glyph draw.GlyphStyle) insetLine {
	l := insetLine{line: line, glyph: glyph}
	for _, p := range pts {
		if finite(p.s.Mean) {
			l.pts = append(l.pts, plotter.XY{X: at(p.x), Y: p.s.Mean * scale})
			l.lo = append(l.lo, p.s.Lo*scale)
			l.hi = append(l.hi, p.s.Hi*scale)
		}
	}
	return l
}

// insets returns the insets of the panels whose means o set apart: each
// panel's series at full scale (lines), over x range xs with ticks xt and
// above floor, in a corner of the panel that holds none of what the panel
// draws (means within the scale, their intervals, the set-apart marks and
// their values). When no corner is free, the top corner that needs the
// least headroom gets it: *ys grows upwards until the data leave that
// corner's box. Nil when o set nothing apart.
func (o *offScale) insets(lines map[*plot.Plot][]insetLine, xs span, ys *span, xt plot.Ticker, floor float64) map[*plot.Plot]Inset {
	if !o.any() {
		return nil
	}
	out := map[*plot.Plot]Inset{}
	hi := ys.hi
	for _, q := range o.pts {
		p := q.panel
		if _, done := out[p]; done {
			continue
		}
		data, marks := o.occupied(p, lines[p], xs, *ys)
		c, n := emptiestCorner(append(slices.Clone(data), marks...), xs, *ys)
		if n > 0 {
			c, hi = headroom(c, data, marks, xs, *ys, hi)
		}
		out[p] = Inset{Plot: insetPlot(lines[p], xs, xt, floor), Corner: c}
	}
	ys.hi = hi
	return out
}

// occupied returns what panel p draws, as points in data coordinates: the
// means of its lines within o's scale and their intervals, and the marks
// of its set-apart means on ys's edge, each with its value written to its
// right (about a quarter of the panel's width).
func (o *offScale) occupied(p *plot.Plot, lines []insetLine, xs, ys span) (data, marks []plotter.XY) {
	in := func(v float64) bool { return v >= o.lo && v <= o.hi }
	for _, l := range lines {
		for i, q := range l.pts {
			if !in(q.Y) {
				continue
			}
			data = append(data, q, plotter.XY{X: q.X, Y: l.lo[i]}, plotter.XY{X: q.X, Y: l.hi[i]})
			if i+1 < len(l.pts) && in(l.pts[i+1].Y) {
				// The line to the next mean, in steps of a twentieth.
				r := l.pts[i+1]
				for f := 0.05; f < 1; f += 0.05 {
					data = append(data, plotter.XY{X: q.X + f*(r.X-q.X), Y: q.Y + f*(r.Y-q.Y)})
				}
			}
		}
	}
	for _, q := range o.pts {
		if q.panel != p {
			continue
		}
		y := ys.lo
		if q.v > o.hi {
			y = ys.hi
		}
		for f := 0.0; f <= 0.25; f += 0.05 {
			marks = append(marks, plotter.XY{X: q.x + f*(xs.hi-xs.lo), Y: y})
		}
	}
	return data, marks
}

// headroom picks the top corner free of marks whose box the data leave
// with the least growth of the y range's top above hi, and returns it with
// the new top. Without such a corner it returns fallback and hi.
func headroom(fallback Corner, data, marks []plotter.XY, xs, ys span, hi float64) (Corner, float64) {
	best, bestHi := fallback, math.Inf(1)
	for _, c := range []Corner{TopLeft, TopRight} {
		if _, n := emptiestCorner(marks, xs, ys, c); n > 0 {
			continue
		}
		x0, x1, y0, _ := cornerBox(c)
		need := hi
		for _, q := range data {
			fx := (q.X - xs.lo) / (xs.hi - xs.lo)
			if fx >= x0 && fx <= x1 && finite(q.Y) {
				// q's fraction of the grown range is below y0, with a
				// hair to spare.
				need = max(need, ys.lo+(q.Y-ys.lo)/(y0-0.01))
			}
		}
		if need < bestHi {
			best, bestHi = c, need
		}
	}
	if math.IsInf(bestHi, 1) {
		return fallback, hi
	}
	return best, bestHi
}
