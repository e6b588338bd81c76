package stages

import (
	"context"

	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/pipeline"
)

func plotKey(exp *experiments.Experiment) func(h *pipeline.Hash) {
	return func(h *pipeline.Hash) {
		h.Param("version", plotVersion)
		h.Param("curves", curvesSplit(exp))
		for _, l := range StepOptionLines(StepOptions(exp)) {
			h.Line(l)
		}
	}
}

func plotJob(exp *experiments.Experiment, correlateID string) *pipeline.Job {
	key := plotKey(exp)
	return &pipeline.Job{
		ID:    jobID(exp, Plot),
		Stage: Plot,
		Deps:  []string{correlateID},
		Key:   key,
		Run: func(ctx context.Context, in *pipeline.Inputs, dir string) error {
			curves, err := in.Path(correlateID, CurvesFile)
			if err != nil {
				return err
			}
			return drawFigures(curves, exp, dir)
		},
	}
}
