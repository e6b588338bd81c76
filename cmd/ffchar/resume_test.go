package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/pipeline"
	"github.com/ffchar/ffchar/stages"
)

// long is a run of 6 epochs, long enough that kills land in and between
// epochs, with checkpoints that are not the last epoch.
const long = `name = "long"
description = "kill test"
recipe = "loewe"
seeds = 1
master_seed = 3
[data]
source = "synthetic"
train_limit = 2000
val_limit = 200
test_limit = 200
[base]
batch_size = 20
epochs = 6
[grid]
depth = [2]
width = [48]
[evaluate]
checkpoints = [2, 5]
[record]
every = 10
probe = 100
`

// outputsOf returns every train and evaluate output of exp in c, by job
// and name, without the volatile timing.
func outputsOf(t *testing.T, c *pipeline.Cache, exp *experiments.Experiment) map[string]string {
	t.Helper()
	st, err := stages.Status(c, exp, stages.Selection{Until: stages.Evaluate, Replicate: -1})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, s := range st {
		if s.Stage != stages.Train && s.Stage != stages.Evaluate {
			continue
		}
		if s.Entry == nil {
			t.Fatalf("%s is not cached: %s", s.Job, s.Reason)
		}
		for _, o := range s.Entry.Outputs {
			if o.Name != stages.TimingFile {
				out[s.Job+":"+o.Name] = o.ID.String()
			}
		}
	}
	return out
}

// interrupted sets up a test that interrupts the long run: a working
// folder with its experiment, the run's command line for a cache, the
// uninterrupted run's duration and outputs (cache "whole"), and a cache
// "prepared" with only its data prepared, so that interruptions land in
// training; each trial starts from a copy of it.
func interrupted(t *testing.T) (*experiments.Experiment, func(cache string) []string, time.Duration, map[string]string) {
	t.Helper()
	dir := workdir(t, map[string]string{"long.toml": long})
	exp, err := experiments.Load(filepath.Join(dir, "experiments", "long.toml"))
	if err != nil {
		t.Fatal(err)
	}
	args := func(cache string) []string {
		return []string{"run", "--profile", "long", "--cache", cache, "--until", "evaluate", "--jobs", "1"}
	}
	start := time.Now()
	mustRun(t, args("whole")...)
	took := time.Since(start)
	whole, err := pipeline.Open("whole")
	if err != nil {
		t.Fatal(err)
	}
	want := outputsOf(t, whole, exp)
	mustRun(t, "run", "--profile", "long", "--cache", "prepared", "--until", "prep")
	return exp, args, took, want
}

// TestKillAndResume kills a training run with SIGKILL at 20 random points,
// each in a fresh copy of a cache with the data prepared, and runs it
// again: it continues from the last state stored, and its outputs are
// byte-identical to those of a run that was never killed (weights, epoch
// metrics, step records, evaluation of checkpoints that come from states).
func TestKillAndResume(t *testing.T) {
	exp, args, took, want := interrupted(t)
	rng := rand.New(rand.NewPCG(20, 26))
	landed := map[int]int{}
	for i := range 20 {
		cache := fmt.Sprintf("killed%d", i)
		if err := os.CopyFS(cache, os.DirFS("prepared")); err != nil {
			t.Fatal(err)
		}
		killed, err := pipeline.Open(cache)
		if err != nil {
			t.Fatal(err)
		}
		cmd := command(args(cache)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// A random epoch, then a random point of about an epoch's time:
		// wait for the state of the epoch before it, so that a busy
		// machine, which stretches the run, still spreads the kills.
		waitForState(t, killed, exp, rng.IntN(6), cmd)
		time.Sleep(time.Duration(rng.Float64() * float64(took) / 6))
		cmd.Process.Kill()
		cmd.Wait()
		points, err := stages.ResumePoints(killed, exp, stages.All)
		if err != nil {
			t.Fatal(err)
		}
		landed[points[0]]++
		if e := points[0]; e > 0 && e < 6 {
			st, _ := mustRun(t, "status", "--profile", "long", "--cache", cache)
			if want := fmt.Sprintf("stored states: 1 of 1 train jobs to run continue from one (%d epochs already trained)", e); !strings.Contains(st, want) {
				t.Errorf("kill %d: status lacks %q:\n%s", i+1, want, st)
			}
		}
		_, stderr := mustRun(t, args(cache)...)
		if points[0] > 0 && points[0] < 6 && !strings.Contains(stderr, "computed long/train/") {
			t.Errorf("kill %d: after epoch %d the train job was not run again", i+1, points[0])
		}
		compare(t, fmt.Sprintf("kill %d (state after epoch %d)", i+1, points[0]), outputsOf(t, killed, exp), want)
		os.RemoveAll(cache)
	}
	t.Logf("epochs of the state each kill left (epoch: kills): %v", landed)
	// Kills must have landed in several epochs for the test to mean
	// anything.
	if len(landed) < 3 {
		t.Errorf("the kills left states after epochs %v only; want kills across several epochs", landed)
	}
}

// waitForState returns once the run of exp in c has stored its state
// after epoch e (at once for e = 0), or its process has ended, or after
// two minutes (a run that never gets there fails the test's comparison).
func waitForState(t *testing.T, c *pipeline.Cache, exp *experiments.Experiment, e int, cmd *exec.Cmd) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); e > 0 && time.Now().Before(deadline); {
		points, err := stages.ResumePoints(c, exp, stages.All)
		if err != nil {
			t.Fatal(err)
		}
		if points[0] >= e || cmd.Process.Signal(syscall.Signal(0)) != nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// compare checks that two sets of outputs are the same files with the same
// bytes.
func compare(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	keys := func(m map[string]string) []string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return ks
	}
	if !slices.Equal(keys(got), keys(want)) {
		t.Fatalf("%s: outputs %v, want %v", what, keys(got), keys(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s: %s, uninterrupted %s", what, k, got[k], v)
		}
	}
}

// TestTermStopsAtBatch sends SIGTERM at random points of a training run:
// the run stops at its next batch, stores its state there (inside the
// epoch), exits with ExitRequeue, and the run started again continues from
// that batch to outputs byte-identical to an uninterrupted run's.
func TestTermStopsAtBatch(t *testing.T) {
	exp, args, took, want := interrupted(t)
	rng := rand.New(rand.NewPCG(7, 15))
	inside := 0
	for i := range 6 {
		cache := fmt.Sprintf("termed%d", i)
		if err := os.CopyFS(cache, os.DirFS("prepared")); err != nil {
			t.Fatal(err)
		}
		c, err := pipeline.Open(cache)
		if err != nil {
			t.Fatal(err)
		}
		cmd := command(args(cache)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitForState(t, c, exp, 1+rng.IntN(4), cmd)
		time.Sleep(time.Duration(rng.Float64() * float64(took) / 6))
		cmd.Process.Signal(syscall.SIGTERM)
		err = cmd.Wait()
		// 75 once ffchar handles signals (a stop before the first batch
		// has no state to store, and still exits 75), 0 if the run had
		// finished; on a busy machine the signal may even come before
		// the handler is installed, and end the process.
		code := cmd.ProcessState.ExitCode()
		ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
		if code != 0 && code != ExitRequeue && !(ws.Signaled() && ws.Signal() == syscall.SIGTERM) {
			t.Errorf("SIGTERM %d: exit %d (%v), want %d or 0", i+1, code, err, ExitRequeue)
		}
		mustRun(t, args(cache)...)
		compare(t, fmt.Sprintf("SIGTERM %d", i+1), outputsOf(t, c, exp), want)
		st, err := stages.Status(c, exp, stages.Selection{Until: stages.Train, Replicate: -1})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range st {
			if s.Stage != stages.Train {
				continue
			}
			raw, err := c.ReadOutput(s.Entry, stages.TimingFile)
			if err != nil {
				t.Fatal(err)
			}
			var timing struct {
				From struct{ Epoch, Batch int } `json:"resumed_from"`
			}
			if err := json.Unmarshal(raw, &timing); err != nil {
				t.Fatal(err)
			}
			if timing.From.Batch > 0 {
				inside++
			}
		}
		os.RemoveAll(cache)
	}
	if inside == 0 {
		t.Errorf("no SIGTERM left a state inside an epoch")
	}
}
