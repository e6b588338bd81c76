package ff_test

import (
	"context"
	"math"
	"testing"

	"github.com/ffchar/ffchar/dataset"
	"github.com/ffchar/ffchar/ff"
)

// spread returns the mean L1/L2 ratio of layer 1's output (how many units
// share its activity) for the first m samples of d with their true label
// and with each wrong label, from the parameters of layer 1 (L2-normalised
// input, ReLU), in float64.
func spread(w, b []float32, in, out int, d *ff.Data, m int) (trueLabel, wrong float64) {
	var nt, nw int
	x := make([]float64, in)
	for i := 0; i < m; i++ {
		img := d.X[i*d.Features : (i+1)*d.Features]
		for k := 0; k < ff.NumClasses; k++ {
			var ss float64
			for j := range x {
				x[j] = 0
				if j >= ff.NumClasses {
					x[j] = float64(img[j])
				}
			}
			x[k] = 1
			for _, v := range x {
				ss += v * v
			}
			nrm := math.Sqrt(ss)
			var l1, l2 float64
			for u := 0; u < out; u++ {
				a := float64(b[u])
				row := w[u*in : (u+1)*in]
				for j, v := range x {
					if v != 0 {
						a += float64(row[j]) * v / nrm
					}
				}
				if a > 0 {
					l1, l2 = l1+a, l2+a*a
				}
			}
			r := l1 / math.Sqrt(l2)
			if k == int(d.Labels[i]) {
				trueLabel, nt = trueLabel+r, nt+1
			} else {
				wrong, nw = wrong+r, nw+1
			}
		}
	}
	return trueLabel / float64(nt), wrong / float64(nw)
}

// TestPezeshkiBelowChance pins what is known of the pezeshki model's
// accuracy below chance (1–2% against 10%) in its first steps, seen in
// every pezeshki run of results/beyond. It is not a bug in the evaluation:
//
//   - It appears after the first optimizer step: the untrained network is
//     at chance, and so is the network after one SGD step at the same
//     learning rate.
//   - It is layer 2's doing: after one Adam step layer 2's own label
//     accuracy falls below chance, layers 1 and 3 stay at chance, and
//     goodness over labels (layers 2..N) follows layer 2.
//   - It needs both layers' first Adam updates: with layer 1 or layer 2
//     alone moved (the other at its initial weights) the accuracy is at
//     chance.
//   - Adam's first step moves each weight by lr (0.03) in the sign of its
//     gradient. Layer 2's inputs, normalised ReLU outputs, are
//     nonnegative and the positives (far below the threshold 2) outweigh
//     the negatives, so layer 2's weights move up, most of them by lr
//     exactly (the rest have gradients near Adam's epsilon), very few
//     down: its goodness grows with the normalised layer-1 activity of the
//     units that were active with the batch's positives.
//   - Layer 2's goodness over the ten labels tracks how spread out
//     (L1/L2) layer 1's output is (logged: a correlation of about 0.8 per
//     image), and the true label spreads it less than a wrong one. That
//     spread alone picks out the true label far less often than layer 2
//     does, so the rest of the mechanism, how layer 1's label weights and
//     layer 2's co-activity update combine, is not pinned down here.
//
// The test trains one step (100 MNIST images) from one seed with lr 0.03,
// with lr 1e-30 (the initial weights) and with SGD, and evaluates 1,000
// validation images (chance ≈ 0.10, binomial SE ≈ 0.01).
func TestPezeshkiBelowChance(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	sp, err := dataset.MNIST.Load(dataset.Options{Limit: dataset.Sizes{Train: 100, Val: 1000, Test: 10}})
	if err != nil {
		t.Skipf("MNIST: %v", err)
	}
	cfg, _ := ff.DefaultConfig(ff.Pezeshki)
	cfg.Depth, cfg.Width, cfg.Epochs = 3, 500, 1
	oneStep := func(opt ff.Optimizer, lr float64) []ff.Param {
		c := cfg
		c.Optimizer, c.LR = opt, lr
		net, _, err := ff.Train(context.Background(), c, sp.Train, ff.Options{Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		return net.Params()
	}
	init, adam, sgd := oneStep(ff.Adam, 1e-30), oneStep(ff.Adam, 0.03), oneStep(ff.SGD, 0.03)
	eval := func(ps []ff.Param) *ff.Evaluation {
		n, err := ff.NewFromParams(cfg, sp.Val.Features, ps)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := n.Evaluate(sp.Val, ff.ValidationSeed)
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	mix := func(layer1, layer2 []ff.Param) []ff.Param {
		ps := append([]ff.Param(nil), init...)
		copy(ps[0:2], layer1[0:2])
		copy(ps[2:4], layer2[2:4])
		return ps
	}
	e0, ea, es := eval(init), eval(adam), eval(sgd)
	e1, e2 := eval(mix(adam, init)), eval(mix(init, adam))
	t.Logf("goodness-over-labels accuracy: initial %.3f, one Adam step %.3f, one SGD step %.3f; Adam on layer 1 only %.3f, on layer 2 only %.3f",
		e0.GoodnessAccuracy, ea.GoodnessAccuracy, es.GoodnessAccuracy, e1.GoodnessAccuracy, e2.GoodnessAccuracy)
	t.Logf("after one Adam step, each layer's own label accuracy: %.3f, %.3f, %.3f",
		ea.Layers[0].LabelAccuracy, ea.Layers[1].LabelAccuracy, ea.Layers[2].LabelAccuracy)
	if !(ea.GoodnessAccuracy < 0.05) || !(ea.Layers[1].LabelAccuracy < 0.05) {
		t.Errorf("after one Adam step: goodness accuracy %.3f, layer 2 %.3f; want both below 0.05", ea.GoodnessAccuracy, ea.Layers[1].LabelAccuracy)
	}
	for _, c := range []struct {
		what string
		acc  float64
	}{{"initial", e0.GoodnessAccuracy}, {"one SGD step", es.GoodnessAccuracy}, {"Adam on layer 1 only", e1.GoodnessAccuracy},
		{"Adam on layer 2 only", e2.GoodnessAccuracy}, {"layer 1 after Adam", ea.Layers[0].LabelAccuracy}, {"layer 3 after Adam", ea.Layers[2].LabelAccuracy}} {
		if !(c.acc > 0.05) {
			t.Errorf("%s: accuracy %.3f, want above 0.05 (chance)", c.what, c.acc)
		}
	}
	// Layer 2's weights move up: most by lr exactly, very few down.
	w0, w1 := init[2].Data, adam[2].Data
	up, down, moved := 0, 0, 0
	for i := range w0 {
		d := float64(w1[i] - w0[i])
		switch {
		case d == 0:
		case math.Abs(d-0.03) < 0.003:
			up++
			moved++
		default:
			moved++
			if d < 0 {
				down++
			}
		}
	}
	t.Logf("layer 2: %d of %d weights moved, %d of them by +lr, %d down", moved, len(w0), up, down)
	if down > moved/20 || up < moved/2 || moved < len(w0)/5 {
		t.Errorf("layer 2: %d of %d weights moved, %d by +lr, %d down: want at least a fifth moved, half of them up by lr, at most 5%% down", moved, len(w0), up, down)
	}
	// The true label spreads layer 1's activity less than a wrong one
	// after the step, and equally before it.
	t0, w0s := spread(init[0].Data, init[1].Data, init[0].Cols, init[0].Rows, sp.Val, 200)
	t1, w1s := spread(adam[0].Data, adam[1].Data, adam[0].Cols, adam[0].Rows, sp.Val, 200)
	t.Logf("layer-1 L1/L2: initial true %.4f wrong %.4f; after Adam true %.4f wrong %.4f", t0, w0s, t1, w1s)
	if !(t1 < w1s) || math.Abs(t0-w0s) > 0.01*w0s {
		t.Errorf("layer-1 spread: initial true %.4f wrong %.4f (want equal), after one step true %.4f wrong %.4f (want true < wrong)", t0, w0s, t1, w1s)
	}
}
