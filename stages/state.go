package stages

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"sync/atomic"

	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/ff"
	"github.com/ffchar/ffchar/pipeline"
)

// A run's training state after an epoch is a cache entry of its own
// (stage "state"), keyed by what determines the epochs so far: the
// configuration without the run's length, the learning-rate factor of
// each of those epochs, the seed, the step recording, the arithmetic and
// the data (experiments.Run.PrefixLines). Runs that differ only in their
// length share the states of the epochs their schedules agree on, and a
// train job starts from the longest state in the cache: after a kill, it
// loses at most the epoch it was in.
//
// The entry holds two outputs: StateTensorsFile, the network's parameters
// followed by its optimiser state (ff.State.Tensors, Arrow IPC, the
// format of the weights files), and StateFile, the rest of the state with
// the epoch metrics and step records so far (encoding/gob). Both record
// the state's key, so their bytes are the entry's own and Cache.Drop may
// remove them.
const (
	StateStage       = "state"
	StateTensorsFile = "state.arrow"
	StateFile        = "state.gob"
)

// savedState is what StateFile holds.
type savedState struct {
	Key           string // the state's action key
	Epoch         int
	Batch         int
	Sums, Window  *ff.PartialSums
	WindowBatches int
	Step          int
	AdamSteps     []int
	Shuffle       []byte
	Negatives     []byte
	Perm          []int32
	History       []ff.EpochMetrics
	Steps         []ff.StepMetrics
}

// stateKey returns the key of run r's state after epoch e, given its data
// (the prep job's entry).
func stateKey(r experiments.Run, e int, data *pipeline.Entry) pipeline.Key {
	return prefixKey(r, e, false, data)
}

// insideKey returns the key of the slot that holds run r's state inside
// epoch e, where a stopped run (SIGTERM) left it: one slot per epoch,
// since the batch it stopped at is not known in advance. Whatever state
// it holds continues the run to the same bits; a later stop replaces it,
// and the end of the epoch drops it.
func insideKey(r experiments.Run, e int, data *pipeline.Entry) pipeline.Key {
	return prefixKey(r, e, true, data)
}

func prefixKey(r experiments.Run, e int, inside bool, data *pipeline.Entry) pipeline.Key {
	h := pipeline.NewHash(StateStage)
	h.Param("version", stateVersion)
	for _, l := range r.PrefixLines(e) {
		h.Line(l)
	}
	if inside {
		h.Param("inside_epoch", true)
	}
	numerics(h, r.Arithmetic)
	for _, o := range data.Outputs {
		h.Input("data:"+o.Name, o.ID)
	}
	return h.Key()
}

// runState is a state read back from the cache.
type runState struct {
	state *ff.State
	steps []ff.StepMetrics
	key   pipeline.Key
}

// loadState reads the state of key from c. Any problem is a miss.
func loadState(c *pipeline.Cache, key pipeline.Key) (*runState, error) {
	e, err := c.Get(key.ID)
	if err != nil {
		return nil, err
	}
	raw, err := c.ReadOutput(e, StateFile)
	if err != nil {
		return nil, err
	}
	var s savedState
	if err := gob.NewDecoder(bytes.NewReader(raw)).Decode(&s); err != nil {
		return nil, fmt.Errorf("state %.12s: %s: %w", key.ID, StateFile, err)
	}
	if s.Key != key.ID.String() {
		return nil, fmt.Errorf("state %.12s: %s is for %.12s", key.ID, StateFile, s.Key)
	}
	o, ok := e.Output(StateTensorsFile)
	if !ok {
		return nil, fmt.Errorf("state %.12s: no %s", key.ID, StateTensorsFile)
	}
	tensors, meta, err := artifacts.ReadParams(c.OutputFile(o.ID))
	if err != nil {
		return nil, err
	}
	if meta["state"] != s.Key {
		return nil, fmt.Errorf("state %.12s: %s is for %.12s", key.ID, StateTensorsFile, meta["state"])
	}
	return &runState{
		state: &ff.State{Epoch: s.Epoch, Batch: s.Batch, Sums: s.Sums, Window: s.Window, WindowBatches: s.WindowBatches,
			Step: s.Step, Tensors: tensors, AdamSteps: s.AdamSteps,
			Shuffle: s.Shuffle, Negatives: s.Negatives, Perm: s.Perm, History: s.History},
		steps: s.Steps,
		key:   key,
	}, nil
}

// training counts the trainings under way (trainTo, which stores their
// states), so that a stopping program can wait for them (Training).
var training atomic.Int32

// Training returns how many trainings are under way (storing a state is
// part of one): a program stopped by a signal waits for them to reach
// their next batch and store their state there before it exits, so that
// the run continues where it stopped.
func Training() int { return int(training.Load()) }

// saveState stores s, with the step records so far, under key.
func saveState(c *pipeline.Cache, key pipeline.Key, s *ff.State, steps []ff.StepMetrics) error {
	hist := slices.Clone(s.History)
	for i := range hist {
		hist[i].Seconds = math.NaN() // wall time: not part of the state
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(savedState{Key: key.ID.String(), Epoch: s.Epoch,
		Batch: s.Batch, Sums: s.Sums, Window: s.Window, WindowBatches: s.WindowBatches, Step: s.Step,
		AdamSteps: s.AdamSteps, Shuffle: s.Shuffle, Negatives: s.Negatives, Perm: s.Perm,
		History: hist, Steps: steps}); err != nil {
		return err
	}
	meta := map[string]string{"state": key.ID.String(), "epoch": strconv.Itoa(s.Epoch)}
	// Straight into the cache: a state is as large as the network and its
	// optimiser state, written once an epoch.
	_, err := c.PutStreams(key, []string{StateTensorsFile, StateFile}, func(name string, w io.Writer) error {
		if name == StateFile {
			_, err := w.Write(buf.Bytes())
			return err
		}
		return artifacts.EncodeParams(w, s.Tensors, meta)
	})
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	return nil
}

// trainer is how a run's training goes through the cache.
type trainer struct {
	c    *pipeline.Cache
	run  experiments.Run
	data map[string]*ff.Data
	prep *pipeline.Entry
	// keep are the epochs whose states stay in the cache: the
	// checkpoints, the last epoch and those other runs continue from.
	// The others are dropped once a later one is stored.
	keep []int
	// onEpoch, when not nil, sees every epoch trained (not those resumed).
	onEpoch func(m ff.EpochMetrics) error
}

// resumedFrom says where a training continued: after Epoch epochs and
// Batch batches of the next (0 and 0 for a fresh start).
type resumedFrom struct {
	Epoch int `json:"epoch"`
	Batch int `json:"batch"`
}

// trainTo trains the run up to epoch until, starting from the longest
// state in the cache, storing the state after every epoch, and returns the
// network with the epoch metrics and step records of epochs 1..until. It
// also reports where it resumed.
func (t *trainer) trainTo(ctx context.Context, until int) (*ff.Network, []ff.EpochMetrics, []ff.StepMetrics, resumedFrom, error) {
	// From start to finish, so that a stop waits for the next batch and
	// the state stored there, not only for a state being written.
	training.Add(1)
	defer training.Add(-1)
	r := t.run
	// The longest state: after epoch e, else inside it, for e from
	// until down.
	var from *runState
	for e := until; e >= 1 && from == nil; e-- {
		if s, err := loadState(t.c, stateKey(r, e, t.prep)); err == nil {
			from = s
		} else if s, err := loadState(t.c, insideKey(r, e, t.prep)); err == nil && s.state.Epoch == e-1 {
			from = s
		}
	}
	var steps []ff.StepMetrics
	opt := ff.Options{
		Seed:   r.Seed,
		Val:    t.data["val"],
		Record: recording(r, t.data["val"], &steps),
		Until:  until,
	}
	var resumed resumedFrom
	var transient *pipeline.Key // the last state stored that no one keeps
	if from != nil {
		opt.Resume = from.state
		steps = from.steps
		resumed = resumedFrom{from.state.Epoch, from.state.Batch}
		if from.state.Batch == 0 && !slices.Contains(t.keep, resumed.Epoch) {
			transient = &from.key
		}
	}
	if t.onEpoch != nil {
		opt.OnEpoch = func(m ff.EpochMetrics, _ *ff.Network) error { return t.onEpoch(m) }
	}
	opt.OnStop = func(s *ff.State) error {
		key := insideKey(r, s.Epoch+1, t.prep)
		if err := t.c.Drop(key.ID); err != nil {
			return err
		}
		return saveState(t.c, key, s, steps)
	}
	opt.OnState = func(s *ff.State) error {
		key := stateKey(r, s.Epoch, t.prep)
		if err := saveState(t.c, key, s, steps); err != nil {
			return err
		}
		if err := t.c.Drop(insideKey(r, s.Epoch, t.prep).ID); err != nil {
			return err
		}
		if transient != nil {
			if err := t.c.Drop(transient.ID); err != nil {
				return err
			}
			transient = nil
		}
		if !slices.Contains(t.keep, s.Epoch) {
			transient = &key
		}
		return nil
	}
	net, hist, err := ff.Train(ctx, r.Config, t.data["train"], opt)
	if err != nil {
		return nil, nil, nil, resumed, err
	}
	return net, hist, steps, resumed, nil
}

// weightsAt returns the run's parameters after epoch e: from its state in
// the cache, or trained up to it from the longest state there is.
func (t *trainer) weightsAt(ctx context.Context, e int) ([]ff.Param, error) {
	if s, err := loadState(t.c, stateKey(t.run, e, t.prep)); err == nil {
		return s.state.Tensors[:t.run.Config.ParamCount()], nil
	}
	net, _, _, _, err := t.trainTo(ctx, e)
	if err != nil {
		return nil, err
	}
	return net.Params(), nil
}

// A Prefix says which run's state a run continues from.
type Prefix struct {
	From   int // the Index of the run whose state it continues
	Epochs int // the epochs they share
}

// SharedPrefixes returns, for each run of runs (by Index) that continues
// another run's training state, which and after how many epochs (see
// ff.SharedEpochs): a run of the same seed that differs only in its
// length, and is shorter (or as long and earlier). The train jobs are
// ordered so that the run continued from trains first.
func SharedPrefixes(runs []experiments.Run) map[int]Prefix {
	_, prefixes := keepStates(runs)
	return prefixes
}

// keepStates returns, for each run of runs (by Index), the epochs whose
// states stay in the cache: its checkpoints and last epoch, and the epochs
// it shares with runs of the same seed (ff.SharedEpochs), which those
// continue from. prefixes holds, for each run that continues another's
// state, which and after how many epochs: the run of the same seed that
// shares the most epochs with it among those shorter than it (or as long
// and earlier).
func keepStates(runs []experiments.Run) (keep map[int][]int, prefixes map[int]Prefix) {
	keep, prefixes = map[int][]int{}, map[int]Prefix{}
	bySeed := map[uint64][]experiments.Run{}
	for _, r := range runs {
		bySeed[r.Seed] = append(bySeed[r.Seed], r)
	}
	for _, r := range runs {
		k := append(slices.Clone(r.Checkpoints), r.Config.TotalEpochs())
		best, bestShared := -1, 0
		for _, o := range bySeed[r.Seed] {
			if o.Index == r.Index {
				continue
			}
			s := ff.SharedEpochs(r.Config, o.Config)
			if s == 0 {
				continue
			}
			k = append(k, s)
			shorter := o.Config.TotalEpochs() < r.Config.TotalEpochs() ||
				o.Config.TotalEpochs() == r.Config.TotalEpochs() && o.Index < r.Index
			if shorter && s > bestShared {
				best, bestShared = o.Index, s
			}
		}
		slices.Sort(k)
		keep[r.Index] = slices.Compact(k)
		if best >= 0 {
			prefixes[r.Index] = Prefix{From: best, Epochs: bestShared}
		}
	}
	return keep, prefixes
}

// ResumePoints returns, for each run of exp that sel keeps (by Index), the
// last epoch whose state is in c: where its train job would continue (0
// to start afresh, or when the run's data is not prepared yet).
func ResumePoints(c *pipeline.Cache, exp *experiments.Experiment, sel Selection) (map[int]int, error) {
	runs, err := selectRuns(exp, sel)
	if err != nil {
		return nil, err
	}
	preps, ids, err := prepJobs(exp, runs)
	if err != nil {
		return nil, err
	}
	st, err := (&pipeline.Runner{Cache: c}).Status(preps)
	if err != nil {
		return nil, err
	}
	entries := map[string]*pipeline.Entry{}
	for _, s := range st {
		entries[s.Job] = s.Entry
	}
	points := map[int]int{}
	for _, r := range runs {
		points[r.Index] = 0
		prep := entries[ids[r.Data]]
		if prep == nil {
			continue
		}
		// The index entry alone: reading a state checks (hashes) its
		// tensors, the size of the network and its optimiser state. A
		// damaged state is found when the train job reads it, and it
		// then continues from a shorter one.
		for e := r.Config.TotalEpochs(); e >= 1; e-- {
			if _, err := c.Lines(stateKey(r, e, prep).ID); err == nil {
				points[r.Index] = e
				break
			}
		}
	}
	return points, nil
}
