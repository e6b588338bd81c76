package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/ffchar/ffchar/backend"
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
			// Where the run continued from a stored state (a shared
			// prefix, a killed run): those epochs took no time here.
			From struct{ Epoch int } `json:"resumed_from"`
		}
		if err := json.Unmarshal(raw, &timing); err != nil {
			return est, false, fmt.Errorf("%s: %s: %w", cr.job, stages.TimingFile, err)
		}
		e := min(max(timing.From.Epoch, 0), cr.run.Config.TotalEpochs())
		if timing.Seconds > 0 && e < cr.run.Config.TotalEpochs() {
			// A prefix's cost is all training (its Test part is 0).
			flops += trainedCost(exp, cr.run) - exp.PrefixCost(cr.run, e).Total()
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

// The calibration trains calibrationWarmup minibatches unmeasured, then
// measures calibrationBatches more. The first batches of a network run
// slower than the rest (buffers allocated and first touched, caches and
// the BLAS library warming up), and a sweep's runs are long: their
// rate is the steady one.
const (
	calibrationWarmup  = 10
	calibrationBatches = 30
)

// The calibration's bounds. A network whose estimated memory exceeds
// calibrationMemory is calibrated on a stand-in with the same depth,
// batch and recipe and its widths scaled down to fit (the rate of large
// products changes little with their size; smaller ones run slower, so
// the time estimate errs long). The synthetic samples hold at most
// calibrationData; when they hold fewer batches than the calibration
// trains, it trains several epochs over them. The warm-up ends after a
// quarter of calibrationTime at most, and the measurement stops after
// calibrationTime (both wall time, so that plan answers soon on a busy
// machine); the rate is taken over the batches measured by then.
const (
	calibrationMemory = 256 << 20
	calibrationData   = 64 << 20 // of the synthetic samples
	calibrationTime   = 2 * time.Second
)

// calibrationConfig returns the configuration to calibrate on for cfg,
// and how many batches its data holds: cfg itself when it fits
// calibrationMemory, else a stand-in with widths scaled down. Its epochs
// train calibrationWarmup+calibrationBatches batches at least.
func calibrationConfig(cfg ff.Config) (ff.Config, int, bool) {
	const want = calibrationWarmup + calibrationBatches
	batchBytes := float64(cfg.BatchSize) * experiments.Features * 4
	batches := max(1, min(want, int(calibrationData/batchBytes)))
	cfg.Epochs, cfg.Schedule = (want+batches-1)/batches, ff.Simultaneous
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

// calibrationClock reads the time the calibration measures: CPU time
// where it can be read, else wall time. CPU time leaves out the time
// other programs hold the cores, which would lower the rate of a busy
// machine without bound. With OpenBLAS (one thread) every product runs
// on the training goroutine's thread, locked to it, and the clock is that
// thread's: the process's would count OpenBLAS's idle threads, which spin
// for a while after the library starts. gonum's products run on
// goroutines of their own, so with gonum the clock is the process's.
type calibrationClock struct {
	read  func() (time.Duration, bool)
	what  string
	start time.Time
}

// newCalibrationClock returns the clock for the calling goroutine, which
// must stay locked to its OS thread while the clock is read.
func newCalibrationClock() calibrationClock {
	c := calibrationClock{read: processCPU, what: "CPU time of the process", start: time.Now()}
	if backend.Name() == "openblas" {
		c.read, c.what = threadCPU, "CPU time of its thread"
	}
	if _, ok := c.read(); !ok {
		c.read, c.what = nil, "wall time"
	}
	return c
}

func (c calibrationClock) now() time.Duration {
	if c.read != nil {
		if t, ok := c.read(); ok {
			return t
		}
	}
	return time.Since(c.start)
}

func (c calibrationClock) String() string { return c.what }

// measuredRate trains the run's network, alone, on synthetic data shaped
// like MNIST (within calibrationTime and calibrationMemory, on a smaller
// stand-in if need be): calibrationWarmup minibatches, then up to
// calibrationBatches measured ones, and returns the rate of their
// training products. Alone on the machine one worker runs faster than
// each of several at once, so the estimate is a lower bound on the time
// when workers share memory bandwidth.
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
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	clock := newCalibrationClock()
	start := time.Now()
	var (
		done, warm, measured int
		from, spent          time.Duration
	)
	_, _, err := ff.Train(ctx, cfg, d, ff.Options{Seed: 1, OnBatch: func(_, _, _ int) {
		done++
		if warm == 0 {
			if done >= calibrationWarmup || time.Since(start) > calibrationTime/4 {
				warm, from = done, clock.now()
			}
			return
		}
		measured, spent = done-warm, clock.now()-from
		if measured >= calibrationBatches || time.Since(start) > calibrationTime {
			stop()
		}
	}})
	// Stopped by the bounds (not by the caller) is a measurement.
	if err != nil && (parent.Err() != nil || ctx.Err() == nil) {
		return rateEstimate{}, fmt.Errorf("calibration: %w", err)
	}
	flops := float64(measured) * cfg.FlopsPerBatch(experiments.Features)
	rate := flops / spent.Seconds() / 1e9
	if measured == 0 || !(rate > 0) || math.IsInf(rate, 0) {
		return rateEstimate{}, fmt.Errorf("calibration: %d batches measured in %s of %s: no rate", measured, spent, clock)
	}
	what := "treatment " + r.TreatmentID
	if standIn {
		what = fmt.Sprintf("a stand-in for treatment %s, widths %v (its own network does not fit the calibration's %s),",
			r.TreatmentID, cfg.Widths, bytesString(calibrationMemory))
	}
	return rateEstimate{rate, fmt.Sprintf("measured by training %s on one worker: %d batches after %d of warm-up, in %s",
		what, measured, warm, clock)}, nil
}
