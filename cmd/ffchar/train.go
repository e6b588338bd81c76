package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ffchar/ffchar/backend"
	"github.com/ffchar/ffchar/dataset"
	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/ff"
	"github.com/ffchar/ffchar/internal/progress"
	"github.com/ffchar/ffchar/stages"
)

func trainCommand() *cli.Command {
	return &cli.Command{
		Name:      "train",
		Usage:     "train one Forward-Forward network and report every epoch",
		UsageText: "ffchar train [--recipe loewe|pezeshki] [--depth N] [--width N] [--epochs N] [--seed S] [--set field=value ...] [--out FILE.parquet]\n   ffchar train --profile P [--treatment ID] [--seed S | --replicate R]",
		Description: `Trains one network on MNIST (the first 50,000 training images; the last 10,000
are the validation set, evaluated after every epoch) and prints one line per
epoch. Every hyperparameter of the recipe can be changed with --set; the
flags below are shortcuts for the common ones. --data trains on another
named data set instead (docs/datasets.md), or on a folder of IDX files (a
folder named like a data set is ./NAME):
` + dataNames() + `

With --profile, trains the experiment's runs through the pipeline instead
(cached runs are reused), or only those of one treatment, seed or replicate.

Fields: ` + strings.Join(ff.FieldNames(), ", ") + `.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "recipe", Value: "loewe", Usage: "recipe of defaults: loewe or pezeshki"},
			&cli.IntFlag{Name: "depth", Usage: "number of FF layers", DefaultText: "the recipe's"},
			&cli.IntFlag{Name: "width", Usage: "units per layer", DefaultText: "the recipe's"},
			&cli.IntFlag{Name: "epochs", Usage: "training epochs", DefaultText: "the recipe's"},
			&cli.IntFlag{Name: "batch-size", Usage: "positives per minibatch", DefaultText: "the recipe's"},
			&cli.Float64Flag{Name: "lr", Usage: "FF layers' learning rate", DefaultText: "the recipe's"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed for initialisation, shuffling and negatives"},
			&cli.StringSliceFlag{Name: "set", Usage: "set any config field, e.g. --set schedule=greedy (repeatable); with --profile, override it in every treatment"},
			&cli.StringFlag{Name: "data", Usage: "a named data set (" + strings.Join(dataset.Names(), ", ") + "; checksummed), or a folder with the four IDX files of an MNIST-like data set", DefaultText: "MNIST from the GoMNIST module, checksummed"},
			&cli.IntFlag{Name: "train-limit", Usage: "use only the first N training samples (0: all 50,000)"},
			&cli.IntFlag{Name: "val-limit", Usage: "use only the first N validation samples (0: all 10,000)"},
			&cli.StringFlag{Name: "out", Usage: "write every per-epoch metric, and the step-resolution records, to this Parquet file"},
			&cli.IntFlag{Name: "record-every", Value: ff.DefaultStepSchedule.Every, Usage: "with --out: record every N optimizer steps after a dense start at step 0 (0: per epoch only)"},
			&cli.IntFlag{Name: "probe", Value: experiments.DefaultProbe, Usage: "with --out: held-out probe size, the first N validation samples (0: training stream only)"},
			&cli.IntFlag{Name: "threads", Value: 1, Usage: "BLAS threads (OpenBLAS only)"},
			&cli.BoolFlag{Name: "test", Usage: "evaluate the final network on the 10,000 test images"},
			profileFlag, cacheFlag, jobsFlag, verboseFlag, arithFlag,
			&cli.StringFlag{Name: "treatment", Usage: "with --profile: only the runs of this treatment ID (see ffchar plan)"},
			&cli.IntFlag{Name: "replicate", Value: -1, Usage: "with --profile: only this replicate number (0-based)"},
			shardFlags()[0], shardFlags()[1],
		},
		Action: trainAction,
	}
}

// oneNetworkFlags are train's flags for one network outside the pipeline,
// which --profile's experiment file overrides.
var oneNetworkFlags = []string{"recipe", "depth", "width", "epochs", "batch-size", "lr", "data",
	"train-limit", "val-limit", "out", "record-every", "probe", "threads", "test"}

// configFromFlags builds the run's Config from --recipe, the shortcuts and
// --set, and validates it; errors name the flag.
func configFromFlags(c *cli.Context) (ff.Config, error) {
	cfg, err := ff.DefaultConfig(ff.Recipe(c.String("recipe")))
	if err != nil {
		return cfg, flagError("recipe", fmt.Sprintf("%q", c.String("recipe")), "must be loewe or pezeshki")
	}
	for _, flag := range []string{"depth", "width", "epochs", "batch-size", "lr"} {
		if c.IsSet(flag) {
			if err := cfg.Set(strings.ReplaceAll(flag, "-", "_"), fmt.Sprint(c.Value(flag))); err != nil {
				return cfg, usageError{fmt.Errorf("--%s: %v", flag, err)}
			}
		}
	}
	viaSet := map[string]bool{}
	for _, kv := range c.StringSlice("set") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return cfg, flagError("set", fmt.Sprintf("%q", kv), "must be field=value")
		}
		k = strings.TrimSpace(k)
		if strings.TrimSpace(v) == "" {
			// An empty value would stand for the field's default, as an
			// empty string in an experiment file would: refused there too.
			return cfg, flagError("set", fmt.Sprintf("%q", kv), "the value must not be empty")
		}
		if err := cfg.Set(k, strings.TrimSpace(v)); err != nil {
			return cfg, usageError{fmt.Errorf("--set: %v", err)}
		}
		viaSet[k] = true
	}
	if err := cfg.Validate(); err != nil {
		var fe *ff.FieldError
		if errors.As(err, &fe) {
			flag := strings.ReplaceAll(fe.Field, "_", "-")
			if viaSet[fe.Field] {
				return cfg, usageError{fmt.Errorf("--set %v", err)}
			}
			if c.IsSet(flag) {
				return cfg, flagError(flag, fe.Value, fe.Want)
			}
			return cfg, usageError{fmt.Errorf("config: %v", err)}
		}
		return cfg, err
	}
	return cfg, nil
}

// dataNames lists the named data sets --data takes, with the command
// that installs those that are not fetched on first use.
func dataNames() string {
	width := 0
	for _, s := range dataset.Sets() {
		width = max(width, len(s.Name))
	}
	var b strings.Builder
	for _, s := range dataset.Sets() {
		how := s.Install
		if s.Fetch != nil {
			how = "fetched on first use"
		}
		fmt.Fprintf(&b, "\n  %-*s  %s (%s)", width, s.Name, s.Title, how)
	}
	return strings.TrimPrefix(b.String(), "\n")
}

func loadSplits(c *cli.Context) (*dataset.Splits, error) {
	opts := dataset.Options{Limit: dataset.Sizes{Train: c.Int("train-limit"), Val: c.Int("val-limit"), Test: 1}}
	// The sizes the files announce are checked against the memory limit
	// before they are decompressed.
	opts.MaxBytes, _ = memoryLimit()
	if c.Bool("test") {
		opts.Limit.Test = 0
	}
	for _, f := range []string{"train-limit", "val-limit"} {
		if c.Int(f) < 0 {
			return nil, flagError(f, c.Int(f), "must be ≥ 0")
		}
	}
	data := c.String("data")
	if data == "" {
		return dataset.MNIST.Load(opts)
	}
	if set, ok := dataset.Lookup(data); ok {
		return set.Load(opts)
	}
	return dataset.Load(data, opts)
}

func trainAction(c *cli.Context) error {
	if c.IsSet("profile") {
		// Pipeline mode: the experiment's train jobs, or the selected ones;
		// --seed selects the run with that derived seed. The experiment
		// file decides everything the one-network flags would: they are
		// refused, not ignored.
		for _, f := range oneNetworkFlags {
			if c.IsSet(f) {
				return flagError(f, c.Value(f), "sets one network without --profile; with --profile the experiment file decides it (edit the file, or train one network without --profile)")
			}
		}
		return runAction(c, stages.Train)
	}
	for _, f := range []string{"treatment", "replicate"} {
		if c.IsSet(f) {
			return flagError(f, c.Value(f), "selects runs of an experiment: give --profile too")
		}
	}
	cfg, err := configFromFlags(c)
	if err != nil {
		return err
	}
	if c.Int("threads") < 1 {
		return flagError("threads", c.Int("threads"), "must be ≥ 1")
	}
	if c.String("arithmetic") == backend.PortableMode && c.Int("threads") != backend.PortableThreads {
		return flagError("threads", c.Int("threads"), fmt.Sprintf("must be %d with --arithmetic portable, which pins it", backend.PortableThreads))
	}
	if err := arithmetic(c, nil, true); err != nil {
		return err
	}
	backend.SetThreads(c.Int("threads"))
	// Before loading anything: a network that cannot fit is refused.
	train, val := c.Int("train-limit"), c.Int("val-limit")
	if train <= 0 {
		train = dataset.MNIST.Sizes.Train
	}
	if val <= 0 {
		val = dataset.MNIST.Sizes.Val
	}
	need := experiments.MemoryEstimate(&cfg, train, val, dataset.MNIST.Sizes.Test)
	if have, what := memoryLimit(); have > 0 && need > have {
		return fmt.Errorf("%s %s needs about %s of memory, more than %s (%s)", cfg.Recipe, shape(cfg), bytesString(need), what, bytesString(have))
	}
	if err := checkOut(c.String("out")); err != nil {
		return err
	}
	if n := c.Int("record-every"); n < 0 {
		return flagError("record-every", n, "must be ≥ 0 (0 turns step recording off)")
	}
	if n := c.Int("probe"); n < 0 {
		return flagError("probe", n, "must be ≥ 0")
	}
	splits, err := loadSplits(c)
	if err != nil {
		return err
	}
	out := c.App.Writer
	stderr := c.App.ErrWriter
	seed := c.Uint64("seed")
	fmt.Fprintf(out, "ffchar: %s %s, %d epochs, batch %d, seed %d; %s: %d train, %d val samples; BLAS %s\n",
		cfg.Recipe, shape(cfg), cfg.TotalEpochs(), cfg.BatchSize, seed, splits.Source, splits.Train.N, splits.Val.N, backend.Describe())

	total := cfg.TotalEpochs()
	tty := progress.IsTerminal(stderr)
	var bar *progress.Bar
	opts := ff.Options{
		Seed: seed,
		Val:  splits.Val,
		OnBatch: func(epoch, done, batches int) {
			if bar == nil {
				bar = progress.New(stderr, tty, fmt.Sprintf("epoch %d/%d", epoch, total), batches)
			}
			if tty {
				bar.Update(done, "")
			}
		},
		OnEpoch: func(m ff.EpochMetrics, _ *ff.Network) error {
			if bar != nil {
				bar.Clear()
				bar = nil
			}
			printEpoch(out, m, total)
			return nil
		},
	}
	var steps []ff.StepMetrics
	if c.String("out") != "" && c.Int("record-every") > 0 {
		opts.Record = &ff.Recording{Schedule: ff.StepSchedule{Every: c.Int("record-every")},
			OnStep: func(m ff.StepMetrics) error { steps = append(steps, m); return nil }}
		if c.Int("probe") > 0 {
			opts.Record.Probe = splits.Val.Head(c.Int("probe"))
		}
	}
	start := time.Now()
	net, history, err := ff.Train(c.Context, cfg, splits.Train, opts)
	var fe *ff.FieldError
	if errors.As(err, &fe) {
		// A value that is valid alone but not for this data, such as a
		// batch larger than the training set: name the flag.
		return flagError(strings.ReplaceAll(fe.Field, "_", "-"), fe.Value, fe.Want)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "trained in %s\n", time.Since(start).Round(time.Second))
	if c.Bool("test") {
		ev, err := net.Evaluate(splits.Test, ff.ValidationSeed)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "test (%d samples): classifier %s (error %s), goodness over labels %s\n", ev.Samples,
			pct(ev.ClassifierAccuracy), pct(1-ev.ClassifierAccuracy), pct(ev.GoodnessAccuracy))
	}
	if path := c.String("out"); path != "" {
		// Again: training takes a while, and the file is replaced by a
		// rename, which would replace a device or a FIFO put there since.
		if err := checkOut(path); err != nil {
			return err
		}
		if err := writeTrainMetrics(path, cfg, seed, splits, history, steps); err != nil {
			return err
		}
		fmt.Fprintf(out, "wrote %s\n", path)
	}
	return nil
}

func shape(cfg ff.Config) string {
	if len(cfg.Widths) > 0 {
		return fmt.Sprint(cfg.Widths)
	}
	return fmt.Sprintf("%d×%d", cfg.Depth, cfg.Width)
}

// printEpoch prints one line: per-layer FF accuracy and the model
// accuracies, on the training batches and on validation.
func printEpoch(w io.Writer, m ff.EpochMetrics, total int) {
	var b strings.Builder
	fmt.Fprintf(&b, "epoch %*d/%d  lr %.3g", len(fmt.Sprint(total)), m.Epoch, total, m.LR)
	if m.Layer > 0 {
		fmt.Fprintf(&b, "  training layer %d", m.Layer)
	}
	layerAcc := func(s ff.SplitMetrics) string {
		parts := make([]string, len(s.Layers))
		for i, l := range s.Layers {
			parts[i] = fmt.Sprintf("%.4f", l.Accuracy)
		}
		return strings.Join(parts, " ")
	}
	fmt.Fprintf(&b, "  | train ff_acc %s  cls %s", layerAcc(m.Train), pct(m.Train.ClassifierAccuracy))
	if v := m.Val; v != nil {
		fmt.Fprintf(&b, "  | val ff_acc %s  cls %s  good %s", layerAcc(*v), pct(v.ClassifierAccuracy), pct(v.GoodnessAccuracy))
	}
	fmt.Fprintf(&b, "  | %.1fs", m.Seconds)
	fmt.Fprintln(w, b.String())
}

func pct(x float64) string {
	if x != x {
		return "-"
	}
	return fmt.Sprintf("%.2f%%", 100*x)
}

// checkOut refuses an --out that exists and is not a regular file: the
// file is written by a rename over it, which would replace a device (as
// root, /dev/null or /dev/full), a FIFO, a folder or a link instead of
// writing into it.
func checkOut(path string) error {
	if path == "" {
		return nil
	}
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return flagError("out", path, err.Error())
	case fi.Mode()&fs.ModeSymlink != 0:
		return flagError("out", path, "is a symbolic link: must be a regular file or absent")
	case !fi.Mode().IsRegular():
		return flagError("out", path, fmt.Sprintf("is a %s: must be a regular file or absent", fileKind(fi.Mode())))
	}
	return nil
}

// fileKind names the type of a file that is not a regular file.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "folder"
	case m&fs.ModeNamedPipe != 0:
		return "FIFO"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeSocket != 0:
		return "socket"
	}
	return "special file"
}
