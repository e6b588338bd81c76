package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ffchar/ffchar/pipeline"
	"github.com/ffchar/ffchar/stages"
)

func shardFlags() []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "shard-index", Value: -1,
			Usage: "this shard's index, 0..count-1", DefaultText: "$SLURM_ARRAY_TASK_ID, $JOB_COMPLETION_INDEX or $PARALLEL_SEQ-1"},
		&cli.IntFlag{Name: "shard-count", Usage: "split the runs into this many shards; shard i takes the runs at positions ≡ i mod count in the canonical order"},
	}
}

// shardEnv lists where a shard index comes from when --shard-index is not
// given: Slurm job arrays, Kubernetes indexed jobs and GNU parallel (whose
// sequence number starts at 1).
var shardEnv = []struct {
	name   string
	offset int
}{{"SLURM_ARRAY_TASK_ID", 0}, {"JOB_COMPLETION_INDEX", 0}, {"PARALLEL_SEQ", -1}}

// shard returns the shard index and count the flags and environment ask
// for; a count of 0 means no sharding.
func shard(c *cli.Context) (index, count int, err error) {
	if !c.IsSet("shard-count") {
		if c.IsSet("shard-index") {
			return 0, 0, flagError("shard-index", c.Int("shard-index"), "needs --shard-count")
		}
		return 0, 0, nil
	}
	count = c.Int("shard-count")
	if count < 1 {
		return 0, 0, flagError("shard-count", count, "must be ≥ 1")
	}
	source := "--shard-index"
	if c.IsSet("shard-index") {
		index = c.Int("shard-index")
	} else {
		found := false
		for _, e := range shardEnv {
			if v, ok := os.LookupEnv(e.name); ok && strings.TrimSpace(v) != "" {
				n, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil {
					return 0, 0, usageError{fmt.Errorf("$%s = %q: not an integer", e.name, v)}
				}
				index, source, found = n+e.offset, "$"+e.name, true
				break
			}
		}
		if !found {
			return 0, 0, flagError("shard-index", "(not given)", "give it, or run under a Slurm array, a Kubernetes indexed job or GNU parallel")
		}
	}
	if index < 0 || index >= count {
		return 0, 0, usageError{fmt.Errorf("shard index %d (from %s) must be in 0..%d for --shard-count %d", index, source, count-1, count)}
	}
	return index, count, nil
}

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:  "check",
		Usage: "merge check: verify that every run of an experiment is trained and evaluated in the cache",
		Description: `Before the analysis of a sweep computed in shards (Slurm array tasks, several
machines), check that the cache holds every expected run; it names the missing
ones and fails if there are any.`,
		Flags: []cli.Flag{profileFlag, cacheFlag, arithFlag},
		Action: func(c *cli.Context) error {
			env, err := openEnvFor(c, false)
			if err != nil {
				return err
			}
			sel := stages.All
			sel.Until = stages.Evaluate
			st, err := stages.Status(env.cache, env.exp, sel)
			if err != nil {
				return err
			}
			var missing []string
			for _, s := range st {
				if s.State != pipeline.Cached {
					missing = append(missing, s.Job)
				}
			}
			runs := len(env.exp.Runs())
			if len(missing) > 0 {
				for _, m := range missing {
					fmt.Fprintf(env.out, "missing %s\n", m)
				}
				return fmt.Errorf("merge check: %d of %d jobs of %s are missing (listed above)", len(missing), len(st), env.exp.Name)
			}
			fmt.Fprintf(env.out, "merge check: all %d runs of %s are trained and evaluated\n", runs, env.exp.Name)
			return nil
		},
	}
}
