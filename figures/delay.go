package figures

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/ffchar/ffchar/analysis"
)

// Delays is figure 2: delay against layer index, with confidence
// intervals, in two panels: one line per depth at width width (left), and
// one line per width at depth depth (right). The delay is analysis.T90,
// the epoch at which a layer's accuracy first reaches 90% of its gain;
// summaries of other measures are ignored. A width or depth of 0 means the
// largest in delays, where the most layers are compared.
func Delays(delays []analysis.DelaySummary, width, depth int) (*Figure, error) {
	var ds []analysis.DelaySummary
	for _, d := range delays {
		if d.Measure == analysis.T90 {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 {
		return nil, errors.New("figures: no t90 delay summaries")
	}
	slices.SortStableFunc(ds, func(a, b analysis.DelaySummary) int {
		return cmp.Or(compareGroups(a.Group, b.Group), cmp.Compare(a.Layer, b.Layer))
	})
	if width == 0 {
		width = slices.MaxFunc(ds, func(a, b analysis.DelaySummary) int { return cmp.Compare(a.Width, b.Width) }).Width
	}
	if depth == 0 {
		depth = slices.MaxFunc(ds, func(a, b analysis.DelaySummary) int { return cmp.Compare(a.Depth, b.Depth) }).Depth
	}
	groups := distinctGroups(len(ds), func(i int) analysis.Group { return ds[i].Group })
	byShape := uniqueShapes(groups)

	x, y := newSpan(), newSpan()
	var t tally
	var layers []int
	panel := func(title, what string, keep func(analysis.Group) bool, name func(analysis.Group) string) (*plot.Plot, []LegendEntry) {
		p := newPanel(title)
		var sel []analysis.Group
		for _, g := range groups {
			if keep(g) {
				sel = append(sel, g)
			}
		}
		var legend []LegendEntry
		if byShape {
			legend = append(legend, LegendEntry{Label: what + ":"})
		}
		for i, g := range sel {
			var pts []xySummary
			for _, d := range ds {
				if d.Group == g {
					pts = append(pts, xySummary{float64(d.Layer), d.Summary})
					layers = append(layers, d.Layer)
				}
			}
			line, glyph := levelLine(i, len(sel)), levelGlyph(i, len(sel))
			at := shift(dodge(i, len(sel), min(0.08, 0.5/float64(len(sel)))))
			ps := errSeries(pts, 1, 0, math.Inf(1), line, glyph, at, &x, &y, &t)
			if len(ps) > 0 {
				p.Add(ps...)
				legend = append(legend, lineEntry(name(g), line, glyph))
			}
		}
		return p, legend
	}
	name := func(v func(analysis.Group) int) func(analysis.Group) string {
		return func(g analysis.Group) string {
			if byShape {
				return strconv.Itoa(v(g))
			}
			return g.Treatment
		}
	}
	left, leftLegend := panel(fmt.Sprintf("by depth, at width %d", width), "depth",
		func(g analysis.Group) bool { return g.Width == width },
		name(func(g analysis.Group) int { return g.Depth }))
	right, rightLegend := panel(fmt.Sprintf("by width, at depth %d", depth), "width",
		func(g analysis.Group) bool { return g.Depth == depth },
		name(func(g analysis.Group) int { return g.Width }))
	if len(t.ns) == 0 {
		return nil, fmt.Errorf("figures: no defined delay at width %d or depth %d", width, depth)
	}

	slices.Sort(layers)
	layers = slices.Compact(layers)
	panels := [][]*plot.Plot{{left, right}}
	for _, p := range panels[0] {
		p.X.Tick.Marker = valueTicks(layers)
	}
	setX(span{float64(layers[0]) - 0.4, float64(layers[len(layers)-1]) + 0.4}, left, right)
	setY(y.pad(0.05, 1).clamp(0, math.Inf(1)), left, right)
	labelOuter(panels, "layer index", "t90 (epoch)")

	f := &Figure{
		Title: "Delay: epoch at which a layer's accuracy first reaches 90% of its gain (t90)\nmean ± " +
			ciText(t.confs) + " over " + seedsText(t.ns) + " per treatment",
		Panels:        panels,
		ColumnLegends: [][]LegendEntry{leftLegend, rightLegend},
		Width:         PageWidth,
	}
	f.fitHeight(2.4 * vg.Inch)
	return f, nil
}
