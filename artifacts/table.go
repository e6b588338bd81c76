package artifacts

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// kindTable marks a generic Table file.
const kindTable = "table/1"

// Table is a tidy table of analysis results: named columns holding
// strings, integers (int64, or int32 where a run table declares a column
// of that name int32: depth, layer, step) or floats, where NaN is a missing value (NULL in
// Parquet, empty in CSV, "–" in Markdown and LaTeX). Exactly one of a
// Column's slices is set.
type Table struct {
	Name    string // file name stem, e.g. "hypotheses"
	Title   string // one line saying what the table holds
	Columns []Column
}

// Column is one column of a Table.
type Column struct {
	Name    string
	Strings []string
	Ints    []int64
	Floats  []float64
	// Digits is the number of significant digits floats are rendered
	// with in CSV, Markdown and LaTeX (Parquet keeps every bit); 0 means 4.
	Digits int
}

// int32 reports whether the column's integers are written as int32: a
// column named like an int32 column of the run tables (RunColumnType).
func (c *Column) int32() bool { return c.Ints != nil && RunColumnType(c.Name) == "int32" }

// Len returns the number of rows.
func (c *Column) Len() int { return max(len(c.Strings), len(c.Ints), len(c.Floats)) }

// Column returns the column called name, or nil.
func (t *Table) Column(name string) *Column {
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return &t.Columns[i]
		}
	}
	return nil
}

// Rows returns the number of rows of t.
func (t *Table) Rows() int {
	if len(t.Columns) == 0 {
		return 0
	}
	return t.Columns[0].Len()
}

func (t *Table) check() error {
	for i := range t.Columns {
		c := &t.Columns[i]
		set := 0
		for _, n := range []int{len(c.Strings), len(c.Ints), len(c.Floats)} {
			if n > 0 {
				set++
			}
		}
		if set > 1 || c.Len() != t.Rows() {
			return fmt.Errorf("table %s: column %q: want one value slice of %d rows", t.Name, c.Name, t.Rows())
		}
		if c.int32() {
			for _, v := range c.Ints {
				if v < math.MinInt32 || v > math.MaxInt32 {
					return fmt.Errorf("table %s: column %q: %d out of the int32 range of its run table column", t.Name, c.Name, v)
				}
			}
		}
	}
	return nil
}

// Cell returns row i of column c formatted for text output ("" for NaN).
func (c *Column) Cell(i int) string {
	switch {
	case c.Strings != nil:
		return c.Strings[i]
	case c.Ints != nil:
		return strconv.FormatInt(c.Ints[i], 10)
	case c.Floats != nil:
		x := c.Floats[i]
		switch {
		case math.IsNaN(x):
			return ""
		case math.IsInf(x, 0):
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
		d := c.Digits
		if d == 0 {
			d = 4
		}
		return strconv.FormatFloat(x, 'g', d, 64)
	}
	return ""
}

// WriteTable writes t to path as a zstd-compressed Parquet file with meta
// as its key-value metadata (plus the table's name and title), atomically.
func WriteTable(path string, t *Table, meta map[string]string) error {
	if err := t.check(); err != nil {
		return err
	}
	m := map[string]string{"ffchar.table": t.Name, "ffchar.title": t.Title}
	for k, v := range meta {
		m[k] = v
	}
	return writeParquetFile(path, kindTable, m, func() (*table, error) {
		tb := newTable(t.Rows())
		for _, c := range t.Columns {
			tb.column(c)
		}
		return tb, nil
	})
}

// ReadTable reads a file written by WriteTable.
func ReadTable(path string) (t *Table, meta map[string]string, err error) {
	defer readGuard(path, &err)
	cols, meta, err := readParquet(path, kindTable)
	if err != nil {
		return nil, nil, &FileError{Path: path, Err: err}
	}
	defer cols.release()
	t = &Table{Name: meta["ffchar.table"], Title: meta["ffchar.title"]}
	for _, f := range cols.tbl.Schema().Fields() {
		c := Column{Name: f.Name}
		switch f.Type.ID() {
		case arrow.STRING:
			c.Strings = cols.strings(f.Name)
		case arrow.INT64:
			c.Ints = cols.int64s(f.Name)
		case arrow.INT32:
			for _, v := range cols.int32s(f.Name) {
				c.Ints = append(c.Ints, int64(v))
			}
		case arrow.FLOAT64:
			c.Floats = cols.float64s(f.Name)
		default:
			return nil, nil, &FileError{Path: path, Err: formatError("column %q has unsupported type %s", f.Name, f.Type)}
		}
		t.Columns = append(t.Columns, c)
	}
	if cols.err != nil {
		return nil, nil, &FileError{Path: path, Err: cols.err}
	}
	return t, meta, nil
}

// WriteCSV writes t as CSV with a header row.
func (t *Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = c.Name
	}
	cw.Write(head)
	for r := 0; r < t.Rows(); r++ {
		row := make([]string, len(t.Columns))
		for i := range t.Columns {
			row[i] = t.Columns[i].fullCell(r)
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// fullCell is Cell at full precision: a float in its shortest form that
// reads back to the same float64, as the Parquet file holds it.
func (c *Column) fullCell(i int) string {
	if c.Floats != nil && !math.IsNaN(c.Floats[i]) {
		return strconv.FormatFloat(c.Floats[i], 'g', -1, 64)
	}
	return c.Cell(i)
}

// WriteMarkdown writes t as a GitHub-flavoured Markdown table, numbers
// right-aligned.
func (t *Table) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("|")
	for _, c := range t.Columns {
		b.WriteString(" " + mdEscape(c.Name) + " |")
	}
	b.WriteString("\n|")
	for _, c := range t.Columns {
		if c.Strings != nil {
			b.WriteString("---|")
		} else {
			b.WriteString("---:|")
		}
	}
	b.WriteString("\n")
	for r := 0; r < t.Rows(); r++ {
		b.WriteString("|")
		for i := range t.Columns {
			s := t.Columns[i].Cell(r)
			if s == "" {
				s = "–"
			}
			b.WriteString(" " + mdEscape(s) + " |")
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// WriteLaTeX writes t as a booktabs tabular environment.
func (t *Table) WriteLaTeX(w io.Writer) error {
	var b strings.Builder
	b.WriteString("% " + t.Title + "\n\\begin{tabular}{")
	for _, c := range t.Columns {
		if c.Strings != nil {
			b.WriteString("l")
		} else {
			b.WriteString("r")
		}
	}
	b.WriteString("}\n\\toprule\n")
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteString(" & ")
		}
		b.WriteString(texEscape(c.Name))
	}
	b.WriteString(" \\\\\n\\midrule\n")
	for r := 0; r < t.Rows(); r++ {
		for i := range t.Columns {
			if i > 0 {
				b.WriteString(" & ")
			}
			s := t.Columns[i].Cell(r)
			if s == "" {
				s = "--"
			}
			b.WriteString(texEscape(s))
		}
		b.WriteString(" \\\\\n")
	}
	b.WriteString("\\bottomrule\n\\end{tabular}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

var texReplacer = strings.NewReplacer(`\`, `\textbackslash{}`, "_", `\_`, "%", `\%`, "&", `\&`, "#", `\#`,
	"$", `\$`, "{", `\{`, "}", `\}`, "~", `\textasciitilde{}`, "^", `\textasciicircum{}`)

func texEscape(s string) string { return texReplacer.Replace(s) }
