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
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"

	"github.com/ffchar/ffchar/analysis"
)

// coefficientText names a correlation coefficient on an axis or key.
func coefficientText(m analysis.Method) string {
	if m == analysis.SpearmanMethod {
		return "Spearman ρ"
	}
	return "Pearson r"
}

// selectMethod returns the summaries of method m (Pearson when m is
// empty), sorted by treatment and layer.
func selectMethod(corrs []analysis.CorrelationSummary, m analysis.Method) ([]analysis.CorrelationSummary, analysis.Method, error) {
	if m == "" {
		m = analysis.PearsonMethod
	}
	var cs []analysis.CorrelationSummary
	for _, c := range corrs {
		if c.Method == m {
			cs = append(cs, c)
		}
	}
	if len(cs) == 0 {
		return nil, m, fmt.Errorf("figures: no %s correlation summaries", m)
	}
	slices.SortStableFunc(cs, func(a, b analysis.CorrelationSummary) int {
		return cmp.Or(compareGroups(a.Group, b.Group), cmp.Compare(a.Layer, b.Layer))
	})
	return cs, m, nil
}

// corrSummary restates a correlation summary as a mean with an interval;
// with fewer than two seeds the interval is undefined rather than the
// whole of [-1, 1].
func corrSummary(c *analysis.CorrelationSummary) analysis.Summary {
	s := analysis.Summary{Mean: c.R, Lo: c.Lo, Hi: c.Hi, N: c.Z.N, Confidence: c.Z.Confidence}
	if c.Z.N < 2 {
		s.Lo, s.Hi = math.NaN(), math.NaN()
	}
	if c.Z.N == 0 {
		s.Mean = math.NaN()
	}
	return s
}

// corrPalette maps r in [-1, 1] to a diverging blue (negative) to red
// (positive) scale that stays readable under red-green colour blindness.
func corrPalette() palette.Palette {
	return moreland.SmoothBlueRed().Palette(201)
}

// heatGrid is a GridXYZ over columns 0..n-1 and rows (layers) 1..m.
type heatGrid struct {
	z    [][]float64 // [column][row]
	rows int
	x0   float64
	dx   float64
}

func (g heatGrid) Dims() (c, r int)   { return len(g.z), g.rows }
func (g heatGrid) Z(c, r int) float64 { return g.z[c][r] }
func (g heatGrid) X(c int) float64    { return g.x0 + float64(c)*g.dx }
func (g heatGrid) Y(r int) float64    { return float64(r + 1) }
func (g heatGrid) Min() float64       { return -1 }
func (g heatGrid) Max() float64       { return 1 }
func newHeatGrid(cols, rows int) heatGrid {
	g := heatGrid{z: make([][]float64, cols), rows: rows, dx: 1}
	for i := range g.z {
		g.z[i] = make([]float64, rows)
		for j := range g.z[i] {
			g.z[i][j] = math.NaN()
		}
	}
	return g
}

// CorrelationHeatmap is figure 3: for each treatment (columns) and layer
// (rows), the correlation over epochs between the layer's accuracy and the
// model accuracy, averaged over seeds (Fisher z) and written in its cell.
// Method selects the coefficient; "" means Pearson. Cells without a layer
// or with an undefined correlation are blank.
func CorrelationHeatmap(corrs []analysis.CorrelationSummary, method analysis.Method) (*Figure, error) {
	return CorrelationHeatmapOf(corrs, method, "over epochs")
}

// CorrelationHeatmapOf is CorrelationHeatmap of correlations computed
// over, as the title says ("of levels from the start step").
func CorrelationHeatmapOf(corrs []analysis.CorrelationSummary, method analysis.Method, over string) (*Figure, error) {
	cs, method, err := selectMethod(corrs, method)
	if err != nil {
		return nil, err
	}
	groups := distinctGroups(len(cs), func(i int) analysis.Group { return cs[i].Group })
	fc := facetsOf(groups)
	byShape := fc.unique(groups)
	maxLayer := slices.MaxFunc(cs, func(a, b analysis.CorrelationSummary) int { return cmp.Compare(a.Layer, b.Layer) }).Layer
	if maxLayer < 1 {
		return nil, errors.New("figures: correlation summaries without a layer")
	}
	// A treatment without any defined correlation (too few epochs) gets no
	// column: the title names it instead.
	defined := map[analysis.Group]bool{}
	for i := range cs {
		if s := corrSummary(&cs[i]); cs[i].Layer >= 1 && finite(s.Mean) {
			defined[cs[i].Group] = true
		}
	}
	var dropped []string
	if len(defined) > 0 {
		kept := groups[:0:0]
		for _, g := range groups {
			if defined[g] {
				kept = append(kept, g)
			} else {
				dropped = append(dropped, shortShape(g, fc, byShape))
			}
		}
		groups = kept
		cs = slices.DeleteFunc(cs, func(c analysis.CorrelationSummary) bool { return !defined[c.Group] })
	}

	grid := newHeatGrid(len(groups), maxLayer)
	var t tally
	var labels plotter.XYs
	var texts []string
	var styles []text.Style
	for _, c := range cs {
		col, _ := slices.BinarySearchFunc(groups, c.Group, compareGroups)
		s := corrSummary(&c)
		if c.Layer < 1 || !finite(s.Mean) {
			continue
		}
		grid.z[col][c.Layer-1] = s.Mean
		t.add(s)
		labels = append(labels, plotter.XY{X: float64(col), Y: float64(c.Layer)})
		texts = append(texts, strconv.FormatFloat(s.Mean, 'f', 2, 64))
		sty := textStyle(annotationSize)
		if math.Abs(s.Mean) > 0.55 {
			sty.Color = grey(0xFF)
		}
		styles = append(styles, sty)
	}
	if len(t.ns) == 0 {
		return nil, fmt.Errorf("figures: no defined %s correlation", method)
	}

	p := newPanel("")
	heat := plotter.NewHeatMap(grid, corrPalette())
	// |r| ≤ 1 always; the extremes guard against rounding just past it.
	pal := heat.Palette.Colors()
	heat.Underflow, heat.Overflow = pal[0], pal[len(pal)-1]
	p.Add(heat)
	if len(labels) > 0 {
		p.Add(&plotter.Labels{XYs: labels, Labels: texts, TextStyle: styles})
	}

	width := PageWidth
	if len(groups) <= 5 {
		width = ColumnWidth
	}
	names := make([]string, len(groups))
	ticks := make([]plot.Tick, len(groups))
	for i, g := range groups {
		names[i] = shortShape(g, fc, byShape)
		ticks[i] = plot.Tick{Value: float64(i), Label: names[i]}
	}
	extra := rotateCategories(&p.X, names, width-2*margin-0.6*vg.Inch)
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Marker = valueTicks(levels(maxLayer, func(i int) int { return i + 1 }))
	p.Y.Scale = plot.InvertedScale{Normalizer: plot.LinearScale{}}
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Tick.Length = 0
		a.Padding = 0
		a.LineStyle.Width = 0
	}
	setX(span{-0.5, float64(len(groups)) - 0.5}, p)
	setY(span{0.5, float64(maxLayer) + 0.5}, p)
	p.X.Label.Text = "treatment (" + fc.axisText() + ")"
	if !byShape {
		p.X.Label.Text = "treatment"
	}
	p.Y.Label.Text = "layer index"

	f := &Figure{
		Title: "Layer–model accuracy correlation " + over + "\n" +
			coefficientText(method) + ", Fisher-z mean over " + seedsText(t.ns) + " per treatment\n(blank: no such layer, or undefined)" +
			undefinedText(dropped),
		Panels:   [][]*plot.Plot{{p}},
		Key:      colourKey(coefficientText(method)),
		KeyWidth: min(width*0.6, 2.6*vg.Inch),
		Width:    width,
	}
	f.Height = f.headerHeight(width) + vg.Length(maxLayer)*0.3*vg.Inch + 0.5*vg.Inch + extra
	return f, nil
}

// colourKey is the colour scale of the correlation heatmap: a strip of
// the palette from -1 to 1.
func colourKey(label string) *plot.Plot {
	const n = 101
	g := newHeatGrid(n, 1)
	g.x0, g.dx = -1, 2.0/(n-1)
	for i := range n {
		g.z[i][0] = g.X(i)
	}
	p := newPanel("")
	p.Add(plotter.NewHeatMap(g, corrPalette()))
	p.HideY()
	p.X.Label.Text = label
	p.X.Tick.Marker = plot.ConstantTicks{{Value: -1, Label: "-1"}, {Value: -0.5, Label: "-0.5"},
		{Value: 0, Label: "0"}, {Value: 0.5, Label: "0.5"}, {Value: 1, Label: "1"}}
	p.X.Padding = 0
	p.X.LineStyle.Width = 0
	return p
}

// CorrelationByWidth is figure 4: the correlation over epochs between each
// layer's accuracy and the model accuracy against the layer's width, one
// line per layer (Fisher-z mean over seeds with its confidence interval),
// one panel per depth, or per level of the grid's axes other than width
// and widths. Method selects the coefficient; "" means Pearson.
func CorrelationByWidth(corrs []analysis.CorrelationSummary, method analysis.Method) (*Figure, error) {
	cs, method, err := selectMethod(corrs, method)
	if err != nil {
		return nil, err
	}
	groups := distinctGroups(len(cs), func(i int) analysis.Group { return cs[i].Group })
	fc := facetsOf(groups)
	// Panels: the facets other than width; x: each layer's width.
	var panelNames []string
	for _, n := range fc.names {
		if n != "width" && n != "widths" {
			panelNames = append(panelNames, n)
		}
	}
	panelOf := func(g analysis.Group) string {
		vs := make([]string, len(panelNames))
		for i, n := range panelNames {
			vs[i] = fc.value(g, n)
		}
		return strings.Join(vs, ", ")
	}
	type point struct {
		panel        string
		layer, width int
	}
	seen := map[point]analysis.Group{}
	for _, c := range cs {
		k := point{panelOf(c.Group), c.Layer, c.LayerWidth(c.Layer)}
		if o, ok := seen[k]; ok && o != c.Group {
			return nil, fmt.Errorf("figures: correlation against width needs one treatment per %s and layer width; %v and %v share one",
				strings.Join(append(slices.Clone(panelNames), "layer width"), ", "), o, c.Group)
		}
		seen[k] = c.Group
	}
	var panelLevels []string
	for _, g := range groups {
		if p := panelOf(g); !slices.Contains(panelLevels, p) {
			panelLevels = append(panelLevels, p)
		}
	}
	widths := levels(len(cs), func(i int) int { return cs[i].LayerWidth(cs[i].Layer) })

	x, y := newSpan(), newSpan()
	var t tally
	var layers []int
	data := make([][]plot.Plotter, len(panelLevels))
	for di, d := range panelLevels {
		var inPanel []analysis.CorrelationSummary
		for _, c := range cs {
			if panelOf(c.Group) == d {
				inPanel = append(inPanel, c)
			}
		}
		slices.SortStableFunc(inPanel, func(a, b analysis.CorrelationSummary) int {
			return cmp.Or(cmp.Compare(a.Layer, b.Layer), cmp.Compare(a.LayerWidth(a.Layer), b.LayerWidth(b.Layer)))
		})
		nLayers := levels(len(inPanel), func(i int) int { return inPanel[i].Layer })
		for li, l := range nLayers {
			var pts []xySummary
			for i := range inPanel {
				if inPanel[i].Layer == l {
					pts = append(pts, xySummary{float64(inPanel[i].LayerWidth(l)), corrSummary(&inPanel[i])})
				}
			}
			at := scaleBy(dodge(li, len(nLayers), 0.02))
			ps := errSeries(pts, 1, -1, 1, layerLine(l), layerGlyph(l), at, &x, &y, &t, nil)
			if len(ps) > 0 {
				data[di] = append(data[di], ps...)
				layers = append(layers, l)
			}
		}
	}
	if len(t.ns) == 0 {
		return nil, fmt.Errorf("figures: no defined %s correlation", method)
	}
	// A level without a defined correlation (too few epochs) gets no
	// panel: the title names it instead.
	var kept [][]plot.Plotter
	var titles, dropped []string
	for di, d := range panelLevels {
		title := ""
		if len(panelNames) > 0 {
			title = namedValues(panelNames, strings.Split(d, ", "))
		}
		if len(data[di]) == 0 {
			dropped = append(dropped, title)
			continue
		}
		kept, titles = append(kept, data[di]), append(titles, title)
	}
	data = kept
	cols := min(len(titles), 2)
	rows := (len(titles) + cols - 1) / cols
	panels := make([][]*plot.Plot, rows)
	for i := range panels {
		panels[i] = make([]*plot.Plot, cols)
	}
	for i, title := range titles {
		panels[i/cols][i%cols] = newPanel(title)
	}

	all := flatten(panels)
	xs := span{float64(widths[0]) / 1.35, float64(widths[len(widths)-1]) * 1.35}
	ys := y.pad(0.05, 0.05).clamp(-1, 1)
	for i, p := range all {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = valueTicks(widths)
		if ys.lo < 0 && ys.hi > 0 {
			p.Add(zeroLine(xs.lo, xs.hi))
		}
		p.Add(data[i]...)
	}
	setX(xs, all...)
	setY(ys, all...)
	labelOuter(panels, "layer width (units)", coefficientText(method))

	slices.Sort(layers)
	layers = slices.Compact(layers)
	var legend []LegendEntry
	for _, l := range layers {
		legend = append(legend, lineEntry("layer "+strconv.Itoa(l), layerLine(l), layerGlyph(l)))
	}
	f := &Figure{
		Title: "Correlation over epochs of layer accuracy with model accuracy, against width\n" +
			"Fisher-z mean of " + coefficientText(method) + " ± " + ciText(t.confs) + " over " + seedsText(t.ns) + " per treatment" + undefinedText(dropped),
		Panels: panels,
		Legend: legend,
		Width:  figureWidth(cols),
	}
	f.fitHeight(2.3 * vg.Inch)
	return f, nil
}

// undefinedText names the panels left out for want of a defined value.
func undefinedText(dropped []string) string {
	if len(dropped) == 0 {
		return ""
	}
	return "\nno correlation defined (too few points) at " + strings.Join(dropped, "; ")
}
