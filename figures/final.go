package figures

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/ffchar/ffchar/analysis"
)

// FinalAccuracy is figure 5: the model accuracy at the final epoch against
// depth, one line per width, means over seeds with confidence intervals.
func FinalAccuracy(finals []analysis.FinalAccuracy) (*Figure, error) {
	if len(finals) == 0 {
		return nil, errors.New("figures: no final accuracies")
	}
	fs := slices.Clone(finals)
	slices.SortStableFunc(fs, func(a, b analysis.FinalAccuracy) int {
		return cmp.Or(cmp.Compare(a.Width, b.Width), cmp.Compare(a.Treatment, b.Treatment), cmp.Compare(a.Depth, b.Depth))
	})
	groups := distinctGroups(len(fs), func(i int) analysis.Group { return fs[i].Group })
	byShape := uniqueShapes(groups)

	// A line joins the depths of one width; when shapes do not identify
	// treatments, of one treatment name and width.
	type lineKey struct {
		name  string
		width int
	}
	key := func(f *analysis.FinalAccuracy) lineKey {
		if byShape {
			return lineKey{width: f.Width}
		}
		return lineKey{f.Treatment, f.Width}
	}
	var keys []lineKey
	for i := range fs {
		if k := key(&fs[i]); len(keys) == 0 || keys[len(keys)-1] != k {
			keys = append(keys, k)
		}
	}

	p := newPanel("")
	x, y := newSpan(), newSpan()
	var t tally
	var legend []LegendEntry
	if byShape {
		legend = append(legend, LegendEntry{Label: "width:"})
	}
	for i, k := range keys {
		var pts []xySummary
		for j := range fs {
			if key(&fs[j]) == k {
				pts = append(pts, xySummary{float64(fs[j].Depth), fs[j].Summary})
			}
		}
		line, glyph := levelLine(i, len(keys)), levelGlyph(i, len(keys))
		at := shift(dodge(i, len(keys), min(0.06, 0.4/float64(len(keys)))))
		ps := errSeries(pts, percent, 0, 100, line, glyph, at, &x, &y, &t)
		if len(ps) == 0 {
			continue
		}
		p.Add(ps...)
		label := strconv.Itoa(k.width)
		if !byShape {
			label = fmt.Sprintf("%s (width %d)", k.name, k.width)
		}
		legend = append(legend, lineEntry(label, line, glyph))
	}
	if len(t.ns) == 0 {
		return nil, errors.New("figures: no defined final accuracy")
	}
	depths := levels(len(fs), func(i int) int { return fs[i].Depth })
	p.X.Tick.Marker = valueTicks(depths)
	setX(span{float64(depths[0]) - 0.4, float64(depths[len(depths)-1]) + 0.4}, p)
	setY(y.pad(0.05, 1).clamp(0, 100), p)
	p.X.Label.Text = "depth (layers)"
	p.Y.Label.Text = "final model accuracy (%)"

	f := &Figure{
		Title:  "Final model accuracy by depth and width\nmean ± " + ciText(t.confs) + " over " + seedsText(t.ns) + " per treatment",
		Panels: [][]*plot.Plot{{p}},
		Legend: legend,
		Width:  ColumnWidth,
	}
	f.fitHeight(2.4 * vg.Inch)
	return f, nil
}
