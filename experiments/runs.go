package experiments

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"

	"github.com/ffchar/ffchar/ff"
)

// Run is one training run: a treatment and a replicate of it.
type Run struct {
	// Index is the run's position in canonical order: treatments in
	// canonical order, replicates ascending. Shards are Index mod n.
	Index       int
	TreatmentID string
	Replicate   int    // 0 .. Seeds-1
	Seed        uint64 // RunSeed(MasterSeed, Treatment.SeedID, Replicate)
	Config      ff.Config
	// Data is the treatment's data (Treatment.Data).
	Data DataSpec
	// Checkpoints are the epochs whose weights are kept and evaluated,
	// ascending; the last is the run's final epoch.
	Checkpoints []int
	// Record is the experiment's step recording.
	Record RecordSpec
	// Arithmetic is the experiment's arithmetic mode (Experiment.Arithmetic).
	Arithmetic string
}

// Runs returns every run of the experiment in canonical order.
func (e *Experiment) Runs() []Run {
	runs := make([]Run, 0, len(e.treatments)*e.Seeds)
	for _, t := range e.treatments {
		for r := range e.Seeds {
			cfg := t.Config
			cfg.Widths = slices.Clone(t.Config.Widths)
			runs = append(runs, Run{
				Index:       len(runs),
				TreatmentID: t.ID,
				Replicate:   r,
				Seed:        RunSeed(e.MasterSeed, t.SeedID, r),
				Config:      cfg,
				Data:        t.Data,
				Checkpoints: slices.Clone(t.Checkpoints),
				Record:      e.Record,
				Arithmetic:  e.Arithmetic,
			})
		}
	}
	return runs
}

// Shard returns the runs of shard i of n, those whose Index mod n is i, so
// that n machines sharing an experiment each get every treatment in turn.
// It panics unless 0 ≤ i < n.
func (e *Experiment) Shard(i, n int) []Run {
	if n < 1 || i < 0 || i >= n {
		panic("experiments: shard index out of range")
	}
	var runs []Run
	for _, r := range e.Runs() {
		if r.Index%n == i {
			runs = append(runs, r)
		}
	}
	return runs
}

// RunSeed derives a run's seed: the first 8 bytes, big-endian, of the
// SHA-256 of
//
//	"ffchar run seed v1\nmaster <master>\ntreatment <id>\nreplicate <r>\n"
//
// with the numbers in decimal and <id> the treatment's SeedID: its ID
// without the epochs axis. The seed depends on what the treatment computes
// and not on its place in the grid, its length or the experiment's name:
// adding a treatment leaves the other runs' seeds alone, two experiments
// with the same master seed give a shared treatment the same seeds, and
// runs that differ only in their number of epochs share seeds and hence
// the epochs their learning-rate schedules agree on.
func RunSeed(master uint64, treatmentID string, replicate int) uint64 {
	s := fmt.Sprintf("ffchar run seed v1\nmaster %d\ntreatment %s\nreplicate %d\n", master, treatmentID, replicate)
	sum := sha256.Sum256([]byte(s))
	return binary.BigEndian.Uint64(sum[:8])
}

// KeyLines returns the lines that identify the run's training for a cache
// key: "param <field> <value>" for every Config field (ff.Config.Lines),
// then "param seed <seed>" and the RecordLines. The checkpoints are not
// among them: they decide which epochs are evaluated, not how the run
// trains.
func (r Run) KeyLines() []string { return r.keyLines(r.Config.Lines()) }

// PrefixLines returns the lines that identify epochs 1..e of the run's
// training, for the key of its state after epoch e: ff.Config.PrefixLines
// as params, the seed and the RecordLines. Runs of different lengths whose
// schedules agree over e epochs have the same lines.
func (r Run) PrefixLines(e int) []string { return r.keyLines(r.Config.PrefixLines(e)) }

// keyLines returns the configuration lines as params, then the seed and
// the RecordLines.
func (r Run) keyLines(cfg []string) []string {
	lines := make([]string, 0, len(cfg)+4)
	for _, l := range cfg {
		lines = append(lines, "param "+l)
	}
	return append(append(lines, "param seed "+strconv.FormatUint(r.Seed, 10)), r.RecordLines()...)
}

// RecordLines returns the key lines of the run's step recording: none with
// recording off (the lines of runs recorded before step recording
// existed), else "param record_every <n>", "param record_probe <n>" and the
// probe's model and halves when they differ from the first default.
func (r Run) RecordLines() []string {
	cfg := r.Config
	var lines []string
	if r.Record.On() {
		lines = append(lines, "param record_every "+strconv.Itoa(r.Record.Every), "param record_probe "+strconv.Itoa(r.Record.Probe))
		if r.Record.Probe > 0 && !cfg.Classifier {
			// Without a classifier the probe measures goodness over labels
			// (ff.Recording), which it did not when this line was added.
			lines = append(lines, "param record_probe_model goodness")
		}
		if r.Record.Halves {
			lines = append(lines, "param record_probe_halves 2")
		}
	}
	return lines
}

// Features is the number of features of an MNIST or synthetic sample
// (28×28 pixels), used by the cost estimates.
const Features = 28 * 28

// Cost is the estimated arithmetic of a run, in floating-point operations
// counted as ff.Config.FlopsPerBatch counts them: matrix products only, two
// per multiply-add.
type Cost struct {
	// Train is the training minibatches: TotalEpochs × ⌊train/BatchSize⌋
	// × FlopsPerBatch. For the greedy schedule, which trains one layer at
	// a time, this is an overestimate.
	Train float64
	// Validate is the validation pass after every epoch, taken as 11
	// forward passes per validation sample (one per label and one
	// neutral).
	Validate float64
	// Test is evaluating each checkpoint on the evaluation split, counted
	// like Validate.
	Test float64
	// Probe is the held-out probe at every scheduled step: 3 forward
	// passes per probe sample (positive, negative, neutral) with a
	// classifier, 10 (every label) without one.
	Probe float64
}

// Total returns the sum of the parts.
func (c Cost) Total() float64 { return c.Train + c.Validate + c.Test + c.Probe }

// RunCost estimates the arithmetic of one of the experiment's runs.
func (e *Experiment) RunCost(r Run) Cost {
	train, val, test := r.Data.Sizes()
	if e.Evaluate.Split == SplitVal {
		test = val
	}
	cfg := r.Config
	epochs := float64(cfg.TotalEpochs())
	const passes = ff.NumClasses + 1
	fwd := passes * forwardFLOPs(&cfg, Features)
	c := Cost{
		Train:    epochs * float64(train/cfg.BatchSize) * cfg.FlopsPerBatch(Features),
		Validate: epochs * float64(val) * fwd,
		Test:     float64(len(r.Checkpoints)) * float64(test) * fwd,
	}
	if r.Record.On() && r.Record.Probe > 0 {
		perEpoch := train / cfg.BatchSize
		points := ff.StepSchedule{Every: r.Record.Every}.Count(cfg.TotalEpochs()*perEpoch, perEpoch)
		passes := 3.0
		if !cfg.Classifier {
			passes = ff.NumClasses
		}
		c.Probe = float64(points) * float64(r.Record.Probe) * passes * forwardFLOPs(&cfg, Features)
	}
	return c
}

// PrefixCost estimates the arithmetic of the run's first epochs epochs of
// training (Train, Validate and Probe as RunCost counts them; no Test):
// what a run that continues another's state after that epoch does not
// compute. It panics unless 0 ≤ epochs ≤ the run's TotalEpochs.
func (e *Experiment) PrefixCost(r Run, epochs int) Cost {
	cfg := r.Config
	if epochs < 0 || epochs > cfg.TotalEpochs() {
		panic("experiments: prefix longer than the run")
	}
	whole := e.RunCost(r)
	frac := float64(epochs) / float64(cfg.TotalEpochs())
	c := Cost{Train: whole.Train * frac, Validate: whole.Validate * frac}
	if whole.Probe > 0 {
		train, _, _ := r.Data.Sizes()
		perEpoch := train / cfg.BatchSize
		sched := ff.StepSchedule{Every: r.Record.Every}
		all := sched.Count(cfg.TotalEpochs()*perEpoch, perEpoch)
		// The prefix's probes include step 0, its dense start among them.
		c.Probe = whole.Probe * float64(sched.Count(epochs*perEpoch, perEpoch)) / float64(all)
		if epochs == 0 {
			c.Probe = 0
		}
	}
	return c
}

// EstimateFLOPs returns the estimated arithmetic of all the experiment's
// runs (see Cost).
func (e *Experiment) EstimateFLOPs() float64 {
	var total float64
	for _, r := range e.Runs() {
		total += e.RunCost(r).Total()
	}
	return total
}

// forwardFLOPs counts the matrix products of one sample's forward pass
// through the FF layers and the classifier.
func forwardFLOPs(c *ff.Config, features int) float64 {
	f := 2 * float64(features) * float64(c.LayerWidth(0))
	for l := 1; l < c.Depth; l++ {
		f += 2 * float64(c.LayerWidth(l-1)) * float64(c.LayerWidth(l))
	}
	if c.Classifier {
		for l := c.FirstReadout(); l < c.Depth; l++ {
			f += 2 * ff.NumClasses * float64(c.LayerWidth(l))
		}
	}
	return f
}

// RunMemory estimates the peak memory, in bytes, of one of the
// experiment's runs (see MemoryEstimate).
func (e *Experiment) RunMemory(r Run) float64 {
	train, val, test := r.Data.Sizes()
	return MemoryEstimate(&r.Config, train, val, test)
}

// MemoryEstimate estimates the peak memory, in bytes, of training and
// evaluating one network of configuration c on splits of the given sizes:
// the data twice (the prepared file and the float32 samples), each weight
// five times (weights, optimiser state, gradients, a checkpoint being
// written), the minibatch and evaluation buffers, and 64 MB for the
// program. It is computed in float64, so that no size overflows; it errs
// on the high side.
func MemoryEstimate(c *ff.Config, train, val, test int) float64 {
	const f32 = 4
	samples := float64(train) + float64(val) + float64(test)
	mem := 64e6 + 2*samples*Features*f32
	B := float64(c.BatchSize)
	in := float64(Features)
	maxW := 0.0
	for l := 0; l < c.Depth; l++ {
		out := float64(c.LayerWidth(l))
		maxW = max(maxW, out)
		mem += 5 * in * out * f32        // weights and their state
		mem += (3*B*2 + 2*B) * out * f32 // act, norm (3B rows), dpre (2B rows)
		in = out
	}
	mem += (ff.NumClasses + 1) * 100 * 3 * maxW * f32 // evaluation buffers (100-sample chunks)
	mem += (B*Features + 2*B*float64(c.LayerWidth(0))) * f32
	mem += 5 * ff.NumClasses * maxW * float64(c.Depth) * f32 // classifier
	return mem
}
