package analysis

import (
	"slices"
	"strconv"
	"strings"

	"github.com/ffchar/ffchar/axes"
)

// Axes returns the group's grid axes, read from its treatment name (see
// package axes).
func (g Group) Axes() []axes.Axis { return axes.Parse(g.Treatment) }

// LayerWidth returns the width of layer l (from 1): its entry of Widths,
// or Width.
func (g Group) LayerWidth(l int) int {
	if g.Widths == "" {
		return g.Width
	}
	ws := strings.Split(g.Widths, "x")
	if l < 1 || l > len(ws) {
		return g.Width
	}
	w, err := strconv.Atoi(ws[l-1])
	if err != nil {
		return g.Width
	}
	return w
}

// FormatWidths writes per-layer widths as Group.Widths spells them: ""
// when there are none or all equal width.
func FormatWidths(widths []int, width int) string {
	if !slices.ContainsFunc(widths, func(w int) bool { return w != width }) {
		return "" // called for every curves row: most are uniform
	}
	parts := make([]string, len(widths))
	for i, w := range widths {
		parts[i] = strconv.Itoa(w)
	}
	return strings.Join(parts, "x")
}

func validWidths(s string, depth int) bool {
	ws := strings.Split(s, "x")
	if len(ws) != depth {
		return false
	}
	for _, w := range ws {
		if n, err := strconv.Atoi(w); err != nil || n < 1 {
			return false
		}
	}
	return true
}

// Axis returns the group's value of the named axis, and whether it has
// that axis.
func (g Group) Axis(name string) (string, bool) { return axes.Get(g.Treatment, name) }
