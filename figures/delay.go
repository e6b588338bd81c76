package figures

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/ffchar/ffchar/analysis"
)

// Reference picks the levels figure 2 holds fixed: Inner, the inner
// facet's value (the width, in the paper's depth × width layout) of the
// left panel, and Outer, the value of the first outer axis (the depth) of
// the right one, at the largest values of any other outer axes. An empty
// value picks the largest, where the most layers are compared.
type Reference struct{ Outer, Inner string }

// Delays is figure 2: delay measure against layer index, with confidence
// intervals, in two panels: one line per depth at the reference width
// (left), and one line per width at the reference depth (right). The
// delays are on do's clock, which names the unit (the per-epoch H1 verdict
// uses analysis.MeasureE50, the step one its StepOptions.H1Measure);
// summaries of other measures are ignored.
func Delays(delays []analysis.DelaySummary, do analysis.DelayOptions, measure string, ref Reference) (*Figure, error) {
	var ds []delayRow
	for _, d := range delays {
		if d.Measure == measure {
			ds = append(ds, delayRow{d.Group, d.Layer, d.Summary})
		}
	}
	if len(ds) == 0 {
		return nil, fmt.Errorf("figures: no %s %s delay summaries", measure, do.Clock)
	}
	floor := 0.0
	if measure == analysis.MeasureLag {
		floor = math.Inf(-1)
	}
	return delayFigure(ds, delayText{title: "Delay at " + do.Clock + " resolution: " + do.MeasureText(measure),
		yLabel: measure + " (" + do.Unit() + ")", floor: floor}, ref)
}

// delayRow is one treatment's and layer's delay summary.
type delayRow struct {
	analysis.Group
	Layer int
	analysis.Summary
}

// delayText is what a delay figure says about its measure; floor is the
// lowest value the y axis shows.
type delayText struct {
	title, yLabel string
	floor         float64
}

func delayFigure(ds []delayRow, txt delayText, ref Reference) (*Figure, error) {
	slices.SortStableFunc(ds, func(a, b delayRow) int {
		return cmp.Or(compareGroups(a.Group, b.Group), cmp.Compare(a.Layer, b.Layer))
	})
	groups := distinctGroups(len(ds), func(i int) analysis.Group { return ds[i].Group })
	fc := facetsOf(groups)
	byShape := fc.unique(groups)
	// The reference levels: the given ones, or the largest levels, where
	// the most layers are compared. Outer values join several axes'
	// values; they compare axis by axis.
	innerRef := ref.Inner
	if innerRef == "" {
		inner := valueLevels(len(groups), func(i int) string { return fc.inner(groups[i]) })
		innerRef = inner[len(inner)-1]
	}
	var outerRef string
	for _, g := range groups {
		o := fc.outer(g)
		if ref.Outer != "" && o != ref.Outer && !strings.HasPrefix(o, ref.Outer+", ") {
			continue // the given value of the first outer axis, at the largest others
		}
		if outerRef == "" || compareJoined(o, outerRef) > 0 {
			outerRef = o
		}
	}
	if outerRef == "" {
		outerRef = ref.Outer // no such treatment: the error below names it
	}

	var means []float64
	for _, d := range ds {
		if finite(d.Mean) {
			means = append(means, d.Mean)
		}
	}
	off := newOffScale(means)
	full := map[*plot.Plot][]insetLine{} // each panel's series, for an inset
	x, y := newSpan(), newSpan()
	var t tally
	var layers []int
	panel := func(title, what string, keep func(analysis.Group) bool, name func(analysis.Group) string) (*plot.Plot, []LegendEntry) {
		p := newPanel(title)
		off.on(p)
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
			full[p] = append(full[p], fullScale(pts, 1, at, line, glyph))
			nOff := off.count()
			ps := errSeries(pts, 1, 0, math.Inf(1), line, glyph, at, &x, &y, &t, off)
			if len(ps) > 0 || off.count() > nOff {
				p.Add(ps...)
				legend = append(legend, lineEntry(name(g), line, glyph))
			}
		}
		return p, legend
	}
	name := func(v func(analysis.Group) string) func(analysis.Group) string {
		return func(g analysis.Group) string {
			if byShape {
				return v(g)
			}
			return g.Treatment
		}
	}
	var row []*plot.Plot
	var legends [][]LegendEntry
	outerName := strings.Join(fc.outerNames(), ", ")
	if outerName != "" {
		left, leftLegend := panel(fmt.Sprintf("by %s, at %s", outerName, fc.innerText(innerRef)), outerName,
			func(g analysis.Group) bool { return fc.inner(g) == innerRef }, name(fc.outer))
		row, legends = append(row, left), append(legends, leftLegend)
	}
	at := ""
	if outerName != "" {
		at = ", at " + fc.outerText(outerRef)
	}
	right, rightLegend := panel("by "+fc.innerName()+at, fc.innerName(),
		func(g analysis.Group) bool { return outerName == "" || fc.outer(g) == outerRef }, name(fc.inner))
	row, legends = append(row, right), append(legends, rightLegend)
	if len(t.ns) == 0 {
		return nil, fmt.Errorf("figures: no defined delay at %s or %s", fc.innerText(innerRef), fc.outerText(outerRef))
	}

	slices.Sort(layers)
	layers = slices.Compact(layers)
	panels := [][]*plot.Plot{row}
	for _, p := range panels[0] {
		p.X.Tick.Marker = valueTicks(layers)
	}
	xs := span{float64(layers[0]) - 0.4, float64(layers[len(layers)-1]) + 0.4}
	setX(xs, row...)
	ys := y.pad(0.05, 1).clamp(txt.floor, math.Inf(1))
	insets := off.insets(full, xs, &ys, valueTicks(layers), txt.floor)
	setY(ys, row...)
	off.draw(ys)
	labelOuter(panels, "layer index", txt.yLabel)

	f := &Figure{
		Title: txt.title + "\nmean ± " +
			ciText(t.confs) + " over " + seedsText(t.ns) + " per treatment" + off.caption(),
		Panels:        panels,
		ColumnLegends: legends,
		Insets:        insets,
		Width:         PageWidth,
	}
	f.fitHeight(2.4 * vg.Inch)
	return f, nil
}

// compareJoined orders outer facet values, the values of several axes
// joined by ", ", axis by axis (compareValues).
func compareJoined(a, b string) int {
	as, bs := strings.Split(a, ", "), strings.Split(b, ", ")
	for i := range min(len(as), len(bs)) {
		if c := compareValues(as[i], bs[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(as), len(bs))
}
