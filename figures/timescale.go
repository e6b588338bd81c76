package figures

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/ffchar/ffchar/analysis"
)

// TimescaleSummary is one layer's correlation with the model at one
// timescale, pooled over a sweep's treatments: the runs' own r (a Fisher-z
// mean over runs, back-transformed, with its interval), its between-seed
// surrogate, and the measure's reliability ceiling (NaN when unknown).
type TimescaleSummary struct {
	Layer     int
	Window    int // steps
	Within    analysis.Summary
	Surrogate float64
	Ceiling   float64
}

// surrogateLine and ceilingLine draw a layer's reference lines: dashed for
// the surrogate, dotted for the ceiling, in the layer's colour.
func surrogateLine(layer int) draw.LineStyle {
	l := layerLine(layer)
	l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
	return l
}

func ceilingLine(layer int) draw.LineStyle {
	l := layerLine(layer)
	l.Width = vg.Points(0.8)
	l.Dashes = []vg.Length{vg.Points(1), vg.Points(2)}
	return l
}

// Timescales is the timescale figure: per layer index (one panel each), the
// correlation of the layer's increments with the model's over
// non-overlapping windows against the window length (log scale), with the
// between-seed surrogate (dashed: what any two runs of the treatment
// share) and the reliability ceiling (dotted: the largest r the probe's
// noise allows) as reference lines. A correlation says something about a
// run only above its surrogate and can only be read against its ceiling.
func Timescales(ts []TimescaleSummary) (*Figure, error) {
	ts = slices.Clone(ts)
	slices.SortFunc(ts, func(a, b TimescaleSummary) int {
		return cmp.Or(cmp.Compare(a.Layer, b.Layer), cmp.Compare(a.Window, b.Window))
	})
	layers := levels(len(ts), func(i int) int { return ts[i].Layer })
	windows := levels(len(ts), func(i int) int { return ts[i].Window })
	if len(layers) == 0 {
		return nil, errors.New("figures: no timescale summaries")
	}
	cols := min(len(layers), 2)
	rows := (len(layers) + cols - 1) / cols
	panels := make([][]*plot.Plot, rows)
	for i := range panels {
		panels[i] = make([]*plot.Plot, cols)
	}
	x, y := newSpan(), newSpan()
	var t tally
	data := make([][]plot.Plotter, len(layers))
	ceilings := false
	for li, l := range layers {
		panels[li/cols][li%cols] = newPanel("layer " + strconv.Itoa(l))
		var pts []xySummary
		var surr, ceil plotter.XYs
		for _, s := range ts {
			if s.Layer != l {
				continue
			}
			pts = append(pts, xySummary{float64(s.Window), s.Within})
			if finite(s.Surrogate) {
				surr = append(surr, plotter.XY{X: float64(s.Window), Y: s.Surrogate})
				y.add(s.Surrogate)
			}
			if finite(s.Ceiling) {
				ceil = append(ceil, plotter.XY{X: float64(s.Window), Y: s.Ceiling})
				y.add(s.Ceiling)
				ceilings = true
			}
		}
		if len(surr) > 1 {
			data[li] = append(data[li], &plotter.Line{XYs: surr, LineStyle: surrogateLine(l)})
		}
		if len(ceil) > 1 {
			data[li] = append(data[li], &plotter.Line{XYs: ceil, LineStyle: ceilingLine(l)})
		}
		data[li] = append(data[li], errSeries(pts, 1, -1, 1, layerLine(l), layerGlyph(l), scaleBy(0), &x, &y, &t, nil)...)
	}
	if len(t.ns) == 0 {
		return nil, errors.New("figures: no defined correlation at any timescale")
	}
	all := flatten(panels)
	xs := span{float64(windows[0]) / 1.3, float64(windows[len(windows)-1]) * 1.3}
	ys := y.pad(0.05, 0.05).clamp(-1, 1)
	for i, p := range all {
		if p == nil {
			continue
		}
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = valueTicks(windows)
		if ys.lo < 0 && ys.hi > 0 {
			p.Add(zeroLine(xs.lo, xs.hi))
		}
		p.Add(data[i]...)
	}
	setX(xs, all...)
	setY(ys, all...)
	labelOuter(panels, "window (optimizer steps)", "Pearson r of increments")
	legend := []LegendEntry{
		lineEntry("the run's own layer and model (95% CI)", layerLine(1), layerGlyph(1)),
		{Label: "between-seed surrogate", Thumbs: []plot.Thumbnailer{&plotter.Line{LineStyle: surrogateLine(1)}}},
	}
	if ceilings {
		legend = append(legend, LegendEntry{Label: "reliability ceiling", Thumbs: []plot.Thumbnailer{&plotter.Line{LineStyle: ceilingLine(1)}}})
	}
	title := "Layer–model correlation of increments over windows, by timescale\n" +
		fmt.Sprintf("Fisher-z mean over %s, pooled over treatments; windows from each treatment's start step", countText(t.ns, "run"))
	if !ceilings {
		title += "\n(no split-half probe: no reliability ceiling)"
	}
	f := &Figure{Title: title, Panels: panels, Legend: legend, Width: figureWidth(cols)}
	f.fitHeight(2.1 * vg.Inch)
	return f, nil
}
