package main

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ffchar/ffchar/dataset"
	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/pipeline"
	"github.com/ffchar/ffchar/stages"
)

func statusCommand() *cli.Command {
	return &cli.Command{
		Name:  "status",
		Usage: "show which jobs are done, stale or blocked, and with --why what changed",
		Description: `A job is cached when its outputs are in the cache, stale when its inputs are
ready but its current key is not cached, blocked when a job it depends on is
not cached yet. --why prints, for each stale job, how its key differs from the
one it last ran with: the parameters or inputs that changed.`,
		Flags: []cli.Flag{profileFlag, cacheFlag, arithFlag, setFlag,
			&cli.BoolFlag{Name: "why", Usage: "explain each stale job: the key lines that changed"}},
		Action: func(c *cli.Context) error {
			env, err := openEnvFor(c, false)
			if err != nil {
				return err
			}
			st, err := stages.Status(env.cache, env.exp, stages.All)
			if err != nil {
				return err
			}
			counts := map[pipeline.State]int{}
			byStage := map[string]map[pipeline.State]int{}
			for _, s := range st {
				counts[s.State]++
				if byStage[s.Stage] == nil {
					byStage[s.Stage] = map[pipeline.State]int{}
				}
				byStage[s.Stage][s.State]++
			}
			fmt.Fprintf(env.out, "experiment %s (%s): %d jobs, %d cached, %d stale, %d blocked\n",
				env.exp.Name, env.exp.Path, len(st), counts[pipeline.Cached], counts[pipeline.Stale], counts[pipeline.Blocked])
			for _, name := range stages.Names {
				if m := byStage[name]; m != nil {
					fmt.Fprintf(env.out, "  %-9s %4d cached %4d stale %4d blocked\n", name, m[pipeline.Cached], m[pipeline.Stale], m[pipeline.Blocked])
				}
			}
			if err := statesSummary(env, st); err != nil {
				return err
			}
			if !c.Bool("why") {
				return nil
			}
			for _, s := range st {
				switch s.State {
				case pipeline.Stale:
					fmt.Fprintf(env.out, "%s: stale: %s\n", s.Job, s.Reason)
					switch {
					case s.Damaged:
						fmt.Fprintf(env.out, "    its entry %s is in the cache but damaged; it will be recomputed\n", short(s.Key.ID))
					case !s.HasPrevious:
						fmt.Fprintf(env.out, "    never run under this name\n")
					case len(s.Changes) == 0:
						fmt.Fprintf(env.out, "    last run's key %s is no longer in the cache\n", short(s.Previous))
					}
					for _, ch := range s.Changes {
						fmt.Fprintf(env.out, "    %s\n", ch)
					}
				}
			}
			// Blocked jobs only wait for stale ones: one line per stage
			// says so instead of a line per job.
			for _, name := range stages.Names {
				if n := byStage[name][pipeline.Blocked]; n > 0 {
					fmt.Fprintf(env.out, "%s: %d jobs blocked until the jobs they depend on are computed\n", name, n)
				}
			}
			return nil
		},
	}
}

// statesSummary says how much training the runs share and, for train jobs
// still to run, how many continue from a state in the cache (killed runs).
func statesSummary(env *pipelineEnv, st []pipeline.JobStatus) error {
	runs := env.exp.Runs()
	if shared := stages.SharedPrefixes(runs); len(shared) > 0 {
		epochs, all := 0, 0
		for _, r := range runs {
			all += r.Config.TotalEpochs()
			epochs += shared[r.Index].Epochs
		}
		fmt.Fprintf(env.out, "shared training: %d of %d runs continue the state of a shorter run of their seed (%d of %d epochs trained once)\n",
			len(shared), len(runs), epochs, all)
	}
	stale := map[string]bool{}
	for _, s := range st {
		if s.Stage == stages.Train && s.State != pipeline.Cached {
			stale[s.Job] = true
		}
	}
	if len(stale) == 0 {
		return nil
	}
	points, err := stages.ResumePoints(env.cache, env.exp, stages.All)
	if err != nil {
		return err
	}
	n, epochs := 0, 0
	for _, r := range runs {
		if e := points[r.Index]; e > 0 && stale[stages.RunJobID(env.exp, stages.Train, r)] {
			n++
			epochs += e
		}
	}
	if n > 0 {
		fmt.Fprintf(env.out, "stored states: %d of %d train jobs to run continue from one (%d epochs already trained)\n", n, len(stale), epochs)
	}
	return nil
}

func short(id pipeline.ActionID) string { return id.String()[:12] }

func planCommand() *cli.Command {
	return &cli.Command{
		Name:  "plan",
		Usage: "dry run: list the runs an experiment would compute and their estimated cost",
		Flags: []cli.Flag{profileFlag, cacheFlag, jobsFlag, arithFlag, setFlag,
			&cli.Float64Flag{Name: "gflops", Usage: "sustained GFLOP/s of one worker, for the time estimate", DefaultText: "measured: from the experiment's cached runs, else by training its costliest treatment briefly"},
			&cli.BoolFlag{Name: "runs", Usage: "list every run, not only treatments"}},
		Action: func(c *cli.Context) error {
			env, err := openEnv(c)
			if err != nil {
				return err
			}
			n, err := workers(c)
			if err != nil {
				return err
			}
			if g := c.Float64("gflops"); c.IsSet("gflops") && (g <= 0 || math.IsInf(g, 0) || math.IsNaN(g)) {
				return flagError("gflops", g, "must be a positive number")
			}
			st, err := stages.Status(env.cache, env.exp, stages.All)
			if err != nil {
				return err
			}
			byJob := make(map[string]*pipeline.JobStatus, len(st))
			for i := range st {
				byJob[st[i].Job] = &st[i]
			}
			exp := env.exp
			runs := exp.Runs()
			// Costs and memory are estimated on runs whose data sizes are
			// the real ones of a folder (read from its headers), not
			// MNIST's; job IDs come from the runs as they are.
			sized, err := sizedRuns(exp, runs)
			if err != nil {
				return err
			}
			train, val, test := exp.Data.Sizes()
			if len(sized) > 0 {
				train, val, test = sized[0].Data.Sizes()
			}
			fmt.Fprintf(env.out, "experiment %s: %s\n", exp.Name, exp.Description)
			fmt.Fprintf(env.out, "data %s: %d train, %d val, %d test; %d treatments × %d seeds = %d runs\n",
				strings.Join(exp.Sources(), ", "), train, val, test, len(exp.Treatments()), exp.Seeds, len(runs))
			var todo, total, costliestCost float64
			var todoRuns int
			var costliest experiments.Run
			var cached []cachedRun
			perTreatment := map[string]float64{}
			var order []string
			// A run that continues a shorter run's state computes only
			// its own epochs; one with a state of its own in the cache
			// (a killed run) only those after it.
			shared := stages.SharedPrefixes(runs)
			resume, err := stages.ResumePoints(env.cache, exp, stages.All)
			if err != nil {
				return err
			}
			var whole, savedShared float64
			for i, r := range runs {
				cost := exp.RunCost(sized[i]).Total()
				whole += cost
				p := shared[r.Index]
				if p.Epochs > 0 {
					saved := exp.PrefixCost(sized[i], p.Epochs).Total()
					cost -= saved
					savedShared += saved
				}
				total += cost
				if tc := trainedCost(exp, sized[i]); tc > costliestCost {
					costliest, costliestCost = sized[i], tc
				}
				s := byJob[stages.RunJobID(exp, stages.Train, r)]
				isCached := s != nil && s.State == pipeline.Cached
				if isCached {
					cached = append(cached, cachedRun{r, s.Job, s.Entry})
				} else {
					todo += cost
					if e := resume[r.Index]; e > p.Epochs {
						todo -= exp.PrefixCost(sized[i], e).Total() - exp.PrefixCost(sized[i], p.Epochs).Total()
					}
					todoRuns++
				}
				if _, ok := perTreatment[r.TreatmentID]; !ok {
					order = append(order, r.TreatmentID)
				}
				perTreatment[r.TreatmentID] += cost
				if c.Bool("runs") {
					state := "to run"
					if isCached {
						state = "cached"
					}
					fmt.Fprintf(env.out, "  run %-4d %-32s replicate %-2d seed %-20d %8s GFLOP  %s\n",
						r.Index, r.TreatmentID, r.Replicate, r.Seed, significant(cost/1e9, 2, 1), state)
				}
			}
			if !c.Bool("runs") {
				w := 32
				for _, t := range order {
					w = max(w, len(t))
				}
				for _, t := range order {
					fmt.Fprintf(env.out, "  %-*s %10s GFLOP\n", w, t, significant(perTreatment[t]/1e9, 2, 1))
				}
			}
			mem, memWhat := memoryLimit()
			memErr := checkMemory(exp, sized, n, mem, memWhat)
			rate := rateEstimate{c.Float64("gflops"), "given with --gflops"}
			if !c.IsSet("gflops") {
				var ok bool
				if rate, ok, err = cachedRate(env.cache, exp, cached); err != nil {
					return err
				} else if !ok && memErr != nil {
					rate = rateEstimate{nominalGFLOPS, "nominal, not measured: the runs do not fit in memory"}
				} else if !ok {
					if rate, err = measuredRate(c.Context, costliest); err != nil {
						return err
					}
				}
			}
			est := func(f float64) string { return aboutString(f / (rate.GFLOPS * 1e9) / float64(n)) }
			tflop := func(f float64) string { return significant(f/1e12, 2, 1) }
			if len(shared) > 0 {
				fmt.Fprintf(env.out, "shared training prefixes: %d of %d runs continue the state of a shorter run of their seed, which saves %s of %s TFLOP (%.1f%%)\n",
					len(shared), len(runs), tflop(savedShared), tflop(whole), 100*savedShared/whole)
			}
			fmt.Fprintf(env.out, "total %s TFLOP, %s with %d workers at %s GFLOP/s each (%s)\n",
				tflop(total), est(total), n, significant(rate.GFLOPS, 2, 0), rate.From)
			fmt.Fprintf(env.out, "to compute: %d of %d runs, %s TFLOP, %s\n", todoRuns, len(runs), tflop(todo), est(todo))
			peak, per := peakRun(exp, sized)
			fmt.Fprintf(env.out, "memory: about %s per run at most (%s)", bytesString(per), peak.TreatmentID)
			if mem > 0 {
				fmt.Fprintf(env.out, "; this machine has %s", bytesString(mem))
			}
			fmt.Fprintln(env.out)
			return memErr
		},
	}
}

func verifyCommand() *cli.Command {
	return &cli.Command{
		Name:  "verify",
		Usage: "recompute cached jobs and fail if any output differs (determinism check); with --sums, recompute a published sweep's runs and compare them with its sums",
		Description: `Recomputes every cached job of the experiment (or a sample of K training runs
with their evaluations) and compares the outputs, digest by digest, with the
cache. A difference means a result that is not reproducible from its key.

With --sums results/NAME, recomputes the published sweep's runs (all, or K
spread over treatments and replicates with --sample) on this machine, from an
empty cache if need be, in the arithmetic the sweep was published in, and
compares their keys and output digests with results/NAME/data/runs.sum. Each
run is reported as a match, a difference (with the first differing value) or
as one that cannot be compared (published in another arithmetic mode, kernel,
library or toolchain). The exit status is 1 when any run differs or none could
be compared.`,
		Flags: []cli.Flag{profileFlag, cacheFlag, jobsFlag, arithFlag,
			&cli.IntFlag{Name: "sample", Usage: "verify only K runs, spread over the experiment's treatments and replicates (0: all)"},
			&cli.BoolFlag{Name: "compute-missing", Usage: "first compute the selected jobs that are not cached, then verify everything"},
			&cli.StringFlag{Name: "sums", Usage: "a published sweep's folder (results/NAME): recompute its runs and compare them with its data/" + stages.SumsFile}},
		Action: func(c *cli.Context) error {
			if c.IsSet("sums") {
				return verifySums(c)
			}
			env, err := openEnv(c)
			if err != nil {
				return err
			}
			n, err := workers(c)
			if err != nil {
				return err
			}
			k := c.Int("sample")
			if k < 0 {
				return flagError("sample", k, "must be ≥ 0")
			}
			jobs, err := stages.Jobs(env.exp, stages.All)
			if err != nil {
				return err
			}
			if k > 0 {
				jobs = sampleJobs(env.exp, jobs, k)
			}
			if c.Bool("compute-missing") {
				if _, err := env.runPipeline(c.Context, jobs, n, false, false); err != nil {
					return err
				}
			} else {
				// Verification recomputes what is cached; it does not
				// train to create something to compare with. A cached
				// job's dependencies are cached too, so the graph stays
				// whole.
				if jobs, err = cachedJobs(env.cache, jobs); err != nil {
					return err
				}
				if len(jobs) == 0 {
					return fmt.Errorf("%w: nothing verified: no job of %s is cached in %s (run it first, or pass --compute-missing)", errVerify, env.exp.Name, env.cache.Dir())
				}
			}
			res, err := env.runPipeline(c.Context, jobs, n, true, false)
			if err != nil {
				var nd *pipeline.NondeterminismError
				if errors.As(err, &nd) {
					return fmt.Errorf("%w: %v", errVerify, err)
				}
				return err
			}
			verified := 0
			for _, r := range res {
				if r.Verified {
					verified++
				}
			}
			if verified == 0 {
				return fmt.Errorf("%w: nothing verified: no job of %s was cached", errVerify, env.exp.Name)
			}
			fmt.Fprintf(env.out, "verified %d jobs: every output matches the cache\n", verified)
			return nil
		},
	}
}

// cachedJobs keeps the jobs whose outputs are in the cache.
func cachedJobs(cache *pipeline.Cache, jobs []*pipeline.Job) ([]*pipeline.Job, error) {
	st, err := (&pipeline.Runner{Cache: cache}).Status(jobs)
	if err != nil {
		return nil, err
	}
	var out []*pipeline.Job
	for i, s := range st {
		if s.State == pipeline.Cached {
			out = append(out, jobs[i])
		}
	}
	return out, nil
}

// sampleJobs keeps prep and the train and evaluate jobs of the k runs
// sampleRuns picks.
func sampleJobs(exp *experiments.Experiment, jobs []*pipeline.Job, k int) []*pipeline.Job {
	keep := map[string]bool{}
	for _, j := range jobs {
		if j.Stage == stages.Prep {
			keep[j.ID] = true
		}
	}
	for _, r := range sampleRuns(exp, k) {
		keep[stages.RunJobID(exp, stages.Train, r)] = true
		keep[stages.RunJobID(exp, stages.Evaluate, r)] = true
	}
	var out []*pipeline.Job
	for _, j := range jobs {
		if keep[j.ID] {
			out = append(out, j)
		}
	}
	return out
}

// sampleRuns picks k runs spread over the experiment's treatments and
// replicates. Sample i takes treatment i·T/k, moved on by i mod (T/k)
// within its stride, and replicate i·S/k: a plain stride through the
// canonical order, where the last axis varies fastest, would take every
// sample at one level of that axis (all four of quick's at width 100,
// where kernels agree most often).
func sampleRuns(exp *experiments.Experiment, k int) []experiments.Run {
	runs := exp.Runs()
	k = min(k, len(runs))
	if k <= 0 {
		return nil
	}
	nt := len(exp.Treatments())
	seeds := len(runs) / nt
	stride := max(1, nt/k)
	var out []experiments.Run
	seen := map[int]bool{}
	for i := range k {
		t := min(i*nt/k+i%stride, nt-1)
		r := (i * seeds / k) % seeds
		idx := t*seeds + r
		for seen[idx] { // k > T: two samples of one treatment
			idx = (idx + 1) % len(runs)
		}
		seen[idx] = true
		out = append(out, runs[idx])
	}
	return out
}

func gcCommand() *cli.Command {
	return &cli.Command{
		Name:  "gc",
		Usage: "remove cache entries that no current experiment references",
		Description: `Keeps every entry whose key belongs to a job of a current experiment (every
profile in ./experiments and built into ffchar, and the files named with
--keep), and removes the rest, outputs no entry refers to, and leftovers of
killed processes older than --grace.`,
		Flags: []cli.Flag{cacheFlag,
			&cli.StringSliceFlag{Name: "keep", Usage: "also keep the jobs of this experiment file (repeatable)"},
			&cli.DurationFlag{Name: "grace", Value: time.Hour, Usage: "keep unreferenced files younger than this"},
			&cli.BoolFlag{Name: "dry-run", Usage: "report what would be removed"}},
		Action: func(c *cli.Context) error {
			dir := c.String("cache")
			var err error
			if dir == "" {
				if dir, err = pipeline.DefaultDir(); err != nil {
					return err
				}
			}
			cache, err := pipeline.Open(dir)
			if err != nil {
				return err
			}
			// The profiles built in, every experiment file in ./experiments
			// (a user's own, even one the binary was built without), and
			// the files named with --keep.
			names := experiments.Profiles()
			files, err := filepath.Glob(filepath.Join("experiments", "*.toml"))
			if err != nil {
				return err
			}
			for _, f := range files {
				if !slices.Contains(names, strings.TrimSuffix(filepath.Base(f), ".toml")) {
					names = append(names, f)
				}
			}
			names = append(names, c.StringSlice("keep")...)
			sort.Strings(names)
			keep := map[pipeline.ActionID]bool{}
			for _, name := range names {
				exp, err := loadExperiment(name)
				if err != nil {
					return err
				}
				st, err := stages.Status(cache, exp, stages.All)
				if err != nil {
					return err
				}
				for _, s := range st {
					if s.State != pipeline.Blocked {
						keep[s.Key.ID] = true
					}
				}
			}
			stats, err := cache.GC(keep, pipeline.GCOptions{Grace: c.Duration("grace"), DryRun: c.Bool("dry-run")})
			if err != nil {
				return err
			}
			for _, p := range stats.Skipped {
				fmt.Fprintf(c.App.ErrWriter, "gc: left %s alone: it links to a folder outside the cache\n", p)
			}
			verb := "removed"
			if c.Bool("dry-run") {
				verb = "would remove"
			}
			fmt.Fprintf(c.App.Writer, "gc (%s): kept %d referenced keys; %s %s\n", strings.Join(names, ", "), len(keep), verb, statsString(stats))
			return nil
		},
	}
}

func statsString(s pipeline.GCStats) string {
	states := ""
	if n := s.Stages[stages.StateStage]; n > 0 {
		// Training states are partial results: collected like any entry
		// no kept job refers to, and trained again when asked for.
		states = fmt.Sprintf(" (%d of them training states)", n)
	}
	return fmt.Sprintf("%d entries%s, %d outputs (%s), %d temporary files, %d lock files; %d entries kept",
		s.Entries, states, s.Outputs, sizeString(s.Bytes), s.Temps, s.Locks, s.Kept)
}

// sizeString writes a byte count with a unit that keeps it readable:
// 512 B, 3.4 kB, 12.3 MB, 1.2 GB (powers of 1000).
func sizeString(b int64) string {
	const units = "kMGTPE"
	if b < 1000 {
		return fmt.Sprintf("%d B", b)
	}
	v, i := float64(b)/1000, 0
	for v >= 1000 && i < len(units)-1 {
		v, i = v/1000, i+1
	}
	return fmt.Sprintf("%.1f %cB", v, units[i])
}

// sizedRuns returns runs with the data sizes a folder source really
// holds (dataset.Announced, from the files' headers) in place of the
// limits: unlimited splits get the folder's sizes, not MNIST's. Runs of
// other sources are returned as they are.
func sizedRuns(exp *experiments.Experiment, runs []experiments.Run) ([]experiments.Run, error) {
	sized := slices.Clone(runs)
	avail := map[string]dataset.Sizes{}
	for i := range sized {
		d := &sized[i].Data
		if d.Source != experiments.SourceDir {
			continue
		}
		a, ok := avail[d.Dir]
		if !ok {
			var err error
			if a, err = dataset.Announced(d.Dir, 0); err != nil {
				return nil, err
			}
			avail[d.Dir] = a
		}
		for _, s := range []struct {
			limit *int
			avail int
		}{{&d.TrainLimit, a.Train}, {&d.ValLimit, a.Val}, {&d.TestLimit, a.Test}} {
			if *s.limit == 0 || *s.limit > s.avail {
				*s.limit = s.avail
			}
		}
	}
	return sized, nil
}
