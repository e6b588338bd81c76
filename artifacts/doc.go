// Package artifacts defines the files ffchar writes and reads: the schema
// of every table and tensor file, and one writer and one reader for each.
// Tables are Parquet (zstd), so that DuckDB, pandas or R read them
// directly; tensors and the prepared data set are Arrow IPC files, which
// are read back without decoding. This file is the reference for their
// layout.
//
// # Common rules
//
// Every file carries key-value metadata for provenance (action key,
// parameters, versions, git revision: whatever the caller passes). In a
// Parquet file it is the footer's key-value metadata; in an Arrow IPC file
// it is the schema's custom metadata. Keys and values must be valid UTF-8;
// keys starting with "ARROW:" are reserved to Arrow. Each writer adds
//
//	ffchar.kind = metrics/1 | evaluations/1 | confusion/1 | params/1 | dataset/1 | table/1
//
// (KindKey), the kind of file and the version of its schema. Readers check
// it, so a file of another kind or version is refused by name, and return
// the metadata without it.
//
// Writers produce the same bytes for the same input: rows are written in a
// fixed order, metadata sorted by key, and neither format records a time
// or a random identifier (Parquet's created_by is "parquet-go version"
// followed by the arrow-go version, so bytes change with that library's
// version). Outputs can therefore be cached by content.
//
// A file is written to a temporary file in the destination directory
// (".<name>.tmp-*"), synced, and renamed over the final name, and the
// directory is synced; on any error the temporary file is removed and
// nothing appears under, or changes at, the final name. The directory
// must exist.
//
// Readers return a corrupt, truncated or foreign file as a single-line
// *FileError naming the file ("artifacts: <path>: <problem>"); errors about
// content that decodes but is not what the reader expects wrap ErrFormat.
// They never panic, and they do not trust sizes found in the file: Arrow
// IPC files are read whole into memory and their flatbuffer metadata is
// checked before arrow-go decodes it, Parquet column chunks are streamed
// rather than allocated at their declared size, and zstd pages are
// decoded into at most the size their page header declares (the package
// registers that decoder for Parquet's zstd codec; encoding is
// unchanged). Without this, some corrupt counts make the decoders
// exhaust memory, which ends the process rather than returning an error.
// Damage to value bytes can go unnoticed (neither format is checksummed
// here); the cache detects it by content hash.
//
// Identity columns. The tables about runs start with the columns of
// RunInfo, repeated on every row of the run: IdentityColumns.
//
// Every column of these tables is declared once, as a tagged field of its
// row type (RunInfo, MetricsRow, EvaluationRow, ConfusionRow): name,
// Arrow type, unit and meaning. One codec (codec.go) derives the writer,
// the reader and the declarations (IdentityColumns, MetricsColumns, ...)
// that the results folder's SCHEMA.md renders from the tags.
//
// Sweep tables. The tables the correlate job gathers from every run of an
// experiment (curves, evaluations, confusion; RunInfo.LayerWidths set)
// also carry the run's grid axes as data, after the identity columns: one
// column per axis of the experiment's grid, named after the engine field
// and read from the treatment name (package axes), except depth, width and
// recipe, which are identity columns already; an axis named like a column
// of the table (lr) is written as grid_<name> (grid_lr). Integer and float fields
// give int64 and float64 columns; everything else a string, per-layer
// widths as "32x16". The file's metadata lists the axes under
// "ffchar.axes" ("schedule,widths"). Tables with a layer column add, after
// it LayerWidthColumn.
//
// A run's own files (a train job's metrics.parquet, an evaluate job's
// tables, ffchar train --out) have neither: their bytes, and so the cached
// runs, are those written before sweep tables had axes. Group by axes and
// layer_width, never by width, which is the config's width field and
// ignored by runs that set widths:
//
//	SELECT schedule, layer, layer_width, avg(ff_accuracy)
//	FROM 'curves.parquet' WHERE split = 'val' GROUP BY ALL
//
// In the tables below, "nullable" float64 columns hold NULL where the
// engine reports NaN (not computed): peer_loss outside training, the
// classifier columns of a network without a classifier, label metrics not
// computed on training batches, and so on. Readers turn NULL back into NaN.
//
// # Metrics (WriteMetrics, ReadMetrics): Parquet, zstd
//
// One row per run × measurement × split × layer. Two kinds of rows share
// the table:
//
//   - per epoch: split "train" (averaged over the epoch's batches, as
//     loeweX logs them) and "val" (the validation split after the epoch,
//     every label evaluated);
//   - per recorded optimizer step (step recording, ff.Recording): split
//     "probe" (the held-out probe after the step: the first N validation
//     samples with fixed negatives; FF loss, accuracy and goodness per
//     layer and the classifier's accuracy and loss; no ten-label pass, so
//     label_accuracy and goodness_accuracy are NULL), "probe_a" and
//     "probe_b" (the same measurements of the probe's first and second
//     half, in the same pass, when the experiment records the split-half
//     probe: two independent measurements of each curve, from which its
//     reliability is estimated) and "train_stream" (the training batches
//     since the previous recorded step, averaged; none at step 0).
//
// Rows are ordered by run, then step; at a step that ends an epoch the
// epoch's train and val rows come before the step's probe and
// train_stream rows; then by layer. Model-level metrics repeat on each
// layer row of their step and split, so per-layer statistics need no join:
//
//	SELECT layer, corr(ff_accuracy, classifier_accuracy)
//	FROM 'metrics.parquet' WHERE split = 'val' GROUP BY layer
//
//	SELECT step, layer, ff_accuracy FROM 'curves.parquet'
//	WHERE split = 'probe' AND run_id = 'depth=4,width=1000/r0' ORDER BY step, layer
//
// Columns after the identity columns: MetricsColumns, the tags of
// MetricsRow, where every column is declared once with its unit and
// meaning; a sweep table
// leaves out seconds (wall time is not cached: data/timing.csv has it).
//
// WriteMetricsRows writes rows as ReadMetrics returns them (for tables
// concatenated from several files), checking them as WriteMetrics does;
// rows read back write the same bytes. WriteEvaluationRows and
// WriteConfusionRows do the same for the two tables below.
//
// # Evaluations (WriteEvaluations, ReadEvaluations): Parquet, zstd
//
// Test-set evaluation of checkpoints: one row per run × checkpoint epoch ×
// layer. Identity columns, then EvaluationColumns (EvaluationRow).
//
// # Confusion (WriteConfusion, ReadConfusion): Parquet, zstd
//
// The confusion matrices of the same evaluations, in a file of their own
// (written from the same []RunEvaluation): one row per run × epoch ×
// predictor × true class × predicted class, all 100 cells of a matrix
// including zeros. The classifier matrix of a network without a
// classifier (all zero) is left out. Identity columns, then
// ConfusionColumns (ConfusionRow).
//
// # Analysis tables (WriteTable, ReadTable): Parquet, zstd
//
// A Table of analysis results, one column per Column, in order: string
// (not null), int64 (not null) or float64 (nullable, NaN as NULL). An
// integer column named like an int32 column of the run tables (depth,
// width, layer, layer_width, epoch, step) is int32, as there, so that
// analysis and sweep tables join on it. The
// table's name and title are stored under the metadata keys ffchar.table
// and ffchar.title. Table also renders itself as CSV, Markdown and LaTeX.
//
// # Parameters (WriteParams, ReadParams): Arrow IPC file
//
// One record batch, one row per tensor of []ff.Param, in order (for a
// network: layer<l>.weight, layer<l>.bias for each layer, then
// classifier.weight):
//
//	name  utf8                       tensor name
//	rows  int32                      rows
//	cols  int32                      columns
//	data  list<float32 not null>     rows×cols values, row-major
//
// Values are stored as raw float32, so a round trip is bit-exact (NaN
// payloads, signed zeros). The schema metadata is where the caller puts
// what rebuilding the network needs besides the tensors (the Config as
// JSON, seed, epoch).
//
// # Prepared data set (WriteDataset, ReadDataset): Arrow IPC file
//
// Named splits of ff.Data (for example train, val, test), in split-name
// order, each in record batches of DatasetBatchRows samples (the last
// batch of a split may be shorter; a batch never mixes splits):
//
//	split   utf8                                    split name
//	index   int32                                   sample position within its split, from 0
//	label   uint8                                   class 0..9
//	pixels  fixed_size_list<float32 not null>[F]    the sample's F features (MNIST: 784, scaled to [0, 1])
//
// The schema metadata records where the data came from (source,
// checksums of the files read). ReadDataset sizes each split from a first
// pass over the batches and copies each batch's pixels with one copy, so
// reading MNIST costs the file's size plus the result's.
package artifacts
