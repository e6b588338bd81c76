package stages

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/pipeline"
	"github.com/ffchar/ffchar/report"
)

// Output names of the correlate stage: the sweep's tables, concatenated
// over runs in canonical run order, and the analysis tables.
const (
	CurvesFile      = "curves.parquet"
	EvaluationsFile = "evaluations.parquet"
	ConfusionsFile  = "confusion.parquet"
)

func correlateKey(exp *experiments.Experiment) func(h *pipeline.Hash) {
	return func(h *pipeline.Hash) {
		h.Param("version", correlateVersion)
		h.Param("experiment", exp.Name)
		// The README quotes the description and the notes: a change to
		// either redraws it.
		h.Param("description_sha256", fmt.Sprintf("%x", sha256Sum([]byte(exp.Description))))
		h.Param("notes_sha256", fmt.Sprintf("%x", sha256Sum([]byte(exp.Notes))))
		if len(exp.Overrides) > 0 {
			// The README lists the command line's overrides.
			h.Param("overrides", strings.Join(exp.Overrides, " "))
		}
		h.Param("curves", report.CurvesSplit(exp))
		for _, l := range report.StepOptions(exp).KeyLines() {
			h.Line(l)
		}
	}
}

func correlateJob(exp *experiments.Experiment, runs []experiments.Run, trainIDs, evalIDs []string) *pipeline.Job {
	key := correlateKey(exp)
	deps := append(append([]string(nil), trainIDs...), evalIDs...)
	return &pipeline.Job{
		ID:    jobID(exp, Correlate),
		Stage: Correlate,
		Deps:  deps,
		Key:   key,
		Run: func(ctx context.Context, in *pipeline.Inputs, dir string) error {
			// The runs' own tables stay as train and evaluate wrote them
			// (their bytes are cached under keys that must not change); the
			// sweep tables add what only the experiment knows: each layer's
			// width, and with it one column per grid axis.
			lws := make([][]int, len(runs))
			for i := range runs {
				lws[i] = runs[i].Config.LayerWidths()
			}
			var curves []artifacts.MetricsRow
			for i, id := range trainIDs {
				rows, err := readRows(in, id, MetricsFile, artifacts.ReadMetrics)
				if err != nil {
					return err
				}
				for j := range rows {
					rows[j].LayerWidths = lws[i]
				}
				curves = append(curves, rows...)
			}
			var evals []artifacts.EvaluationRow
			var confusion []artifacts.ConfusionRow
			for i, id := range evalIDs {
				rows, err := readRows(in, id, EvaluationFile, artifacts.ReadEvaluations)
				if err != nil {
					return err
				}
				for j := range rows {
					rows[j].LayerWidths = lws[i]
				}
				evals = append(evals, rows...)
				crows, err := readRows(in, id, ConfusionFile, artifacts.ReadConfusion)
				if err != nil {
					return err
				}
				for j := range crows {
					crows[j].LayerWidths = lws[i]
				}
				confusion = append(confusion, crows...)
			}
			meta := correlateMeta(exp, len(runs))
			if err := artifacts.WriteMetricsRows(filepath.Join(dir, CurvesFile), curves, meta); err != nil {
				return err
			}
			if err := artifacts.WriteEvaluationRows(filepath.Join(dir, EvaluationsFile), evals, meta); err != nil {
				return err
			}
			if err := artifacts.WriteConfusionRows(filepath.Join(dir, ConfusionsFile), confusion, meta); err != nil {
				return err
			}
			sw := &report.Sweep{Curves: curves, Evaluations: evals}
			_, err := report.Write(report.Dirs{Tables: dir, Figures: dir, Readme: filepath.Join(dir, report.ReadmeFile)}, sw, exp, meta, "")
			return err
		},
	}
}

// readRows reads one table output of a dependency.
func readRows[R any](in *pipeline.Inputs, job, name string, read func(string) ([]R, map[string]string, error)) ([]R, error) {
	path, err := in.Path(job, name)
	if err != nil {
		return nil, err
	}
	rows, _, err := read(path)
	return rows, err
}
