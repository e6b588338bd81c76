package figures

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/ffchar/ffchar/analysis"
)

// compareGroups orders treatments by shape, depth before width, as the
// panels of a figure read: row by row, shallow to deep, narrow to wide.
func compareGroups(a, b analysis.Group) int {
	return cmp.Or(cmp.Compare(a.Depth, b.Depth), cmp.Compare(a.Width, b.Width),
		cmp.Compare(a.Treatment, b.Treatment))
}

// distinctGroups returns the groups of n items, got by group(i), sorted
// by compareGroups.
func distinctGroups(n int, group func(i int) analysis.Group) []analysis.Group {
	gs := make([]analysis.Group, 0, n)
	for i := range n {
		gs = append(gs, group(i))
	}
	slices.SortFunc(gs, compareGroups)
	return slices.Compact(gs)
}

// uniqueShapes reports whether no two groups share a depth and width, so
// that a shape names a treatment.
func uniqueShapes(gs []analysis.Group) bool {
	for i := 1; i < len(gs); i++ {
		if gs[i].Depth == gs[i-1].Depth && gs[i].Width == gs[i-1].Width {
			return false
		}
	}
	return true
}

// treatmentGrid places one panel per treatment.
type treatmentGrid struct {
	rows, cols int
	row, col   []int // of each group
	byShape    bool  // rows are depths and columns widths
}

// layoutTreatments places sorted groups by depth (rows) and width
// (columns) when shapes are unique, and otherwise in order, wrap to a
// row.
func layoutTreatments(gs []analysis.Group, wrap int) treatmentGrid {
	t := treatmentGrid{row: make([]int, len(gs)), col: make([]int, len(gs))}
	if uniqueShapes(gs) {
		t.byShape = true
		depths := levels(len(gs), func(i int) int { return gs[i].Depth })
		widths := levels(len(gs), func(i int) int { return gs[i].Width })
		t.rows, t.cols = len(depths), len(widths)
		for i, g := range gs {
			t.row[i], _ = slices.BinarySearch(depths, g.Depth)
			t.col[i], _ = slices.BinarySearch(widths, g.Width)
		}
		return t
	}
	t.cols = min(len(gs), wrap)
	t.rows = (len(gs) + t.cols - 1) / t.cols
	for i := range gs {
		t.row[i], t.col[i] = i/t.cols, i%t.cols
	}
	return t
}

// levels returns the sorted distinct values of n ints.
func levels(n int, v func(i int) int) []int {
	vs := make([]int, n)
	for i := range n {
		vs[i] = v(i)
	}
	slices.Sort(vs)
	return slices.Compact(vs)
}

// shapeText names a treatment by its shape, adding the treatment's name
// when shapes do not identify treatments.
func shapeText(g analysis.Group, byShape bool) string {
	s := fmt.Sprintf("depth %d, width %d", g.Depth, g.Width)
	if !byShape {
		s = g.Treatment + " (" + s + ")"
	}
	return s
}

// shortShape names a treatment in few characters: "2×500" for depth 2,
// width 500, or its name when shapes do not identify treatments.
func shortShape(g analysis.Group, byShape bool) string {
	if byShape {
		return fmt.Sprintf("%d×%d", g.Depth, g.Width)
	}
	return g.Treatment
}

// dodge returns the offset of series i of n so that error bars at the same
// x do not hide each other: step apart, centred on zero.
func dodge(i, n int, step float64) float64 {
	return (float64(i) - float64(n-1)/2) * step
}
