package ff

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"
)

// synthetic returns n learnable samples of 10+20 features: each class has a
// fixed random prototype over the image features, plus Gaussian noise.
func synthetic(n int, seed uint64) *Data {
	const feat = 110
	proto := rand.New(rand.NewPCG(99, 0))
	var protos [NumClasses][feat]float32
	for k := range protos {
		for j := NumClasses; j < feat; j++ {
			protos[k][j] = float32(proto.Float64())
		}
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	d := &Data{X: make([]float32, n*feat), Labels: make([]uint8, n), N: n, Features: feat}
	for i := 0; i < n; i++ {
		y := uint8(rng.IntN(NumClasses))
		d.Labels[i] = y
		for j := NumClasses; j < feat; j++ {
			d.X[i*feat+j] = protos[y][j] + float32(0.15*rng.NormFloat64())
		}
	}
	return d
}

func smallConfig(t *testing.T, r Recipe) Config {
	t.Helper()
	cfg, err := DefaultConfig(r)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Depth, cfg.Width, cfg.Epochs, cfg.BatchSize = 2, 64, 6, 20
	if r == Loewe {
		cfg.LR, cfg.ClassifierLR = 0.003, 0.1
	} else {
		cfg.Epochs = 20 // Adam from PyTorch's small uniform init starts slowly
	}
	return cfg
}

// TestTrainLearns checks that both recipes learn a separable synthetic task:
// chance is 10%, the thresholds leave a wide margin below what the recipes
// reach on it (above 0.95 when this test was written).
func TestTrainLearns(t *testing.T) {
	train, val := synthetic(1000, 1), synthetic(300, 2)
	for _, r := range Recipes {
		cfg := smallConfig(t, r)
		_, hist, err := Train(context.Background(), cfg, train, Options{Seed: 1, Val: val})
		if err != nil {
			t.Fatalf("%s: %v", r, err)
		}
		if len(hist) != cfg.Epochs {
			t.Fatalf("%s: %d epochs of metrics, want %d", r, len(hist), cfg.Epochs)
		}
		last := hist[len(hist)-1].Val
		// pezeshki's second layer lags on this task (0.63 at 20 epochs
		// when written; 0.91 with the greedy schedule).
		wantGood := map[Recipe]float64{Loewe: 0.8, Pezeshki: 0.5}[r]
		if last.GoodnessAccuracy < wantGood {
			t.Errorf("%s: goodness-over-labels accuracy %.3f, want ≥ %v", r, last.GoodnessAccuracy, wantGood)
		}
		if r == Loewe && last.ClassifierAccuracy < 0.8 {
			t.Errorf("%s: classifier accuracy %.3f, want ≥ 0.8", r, last.ClassifierAccuracy)
		}
		if last.Layers[0].LabelAccuracy < 0.9 {
			t.Errorf("%s: layer 1 10-class accuracy %.3f, want ≥ 0.9", r, last.Layers[0].LabelAccuracy)
		}
		if r == Pezeshki && !math.IsNaN(last.ClassifierAccuracy) {
			t.Errorf("%s: classifier accuracy %v without a classifier, want NaN", r, last.ClassifierAccuracy)
		}
		for l, lm := range last.Layers {
			if lm.Accuracy < 0.7 {
				t.Errorf("%s: layer %d FF accuracy %.3f, want ≥ 0.7", r, l+1, lm.Accuracy)
			}
			if lm.GoodnessPos <= lm.GoodnessNeg {
				t.Errorf("%s: layer %d goodness pos %.3f ≤ neg %.3f", r, l+1, lm.GoodnessPos, lm.GoodnessNeg)
			}
		}
		first := hist[0].Train
		if first.Layers[0].Loss <= hist[len(hist)-1].Train.Layers[0].Loss {
			t.Errorf("%s: layer 1 training loss did not fall: %.4f → %.4f", r, first.Layers[0].Loss, hist[len(hist)-1].Train.Layers[0].Loss)
		}
	}
}

func paramsCopy(n *Network) [][]float32 {
	var out [][]float32
	for _, p := range n.Params() {
		out = append(out, append([]float32(nil), p.Data...))
	}
	return out
}

// TestDeterminism: the same seed gives bit-identical parameters and metrics,
// also when runs go in parallel; another seed gives other parameters.
func TestDeterminism(t *testing.T) {
	train, val := synthetic(400, 1), synthetic(100, 2)
	cfg := smallConfig(t, Loewe)
	cfg.Epochs = 2
	run := func(seed uint64) ([][]float32, []EpochMetrics) {
		n, h, err := Train(context.Background(), cfg, train, Options{Seed: seed, Val: val})
		if err != nil {
			t.Fatal(err)
		}
		for i := range h {
			h[i].Seconds = 0
		}
		return paramsCopy(n), h
	}
	p1, h1 := run(5)
	var wg sync.WaitGroup
	ps := make([][][]float32, 3)
	hs := make([][]EpochMetrics, 3)
	for i := range ps {
		wg.Add(1)
		go func() { defer wg.Done(); ps[i], hs[i] = run(5) }()
	}
	wg.Wait()
	for i := range ps {
		if !reflect.DeepEqual(p1, ps[i]) {
			t.Errorf("parallel run %d: parameters differ from the serial run", i)
		}
		if metricsString(h1) != metricsString(hs[i]) {
			t.Errorf("parallel run %d: metrics differ from the serial run:\n%s\n%s", i, metricsString(h1), metricsString(hs[i]))
		}
	}
	if p2, _ := run(6); reflect.DeepEqual(p1, p2) {
		t.Errorf("seeds 5 and 6 gave identical parameters")
	}
}

// metricsString prints metrics with NaN spelled out, so that equal runs
// compare equal (NaN ≠ NaN under ==).
func metricsString(h []EpochMetrics) string {
	s := ""
	for _, m := range h {
		v := *m.Val
		m.Val = nil
		s += fmt.Sprintf("%+v %+v\n", m, v)
	}
	return s
}

// naiveGoodness forwards one sample with the given label features through
// the network in float64 without any sharing: the reference for the label
// trick.
func naiveGoodness(n *Network, x []float32, label []float64) []float64 {
	z := make([]float64, len(x))
	for j := range x {
		z[j] = float64(x[j])
	}
	copy(z, label)
	var goods []float64
	for _, ly := range n.layers {
		var ss float64
		for _, v := range z {
			ss += v * v
		}
		r := math.Sqrt(ss)
		if n.cfg.Norm == RMS {
			r = math.Sqrt(ss / float64(len(z)))
		}
		f := 1 / (r + n.cfg.NormEps)
		a := make([]float64, ly.out)
		var g float64
		for o := 0; o < ly.out; o++ {
			s := float64(ly.b[o])
			for i, v := range z {
				s += float64(ly.w[o*ly.in+i]) * v * f
			}
			a[o] = math.Max(s, 0)
			g += a[o] * a[o]
		}
		if n.cfg.Goodness == MeanSquares {
			g /= float64(ly.out)
		}
		goods = append(goods, g)
		z = a
	}
	return goods
}

// TestEvalMatchesNaiveForward checks the shared-image-part evaluation
// against a float64 forward of every (sample, label) pair; tolerance 1e-4
// relative (float32 against float64).
func TestEvalMatchesNaiveForward(t *testing.T) {
	d := synthetic(7, 3)
	for _, r := range Recipes {
		cfg := smallConfig(t, r)
		cfg.Depth, cfg.Widths = 3, []int{12, 9, 5}
		n, err := newNetwork(cfg, d.Features, rand.New(rand.NewPCG(3, 4)))
		if err != nil {
			t.Fatal(err)
		}
		tally := newEvalTally(cfg.Depth)
		n.evalRows(d.X, d.Labels, NegativeLabels(d.Labels, 1), tally)
		e := n.eval
		for i := 0; i < d.N; i++ {
			for k := 0; k < NumClasses; k++ {
				label := make([]float64, NumClasses)
				label[k] = 1
				want := naiveGoodness(n, d.Row(i), label)
				for l := range want {
					got := float64(e.good[l][k*d.N+i])
					if math.Abs(got-want[l]) > 1e-4*math.Abs(want[l])+1e-6 {
						t.Errorf("%s sample %d label %d layer %d: goodness %g, want %g", r, i, k, l+1, got, want[l])
					}
				}
			}
		}
	}
}

func TestLRSchedule(t *testing.T) {
	// loeweX's get_linear_cooldown_lr with E = 10: constant for e ≤ 5,
	// then 2(1+E−e)/E.
	cfg, _ := DefaultConfig(Loewe)
	want := []float64{1, 1, 1, 1, 1, 1, 1.0, 0.8, 0.6, 0.4}
	for e, w := range want {
		if got := cfg.lrScale(e, 10); math.Abs(got-w) > 1e-15 {
			t.Errorf("lrScale(%d, 10) = %v, want %v", e, got, w)
		}
	}
	cfg.LRSchedule = Constant
	if got := cfg.lrScale(9, 10); got != 1 {
		t.Errorf("constant schedule: lrScale(9, 10) = %v, want 1", got)
	}
}

// TestGreedyTrainsOneLayerAtATime: in the greedy schedule's first phase only
// layer 1 changes.
func TestGreedyTrainsOneLayerAtATime(t *testing.T) {
	train := synthetic(200, 1)
	cfg := smallConfig(t, Loewe)
	cfg.Schedule, cfg.Epochs = Greedy, 1
	init, err := newNetwork(cfg, train.Features, rand.New(rand.NewPCG(9, streamInit)))
	if err != nil {
		t.Fatal(err)
	}
	before := paramsCopy(init)
	var phases []int
	_, hist, err := Train(context.Background(), cfg, train, Options{Seed: 9, OnEpoch: func(m EpochMetrics, n *Network) error {
		if m.Epoch == 1 {
			after := paramsCopy(n)
			if reflect.DeepEqual(before[0], after[0]) {
				t.Errorf("phase 1 left layer 1 unchanged")
			}
			if !reflect.DeepEqual(before[2], after[2]) || !reflect.DeepEqual(before[3], after[3]) {
				t.Errorf("phase 1 changed layer 2")
			}
		}
		phases = append(phases, m.Layer)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || !reflect.DeepEqual(phases, []int{1, 2}) {
		t.Errorf("greedy run: %d epochs, phases %v; want 2 epochs, phases [1 2]", len(hist), phases)
	}
}

func TestTrainErrors(t *testing.T) {
	d := synthetic(50, 1)
	base := smallConfig(t, Loewe)
	cases := []struct {
		name   string
		edit   func(*Config)
		data   *Data
		want   string
		wantIs error
	}{
		{"depth 0", func(c *Config) { c.Depth = 0 }, d, "depth = 0: must be at least 1", nil},
		{"width 0", func(c *Config) { c.Width = 0 }, d, "width = 0: must be at least 1", nil},
		{"negative lr", func(c *Config) { c.LR = -1 }, d, "lr = -1: must be finite and > 0", nil},
		{"batch larger than data", func(c *Config) { c.BatchSize = 51 }, d, "batch_size = 51: must not exceed the 50 training samples", nil},
		{"unknown norm", func(c *Config) { c.Norm = "layer" }, d, `norm = "layer": must be one of ["rms" "l2"]`, nil},
		{"diverging", func(c *Config) { c.LR = 1e6; c.BatchSize = 10 }, d, "", ErrDiverged},
		{"label out of range", func(c *Config) {}, &Data{X: d.X, Labels: append([]uint8{12}, d.Labels[1:]...), N: d.N, Features: d.Features},
			"training data: sample 0 has label 12, want 0..9", nil},
	}
	for _, c := range cases {
		cfg := base
		c.edit(&cfg)
		_, _, err := Train(context.Background(), cfg, c.data, Options{Seed: 1})
		switch {
		case err == nil:
			t.Errorf("%s: no error", c.name)
		case c.wantIs != nil && !errors.Is(err, c.wantIs):
			t.Errorf("%s: error %q does not wrap %v", c.name, err, c.wantIs)
		case c.want != "" && err.Error() != c.want:
			t.Errorf("%s: error %q, want %q", c.name, err, c.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Train(ctx, base, d, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: error %v", err)
	}
}

func TestParamsRoundTrip(t *testing.T) {
	train, val := synthetic(200, 1), synthetic(100, 2)
	cfg := smallConfig(t, Loewe)
	cfg.Epochs = 1
	n, _, err := Train(context.Background(), cfg, train, Options{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewFromParams(cfg, train.Features, n.Params())
	if err != nil {
		t.Fatal(err)
	}
	a, _ := n.Evaluate(val, 1)
	b, _ := m.Evaluate(val, 1)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("evaluation after NewFromParams differs:\n%v\n%v", a, b)
	}
	bad := n.Params()[:1]
	if _, err := NewFromParams(cfg, train.Features, bad); err == nil {
		t.Errorf("NewFromParams accepted %d tensors", len(bad))
	}
}
