package ff

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// cloneState deep-copies s, which Train hands out sharing the network's
// memory.
func cloneState(s *State) *State {
	c := *s
	c.Tensors = nil
	for _, p := range s.Tensors {
		p.Data = slices.Clone(p.Data)
		c.Tensors = append(c.Tensors, p)
	}
	c.AdamSteps = slices.Clone(s.AdamSteps)
	c.Shuffle, c.Negatives = slices.Clone(s.Shuffle), slices.Clone(s.Negatives)
	c.Perm = slices.Clone(s.Perm)
	c.History = slices.Clone(s.History)
	return &c
}

// stepsString prints step records with their pointers followed, so that
// two recordings compare as text (NaN included).
func stepsString(steps []StepMetrics) string {
	var b strings.Builder
	for _, m := range steps {
		p, tr := m.Probe, m.Train
		m.Probe, m.Train = nil, nil
		fmt.Fprintf(&b, "%+v", m)
		if p != nil {
			fmt.Fprintf(&b, " probe %+v", *p)
		}
		if tr != nil {
			fmt.Fprintf(&b, " train %+v", *tr)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// TestResumeBitIdentical trains runs of both recipes and both schedules,
// with step recording on a split probe, saves the state after every epoch,
// resumes from each, and checks that the weights, the epoch metrics and
// the step records are bit-identical to the run that never stopped.
func TestResumeBitIdentical(t *testing.T) {
	train, val := synthetic(400, 1), synthetic(100, 2)
	for _, r := range Recipes {
		for _, sched := range []Schedule{Simultaneous, Greedy} {
			cfg := smallConfig(t, r)
			cfg.Epochs, cfg.Schedule = 3, sched
			var steps []StepMetrics
			rec := func(dst *[]StepMetrics) *Recording {
				return &Recording{Schedule: StepSchedule{Every: 4}, Probe: val, Halves: true,
					OnStep: func(m StepMetrics) error { *dst = append(*dst, m); return nil }}
			}
			var states []*State
			stepsAt := map[int]int{} // epoch → steps recorded by its end
			whole, hist, err := Train(context.Background(), cfg, train, Options{Seed: 11, Val: val, Record: rec(&steps),
				OnState: func(s *State) error {
					states = append(states, cloneState(s))
					stepsAt[s.Epoch] = len(steps)
					return nil
				}})
			if err != nil {
				t.Fatal(err)
			}
			if len(states) != cfg.TotalEpochs() {
				t.Fatalf("%s %s: %d states, want %d", r, sched, len(states), cfg.TotalEpochs())
			}
			for i := range hist {
				hist[i].Seconds = 0
			}
			for _, s := range states {
				resumedSteps := slices.Clone(steps[:stepsAt[s.Epoch]])
				net, h, err := Train(context.Background(), cfg, train, Options{Seed: 11, Val: val,
					Record: rec(&resumedSteps), Resume: cloneState(s)})
				if err != nil {
					t.Fatalf("%s %s: resuming after epoch %d: %v", r, sched, s.Epoch, err)
				}
				for i := range h {
					h[i].Seconds = 0
				}
				where := fmt.Sprintf("%s %s resumed after epoch %d", r, sched, s.Epoch)
				if !reflect.DeepEqual(paramsCopy(whole), paramsCopy(net)) {
					t.Errorf("%s: weights differ", where)
				}
				if metricsString(h) != metricsString(hist) {
					t.Errorf("%s: epoch metrics differ:\n%s\nwant\n%s", where, metricsString(h), metricsString(hist))
				}
				if stepsString(resumedSteps) != stepsString(steps) {
					t.Errorf("%s: step records differ", where)
				}
			}
		}
	}
}

// TestResumeErrors: a state that does not fit the run is an error, not a
// wrong run.
func TestResumeErrors(t *testing.T) {
	train := synthetic(200, 1)
	cfg := smallConfig(t, Loewe)
	cfg.Epochs = 2
	var saved *State
	if _, _, err := Train(context.Background(), cfg, train, Options{Seed: 1, OnState: func(s *State) error {
		if s.Epoch == 1 {
			saved = cloneState(s)
		}
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	wider := cfg
	wider.Width = 65
	short := cfg
	short.Epochs = 1
	fewer := cloneState(saved)
	fewer.Perm = fewer.Perm[1:]
	dup := cloneState(saved)
	dup.Perm[0] = dup.Perm[1]
	for _, c := range []struct {
		cfg   Config
		data  *Data
		state *State
		want  string
	}{
		{wider, train, saved, "want layer1.weight 65×110"},
		{cfg, synthetic(220, 1), saved, "the training data has 220"},
		{cfg, train, fewer, "the training data has 200"},
		{cfg, train, dup, "not a permutation"},
		{short, train, cloneState(saved), ""}, // a 1-epoch run resumed after epoch 1: nothing left to train
	} {
		_, h, err := Train(context.Background(), c.cfg, c.data, Options{Seed: 1, Resume: c.state})
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.want, err)
		case c.want == "" && len(h) != 1:
			t.Errorf("finished run resumed: %d epochs of history, want 1", len(h))
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("got error %v, want one containing %q", err, c.want)
		}
	}
}

// TestPrefixLines: loewe's cooldown keeps the learning rate constant for
// epochs e ≤ n/2 (from 0), and its first cooled epoch, e = n/2+1, has the
// factor 2(1+n−e)/n = 1 exactly when n is even. So runs of 20, 50 and 100
// epochs share 12 and 27 epochs, one more than the constant phase; a constant schedule shares the shorter run whole; the greedy
// schedule and any other difference share nothing.
func TestPrefixLines(t *testing.T) {
	base := smallConfig(t, Loewe)
	with := func(epochs int, edit func(*Config)) Config {
		c := base
		c.Epochs = epochs
		if edit != nil {
			edit(&c)
		}
		return c
	}
	constant := func(c *Config) { c.LRSchedule = Constant }
	greedy := func(c *Config) { c.Schedule = Greedy }
	wider := func(c *Config) { c.Width++ }
	for _, c := range []struct {
		a, b Config
		want int
	}{
		{with(20, nil), with(100, nil), 12},
		{with(50, nil), with(100, nil), 27},
		{with(20, nil), with(50, nil), 12},
		{with(21, nil), with(50, nil), 11}, // odd n: 2(1+21−11)/21 ≠ 1
		{with(2, nil), with(4, nil), 2},    // beyond's epochs 2 and 4: the 2-epoch run is the 4-epoch run's first 2
		{with(20, constant), with(100, constant), 20},
		{with(20, greedy), with(100, greedy), 0},
		{with(20, nil), with(100, wider), 0},
		{with(20, nil), with(20, nil), 20},
	} {
		if got := SharedEpochs(c.a, c.b); got != c.want {
			t.Errorf("%d vs %d epochs (%s, %s): share %d, want %d", c.a.Epochs, c.b.Epochs, c.a.LRSchedule, c.b.Schedule, got, c.want)
		}
		// SharedEpochs is the longest prefix whose key lines agree.
		n := min(c.a.TotalEpochs(), c.b.TotalEpochs())
		for e := 1; e <= n; e++ {
			if same := slices.Equal(c.a.PrefixLines(e), c.b.PrefixLines(e)); same != (e <= c.want) {
				t.Errorf("%d vs %d epochs: PrefixLines(%d) equal %v, but they share %d", c.a.Epochs, c.b.Epochs, e, same, c.want)
			}
		}
	}
}

// TestUntil: a run stopped after epoch 2 of 4 and continued from its state
// ends where the run that never stopped does.
func TestUntil(t *testing.T) {
	train := synthetic(200, 1)
	cfg := smallConfig(t, Loewe)
	cfg.Epochs = 4
	whole, _, err := Train(context.Background(), cfg, train, Options{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	var saved *State
	_, h, err := Train(context.Background(), cfg, train, Options{Seed: 2, Until: 2, OnState: func(s *State) error {
		saved = cloneState(s)
		return nil
	}})
	if err != nil || len(h) != 2 || saved.Epoch != 2 || h[1].LR != cfg.LR {
		t.Fatalf("stopped run: %d epochs, state after %d, lr %g, err %v", len(h), saved.Epoch, h[1].LR, err)
	}
	rest, h, err := Train(context.Background(), cfg, train, Options{Seed: 2, Resume: saved})
	if err != nil || len(h) != 4 {
		t.Fatalf("continued run: %d epochs, err %v", len(h), err)
	}
	if !reflect.DeepEqual(paramsCopy(whole), paramsCopy(rest)) {
		t.Errorf("stopped and continued run differs from the whole run")
	}
}

// TestStopInsideEpoch stops runs inside an epoch (as a SIGTERM does), at
// batch boundaries across epochs, resumes each from the state OnStop gave,
// and checks weights, epoch metrics and step records against the run that
// never stopped, for both recipes and both schedules.
func TestStopInsideEpoch(t *testing.T) {
	train, val := synthetic(400, 1), synthetic(100, 2)
	for _, r := range Recipes {
		for _, sched := range []Schedule{Simultaneous, Greedy} {
			cfg := smallConfig(t, r)
			cfg.Epochs, cfg.Schedule = 2, sched
			rec := func(dst *[]StepMetrics) *Recording {
				return &Recording{Schedule: StepSchedule{Every: 4}, Probe: val, Halves: true,
					OnStep: func(m StepMetrics) error { *dst = append(*dst, m); return nil }}
			}
			var steps []StepMetrics
			whole, hist, err := Train(context.Background(), cfg, train, Options{Seed: 5, Val: val, Record: rec(&steps)})
			if err != nil {
				t.Fatal(err)
			}
			for i := range hist {
				hist[i].Seconds = 0
			}
			batches := train.N / cfg.BatchSize
			for _, at := range [][2]int{{1, 1}, {1, 7}, {2, 3}, {cfg.TotalEpochs(), batches - 1}} {
				where := fmt.Sprintf("%s %s stopped in epoch %d after batch %d", r, sched, at[0], at[1])
				ctx, cancel := context.WithCancel(context.Background())
				var part []StepMetrics
				var saved *State
				_, _, err := Train(ctx, cfg, train, Options{Seed: 5, Val: val, Record: rec(&part),
					OnBatch: func(e, done, _ int) {
						if e == at[0] && done == at[1] {
							cancel()
						}
					},
					OnStop: func(s *State) error {
						saved = cloneState(s)
						saved.Sums, saved.Window = clonePartial(s.Sums), clonePartial(s.Window)
						return nil
					}})
				cancel()
				if err != context.Canceled || saved == nil || saved.Epoch != at[0]-1 || saved.Batch != at[1] {
					t.Fatalf("%s: err %v, state %+v", where, err, saved)
				}
				net, h, err := Train(context.Background(), cfg, train, Options{Seed: 5, Val: val, Record: rec(&part), Resume: saved})
				if err != nil {
					t.Fatalf("%s: resuming: %v", where, err)
				}
				for i := range h {
					h[i].Seconds = 0
				}
				if !reflect.DeepEqual(paramsCopy(whole), paramsCopy(net)) {
					t.Errorf("%s: weights differ", where)
				}
				if metricsString(h) != metricsString(hist) {
					t.Errorf("%s: epoch metrics differ", where)
				}
				if stepsString(part) != stepsString(steps) {
					t.Errorf("%s: step records differ", where)
				}
			}
		}
	}
}

func clonePartial(p *PartialSums) *PartialSums {
	if p == nil {
		return nil
	}
	c := *p
	c.Layers = slices.Clone(p.Layers)
	return &c
}
