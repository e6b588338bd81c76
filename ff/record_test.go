package ff

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"
)

// TestStepSchedule checks the default schedule against the steps written
// out by hand: dense at the start, every 20 after, epoch ends added.
func TestStepSchedule(t *testing.T) {
	got := DefaultStepSchedule.Steps(100, 50)
	want := []int{0, 1, 2, 3, 4, 6, 8, 11, 16, 20, 40, 50, 60, 80, 100}
	if !slices.Equal(got, want) {
		t.Errorf("Steps(100, 50) = %v, want %v", got, want)
	}
	// The requirement: at least 30 points in a 500-step first epoch.
	if n := len(DefaultStepSchedule.Steps(500, 500)); n < 30 {
		t.Errorf("%d points in a 500-step epoch, want ≥ 30", n)
	}
	wide := StepSchedule{Every: 100}
	if got, want := wide.Steps(100, 0), []int{0, 1, 2, 3, 4, 6, 8, 11, 16, 23, 32, 45, 64, 91, 100}; !slices.Equal(got, want) {
		t.Errorf("Every 100: %v, want %v", got, want)
	}
}

// TestRecordingDoesNotChangeTraining trains the same run with and without
// step recording and compares the weights and per-epoch metrics bit for
// bit, for both recipes and both schedules.
func TestRecordingDoesNotChangeTraining(t *testing.T) {
	train, val := synthetic(400, 1), synthetic(100, 2)
	for _, r := range Recipes {
		for _, sched := range []Schedule{Simultaneous, Greedy} {
			cfg := smallConfig(t, r)
			cfg.Epochs, cfg.Schedule = 2, sched
			plain, h1, err := Train(context.Background(), cfg, train, Options{Seed: 3, Val: val})
			if err != nil {
				t.Fatal(err)
			}
			var steps []StepMetrics
			rec := &Recording{Schedule: StepSchedule{Every: 3}, Probe: val,
				OnStep: func(m StepMetrics) error { steps = append(steps, m); return nil }}
			recorded, h2, err := Train(context.Background(), cfg, train, Options{Seed: 3, Val: val, Record: rec})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(paramsCopy(plain), paramsCopy(recorded)) {
				t.Errorf("%s %s: recording changed the weights", r, sched)
			}
			for i := range h1 {
				h1[i].Seconds, h2[i].Seconds = 0, 0
			}
			if metricsString(h1) != metricsString(h2) {
				t.Errorf("%s %s: recording changed the epoch metrics", r, sched)
			}
			if len(steps) == 0 || steps[0].Step != 0 || steps[0].Train != nil {
				t.Fatalf("%s %s: first record %+v, want step 0 without a training window", r, sched, steps[0])
			}
		}
	}
}

// TestRecordingValues checks what is recorded: the schedule's steps and
// epoch ends, epochs and greedy layers; probe metrics equal to a full
// evaluation of the same samples and negatives (1e-6 relative: the probe
// forwards 3 rows per sample where the evaluation forwards 11, and
// OpenBLAS may split products of different heights differently, which
// moves float32 goodness in its last bits); the training windows averaging
// to the epoch's training metrics (each epoch's batches split into
// windows, weights = batches per window; same tolerance).
func TestRecordingValues(t *testing.T) {
	train, val := synthetic(400, 1), synthetic(150, 2)
	cfg := smallConfig(t, Loewe)
	cfg.Epochs = 2 // 20 batches of 20 per epoch
	var steps []StepMetrics
	rec := &Recording{Schedule: StepSchedule{Every: 7}, Probe: val,
		OnStep: func(m StepMetrics) error { steps = append(steps, m); return nil }}
	net, hist, err := Train(context.Background(), cfg, train, Options{Seed: 4, Record: rec})
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, s := range steps {
		got = append(got, s.Step)
	}
	if want := (StepSchedule{Every: 7}).Steps(40, 20); !slices.Equal(got, want) {
		t.Fatalf("recorded steps %v, want %v", got, want)
	}
	for _, s := range steps {
		if want := (s.Step + 19) / 20; s.Epoch != want {
			t.Errorf("step %d: epoch %d, want %d", s.Step, s.Epoch, want)
		}
	}
	ev, err := net.Evaluate(val, ValidationSeed)
	if err != nil {
		t.Fatal(err)
	}
	p := steps[len(steps)-1].Probe
	near := func(what string, a, b float64) {
		t.Helper()
		if math.Abs(a-b) > 1e-6*math.Max(1, math.Abs(b)) {
			t.Errorf("%s: probe %v, evaluation %v", what, a, b)
		}
	}
	for l := range p.Layers {
		near("ff_accuracy", p.Layers[l].Accuracy, ev.Layers[l].Accuracy)
		near("ff_loss", p.Layers[l].Loss, ev.Layers[l].Loss)
		near("goodness_pos", p.Layers[l].GoodnessPos, ev.Layers[l].GoodnessPos)
		near("goodness_neg", p.Layers[l].GoodnessNeg, ev.Layers[l].GoodnessNeg)
	}
	near("classifier_accuracy", p.ClassifierAccuracy, ev.ClassifierAccuracy)
	near("classifier_loss", p.ClassifierLoss, ev.ClassifierLoss)
	for e := 1; e <= 2; e++ {
		var acc, n float64
		prev := (e - 1) * 20
		for _, s := range steps {
			if s.Epoch == e && s.Step > 0 {
				k := float64(s.Step - prev)
				acc += k * s.Train.Layers[1].Accuracy
				n += k
				prev = s.Step
			}
		}
		near("window-weighted train accuracy", acc/n, hist[e-1].Train.Layers[1].Accuracy)
	}
}

// TestRecordingGreedyLayer checks that the greedy schedule's trained layer
// is recorded and that step counting runs on across layers.
func TestRecordingGreedyLayer(t *testing.T) {
	train := synthetic(200, 1)
	cfg := smallConfig(t, Loewe)
	cfg.Epochs, cfg.Schedule = 1, Greedy // two layers, 10 batches each
	var steps []StepMetrics
	rec := &Recording{Schedule: StepSchedule{Every: 5},
		OnStep: func(m StepMetrics) error { steps = append(steps, m); return nil }}
	if _, _, err := Train(context.Background(), cfg, train, Options{Seed: 1, Record: rec}); err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		want := 1
		if s.Step > 10 {
			want = 2
		}
		if s.Layer != want || s.Probe != nil {
			t.Errorf("step %d: layer %d (want %d), probe %v (want none)", s.Step, s.Layer, want, s.Probe)
		}
	}
	if last := steps[len(steps)-1]; last.Step != 20 {
		t.Errorf("last step %d, want 20", last.Step)
	}
}

// TestRecordingErrors checks a bad schedule and a mismatched probe.
func TestRecordingErrors(t *testing.T) {
	train := synthetic(100, 1)
	cfg := smallConfig(t, Loewe)
	bad := &Data{X: make([]float32, 3*20), Labels: make([]uint8, 3), N: 3, Features: 20}
	for _, rec := range []*Recording{{Schedule: StepSchedule{Every: 0}}, {Schedule: DefaultStepSchedule, Probe: bad}} {
		if _, _, err := Train(context.Background(), cfg, train, Options{Seed: 1, Record: rec}); err == nil {
			t.Errorf("recording %+v: no error", rec)
		}
	}
}

// TestDataHead checks Head's samples and its cap at the data's size.
func TestDataHead(t *testing.T) {
	d := synthetic(10, 1)
	h := d.Head(4)
	if h.N != 4 || len(h.Labels) != 4 || len(h.X) != 4*d.Features || &h.X[0] != &d.X[0] || h.Labels[3] != d.Labels[3] {
		t.Errorf("Head(4) = %d samples, %d labels, %d features", h.N, len(h.Labels), len(h.X))
	}
	if all := d.Head(99); all.N != 10 || len(all.X) != len(d.X) {
		t.Errorf("Head(99) kept %d of 10 samples", all.N)
	}
}

// TestProbeWithoutClassifier: without a classifier the model is goodness
// over labels, and the probe measures it (and each layer's ten-class
// accuracy) as a full evaluation does; 1e-6 relative.
func TestProbeWithoutClassifier(t *testing.T) {
	train, val := synthetic(400, 1), synthetic(150, 2)
	cfg := smallConfig(t, Pezeshki)
	cfg.Epochs = 2
	var last StepMetrics
	rec := &Recording{Schedule: StepSchedule{Every: 7}, Probe: val,
		OnStep: func(m StepMetrics) error { last = m; return nil }}
	net, _, err := Train(context.Background(), cfg, train, Options{Seed: 4, Record: rec})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := net.Evaluate(val, ValidationSeed)
	if err != nil {
		t.Fatal(err)
	}
	p := last.Probe
	near := func(what string, a, b float64) {
		t.Helper()
		if math.IsNaN(a) || math.Abs(a-b) > 1e-6*math.Max(1, math.Abs(b)) {
			t.Errorf("%s: probe %v, evaluation %v", what, a, b)
		}
	}
	near("goodness_accuracy", p.GoodnessAccuracy, ev.GoodnessAccuracy)
	for l := range p.Layers {
		near("label_accuracy", p.Layers[l].LabelAccuracy, ev.Layers[l].LabelAccuracy)
		near("ff_accuracy", p.Layers[l].Accuracy, ev.Layers[l].Accuracy)
		near("ff_loss", p.Layers[l].Loss, ev.Layers[l].Loss)
	}
	if !math.IsNaN(p.ClassifierAccuracy) {
		t.Errorf("classifier accuracy %v without a classifier, want NaN", p.ClassifierAccuracy)
	}
}

// TestRecordingHalves checks the split-half probe, for both recipes (the
// classifier's three-row pass and goodness over labels' ten-label pass):
// the whole probe is bit-identical to a recording without halves (the
// halves share its pass but not its sums), each half equals an evaluation
// of that half alone (1e-6 relative, as in TestRecordingValues), and the
// halves' accuracies average exactly to the whole's (they count decisions
// of equal-sized halves).
func TestRecordingHalves(t *testing.T) {
	train, val := synthetic(400, 1), synthetic(400, 2)
	for _, r := range Recipes {
		cfg := smallConfig(t, r)
		cfg.Epochs = 1
		record := func(halves bool) []StepMetrics {
			var steps []StepMetrics
			rec := &Recording{Schedule: StepSchedule{Every: 10}, Probe: val, Halves: halves,
				OnStep: func(m StepMetrics) error { steps = append(steps, m); return nil }}
			if _, _, err := Train(context.Background(), cfg, train, Options{Seed: 5, Record: rec}); err != nil {
				t.Fatal(err)
			}
			return steps
		}
		plain, split := record(false), record(true)
		if len(plain) != len(split) || len(split) == 0 {
			t.Fatalf("%s: %d steps without halves, %d with", r, len(plain), len(split))
		}
		for i := range split {
			if plain[i].ProbeHalves != nil || len(split[i].ProbeHalves) != 2 {
				t.Fatalf("%s step %d: halves %d without, %d with", r, split[i].Step, len(plain[i].ProbeHalves), len(split[i].ProbeHalves))
			}
			if !reflect.DeepEqual(fmt.Sprint(*plain[i].Probe), fmt.Sprint(*split[i].Probe)) {
				t.Errorf("%s step %d: halves changed the whole probe\n got %v\nwant %v", r, split[i].Step, *split[i].Probe, *plain[i].Probe)
			}
			a, b, w := split[i].ProbeHalves[0], split[i].ProbeHalves[1], split[i].Probe
			if a.Samples != 200 || b.Samples != 200 {
				t.Errorf("%s: half samples %d, %d", r, a.Samples, b.Samples)
			}
			for l := range w.Layers {
				// Counts of correct decisions: 2 per sample.
				if got := math.Round(400*a.Layers[l].Accuracy) + math.Round(400*b.Layers[l].Accuracy); got != math.Round(800*w.Layers[l].Accuracy) {
					t.Errorf("%s step %d layer %d: halves average %v, whole %v", r, split[i].Step, l+1, got, w.Layers[l].Accuracy)
				}
			}
			model := func(m SplitMetrics) float64 {
				if cfg.Classifier {
					return m.ClassifierAccuracy
				}
				return m.GoodnessAccuracy
			}
			if got := math.Round(200*model(a)) + math.Round(200*model(b)); got != math.Round(400*model(*w)) {
				t.Errorf("%s step %d: model accuracy of halves average %v, whole %v", r, split[i].Step, got, model(*w))
			}
		}
		// The second half alone, measured by a probe of its own samples at
		// the last step, is probe_b (the probe draws negatives for all
		// samples at once, so the half's negatives are those of the whole).
		net, _, err := Train(context.Background(), cfg, train, Options{Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		neg := NegativeLabels(val.Labels, ValidationSeed)
		half := &Data{X: val.X[200*val.Features:], Labels: val.Labels[200:], N: 200, Features: val.Features}
		got, _ := net.probe(half, neg[200:], false)
		want := split[len(split)-1].ProbeHalves[1]
		for l := range want.Layers {
			if d := math.Abs(got.Layers[l].Loss - want.Layers[l].Loss); d > 1e-6*math.Max(1, want.Layers[l].Loss) {
				t.Errorf("%s layer %d: second half alone loss %v, probe_b %v", r, l+1, got.Layers[l].Loss, want.Layers[l].Loss)
			}
			if got.Layers[l].Accuracy != want.Layers[l].Accuracy {
				t.Errorf("%s layer %d: second half alone accuracy %v, probe_b %v", r, l+1, got.Layers[l].Accuracy, want.Layers[l].Accuracy)
			}
		}
	}
	odd := &Recording{Schedule: StepSchedule{Every: 10}, Probe: synthetic(3, 2), Halves: true}
	if err := odd.check(val.Features); err == nil {
		t.Error("halves of an odd probe accepted")
	}
}
