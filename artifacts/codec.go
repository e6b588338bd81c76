package artifacts

import (
	"math"
	"reflect"
	"strings"

	"github.com/ffchar/ffchar/axes"
)

// A row type declares its table's columns as tagged struct fields, the
// way encoding/json reads `json:"name"`:
//
//	Epoch int `col:"epoch,int32" unit:"epochs" doc:"from 1"`
//
// The col tag gives the column's name and Arrow type (utf8, int32, int64,
// uint64, float64), then options:
//
//	null      float64 only: NaN is written as NULL (and NULL read as NaN)
//	optional  a reader accepts a file without the column: zero, or NaN
//	          for a float64 (files written before the column existed)
//	own       written in a run's own table only, never in a sweep table
//	layer     in a sweep table, the layer_width column follows this one
//
// unit and doc say what the column holds ("" unit: names, labels and
// counts of what doc names). Columns are written in field order; an
// embedded RunInfo gives the identity columns, followed in a sweep table
// by one column per grid axis. An embedded struct without a col tag
// contributes its columns in place (columns shared by several tables:
// LayerMeasures). Other fields without a col tag are not columns.
// The writer, the reader and the declarations of the data dictionary
// (ColumnDoc) all come from these tags, so a column is spelled once.

// colField is a column of a row type.
type colField struct {
	ColumnDoc
	typ      string
	index    []int // reflect field index within the row type
	null     bool
	optional bool
	own      bool
	layer    bool
	identity bool
}

// codec writes and reads the table of one row type.
type codec struct {
	kind   string
	fields []colField
	// layerWidth is the column, declared on RunInfo.LayerWidths, that
	// follows the layer column in a sweep table.
	layerWidth ColumnDoc
	info       []int // index of the embedded RunInfo
}

var runInfoType = reflect.TypeFor[RunInfo]()

// newCodec reads the column declarations of row type R. A malformed tag is
// a mistake in this package, found by any test that touches the table.
func newCodec[R any](kind string) *codec {
	t := reflect.TypeFor[R]()
	c := &codec{kind: kind}
	c.walk(t, nil, false)
	if c.info == nil {
		panic("artifacts: row type " + t.Name() + " does not embed RunInfo")
	}
	return c
}

func (c *codec) walk(t reflect.Type, prefix []int, identity bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		index := append(append([]int(nil), prefix...), i)
		if f.Anonymous && f.Type == runInfoType {
			c.info = index
			c.walk(f.Type, index, true)
			continue
		}
		tag, ok := f.Tag.Lookup("col")
		if !ok {
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				c.walk(f.Type, index, identity) // columns shared by several tables
			}
			continue
		}
		parts := strings.Split(tag, ",")
		if len(parts) < 2 {
			panic("artifacts: col tag of " + f.Name + " lacks a type")
		}
		cf := colField{ColumnDoc: ColumnDoc{Name: parts[0], Unit: f.Tag.Get("unit"), Doc: f.Tag.Get("doc")},
			typ: parts[1], index: index, identity: identity}
		if f.Type.Kind() == reflect.Slice {
			// RunInfo.LayerWidths: per layer, written beside the layer column.
			c.layerWidth = cf.ColumnDoc
			continue
		}
		for _, o := range parts[2:] {
			switch o {
			case "null":
				cf.null = true
			case "optional":
				cf.optional = true
			case "own":
				cf.own = true
			case "layer":
				cf.layer = true
			default:
				panic("artifacts: col tag of " + f.Name + ": unknown option " + o)
			}
		}
		if !typeMatches(cf.typ, f.Type.Kind()) || (cf.null && cf.typ != "float64") {
			panic("artifacts: col tag of " + f.Name + ": type " + cf.typ + " for a Go " + f.Type.Kind().String())
		}
		c.fields = append(c.fields, cf)
	}
}

func typeMatches(typ string, k reflect.Kind) bool {
	switch typ {
	case "utf8":
		return k == reflect.String
	case "int32", "int64":
		return k == reflect.Int
	case "uint64":
		return k == reflect.Uint64
	case "float64":
		return k == reflect.Float64
	}
	return false
}

// identity returns the declarations of the identity columns.
func (c *codec) identity() []ColumnDoc {
	var out []ColumnDoc
	for _, f := range c.fields {
		if f.identity {
			out = append(out, f.ColumnDoc)
		}
	}
	return out
}

// columns returns the declarations of the columns after the identity
// columns, in order (own columns included, layer_width left out).
func (c *codec) columns() []ColumnDoc {
	var out []ColumnDoc
	for _, f := range c.fields {
		if !f.identity {
			out = append(out, f.ColumnDoc)
		}
	}
	return out
}

// columnType returns the Arrow type of column name, or "".
func (c *codec) columnType(name string) string {
	for _, f := range c.fields {
		if f.Name == name {
			return f.typ
		}
	}
	if name == c.layerWidth.Name {
		return "int32"
	}
	return ""
}

// table builds the Parquet table of rows, a slice of the codec's row
// type. Rows with LayerWidths set make a sweep table: axis columns after
// the identity columns, layer_width after the layer column, no own
// columns.
func (c *codec) table(rows reflect.Value) (*table, error) {
	n := rows.Len()
	info := func(i int) *RunInfo { return rows.Index(i).FieldByIndex(c.info).Addr().Interface().(*RunInfo) }
	sweep := n > 0 && info(0).LayerWidths != nil
	t := newTable(n)
	axesDone := false
	for _, f := range c.fields {
		if sweep && !f.identity && !axesDone {
			if err := c.axes(t, n, info); err != nil {
				return nil, err
			}
			axesDone = true
		}
		if sweep && f.own {
			continue
		}
		col := func(i int) reflect.Value { return rows.Index(i).FieldByIndex(f.index) }
		switch f.typ {
		case "utf8":
			v := make([]string, n)
			for i := range v {
				v[i] = col(i).String()
			}
			t.strings(f.Name, v)
		case "int32":
			v := make([]int32, n)
			for i := range v {
				v[i] = int32(col(i).Int())
			}
			t.int32s(f.Name, v)
		case "int64":
			v := make([]int64, n)
			for i := range v {
				v[i] = col(i).Int()
			}
			t.int64s(f.Name, v)
		case "uint64":
			v := make([]uint64, n)
			for i := range v {
				v[i] = col(i).Uint()
			}
			t.uint64s(f.Name, v)
		case "float64":
			v := make([]float64, n)
			for i := range v {
				v[i] = col(i).Float()
			}
			if f.null {
				t.nullableFloat64s(f.Name, v)
			} else {
				t.float64s(f.Name, v)
			}
		}
		if sweep && f.layer {
			lw := make([]int32, n)
			for i := range lw {
				lw[i] = int32(info(i).LayerWidth(int(col(i).Int())))
			}
			t.int32s(c.layerWidth.Name, lw)
		}
	}
	return t, nil
}

// axes writes a sweep table's axis columns, read from the treatments, and
// lists them in the table's metadata.
func (c *codec) axes(t *table, n int, info func(int) *RunInfo) error {
	treatments := make([]string, n)
	for i := range treatments {
		treatments[i] = info(i).Treatment
	}
	names, err := AxisNames(treatments)
	if err != nil {
		return err
	}
	// Each run's treatment repeats on all its rows: parse each name once.
	parsed := map[string][]axes.Axis{}
	for _, tr := range treatments {
		if _, ok := parsed[tr]; !ok {
			parsed[tr] = axes.Parse(tr)
		}
	}
	for _, name := range names {
		if IdentityColumn(name) {
			continue
		}
		vals := make([]string, n)
		for i, tr := range treatments {
			vals[i], _ = axes.Lookup(parsed[tr], name)
		}
		col := AxisColumn(name, vals)
		col.Name = AxisColumnName(name)
		t.column(col)
	}
	t.meta = map[string]string{AxesKey: strings.Join(names, ",")}
	return nil
}

// read fills rows, a pointer to a slice of the codec's row type, from
// cols. In a sweep table (meta lists its axes) each row's LayerWidths
// come from the layer_width column; a sweep table without layers
// (confusion) gets empty ones, which mark the rows as a sweep's.
func (c *codec) read(cols *columns, meta map[string]string, rows reflect.Value) error {
	n := cols.rows
	s := reflect.MakeSlice(rows.Elem().Type(), n, n)
	var layer []int32
	for _, f := range c.fields {
		if f.optional && !cols.has(f.Name) {
			if f.typ == "float64" {
				for i := range n {
					s.Index(i).FieldByIndex(f.index).SetFloat(math.NaN())
				}
			}
			continue
		}
		col := func(i int) reflect.Value { return s.Index(i).FieldByIndex(f.index) }
		switch f.typ {
		case "utf8":
			for i, v := range cols.strings(f.Name) {
				col(i).SetString(v)
			}
		case "int32":
			v := cols.int32s(f.Name)
			for i, x := range v {
				col(i).SetInt(int64(x))
			}
			if f.layer {
				layer = v
			}
		case "int64":
			for i, x := range cols.int64s(f.Name) {
				col(i).SetInt(x)
			}
		case "uint64":
			for i, x := range cols.uint64s(f.Name) {
				col(i).SetUint(x)
			}
		case "float64":
			for i, x := range cols.float64s(f.Name) {
				col(i).SetFloat(x)
			}
		}
	}
	if cols.err != nil {
		return cols.err
	}
	if _, ok := meta[AxesKey]; ok {
		var lw []int32
		if layer != nil {
			lw = cols.int32s(c.layerWidth.Name)
			if cols.err != nil {
				return cols.err
			}
		}
		byRun := map[string][]int{}
		for i := range n {
			info := s.Index(i).FieldByIndex(c.info).Addr().Interface().(*RunInfo)
			ws, ok := byRun[info.RunID]
			if !ok {
				ws = []int{}
				if lw != nil && info.Depth >= 0 {
					ws = make([]int, info.Depth)
				}
			}
			if lw != nil && int(layer[i]) >= 1 && int(layer[i]) <= len(ws) {
				ws[layer[i]-1] = int(lw[i])
			}
			byRun[info.RunID] = ws
		}
		for i := range n {
			info := s.Index(i).FieldByIndex(c.info).Addr().Interface().(*RunInfo)
			info.LayerWidths = byRun[info.RunID]
		}
	}
	rows.Elem().Set(s)
	return nil
}

// writeRows writes the rows that build returns in the codec's table to
// path (see writeParquetFile). build runs inside the write, so that its
// errors (rows that fail their checks) also leave no file behind.
func writeRows[R any](c *codec, path string, meta map[string]string, build func() ([]R, error)) error {
	return writeParquetFile(path, c.kind, meta, func() (*table, error) {
		rows, err := build()
		if err != nil {
			return nil, err
		}
		return c.table(reflect.ValueOf(rows))
	})
}

// readRows reads a table written by writeRows, returning its rows in file
// order and its key-value metadata (without KindKey).
func readRows[R any](c *codec, path string) (rows []R, meta map[string]string, err error) {
	defer readGuard(path, &err)
	cols, meta, err := readParquet(path, c.kind)
	if err != nil {
		return nil, nil, err
	}
	defer cols.release()
	if err := c.read(cols, meta, reflect.ValueOf(&rows)); err != nil {
		return nil, nil, err
	}
	return rows, meta, nil
}
