package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A Job is one node of the stage graph: one run of one stage with fixed
// parameters.
type Job struct {
	// ID names the job uniquely within a graph and across runs, e.g.
	// "train/loewe/seed=3". It has no white space. The last action run
	// under an ID is recorded so that a changed key can be explained.
	ID string
	// Stage is the stage name, the first line of the action key.
	Stage string
	// Deps are the IDs of the jobs whose outputs this job reads.
	Deps []string
	// After are the IDs of jobs that must finish before this one starts,
	// though it does not read their outputs: they order work (a run that
	// continues the training state another run leaves in the cache) and
	// are not part of the key. IDs not in the graph are ignored.
	After []string
	// Label names the job's outputs in the keys of the jobs that read
	// them ("input <label>:<name> <digest>"); "" means ID. Unlike ID it
	// must not say more than what determines the outputs (an experiment's
	// name, say), so that the same computation asked for by two graphs is
	// one cache entry.
	Label string
	// Key writes the job's parameters onto h, which the runner created
	// with NewHash(Stage). The runner then appends one line per output of
	// each dependency, "input <dep>:<name> <digest>", in Deps order, so a
	// job never forgets to key on what it reads. Nil means no parameters.
	Key func(h *Hash)
	// Run computes the outputs into dir, an empty directory that the
	// runner creates, owns and removes: every regular file Run leaves in
	// dir becomes an output, named by its file name. Run must be
	// deterministic given the key: the same key must always give the
	// same bytes.
	Run func(ctx context.Context, in *Inputs, dir string) error
}

// Inputs gives a running job access to its dependencies' outputs.
type Inputs struct {
	c    *Cache
	deps map[string]*Entry
	// copyDir, when set (Runner.Rehash), receives checked private copies
	// of the outputs Path hands out, by output ID.
	copyDir string
	mu      sync.Mutex
	copies  map[OutputID]string
}

// Entry returns the cache entry of dependency job, or nil if job is not a
// dependency.
func (in *Inputs) Entry(job string) *Entry { return in.deps[job] }

// Cache returns the cache the job runs in, for jobs that keep partial
// results of their own (see Cache.Drop): a training run stores its state
// after every epoch under a key it derives, and a later job, or the same
// one after a kill, continues from the longest it finds.
func (in *Inputs) Cache() *Cache { return in.c }

// Path returns the path of the output called name of dependency job. The
// file belongs to the cache: read it, never modify it.
func (in *Inputs) Path(job, name string) (string, error) {
	e := in.deps[job]
	if e == nil {
		return "", fmt.Errorf("pipeline: %s is not a dependency", job)
	}
	o, ok := e.Output(name)
	if !ok {
		return "", fmt.Errorf("pipeline: dependency %s has no output %q", job, name)
	}
	if in.copyDir == "" {
		return in.c.OutputFile(o.ID), nil
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if p, ok := in.copies[o.ID]; ok {
		return p, nil
	}
	p := filepath.Join(in.copyDir, o.ID.String())
	if err := in.c.copyChecked(o, p); err != nil {
		return "", fmt.Errorf("pipeline: output %s of dependency %s: %w", name, job, err)
	}
	if in.copies == nil {
		in.copies = make(map[OutputID]string)
	}
	in.copies[o.ID] = p
	return p, nil
}

// ReadFile returns the content of the output called name of dependency
// job, checked against its digest.
func (in *Inputs) ReadFile(job, name string) ([]byte, error) {
	e := in.deps[job]
	if e == nil {
		return nil, fmt.Errorf("pipeline: %s is not a dependency", job)
	}
	return in.c.ReadOutput(e, name)
}

// An EventKind says what happened to a job.
type EventKind int

const (
	JobStarted  EventKind = iota // the job's key is known; it is checked against the cache
	JobWaiting                   // another process holds the job's lock and is probably computing it
	JobFinished                  // the job's outputs are in the cache (Hit says whether they were already)
	JobFailed                    // the job failed (Err)
)

func (k EventKind) String() string {
	switch k {
	case JobStarted:
		return "started"
	case JobWaiting:
		return "waiting"
	case JobFinished:
		return "finished"
	case JobFailed:
		return "failed"
	}
	return "EventKind(" + strconv.Itoa(int(k)) + ")"
}

// An Event reports progress of a Run.
type Event struct {
	Kind   EventKind
	Job    string
	Stage  string
	Action ActionID
	// Hit is set on JobFinished if the outputs came from the cache
	// (computed earlier, or meanwhile by another process).
	Hit bool
	// Miss is, on JobFinished without Hit, why the cache had no entry.
	Miss string
	// Duration is the time from JobStarted, on JobFinished and JobFailed.
	Duration time.Duration
	Err      error // on JobFailed
	// Done counts jobs finished or failed so far, out of Total.
	Done, Total int
}

// A Result is the outcome of one job of a Run.
type Result struct {
	Job   string
	Key   Key    // zero if the job was skipped
	Entry *Entry // the job's outputs; nil unless it succeeded
	Hit   bool   // the outputs were already in the cache
	// Verified is set in verify mode when the job was recomputed and
	// matched the cache.
	Verified bool
	// Skipped is set if the job never ran, because a job failed first
	// or the context was cancelled.
	Skipped  bool
	Duration time.Duration
	Err      error // wrapped with the job ID
}

// A Runner executes a graph of jobs against a cache.
type Runner struct {
	Cache *Cache
	// Workers is how many jobs run at once. Zero or negative means
	// runtime.NumCPU(). Results do not depend on it.
	Workers int
	// Verify recomputes jobs found in the cache and fails with a
	// *NondeterminismError if any output differs.
	Verify bool
	// Rehash hands each job private copies of its dependencies' outputs,
	// hashed while they are copied, instead of the cache's own files
	// (Inputs.Path). Every hit already rehashes the outputs it returns
	// (Cache.Get); without Rehash a job then opens the shared files by
	// path, so someone who can write to the cache could swap one between
	// that check and the read. With Rehash, what a job reads is what was
	// hashed. It costs a copy of every input a job reads (see the README).
	Rehash bool
	// Progress, if non-nil, is called for every event, never
	// concurrently.
	Progress func(Event)
}

// Run executes jobs in dependency order, at most Workers at a time. A job
// whose action is in the cache is not run; otherwise the runner takes the
// action's lock, checks the cache again (another process may have
// finished it meanwhile), runs the job in a fresh directory and stores its
// outputs.
//
// After the first failure no new job starts; jobs already running finish.
// Run returns one Result per job, in the order of jobs, and the first
// error, wrapped with its job's ID. An invalid graph (duplicate or
// malformed ID, unknown dependency, cycle) is reported before anything
// runs.
func (r *Runner) Run(ctx context.Context, jobs []*Job) ([]Result, error) {
	g, err := newGraph(jobs)
	if err != nil {
		return nil, err
	}
	n := r.Workers
	if n <= 0 {
		n = runtime.NumCPU()
	}
	results := make([]Result, len(jobs))
	for i, j := range jobs {
		results[i] = Result{Job: j.ID, Skipped: true}
	}
	em := &emitter{fn: r.Progress, total: len(jobs)}

	type done struct {
		i   int
		res Result
	}
	doneCh := make(chan done)
	pending := make([]int, len(jobs))
	var ready []int
	for i := range jobs {
		pending[i] = g.waits[i]
		if pending[i] == 0 {
			ready = append(ready, i)
		}
	}
	running := 0
	var firstErr error
	for {
		for firstErr == nil && ctx.Err() == nil && running < n && len(ready) > 0 {
			i := ready[0]
			ready = ready[1:]
			deps := make(map[string]*Entry, len(jobs[i].Deps))
			for _, d := range jobs[i].Deps {
				deps[d] = results[g.index[d]].Entry
			}
			running++
			go func() { doneCh <- done{i, r.runJob(ctx, jobs[i], deps, g, em)} }()
		}
		if running == 0 {
			break
		}
		d := <-doneCh
		running--
		results[d.i] = d.res
		for _, k := range g.followers[d.i] {
			pending[k]--
			if pending[k] == 0 {
				ready = append(ready, k)
			}
		}
		if d.res.Err != nil {
			if firstErr == nil {
				firstErr = d.res.Err
			}
			continue
		}
		for _, k := range g.dependents[d.i] {
			pending[k]--
			if pending[k] == 0 {
				ready = append(ready, k)
			}
		}
	}
	if firstErr == nil && ctx.Err() != nil {
		for _, res := range results {
			if res.Skipped {
				firstErr = ctx.Err()
				break
			}
		}
	}
	return results, firstErr
}

// jobKey computes the action key of j given its dependencies' entries.
func jobKey(j *Job, deps map[string]*Entry, g *graph) Key {
	h := NewHash(j.Stage)
	if j.Key != nil {
		j.Key(h)
	}
	for _, d := range j.Deps {
		label := g.labels[d]
		for _, o := range deps[d].Outputs {
			h.Input(label+":"+o.Name, o.ID)
		}
	}
	return h.Key()
}

func (r *Runner) runJob(ctx context.Context, j *Job, deps map[string]*Entry, g *graph, em *emitter) Result {
	c := r.Cache
	key := jobKey(j, deps, g)
	res := Result{Job: j.ID, Key: key}
	ev := Event{Job: j.ID, Stage: j.Stage, Action: key.ID}
	start := time.Now()
	em.emit(ev, JobStarted)
	fail := func(err error) Result {
		res.Entry, res.Hit, res.Verified = nil, false, false
		res.Err = fmt.Errorf("job %s: %w", j.ID, err)
		res.Duration = time.Since(start)
		ev.Err, ev.Duration = res.Err, res.Duration
		em.emit(ev, JobFailed)
		return res
	}
	finish := func(e *Entry, hit bool, miss string) Result {
		res.Entry, res.Hit, res.Duration = e, hit, time.Since(start)
		if err := c.SetRef(j.ID, key.ID); err != nil {
			return fail(err)
		}
		ev.Hit, ev.Miss, ev.Duration = hit, miss, res.Duration
		em.emit(ev, JobFinished)
		return res
	}

	e, err := c.Get(key.ID)
	if err == nil && !r.Verify {
		return finish(e, true, "")
	}
	miss := missReason(err)

	l, ok, err := c.TryLock(key.ID)
	if err != nil {
		return fail(err)
	}
	if !ok {
		em.emit(ev, JobWaiting)
		if l, err = c.Lock(ctx, key.ID); err != nil {
			return fail(err)
		}
	}
	defer l.Unlock()
	e, err = c.Get(key.ID)
	if err == nil && !r.Verify {
		return finish(e, true, "")
	}
	cached := err == nil
	if !cached {
		miss = missReason(err)
	}

	dir, err := os.MkdirTemp(filepath.Join(c.dir, "tmp"), key.ID.String()+"-*")
	if err != nil {
		return fail(fmt.Errorf("creating job directory: %w", err))
	}
	defer os.RemoveAll(dir)
	in := &Inputs{c: c, deps: deps}
	if r.Rehash {
		// Named like a job directory, so gc removes it if the process
		// is killed.
		if in.copyDir, err = os.MkdirTemp(filepath.Join(c.dir, "tmp"), key.ID.String()+"-*"); err != nil {
			return fail(fmt.Errorf("creating input directory: %w", err))
		}
		defer os.RemoveAll(in.copyDir)
	}
	if err := j.Run(ctx, in, dir); err != nil {
		return fail(err)
	}
	if cached {
		if err := c.VerifyDir(key, dir); err != nil {
			return fail(err)
		}
		res.Verified = true
		return finish(e, true, "")
	}
	e, err = c.PutDir(key, dir)
	if err != nil {
		return fail(err)
	}
	return finish(e, false, miss)
}

func missReason(err error) string {
	var m *MissError
	if errors.As(err, &m) {
		return m.Reason
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

type emitter struct {
	mu    sync.Mutex
	fn    func(Event)
	done  int
	total int
}

func (em *emitter) emit(ev Event, kind EventKind) {
	em.mu.Lock()
	defer em.mu.Unlock()
	if kind == JobFinished || kind == JobFailed {
		em.done++
	}
	if em.fn == nil {
		return
	}
	ev.Kind, ev.Done, ev.Total = kind, em.done, em.total
	em.fn(ev)
}

// A graph is a validated job list.
type graph struct {
	index      map[string]int
	labels     map[string]string // job ID → Job.Label or ID
	followers  [][]int           // jobs that list this one in After
	waits      []int             // per job: dependencies and After jobs in the graph
	dependents [][]int
	order      []int // a topological order
}

func newGraph(jobs []*Job) (*graph, error) {
	g := &graph{index: make(map[string]int, len(jobs)), labels: make(map[string]string, len(jobs)), dependents: make([][]int, len(jobs)), followers: make([][]int, len(jobs))}
	for i, j := range jobs {
		if !validLabel(j.ID) {
			return nil, fmt.Errorf("pipeline: invalid job ID %q: empty or contains white space", j.ID)
		}
		if !validLabel(j.Stage) {
			return nil, fmt.Errorf("pipeline: job %s: invalid stage name %q", j.ID, j.Stage)
		}
		if j.Run == nil {
			return nil, fmt.Errorf("pipeline: job %s: no Run function", j.ID)
		}
		if _, dup := g.index[j.ID]; dup {
			return nil, fmt.Errorf("pipeline: duplicate job ID %s", j.ID)
		}
		g.index[j.ID] = i
		g.labels[j.ID] = j.ID
		if j.Label != "" {
			if !validLabel(j.Label) {
				return nil, fmt.Errorf("pipeline: job %s: invalid label %q", j.ID, j.Label)
			}
			g.labels[j.ID] = j.Label
		}
	}
	pending := make([]int, len(jobs))
	var queue []int
	for i, j := range jobs {
		seen := make(map[string]bool, len(j.Deps))
		for _, d := range j.Deps {
			k, ok := g.index[d]
			if !ok {
				return nil, fmt.Errorf("pipeline: job %s depends on unknown job %s", j.ID, d)
			}
			if seen[d] {
				return nil, fmt.Errorf("pipeline: job %s lists dependency %s twice", j.ID, d)
			}
			seen[d] = true
			g.dependents[k] = append(g.dependents[k], i)
		}
		pending[i] = len(j.Deps)
		for _, a := range j.After {
			// A job outside the graph (another shard's, say) orders
			// nothing here.
			if k, ok := g.index[a]; ok && !seen[a] {
				seen[a] = true
				g.followers[k] = append(g.followers[k], i)
				pending[i]++
			}
		}
		g.waits = append(g.waits, pending[i])
		if pending[i] == 0 {
			queue = append(queue, i)
		}
	}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		g.order = append(g.order, i)
		for _, k := range slices.Concat(g.dependents[i], g.followers[i]) {
			pending[k]--
			if pending[k] == 0 {
				queue = append(queue, k)
			}
		}
	}
	if len(g.order) < len(jobs) {
		var cyc []string
		for i, j := range jobs {
			if pending[i] > 0 {
				cyc = append(cyc, j.ID)
			}
		}
		return nil, fmt.Errorf("pipeline: dependency cycle among jobs %s", strings.Join(cyc, ", "))
	}
	return g, nil
}

// A State is where a job stands with respect to the cache.
type State int

const (
	Cached  State = iota // its outputs are in the cache
	Stale                // its dependencies are cached but it is not
	Blocked              // a dependency is not cached, so its key is not known yet
)

func (s State) String() string {
	switch s {
	case Cached:
		return "cached"
	case Stale:
		return "stale"
	case Blocked:
		return "blocked"
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// A JobStatus says whether a job would run, and why.
type JobStatus struct {
	Job   string
	Stage string
	State State
	Key   Key // zero if Blocked
	// Reason is, for Stale, why the cache missed; for Blocked, which
	// dependency is missing.
	Reason string
	// Previous is the action last run under this job ID, if HasPrevious.
	Previous    ActionID
	HasPrevious bool
	// Changes lists, for Stale, how the key lines differ from those of
	// Previous, when its entry is still in the cache.
	Changes []Change
	// Damaged is set, for Stale, when the cache holds an index entry for
	// Key that cannot be used: an output is missing or damaged (Reason
	// says which). The key did not change; the entry will be recomputed.
	Damaged bool
	// Entry is, for Cached, the cache entry of Key, its outputs checked.
	Entry *Entry
}

// Status reports, without running anything, which jobs are cached, which
// would run and why: the cache's reason for the miss and the key lines
// that changed since the job's previous run (the "status --why" view).
// The statuses are in the order of jobs.
func (r *Runner) Status(jobs []*Job) ([]JobStatus, error) {
	g, err := newGraph(jobs)
	if err != nil {
		return nil, err
	}
	c := r.Cache
	sts := make([]JobStatus, len(jobs))
	entries := make([]*Entry, len(jobs))
	for _, i := range g.order {
		j := jobs[i]
		st := JobStatus{Job: j.ID, Stage: j.Stage}
		if prev, err := c.Ref(j.ID); err == nil {
			st.Previous, st.HasPrevious = prev, true
		}
		deps := make(map[string]*Entry, len(j.Deps))
		for _, d := range j.Deps {
			deps[d] = entries[g.index[d]]
			if deps[d] == nil && st.State != Blocked {
				st.State = Blocked
				st.Reason = "dependency " + d + " is not cached"
			}
		}
		if st.State != Blocked {
			st.Key = jobKey(j, deps, g)
			e, err := c.Get(st.Key.ID)
			if err == nil {
				entries[i], st.Entry = e, e
			} else {
				st.State = Stale
				st.Reason = missReason(err)
				if _, err := c.Lines(st.Key.ID); err == nil {
					st.Damaged = true
				}
				if st.HasPrevious && st.Previous != st.Key.ID {
					if old, err := c.Lines(st.Previous); err == nil {
						st.Changes = Diff(old, st.Key.Lines)
					}
				}
			}
		}
		sts[i] = st
	}
	return sts, nil
}
