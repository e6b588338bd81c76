// Package axes is ffchar's model of a run's identity as data, after
// golang.org/x/perf's benchfmt: a treatment is its grid axes, a list of
// configuration fields and values, and its name spells them as
// "field=value" pairs joined by "," in grid order (fields sorted by name):
// "depth=2,width=500", "schedule=greedy,widths=32x16". Tables carry one
// column per axis named after the field, and analyses and figures pick
// axes by name, so a new axis is a change to an experiment file only.
package axes

import (
	"cmp"
	"strconv"
	"strings"
)

// Axis is one treatment factor: a configuration field (as experiment
// files spell it) and its value as the treatment name writes it.
type Axis struct {
	Name, Value string
}

// Value writes a configuration value into a treatment name: list values
// (widths) use "x" between entries, as in "widths=500x100", since ","
// separates the fields.
func Value(v string) string { return strings.ReplaceAll(v, ",", "x") }

// Format returns the treatment name of axes.
func Format(axes []Axis) string {
	parts := make([]string, len(axes))
	for i, a := range axes {
		parts[i] = a.Name + "=" + a.Value
	}
	return strings.Join(parts, ",")
}

// Parse returns the axes of a treatment name, in order. A name that is
// not a list of "field=value" pairs (a single treatment without a grid)
// has none.
func Parse(treatment string) []Axis {
	if treatment == "" {
		return nil
	}
	parts := strings.Split(treatment, ",")
	axes := make([]Axis, 0, len(parts))
	for _, p := range parts {
		name, value, ok := strings.Cut(p, "=")
		if !ok || name == "" {
			return nil
		}
		axes = append(axes, Axis{name, value})
	}
	return axes
}

// Names returns the names of axes, in order.
func Names(axes []Axis) []string {
	names := make([]string, len(axes))
	for i, a := range axes {
		names[i] = a.Name
	}
	return names
}

// Get returns the value of the named axis of a treatment, and whether it
// has that axis.
func Get(treatment, name string) (string, bool) {
	return Lookup(Parse(treatment), name)
}

// Lookup returns the value of the named axis among axes, and whether it
// is there.
func Lookup(axes []Axis, name string) (string, bool) {
	for _, a := range axes {
		if a.Name == name {
			return a.Value, true
		}
	}
	return "", false
}

// CompareValues orders two axis values as a reader expects: numbers as
// numbers (300 before 1000, 0.001 before 0.01), and text with numbers in
// it piece by piece, the numbers compared as numbers ("width=300" before
// "width=1000", "32x16" before "100x50").
func CompareValues(a, b string) int {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	if errA == nil && errB == nil {
		return cmp.Compare(x, y)
	}
	for a != "" && b != "" {
		na, ra := leadingNumber(a)
		nb, rb := leadingNumber(b)
		if na != "" && nb != "" {
			x, _ := strconv.ParseFloat(na, 64)
			y, _ := strconv.ParseFloat(nb, 64)
			if c := cmp.Compare(x, y); c != 0 {
				return c
			}
			a, b = ra, rb
			continue
		}
		ta, tb := leadingText(a), leadingText(b)
		if ta == "" || tb == "" { // a number against text: as text
			ta, tb = a[:1], b[:1]
		}
		if c := strings.Compare(ta, tb); c != 0 {
			return c
		}
		a, b = a[len(ta):], b[len(tb):]
	}
	return cmp.Compare(len(a), len(b))
}

// leadingNumber splits s into the decimal number it starts with ("" when
// it starts with none) and the rest.
func leadingNumber(s string) (num, rest string) {
	i := 0
	digits := func() {
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	digits()
	if i == 0 {
		return "", s
	}
	if i+1 < len(s) && s[i] == '.' && s[i+1] >= '0' && s[i+1] <= '9' {
		i++
		digits()
	}
	if j := i + 1; j < len(s) && (s[i] == 'e' || s[i] == 'E') {
		if s[j] == '-' || s[j] == '+' {
			j++
		}
		if j < len(s) && s[j] >= '0' && s[j] <= '9' {
			i = j
			digits()
		}
	}
	return s[:i], s[i:]
}

// leadingText returns the part of s before its first digit.
func leadingText(s string) string {
	i := strings.IndexAny(s, "0123456789")
	if i < 0 {
		return s
	}
	return s[:i]
}
