package artifacts

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func sampleTable() *Table {
	return &Table{Name: "hypotheses", Title: "Claims", Columns: []Column{
		{Name: "id", Strings: []string{"H1", "H2_a"}},
		{Name: "runs", Ints: []int64{30, 12}},
		{Name: "effect", Floats: []float64{1.234567, math.NaN()}, Digits: 3},
	}}
}

func TestTableRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.parquet")
	in := sampleTable()
	if err := WriteTable(path, in, map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	out, meta, err := ReadTable(path)
	if err != nil {
		t.Fatal(err)
	}
	if meta["k"] != "v" || out.Name != "hypotheses" || out.Title != "Claims" {
		t.Errorf("metadata %v, name %q, title %q", meta, out.Name, out.Title)
	}
	if !reflect.DeepEqual(out.Columns[0].Strings, in.Columns[0].Strings) || !reflect.DeepEqual(out.Columns[1].Ints, in.Columns[1].Ints) {
		t.Errorf("columns differ: %+v", out.Columns)
	}
	if f := out.Columns[2].Floats; f[0] != 1.234567 || !math.IsNaN(f[1]) {
		t.Errorf("floats %v, want [1.234567 NaN]", f)
	}
	b, _ := os.ReadFile(path)
	os.WriteFile(path, b[:len(b)/2], 0o644)
	if _, _, err := ReadTable(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("truncated table: error %v, want one naming %s", err, path)
	}
}

func TestTableText(t *testing.T) {
	tb := sampleTable()
	var csv, md, tex bytes.Buffer
	if err := tb.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	tb.WriteMarkdown(&md)
	tb.WriteLaTeX(&tex)
	// CSV keeps full precision (it must read back to the Parquet values);
	// Markdown and LaTeX round for reading.
	if want := "id,runs,effect\nH1,30,1.234567\nH2_a,12,\n"; csv.String() != want {
		t.Errorf("CSV %q, want %q", csv.String(), want)
	}
	if want := "| id | runs | effect |\n|---|---:|---:|\n| H1 | 30 | 1.23 |\n| H2_a | 12 | – |\n"; md.String() != want {
		t.Errorf("Markdown %q, want %q", md.String(), want)
	}
	if want := "% Claims\n\\begin{tabular}{lrr}\n\\toprule\nid & runs & effect \\\\\n\\midrule\nH1 & 30 & 1.23 \\\\\nH2\\_a & 12 & -- \\\\\n\\bottomrule\n\\end{tabular}\n"; tex.String() != want {
		t.Errorf("LaTeX %q, want %q", tex.String(), want)
	}
}

func TestTableBadShape(t *testing.T) {
	tb := &Table{Name: "x", Columns: []Column{{Name: "a", Ints: []int64{1, 2}}, {Name: "b", Floats: []float64{1}}}}
	path := filepath.Join(t.TempDir(), "x.parquet")
	if err := WriteTable(path, tb, nil); err == nil {
		t.Errorf("ragged table written")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a failed write left %s", path)
	}
}

// An integer column named like an int32 column of the run tables is int32
// in the file, and reads back unchanged; one out of that range is refused.
func TestTableRunColumnTypes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.parquet")
	in := &Table{Name: "t", Columns: []Column{
		{Name: "depth", Ints: []int64{2, 3}},
		{Name: "runs", Ints: []int64{5, 1 << 40}},
	}}
	if err := WriteTable(path, in, nil); err != nil {
		t.Fatal(err)
	}
	s, err := ReadSchema(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Fields[0].Type != RunColumnType("depth") || s.Fields[0].Type != "int32" || s.Fields[1].Type != "int64" {
		t.Errorf("fields %+v, want depth int32 (as in the run tables), runs int64", s.Fields)
	}
	out, _, err := ReadTable(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out.Columns, in.Columns) {
		t.Errorf("read back %+v, want %+v", out.Columns, in.Columns)
	}
	in.Columns[0].Ints[1] = 1 << 40
	if err := WriteTable(path, in, nil); err == nil || !strings.Contains(err.Error(), "int32") {
		t.Errorf("depth 2^40: error %v", err)
	}
}
