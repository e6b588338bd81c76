package figures

import (
	"cmp"
	"errors"
	"image/color"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/ffchar/ffchar/analysis"
)

// Accuracy is figure 1: each layer's FF accuracy and the model
// (classifier) accuracy against epoch, one panel per treatment (rows are
// depths, columns widths), means over seeds with confidence bands.
func Accuracy(curves []analysis.CurveSummary) (*Figure, error) {
	return curveFigure(curves, curveSpec{
		value:  func(c *analysis.CurveSummary) analysis.Summary { return c.LayerAccuracy },
		what:   "Layer FF accuracy (colour) and model accuracy (black, dashed) against epoch",
		yLabel: "accuracy (%)",
		empty:  "no layer accuracies",
	})
}

// StepAccuracy is figure 1 at step resolution: Accuracy over the held-out
// probe's curves, whose CurveSummary.Epoch holds the optimizer step,
// against step on a log(1+step) axis so that the first hundreds of steps
// are as visible as the epochs after them.
func StepAccuracy(curves []analysis.CurveSummary) (*Figure, error) {
	return curveFigure(curves, curveSpec{
		value:  func(c *analysis.CurveSummary) analysis.Summary { return c.LayerAccuracy },
		what:   "Layer FF accuracy (colour) and model accuracy (black, dashed) on the held-out probe against optimizer step (log scale)",
		yLabel: "accuracy (%)",
		xLabel: "optimizer step",
		log1p:  true,
		empty:  "no layer accuracies",
	})
}

// FirstSteps is the first-epoch figure: the probe's layer FF accuracy and
// model accuracy against step from 0 to last (the end of the first epoch),
// on a linear axis, one panel per treatment, bands over seeds.
func FirstSteps(curves []analysis.CurveSummary, last int) (*Figure, error) {
	var cs []analysis.CurveSummary
	for _, c := range curves {
		if c.Epoch <= last {
			cs = append(cs, c)
		}
	}
	return curveFigure(cs, curveSpec{
		value:  func(c *analysis.CurveSummary) analysis.Summary { return c.LayerAccuracy },
		what:   "The first " + strconv.Itoa(last) + " optimizer steps: layer FF accuracy (colour) and model accuracy (black, dashed) on the held-out probe",
		yLabel: "accuracy (%)",
		xLabel: "optimizer step",
		empty:  "no layer accuracies in the first steps",
	})
}

// LabelAccuracy is figure 6, beyond the paper: each layer's own 10-class
// goodness accuracy against epoch, laid out as Accuracy, with the model
// accuracy for reference.
func LabelAccuracy(curves []analysis.CurveSummary) (*Figure, error) {
	return curveFigure(curves, curveSpec{
		value:  func(c *analysis.CurveSummary) analysis.Summary { return c.LabelAccuracy },
		what:   "Layer 10-class goodness accuracy (colour) and model accuracy (black, dashed) against epoch",
		yLabel: "10-class accuracy (%)",
		empty:  "no label accuracies (all missing)",
	})
}

// curveSpec says which per-layer value a curve figure shows.
type curveSpec struct {
	value  func(*analysis.CurveSummary) analysis.Summary
	what   string // the title's first part
	yLabel string
	xLabel string // "epoch" when empty
	log1p  bool   // x on a log(1+x) scale
	empty  string // the error when no value is defined
}

// percent scales the fractions of analysis to the percentages plotted.
const percent = 100

// tally gathers what a figure's title reports: the seeds behind its means
// and the confidence levels of its intervals.
type tally struct {
	ns    []int
	confs []float64
}

func (t *tally) add(s analysis.Summary) {
	t.ns = append(t.ns, s.N)
	t.confs = append(t.confs, s.Confidence)
}

// xySummary is one mean with its interval at x.
type xySummary struct {
	x float64
	s analysis.Summary
}

// meanBand returns the plotters drawing the means of pts (sorted by x,
// times scale) as lines in sty, broken where the mean is undefined, and
// their confidence intervals, clipped to [lo, hi], as bands in fill. A
// lone defined point is drawn as a dot. Intervals that are not finite
// (fewer than two seeds) have no band. Spans x and y grow to cover what
// is drawn and t counts the defined means.
func meanBand(pts []xySummary, scale, lo, hi float64, sty draw.LineStyle, fill color.Color,
	x, y *span, t *tally) (bands, lines []plot.Plotter) {
	for i := 0; i < len(pts); {
		if !finite(pts[i].s.Mean) {
			i++
			continue
		}
		j := i
		for j < len(pts) && finite(pts[j].s.Mean) {
			j++
		}
		seg := pts[i:j]
		i = j

		mean := make(plotter.XYs, len(seg))
		upper := make(plotter.XYs, 0, len(seg))
		lower := make(plotter.XYs, 0, len(seg))
		for k, p := range seg {
			m := p.s.Mean * scale
			mean[k] = plotter.XY{X: p.x, Y: m}
			l, h := m, m
			if finite(p.s.Lo) && finite(p.s.Hi) {
				l = min(max(p.s.Lo*scale, lo), m)
				h = max(min(p.s.Hi*scale, hi), m)
			}
			upper = append(upper, plotter.XY{X: p.x, Y: h})
			lower = append(lower, plotter.XY{X: p.x, Y: l})
			x.add(p.x)
			y.add(m, l, h)
			t.add(p.s)
		}
		if len(seg) == 1 {
			lines = append(lines, &plotter.Scatter{XYs: mean, GlyphStyle: draw.GlyphStyle{
				Color: sty.Color, Radius: sty.Width * 1.5, Shape: draw.CircleGlyph{}}})
			continue
		}
		slices.Reverse(lower)
		bands = append(bands, &plotter.Polygon{XYs: []plotter.XYs{append(upper, lower...)}, Color: fill})
		lines = append(lines, &plotter.Line{XYs: mean, LineStyle: sty})
	}
	return bands, lines
}

// curveFigure draws one panel per treatment of spec's value per layer, and
// the model accuracy, against epoch.
func curveFigure(curves []analysis.CurveSummary, spec curveSpec) (*Figure, error) {
	if len(curves) == 0 {
		return nil, errors.New("figures: no curve summaries")
	}
	cs := slices.Clone(curves)
	slices.SortStableFunc(cs, func(a, b analysis.CurveSummary) int {
		return cmp.Or(compareGroups(a.Group, b.Group), cmp.Compare(a.Layer, b.Layer), cmp.Compare(a.Epoch, b.Epoch))
	})
	groups := distinctGroups(len(cs), func(i int) analysis.Group { return cs[i].Group })
	grid := layoutTreatments(groups, 4)
	panels := make([][]*plot.Plot, grid.rows)
	for i := range panels {
		panels[i] = make([]*plot.Plot, grid.cols)
	}

	x, y := newSpan(), newSpan()
	var layerTally, modelTally tally
	var layers []int
	haveModel := false
	rest := cs
	for gi, g := range groups {
		n := 0
		for n < len(rest) && rest[n].Group == g {
			n++
		}
		rows := rest[:n]
		rest = rest[n:]

		p := newPanel(grid.text(g))
		p.X.Tick.Marker = niceTicks{integer: true, intervals: max(5-grid.cols/3, 3)}
		if spec.log1p {
			p.X.Scale, p.X.Tick.Marker = log1pScale{}, log1pTicks{}
		}
		panels[grid.row[gi]][grid.col[gi]] = p

		var bands, lines []plot.Plotter
		for i := 0; i < len(rows); {
			layer := rows[i].Layer
			var pts []xySummary
			for ; i < len(rows) && rows[i].Layer == layer; i++ {
				pts = append(pts, xySummary{float64(rows[i].Epoch), spec.value(&rows[i])})
			}
			b, l := meanBand(pts, percent, 0, 100, layerLine(layer), translucent(LayerColor(layer), bandAlpha), &x, &y, &layerTally)
			if len(l) > 0 {
				layers = append(layers, layer)
			}
			bands = append(bands, b...)
			lines = append(lines, l...)
		}

		// The model accuracy is repeated on every layer's rows; take each
		// epoch's from its lowest layer.
		model := modelPoints(rows)
		b, l := meanBand(model, percent, 0, 100, modelLine(), translucent(ModelColor, bandAlpha), &x, &y, &modelTally)
		haveModel = haveModel || len(l) > 0
		if len(lines) == 0 && len(l) == 0 {
			// Nothing defined for this treatment: no empty axes.
			panels[grid.row[gi]][grid.col[gi]] = nil
			continue
		}
		p.Add(bands...)
		p.Add(b...)
		p.Add(lines...)
		p.Add(l...)
	}
	panels = dropEmptyRows(panels)
	if len(layerTally.ns) == 0 {
		return nil, errors.New("figures: " + spec.empty)
	}

	all := flatten(panels)
	xs := x.pad(0, 0.5)
	if spec.log1p {
		xs = span{max(x.lo, 0), x.hi}
	}
	setX(xs, all...)
	setY(y.pad(0.04, 1), all...)
	xl := spec.xLabel
	if xl == "" {
		xl = "epoch"
	}
	labelOuter(panels, xl, spec.yLabel)

	slices.Sort(layers)
	layers = slices.Compact(layers)
	var legend []LegendEntry
	for _, l := range layers {
		legend = append(legend, bandEntry("layer "+strconv.Itoa(l), layerLine(l), translucent(LayerColor(l), bandAlpha)))
	}
	if haveModel {
		legend = append(legend, bandEntry("model (classifier; goodness over labels without one)", modelLine(), translucent(ModelColor, bandAlpha)))
	}

	all2 := tally{ns: append(slices.Clone(layerTally.ns), modelTally.ns...), confs: append(slices.Clone(layerTally.confs), modelTally.confs...)}
	f := &Figure{
		Title:  spec.what + "\nmean ± " + ciText(all2.confs) + " over " + seedsText(all2.ns) + " per treatment",
		Panels: panels,
		Legend: legend,
		Width:  figureWidth(grid.cols),
	}
	f.fitHeight(rowHeight(f.Width, grid.cols))
	return f, nil
}

// dropEmptyRows returns grid without its rows of nil cells.
func dropEmptyRows(grid [][]*plot.Plot) [][]*plot.Plot {
	var out [][]*plot.Plot
	for _, row := range grid {
		if slices.ContainsFunc(row, func(p *plot.Plot) bool { return p != nil }) {
			out = append(out, row)
		}
	}
	return out
}

// modelPoints returns the model accuracy of each epoch in rows (sorted by
// layer, then epoch), taken from the lowest layer that has the epoch.
func modelPoints(rows []analysis.CurveSummary) []xySummary {
	var pts []xySummary
	for i := range rows {
		e := float64(rows[i].Epoch)
		k, found := slices.BinarySearchFunc(pts, e, func(p xySummary, e float64) int { return cmp.Compare(p.x, e) })
		if !found {
			pts = slices.Insert(pts, k, xySummary{e, rows[i].ModelAccuracy})
		}
	}
	return pts
}

// bandEntry is the legend entry of a mean line with its band.
func bandEntry(label string, line draw.LineStyle, fill color.Color) LegendEntry {
	return LegendEntry{Label: label, Thumbs: []plot.Thumbnailer{
		&plotter.Polygon{Color: fill},
		&plotter.Line{LineStyle: line},
	}}
}

// figureWidth is one page column for a single column of panels and the
// page otherwise.
func figureWidth(cols int) vg.Length {
	if cols <= 1 {
		return ColumnWidth
	}
	return PageWidth
}

// rowHeight is the height of a row of panels: a little less than a
// panel's width, within readable bounds.
func rowHeight(width vg.Length, cols int) vg.Length {
	w := width / vg.Length(max(cols, 1))
	return min(max(w*0.8, 1.4*vg.Inch), 2.6*vg.Inch)
}
