package artifacts

import (
	"fmt"

	"github.com/ffchar/ffchar/ff"
)

// The values of the predictor column of a confusion table.
const (
	PredictorClassifier = "classifier"
	PredictorGoodness   = "goodness"
)

// RunEvaluation is the evaluation of one checkpoint of one run on the test
// set.
type RunEvaluation struct {
	Info  RunInfo
	Epoch int // the checkpoint's epoch, from 1
	Step  int // optimizer steps at the checkpoint, from 1
	Eval  *ff.Evaluation
}

// EvaluationRow is one row of an evaluations table: one layer of one
// checkpoint of one run. The model-level fields repeat on every layer row
// of the same checkpoint. NULL is read back as NaN.
type EvaluationRow struct {
	RunInfo
	Epoch int
	Step  int // optimizer steps at the checkpoint
	Layer int // from 1

	FFLoss        float64
	FFAccuracy    float64
	GoodnessPos   float64
	GoodnessNeg   float64
	LabelAccuracy float64

	ClassifierAccuracy float64
	ClassifierLoss     float64
	GoodnessAccuracy   float64
	Samples            int
}

// ConfusionRow is one cell of a confusion matrix: how many test samples of
// class TrueClass a predictor assigned to PredictedClass.
type ConfusionRow struct {
	RunInfo
	Epoch          int
	Step           int    // optimizer steps at the checkpoint
	Predictor      string // PredictorClassifier or PredictorGoodness
	TrueClass      int
	PredictedClass int
	Count          int
}

// checkEvaluations validates evals and their identity: each (run, epoch)
// once, and layers matching the run's depth.
func checkEvaluations(evals []RunEvaluation) error {
	type key struct {
		run   string
		epoch int
	}
	seen := make(map[key]bool, len(evals))
	for i := range evals {
		e := &evals[i]
		if err := e.Info.check(); err != nil {
			return err
		}
		if err := checkInt32("epoch", e.Epoch, 1); err != nil {
			return fmt.Errorf("run %q: %w", e.Info.RunID, err)
		}
		if err := checkInt32("step", e.Step, 1); err != nil {
			return fmt.Errorf("run %q epoch %d: %w", e.Info.RunID, e.Epoch, err)
		}
		if e.Eval == nil {
			return fmt.Errorf("run %q epoch %d: no evaluation", e.Info.RunID, e.Epoch)
		}
		if len(e.Eval.Layers) != e.Info.Depth {
			return fmt.Errorf("run %q epoch %d: %d layers, depth %d", e.Info.RunID, e.Epoch, len(e.Eval.Layers), e.Info.Depth)
		}
		k := key{e.Info.RunID, e.Epoch}
		if seen[k] {
			return fmt.Errorf("run %q epoch %d appears twice", e.Info.RunID, e.Epoch)
		}
		seen[k] = true
	}
	return nil
}

// EvaluationRows flattens evals into table rows in file order: by
// evaluation, then layer.
func EvaluationRows(evals []RunEvaluation) ([]EvaluationRow, error) {
	if err := checkEvaluations(evals); err != nil {
		return nil, err
	}
	var rows []EvaluationRow
	for i := range evals {
		e := &evals[i]
		s := &e.Eval.SplitMetrics
		for l, lm := range s.Layers {
			rows = append(rows, EvaluationRow{
				RunInfo: e.Info, Epoch: e.Epoch, Step: e.Step, Layer: l + 1,
				FFLoss: lm.Loss, FFAccuracy: lm.Accuracy, GoodnessPos: lm.GoodnessPos, GoodnessNeg: lm.GoodnessNeg,
				LabelAccuracy:      lm.LabelAccuracy,
				ClassifierAccuracy: s.ClassifierAccuracy, ClassifierLoss: s.ClassifierLoss,
				GoodnessAccuracy: s.GoodnessAccuracy, Samples: s.Samples,
			})
		}
	}
	return rows, nil
}

// ConfusionRows flattens the confusion matrices of evals into table rows
// in file order: by evaluation, predictor (classifier, goodness), true
// class, predicted class. All NumClasses² cells are listed, zeros
// included, for each predictor that made predictions: a network without a
// classifier has an all-zero classifier matrix, which is left out.
func ConfusionRows(evals []RunEvaluation) ([]ConfusionRow, error) {
	if err := checkEvaluations(evals); err != nil {
		return nil, err
	}
	var rows []ConfusionRow
	for i := range evals {
		e := &evals[i]
		for _, p := range []struct {
			name string
			m    *[ff.NumClasses][ff.NumClasses]int
		}{
			{PredictorClassifier, &e.Eval.Confusion},
			{PredictorGoodness, &e.Eval.GoodnessConfusion},
		} {
			total := 0
			for t := range p.m {
				for _, c := range p.m[t] {
					if c < 0 {
						return nil, fmt.Errorf("run %q epoch %d: negative count in %s confusion", e.Info.RunID, e.Epoch, p.name)
					}
					total += c
				}
			}
			if total == 0 {
				continue
			}
			for t := range p.m {
				for q, c := range p.m[t] {
					rows = append(rows, ConfusionRow{RunInfo: e.Info, Epoch: e.Epoch, Step: e.Step, Predictor: p.name,
						TrueClass: t, PredictedClass: q, Count: c})
				}
			}
		}
	}
	return rows, nil
}

// WriteEvaluations writes the per-layer and model metrics of evals to path
// as a Parquet table (see the package documentation), with meta as the
// file's key-value metadata. Their confusion matrices go to a separate
// file, written by WriteConfusion. The file is replaced atomically.
func WriteEvaluations(path string, evals []RunEvaluation, meta map[string]string) error {
	return writeParquetFile(path, kindEvaluations, meta, func() (*table, error) {
		rows, err := EvaluationRows(evals)
		if err != nil {
			return nil, err
		}
		return evaluationTable(rows)
	})
}

// WriteEvaluationRows writes rows, as ReadEvaluations returns them, to path
// in WriteEvaluations' format: for tables concatenated from several files.
func WriteEvaluationRows(path string, rows []EvaluationRow, meta map[string]string) error {
	return writeParquetFile(path, kindEvaluations, meta, func() (*table, error) {
		for i := range rows {
			r := &rows[i]
			err := checkRow(&r.RunInfo, r.Epoch, r.Layer, 0, r.Samples)
			if err == nil {
				err = checkInt32("step", r.Step, 1)
			}
			if err != nil {
				return nil, fmt.Errorf("row %d: %w", i, err)
			}
		}
		return evaluationTable(rows)
	})
}

func evaluationTable(rows []EvaluationRow) (*table, error) {
	n := len(rows)
	var (
		info                       infoColumns
		epoch, layer               = make([]int32, n), make([]int32, n)
		step                       = make([]int32, n)
		loss, acc, gpos, gneg, lac = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		cacc, closs, gacc          = make([]float64, n), make([]float64, n), make([]float64, n)
		samples                    = make([]int64, n)
	)
	for i := range rows {
		r := &rows[i]
		info.append(&r.RunInfo)
		epoch[i], layer[i], step[i] = int32(r.Epoch), int32(r.Layer), int32(r.Step)
		loss[i], acc[i], gpos[i], gneg[i], lac[i] = r.FFLoss, r.FFAccuracy, r.GoodnessPos, r.GoodnessNeg, r.LabelAccuracy
		cacc[i], closs[i], gacc[i] = r.ClassifierAccuracy, r.ClassifierLoss, r.GoodnessAccuracy
		samples[i] = int64(r.Samples)
	}
	t := newTable(n)
	if err := info.write(t); err != nil {
		return nil, err
	}
	t.int32s("epoch", epoch)
	t.int32s("step", step)
	t.int32s("layer", layer)
	info.layerWidth(t, layer)
	t.nullableFloat64s("ff_loss", loss)
	t.nullableFloat64s("ff_accuracy", acc)
	t.nullableFloat64s("goodness_pos", gpos)
	t.nullableFloat64s("goodness_neg", gneg)
	t.nullableFloat64s("label_accuracy", lac)
	t.nullableFloat64s("classifier_accuracy", cacc)
	t.nullableFloat64s("classifier_loss", closs)
	t.nullableFloat64s("goodness_accuracy", gacc)
	t.int64s("samples", samples)
	return t, nil
}

// ReadEvaluations reads a table written by WriteEvaluations, returning its
// rows in file order and its key-value metadata (without KindKey).
func ReadEvaluations(path string) (rows []EvaluationRow, meta map[string]string, err error) {
	defer readGuard(path, &err)
	cols, meta, err := readParquet(path, kindEvaluations)
	if err != nil {
		return nil, nil, err
	}
	defer cols.release()
	var info infoColumns
	info.read(cols)
	var (
		epoch, layer      = cols.int32s("epoch"), cols.int32s("layer")
		step              = cols.optionalInt32s("step")
		loss, acc         = cols.float64s("ff_loss"), cols.float64s("ff_accuracy")
		gpos, gneg        = cols.float64s("goodness_pos"), cols.float64s("goodness_neg")
		lac               = cols.float64s("label_accuracy")
		cacc, closs, gacc = cols.float64s("classifier_accuracy"), cols.float64s("classifier_loss"), cols.float64s("goodness_accuracy")
		samples           = cols.int64s("samples")
	)
	if cols.err != nil {
		return nil, nil, cols.err
	}
	infos := info.rows(cols.rows)
	readLayerWidths(cols, meta, infos, layer)
	if cols.err != nil {
		return nil, nil, cols.err
	}
	rows = make([]EvaluationRow, cols.rows)
	for i := range rows {
		rows[i] = EvaluationRow{
			RunInfo: infos[i], Epoch: int(epoch[i]), Step: int(step[i]), Layer: int(layer[i]),
			FFLoss: loss[i], FFAccuracy: acc[i], GoodnessPos: gpos[i], GoodnessNeg: gneg[i], LabelAccuracy: lac[i],
			ClassifierAccuracy: cacc[i], ClassifierLoss: closs[i], GoodnessAccuracy: gacc[i],
			Samples: int(samples[i]),
		}
	}
	return rows, meta, nil
}

// WriteConfusion writes the confusion matrices of evals to path as a
// Parquet table with one row per cell (see ConfusionRows and the package
// documentation), with meta as the file's key-value metadata. The file is
// replaced atomically.
func WriteConfusion(path string, evals []RunEvaluation, meta map[string]string) error {
	return writeParquetFile(path, kindConfusion, meta, func() (*table, error) {
		rows, err := ConfusionRows(evals)
		if err != nil {
			return nil, err
		}
		return confusionTable(rows)
	})
}

// WriteConfusionRows writes rows, as ReadConfusion returns them, to path in
// WriteConfusion's format.
func WriteConfusionRows(path string, rows []ConfusionRow, meta map[string]string) error {
	return writeParquetFile(path, kindConfusion, meta, func() (*table, error) {
		for i := range rows {
			r := &rows[i]
			err := checkRow(&r.RunInfo, r.Epoch, 1, 0, r.Count)
			if err == nil {
				err = checkInt32("step", r.Step, 1)
			}
			switch {
			case err != nil:
			case r.Predictor != PredictorClassifier && r.Predictor != PredictorGoodness:
				err = fmt.Errorf("predictor %q", r.Predictor)
			case r.TrueClass < 0 || r.TrueClass >= ff.NumClasses || r.PredictedClass < 0 || r.PredictedClass >= ff.NumClasses:
				err = fmt.Errorf("classes %d, %d out of range", r.TrueClass, r.PredictedClass)
			}
			if err != nil {
				return nil, fmt.Errorf("row %d: %w", i, err)
			}
		}
		return confusionTable(rows)
	})
}

func confusionTable(rows []ConfusionRow) (*table, error) {
	n := len(rows)
	var (
		info                infoColumns
		epoch, trueC, predC = make([]int32, n), make([]int32, n), make([]int32, n)
		step                = make([]int32, n)
		predictor           = make([]string, n)
		count               = make([]int64, n)
	)
	for i := range rows {
		r := &rows[i]
		info.append(&r.RunInfo)
		epoch[i], step[i], predictor[i] = int32(r.Epoch), int32(r.Step), r.Predictor
		trueC[i], predC[i], count[i] = int32(r.TrueClass), int32(r.PredictedClass), int64(r.Count)
	}
	t := newTable(n)
	if err := info.write(t); err != nil {
		return nil, err
	}
	t.int32s("epoch", epoch)
	t.int32s("step", step)
	t.strings("predictor", predictor)
	t.int32s("true_class", trueC)
	t.int32s("predicted_class", predC)
	t.int64s("count", count)
	return t, nil
}

// ReadConfusion reads a table written by WriteConfusion, returning its
// rows in file order and its key-value metadata (without KindKey).
func ReadConfusion(path string) (rows []ConfusionRow, meta map[string]string, err error) {
	defer readGuard(path, &err)
	cols, meta, err := readParquet(path, kindConfusion)
	if err != nil {
		return nil, nil, err
	}
	defer cols.release()
	var info infoColumns
	info.read(cols)
	var (
		epoch, trueC, predC = cols.int32s("epoch"), cols.int32s("true_class"), cols.int32s("predicted_class")
		step                = cols.optionalInt32s("step")
		predictor           = cols.strings("predictor")
		count               = cols.int64s("count")
	)
	if cols.err != nil {
		return nil, nil, cols.err
	}
	infos := info.rows(cols.rows)
	readLayerWidths(cols, meta, infos, nil)
	rows = make([]ConfusionRow, cols.rows)
	for i := range rows {
		rows[i] = ConfusionRow{RunInfo: infos[i], Epoch: int(epoch[i]), Step: int(step[i]), Predictor: predictor[i],
			TrueClass: int(trueC[i]), PredictedClass: int(predC[i]), Count: int(count[i])}
	}
	return rows, meta, nil
}
