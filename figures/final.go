package figures

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/ffchar/ffchar/analysis"
)

// rotateCategories turns the category labels of axis a upright when they
// would run into each other on an axis width long, and returns the height
// they then take beyond a line of text.
func rotateCategories(a *plot.Axis, labels []string, width vg.Length) vg.Length {
	var longest vg.Length
	for _, l := range labels {
		longest = max(longest, a.Tick.Label.Width(l))
	}
	slot := width / vg.Length(max(len(labels), 1))
	if longest <= 0.9*slot {
		return 0
	}
	a.Tick.Label.Rotation = math.Pi / 2
	a.Tick.Label.XAlign = draw.XRight
	a.Tick.Label.YAlign = draw.YCenter
	return longest
}

// FinalAccuracy is figure 5: the model accuracy at the final epoch against
// depth, one line per width, means over seeds with confidence intervals.
// With other grid axes, against the outer facets (categories when they
// are not numbers), one line per level of the inner facet.
func FinalAccuracy(finals []analysis.FinalAccuracy) (*Figure, error) {
	if len(finals) == 0 {
		return nil, errors.New("figures: no final accuracies")
	}
	fs := slices.Clone(finals)
	groups := distinctGroups(len(fs), func(i int) analysis.Group { return fs[i].Group })
	fc := facetsOf(groups)
	byShape := fc.unique(groups)
	xName, lineName := strings.Join(fc.outerNames(), ", "), fc.innerName()
	xOf, lineOf := fc.outer, fc.inner
	if xName == "" { // one axis: along x, one line
		xName, lineName = fc.innerName(), ""
		xOf, lineOf = fc.inner, func(analysis.Group) string { return "" }
	}
	slices.SortStableFunc(fs, func(a, b analysis.FinalAccuracy) int {
		return cmp.Or(compareValues(lineOf(a.Group), lineOf(b.Group)), cmp.Compare(a.Treatment, b.Treatment),
			compareValues(xOf(a.Group), xOf(b.Group)))
	})
	// x positions: the outer values when they are numbers (depths), else
	// their ranks.
	xLevels := valueLevels(len(fs), func(i int) string { return xOf(fs[i].Group) })
	numeric := true
	for _, v := range xLevels {
		if _, err := strconv.Atoi(v); err != nil {
			numeric = false
		}
	}
	xPos := func(g analysis.Group) float64 {
		if numeric {
			n, _ := strconv.Atoi(xOf(g))
			return float64(n)
		}
		return float64(slices.Index(xLevels, xOf(g)) + 1)
	}

	// A line joins the outer levels of one inner level; when facets do
	// not identify treatments, of one treatment name and inner level.
	type lineKey struct {
		name, level string
	}
	key := func(f *analysis.FinalAccuracy) lineKey {
		if byShape {
			return lineKey{level: lineOf(f.Group)}
		}
		return lineKey{f.Treatment, lineOf(f.Group)}
	}
	var keys []lineKey
	for i := range fs {
		if k := key(&fs[i]); len(keys) == 0 || keys[len(keys)-1] != k {
			keys = append(keys, k)
		}
	}

	p := newPanel("")
	var means []float64
	for _, f := range fs {
		if finite(f.Mean) {
			means = append(means, f.Mean*percent)
		}
	}
	off := newOffScale(means) // a failed level far below the rest, say
	off.on(p)
	var full []insetLine
	x, y := newSpan(), newSpan()
	var t tally
	var legend []LegendEntry
	if byShape && lineName != "" {
		legend = append(legend, LegendEntry{Label: lineName + ":"})
	}
	for i, k := range keys {
		var pts []xySummary
		for j := range fs {
			if key(&fs[j]) == k {
				pts = append(pts, xySummary{xPos(fs[j].Group), fs[j].Summary})
			}
		}
		line, glyph := levelLine(i, len(keys)), levelGlyph(i, len(keys))
		at := shift(dodge(i, len(keys), min(0.06, 0.4/float64(len(keys)))))
		nOff := off.count()
		ps := errSeries(pts, percent, 0, 100, line, glyph, at, &x, &y, &t, off)
		if len(ps) == 0 && off.count() == nOff {
			continue
		}
		full = append(full, fullScale(pts, percent, at, line, glyph))
		p.Add(ps...)
		label := k.level
		if !byShape {
			label = fmt.Sprintf("%s (%s %s)", k.name, lineName, k.level)
		}
		if lineName != "" || !byShape {
			legend = append(legend, lineEntry(label, line, glyph))
		}
	}
	if len(t.ns) == 0 {
		return nil, errors.New("figures: no defined final accuracy")
	}
	extra := vg.Length(0)
	var xs span
	var insetTicks plot.Ticker
	if numeric {
		vals := levels(len(fs), func(i int) int { return int(xPos(fs[i].Group)) })
		p.X.Tick.Marker = valueTicks(vals)
		insetTicks = p.X.Tick.Marker
		xs = span{float64(vals[0]) - 0.4, float64(vals[len(vals)-1]) + 0.4}
	} else {
		ticks := make([]plot.Tick, len(xLevels))
		marks := make([]plot.Tick, len(xLevels)) // the inset's: no labels
		for i, v := range xLevels {
			ticks[i] = plot.Tick{Value: float64(i + 1), Label: v}
			marks[i] = plot.Tick{Value: float64(i + 1)}
		}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
		insetTicks = plot.ConstantTicks(marks)
		xs = span{0.6, float64(len(xLevels)) + 0.4}
		extra = rotateCategories(&p.X, xLevels, ColumnWidth-2*margin-0.6*vg.Inch)
	}
	setX(xs, p)
	ys := y.pad(0.05, 1).clamp(0, 100)
	insets := off.insets(map[*plot.Plot][]insetLine{p: full}, xs, &ys, insetTicks, 0)
	setY(ys, p)
	off.draw(ys)
	p.X.Label.Text = xName
	if fc.legacy {
		p.X.Label.Text = "depth (layers)"
	}
	p.Y.Label.Text = "final model accuracy (%)"

	title := "Final model accuracy by " + strings.Join(fc.names, " and ")
	f := &Figure{
		Title:  title + "\nmean ± " + ciText(t.confs) + " over " + seedsText(t.ns) + " per treatment" + off.caption(),
		Panels: [][]*plot.Plot{{p}},
		Legend: legend,
		Insets: insets,
		Width:  ColumnWidth,
	}
	f.fitHeight(2.4*vg.Inch + extra)
	return f, nil
}
