package stages

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/pipeline"
)

// Selection narrows the graph of an experiment: the stages up to Until,
// the runs of one treatment or replicate, or one shard of the runs.
type Selection struct {
	// Until is the last stage to include; "" includes all but publish,
	// which is not a cached job.
	Until string
	// Treatment keeps only runs of this treatment ID ("" keeps all).
	Treatment string
	// Seed keeps only the run with this derived seed (0 keeps all).
	Seed uint64
	// Replicate keeps only this replicate number (-1 keeps all).
	Replicate int
	// ShardIndex and ShardCount keep the runs whose position in the
	// canonical run order is ShardIndex mod ShardCount; a run that
	// continues another's training state (SharedPrefixes) goes with the
	// run it continues, so that the shared epochs are trained once. A
	// ShardCount of 0 or 1 keeps all.
	ShardIndex, ShardCount int
}

// All selects every job of an experiment.
var All = Selection{Replicate: -1}

func jobID(exp *experiments.Experiment, stage string, parts ...string) string {
	return strings.Join(append([]string{exp.Name, stage}, parts...), "/")
}

// RunJobID is the ID of a run's job in a per-run stage (train, evaluate).
func RunJobID(exp *experiments.Experiment, stage string, r experiments.Run) string {
	return jobID(exp, stage, r.TreatmentID, "r"+strconv.Itoa(r.Replicate))
}

// RunJobLabel names a run's job in the keys of the jobs that read it: its
// ID without the experiment's name, so that the same run asked for by two
// experiments is one cache entry.
func RunJobLabel(stage string, r experiments.Run) string {
	return strings.Join([]string{stage, r.TreatmentID, "r" + strconv.Itoa(r.Replicate)}, "/")
}

// Status reports, for the jobs of exp that sel keeps, whether each is
// cached, stale or blocked in c (see pipeline.Runner.Status).
func Status(c *pipeline.Cache, exp *experiments.Experiment, sel Selection) ([]pipeline.JobStatus, error) {
	jobs, err := Jobs(exp, sel)
	if err != nil {
		return nil, err
	}
	return (&pipeline.Runner{Cache: c}).Status(jobs)
}

// prefixRoots maps each run's Index to the Index of the first run of its
// chain of shared training prefixes (its own when it continues no other),
// from the runs' shared prefixes (SharedPrefixes).
func prefixRoots(runs []experiments.Run, shared map[int]Prefix) map[int]int {
	root := make(map[int]int, len(runs))
	for _, r := range runs {
		i := r.Index
		for p, ok := shared[i]; ok; p, ok = shared[i] {
			i = p.From
		}
		root[r.Index] = i
	}
	return root
}

// stageIndex returns the position of a stage in Names, or an error.
func stageIndex(name string) (int, error) {
	i := slices.Index(Names, name)
	if i < 0 {
		return 0, fmt.Errorf("unknown stage %q (stages: %s)", name, strings.Join(Names, ", "))
	}
	return i, nil
}

// runSet is an experiment's runs with the training states they keep and
// share (keepStates), computed once for selecting, sharding and chaining
// them. keep and prefixes are nil in a set that only selects unsharded.
type runSet struct {
	exp      *experiments.Experiment
	all      []experiments.Run
	keep     map[int][]int
	prefixes map[int]Prefix
}

func newRunSet(exp *experiments.Experiment) runSet {
	s := runSet{exp: exp, all: exp.Runs()}
	s.keep, s.prefixes = keepStates(s.all)
	return s
}

// selectRuns returns the experiment's runs that sel keeps. The shared
// prefixes are worked out only for a shard, which keeps whole chains.
func selectRuns(exp *experiments.Experiment, sel Selection) ([]experiments.Run, error) {
	if sel.ShardCount > 1 {
		return newRunSet(exp).selectRuns(sel)
	}
	return runSet{exp: exp, all: exp.Runs()}.selectRuns(sel)
}

// selectRuns returns the runs that sel keeps; a shard keeps whole chains
// of shared prefixes.
func (s runSet) selectRuns(sel Selection) ([]experiments.Run, error) {
	exp, all := s.exp, s.all
	var runs []experiments.Run
	found := sel.Treatment == ""
	var root map[int]int
	if sel.ShardCount > 1 {
		root = prefixRoots(all, s.prefixes)
	}
	for _, r := range all {
		if sel.Treatment != "" && r.TreatmentID != sel.Treatment {
			continue
		}
		found = true
		if sel.Seed != 0 && r.Seed != sel.Seed || sel.Replicate >= 0 && r.Replicate != sel.Replicate {
			continue
		}
		if sel.ShardCount > 1 && root[r.Index]%sel.ShardCount != sel.ShardIndex {
			continue
		}
		runs = append(runs, r)
	}
	if !found {
		var ids []string
		for _, t := range exp.Treatments() {
			ids = append(ids, t.ID)
		}
		return nil, fmt.Errorf("experiment %s has no treatment %q (treatments: %s)", exp.Name, sel.Treatment, strings.Join(ids, " "))
	}
	if len(runs) == 0 {
		return nil, fmt.Errorf("experiment %s: no run matches the selection", exp.Name)
	}
	return runs, nil
}

// Jobs returns the pipeline jobs of exp that sel keeps, in dependency
// order: one prep job per data set the kept runs use (prepJobID), then
// each run's train and evaluate jobs, which read their run's data set.
// Correlate needs every run, so a selection of some runs stops after
// evaluate. Publish is not a job: it copies the correlate job's
// outputs into the working tree.
func Jobs(exp *experiments.Experiment, sel Selection) ([]*pipeline.Job, error) {
	until := sel.Until
	if until == "" || until == Publish {
		until = Correlate
	}
	last, err := stageIndex(until)
	if err != nil {
		return nil, err
	}
	if sel.ShardCount < 0 || sel.ShardCount > 0 && (sel.ShardIndex < 0 || sel.ShardIndex >= sel.ShardCount) {
		return nil, fmt.Errorf("shard %d of %d: the index must be in 0..count-1", sel.ShardIndex, sel.ShardCount)
	}
	// States are kept, and runs ordered and sharded, over all the
	// experiment's runs, so that a shard continues the prefixes it shares
	// with others.
	set := newRunSet(exp)
	runs, err := set.selectRuns(sel)
	if err != nil {
		return nil, err
	}
	if sel.Treatment != "" || sel.Seed != 0 || sel.Replicate >= 0 || sel.ShardCount > 1 {
		last = min(last, slices.Index(Names, Evaluate))
	}
	includes := func(stage string) bool { return slices.Index(Names, stage) <= last }
	jobs, prepIDs, err := prepJobs(exp, runs)
	if err != nil {
		return nil, err
	}
	if !includes(Train) {
		return jobs, nil
	}
	var trainIDs, evalIDs []string
	for _, r := range runs {
		after := ""
		if p, ok := set.prefixes[r.Index]; ok {
			after = RunJobID(exp, Train, set.all[p.From])
		}
		t := trainJob(exp, r, prepIDs[r.Data], set.keep[r.Index], after)
		jobs = append(jobs, t)
		trainIDs = append(trainIDs, t.ID)
		if includes(Evaluate) {
			e := evaluateJob(exp, r, prepIDs[r.Data], t.ID, set.keep[r.Index])
			jobs = append(jobs, e)
			evalIDs = append(evalIDs, e.ID)
		}
	}
	if includes(Correlate) {
		jobs = append(jobs, correlateJob(exp, runs, trainIDs, evalIDs))
	}
	return jobs, nil
}
