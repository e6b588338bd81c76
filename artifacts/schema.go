package artifacts

import (
	"fmt"
	"os"
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

// IdentityColumns are the first columns of every table about runs
// (RunInfo), repeated on every row of the run.
var IdentityColumns = []ColumnDoc{
	{"run_id", "", "the run: its treatment and replicate (\"depth=2,width=100/r3\"); unique per run within a file"},
	{"treatment", "", "the experimental condition: the run's grid axes as key=value pairs"},
	{"recipe", "", `"loewe" or "pezeshki": the defaults the run's configuration starts from`},
	{"depth", "layers", "FF layers of the network"},
	{"width", "units", "the config's width field (ignored by runs that set widths: group by layer_width)"},
	{"seed", "", "the run's seed, derived from the experiment's master seed, treatment and replicate"},
}

// LayerWidthColumn follows the layer column of a sweep table.
var LayerWidthColumn = ColumnDoc{"layer_width", "units", "the layer's width, from width or widths"}

// AxisColumnDoc describes an axis column of a sweep table, named after the
// engine field it varies (or grid_<field>, AxisColumnName).
func AxisColumnDoc(name string) ColumnDoc {
	return ColumnDoc{name, "", "grid axis: the treatment's value of this engine field (docs/fields.md)"}
}

// MetricsColumns are the columns of a metrics table after the identity
// (and, in a sweep table, axis) columns; layer_width follows layer in a
// sweep table. A sweep table has no seconds column: wall time is not part
// of a cached table (data/timing.csv has it), so it was NaN on every row.
var MetricsColumns = []ColumnDoc{
	{"epoch", "epochs", "from 1; on step rows the epoch whose batch the step ended (0 for step 0)"},
	{"step", "steps", "optimizer steps since initialisation, 0 = untrained; an epoch row has the step ending its epoch"},
	{"split", "", `"train" (the epoch's batches, averaged), "val" (validation split after the epoch), "probe" (held-out probe after the step), "probe_a"/"probe_b" (its halves), "train_stream" (training batches since the previous recorded step)`},
	{"layer", "", "FF layer, from 1"},
	{"layer_trained", "", "0 when all layers train, else the layer the greedy schedule trained"},
	{"lr", "", "FF learning rate of the epoch"},
	{SecondsColumn, "s", "wall time of the epoch's training (same on its val rows; NaN on step rows); a run's own table only"},
	{"ff_loss", "", "the layer's FF loss; NULL where not computed"},
	{"ff_accuracy", "fraction", "the layer's positive/negative accuracy; NULL where not computed"},
	{"goodness_pos", "", "mean goodness of positive samples; NULL where not computed"},
	{"goodness_neg", "", "mean goodness of negative samples; NULL where not computed"},
	{"label_accuracy", "fraction", "the layer's own 10-class accuracy; NULL on probe and training rows"},
	{"peer_loss", "", "peer-normalisation loss; NULL outside training"},
	{"classifier_accuracy", "fraction", "model: the softmax classifier's accuracy, repeated on each layer row; NULL without a classifier"},
	{"classifier_loss", "", "model: the softmax classifier's loss, repeated on each layer row; NULL without a classifier"},
	{"goodness_accuracy", "fraction", "model: goodness-over-labels accuracy, repeated on each layer row; NULL on probe and training rows"},
	{"samples", "samples", "samples the split's metrics cover"},
}

// SecondsColumn is the metrics column of epoch wall times, which sweep
// tables leave out.
const SecondsColumn = "seconds"

// EvaluationColumns are the columns of an evaluations table after the
// identity (and axis) columns.
var EvaluationColumns = []ColumnDoc{
	{"epoch", "epochs", "the checkpoint's epoch, from 1"},
	{"step", "steps", "optimizer steps at the checkpoint"},
	{"layer", "", "FF layer, from 1"},
	{"ff_loss", "", "the layer's FF loss on the evaluation split"},
	{"ff_accuracy", "fraction", "the layer's positive/negative accuracy"},
	{"goodness_pos", "", "mean goodness of positive samples"},
	{"goodness_neg", "", "mean goodness of negative samples"},
	{"label_accuracy", "fraction", "the layer's own 10-class accuracy"},
	{"classifier_accuracy", "fraction", "model: softmax classifier accuracy, repeated per layer; NULL without a classifier"},
	{"classifier_loss", "", "model: softmax classifier loss, repeated per layer; NULL without a classifier"},
	{"goodness_accuracy", "fraction", "model: goodness-over-labels accuracy, repeated per layer"},
	{"samples", "samples", "samples evaluated"},
}

// ConfusionColumns are the columns of a confusion table after the
// identity (and axis) columns.
var ConfusionColumns = []ColumnDoc{
	{"epoch", "epochs", "the checkpoint's epoch"},
	{"step", "steps", "optimizer steps at the checkpoint"},
	{"predictor", "", `"classifier" or "goodness" (argmax of goodness summed over layers)`},
	{"true_class", "", "0..9"},
	{"predicted_class", "", "0..9"},
	{"count", "samples", "evaluation samples with this true and predicted class"},
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
