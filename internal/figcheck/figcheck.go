// Package figcheck checks the layout of a figure from the boxes of its
// texts: it draws the figure on a canvas that records, instead of pixels,
// the rectangle each string occupies (from the font's metrics, through the
// transforms in force), and reports texts that overlap, texts outside the
// figure and figures taller than figures.MaxHeight.
package figcheck

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/ffchar/ffchar/figures"
)

// A Text is one string as drawn, with its box in figure coordinates: the
// advance width, and the line's pitch (the font size) from the descent
// below the baseline, so that the lines of one multi-line text touch but
// do not overlap.
type Text struct {
	Text string
	Box  vg.Rectangle
}

func (t Text) String() string {
	return fmt.Sprintf("%q at (%.1f, %.1f)–(%.1f, %.1f)", t.Text, t.Box.Min.X, t.Box.Min.Y, t.Box.Max.X, t.Box.Max.Y)
}

// Texts draws f and returns the texts it draws, in drawing order.
func Texts(f *figures.Figure) []Text {
	c := &canvas{w: f.Width, h: f.Height, m: identity}
	f.Draw(draw.New(c))
	return c.texts
}

// Tolerance is how far two boxes may run into each other, in both
// directions, before they overlap: rounding, not layout.
const Tolerance = vg.Length(0.25)

// An Overlap is a pair of texts whose boxes overlap.
type Overlap struct{ A, B Text }

// Overlaps returns the pairs of texts whose boxes overlap by more than
// Tolerance in both directions.
func Overlaps(ts []Text) []Overlap {
	var out []Overlap
	for i := range ts {
		for j := i + 1; j < len(ts); j++ {
			a, b := ts[i].Box, ts[j].Box
			dx := min(a.Max.X, b.Max.X) - max(a.Min.X, b.Min.X)
			dy := min(a.Max.Y, b.Max.Y) - max(a.Min.Y, b.Min.Y)
			if dx > Tolerance && dy > Tolerance {
				out = append(out, Overlap{ts[i], ts[j]})
			}
		}
	}
	return out
}

// Check returns an error for each pair of overlapping texts, each text
// outside the figure and a figure taller than figures.MaxHeight.
func Check(f *figures.Figure) []error {
	var errs []error
	if f.Height > figures.MaxHeight*1.01 {
		errs = append(errs, fmt.Errorf("%.0f px tall (at most %.0f)", px(f.Height), px(figures.MaxHeight)))
	}
	ts := Texts(f)
	for _, o := range Overlaps(ts) {
		errs = append(errs, fmt.Errorf("texts overlap: %v and %v", o.A, o.B))
	}
	for _, t := range ts {
		b := t.Box
		if b.Min.X < -Tolerance || b.Min.Y < -Tolerance || b.Max.X > f.Width+Tolerance || b.Max.Y > f.Height+Tolerance {
			errs = append(errs, fmt.Errorf("text outside the %.0f × %.0f pt figure: %v", f.Width, f.Height, t))
		}
	}
	return errs
}

func px(l vg.Length) float64 { return float64(l / vg.Inch * figures.PNGResolution) }

// affine maps (x, y) to (a x + c y + e, b x + d y + f).
type affine struct{ a, b, c, d, e, f float64 }

var identity = affine{a: 1, d: 1}

func (m affine) apply(p vg.Point) vg.Point {
	x, y := float64(p.X), float64(p.Y)
	return vg.Point{X: vg.Length(m.a*x + m.c*y + m.e), Y: vg.Length(m.b*x + m.d*y + m.f)}
}

// canvas is a vg.Canvas that records the box of each string filled.
type canvas struct {
	w, h  vg.Length
	m     affine
	stack []affine
	texts []Text
}

func (c *canvas) Size() (w, h vg.Length) { return c.w, c.h }

func (c *canvas) SetLineWidth(vg.Length)              {}
func (c *canvas) SetLineDash([]vg.Length, vg.Length)  {}
func (c *canvas) SetColor(color.Color)                {}
func (c *canvas) Stroke(vg.Path)                      {}
func (c *canvas) Fill(vg.Path)                        {}
func (c *canvas) DrawImage(vg.Rectangle, image.Image) {}
func (c *canvas) Push()                               { c.stack = append(c.stack, c.m) }
func (c *canvas) Pop() {
	c.m = c.stack[len(c.stack)-1]
	c.stack = c.stack[:len(c.stack)-1]
}

func (c *canvas) Translate(p vg.Point) {
	x, y := float64(p.X), float64(p.Y)
	c.m.e += c.m.a*x + c.m.c*y
	c.m.f += c.m.b*x + c.m.d*y
}

func (c *canvas) Rotate(rad float64) {
	s, k := math.Sincos(rad)
	m := c.m
	c.m.a, c.m.b = m.a*k+m.c*s, m.b*k+m.d*s
	c.m.c, c.m.d = -m.a*s+m.c*k, -m.b*s+m.d*k
}

func (c *canvas) Scale(x, y float64) {
	c.m.a, c.m.b = c.m.a*x, c.m.b*x
	c.m.c, c.m.d = c.m.c*y, c.m.d*y
}

func (c *canvas) FillString(f font.Face, pt vg.Point, s string) {
	if strings.TrimSpace(s) == "" || f.Font.Size == 0 {
		return
	}
	lo := pt.Y - f.Extents().Descent
	corners := []vg.Point{
		{X: pt.X, Y: lo}, {X: pt.X + f.Width(s), Y: lo},
		{X: pt.X, Y: lo + f.Font.Size}, {X: pt.X + f.Width(s), Y: lo + f.Font.Size},
	}
	box := vg.Rectangle{Min: vg.Point{X: vg.Length(math.Inf(1)), Y: vg.Length(math.Inf(1))},
		Max: vg.Point{X: vg.Length(math.Inf(-1)), Y: vg.Length(math.Inf(-1))}}
	for _, p := range corners {
		q := c.m.apply(p)
		box.Min.X, box.Min.Y = min(box.Min.X, q.X), min(box.Min.Y, q.Y)
		box.Max.X, box.Max.Y = max(box.Max.X, q.X), max(box.Max.Y, q.Y)
	}
	c.texts = append(c.texts, Text{Text: s, Box: box})
}
