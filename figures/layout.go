package figures

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/ffchar/ffchar/analysis"
	"github.com/ffchar/ffchar/axes"
)

// compareGroups orders treatments by shape, depth before width, then by
// their other axes in grid order, as the panels of a figure read: row by
// row, shallow to deep, narrow to wide.
func compareGroups(a, b analysis.Group) int {
	c := cmp.Or(cmp.Compare(a.Depth, b.Depth), cmp.Compare(a.Width, b.Width))
	if c != 0 {
		return c
	}
	if a.Treatment == b.Treatment { // rows of one treatment: no names to parse
		return compareValues(a.Widths, b.Widths)
	}
	aa, ba := a.Axes(), b.Axes()
	for i := 0; i < len(aa) && i < len(ba); i++ {
		if c := compareValues(aa[i].Value, ba[i].Value); c != 0 {
			return c
		}
	}
	return cmp.Or(compareValues(a.Widths, b.Widths), cmp.Compare(a.Treatment, b.Treatment))
}

// compareValues orders axis values: numbers as numbers, also inside text
// (axes.CompareValues), so that width 1000 comes after 300.
func compareValues(a, b string) int { return axes.CompareValues(a, b) }

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

// facets are the treatment axes a figure lays treatments out by, picked
// by name from the treatment names: the grid's axes, or depth and width
// when the grid varies nothing else (then the figures are those of the
// paper's depth × width design). The last axis is the inner one (panel
// columns, line colours); the others together form the outer one (panel
// rows, the x axis of figure 5).
type facets struct {
	names  []string
	legacy bool // depth and width, read from Group.Depth and Group.Width
}

func facetsOf(gs []analysis.Group) facets {
	var names []string
	if len(gs) > 0 {
		names = axes.Names(gs[0].Axes())
	}
	for _, n := range names {
		if n != "depth" && n != "width" {
			return facets{names: names}
		}
	}
	return facets{names: []string{"depth", "width"}, legacy: true}
}

// value returns a group's value of the named axis.
func (f facets) value(g analysis.Group, name string) string {
	if v, ok := g.Axis(name); ok {
		return v
	}
	switch name {
	case "depth":
		return strconv.Itoa(g.Depth)
	case "width":
		return strconv.Itoa(g.Width)
	}
	return ""
}

func (f facets) outerNames() []string { return f.names[:len(f.names)-1] }
func (f facets) innerName() string    { return f.names[len(f.names)-1] }

// outer and inner return a group's values of the outer and inner axes.
func (f facets) outer(g analysis.Group) string {
	var vs []string
	for _, n := range f.outerNames() {
		vs = append(vs, f.value(g, n))
	}
	return strings.Join(vs, ", ")
}

func (f facets) inner(g analysis.Group) string { return f.value(g, f.innerName()) }

// outerText and innerText name an outer or inner level with its axes.
func (f facets) outerText(v string) string {
	return namedValues(f.outerNames(), strings.Split(v, ", "))
}

func (f facets) innerText(v string) string { return f.innerName() + " " + v }

func namedValues(names, values []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + " " + values[i]
	}
	return strings.Join(parts, ", ")
}

// unique reports whether no two groups share every facet value, so that
// the facets name a treatment.
func (f facets) unique(gs []analysis.Group) bool {
	seen := map[string]bool{}
	for _, g := range gs {
		k := f.text(g)
		if seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

// text names a treatment by its facets: "depth 2, width 500".
func (f facets) text(g analysis.Group) string {
	vs := make([]string, len(f.names))
	for i, n := range f.names {
		vs[i] = f.value(g, n)
	}
	return namedValues(f.names, vs)
}

// short names a treatment in few characters: "2×500" for depth 2 and
// width 500, else its facet values joined by " / ".
func (f facets) short(g analysis.Group) string {
	vs := make([]string, len(f.names))
	for i, n := range f.names {
		vs[i] = f.value(g, n)
	}
	if f.legacy {
		return strings.Join(vs, "×")
	}
	return strings.Join(vs, " / ")
}

// axisText is the facets' names for a label: "depth × width".
func (f facets) axisText() string { return strings.Join(f.names, " × ") }

// treatmentGrid places one panel per treatment.
type treatmentGrid struct {
	rows, cols int
	row, col   []int // of each group
	byShape    bool  // rows are outer and columns inner facet levels
	f          facets
}

// layoutTreatments places sorted groups by their outer facets (rows) and
// inner facet (columns) when facets identify treatments and the inner
// facet has at most wrap levels, and otherwise in order, wrap to a row.
func layoutTreatments(gs []analysis.Group, wrap int) treatmentGrid {
	t := treatmentGrid{row: make([]int, len(gs)), col: make([]int, len(gs)), f: facetsOf(gs)}
	if t.f.unique(gs) {
		t.byShape = true
		var outers []string
		for _, g := range gs {
			if o := t.f.outer(g); !slices.Contains(outers, o) {
				outers = append(outers, o)
			}
		}
		inners := valueLevels(len(gs), func(i int) string { return t.f.inner(gs[i]) })
		t.rows, t.cols = len(outers), len(inners)
		if t.cols <= wrap {
			for i, g := range gs {
				t.row[i] = slices.Index(outers, t.f.outer(g))
				t.col[i] = slices.Index(inners, t.f.inner(g))
			}
			return t
		}
		// More inner levels than fit across a page: the panels, still
		// named by their facets, wrap in reading order.
	}
	t.cols = min(len(gs), wrap)
	t.rows = (len(gs) + t.cols - 1) / t.cols
	for i := range gs {
		t.row[i], t.col[i] = i/t.cols, i%t.cols
	}
	return t
}

// text names a treatment by its facets, adding the treatment's name when
// facets do not identify treatments.
func (t treatmentGrid) text(g analysis.Group) string {
	s := t.f.text(g)
	if !t.byShape {
		s = g.Treatment + " (" + s + ")"
	}
	return s
}

// valueLevels returns the distinct values of n axis values, sorted by
// compareValues.
func valueLevels(n int, v func(i int) string) []string {
	vs := make([]string, n)
	for i := range n {
		vs[i] = v(i)
	}
	slices.SortFunc(vs, compareValues)
	return slices.Compact(vs)
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

// shortShape names a treatment in few characters (facets.short), or by
// its name when facets do not identify treatments.
func shortShape(g analysis.Group, f facets, byShape bool) string {
	if byShape {
		return f.short(g)
	}
	return g.Treatment
}

// dodge returns the offset of series i of n so that error bars at the same
// x do not hide each other: step apart, centred on zero.
func dodge(i, n int, step float64) float64 {
	return (float64(i) - float64(n-1)/2) * step
}
