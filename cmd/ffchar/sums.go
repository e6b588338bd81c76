package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ffchar/ffchar/backend"
	"github.com/ffchar/ffchar/pipeline"
	"github.com/ffchar/ffchar/stages"
)

// portableLine is the key line of portable arithmetic (stages' numerics).
const portableLine = `param arithmetic "` + backend.PortableMode + `"`

// verifySums is `ffchar verify --sums DIR`: it recomputes the published
// runs in DIR's sums file and reports each as a match, a difference or
// one that cannot be compared.
func verifySums(c *cli.Context) error {
	dir := c.String("sums")
	for _, f := range []string{"profile", "arithmetic", "compute-missing"} {
		if c.IsSet(f) {
			return flagError(f, c.Value(f), "not with --sums: the sums file names the experiment and its arithmetic")
		}
	}
	k := c.Int("sample")
	if k < 0 {
		return flagError("sample", k, "must be ≥ 0")
	}
	path := filepath.Join(dir, "data", stages.SumsFile)
	sums, err := stages.ReadSums(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: no sums file: %s was published without one (before ffchar wrote them); republish it to verify it", path, dir)
	}
	if err != nil {
		return err
	}
	exp, err := loadExperiment(sums.Experiment)
	if err != nil {
		return err
	}
	out := c.App.Writer
	cannot := func(why string) error {
		fmt.Fprintf(out, "%-15s all %d runs: %s\n", stages.CannotCompare, len(sums.Runs), why)
		return fmt.Errorf("%w: nothing compared with %s: %s", errVerify, path, why)
	}
	if slices.Contains(sums.Numerics, portableLine) {
		exp.Arithmetic = backend.PortableMode
		if err := backend.EnsurePortable(); err != nil {
			return cannot("published in portable arithmetic, which this machine cannot run: " + err.Error())
		}
	} else {
		exp.Arithmetic = backend.Native
	}
	if here := stages.Numerics(exp.Arithmetic); !slices.Equal(here, sums.Numerics) {
		for i := range max(len(here), len(sums.Numerics)) {
			p, h := "(none)", "(none)"
			if i < len(sums.Numerics) {
				p = sums.Numerics[i]
			}
			if i < len(here) {
				h = here[i]
			}
			if p != h {
				return cannot(fmt.Sprintf("published with %s, this machine computes with %s", p, h))
			}
		}
	}
	cacheDir := c.String("cache")
	if cacheDir == "" {
		if cacheDir, err = pipeline.DefaultDir(); err != nil {
			return err
		}
	}
	cache, err := pipeline.Open(cacheDir)
	if err != nil {
		return err
	}
	n, err := workers(c)
	if err != nil {
		return err
	}
	jobs, err := stages.Jobs(exp, stages.Selection{Until: stages.Evaluate, Replicate: -1})
	if err != nil {
		return err
	}
	if k > 0 {
		jobs = sampleJobs(exp, jobs, k)
	}
	var runs []string
	for _, j := range jobs {
		if j.Stage == stages.Train {
			runs = append(runs, strings.SplitN(j.ID, "/", 3)[2])
		}
	}
	env := &pipelineEnv{exp: exp, cache: cache, out: out, err: c.App.ErrWriter}
	// Verify mode: a cached job is recomputed too, and must match the cache.
	res, err := env.runPipeline(c.Context, jobs, n, true, false)
	if err != nil {
		return err
	}
	counts := map[string]int{}
	for _, run := range runs {
		chk := stages.CheckRun(cache, res, sums, run, filepath.Join(dir, "data"))
		counts[chk.Verdict]++
		switch chk.Verdict {
		case stages.Match:
			fmt.Fprintf(out, "%-15s %s (%d outputs)\n", chk.Verdict, run, chk.Outputs)
		default:
			fmt.Fprintf(out, "%-15s %s: %s\n", chk.Verdict, run, chk.Detail)
		}
	}
	summary := fmt.Sprintf("%d runs of %s: %d match, %d differ, %d cannot be compared",
		len(runs), path, counts[stages.Match], counts[stages.Differ], counts[stages.CannotCompare])
	switch {
	case counts[stages.Differ] > 0:
		return fmt.Errorf("%w: %s", errVerify, summary)
	case counts[stages.Match] == 0:
		return fmt.Errorf("%w: nothing compared: %s", errVerify, summary)
	}
	fmt.Fprintln(out, summary)
	return nil
}
