package figures

import (
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Page sizes: a panel column is 3.5 in wide, a figure one or two columns.
const (
	ColumnWidth = 3.5 * vg.Inch
	PageWidth   = 2 * ColumnWidth
)

// MaxHeight is the tallest a figure is drawn: 2,400 px at PNGResolution,
// what a page of a paper holds under its caption. Figures with more panel
// rows than fit are split into pages (Figure.Pages).
const MaxHeight = 8 * vg.Inch

// A Figure is a titled grid of panels with the legend shared by them.
// The figure functions return one; Save or Write renders it.
type Figure struct {
	// Title states what is shown and the number of seeds behind it. It
	// may hold several lines.
	Title string

	// Panels is a row-major grid; nil cells are left blank. Every row has
	// the same length.
	Panels [][]*plot.Plot

	// Legend is drawn under the title across the figure.
	Legend []LegendEntry

	// ColumnLegends, when not nil, holds one legend per panel column,
	// drawn above that column under the shared legend.
	ColumnLegends [][]LegendEntry

	// Key, when not nil, is a plot drawn as a colour scale under the
	// legends, KeyWidth wide (the whole figure when 0).
	Key      *plot.Plot
	KeyWidth vg.Length

	// Insets, when not nil, holds the insets of some panels (Inset),
	// drawn over the panel's data area.
	Insets map[*plot.Plot]Inset

	// Width and Height are the size of the rendered figure.
	Width, Height vg.Length
}

// LegendEntry is one item of a legend: a label and the thumbnails drawn
// before it (a band and a line, say), in order. An entry without
// thumbnails titles the entries after it.
type LegendEntry struct {
	Label  string
	Thumbs []plot.Thumbnailer
}

// Layout constants of Figure.Draw.
const (
	margin        = vg.Length(6)
	titlePad      = vg.Length(4)
	thumbWidth    = vg.Length(18)
	thumbGap      = vg.Length(3)
	entryGap      = vg.Length(10)
	legendRowStep = vg.Length(legendSize * 1.45)
	keyHeight     = vg.Length(40)
	panelPadX     = vg.Length(12)
	panelPadY     = vg.Length(6)
)

// Draw draws the figure on c.
func (f *Figure) Draw(c draw.Canvas) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	c = draw.Crop(c, margin, -margin, margin, -margin)
	width := c.Max.X - c.Min.X

	if f.Title != "" {
		sty := textStyle(titleSize)
		sty.YAlign = draw.YTop
		title := wrap(sty, f.Title, width)
		c.FillText(sty, vg.Point{X: c.Center().X, Y: c.Max.Y}, title)
		c.Max.Y -= sty.Height(title) + titlePad
	}
	if len(f.Legend) > 0 {
		rows := legendRows(f.Legend, width)
		drawLegend(c, rows)
		c.Max.Y -= vg.Length(len(rows)) * legendRowStep
	}
	colLegendTop := c.Max.Y
	if h := f.columnLegendHeight(width); h > 0 {
		c.Max.Y -= h + titlePad
	}
	if f.Key != nil {
		kw := f.KeyWidth
		if kw <= 0 || kw > width {
			kw = width
		}
		left := (width - kw) / 2
		kc := draw.Crop(c, left, -left, c.Max.Y-c.Min.Y-keyHeight, 0)
		f.Key.Draw(kc)
		c.Max.Y -= keyHeight + titlePad
	}

	rows, cols := f.dims()
	if rows == 0 || cols == 0 {
		return
	}
	// Panel titles wider than their column would run into their
	// neighbours': they break between words.
	tileWidth := (width - vg.Length(cols-1)*panelPadX) / vg.Length(cols)
	for _, row := range f.Panels {
		for _, p := range row {
			if p != nil && p.Title.Text != "" {
				p.Title.Text = wrap(p.Title.TextStyle, strings.ReplaceAll(p.Title.Text, "\n", " "), tileWidth)
			}
		}
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: panelPadX, PadY: panelPadY}
	canvases := plot.Align(f.Panels, tiles, c)
	for i, row := range f.Panels {
		for j, p := range row {
			if p != nil {
				p.Draw(canvases[i][j])
				if in, ok := f.Insets[p]; ok {
					in.draw(p.DataCanvas(canvases[i][j]))
				}
			}
		}
	}
	for j, entries := range f.ColumnLegends {
		if j >= cols || len(entries) == 0 {
			continue
		}
		lc := canvases[0][j]
		for i := range rows {
			if p := f.Panels[i][j]; p != nil {
				lc = p.DataCanvas(canvases[i][j])
				break
			}
		}
		lc.Max.Y = colLegendTop
		drawLegend(lc, legendRows(entries, lc.Max.X-lc.Min.X))
	}
}

// Pages splits f into figures at most MaxHeight tall, by panel rows: each
// page has f's title, marked "(page i of n)", its legends, and the x axis
// label under the bottom panel of each column. A figure that fits is one
// page, and so is one that fits with its rows up to a tenth shorter; rows
// on pages are shortened as much to save a page. The pages share f's
// panels.
func (f *Figure) Pages() []*Figure {
	rows, cols := f.dims()
	head := f.headerHeight(f.Width)
	if f.Height <= MaxHeight || rows <= 1 {
		return []*Figure{f}
	}
	rowH := (f.Height - head) / vg.Length(rows)
	if head+vg.Length(rows)*rowH*0.9 <= MaxHeight {
		g := *f
		g.Height = MaxHeight
		return []*Figure{&g}
	}
	paged := *f
	paged.Title = pageTitle(f.Title, rows, rows)
	room := MaxHeight - paged.headerHeight(f.Width)
	per := max(int(room/(0.9*rowH)), 1)
	n := (rows + per - 1) / per
	per = (rows + n - 1) / n // as even as can be
	rowH = min(rowH, room/vg.Length(per))

	labels := make([]string, cols)
	for _, row := range f.Panels {
		for j, p := range row {
			if p != nil && p.X.Label.Text != "" {
				labels[j] = p.X.Label.Text
			}
		}
	}
	var pages []*Figure
	for i := 0; i < rows; i += per {
		g := *f
		g.Title = pageTitle(f.Title, len(pages)+1, n)
		g.Panels = f.Panels[i:min(i+per, rows)]
		for j := range cols {
			for k := len(g.Panels) - 1; k >= 0; k-- {
				if p := g.Panels[k][j]; p != nil {
					p.X.Label.Text = labels[j]
					break
				}
			}
		}
		g.Height = g.headerHeight(g.Width) + vg.Length(len(g.Panels))*rowH
		pages = append(pages, &g)
	}
	return pages
}

// pageTitle marks the first line of title as page i of n.
func pageTitle(title string, i, n int) string {
	first, rest, _ := strings.Cut(title, "\n")
	t := first + " (page " + strconv.Itoa(i) + " of " + strconv.Itoa(n) + ")"
	if rest != "" {
		t += "\n" + rest
	}
	return t
}

// dims returns the number of panel rows and columns.
func (f *Figure) dims() (rows, cols int) {
	if len(f.Panels) == 0 {
		return 0, 0
	}
	return len(f.Panels), len(f.Panels[0])
}

// headerHeight returns the height that Draw takes above the panels on a
// figure width wide.
func (f *Figure) headerHeight(width vg.Length) vg.Length {
	width -= 2 * margin
	h := 2 * margin
	if f.Title != "" {
		sty := textStyle(titleSize)
		h += sty.Height(wrap(sty, f.Title, width)) + titlePad
	}
	h += vg.Length(len(legendRows(f.Legend, width))) * legendRowStep
	if ch := f.columnLegendHeight(width); ch > 0 {
		h += ch + titlePad
	}
	if f.Key != nil {
		h += keyHeight + titlePad
	}
	return h
}

// columnLegendHeight returns the height reserved for the column legends,
// estimating each column's width as an equal share of width less room for
// a vertical axis.
func (f *Figure) columnLegendHeight(width vg.Length) vg.Length {
	_, cols := f.dims()
	if cols == 0 {
		return 0
	}
	n := 0
	for _, entries := range f.ColumnLegends {
		n = max(n, len(legendRows(entries, width/vg.Length(cols)-panelPadX-50)))
	}
	return vg.Length(n) * legendRowStep
}

// fitHeight sets f.Height so that each panel row is rowHeight tall.
func (f *Figure) fitHeight(rowHeight vg.Length) {
	rows, _ := f.dims()
	f.Height = f.headerHeight(f.Width) + vg.Length(rows)*rowHeight
}

// wrap breaks the lines of s between words so that none is wider than
// width in sty, unless a single word is.
func wrap(sty text.Style, s string, width vg.Length) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		cur := ""
		for _, w := range strings.Fields(line) {
			if cur != "" && sty.Width(cur+" "+w) > width {
				out = append(out, cur)
				cur = w
				continue
			}
			if cur != "" {
				cur += " "
			}
			cur += w
		}
		out = append(out, cur)
	}
	return strings.Join(out, "\n")
}

// legendRows breaks entries into rows no wider than width, at least one
// entry a row.
func legendRows(entries []LegendEntry, width vg.Length) [][]LegendEntry {
	var rows [][]LegendEntry
	var row []LegendEntry
	var used vg.Length
	sty := textStyle(legendSize)
	for _, e := range entries {
		w := entryWidth(sty, e)
		if len(row) > 0 && used+entryGap+w > width {
			rows = append(rows, row)
			row, used = nil, 0
		}
		if len(row) > 0 {
			used += entryGap
		}
		row = append(row, e)
		used += w
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows
}

func entryWidth(sty text.Style, e LegendEntry) vg.Length {
	if len(e.Thumbs) == 0 {
		return sty.Width(e.Label)
	}
	return thumbWidth + thumbGap + sty.Width(e.Label)
}

// drawLegend draws rows of entries from the top of c, each row centred.
func drawLegend(c draw.Canvas, rows [][]LegendEntry) {
	sty := textStyle(legendSize)
	sty.XAlign = draw.XLeft
	thumbH := vg.Length(legendSize * 0.9)
	y := c.Max.Y - legendRowStep/2
	for _, row := range rows {
		var w vg.Length
		for i, e := range row {
			if i > 0 {
				w += entryGap
			}
			w += entryWidth(sty, e)
		}
		x := c.Center().X - w/2
		for _, e := range row {
			if len(e.Thumbs) == 0 {
				c.FillText(sty, vg.Point{X: x, Y: y}, e.Label)
				x += entryWidth(sty, e) + entryGap
				continue
			}
			tc := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: x, Y: y - thumbH/2},
				Max: vg.Point{X: x + thumbWidth, Y: y + thumbH/2},
			}}
			for _, t := range e.Thumbs {
				t.Thumbnail(&tc)
			}
			c.FillText(sty, vg.Point{X: x + thumbWidth + thumbGap, Y: y}, e.Label)
			x += entryWidth(sty, e) + entryGap
		}
		y -= legendRowStep
	}
}

// span is a range of values being widened to cover data.
type span struct{ lo, hi float64 }

func newSpan() span { return span{math.Inf(1), math.Inf(-1)} }

func (s *span) add(vs ...float64) {
	for _, v := range vs {
		if finite(v) {
			s.lo, s.hi = min(s.lo, v), max(s.hi, v)
		}
	}
}

func (s span) empty() bool { return s.lo > s.hi }

// pad returns s widened by frac of its length on each side, or by abs
// when it is a single value.
func (s span) pad(frac, abs float64) span {
	if s.empty() {
		return s
	}
	d := (s.hi - s.lo) * frac
	if s.hi == s.lo {
		d = abs
	}
	return span{s.lo - d, s.hi + d}
}

// clamp returns s limited to [lo, hi].
func (s span) clamp(lo, hi float64) span {
	return span{max(s.lo, lo), min(s.hi, hi)}
}

// setX and setY give every panel the same axis range, so that panels
// compare at a glance.
func setX(s span, ps ...*plot.Plot) {
	for _, p := range ps {
		if p != nil && !s.empty() {
			p.X.Min, p.X.Max = s.lo, s.hi
		}
	}
}

func setY(s span, ps ...*plot.Plot) {
	for _, p := range ps {
		if p != nil && !s.empty() {
			p.Y.Min, p.Y.Max = s.lo, s.hi
		}
	}
}

// labelOuter writes the axis labels on the bottom panel of each column
// and the left panel of each row only: inner panels share them.
func labelOuter(grid [][]*plot.Plot, x, y string) {
	for i, row := range grid {
		for j, p := range row {
			if p == nil {
				continue
			}
			bottom, left := true, true
			for k := i + 1; k < len(grid); k++ {
				bottom = bottom && grid[k][j] == nil
			}
			for k := range j {
				left = left && row[k] == nil
			}
			if bottom {
				p.X.Label.Text = x
			}
			if left {
				p.Y.Label.Text = y
			}
		}
	}
}

// flatten lists the non-nil panels of grid.
func flatten(grid [][]*plot.Plot) []*plot.Plot {
	var ps []*plot.Plot
	for _, row := range grid {
		for _, p := range row {
			if p != nil {
				ps = append(ps, p)
			}
		}
	}
	return ps
}
