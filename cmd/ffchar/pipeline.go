package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/ffchar/ffchar/internal/safepath"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ffchar/ffchar/backend"
	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/internal/progress"
	"github.com/ffchar/ffchar/pipeline"
	"github.com/ffchar/ffchar/stages"
)

// Flags shared by the pipeline commands.
var (
	profileFlag = &cli.StringFlag{Name: "profile", Aliases: []string{"p"}, Value: "quick",
		Usage: "experiment: a profile name (" + strings.Join(experiments.Profiles(), ", ") + ") or the path of an experiment file"}
	setFlag = &cli.StringSliceFlag{Name: "set",
		Usage: "override an engine field of every treatment, as [base] would, e.g. --set lr=0.01 (repeatable; not an axis of the experiment; the results README lists it)"}
	cacheFlag = &cli.StringFlag{Name: "cache", EnvVars: []string{pipeline.EnvCache},
		Usage: "cache directory", DefaultText: pipeline.DefaultDirName + " in the working directory"}
	jobsFlag = &cli.IntFlag{Name: "jobs", Aliases: []string{"j"},
		Usage: "runs computed at once", DefaultText: "one per core"}
	resultsFlag = &cli.StringFlag{Name: "results", Value: "results",
		Usage: "folder that publish writes figures and tables into"}
	// run publishes only into a folder the user names: a plain run leaves
	// the committed results/ alone.
	runResultsFlag = &cli.StringFlag{Name: "results",
		Usage:       "also publish the figures and tables into FOLDER/<experiment>",
		DefaultText: "none: the results stay in the cache, and run prints the command that publishes them"}
	verboseFlag = &cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "log every job, cached ones included"}
	arithFlag   = &cli.StringFlag{Name: "arithmetic",
		Usage: "native (the CPU's fastest OpenBLAS kernel; bits reproducible on this machine) or portable (OpenBLAS " +
			backend.PortableVersion + "'s " + backend.PortableKernel + " kernel, 1 thread: bits that agree on any CPU with AVX2 and FMA)",
		DefaultText: "the experiment's arithmetic key, else native"}
)

// arithmetic applies the --arithmetic flag, when given, over the
// experiment's mode, and, for a command that computes, enters portable
// arithmetic when that is the mode: this may start the program again
// (backend.EnsurePortable), so it runs before the command writes anything.
// It refuses with one line where portable arithmetic cannot run. Keys need
// no particular process (stages' numerics), so commands that only read
// the cache (status, check) work anywhere.
func arithmetic(c *cli.Context, exp *experiments.Experiment, compute bool) error {
	mode := backend.Native
	if exp != nil {
		mode = exp.Arithmetic
	}
	if c.IsSet("arithmetic") {
		mode = c.String("arithmetic")
		if !slices.Contains(backend.Modes, mode) {
			return flagError("arithmetic", fmt.Sprintf("%q", mode), "must be one of "+strings.Join(backend.Modes, ", "))
		}
		if exp != nil {
			exp.Arithmetic = mode
		}
	}
	if mode != backend.PortableMode || !compute {
		return nil
	}
	return backend.EnsurePortable()
}

func selectionFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "treatment", Usage: "only the runs of this treatment ID (see ffchar plan)"},
		&cli.Uint64Flag{Name: "seed", Usage: "only the run with this derived seed (see ffchar plan)"},
		&cli.IntFlag{Name: "replicate", Value: -1, Usage: "only this replicate number (0-based)"},
	}
}

// pipelineEnv is what a pipeline command works with.
type pipelineEnv struct {
	exp   *experiments.Experiment
	cache *pipeline.Cache
	out   io.Writer
	err   io.Writer
}

// openEnv opens the experiment and cache of a command that computes.
func openEnv(c *cli.Context) (*pipelineEnv, error) { return openEnvFor(c, true) }

// openEnvFor opens the experiment and cache; compute says whether the
// command computes (see arithmetic).
func openEnvFor(c *cli.Context, compute bool) (*pipelineEnv, error) {
	// A misused flag is reported before anything about the machine.
	if _, err := workers(c); err != nil {
		return nil, err
	}
	exp, err := loadExperiment(c.String("profile"))
	if err != nil {
		return nil, err
	}
	if err := exp.Set(c.StringSlice("set")); err != nil {
		return nil, usageError{err}
	}
	if err := arithmetic(c, exp, compute); err != nil {
		return nil, err
	}
	dir := c.String("cache")
	if dir == "" {
		if dir, err = pipeline.DefaultDir(); err != nil {
			return nil, err
		}
	}
	cache, err := pipeline.Open(dir)
	if err != nil {
		return nil, err
	}
	return &pipelineEnv{exp: exp, cache: cache, out: c.App.Writer, err: c.App.ErrWriter}, nil
}

// loadExperiment loads a profile by name or an experiment file by path.
// Profiles are read from ./experiments when the file exists there, so
// edits take effect, and from the copies built into the binary otherwise.
func loadExperiment(name string) (*experiments.Experiment, error) {
	return experiments.ProfileIn("experiments", name)
}

func workers(c *cli.Context) (int, error) {
	n := c.Int("jobs")
	if c.IsSet("jobs") && n < 1 {
		return 0, flagError("jobs", n, "must be ≥ 1")
	}
	if n == 0 {
		n = runtime.NumCPU()
	}
	return n, nil
}

func selection(c *cli.Context) (stages.Selection, error) {
	sel := stages.All
	if c.IsSet("treatment") {
		sel.Treatment = c.String("treatment")
	}
	if c.IsSet("seed") {
		sel.Seed = c.Uint64("seed")
	}
	if c.IsSet("replicate") {
		sel.Replicate = c.Int("replicate")
		if sel.Replicate < 0 {
			return sel, flagError("replicate", sel.Replicate, "must be ≥ 0")
		}
	}
	return sel, nil
}

// jobOverhead is the weight every job has in the progress estimate beyond
// its arithmetic, for reading, hashing and writing its files: 1 GFLOP,
// a few hundredths of a second of a worker.
const jobOverhead = 1e9

// jobWeights returns the weight of each job in the progress estimate, its
// estimated arithmetic (a train job's training, validation and probes, an
// evaluate job's test passes) plus jobOverhead, and the train job of each
// run ID (stages.RunID), which epoch progress names.
func jobWeights(exp *experiments.Experiment, jobs []*pipeline.Job) (map[string]float64, map[string]string) {
	weights := make(map[string]float64, len(jobs))
	for _, j := range jobs {
		weights[j.ID] = jobOverhead
	}
	runs := exp.Runs()
	// A folder's real sizes when its headers can be read; the relative
	// weights of its runs are the same either way.
	if sized, err := sizedRuns(exp, runs); err == nil {
		runs = sized
	}
	trainJob := map[string]string{}
	for _, r := range runs {
		c := exp.RunCost(r)
		id := stages.RunJobID(exp, stages.Train, r)
		if _, ok := weights[id]; ok {
			weights[id] += c.Train + c.Validate + c.Probe
			trainJob[stages.RunID(r)] = id
		}
		if id := stages.RunJobID(exp, stages.Evaluate, r); weights[id] > 0 {
			weights[id] += c.Test
		}
	}
	return weights, trainJob
}

// runPipeline runs the selected jobs and reports progress: a bar with an
// ETA on a terminal, a line per computed job otherwise. The ETA weighs
// jobs by their estimated arithmetic (jobWeights), so that it is not the
// time elapsed while one long training is the last of few jobs.
func (env *pipelineEnv) runPipeline(ctx context.Context, jobs []*pipeline.Job, n int, verify, verbose bool) ([]pipeline.Result, error) {
	tty := progress.IsTerminal(env.err)
	weights, trainJob := jobWeights(env.exp, jobs)
	bar := progress.NewWeighted(env.err, tty, "jobs", weights)
	start := time.Now()
	var mu sync.Mutex
	computed, epochs, samples := 0, 0, 0
	note := func() string {
		s := fmt.Sprintf("(%d computed", computed)
		if epochs > 0 {
			s += fmt.Sprintf("; %d epochs trained, %.0f samples/s", epochs, float64(samples)/time.Since(start).Seconds())
		}
		return s + ")"
	}
	ctx = stages.WithEpochProgress(ctx, func(ev stages.EpochEvent) {
		mu.Lock()
		defer mu.Unlock()
		epochs++
		samples += ev.Samples
		bar.Advance(trainJob[ev.Run], float64(ev.Epoch)/float64(ev.Epochs), note())
	})
	rehash, err := rehashMode()
	if err != nil {
		return nil, err
	}
	r := &pipeline.Runner{Cache: env.cache, Workers: n, Verify: verify, Rehash: rehash, Progress: func(ev pipeline.Event) {
		mu.Lock()
		defer mu.Unlock()
		switch ev.Kind {
		case pipeline.JobFinished:
			if !ev.Hit {
				computed++
			}
			if !ev.Hit || verbose || verify {
				bar.Clear()
				what := "computed"
				switch {
				case ev.Hit && verify:
					what = "verified"
				case ev.Hit:
					what = "cached"
				}
				fmt.Fprintf(env.err, "[%d/%d] %s %s in %s\n", ev.Done, ev.Total, what, ev.Job, ev.Duration.Round(10*time.Millisecond))
			}
			if ev.Hit && !verify {
				bar.Skip(ev.Job, note())
			} else {
				bar.Finish(ev.Job, note())
			}
		case pipeline.JobWaiting:
			bar.Clear()
			fmt.Fprintf(env.err, "waiting for %s: another process is computing it\n", ev.Job)
		case pipeline.JobFailed:
			bar.Clear()
			bar.Finish(ev.Job, note())
		}
	}}
	res, err := r.Run(ctx, jobs)
	bar.Clear()
	hits := 0
	for _, x := range res {
		if x.Hit {
			hits++
		}
	}
	fmt.Fprintf(env.err, "%d jobs: %d cached, %d computed, in %s (BLAS %s, %d workers)\n",
		len(jobs), hits, computed, time.Since(start).Round(10*time.Millisecond), backend.Describe(), n)
	return res, err
}

func pipelineCommands() []*cli.Command {
	common := []cli.Flag{profileFlag, cacheFlag, jobsFlag, verboseFlag, arithFlag, setFlag}
	stageCmd := func(stage, usage string, extra ...cli.Flag) *cli.Command {
		return &cli.Command{
			Name:  stage,
			Usage: usage,
			Flags: append(append([]cli.Flag(nil), common...), extra...),
			Action: func(c *cli.Context) error {
				return runAction(c, stage)
			},
		}
	}
	return []*cli.Command{
		{
			Name:  "run",
			Usage: "run the whole pipeline of an experiment (prep, train, evaluate, correlate; publish with --results)",
			Description: `Computes every job of the experiment that is not in the cache, through the
analysis (correlate): sweep tables, analysis tables, figures and README, all in
the cache. Finished runs are reused: a second run completes from the cache in
seconds, and a run that was killed recomputes only what had not finished.

run writes nothing outside the cache unless asked to: with --results FOLDER it
also publishes into FOLDER/<experiment>; otherwise it ends with one line naming
the cache and the command that publishes (ffchar publish, into results/ by
default). --until publish publishes too, into --results or results/.`,
			Flags: append(append([]cli.Flag(nil), common...),
				&cli.StringFlag{Name: "until", Usage: "last stage to run: " + strings.Join(stages.Names, ", ")},
				runResultsFlag, shardFlags()[0], shardFlags()[1]),
			Action: func(c *cli.Context) error { return runAction(c, c.String("until")) },
		},
		stageCmd(stages.Prep, "prepare the experiment's data set"),
		stageCmd(stages.Evaluate, "evaluate every kept checkpoint on the test set (training what is missing)", append(selectionFlags(), shardFlags()...)...),
		stageCmd(stages.Correlate, "gather every run into the sweep tables and analyse them once: analysis tables, figures, results README"),
		stageCmd(stages.Publish, "write figures and tables into the results folder", resultsFlag),
		redrawCommand(),
		statusCommand(),
		checkCommand(),
		slurmCommand(),
		planCommand(),
		verifyCommand(),
		gcCommand(),
	}
}

// runAction runs the pipeline up to the stage until ("" for all).
func runAction(c *cli.Context, until string) error {
	if until != "" {
		if err := checkStage(until); err != nil {
			return err
		}
	}
	env, err := openEnv(c)
	if err != nil {
		return err
	}
	n, err := workers(c)
	if err != nil {
		return err
	}
	// Commands without the selection or shard flags see them unset.
	sel, err := selection(c)
	if err != nil {
		return err
	}
	if until != stages.Publish {
		sel.Until = until
	}
	if sel.ShardIndex, sel.ShardCount, err = shard(c); err != nil {
		return err
	}
	sharded := sel.ShardCount > 1
	jobs, err := stages.Jobs(env.exp, sel)
	if err != nil {
		return err
	}
	mem, memWhat := memoryLimit()
	sized, err := sizedRuns(env.exp, jobRuns(env.exp, jobs))
	if err != nil {
		return err
	}
	if err := checkMemory(env.exp, sized, n, mem, memWhat); err != nil {
		return err
	}
	res, err := env.runPipeline(c.Context, jobs, n, false, c.Bool("verbose"))
	if err != nil {
		return err
	}
	if sharded {
		return nil
	}
	// Only publish (or run --until publish) and an explicit --results
	// write outside the cache.
	results := c.String("results")
	if c.IsSet("results") && results == "" {
		return flagError("results", `""`, "must name a folder")
	}
	if until == stages.Publish || (until == "" && results != "") {
		if results == "" {
			results = "results"
		}
		dir, err := stages.PublishResults(env.cache, res, results, resultsInfo(env.exp))
		if err != nil {
			return err
		}
		fmt.Fprintf(env.out, "published %s\n", dir)
		return nil
	}
	if until == "" || until == stages.Correlate {
		cache := c.String("cache")
		if cache == "" {
			cache = env.cache.Dir()
		}
		fmt.Fprintf(env.out, "%s: analysed in the cache %s, not published; publish into %s with: %s\n",
			env.exp.Name, cache, filepath.Join("results", env.exp.Name), publishCommand(c))
	}
	return nil
}

// publishCommand is the command line that publishes what c computed into
// results/: the same experiment, cache, arithmetic and overrides, so
// that every job is a cache hit.
func publishCommand(c *cli.Context) string {
	args := []string{c.App.Name, stages.Publish, "--profile", c.String("profile")}
	if dir := c.String("cache"); dir != "" {
		args = append(args, "--cache", dir)
	}
	if c.IsSet("arithmetic") {
		args = append(args, "--arithmetic", c.String("arithmetic"))
	}
	for _, s := range c.StringSlice("set") {
		args = append(args, "--set", s)
	}
	for i, a := range args {
		args[i] = shellQuote(a)
	}
	return strings.Join(args, " ")
}

// jobRuns returns the runs of exp whose training is among jobs.
func jobRuns(exp *experiments.Experiment, jobs []*pipeline.Job) []experiments.Run {
	ids := make(map[string]bool, len(jobs))
	for _, j := range jobs {
		ids[j.ID] = true
	}
	var runs []experiments.Run
	for _, r := range exp.Runs() {
		if ids[stages.RunJobID(exp, stages.Train, r)] {
			runs = append(runs, r)
		}
	}
	return runs
}

func checkStage(s string) error {
	for _, n := range stages.Names {
		if n == s {
			return nil
		}
	}
	return flagError("until", fmt.Sprintf("%q", s), "must be one of "+strings.Join(stages.Names, ", "))
}

var errVerify = errors.New("verification failed")

func resultsInfo(exp *experiments.Experiment) stages.ResultsInfo {
	return stages.ResultsInfo{Experiment: exp, Version: version}
}

func redrawCommand() *cli.Command {
	return &cli.Command{
		Name:      "redraw",
		Usage:     "redraw every figure and table of published results from their sweep tables, without training",
		ArgsUsage: "[results/NAME]",
		Description: `Reads <results>/<profile>/data (the per-epoch curves and test evaluations a
sweep published) and regenerates <results>/<profile>/tables, figures,
README.md and SCHEMA.md from them. Needs no cache and trains nothing. Results
published with --set overrides are redrawn with the same --set.

Given a results folder instead, redraws it from what it holds alone: its
experiment.toml and the --set overrides its provenance.json records. This
works on a fresh clone without experiments/ and without a cache:

   ffchar redraw results/quick`,
		Flags: []cli.Flag{profileFlag, resultsFlag, setFlag},
		Action: func(c *cli.Context) error {
			start := time.Now()
			var dir string
			switch {
			case c.NArg() > 1:
				return usageError{fmt.Errorf("redraw takes one results folder, got %d arguments", c.NArg())}
			case c.NArg() == 1 && (c.IsSet("profile") || c.IsSet("results")):
				return usageError{errors.New("redraw: give a results folder or --profile and --results, not both")}
			case c.NArg() == 1:
				var sets []string
				if c.IsSet("set") {
					sets = c.StringSlice("set")
				}
				exp, err := stages.LoadPublished(c.Args().First(), sets)
				if err != nil {
					return err
				}
				if dir, err = stages.RedrawDir(c.Args().First(), resultsInfo(exp)); err != nil {
					return err
				}
			default:
				exp, err := loadExperiment(c.String("profile"))
				if errors.Is(err, fs.ErrNotExist) {
					// Published results carry their experiment file.
					if p, perr := safepath.Join(c.String("results"), c.String("profile")); perr == nil {
						if e, lerr := stages.LoadPublished(p, []string{}); lerr == nil {
							exp, err = e, nil
						}
					}
				}
				if err != nil {
					return err
				}
				if err := exp.Set(c.StringSlice("set")); err != nil {
					return usageError{err}
				}
				if dir, err = stages.Redraw(c.String("results"), resultsInfo(exp)); err != nil {
					return err
				}
			}
			fmt.Fprintf(c.App.Writer, "redrew %s from %s in %s\n", dir, filepath.Join(dir, "data"), time.Since(start).Round(10*time.Millisecond))
			return nil
		},
	}
}

// EnvRehash turns on pipeline.Runner.Rehash: jobs read checked private
// copies of their inputs (see the README's cache threat model).
const EnvRehash = "FFCHAR_REHASH"

func rehashMode() (bool, error) {
	switch v := os.Getenv(EnvRehash); v {
	case "", "0":
		return false, nil
	case "1":
		return true, nil
	default:
		return false, fmt.Errorf("%s=%q: must be 1 (on) or 0 (off)", EnvRehash, v)
	}
}
