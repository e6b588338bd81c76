package artifacts

import (
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/ffchar/ffchar/ff"
)

// The values of the split column of a metrics table.
const (
	SplitTrain = "train"
	SplitVal   = "val"
)

// RunInfo identifies a training run. Its fields become the identity
// columns (run_id, treatment, recipe, depth, width, seed) of every table
// row about the run.
type RunInfo struct {
	RunID     string // unique within a table; must not be empty
	Treatment string // the experimental condition the run belongs to
	Recipe    string
	Depth     int
	Width     int
	Seed      uint64
}

func (r *RunInfo) check() error {
	switch {
	case r.RunID == "":
		return errors.New("run with an empty run ID")
	case !utf8.ValidString(r.RunID) || !utf8.ValidString(r.Treatment) || !utf8.ValidString(r.Recipe):
		return fmt.Errorf("run %q: identity strings must be valid UTF-8", r.RunID)
	case r.Depth < 1 || r.Depth > math.MaxInt32:
		return fmt.Errorf("run %q: depth %d out of range", r.RunID, r.Depth)
	case r.Width < 1 || r.Width > math.MaxInt32:
		return fmt.Errorf("run %q: width %d out of range", r.RunID, r.Width)
	}
	return nil
}

// infoColumns holds the identity columns of a table, one entry per row.
type infoColumns struct {
	runID, treatment, recipe []string
	depth, width             []int32
	seed                     []uint64
}

func (c *infoColumns) append(r *RunInfo) {
	c.runID = append(c.runID, r.RunID)
	c.treatment = append(c.treatment, r.Treatment)
	c.recipe = append(c.recipe, r.Recipe)
	c.depth = append(c.depth, int32(r.Depth))
	c.width = append(c.width, int32(r.Width))
	c.seed = append(c.seed, r.Seed)
}

func (c *infoColumns) write(t *table) {
	t.strings("run_id", c.runID)
	t.strings("treatment", c.treatment)
	t.strings("recipe", c.recipe)
	t.int32s("depth", c.depth)
	t.int32s("width", c.width)
	t.uint64s("seed", c.seed)
}

func (c *infoColumns) read(cols *columns) {
	c.runID = cols.strings("run_id")
	c.treatment = cols.strings("treatment")
	c.recipe = cols.strings("recipe")
	c.depth = cols.int32s("depth")
	c.width = cols.int32s("width")
	c.seed = cols.uint64s("seed")
}

func (c *infoColumns) row(i int) RunInfo {
	return RunInfo{RunID: c.runID[i], Treatment: c.treatment[i], Recipe: c.recipe[i],
		Depth: int(c.depth[i]), Width: int(c.width[i]), Seed: c.seed[i]}
}

// checkInt32 reports whether v fits the int32 column name, within [lo, MaxInt32].
func checkInt32(name string, v, lo int) error {
	if v < lo || v > math.MaxInt32 {
		return fmt.Errorf("%s %d out of range", name, v)
	}
	return nil
}

// checkRow checks the fields common to rows written directly (rather than
// flattened from engine results): the run's identity, an epoch from 1, a
// layer and a trained layer within the depth, a count that is not
// negative.
func checkRow(r *RunInfo, epoch, layer, trained, count int) error {
	if err := r.check(); err != nil {
		return err
	}
	switch {
	case epoch < 1 || epoch > math.MaxInt32:
		return fmt.Errorf("run %q: epoch %d out of range", r.RunID, epoch)
	case layer < 1 || layer > r.Depth || trained < 0 || trained > r.Depth:
		return fmt.Errorf("run %q epoch %d: layer %d (trained %d) out of range for depth %d", r.RunID, epoch, layer, trained, r.Depth)
	case count < 0:
		return fmt.Errorf("run %q epoch %d: negative count %d", r.RunID, epoch, count)
	}
	return nil
}

// RunMetrics is one run's per-epoch metrics as the training loop reports
// them.
type RunMetrics struct {
	Info   RunInfo
	Epochs []ff.EpochMetrics
}

// MetricsRow is one row of a metrics table: one layer of one split of one
// epoch of one run. The model-level fields (ClassifierAccuracy,
// ClassifierLoss, GoodnessAccuracy, Samples) repeat on every layer row of
// the same epoch and split. NULL is read back as NaN.
type MetricsRow struct {
	RunInfo
	Epoch        int    // from 1
	Split        string // SplitTrain or SplitVal
	Layer        int    // from 1
	LayerTrained int    // 0 when all layers are trained, else the layer trained this epoch
	LR           float64
	Seconds      float64 // wall time of the epoch's training

	FFLoss        float64
	FFAccuracy    float64
	GoodnessPos   float64
	GoodnessNeg   float64
	LabelAccuracy float64
	PeerLoss      float64

	ClassifierAccuracy float64
	ClassifierLoss     float64
	GoodnessAccuracy   float64
	Samples            int
}

// MetricsRows flattens runs into table rows in file order: by run, epoch,
// split (train before val), layer. An epoch without validation has only
// train rows.
func MetricsRows(runs []RunMetrics) ([]MetricsRow, error) {
	var rows []MetricsRow
	seen := make(map[string]bool, len(runs))
	for i := range runs {
		r := &runs[i]
		if err := r.Info.check(); err != nil {
			return nil, err
		}
		if seen[r.Info.RunID] {
			return nil, fmt.Errorf("run %q appears twice", r.Info.RunID)
		}
		seen[r.Info.RunID] = true
		for j := range r.Epochs {
			e := &r.Epochs[j]
			if err := checkInt32("epoch", e.Epoch, 1); err != nil {
				return nil, fmt.Errorf("run %q: %w", r.Info.RunID, err)
			}
			if e.Layer < 0 || e.Layer > r.Info.Depth {
				return nil, fmt.Errorf("run %q epoch %d: trained layer %d, depth %d", r.Info.RunID, e.Epoch, e.Layer, r.Info.Depth)
			}
			add := func(split string, s *ff.SplitMetrics) error {
				if len(s.Layers) != r.Info.Depth {
					return fmt.Errorf("run %q epoch %d: %s split has %d layers, depth %d",
						r.Info.RunID, e.Epoch, split, len(s.Layers), r.Info.Depth)
				}
				for l, lm := range s.Layers {
					rows = append(rows, MetricsRow{
						RunInfo: r.Info, Epoch: e.Epoch, Split: split, Layer: l + 1, LayerTrained: e.Layer,
						LR: e.LR, Seconds: e.Seconds,
						FFLoss: lm.Loss, FFAccuracy: lm.Accuracy, GoodnessPos: lm.GoodnessPos, GoodnessNeg: lm.GoodnessNeg,
						LabelAccuracy: lm.LabelAccuracy, PeerLoss: lm.PeerLoss,
						ClassifierAccuracy: s.ClassifierAccuracy, ClassifierLoss: s.ClassifierLoss,
						GoodnessAccuracy: s.GoodnessAccuracy, Samples: s.Samples,
					})
				}
				return nil
			}
			if err := add(SplitTrain, &e.Train); err != nil {
				return nil, err
			}
			if e.Val != nil {
				if err := add(SplitVal, e.Val); err != nil {
					return nil, err
				}
			}
		}
	}
	return rows, nil
}

// WriteMetrics writes the metrics of runs to path as a Parquet table (see
// the package documentation for its columns), with meta as the file's
// key-value metadata. The file is replaced atomically; on error nothing is
// written.
func WriteMetrics(path string, runs []RunMetrics, meta map[string]string) error {
	return writeParquetFile(path, kindMetrics, meta, func() (*table, error) {
		rows, err := MetricsRows(runs)
		if err != nil {
			return nil, err
		}
		return metricsTable(rows), nil
	})
}

func metricsTable(rows []MetricsRow) *table {
	n := len(rows)
	var (
		info                            infoColumns
		epoch, split, layer, trained    = make([]int32, n), make([]string, n), make([]int32, n), make([]int32, n)
		lr, seconds                     = make([]float64, n), make([]float64, n)
		loss, acc, gpos, gneg, lacc, pl = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		cacc, closs, gacc               = make([]float64, n), make([]float64, n), make([]float64, n)
		samples                         = make([]int64, n)
	)
	for i := range rows {
		r := &rows[i]
		info.append(&r.RunInfo)
		epoch[i], split[i], layer[i], trained[i] = int32(r.Epoch), r.Split, int32(r.Layer), int32(r.LayerTrained)
		lr[i], seconds[i] = r.LR, r.Seconds
		loss[i], acc[i], gpos[i], gneg[i], lacc[i], pl[i] = r.FFLoss, r.FFAccuracy, r.GoodnessPos, r.GoodnessNeg, r.LabelAccuracy, r.PeerLoss
		cacc[i], closs[i], gacc[i] = r.ClassifierAccuracy, r.ClassifierLoss, r.GoodnessAccuracy
		samples[i] = int64(r.Samples)
	}
	t := newTable(n)
	info.write(t)
	t.int32s("epoch", epoch)
	t.strings("split", split)
	t.int32s("layer", layer)
	t.int32s("layer_trained", trained)
	t.float64s("lr", lr)
	t.float64s("seconds", seconds)
	t.nullableFloat64s("ff_loss", loss)
	t.nullableFloat64s("ff_accuracy", acc)
	t.nullableFloat64s("goodness_pos", gpos)
	t.nullableFloat64s("goodness_neg", gneg)
	t.nullableFloat64s("label_accuracy", lacc)
	t.nullableFloat64s("peer_loss", pl)
	t.nullableFloat64s("classifier_accuracy", cacc)
	t.nullableFloat64s("classifier_loss", closs)
	t.nullableFloat64s("goodness_accuracy", gacc)
	t.int64s("samples", samples)
	return t
}

// ReadMetrics reads a table written by WriteMetrics, returning its rows in
// file order and its key-value metadata (without KindKey).
func ReadMetrics(path string) (rows []MetricsRow, meta map[string]string, err error) {
	defer readGuard(path, &err)
	cols, meta, err := readParquet(path, kindMetrics)
	if err != nil {
		return nil, nil, err
	}
	defer cols.release()
	var info infoColumns
	info.read(cols)
	var (
		epoch, layer, trained = cols.int32s("epoch"), cols.int32s("layer"), cols.int32s("layer_trained")
		split                 = cols.strings("split")
		lr, seconds           = cols.float64s("lr"), cols.float64s("seconds")
		loss, acc             = cols.float64s("ff_loss"), cols.float64s("ff_accuracy")
		gpos, gneg            = cols.float64s("goodness_pos"), cols.float64s("goodness_neg")
		lacc, pl              = cols.float64s("label_accuracy"), cols.float64s("peer_loss")
		cacc, closs, gacc     = cols.float64s("classifier_accuracy"), cols.float64s("classifier_loss"), cols.float64s("goodness_accuracy")
		samples               = cols.int64s("samples")
	)
	if cols.err != nil {
		return nil, nil, cols.err
	}
	rows = make([]MetricsRow, cols.rows)
	for i := range rows {
		rows[i] = MetricsRow{
			RunInfo: info.row(i), Epoch: int(epoch[i]), Split: split[i], Layer: int(layer[i]), LayerTrained: int(trained[i]),
			LR: lr[i], Seconds: seconds[i],
			FFLoss: loss[i], FFAccuracy: acc[i], GoodnessPos: gpos[i], GoodnessNeg: gneg[i],
			LabelAccuracy: lacc[i], PeerLoss: pl[i],
			ClassifierAccuracy: cacc[i], ClassifierLoss: closs[i], GoodnessAccuracy: gacc[i],
			Samples: int(samples[i]),
		}
	}
	return rows, meta, nil
}

// WriteMetricsRows writes rows, as ReadMetrics returns them, to path in
// WriteMetrics' format: for tables concatenated from several files.
func WriteMetricsRows(path string, rows []MetricsRow, meta map[string]string) error {
	return writeParquetFile(path, kindMetrics, meta, func() (*table, error) {
		for i := range rows {
			r := &rows[i]
			err := checkRow(&r.RunInfo, r.Epoch, r.Layer, r.LayerTrained, r.Samples)
			if err == nil && r.Split != SplitTrain && r.Split != SplitVal {
				err = fmt.Errorf("split %q", r.Split)
			}
			if err != nil {
				return nil, fmt.Errorf("row %d: %w", i, err)
			}
		}
		return metricsTable(rows), nil
	})
}
