package figures

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// layerColors are the Okabe–Ito colours, which stay distinct under the
// common colour-vision deficiencies, in the order layers take them. Black
// is kept for the model and yellow comes last: it is faint on white.
var layerColors = []color.NRGBA{
	{0x00, 0x72, 0xB2, 0xFF}, // blue
	{0xE6, 0x9F, 0x00, 0xFF}, // orange
	{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	{0xF0, 0xE4, 0x42, 0xFF}, // yellow
}

// ModelColor is the colour of the model (classifier) accuracy.
var ModelColor color.Color = color.Black

// LayerColor returns the colour of the layer with 1-based index layer in
// every figure. Past the seventh layer the colours repeat, and the lines
// of the repeats are dashed (see layerLine).
func LayerColor(layer int) color.Color {
	return layerColors[layerSlot(layer)%len(layerColors)]
}

func layerSlot(layer int) int { return max(layer-1, 0) }

// layerLine is the line style of a layer's mean.
func layerLine(layer int) draw.LineStyle {
	s := draw.LineStyle{Color: LayerColor(layer), Width: vg.Points(1.25)}
	if layerSlot(layer) >= len(layerColors) {
		s.Dashes = []vg.Length{vg.Points(4), vg.Points(1.5)}
	}
	return s
}

// modelLine is the line style of the model accuracy.
func modelLine() draw.LineStyle {
	return draw.LineStyle{Color: ModelColor, Width: vg.Points(1.25),
		Dashes: []vg.Length{vg.Points(4), vg.Points(2)}}
}

// translucent returns c with alpha a, for confidence bands.
func translucent(c color.Color, a uint8) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = a
	return n
}

// bandAlpha is the opacity of a confidence band: light enough that the
// bands of four layers overlapping stay readable.
const bandAlpha = 0x38

// Levels of a treatment factor (depths, widths, one-at-a-time levels) are
// told apart by glyph, dash pattern and tone, never by hue: hue means the
// layer index. levelStyles are eight styles, each differing from every
// other in its glyph and from most in dash or tone, so that eight levels
// stay apart even where their lines cross; past eight, the glyphs and
// tones repeat with longer dashes (levelLine).
var levelStyles = []struct {
	glyph draw.GlyphDrawer
	tone  uint8
	dash  []vg.Length
}{
	{draw.CircleGlyph{}, 0x00, nil},
	{draw.BoxGlyph{}, 0x80, nil},
	{draw.PyramidGlyph{}, 0x00, dashes(4, 2)},
	{diamondGlyph{}, 0x80, dashes(4, 2)},
	{invertedPyramidGlyph{}, 0x00, dashes(1, 1.5)},
	{draw.RingGlyph{}, 0x80, dashes(1, 1.5)},
	{draw.SquareGlyph{}, 0x00, dashes(5, 1.5, 1, 1.5)},
	{draw.CrossGlyph{}, 0x80, dashes(5, 1.5, 1, 1.5)},
}

// longDashes are the dash patterns of levels past the eighth, one per
// round of levelStyles.
var longDashes = [][]vg.Length{dashes(8, 2), dashes(8, 2, 2, 2), dashes(8, 2, 1, 2, 1, 2)}

func dashes(ds ...float64) []vg.Length {
	out := make([]vg.Length, len(ds))
	for i, d := range ds {
		out[i] = vg.Points(d)
	}
	return out
}

// diamondGlyph is a filled square standing on a corner.
type diamondGlyph struct{}

func (diamondGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius * 1.25
	fillPolygon(c, sty, []vg.Point{{X: pt.X, Y: pt.Y + r}, {X: pt.X + r, Y: pt.Y}, {X: pt.X, Y: pt.Y - r}, {X: pt.X - r, Y: pt.Y}})
}

// invertedPyramidGlyph is a filled triangle standing on a corner.
type invertedPyramidGlyph struct{}

func (invertedPyramidGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	// Sized as draw.PyramidGlyph.
	r := sty.Radius + (sty.Radius-sty.Radius*vg.Length(math.Sin(math.Pi/6)))/2
	y := r * vg.Length(math.Sin(math.Pi/6))
	x := r * vg.Length(math.Cos(math.Pi/6))
	fillPolygon(c, sty, []vg.Point{{X: pt.X, Y: pt.Y - r}, {X: pt.X + x, Y: pt.Y + y}, {X: pt.X - x, Y: pt.Y + y}})
}

func fillPolygon(c *draw.Canvas, sty draw.GlyphStyle, pts []vg.Point) {
	var p vg.Path
	p.Move(pts[0])
	for _, q := range pts[1:] {
		p.Line(q)
	}
	p.Close()
	c.SetColor(sty.Color)
	c.Fill(p)
}

// levelColor returns the tone of level i of n: black, and mid grey for
// every other level.
func levelColor(i, n int) color.Color {
	if n < 2 {
		return color.Black
	}
	return color.Gray{Y: levelStyles[i%len(levelStyles)].tone}
}

func levelLine(i, n int) draw.LineStyle {
	s := draw.LineStyle{Color: levelColor(i, n), Width: vg.Points(1.25), Dashes: levelStyles[i%len(levelStyles)].dash}
	if round := i / len(levelStyles); round > 0 {
		s.Dashes = longDashes[(round-1)%len(longDashes)]
	}
	return s
}

func levelGlyph(i, n int) draw.GlyphStyle {
	return draw.GlyphStyle{Color: levelColor(i, n), Radius: vg.Points(2.5),
		Shape: levelStyles[i%len(levelStyles)].glyph}
}

// Text sizes, chosen for a figure printed 3.5 in wide per panel column.
const (
	titleSize      = 9
	panelTitleSize = 8
	labelSize      = 8
	tickSize       = 7
	legendSize     = 8
	annotationSize = 7
	insetSize      = 6
)

// sans is the typeface of every text: small sans-serif reads better than
// serif at these sizes.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

func textStyle(size vg.Length) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    font.From(sans, size),
		XAlign:  draw.XCenter,
		YAlign:  draw.YCenter,
		Handler: plot.DefaultTextHandler,
	}
}

// newPanel returns a plot styled for a figure panel.
func newPanel(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, panelTitleSize)
	p.Title.Padding = vg.Points(3)
	p.X.Tick.Marker = niceTicks{}
	p.Y.Tick.Marker = niceTicks{}
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, labelSize)
		a.Label.Padding = vg.Points(2)
		a.Tick.Label.Font = font.From(sans, tickSize)
		a.Tick.Length = vg.Points(4)
		a.Padding = vg.Points(3)
	}
	return p
}

// niceTicks labels multiples of 1, 2, 2.5 or 5 times a power of ten, at
// most intervals+1 of them (6 when intervals is 0), with unlabelled ticks
// half way between; integer restricts the labels to whole numbers
// (epochs).
type niceTicks struct {
	integer   bool
	intervals int
}

func (nt niceTicks) Ticks(lo, hi float64) []plot.Tick {
	r := hi - lo
	// A range lost in the last bits of its ends (a constant series drawn
	// with padding of a few ulps) has no nice steps: beyond 2^53 steps the
	// loop below would not advance.
	if !(r > 0) || !finite(r) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	if r < 1e-9*math.Max(math.Abs(lo), math.Abs(hi)) {
		return []plot.Tick{{Value: lo, Label: strconv.FormatFloat(lo, 'g', 6, 64)}}
	}
	most := float64(nt.intervals)
	if most <= 0 {
		most = 5
	}
	mag := math.Pow(10, math.Floor(math.Log10(r)))
	step := 10 * mag
	for _, m := range []float64{0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5} {
		if r/(m*mag) <= most*(1+1e-9) {
			step = m * mag
			break
		}
	}
	if nt.integer {
		step = max(math.Round(step), 1)
	}
	prec := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	if s := step / math.Pow10(-prec); math.Abs(s-math.Round(s)) > 1e-9 {
		prec++ // 0.25
	}
	var ts []plot.Tick
	half := step / 2
	if nt.integer && half != math.Trunc(half) {
		half = 0
	}
	for k := math.Ceil(lo / step); k*step <= hi; k++ {
		v := k * step
		if v == 0 {
			v = 0 // not -0
		}
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', prec, 64)})
		if half > 0 && v+half <= hi {
			ts = append(ts, plot.Tick{Value: v + half})
		}
	}
	if half > 0 && len(ts) > 0 && ts[0].Value-half >= lo {
		ts = append(ts, plot.Tick{Value: ts[0].Value - half})
	}
	return ts
}

// log1pScale places x at log(1+x): a logarithmic step axis on which
// step 0, the untrained network, still has a place.
type log1pScale struct{}

func (log1pScale) Normalize(lo, hi, x float64) float64 {
	a, b := math.Log1p(lo), math.Log1p(hi)
	return (math.Log1p(x) - a) / (b - a)
}

// log1pTicks labels 0 and the powers of ten, with unlabelled ticks at
// 2..9 times each power, for a log1pScale axis.
type log1pTicks struct{}

func (log1pTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	if lo <= 0 && hi >= 0 {
		ts = append(ts, plot.Tick{Value: 0, Label: "0"})
	}
	for p := 1.0; p <= hi; p *= 10 {
		if p >= lo {
			ts = append(ts, plot.Tick{Value: p, Label: strconv.FormatFloat(p, 'f', -1, 64)})
		}
		for k := 2.0; k <= 9; k++ {
			if v := k * p; v >= lo && v <= hi {
				ts = append(ts, plot.Tick{Value: v})
			}
		}
	}
	return ts
}

// valueTicks marks exactly the given values, for the levels of a factor.
func valueTicks(vals []int) plot.ConstantTicks {
	ts := make([]plot.Tick, len(vals))
	for i, v := range vals {
		ts[i] = plot.Tick{Value: float64(v), Label: strconv.Itoa(v)}
	}
	return ts
}

// seedsText states the number of seeds behind the means of a figure: one
// number, or the range when treatments lost runs.
func seedsText(ns []int) string { return countText(ns, "seed") }

// countText states how many of noun (seeds, runs) are behind the means of
// a figure: one number, or the range.
func countText(ns []int, noun string) string {
	if len(ns) == 0 {
		return "N = 0 " + noun + "s"
	}
	lo, hi := ns[0], ns[0]
	for _, n := range ns {
		lo, hi = min(lo, n), max(hi, n)
	}
	if lo == hi {
		if lo == 1 {
			return "N = 1 " + noun
		}
		return fmt.Sprintf("N = %d %ss", lo, noun)
	}
	return fmt.Sprintf("N = %d–%d %ss", lo, hi, noun)
}

// ciText names the confidence level of intervals, e.g. "95% CI"; levels
// that differ between inputs are listed.
func ciText(levels []float64) string {
	var uniq []float64
	for _, c := range levels {
		if !(c > 0 && c < 1) {
			continue
		}
		seen := false
		for _, u := range uniq {
			seen = seen || u == c
		}
		if !seen {
			uniq = append(uniq, c)
		}
	}
	if len(uniq) == 0 {
		return "CI"
	}
	s := ""
	for i, c := range uniq {
		if i > 0 {
			s += "/"
		}
		s += strconv.FormatFloat(100*c, 'g', 4, 64) + "%"
	}
	return s + " CI"
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func grey(v uint8) color.Color { return color.Gray{Y: v} }
