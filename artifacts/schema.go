package artifacts

import (
	"fmt"
	"os"
	"reflect"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// ColumnDoc declares what a column holds: its unit ("" for names,
// labels and counts of things named in Doc) and its meaning. The column's
// type is the file's own (ReadSchema), so a declaration cannot disagree
// with what a reader sees; the tests check that every column the writers
// produce is declared, in order.
type ColumnDoc struct {
	Name string
	Unit string
	Doc  string
}

// The declarations of the run tables' columns, read from the tags of
// their row types (codec.go).
var (
	// IdentityColumns are the first columns of every table about runs
	// (RunInfo), repeated on every row of the run.
	IdentityColumns = metricsCodec.identity()
	// LayerWidthColumn follows the layer column of a sweep table.
	LayerWidthColumn = metricsCodec.layerWidth
	// MetricsColumns are the columns of a metrics table after the
	// identity (and, in a sweep table, axis) columns; layer_width follows
	// layer in a sweep table, which has no seconds column.
	MetricsColumns = metricsCodec.columns()
	// EvaluationColumns are the columns of an evaluations table after the
	// identity (and axis) columns.
	EvaluationColumns = evaluationCodec.columns()
	// ConfusionColumns are the columns of a confusion table after the
	// identity (and axis) columns.
	ConfusionColumns = confusionCodec.columns()
)

// AxisColumnDoc describes an axis column of a sweep table, named after the
// engine field it varies (or grid_<field>, AxisColumnName).
func AxisColumnDoc(name string) ColumnDoc {
	return ColumnDoc{name, "", "grid axis: the treatment's value of this engine field (docs/fields.md)"}
}

// SecondsColumn is the metrics column of epoch wall times, which sweep
// tables leave out.
var SecondsColumn = columnOf[MetricsRow]("Seconds")

// columnOf returns the name of the column that field of row type R
// declares.
func columnOf[R any](field string) string {
	f, ok := reflect.TypeFor[R]().FieldByName(field)
	if !ok {
		panic("artifacts: no field " + field)
	}
	name, _, _ := strings.Cut(f.Tag.Get("col"), ",")
	return name
}

// KindColumns returns the declared columns of a table kind after its
// identity columns (nil for kinds without fixed columns: analysis tables).
func KindColumns(kind string) []ColumnDoc {
	switch kind {
	case kindMetrics:
		return MetricsColumns
	case kindEvaluations:
		return EvaluationColumns
	case kindConfusion:
		return ConfusionColumns
	}
	return nil
}

// Field is a column of a Parquet file as a reader sees it.
type Field struct {
	Name     string
	Type     string // Arrow type: utf8, int32, int64, uint64, float64
	Nullable bool
}

// Schema is what ReadSchema returns: the file's kind, its columns and its
// key-value metadata (without KindKey).
type Schema struct {
	Kind   string
	Fields []Field
	Rows   int64
	Meta   map[string]string
}

// ReadSchema reads the schema and metadata of a Parquet file written by
// this package, without its rows.
func ReadSchema(path string) (Schema, error) {
	f, err := os.Open(path)
	if err != nil {
		return Schema{}, err
	}
	defer f.Close()
	rdr, err := file.NewParquetReader(f, file.WithReadProps(parquet.NewReaderProperties(memory.DefaultAllocator)))
	if err != nil {
		return Schema{}, &FileError{Path: path, Err: fmt.Errorf("not a readable Parquet file: %w", err)}
	}
	defer rdr.Close()
	kv := rdr.MetaData().KeyValueMetadata()
	s := Schema{Meta: map[string]string{}, Rows: rdr.NumRows()}
	for i, k := range kv.Keys() {
		if k == KindKey {
			s.Kind = kv.Values()[i]
			continue
		}
		s.Meta[k] = kv.Values()[i]
	}
	if s.Kind == "" {
		return Schema{}, &FileError{Path: path, Err: formatError("no %s metadata: not written by this package", KindKey)}
	}
	sc, err := pqarrow.FromParquet(rdr.MetaData().Schema, nil, kv)
	if err != nil {
		return Schema{}, &FileError{Path: path, Err: err}
	}
	for _, fl := range sc.Fields() {
		s.Fields = append(s.Fields, Field{Name: fl.Name, Type: fl.Type.String(), Nullable: fl.Nullable})
	}
	return s, nil
}

// DescribeColumns pairs the columns of a metrics, evaluations or
// confusion file with their declarations: identity, axis (listed under
// AxesKey), layer_width and the kind's own columns. A column without one
// gets an empty ColumnDoc but its name, which tests reject.
func DescribeColumns(s Schema) []ColumnDoc {
	docs := map[string]ColumnDoc{LayerWidthColumn.Name: LayerWidthColumn}
	for _, d := range IdentityColumns {
		docs[d.Name] = d
	}
	for _, d := range KindColumns(s.Kind) {
		docs[d.Name] = d
	}
	if a := s.Meta[AxesKey]; a != "" {
		for _, name := range strings.Split(a, ",") {
			if !IdentityColumn(name) {
				docs[AxisColumnName(name)] = AxisColumnDoc(AxisColumnName(name))
			}
		}
	}
	out := make([]ColumnDoc, len(s.Fields))
	for i, f := range s.Fields {
		d, ok := docs[f.Name]
		if !ok {
			d = ColumnDoc{Name: f.Name}
		}
		out[i] = d
	}
	return out
}
