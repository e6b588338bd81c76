package ff_test

import (
	"context"
	"math"
	"testing"

	"github.com/ffchar/ffchar/dataset"
	"github.com/ffchar/ffchar/ff"
)

// TestPezeshkiBelowChance pins why the pezeshki model's accuracy (goodness
// over labels, layers 2..N) is below chance, 1–2% against 10%, in its first
// steps, as in every pezeshki run of results/beyond. It is not a bug in the
// evaluation; it is what Adam's first step does to an untrained network:
//
//  1. Layer 2's first update is nearly uniform. Adam's first step moves
//     each weight by lr (0.03) in the sign of its gradient. The positives'
//     goodness is far below the threshold 2 and the negatives' far below
//     it too, so the positives' loss gradient (σ(2) ≈ 0.88 per sample for
//     goodness near 0) outweighs the negatives' (σ(−2) ≈ 0.12), and layer
//     2's inputs (normalised ReLU outputs) are nonnegative: of the weights
//     that move, 97% move up, most by lr exactly (measured: 184,603 of
//     250,000 moved, 105,593 by +lr, 5,647 down). Each
//     layer-2 unit then gains lr·‖ĥ‖₁, where ĥ is layer 1's normalised
//     output, so layer 2 prefers the label that spreads layer 1's
//     activity most (‖ĥ‖₁ = L1/L2 of layer 1's output). Replacing the
//     update by exactly +lr on every weight keeps the accuracy below
//     chance, and layer 2's choice is then the label of largest spread in
//     over 90% of images.
//  2. The true label is almost never the label of largest spread after
//     the step (about 2% of images), because of how layer 1's pixel
//     weights moved. They moved up where a unit was active for the
//     batch's positives, that is for images with their true label: units
//     active because of their random initial weight for the true label.
//     Shown one image, the true label then excites the units its pixels
//     now excite, concentrating layer 1's activity; a wrong label excites
//     other units and spreads it. The label columns' own update is not
//     needed: with only layer 1's pixel weights updated (label columns at
//     their initial values) the accuracy is still below chance; with only
//     the label columns updated it is not. And the pairing matters: with
//     the label columns rotated after the step (label k reading column
//     k+1), the accuracy is back above chance.
//  3. Neither step alone does it (layer 1 or layer 2 at its initial
//     weights: chance), nor does SGD, whose first step is proportional to
//     the gradients and tiny.
//
// What this test does not pin: why the accuracy stays below chance over
// the next 150 steps (results/beyond's mean curves: under 2.5% at steps
// 16–120, near chance at 160–180, 6–7% at step 200, 15% at step 300). Trained on for 10 to 150 steps (same seed, 200
// validation images), the label of largest spread is still rarely the true
// one (1–10% of images), but layer 2's choice agrees with it in 58–92% of
// images at steps 50–150 and in none at step 10: the first step's
// mechanism is part of the story later on, not all of it.
//
// The test trains one step (100 MNIST images) from one seed with lr 0.03,
// with lr 1e-30 (the initial weights) and with SGD, and evaluates 1,000
// validation images (chance ≈ 0.10, binomial SE ≈ 0.01; the spread
// measures use the first 300).
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
	const lr = 0.03
	oneStep := func(opt ff.Optimizer, lr float64) []ff.Param {
		c := cfg
		c.Optimizer, c.LR = opt, lr
		net, _, err := ff.Train(context.Background(), c, sp.Train, ff.Options{Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		return net.Params()
	}
	init, adam, sgd := oneStep(ff.Adam, 1e-30), oneStep(ff.Adam, lr), oneStep(ff.SGD, lr)
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
	// mix returns the initial parameters with layer 1's and layer 2's
	// weights and biases from layer1 and layer2 (copies).
	mix := func(layer1, layer2 []ff.Param) []ff.Param {
		ps := make([]ff.Param, len(init))
		for i, p := range init {
			src := p
			switch i {
			case 0, 1:
				src = layer1[i]
			case 2, 3:
				src = layer2[i]
			}
			ps[i] = p
			ps[i].Data = append([]float32(nil), src.Data...)
		}
		return ps
	}
	// labelColumns sets the label columns of layer 1's weights in ps:
	// label k reads column from(k) of src.
	labelColumns := func(ps []ff.Param, src []ff.Param, from func(k int) int) []ff.Param {
		w := ps[0]
		for u := 0; u < w.Rows; u++ {
			for k := 0; k < ff.NumClasses; k++ {
				w.Data[u*w.Cols+k] = src[0].Data[u*w.Cols+from(k)]
			}
		}
		return ps
	}
	same := func(k int) int { return k }
	uniform := mix(adam, init) // layer 2: every weight of its initial values + lr
	for i := range uniform[2].Data {
		uniform[2].Data[i] += lr
	}
	cases := []struct {
		what  string
		ps    []ff.Param
		below bool
	}{
		{"initial weights", init, false},
		{"one Adam step", adam, true},
		{"one SGD step", sgd, false},
		{"Adam on layer 1 only", mix(adam, init), false},
		{"Adam on layer 2 only", mix(init, adam), false},
		{"layer 2 +lr on every weight", uniform, true},
		{"layer 1's pixel weights only", labelColumns(mix(adam, adam), init, same), true},
		{"layer 1's label columns only", labelColumns(mix(init, adam), adam, same), false},
		{"label columns rotated", labelColumns(mix(adam, adam), adam, func(k int) int { return (k + 1) % ff.NumClasses }), false},
	}
	for _, c := range cases {
		ev := eval(c.ps)
		t.Logf("%-30s goodness-over-labels accuracy %.3f, layer 2's own %.3f", c.what, ev.GoodnessAccuracy, ev.Layers[1].LabelAccuracy)
		if c.below != (ev.GoodnessAccuracy < 0.05) {
			t.Errorf("%s: accuracy %.3f, want it below 0.05: %v (chance 0.10)", c.what, ev.GoodnessAccuracy, c.below)
		}
	}
	// 1. Layer 2's weights move up: most by lr exactly, very few down.
	w0, w1 := init[2].Data, adam[2].Data
	up, down, moved := 0, 0, 0
	for i := range w0 {
		d := float64(w1[i] - w0[i])
		switch {
		case d == 0:
		case math.Abs(d-lr) < lr/10:
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
	// 1–2. Under the uniform layer 2, its choice is the label of largest
	// spread, and that is rarely the true label.
	const m = 300
	var agree, spreadTrue int
	for i := 0; i < m; i++ {
		g, s := labelScores(uniform, sp.Val.X[i*sp.Val.Features:(i+1)*sp.Val.Features], cfg.NormEps)
		if argmax(g) == argmax(s) {
			agree++
		}
		if argmax(s) == int(sp.Val.Labels[i]) {
			spreadTrue++
		}
	}
	t.Logf("uniform layer 2: its choice is the label of largest layer-1 spread in %d of %d images; that label is the true one in %d", agree, m, spreadTrue)
	if agree < m*9/10 || spreadTrue > m/20 {
		t.Errorf("uniform layer 2: choice = largest spread in %d of %d images (want ≥ 90%%), largest spread = true label in %d (want ≤ 5%%)", agree, m, spreadTrue)
	}
}

// labelScores returns, for each label written into img, layer 2's goodness
// (mean of squares) and the spread (L1/L2) of layer 1's output, computed
// in float64 from the parameters of layers 1 and 2 (inputs L2-normalised
// with eps, ReLU).
func labelScores(p []ff.Param, img []float32, eps float64) (g, s [ff.NumClasses]float64) {
	in, width := p[0].Cols, p[0].Rows
	x := make([]float64, in)
	h := make([]float64, width)
	for k := range ff.NumClasses {
		for j := range x {
			x[j] = 0
			if j >= ff.NumClasses {
				x[j] = float64(img[j])
			}
		}
		x[k] = 1
		l1, l2 := layerOut(h, p[0], p[1], x, eps)
		s[k] = l1 / math.Sqrt(l2)
		out := make([]float64, p[2].Rows)
		_, sq := layerOut(out, p[2], p[3], h, eps)
		g[k] = sq / float64(len(out))
	}
	return g, s
}

// layerOut sets dst to ReLU(W x/(‖x‖+eps) + b) and returns its L1 norm and
// sum of squares.
func layerOut(dst []float64, w, b ff.Param, x []float64, eps float64) (l1, ss float64) {
	var xx float64
	for _, v := range x {
		xx += v * v
	}
	nrm := math.Sqrt(xx) + eps
	for u := range dst {
		a := float64(b.Data[u])
		row := w.Data[u*w.Cols : (u+1)*w.Cols]
		for j, v := range x {
			if v != 0 {
				a += float64(row[j]) * v / nrm
			}
		}
		dst[u] = max(a, 0)
		l1, ss = l1+dst[u], ss+dst[u]*dst[u]
	}
	return l1, ss
}

func argmax(v [ff.NumClasses]float64) int {
	best := 0
	for k := range v {
		if v[k] > v[best] {
			best = k
		}
	}
	return best
}
