package pipeline

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func writeOutput(dir, name string, data []byte) error {
	return os.WriteFile(filepath.Join(dir, name), data, 0o666)
}

// graphRecorder checks, from inside the jobs, that every job starts only
// after all its dependencies finished.
type graphRecorder struct {
	mu         sync.Mutex
	finished   map[string]bool
	violations []string
	runs       atomic.Int32
}

// testGraph is a small diamond-shaped graph: four sources, four jobs
// each reading two neighbouring sources, and one job reading all four.
// Every output is a deterministic function of the job's parameters and
// inputs.
func testGraph(rec *graphRecorder) []*Job {
	job := func(id, stage string, deps []string, param int) *Job {
		return &Job{
			ID: id, Stage: stage, Deps: deps,
			Key: func(h *Hash) { h.Param("i", param) },
			Run: func(ctx context.Context, in *Inputs, dir string) error {
				rec.runs.Add(1)
				rec.mu.Lock()
				for _, d := range deps {
					if !rec.finished[d] {
						rec.violations = append(rec.violations, id+" started before "+d)
					}
				}
				rec.mu.Unlock()
				h := sha256.New()
				fmt.Fprintf(h, "%s %d\n", stage, param)
				for _, d := range deps {
					data, err := in.ReadFile(d, "data.bin")
					if err != nil {
						return err
					}
					h.Write(data)
				}
				time.Sleep(time.Duration(param%3) * time.Millisecond) // vary the interleaving
				if err := writeOutput(dir, "data.bin", h.Sum(nil)); err != nil {
					return err
				}
				if err := writeOutput(dir, "run.json", fmt.Appendf(nil, `{"job":%q}`, id)); err != nil {
					return err
				}
				rec.mu.Lock()
				rec.finished[id] = true
				rec.mu.Unlock()
				return nil
			},
		}
	}
	var jobs []*Job
	// The combining job comes first in the list, to check that list order
	// does not matter.
	jobs = append(jobs, job("all", "combine", []string{"mid/3", "mid/0", "mid/2", "mid/1"}, 0))
	for i := 0; i < 4; i++ {
		jobs = append(jobs, job(fmt.Sprintf("mid/%d", i), "mid",
			[]string{fmt.Sprintf("src/%d", i), fmt.Sprintf("src/%d", (i+1)%4)}, i))
	}
	for i := 0; i < 4; i++ {
		jobs = append(jobs, job(fmt.Sprintf("src/%d", i), "src", nil, i))
	}
	return jobs
}

func TestRunnerWorkersIndependent(t *testing.T) {
	var ref []Result
	for _, workers := range []int{1, 4} {
		rec := &graphRecorder{finished: make(map[string]bool)}
		r := &Runner{Cache: openTest(t), Workers: workers}
		res, err := r.Run(context.Background(), testGraph(rec))
		if err != nil {
			t.Fatalf("Workers=%d: %v", workers, err)
		}
		if len(rec.violations) > 0 {
			t.Errorf("Workers=%d: dependency order violated: %v", workers, rec.violations)
		}
		if n := rec.runs.Load(); n != 9 {
			t.Errorf("Workers=%d: %d jobs ran, want 9", workers, n)
		}
		if ref == nil {
			ref = res
			continue
		}
		for i := range res {
			if res[i].Key.ID != ref[i].Key.ID || !slices.Equal(res[i].Entry.Outputs, ref[i].Entry.Outputs) {
				t.Errorf("job %s: Workers=%d gives %v %v, Workers=1 gives %v %v", res[i].Job,
					workers, res[i].Key.ID, res[i].Entry.Outputs, ref[i].Key.ID, ref[i].Entry.Outputs)
			}
		}
	}
}

func TestRunnerHitMiss(t *testing.T) {
	c := openTest(t)
	var mu sync.Mutex
	var events []Event
	rec := &graphRecorder{finished: make(map[string]bool)}
	r := &Runner{Cache: c, Workers: 2, Progress: func(ev Event) {
		mu.Lock() // Progress is never called concurrently; the lock is for the race detector's benefit only
		events = append(events, ev)
		mu.Unlock()
	}}
	first, err := r.Run(context.Background(), testGraph(rec))
	must(t, err)
	for _, res := range first {
		if res.Hit || res.Skipped || res.Entry == nil {
			t.Errorf("first run, job %s: hit %v skipped %v entry %v", res.Job, res.Hit, res.Skipped, res.Entry)
		}
	}
	count := func(kind EventKind, hit bool) int {
		n := 0
		for _, ev := range events {
			if ev.Kind == kind && ev.Hit == hit {
				n++
			}
		}
		return n
	}
	if count(JobStarted, false) != 9 || count(JobFinished, false) != 9 {
		t.Errorf("first run events: %+v", events)
	}
	for _, ev := range events {
		if ev.Kind == JobFinished && ev.Miss != "no index entry" {
			t.Errorf("miss reason %q, want %q", ev.Miss, "no index entry")
		}
	}
	if last := events[len(events)-1]; last.Done != 9 || last.Total != 9 {
		t.Errorf("last event Done/Total = %d/%d, want 9/9", last.Done, last.Total)
	}

	events = nil
	second, err := r.Run(context.Background(), testGraph(rec))
	must(t, err)
	if n := rec.runs.Load(); n != 9 {
		t.Errorf("second run recomputed: %d runs in total, want 9", n)
	}
	for i, res := range second {
		if !res.Hit || res.Entry == nil || !slices.Equal(res.Entry.Outputs, first[i].Entry.Outputs) {
			t.Errorf("second run, job %s: hit %v, outputs %v, want a hit with %v", res.Job, res.Hit, res.Entry, first[i].Entry.Outputs)
		}
	}
	if count(JobFinished, true) != 9 {
		t.Errorf("second run events: %+v", events)
	}
	if des, _ := os.ReadDir(filepath.Join(c.Dir(), "tmp")); len(des) != 0 {
		t.Errorf("job directories left behind: %v", des)
	}
}

func TestRunnerFailure(t *testing.T) {
	errBoom := errors.New("boom")
	var ranOK atomic.Bool
	jobs := []*Job{
		{ID: "bad", Stage: "s", Run: func(ctx context.Context, in *Inputs, dir string) error {
			writeOutput(dir, "partial", []byte("x"))
			return errBoom
		}},
		{ID: "ok", Stage: "s", Run: func(ctx context.Context, in *Inputs, dir string) error {
			ranOK.Store(true)
			return nil
		}},
		{ID: "after", Stage: "s", Deps: []string{"bad"}, Run: func(ctx context.Context, in *Inputs, dir string) error {
			t.Error("a job ran after its dependency failed")
			return nil
		}},
	}
	c := openTest(t)
	var failed []Event
	r := &Runner{Cache: c, Workers: 1, Progress: func(ev Event) {
		if ev.Kind == JobFailed {
			failed = append(failed, ev)
		}
	}}
	res, err := r.Run(context.Background(), jobs)
	if !errors.Is(err, errBoom) || !strings.HasPrefix(err.Error(), "job bad: ") {
		t.Fatalf("Run = %v, want job bad: boom", err)
	}
	if !errors.Is(res[0].Err, errBoom) || !res[1].Skipped || !res[2].Skipped || ranOK.Load() {
		t.Errorf("results %+v: want bad failed, then nothing started", res)
	}
	if len(failed) != 1 || failed[0].Job != "bad" || !errors.Is(failed[0].Err, errBoom) {
		t.Errorf("failure events %+v", failed)
	}
	if des, _ := os.ReadDir(filepath.Join(c.Dir(), "tmp")); len(des) != 0 {
		t.Errorf("job directories left behind: %v", des)
	}
	if list, _ := c.List(); len(list) != 0 {
		t.Errorf("failed job left entries %v", list)
	}
}

func TestRunnerCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	jobs := []*Job{
		{ID: "first", Stage: "s", Run: func(ctx context.Context, in *Inputs, dir string) error {
			cancel()
			return nil
		}},
		{ID: "second", Stage: "s", Deps: []string{"first"}, Run: func(ctx context.Context, in *Inputs, dir string) error {
			t.Error("a job started after cancellation")
			return nil
		}},
	}
	res, err := (&Runner{Cache: openTest(t), Workers: 1}).Run(ctx, jobs)
	if !errors.Is(err, context.Canceled) || res[0].Err != nil || !res[1].Skipped {
		t.Errorf("Run = %+v, %v; want first done, second skipped, context.Canceled", res, err)
	}
}

func TestRunnerGraphErrors(t *testing.T) {
	run := func(ctx context.Context, in *Inputs, dir string) error { return nil }
	tests := []struct {
		name string
		jobs []*Job
		want string
	}{
		{"cycle", []*Job{
			{ID: "a", Stage: "s", Deps: []string{"b"}, Run: run},
			{ID: "b", Stage: "s", Deps: []string{"a"}, Run: run},
			{ID: "c", Stage: "s", Run: run},
		}, "dependency cycle among jobs a, b"},
		{"unknown", []*Job{{ID: "a", Stage: "s", Deps: []string{"x"}, Run: run}}, "unknown job x"},
		{"duplicate", []*Job{{ID: "a", Stage: "s", Run: run}, {ID: "a", Stage: "s", Run: run}}, "duplicate job ID a"},
		{"bad ID", []*Job{{ID: "a b", Stage: "s", Run: run}}, "invalid job ID"},
		{"no run", []*Job{{ID: "a", Stage: "s"}}, "no Run"},
	}
	for _, tt := range tests {
		_, err := (&Runner{Cache: openTest(t)}).Run(context.Background(), tt.jobs)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Run = %v, want %q", tt.name, err, tt.want)
		}
	}
}

// TestRunnerGoroutinesRace runs the same job from two runners on two
// Cache values for one directory at once: it must be computed once.
func TestRunnerGoroutinesRace(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	var computed atomic.Int32
	job := func() *Job {
		return &Job{ID: "shared", Stage: "slow", Run: func(ctx context.Context, in *Inputs, dir string) error {
			computed.Add(1)
			time.Sleep(50 * time.Millisecond)
			return writeOutput(dir, "out.txt", []byte("result"))
		}}
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	results := make([][]Result, 2)
	errs := make([]error, 2)
	for i := range 2 {
		c, err := Open(dir)
		must(t, err)
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i], errs[i] = (&Runner{Cache: c}).Run(context.Background(), []*Job{job()})
		}()
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		must(t, err)
	}
	if n := computed.Load(); n != 1 {
		t.Errorf("job computed %d times, want 1", n)
	}
	a, b := results[0][0], results[1][0]
	if a.Hit == b.Hit || !slices.Equal(a.Entry.Outputs, b.Entry.Outputs) {
		t.Errorf("results %+v and %+v: want one hit, equal outputs", a, b)
	}
}

func TestRunnerVerify(t *testing.T) {
	c := openTest(t)
	var n atomic.Int32
	flaky := []*Job{{ID: "flaky", Stage: "train", Key: func(h *Hash) { h.Param("seed", 1) },
		Run: func(ctx context.Context, in *Inputs, dir string) error {
			writeOutput(dir, "same.txt", []byte("same"))
			return writeOutput(dir, "metrics.parquet", fmt.Appendf(nil, "run %d", n.Add(1)))
		}}}
	first, err := (&Runner{Cache: c}).Run(context.Background(), flaky)
	must(t, err)
	_, err = (&Runner{Cache: c, Verify: true}).Run(context.Background(), flaky)
	var nd *NondeterminismError
	if !errors.As(err, &nd) {
		t.Fatalf("verify of a nondeterministic job: %v, want a *NondeterminismError", err)
	}
	old := OutputID(sha256.Sum256([]byte("run 1")))
	new := OutputID(sha256.Sum256([]byte("run 2")))
	if nd.Action != first[0].Key.ID || nd.Output != "metrics.parquet" || nd.Stage != "train" || nd.Old != old || nd.New != new {
		t.Errorf("error %+v", nd)
	}
	for _, s := range []string{first[0].Key.ID.String(), "metrics.parquet", old.String(), new.String()} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %s", err, s)
		}
	}
	if strings.Contains(err.Error(), "same.txt") {
		t.Errorf("error %q mentions an output that matched", err)
	}

	steady := testGraph(&graphRecorder{finished: make(map[string]bool)})
	_, err = (&Runner{Cache: c, Workers: 2}).Run(context.Background(), steady)
	must(t, err)
	res, err := (&Runner{Cache: c, Workers: 2, Verify: true}).Run(context.Background(), steady)
	must(t, err)
	for _, r := range res {
		if !r.Verified || !r.Hit {
			t.Errorf("job %s not verified: %+v", r.Job, r)
		}
	}
}

func TestVerifyDirOutputSets(t *testing.T) {
	c := openTest(t)
	key := testKey("s", 1)
	_, err := c.PutBytes(key, map[string][]byte{"a": []byte("a"), "b": []byte("b")})
	must(t, err)
	dir := t.TempDir()
	must(t, writeOutput(dir, "b", []byte("b")))
	must(t, writeOutput(dir, "c", []byte("c")))
	err = c.VerifyDir(key, dir)
	for _, want := range []string{"output a was " + OutputID(sha256.Sum256([]byte("a"))).String() + ", recomputed absent",
		"output c was absent, recomputed " + OutputID(sha256.Sum256([]byte("c"))).String()} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("VerifyDir = %v, want it to contain %q", err, want)
		}
	}
	// A volatile output may differ, but not disappear.
	vkey := testKey("s", 3)
	_, err = c.PutBytes(vkey, map[string][]byte{"x": []byte("x"), "volatile-timing.json": []byte("1.0s")})
	must(t, err)
	vdir := t.TempDir()
	must(t, writeOutput(vdir, "x", []byte("x")))
	must(t, writeOutput(vdir, "volatile-timing.json", []byte("1.3s")))
	if err := c.VerifyDir(vkey, vdir); err != nil {
		t.Errorf("VerifyDir with a changed volatile output = %v, want nil", err)
	}
	must(t, os.Remove(filepath.Join(vdir, "volatile-timing.json")))
	if err := c.VerifyDir(vkey, vdir); err == nil || !strings.Contains(err.Error(), "volatile-timing.json") {
		t.Errorf("VerifyDir with a missing volatile output = %v, want an error naming it", err)
	}
	if err := c.VerifyDir(testKey("s", 2), dir); !IsMiss(err) {
		t.Errorf("VerifyDir without entry = %v, want a miss", err)
	}
}

// TestStatusWhy checks that a changed parameter is reported as the reason
// a job must run again, and that its dependents are blocked.
func TestStatusWhy(t *testing.T) {
	c := openTest(t)
	jobs := func(n, depth int) []*Job {
		return []*Job{
			{ID: "prep", Stage: "prep", Key: func(h *Hash) { h.Param("n", n) },
				Run: func(ctx context.Context, in *Inputs, dir string) error {
					return writeOutput(dir, "data.bin", fmt.Appendf(nil, "%d", n))
				}},
			{ID: "train", Stage: "train", Deps: []string{"prep"}, Key: func(h *Hash) { h.Param("depth", depth) },
				Run: func(ctx context.Context, in *Inputs, dir string) error {
					return writeOutput(dir, "w.bin", fmt.Appendf(nil, "%d", depth))
				}},
		}
	}
	r := &Runner{Cache: c}
	_, err := r.Run(context.Background(), jobs(1, 3))
	must(t, err)

	st, err := r.Status(jobs(1, 3))
	must(t, err)
	if st[0].State != Cached || st[1].State != Cached {
		t.Errorf("after run: %+v", st)
	}

	st, err = r.Status(jobs(1, 4))
	must(t, err)
	if st[0].State != Cached || st[1].State != Stale || st[1].Reason != "no index entry" ||
		len(st[1].Changes) != 1 || st[1].Changes[0].String() != "param depth: 3 -> 4" {
		t.Errorf("after changing depth: %+v", st)
	}

	st, err = r.Status(jobs(2, 3))
	must(t, err)
	if st[0].State != Stale || st[0].Changes[0].String() != "param n: 1 -> 2" ||
		st[1].State != Blocked || st[1].Reason != "dependency prep is not cached" {
		t.Errorf("after changing n: %+v", st)
	}

	// Once prep is rerun with a different output, train's input changed.
	_, err = r.Run(context.Background(), jobs(2, 3)[:1])
	must(t, err)
	st, err = r.Status(jobs(2, 3))
	must(t, err)
	if st[1].State != Stale || len(st[1].Changes) != 1 || !strings.HasPrefix(st[1].Changes[0].String(), "input prep:data.bin: ") {
		t.Errorf("after rerunning prep: %+v", st[1])
	}
}
