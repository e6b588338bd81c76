package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/ff"
	"github.com/ffchar/ffchar/pipeline"
	"github.com/ffchar/ffchar/stages"
)

// rateEstimate is the sustained GFLOP/s of one worker that plan divides
// the estimated arithmetic by, and where it came from.
type rateEstimate struct {
	GFLOPS float64
	From   string
}

// trainedCost is the part of a run's estimated arithmetic its train job
// performs (evaluation on the test split is the evaluate job's).
func trainedCost(exp *experiments.Experiment, r experiments.Run) float64 {
	c := exp.RunCost(r)
	return c.Train + c.Validate + c.Probe
}

// cachedRun is a run whose train job is cached, with its cache entry
// (from the status, its outputs already checked).
type cachedRun struct {
	run   experiments.Run
	job   string
	entry *pipeline.Entry
}

// cachedRate measures the rate from the experiment's cached train jobs:
// their estimated arithmetic over the wall time they recorded
// (volatile timing). Those runs ran as many at once as their sweep did, so
// the rate includes the contention between workers. ok is false when no
// train job is cached.
func cachedRate(c *pipeline.Cache, exp *experiments.Experiment, runs []cachedRun) (est rateEstimate, ok bool, err error) {
	var flops, seconds float64
	n := 0
	for _, cr := range runs {
		raw, err := c.ReadOutput(cr.entry, stages.TimingFile)
		if err != nil {
			return est, false, err
		}
		var timing struct {
			Seconds float64 `json:"seconds"`
		}
		if err := json.Unmarshal(raw, &timing); err != nil {
			return est, false, fmt.Errorf("%s: %s: %w", cr.job, stages.TimingFile, err)
		}
		if timing.Seconds > 0 {
			flops += trainedCost(exp, cr.run)
			seconds += timing.Seconds
			n++
		}
	}
	if n == 0 {
		return est, false, nil
	}
	return rateEstimate{flops / seconds / 1e9, fmt.Sprintf("measured from %d cached runs of this experiment", n)}, true, nil
}

// nominalGFLOPS is the rate plan assumes when it cannot measure one: about
// what one worker sustains on the 2-core AMD EPYC (OpenBLAS, kernel Zen)
// ffchar's published sweeps ran on (docs/performance.md).
const nominalGFLOPS = 60

// calibrationBatches is the most minibatches the calibration trains.
const calibrationBatches = 30

// The calibration's bounds. A network whose estimated memory exceeds
// calibrationMemory is calibrated on a stand-in with the same depth,
// batch and recipe and its widths scaled down to fit (the rate of large
// products changes little with their size; smaller ones run slower, so
// the time estimate errs long). Training stops after calibrationTime, and
// the rate is taken over the batches done by then.
const (
	calibrationMemory = 256 << 20
	calibrationData   = 64 << 20 // of the synthetic samples
	calibrationTime   = 2 * time.Second
)

// calibrationConfig returns the configuration to calibrate on for cfg,
// and how many batches: cfg itself when it fits calibrationMemory, else
// a stand-in with widths scaled down.
func calibrationConfig(cfg ff.Config) (ff.Config, int, bool) {
	cfg.Epochs, cfg.Schedule = 1, ff.Simultaneous
	batchBytes := float64(cfg.BatchSize) * experiments.Features * 4
	batches := max(1, min(calibrationBatches, int(calibrationData/batchBytes)))
	n := batches * cfg.BatchSize
	if experiments.MemoryEstimate(&cfg, n, 0, 0) <= calibrationMemory {
		return cfg, batches, false
	}
	widths := make([]int, cfg.Depth)
	for l := range widths {
		widths[l] = cfg.LayerWidth(l)
	}
	stand := cfg
	for scale := 0.5; scale > 1e-6; scale /= 2 {
		stand.Widths = make([]int, len(widths))
		for l, w := range widths {
			stand.Widths[l] = max(1, int(float64(w)*scale))
		}
		if experiments.MemoryEstimate(&stand, n, 0, 0) <= calibrationMemory {
			break
		}
	}
	return stand, batches, true
}

// measuredRate trains the run's network, alone, for up to
// calibrationBatches minibatches of synthetic data shaped like MNIST
// (within calibrationTime and calibrationMemory, on a smaller stand-in
// if need be) and returns the rate of its training products. Alone on
// the machine one worker runs faster than each of several at once, so
// the estimate is a lower bound on the time when workers share memory
// bandwidth.
func measuredRate(ctx context.Context, r experiments.Run) (rateEstimate, error) {
	cfg, batches, standIn := calibrationConfig(r.Config)
	n := batches * cfg.BatchSize
	d := &ff.Data{X: make([]float32, n*experiments.Features), Labels: make([]uint8, n), N: n, Features: experiments.Features}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range d.X {
		d.X[i] = rng.Float32()
	}
	for i := range d.Labels {
		d.Labels[i] = uint8(rng.IntN(ff.NumClasses))
	}
	parent := ctx
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	start := time.Now()
	done := 0
	_, _, err := ff.Train(ctx, cfg, d, ff.Options{Seed: 1, OnBatch: func(_, b, _ int) {
		done = b
		if time.Since(start) > calibrationTime {
			stop()
		}
	}})
	secs := time.Since(start).Seconds()
	// Stopped by the time bound (not by the caller) is a measurement.
	if err != nil && (parent.Err() != nil || ctx.Err() == nil || done == 0) {
		return rateEstimate{}, fmt.Errorf("calibration: %w", err)
	}
	flops := float64(done) * cfg.FlopsPerBatch(experiments.Features)
	from := fmt.Sprintf("measured by training %d batches of treatment %s on one worker", done, r.TreatmentID)
	if standIn {
		from = fmt.Sprintf("measured by training %d batches of a stand-in for treatment %s, widths %v (its own network does not fit the calibration's %s), on one worker",
			done, r.TreatmentID, cfg.Widths, bytesString(calibrationMemory))
	}
	return rateEstimate{flops / secs / 1e9, from}, nil
}
