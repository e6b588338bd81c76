package figures

import (
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// insetCase is a panel of lines (x = 1, 2, 3; intervals ±5) for the
// inset placement tests.
func insetCase(t *testing.T, means ...[]float64) (*offScale, map[*plot.Plot][]insetLine, span, span) {
	t.Helper()
	var all []float64
	for _, m := range means {
		all = append(all, m...)
	}
	off := newOffScale(all)
	p := plot.New()
	if off != nil {
		off.panel = p
	}
	var lines []insetLine
	ys := newSpan()
	for _, m := range means {
		l := insetLine{}
		for i, v := range m {
			x := float64(i + 1)
			l.pts = append(l.pts, plotter.XY{X: x, Y: v})
			l.lo, l.hi = append(l.lo, v-5), append(l.hi, v+5)
			if !off.far(x, v, levelGlyph(0, 1)) {
				ys.add(v-5, v+5)
			}
		}
		lines = append(lines, l)
	}
	return off, map[*plot.Plot][]insetLine{p: lines}, span{0.6, 3.4}, ys.pad(0.05, 1)
}

// insetClears reports whether every mean and interval end of lines within the
// scale lies outside the inset's box in corner c of xs × ys, and every
// set-apart mark's x outside the box's x range when the box is on the
// edge the mark is on.
func insetClears(off *offScale, lines []insetLine, c Corner, xs, ys span) bool {
	x0, y0 := 0.0, 1-insetHeight
	if c == TopRight || c == BottomRight {
		x0 = 1 - insetWidth
	}
	if c == BottomLeft || c == BottomRight {
		y0 = 0
	}
	inside := func(x, y float64) bool {
		fx, fy := (x-xs.lo)/(xs.hi-xs.lo), (y-ys.lo)/(ys.hi-ys.lo)
		return fx >= x0 && fx <= x0+insetWidth && fy >= y0 && fy <= y0+insetHeight
	}
	for _, l := range lines {
		for i, q := range l.pts {
			if q.Y < off.lo || q.Y > off.hi {
				if top := q.Y > off.hi; top == (y0 > 0) && inside(q.X, ys.lo+y0*(ys.hi-ys.lo)+1e-9) {
					return false
				}
				continue
			}
			for _, y := range []float64{q.Y, l.lo[i], l.hi[i]} {
				if inside(q.X, y) {
					return false
				}
			}
		}
	}
	return true
}

func TestInsetPlacement(t *testing.T) {
	for _, c := range []struct {
		name   string
		means  [][]float64
		corner Corner
		grows  bool
	}{
		// Rising lines, a greedy-like one far above from layer 2 on: the
		// top left is free.
		{"rising", [][]float64{{100, 150, 200}, {105, 160, 210}, {100, 2000, 4000}}, TopLeft, false},
		// Falling lines: the top left holds their start, the top right
		// the marks of the far means at layers 2 and 3, the bottom right
		// their ends; the bottom left is free.
		{"falling", [][]float64{{200, 150, 100}, {210, 160, 105}, {175, 2000, 4000}}, BottomLeft, false},
		// Lines across every corner: the panel grows headroom, and the
		// inset takes a top corner free of marks.
		{"crossing", [][]float64{{100, 150, 200}, {200, 150, 100}, {150, 4000, 150}}, TopLeft, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			off, lines, xs, ys := insetCase(t, c.means...)
			before := ys
			insets := off.insets(lines, xs, &ys, valueTicks([]int{1, 2, 3}), 0)
			if len(insets) != 1 {
				t.Fatalf("%d insets, want 1", len(insets))
			}
			for p, in := range insets {
				if in.Corner != c.corner {
					t.Errorf("corner %d, want %d", in.Corner, c.corner)
				}
				if grew := ys.hi > before.hi; grew != c.grows {
					t.Errorf("y range %v → %v: grew %v, want %v", before, ys, grew, c.grows)
				}
				if !insetClears(off, lines[p], in.Corner, xs, ys) {
					t.Errorf("the inset in corner %d of %v × %v covers a mean, an interval or a mark", in.Corner, xs, ys)
				}
				if in.Plot.Y.Max < 4000 {
					t.Errorf("inset y range up to %g, want the full scale (4000)", in.Plot.Y.Max)
				}
			}
		})
	}
	// Nothing set apart: no inset, no headroom.
	off, lines, xs, ys := insetCase(t, []float64{100, 150, 200}, []float64{110, 160, 220})
	before := ys
	if in := off.insets(lines, xs, &ys, valueTicks([]int{1, 2, 3}), 0); in != nil || ys != before || off != nil {
		t.Errorf("without outliers: insets %v, y range %v → %v", in, before, ys)
	}
}
