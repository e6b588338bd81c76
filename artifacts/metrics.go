package artifacts

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"unicode/utf8"

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

// RunInfo identifies a training run. Its fields are the identity columns
// of every table row about the run (IdentityColumns).
type RunInfo struct {
	// RunID is unique within a table; must not be empty.
	RunID     string `col:"run_id,utf8" doc:"the run: its treatment and replicate (\"depth=2,width=100/r3\"); unique per run within a file"`
	Treatment string `col:"treatment,utf8" doc:"the experimental condition: the run's grid axes as key=value pairs"`
	Recipe    string `col:"recipe,utf8" doc:"\"loewe\" or \"pezeshki\": the defaults the run's configuration starts from"`
	Depth     int    `col:"depth,int32" unit:"layers" doc:"FF layers of the network"`
	Width     int    `col:"width,int32" unit:"units" doc:"the config's width field (ignored by runs that set widths: group by layer_width)"`
	Seed      uint64 `col:"seed,uint64" doc:"the run's seed, derived from the experiment's master seed, treatment and replicate"`
	// LayerWidths is set in sweep tables only (nil in a run's own files):
	// each layer's width, whether the run set width or widths. A sweep
	// table also has one column per grid axis, read from Treatment (see
	// package axes), and this layer_width column after its layer column.
	LayerWidths []int `col:"layer_width,int32" unit:"units" doc:"the layer's width, from width or widths"`
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
// the same epoch and split. NULL is read back as NaN. The tags declare the
// table's columns (see codec.go); a sweep table has no seconds column:
// wall time is not part of a cached table (data/timing.csv has it), so it
// was NaN on every row.
type MetricsRow struct {
	RunInfo
	Epoch        int     `col:"epoch,int32" unit:"epochs" doc:"from 1; on step rows the epoch whose batch the step ended (0 for step 0)"`
	Step         int     `col:"step,int32,optional" unit:"steps" doc:"optimizer steps since initialisation, 0 = untrained; an epoch row has the step ending its epoch"`
	Split        string  `col:"split,utf8" doc:"\"train\" (the epoch's batches, averaged), \"val\" (validation split after the epoch), \"probe\" (held-out probe after the step), \"probe_a\"/\"probe_b\" (its halves), \"train_stream\" (training batches since the previous recorded step)"`
	Layer        int     `col:"layer,int32,layer" doc:"FF layer, from 1"`
	LayerTrained int     `col:"layer_trained,int32" doc:"0 when all layers train, else the layer the greedy schedule trained"`
	LR           float64 `col:"lr,float64" doc:"FF learning rate of the epoch"`
	Seconds      float64 `col:"seconds,float64,optional,own" unit:"s" doc:"wall time of the epoch's training (same on its val rows; NaN on step rows); a run's own table only"`

	LayerMeasures
	PeerLoss float64 `col:"peer_loss,float64,null" doc:"peer-normalisation loss; NULL outside training"`
	ModelMeasures
	Samples int `col:"samples,int64" unit:"samples" doc:"samples the split's metrics cover"`
}

// LayerMeasures are a layer's FF measurements, columns of the metrics
// and evaluations tables alike.
type LayerMeasures struct {
	FFLoss        float64 `col:"ff_loss,float64,null" doc:"the layer's FF loss on the row's split; NULL where not computed"`
	FFAccuracy    float64 `col:"ff_accuracy,float64,null" unit:"fraction" doc:"the layer's positive/negative accuracy; NULL where not computed"`
	GoodnessPos   float64 `col:"goodness_pos,float64,null" doc:"mean goodness of positive samples; NULL where not computed"`
	GoodnessNeg   float64 `col:"goodness_neg,float64,null" doc:"mean goodness of negative samples; NULL where not computed"`
	LabelAccuracy float64 `col:"label_accuracy,float64,null" unit:"fraction" doc:"the layer's own 10-class accuracy; NULL where not computed (probe and training rows)"`
}

// ModelMeasures are the model's accuracy and loss, repeated on each layer
// row of the metrics and evaluations tables, so that per-layer statistics
// need no join.
type ModelMeasures struct {
	ClassifierAccuracy float64 `col:"classifier_accuracy,float64,null" unit:"fraction" doc:"model: the softmax classifier's accuracy, repeated on each layer row; NULL without a classifier"`
	ClassifierLoss     float64 `col:"classifier_loss,float64,null" doc:"model: the softmax classifier's loss, repeated on each layer row; NULL without a classifier"`
	GoodnessAccuracy   float64 `col:"goodness_accuracy,float64,null" unit:"fraction" doc:"model: goodness-over-labels accuracy, repeated on each layer row; NULL where not computed (probe and training rows)"`
}

// layerMeasures and modelMeasures copy the engine's measurements into
// their columns.
func layerMeasures(lm *ff.LayerMetrics) LayerMeasures {
	return LayerMeasures{FFLoss: lm.Loss, FFAccuracy: lm.Accuracy, GoodnessPos: lm.GoodnessPos, GoodnessNeg: lm.GoodnessNeg,
		LabelAccuracy: lm.LabelAccuracy}
}

func modelMeasures(s *ff.SplitMetrics) ModelMeasures {
	return ModelMeasures{ClassifierAccuracy: s.ClassifierAccuracy, ClassifierLoss: s.ClassifierLoss, GoodnessAccuracy: s.GoodnessAccuracy}
}

var metricsCodec = newCodec[MetricsRow](kindMetrics)

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
					LayerMeasures: layerMeasures(&lm), PeerLoss: lm.PeerLoss, ModelMeasures: modelMeasures(s),
					Samples: s.Samples,
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
	return writeRows(metricsCodec, path, meta, func() ([]MetricsRow, error) { return MetricsRows(runs) })
}

// ReadMetrics reads a table written by WriteMetrics, returning its rows in
// file order and its key-value metadata (without KindKey).
func ReadMetrics(path string) ([]MetricsRow, map[string]string, error) {
	return readRows[MetricsRow](metricsCodec, path)
}

// WriteMetricsRows writes rows, as ReadMetrics returns them, to path in
// WriteMetrics' format: for tables concatenated from several files.
func WriteMetricsRows(path string, rows []MetricsRow, meta map[string]string) error {
	return writeRows(metricsCodec, path, meta, func() ([]MetricsRow, error) {
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
		return rows, nil
	})
}
