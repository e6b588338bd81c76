package artifacts

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/ffchar/ffchar/axes"
	"github.com/ffchar/ffchar/ff"
)

// AxesKey is the metadata key of a sweep table listing its grid axes, the
// names of its axis columns, comma-separated in grid order.
const AxesKey = "ffchar.axes"

// IdentityColumn reports whether an axis is already an identity column of
// every run table (depth, width, recipe), so that a sweep table does not
// repeat it.
func IdentityColumn(name string) bool {
	return name == "depth" || name == "width" || name == "recipe"
}

// runColumns maps the columns of the run tables after the identity
// columns (their declarations) to their Arrow types. An axis of the same
// name (lr: the grid's base rate, where the lr column is each epoch's
// rate) gets the column AxisColumnName returns.
var runColumns = func() map[string]string {
	m := map[string]string{LayerWidthColumn.Name: metricsCodec.columnType(LayerWidthColumn.Name)}
	for _, c := range []*codec{metricsCodec, evaluationCodec, confusionCodec} {
		for _, f := range c.fields {
			if !f.identity {
				m[f.Name] = f.typ
			}
		}
	}
	return m
}()

// RunColumnType returns the Arrow type the run tables declare for column
// name, identity columns included, or "" when none has that column. An
// integer column of an analysis table named like one (depth, layer, step)
// is written with that type, so that the tables join on it: one integer
// type per concept across all tables.
func RunColumnType(name string) string {
	if t := metricsCodec.columnType(name); t != "" {
		return t
	}
	return runColumns[name]
}

// AxisColumnName is the column of an axis in a sweep table: its name, or
// "grid_" and its name when a run table has a column of that name.
func AxisColumnName(name string) string {
	if runColumns[name] != "" {
		return "grid_" + name
	}
	return name
}

// AxisNames returns the axes of a sweep's treatments (see package axes),
// which every treatment must share, in grid order. Treatments without axes
// are a sweep of one treatment and contribute none.
func AxisNames(treatments []string) ([]string, error) {
	var names []string
	first := ""
	seen := map[string]bool{}
	for i, t := range treatments {
		if seen[t] {
			continue // tables repeat a run's treatment on every row
		}
		seen[t] = true
		n := axes.Names(axes.Parse(t))
		if i == 0 {
			names, first = n, t
			continue
		}
		if !slices.Equal(n, names) {
			return nil, fmt.Errorf("treatments %q and %q have different axes (%s; %s)", first, t,
				strings.Join(names, ","), strings.Join(n, ","))
		}
	}
	return names, nil
}

// AxisColumn returns the column of an axis's values, as treatment names
// spell them, typed by the engine field it names: integers and floats as
// numbers, everything else (schedules, booleans, per-layer widths such as
// "32x16") as strings. One function types axis columns for the sweep
// tables and the analysis tables alike.
func AxisColumn(name string, values []string) Column {
	c := Column{Name: name}
	switch ff.FieldKind(name) {
	case reflect.Int:
		c.Ints = make([]int64, len(values))
		for i, v := range values {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return Column{Name: name, Strings: values}
			}
			c.Ints[i] = n
		}
		return c
	case reflect.Float64:
		c.Floats = make([]float64, len(values))
		for i, v := range values {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return Column{Name: name, Strings: values}
			}
			c.Floats[i] = x
		}
		return c
	}
	c.Strings = values
	return c
}
