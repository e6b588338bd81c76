package artifacts

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ffchar/ffchar/axes"
	"github.com/ffchar/ffchar/ff"
)

// The values of the split column of a metrics table.
const (
	// SplitTrain rows average an epoch's training batches.
	SplitTrain = "train"
	// SplitVal rows evaluate the validation split after an epoch.
	SplitVal = "val"
	// SplitProbe rows measure the held-out probe after a scheduled step.
	SplitProbe = "probe"
	// SplitStream rows average the training batches since the previous
	// scheduled step.
	SplitStream = "train_stream"
	// SplitProbeA and SplitProbeB rows measure the first and the second
	// half of the probe at the same step as its SplitProbe rows (the
	// split-half probe, when the experiment records it): two independent
	// measurements of one curve, whose agreement is its reliability.
	SplitProbeA = "probe_a"
	SplitProbeB = "probe_b"
)

// StepSplit reports whether rows of split are measured at a scheduled
// step (the probe, its halves and the training stream) rather than after
// an epoch.
func StepSplit(split string) bool {
	return split == SplitProbe || split == SplitProbeA || split == SplitProbeB || split == SplitStream
}

// Splits lists the split column's values in the order rows of one step
// appear.
var Splits = []string{SplitTrain, SplitVal, SplitProbe, SplitProbeA, SplitProbeB, SplitStream}

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
	// LayerWidths is set in sweep tables only (nil in a run's own files):
	// each layer's width, whether the run set width or widths. A sweep
	// table also has one column per grid axis, read from Treatment (see
	// package axes), and a layer_width column.
	LayerWidths []int
}

// LayerWidth returns the width of layer l (from 1): its entry of
// LayerWidths, or Width.
func (r *RunInfo) LayerWidth(l int) int {
	if l >= 1 && l <= len(r.LayerWidths) {
		return r.LayerWidths[l-1]
	}
	return r.Width
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

// infoColumns holds the identity columns of a table, one entry per row,
// and in a sweep table the axis columns.
type infoColumns struct {
	runID, treatment, recipe []string
	depth, width             []int32
	seed                     []uint64
	sweep                    bool
	layerWidths              [][]int
}

func (c *infoColumns) append(r *RunInfo) {
	if len(c.runID) == 0 {
		c.sweep = r.LayerWidths != nil
	}
	if c.sweep {
		c.layerWidths = append(c.layerWidths, r.LayerWidths)
	}
	c.runID = append(c.runID, r.RunID)
	c.treatment = append(c.treatment, r.Treatment)
	c.recipe = append(c.recipe, r.Recipe)
	c.depth = append(c.depth, int32(r.Depth))
	c.width = append(c.width, int32(r.Width))
	c.seed = append(c.seed, r.Seed)
}

func (c *infoColumns) write(t *table) error {
	t.strings("run_id", c.runID)
	t.strings("treatment", c.treatment)
	t.strings("recipe", c.recipe)
	t.int32s("depth", c.depth)
	t.int32s("width", c.width)
	t.uint64s("seed", c.seed)
	if !c.sweep {
		return nil
	}
	names, err := AxisNames(c.treatment)
	if err != nil {
		return err
	}
	// Each run's treatment repeats on all its rows: parse each name once.
	parsed := map[string][]axes.Axis{}
	for _, t := range c.treatment {
		if _, ok := parsed[t]; !ok {
			parsed[t] = axes.Parse(t)
		}
	}
	for _, name := range names {
		if IdentityColumn(name) {
			continue
		}
		vals := make([]string, len(c.treatment))
		for i, t := range c.treatment {
			vals[i], _ = axes.Lookup(parsed[t], name)
		}
		c := AxisColumn(name, vals)
		c.Name = AxisColumnName(name)
		t.column(c)
	}
	t.meta = map[string]string{AxesKey: strings.Join(names, ",")}
	return nil
}

// layerWidth writes, in a sweep table, each row's layer width after the
// layer column.
func (c *infoColumns) layerWidth(t *table, layer []int32) {
	if !c.sweep {
		return
	}
	lw := make([]int32, len(layer))
	for i, l := range layer {
		r := RunInfo{Width: int(c.width[i]), LayerWidths: c.layerWidths[i]}
		lw[i] = int32(r.LayerWidth(int(l)))
	}
	t.int32s("layer_width", lw)
}

// readLayerWidths fills the rows' LayerWidths from a sweep table's
// layer_width column; a sweep table without layers (confusion) gets empty
// ones, which mark the rows as a sweep's.
func readLayerWidths(cols *columns, meta map[string]string, infos []RunInfo, layer []int32) {
	if _, ok := meta[AxesKey]; !ok {
		return
	}
	var lw []int32
	if layer != nil {
		lw = cols.int32s("layer_width")
	}
	byRun := map[string][]int{}
	for i := range infos {
		ws, ok := byRun[infos[i].RunID]
		if !ok {
			ws = []int{}
			if lw != nil {
				ws = make([]int, infos[i].Depth)
			}
		}
		if lw != nil && int(layer[i]) >= 1 && int(layer[i]) <= len(ws) {
			ws[layer[i]-1] = int(lw[i])
		}
		byRun[infos[i].RunID] = ws
	}
	for i := range infos {
		infos[i].LayerWidths = byRun[infos[i].RunID]
	}
}

func (c *infoColumns) read(cols *columns) {
	c.runID = cols.strings("run_id")
	c.treatment = cols.strings("treatment")
	c.recipe = cols.strings("recipe")
	c.depth = cols.int32s("depth")
	c.width = cols.int32s("width")
	c.seed = cols.uint64s("seed")
}

func (c *infoColumns) rows(n int) []RunInfo {
	infos := make([]RunInfo, n)
	for i := range infos {
		infos[i] = c.row(i)
	}
	return infos
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

// RunMetrics is one run's metrics as the training loop reports them.
type RunMetrics struct {
	Info   RunInfo
	Epochs []ff.EpochMetrics
	// Steps are the measurements at scheduled optimizer steps, ascending;
	// empty when step recording is off.
	Steps []ff.StepMetrics
	// StepsPerEpoch is the number of optimizer steps in an epoch: the
	// per-epoch rows of epoch e get step e × StepsPerEpoch.
	StepsPerEpoch int
}

// MetricsRow is one row of a metrics table: one layer of one split of one
// epoch (SplitTrain, SplitVal) or one scheduled step (SplitProbe,
// SplitStream) of one run. The model-level fields (ClassifierAccuracy,
// ClassifierLoss, GoodnessAccuracy, Samples) repeat on every layer row of
// the same epoch and split. NULL is read back as NaN.
type MetricsRow struct {
	RunInfo
	// Epoch is from 1; for step rows, the epoch the step ends a batch of (0
	// for step 0).
	Epoch int
	// Step counts optimizer steps since initialisation, 0 = untrained; an
	// epoch row has the step that ends its epoch.
	Step         int
	Split        string // one of Splits
	Layer        int    // from 1
	LayerTrained int    // 0 when all layers are trained, else the layer being trained
	LR           float64
	Seconds      float64 // wall time of the epoch's training; NaN on step rows

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

// MetricsRows flattens runs into table rows in file order: by run, then
// by step, the rows of one step in Splits order (an epoch's train and val
// rows before the probe and stream rows of the step that ends it), then
// by layer. An epoch without validation has only train rows; step 0 has no
// stream rows.
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
		if r.StepsPerEpoch < 0 || (r.StepsPerEpoch == 0 && len(r.Epochs) > 0) {
			return nil, fmt.Errorf("run %q: %d steps per epoch", r.Info.RunID, r.StepsPerEpoch)
		}
		add := func(epoch, step, trained int, lr, seconds float64, split string, s *ff.SplitMetrics) error {
			if len(s.Layers) != r.Info.Depth {
				return fmt.Errorf("run %q step %d: %s split has %d layers, depth %d",
					r.Info.RunID, step, split, len(s.Layers), r.Info.Depth)
			}
			for l, lm := range s.Layers {
				rows = append(rows, MetricsRow{
					RunInfo: r.Info, Epoch: epoch, Step: step, Split: split, Layer: l + 1, LayerTrained: trained,
					LR: lr, Seconds: seconds,
					FFLoss: lm.Loss, FFAccuracy: lm.Accuracy, GoodnessPos: lm.GoodnessPos, GoodnessNeg: lm.GoodnessNeg,
					LabelAccuracy: lm.LabelAccuracy, PeerLoss: lm.PeerLoss,
					ClassifierAccuracy: s.ClassifierAccuracy, ClassifierLoss: s.ClassifierLoss,
					GoodnessAccuracy: s.GoodnessAccuracy, Samples: s.Samples,
				})
			}
			return nil
		}
		j, k := 0, 0 // next epoch, next step
		for j < len(r.Epochs) || k < len(r.Steps) {
			if j < len(r.Epochs) && (k == len(r.Steps) || r.Epochs[j].Epoch*r.StepsPerEpoch <= r.Steps[k].Step) {
				e := &r.Epochs[j]
				j++
				if err := checkInt32("epoch", e.Epoch, 1); err != nil {
					return nil, fmt.Errorf("run %q: %w", r.Info.RunID, err)
				}
				if e.Layer < 0 || e.Layer > r.Info.Depth {
					return nil, fmt.Errorf("run %q epoch %d: trained layer %d, depth %d", r.Info.RunID, e.Epoch, e.Layer, r.Info.Depth)
				}
				step := e.Epoch * r.StepsPerEpoch
				if err := checkInt32("step", step, 1); err != nil {
					return nil, fmt.Errorf("run %q epoch %d: %w", r.Info.RunID, e.Epoch, err)
				}
				if err := add(e.Epoch, step, e.Layer, e.LR, e.Seconds, SplitTrain, &e.Train); err != nil {
					return nil, err
				}
				if e.Val != nil {
					if err := add(e.Epoch, step, e.Layer, e.LR, e.Seconds, SplitVal, e.Val); err != nil {
						return nil, err
					}
				}
				continue
			}
			m := &r.Steps[k]
			k++
			if err := checkInt32("step", m.Step, 0); err != nil {
				return nil, fmt.Errorf("run %q: %w", r.Info.RunID, err)
			}
			if k > 1 && m.Step <= r.Steps[k-2].Step {
				return nil, fmt.Errorf("run %q: step %d after step %d", r.Info.RunID, m.Step, r.Steps[k-2].Step)
			}
			if m.Layer < 0 || m.Layer > r.Info.Depth || m.Epoch < 0 || m.Epoch > math.MaxInt32 {
				return nil, fmt.Errorf("run %q step %d: epoch %d, trained layer %d, depth %d", r.Info.RunID, m.Step, m.Epoch, m.Layer, r.Info.Depth)
			}
			if m.Probe != nil {
				if err := add(m.Epoch, m.Step, m.Layer, m.LR, math.NaN(), SplitProbe, m.Probe); err != nil {
					return nil, err
				}
			}
			if len(m.ProbeHalves) != 0 && len(m.ProbeHalves) != 2 {
				return nil, fmt.Errorf("run %q step %d: %d probe halves", r.Info.RunID, m.Step, len(m.ProbeHalves))
			}
			for h, split := range []string{SplitProbeA, SplitProbeB}[:len(m.ProbeHalves)] {
				if err := add(m.Epoch, m.Step, m.Layer, m.LR, math.NaN(), split, &m.ProbeHalves[h]); err != nil {
					return nil, err
				}
			}
			if m.Train != nil {
				if err := add(m.Epoch, m.Step, m.Layer, m.LR, math.NaN(), SplitStream, m.Train); err != nil {
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
		return metricsTable(rows)
	})
}

func metricsTable(rows []MetricsRow) (*table, error) {
	n := len(rows)
	var (
		info                            infoColumns
		epoch, split, layer, trained    = make([]int32, n), make([]string, n), make([]int32, n), make([]int32, n)
		step                            = make([]int32, n)
		lr, seconds                     = make([]float64, n), make([]float64, n)
		loss, acc, gpos, gneg, lacc, pl = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		cacc, closs, gacc               = make([]float64, n), make([]float64, n), make([]float64, n)
		samples                         = make([]int64, n)
	)
	for i := range rows {
		r := &rows[i]
		info.append(&r.RunInfo)
		epoch[i], split[i], layer[i], trained[i] = int32(r.Epoch), r.Split, int32(r.Layer), int32(r.LayerTrained)
		step[i] = int32(r.Step)
		lr[i], seconds[i] = r.LR, r.Seconds
		loss[i], acc[i], gpos[i], gneg[i], lacc[i], pl[i] = r.FFLoss, r.FFAccuracy, r.GoodnessPos, r.GoodnessNeg, r.LabelAccuracy, r.PeerLoss
		cacc[i], closs[i], gacc[i] = r.ClassifierAccuracy, r.ClassifierLoss, r.GoodnessAccuracy
		samples[i] = int64(r.Samples)
	}
	t := newTable(n)
	if err := info.write(t); err != nil {
		return nil, err
	}
	t.int32s("epoch", epoch)
	t.int32s("step", step)
	t.strings("split", split)
	t.int32s("layer", layer)
	info.layerWidth(t, layer)
	t.int32s("layer_trained", trained)
	t.float64s("lr", lr)
	if !info.sweep {
		// A sweep table comes from cached runs, whose wall times are not
		// cached (they vary between identical runs): always NaN there.
		t.float64s(SecondsColumn, seconds)
	}
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
	return t, nil
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
		step                  = cols.optionalInt32s("step")
		split                 = cols.strings("split")
		lr, seconds           = cols.float64s("lr"), cols.optionalNaNs(SecondsColumn)
		loss, acc             = cols.float64s("ff_loss"), cols.float64s("ff_accuracy")
		gpos, gneg            = cols.float64s("goodness_pos"), cols.float64s("goodness_neg")
		lacc, pl              = cols.float64s("label_accuracy"), cols.float64s("peer_loss")
		cacc, closs, gacc     = cols.float64s("classifier_accuracy"), cols.float64s("classifier_loss"), cols.float64s("goodness_accuracy")
		samples               = cols.int64s("samples")
	)
	if cols.err != nil {
		return nil, nil, cols.err
	}
	infos := info.rows(cols.rows)
	readLayerWidths(cols, meta, infos, layer)
	if cols.err != nil {
		return nil, nil, cols.err
	}
	rows = make([]MetricsRow, cols.rows)
	for i := range rows {
		rows[i] = MetricsRow{
			RunInfo: infos[i], Epoch: int(epoch[i]), Step: int(step[i]), Split: split[i], Layer: int(layer[i]), LayerTrained: int(trained[i]),
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
			stepRow := StepSplit(r.Split)
			epoch := r.Epoch
			if stepRow && epoch == 0 && r.Step == 0 {
				epoch = 1 // step 0 belongs to no epoch
			}
			err := checkRow(&r.RunInfo, epoch, r.Layer, r.LayerTrained, r.Samples)
			switch {
			case err != nil:
			case !slices.Contains(Splits, r.Split):
				err = fmt.Errorf("split %q", r.Split)
			case r.Step < 0 || r.Step > math.MaxInt32 || (!stepRow && r.Step < 1):
				err = fmt.Errorf("split %s epoch %d: step %d out of range", r.Split, r.Epoch, r.Step)
			}
			if err != nil {
				return nil, fmt.Errorf("row %d: %w", i, err)
			}
		}
		return metricsTable(rows)
	})
}
