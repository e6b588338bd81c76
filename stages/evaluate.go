package stages

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/ff"
	"github.com/ffchar/ffchar/pipeline"
)

// Output names of the evaluate stage.
const (
	EvaluationFile = "evaluation.parquet"
	ConfusionFile  = "confusion.parquet"
)

func evaluateKey(exp *experiments.Experiment, r experiments.Run) func(h *pipeline.Hash) {
	return func(h *pipeline.Hash) {
		h.Param("version", evaluateVersion)
		h.Param("split", evalSplit(exp))
		h.Param("negative_seed", uint64(ff.ValidationSeed))
		cps := make([]string, len(r.Checkpoints))
		for i, c := range r.Checkpoints {
			cps[i] = strconv.Itoa(c)
		}
		h.Param("checkpoints", strings.Join(cps, ","))
		numerics(h, r.Arithmetic)
	}
}

func evalSplit(exp *experiments.Experiment) string {
	if exp.Evaluate.Split == "" {
		return experiments.SplitTest
	}
	return exp.Evaluate.Split
}

func evaluateJob(exp *experiments.Experiment, r experiments.Run, prepID, trainID string, keep []int) *pipeline.Job {
	key := evaluateKey(exp, r)
	return &pipeline.Job{
		ID:    RunJobID(exp, Evaluate, r),
		Label: RunJobLabel(Evaluate, r),
		Stage: Evaluate,
		Deps:  []string{prepID, trainID},
		Key:   key,
		Run: func(ctx context.Context, in *pipeline.Inputs, dir string) error {
			if err := requireArithmetic(r.Arithmetic); err != nil {
				return err
			}
			data, err := loadPrepared(in, prepID)
			if err != nil {
				return err
			}
			split := data[evalSplit(exp)]
			// The last epoch's weights are the train job's; the others
			// come from the run's states, trained again from the longest
			// one in the cache if they are gone (gc collects states).
			t := &trainer{c: in.Cache(), run: r, data: data, prep: in.Entry(prepID), keep: keep}
			var evals []artifacts.RunEvaluation
			for _, epoch := range r.Checkpoints {
				if err := ctx.Err(); err != nil {
					return err
				}
				var params []ff.Param
				if epoch == r.Config.TotalEpochs() {
					path, err := in.Path(trainID, WeightsFile(epoch))
					if err != nil {
						return err
					}
					if params, _, err = artifacts.ReadParams(path); err != nil {
						return err
					}
				} else if params, err = t.weightsAt(ctx, epoch); err != nil {
					return fmt.Errorf("run %s epoch %d: %w", RunID(r), epoch, err)
				}
				net, err := ff.NewFromParams(r.Config, split.Features, params)
				if err != nil {
					return fmt.Errorf("run %s epoch %d: %w", RunID(r), epoch, err)
				}
				ev, err := net.Evaluate(split, ff.ValidationSeed)
				if err != nil {
					return err
				}
				evals = append(evals, artifacts.RunEvaluation{Info: runInfo(r), Epoch: epoch,
					Step: epoch * (data["train"].N / r.Config.BatchSize), Eval: ev})
			}
			meta := provenance(Evaluate, key)
			if err := artifacts.WriteEvaluations(filepath.Join(dir, EvaluationFile), evals, meta); err != nil {
				return err
			}
			return artifacts.WriteConfusion(filepath.Join(dir, ConfusionFile), evals, meta)
		},
	}
}
