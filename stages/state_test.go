package stages

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/ff"
	"github.com/ffchar/ffchar/pipeline"
)

// TestSharedPrefixesPaper: in the paper's design each seed's 50-epoch run
// continues its 20-epoch run (12 shared epochs) and its 100-epoch run the
// 50-epoch run (27), and shards keep each chain together.
func TestSharedPrefixesPaper(t *testing.T) {
	exp, err := experiments.Profile("paper")
	if err != nil {
		t.Fatal(err)
	}
	runs := exp.Runs()
	shared := SharedPrefixes(runs)
	for _, r := range runs {
		p, ok := shared[r.Index]
		switch r.Config.Epochs {
		case 20:
			if ok {
				t.Errorf("%s/%d (20 epochs) continues run %d", r.TreatmentID, r.Replicate, p.From)
			}
		case 50, 100:
			want := map[int]struct{ from, epochs int }{50: {20, 12}, 100: {50, 27}}[r.Config.Epochs]
			from := runs[p.From]
			if !ok || from.Config.Epochs != want.from || p.Epochs != want.epochs || from.Seed != r.Seed || from.Replicate != r.Replicate {
				t.Errorf("%s/%d continues %+v (%s/%d), want the %d-epoch run of its seed after %d epochs",
					r.TreatmentID, r.Replicate, p, from.TreatmentID, from.Replicate, want.from, want.epochs)
			}
		}
	}
	// Every epoch a run shares with another of its seed is kept (the
	// 100-epoch run's state after epoch 12 is the 20-epoch run's: the
	// same key).
	keep, _ := keepStates(runs)
	for _, r := range runs {
		want := map[int][]int{20: {10, 12, 20}, 50: {10, 12, 20, 27, 50}, 100: {10, 12, 20, 27, 100}}[r.Config.Epochs]
		if !slices.Equal(keep[r.Index], want) {
			t.Errorf("%s/%d keeps states %v, want %v", r.TreatmentID, r.Replicate, keep[r.Index], want)
		}
	}
	root := prefixRoots(runs, SharedPrefixes(runs))
	for i := range 7 {
		sel := All
		sel.ShardIndex, sel.ShardCount = i, 7
		kept, err := selectRuns(exp, sel)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range kept {
			if root[r.Index]%7 != i {
				t.Errorf("shard %d has run %d of chain %d", i, r.Index, root[r.Index])
			}
		}
		if len(kept)%3 != 0 {
			t.Errorf("shard %d has %d runs, not whole chains of 3", i, len(kept))
		}
	}
}

const sharedSweep = `name = "shared"
recipe = "loewe"
seeds = 1
master_seed = 4
[data]
source = "synthetic"
train_limit = 400
val_limit = 100
test_limit = 100
[base]
batch_size = 20
depth = 2
width = 16
[grid]
epochs = [2, 4]
[evaluate]
checkpoints = [1]
[record]
every = 5
probe = 50
`

// TestSharedPrefixOutputs: the 4-epoch run continues the 2-epoch run's
// state (loewe's cooldown leaves their first 2 epochs equal) and its
// outputs are byte-identical to those of the 4-epoch run trained alone.
func TestSharedPrefixOutputs(t *testing.T) {
	exp, err := experiments.Parse("shared", []byte(sharedSweep))
	if err != nil {
		t.Fatal(err)
	}
	run := func(sel Selection) (*pipeline.Cache, []pipeline.Result) {
		c, err := pipeline.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		jobs, err := Jobs(exp, sel)
		if err != nil {
			t.Fatal(err)
		}
		res, err := (&pipeline.Runner{Cache: c, Workers: 2}).Run(context.Background(), jobs)
		if err != nil {
			t.Fatal(err)
		}
		return c, res
	}
	long := exp.Runs()[1]
	if long.Config.Epochs != 4 {
		t.Fatalf("run 1 has %d epochs", long.Config.Epochs)
	}
	both, resBoth := run(Selection{Until: Evaluate, Replicate: -1})
	_, resAlone := run(Selection{Until: Evaluate, Replicate: -1, Treatment: long.TreatmentID})
	find := func(res []pipeline.Result, id string) *pipeline.Entry {
		for _, r := range res {
			if r.Job == id {
				return r.Entry
			}
		}
		t.Fatalf("no job %s", id)
		return nil
	}
	for _, stage := range []string{Train, Evaluate} {
		id := RunJobID(exp, stage, long)
		a, b := find(resBoth, id), find(resAlone, id)
		for _, o := range a.Outputs {
			if o.Name == TimingFile {
				continue
			}
			if ob, ok := b.Output(o.Name); !ok || ob.ID != o.ID {
				t.Errorf("%s %s: continued from the 2-epoch run's state, %s; trained alone, %s", id, o.Name, o.ID, ob.ID)
			}
		}
	}
	raw, err := both.ReadOutput(find(resBoth, RunJobID(exp, Train, long)), TimingFile)
	if err != nil {
		t.Fatal(err)
	}
	var timing struct {
		From resumedFrom `json:"resumed_from"`
	}
	if err := json.Unmarshal(raw, &timing); err != nil {
		t.Fatal(err)
	}
	if timing.From != (resumedFrom{Epoch: 2}) {
		t.Errorf("the 4-epoch run resumed from %+v, want after epoch 2", timing.From)
	}
}

// TestTrainingCounted: a training counts in Training from its start to its
// end, not only while it stores a state, so that a program stopped by a
// signal waits for its next batch.
func TestTrainingCounted(t *testing.T) {
	exp, err := experiments.Parse("shared", []byte(sharedSweep))
	if err != nil {
		t.Fatal(err)
	}
	c, err := pipeline.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := Jobs(exp, Selection{Until: Train, Replicate: -1})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		_, err := (&pipeline.Runner{Cache: c, Workers: 1}).Run(context.Background(), jobs)
		done <- err
	}()
	seen := false
	for running := true; running; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			running = false
		default:
			seen = seen || Training() > 0
		}
	}
	if !seen {
		t.Errorf("Training() stayed 0 while the runs trained")
	}
	if n := Training(); n != 0 {
		t.Errorf("Training() = %d after the runs finished", n)
	}
}

// BenchmarkSaveState stores the state of a 2×1000 network under Adam
// (weights and both moments, about 43 MB) in a cache: the cost of the
// state written after every epoch.
func BenchmarkSaveState(b *testing.B) {
	c, err := pipeline.Open(filepath.Join(b.TempDir(), "cache"))
	if err != nil {
		b.Fatal(err)
	}
	var tensors []ff.Param
	for l, in := range []int{784, 1000} {
		for _, kind := range []string{"weight", "m", "v"} {
			p := ff.Param{Name: fmt.Sprintf("layer%d.%s", l+1, kind), Rows: 1000, Cols: in, Data: make([]float32, 1000*in)}
			for i := range p.Data {
				p.Data[i] = float32(i%977) / 977
			}
			tensors = append(tensors, p)
		}
	}
	s := &ff.State{Epoch: 1, Tensors: tensors, Perm: make([]int32, 50000)}
	size := 0
	for _, p := range tensors {
		size += 4 * len(p.Data)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for i := range b.N {
		h := pipeline.NewHash("state")
		h.Param("n", i)
		if err := saveState(c, h.Key(), s, nil); err != nil {
			b.Fatal(err)
		}
	}
}
