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
// of the same checkpoint. NULL is read back as NaN. The tags declare the
// table's columns (see codec.go).
type EvaluationRow struct {
	RunInfo
	Epoch int `col:"epoch,int32" unit:"epochs" doc:"the checkpoint's epoch, from 1"`
	Step  int `col:"step,int32,optional" unit:"steps" doc:"optimizer steps at the checkpoint"`
	Layer int `col:"layer,int32,layer" doc:"FF layer, from 1"`

	LayerMeasures
	ModelMeasures
	Samples int `col:"samples,int64" unit:"samples" doc:"samples evaluated"`
}

// ConfusionRow is one cell of a confusion matrix: how many test samples of
// class TrueClass a predictor assigned to PredictedClass. The tags declare
// the table's columns (see codec.go).
type ConfusionRow struct {
	RunInfo
	Epoch          int    `col:"epoch,int32" unit:"epochs" doc:"the checkpoint's epoch"`
	Step           int    `col:"step,int32,optional" unit:"steps" doc:"optimizer steps at the checkpoint"`
	Predictor      string `col:"predictor,utf8" doc:"\"classifier\" or \"goodness\" (argmax of goodness summed over layers)"`
	TrueClass      int    `col:"true_class,int32" doc:"0..9"`
	PredictedClass int    `col:"predicted_class,int32" doc:"0..9"`
	Count          int    `col:"count,int64" unit:"samples" doc:"evaluation samples with this true and predicted class"`
}

var (
	evaluationCodec = newCodec[EvaluationRow](kindEvaluations)
	confusionCodec  = newCodec[ConfusionRow](kindConfusion)
)

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
				LayerMeasures: layerMeasures(&lm), ModelMeasures: modelMeasures(s), Samples: s.Samples,
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
	return writeRows(evaluationCodec, path, meta, func() ([]EvaluationRow, error) { return EvaluationRows(evals) })
}

// WriteEvaluationRows writes rows, as ReadEvaluations returns them, to path
// in WriteEvaluations' format: for tables concatenated from several files.
func WriteEvaluationRows(path string, rows []EvaluationRow, meta map[string]string) error {
	return writeRows(evaluationCodec, path, meta, func() ([]EvaluationRow, error) {
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
		return rows, nil
	})
}

// ReadEvaluations reads a table written by WriteEvaluations, returning its
// rows in file order and its key-value metadata (without KindKey).
func ReadEvaluations(path string) ([]EvaluationRow, map[string]string, error) {
	return readRows[EvaluationRow](evaluationCodec, path)
}

// WriteConfusion writes the confusion matrices of evals to path as a
// Parquet table with one row per cell (see ConfusionRows and the package
// documentation), with meta as the file's key-value metadata. The file is
// replaced atomically.
func WriteConfusion(path string, evals []RunEvaluation, meta map[string]string) error {
	return writeRows(confusionCodec, path, meta, func() ([]ConfusionRow, error) { return ConfusionRows(evals) })
}

// WriteConfusionRows writes rows, as ReadConfusion returns them, to path in
// WriteConfusion's format.
func WriteConfusionRows(path string, rows []ConfusionRow, meta map[string]string) error {
	return writeRows(confusionCodec, path, meta, func() ([]ConfusionRow, error) {
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
		return rows, nil
	})
}

// ReadConfusion reads a table written by WriteConfusion, returning its
// rows in file order and its key-value metadata (without KindKey).
func ReadConfusion(path string) ([]ConfusionRow, map[string]string, error) {
	return readRows[ConfusionRow](confusionCodec, path)
}
