package report

import (
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/ffchar/ffchar/analysis"
	"github.com/ffchar/ffchar/artifacts"
)

// An analysis table's columns are declared once, as the tagged fields of
// its row type, the way encoding/json reads `json:"name"`:
//
//	R float64 `col:"r"`
//
// A table is a slice of rows, which rowTable turns into an
// *artifacts.Table, one column per field in field order. The Go type of a
// field gives the column's type: a string is a string column, an int an
// integer column (Arrow int32 where a run table declares a column of that
// name int32, so that the tables join on it: artifacts.RunColumnType;
// else int64), a bool a string column of "true" and "false", and a float64
// a nullable float column, ±Inf (an interval that does not exist) written
// as NaN, a missing value. Some types stand for several columns:
//
//	analysis.Group    the treatment's identity (groupColumns): treatment,
//	                  one column per grid axis, depth and width; col:""
//	analysis.Summary  the tag's prefix and mean, lo, hi, n: col:"slope_"
//	                  gives slope_mean, slope_lo, slope_hi, slope_n
//	[]measure         one float column per element, named by the element
//	                  and in its order (the delays of the options'
//	                  Measures); every row holds the same names; col:""
//	holm              the Holm adjustment (analysis.Holm) of a p-value
//	                  column over the whole table, the family of tests it
//	                  reports: col:"p_holm,holm=p"; rowTable computes it
//	                  after the rows are built, so it has no value in a row
//	struct            its fields' columns, their names prefixed with the
//	                  tag's (col:"h1_"); an embedded struct without a tag
//	                  contributes its columns unprefixed (layerColumns)
//
// Every other field needs a col tag. Units and meanings are declared by
// column name in analysisColumns, because a column such as lo means the
// same in a dozen tables, and spelled there once it cannot drift between
// them; a column whose meaning is its table's own (or a new column) is
// declared on its field instead, with unit and doc tags, which take
// precedence:
//
//	Lo float64 `col:"lo" doc:"lower bound of the confidence interval of value"`
//
// (on an analysis.Summary field the tags describe the columns' base, as
// analysisColumns' suffix rules do). TestRowColumnsDeclared enumerates the
// columns of every row type and checks each has a declaration.
//
// The run tables' codec (artifacts/codec.go) is not reused: it writes
// Parquet files of a fixed Arrow schema straight from RunInfo rows, while
// an analysis table is an artifacts.Table that is also rendered as CSV,
// Markdown and LaTeX, whose identity columns depend on the sweep's grid
// and whose integer types follow the run tables' by name.

// rowTypes is the row type of every analysis table, by name. rowTable
// refuses a table built from another type, so this list is the whole set
// of analysis tables the tests check.
var rowTypes = map[string]reflect.Type{
	"hypotheses":                    reflect.TypeFor[hypothesisRow](),
	"step_hypotheses":               reflect.TypeFor[hypothesisRow](),
	"correlation_summary":           reflect.TypeFor[couplingRow](),
	"step_coupling":                 reflect.TypeFor[couplingRow](),
	"final_correlation":             reflect.TypeFor[finalCorrelationRow](),
	"delay_summary":                 reflect.TypeFor[delaySummaryRow](),
	"step_delay_summary":            reflect.TypeFor[delaySummaryRow](),
	"delay_trend":                   reflect.TypeFor[delayTrendRow](),
	"correlation_regression":        reflect.TypeFor[regressionRow](),
	"step_correlation_regression":   reflect.TypeFor[regressionRow](),
	"final_accuracy":                reflect.TypeFor[finalAccuracyRow](),
	"test_accuracy":                 reflect.TypeFor[testAccuracyRow](),
	"curve_summary":                 reflect.TypeFor[curveSummaryRow](),
	"layer_model_correlations":      reflect.TypeFor[layerModelRow](),
	"delays":                        reflect.TypeFor[delayRow](),
	"step_delays":                   reflect.TypeFor[delayRow](),
	"step_delay_trend":              reflect.TypeFor[stepDelayTrendRow](),
	"depth_deficit":                 reflect.TypeFor[depthDeficitRow](),
	"seed_correlation":              reflect.TypeFor[seedCorrelationRow](),
	"layer_gaps":                    reflect.TypeFor[layerGapRow](),
	"start_step":                    reflect.TypeFor[startStepRow](),
	"step_curve_summary":            reflect.TypeFor[stepCurveSummaryRow](),
	"step_layer_model_correlations": reflect.TypeFor[stepLayerModelRow](),
	"one_at_a_time":                 reflect.TypeFor[levelRow](),
}

// holm marks a Holm-adjusted column (see rowTypes); it holds no value.
type holm struct{}

// measure is one named value of a []measure field.
type measure struct {
	Name  string
	Value float64
}

// layerColumns are the layer index and that layer's width.
type layerColumns struct {
	Layer      int `col:"layer"`
	LayerWidth int `col:"layer_width"`
}

// layerOf returns the layer columns of layer l of g.
func layerOf(g analysis.Group, l int) layerColumns {
	return layerColumns{Layer: l, LayerWidth: g.LayerWidth(l)}
}

// viewColumns name a coupling's measure.
type viewColumns struct {
	Clock   string `col:"clock"`
	Measure string `col:"measure"`
	Window  int    `col:"window"`
	Start   int    `col:"start"`
	From    string `col:"from"`
}

// viewOf returns the view columns of c.
func viewOf(c *analysis.Coupling) viewColumns {
	v := c.View
	return viewColumns{Clock: v.Clock, Measure: v.Measure, Window: v.Window, Start: v.Start,
		From: map[bool]string{false: "fixed", true: "start step"}[v.FromStart]}
}

var (
	groupType   = reflect.TypeFor[analysis.Group]()
	summaryType = reflect.TypeFor[analysis.Summary]()
	holmType    = reflect.TypeFor[holm]()
	measureType = reflect.TypeFor[[]measure]()
)

// rowField is a field of a row type that makes one or more columns.
type rowField struct {
	name  string // the column's name, or the prefix of its columns
	index []int  // reflect field index within the row type
	typ   reflect.Type
	holm  string // of a holm field: the column it adjusts
	// doc is the field's own declaration (its unit and doc tags), which
	// takes precedence over analysisColumns' by name; "" Doc when none.
	doc artifacts.ColumnDoc
}

// rowFields lists the fields of row type t that make columns, in order,
// their names prefixed with prefix. A malformed declaration is a mistake
// in this package, found by any test that builds the table.
func rowFields(t reflect.Type, prefix string, index []int) []rowField {
	var out []rowField
	for i := range t.NumField() {
		f := t.Field(i)
		idx := append(slices.Clip(index), i)
		tag, ok := f.Tag.Lookup("col")
		name, opt, _ := strings.Cut(tag, ",")
		name = prefix + name
		nested := f.Type.Kind() == reflect.Struct && f.Type != groupType && f.Type != summaryType && f.Type != holmType
		switch {
		case !f.IsExported() && !f.Anonymous:
			panic("report: field " + f.Name + " of " + t.Name() + " is unexported: reflect cannot read it")
		case nested && (ok || f.Anonymous):
			out = append(out, rowFields(f.Type, name, idx)...)
			continue
		case !ok:
			panic("report: field " + f.Name + " of " + t.Name() + " has no col tag")
		case (f.Type == holmType) != strings.HasPrefix(opt, "holm="):
			panic("report: field " + f.Name + " of " + t.Name() + ": holm columns need type holm and holm=<column>")
		case opt != "" && f.Type != holmType:
			panic("report: field " + f.Name + " of " + t.Name() + ": unknown col option " + opt)
		}
		rf := rowField{name: name, index: idx, typ: f.Type,
			doc: artifacts.ColumnDoc{Name: name, Unit: f.Tag.Get("unit"), Doc: f.Tag.Get("doc")}}
		if f.Type == holmType {
			rf.holm = prefix + strings.TrimPrefix(opt, "holm=")
		}
		out = append(out, rf)
	}
	return out
}

// rowTable builds the analysis table called name from its rows, which
// must be of the row type rowTypes declares for it.
func rowTable[R any](name, title string, rows []R) *artifacts.Table {
	t := reflect.TypeFor[R]()
	if rowTypes[name] != t {
		panic("report: table " + name + " is not declared with row type " + t.Name())
	}
	tbl := &artifacts.Table{Name: name, Title: title}
	v := reflect.ValueOf(rows)
	for _, f := range rowFields(t, "", nil) {
		tbl.Columns = append(tbl.Columns, f.columns(v, tbl)...)
	}
	return tbl
}

// fieldValues returns field index of each of rows as a T.
func fieldValues[T any](rows reflect.Value, index []int) []T {
	out := make([]T, rows.Len())
	for i := range out {
		out[i] = rows.Index(i).FieldByIndex(index).Interface().(T)
	}
	return out
}

// columns returns the columns of f over rows; t holds the columns before
// f's, which a holm column reads.
func (f rowField) columns(rows reflect.Value, t *artifacts.Table) []artifacts.Column {
	switch f.typ {
	case groupType:
		return groupColumns(fieldValues[analysis.Group](rows, f.index))
	case summaryType:
		return summaryColumns(f.name, fieldValues[analysis.Summary](rows, f.index))
	case measureType:
		return measureColumns(f.name, fieldValues[[]measure](rows, f.index))
	case holmType:
		src := t.Column(f.holm)
		if src == nil {
			panic("report: holm column " + f.name + " of table " + t.Name + " before its column " + f.holm)
		}
		return []artifacts.Column{floatColumn(f.name, analysis.Holm(src.Floats))}
	}
	c := artifacts.Column{Name: f.name}
	switch f.typ.Kind() {
	case reflect.String:
		c.Strings = fieldValues[string](rows, f.index)
	case reflect.Bool:
		for _, b := range fieldValues[bool](rows, f.index) {
			c.Strings = append(c.Strings, strconv.FormatBool(b))
		}
	case reflect.Int:
		for _, v := range fieldValues[int](rows, f.index) {
			c.Ints = append(c.Ints, int64(v))
		}
	case reflect.Float64:
		c = floatColumn(f.name, fieldValues[float64](rows, f.index))
	default:
		panic("report: column " + f.name + " of unsupported type " + f.typ.String())
	}
	return []artifacts.Column{c}
}

// floatColumn is a float column of vs, ±Inf mapped to NaN (finite).
func floatColumn(name string, vs []float64) artifacts.Column {
	c := artifacts.Column{Name: name, Floats: make([]float64, len(vs))}
	for i, v := range vs {
		c.Floats[i] = finite(v)
	}
	return c
}

// finite maps ±Inf (an interval that does not exist) to NaN, a missing value.
func finite(v float64) float64 {
	if math.IsInf(v, 0) {
		return math.NaN()
	}
	return v
}

// summaryColumns are the columns <prefix>mean, lo, hi and n of ss.
func summaryColumns(prefix string, ss []analysis.Summary) []artifacts.Column {
	mean, lo, hi := make([]float64, len(ss)), make([]float64, len(ss)), make([]float64, len(ss))
	n := artifacts.Column{Name: prefix + "n", Ints: make([]int64, len(ss))}
	for i, s := range ss {
		mean[i], lo[i], hi[i], n.Ints[i] = s.Mean, s.Lo, s.Hi, int64(s.N)
	}
	return []artifacts.Column{floatColumn(prefix+"mean", mean), floatColumn(prefix+"lo", lo), floatColumn(prefix+"hi", hi), n}
}

// measureColumns are one float column per measure of the rows, named by
// the first row's measures: every row must name the same.
func measureColumns(prefix string, ms [][]measure) []artifacts.Column {
	if len(ms) == 0 {
		return nil
	}
	var out []artifacts.Column
	for j, m := range ms[0] {
		vs := make([]float64, len(ms))
		for i, row := range ms {
			if len(row) != len(ms[0]) || row[j].Name != m.Name {
				panic("report: rows of one table with different measures")
			}
			vs[i] = row[j].Value
		}
		out = append(out, floatColumn(prefix+m.Name, vs))
	}
	return out
}

// groupColumns are the treatments' identity columns: the name, one column
// per grid axis named as in the sweep tables (artifacts.AxisColumnName)
// and typed as there (artifacts.AxisColumn), then depth and width where
// they are not axes (width not at all when the runs set per-layer widths:
// the layer tables have layer_width). With a depth × width grid these are
// the columns treatment, depth, width. The treatments of a sweep share
// their axes (artifacts.AxisNames); a row without one of them has "" in
// its column.
func groupColumns(gs []analysis.Group) []artifacts.Column {
	n := len(gs)
	tr := artifacts.Column{Name: "treatment", Strings: make([]string, n)}
	var axes []string
	vals := map[string][]string{}
	depth := artifacts.Column{Name: "depth", Ints: make([]int64, n)}
	width := artifacts.Column{Name: "width", Ints: make([]int64, n)}
	hasDepth, hasWidth := false, false
	for i, g := range gs {
		tr.Strings[i] = g.Treatment
		var names []string
		for _, a := range g.Axes() {
			names = append(names, a.Name)
			if _, ok := vals[a.Name]; !ok {
				axes = append(axes, a.Name)
				vals[a.Name] = make([]string, n)
			}
			vals[a.Name][i] = a.Value
		}
		depth.Ints[i], width.Ints[i] = int64(g.Depth), int64(g.Width)
		hasDepth = hasDepth || !slices.Contains(names, "depth")
		hasWidth = hasWidth || !slices.Contains(names, "width") && !slices.Contains(names, "widths") && g.Widths == ""
	}
	out := []artifacts.Column{tr}
	for _, a := range axes {
		c := artifacts.AxisColumn(a, vals[a])
		// The sweep tables' name: an axis named like a run column (lr)
		// is grid_lr there, and so here.
		c.Name = artifacts.AxisColumnName(a)
		out = append(out, c)
	}
	if hasDepth {
		out = append(out, depth)
	}
	if hasWidth {
		out = append(out, width)
	}
	return out
}

// fieldDoc returns the declaration that table's row type gives column
// name on its field (unit and doc tags); ok is false when it gives none.
// The base of a summary field's columns (slope for slope_mean) is named
// by the field's prefix without its underscore.
func fieldDoc(table, name string) (d artifacts.ColumnDoc, ok bool) {
	t, found := rowTypes[table]
	if !found {
		return d, false
	}
	for _, f := range rowFields(t, "", nil) {
		col := f.name
		if f.typ == summaryType {
			col = strings.TrimSuffix(col, "_")
		}
		if col == name && f.doc.Doc != "" {
			d = f.doc
			d.Name = name
			return d, true
		}
	}
	return d, false
}
