package stages

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"time"

	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/backend"
	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/ff"
	"github.com/ffchar/ffchar/pipeline"
)

// Output names of the train stage.
const (
	MetricsFile = "metrics.parquet"
	RunFile     = "run.json"
	TimingFile  = pipeline.VolatilePrefix + "timing.json"
)

// WeightsFile names the weights after epoch e: a train job keeps those of
// its last epoch; the others are in the run's states.
func WeightsFile(epoch int) string { return fmt.Sprintf("weights-e%03d.arrow", epoch) }

func runInfo(r experiments.Run) artifacts.RunInfo {
	return artifacts.RunInfo{
		RunID:     RunID(r),
		Treatment: r.TreatmentID,
		Recipe:    string(r.Config.Recipe),
		Depth:     r.Config.Depth,
		Width:     r.Config.Width,
		Seed:      r.Seed,
	}
}

// RunID names a run in tables: its treatment and replicate.
func RunID(r experiments.Run) string { return fmt.Sprintf("%s/r%d", r.TreatmentID, r.Replicate) }

// recording returns the run's step recording, appending to steps, or nil
// when it is off. The probe is the first r.Record.Probe samples of val.
func recording(r experiments.Run, val *ff.Data, steps *[]ff.StepMetrics) *ff.Recording {
	if !r.Record.On() {
		return nil
	}
	rec := &ff.Recording{
		Schedule: ff.StepSchedule{Every: r.Record.Every},
		OnStep:   func(m ff.StepMetrics) error { *steps = append(*steps, m); return nil },
	}
	if r.Record.Probe > 0 {
		rec.Probe = val.Head(r.Record.Probe)
		rec.Halves = r.Record.Halves
	}
	return rec
}

func trainKey(r experiments.Run) func(h *pipeline.Hash) {
	return func(h *pipeline.Hash) {
		h.Param("version", trainVersion)
		for _, l := range r.KeyLines() {
			h.Line(l)
		}
		// The outputs name the run; the name is what makes two runs of
		// the same computation in two treatments two entries. Their
		// training is shared through the states.
		h.Param("run", RunID(r))
		numerics(h, r.Arithmetic)
	}
}

func trainJob(exp *experiments.Experiment, r experiments.Run, prepID string, keep []int, after string) *pipeline.Job {
	key := trainKey(r)
	j := &pipeline.Job{
		ID:    RunJobID(exp, Train, r),
		Label: RunJobLabel(Train, r),
		Stage: Train,
		Deps:  []string{prepID},
		Key:   key,
		Run: func(ctx context.Context, in *pipeline.Inputs, dir string) error {
			if err := requireArithmetic(r.Arithmetic); err != nil {
				return err
			}
			data, err := loadPrepared(in, prepID)
			if err != nil {
				return err
			}
			meta := provenance(Train, key)
			report := epochProgress(ctx)
			start := time.Now()
			var epochSeconds []float64
			t := &trainer{c: in.Cache(), run: r, data: data, prep: in.Entry(prepID), keep: keep,
				onEpoch: func(m ff.EpochMetrics) error {
					epochSeconds = append(epochSeconds, m.Seconds)
					if report != nil {
						report(EpochEvent{Run: RunID(r), Epoch: m.Epoch, Epochs: r.Config.TotalEpochs(), Samples: m.Train.Samples, Seconds: m.Seconds})
					}
					return nil
				}}
			total := r.Config.TotalEpochs()
			net, hist, steps, resumed, err := t.trainTo(ctx, total)
			if err != nil {
				return fmt.Errorf("run %s (seed %d): %w", RunID(r), r.Seed, err)
			}
			wm := map[string]string{"epoch": strconv.Itoa(total), "seed": strconv.FormatUint(r.Seed, 10)}
			for k, v := range meta {
				wm[k] = v
			}
			if err := artifacts.WriteParams(filepath.Join(dir, WeightsFile(total)), net.Params(), wm); err != nil {
				return err
			}
			// Wall time varies between identical runs: it goes to the
			// volatile timing file, not into the metrics table.
			for i := range hist {
				hist[i].Seconds = math.NaN()
			}
			if err := artifacts.WriteMetrics(filepath.Join(dir, MetricsFile),
				[]artifacts.RunMetrics{{Info: runInfo(r), Epochs: hist, Steps: steps,
					StepsPerEpoch: data["train"].N / r.Config.BatchSize}}, meta); err != nil {
				return err
			}
			info := map[string]any{
				"run": RunID(r), "treatment": r.TreatmentID, "replicate": r.Replicate, "seed": r.Seed,
				"config": r.Config, "blas": backend.Name(),
			}
			if k := blasKernel(); k != "" {
				info["blas_kernel"] = k
			}
			// Only in portable arithmetic: native runs' outputs stay
			// byte for byte those their keys already cache.
			if pins := portableInfo(r.Arithmetic); pins != nil {
				info["arithmetic"] = backend.PortableMode
				info["portable"] = pins
			}
			if err := writeJSON(filepath.Join(dir, RunFile), info); err != nil {
				return err
			}
			return writeJSON(filepath.Join(dir, TimingFile), map[string]any{
				"seconds": time.Since(start).Seconds(), "epoch_seconds": epochSeconds, "resumed_from": resumed})
		},
	}
	if after != "" {
		j.After = []string{after}
	}
	return j
}
