package ff

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
)

// evalChunk is the number of samples evaluated at once: each is forwarded
// with all ten labels and as a neutral sample.
const evalChunk = 100

// evalBuffers hold the scratch of an evaluation pass over one chunk.
type evalBuffers struct {
	sq     []float32    // per sample: Σ squared image features
	p1     []float32    // chunk × width₁: image part of layer 1
	act    []float32    // rows × max width
	norm   [2][]float32 // ping-pong normalised activations
	good   [][]float32  // per layer, rows
	logits []float32    // chunk × NumClasses
}

func (n *Network) evalBuffers() *evalBuffers {
	if n.eval != nil {
		return n.eval
	}
	maxW := 0
	for _, ly := range n.layers {
		maxW = max(maxW, ly.out)
	}
	rows := (NumClasses + 1) * evalChunk
	e := &evalBuffers{
		sq:     make([]float32, evalChunk),
		p1:     make([]float32, evalChunk*n.layers[0].out),
		act:    make([]float32, rows*maxW),
		logits: make([]float32, evalChunk*NumClasses),
	}
	e.norm[0] = make([]float32, rows*maxW)
	e.norm[1] = make([]float32, rows*maxW)
	for range n.layers {
		e.good = append(e.good, make([]float32, rows))
	}
	n.eval = e
	return e
}

// evalTally accumulates evaluation metrics over chunks.
type evalTally struct {
	samples    int
	loss       []float64 // per layer, summed over positives and negatives
	correct    []float64 // FF-correct decisions
	gpos, gneg []float64
	labelOK    []float64 // per-layer 10-class correct
	goodOK     float64
	classOK    float64
	classLoss  float64
	confusion  [NumClasses][NumClasses]int
	gConfusion [NumClasses][NumClasses]int
}

func newEvalTally(depth int) *evalTally {
	return &evalTally{
		loss: make([]float64, depth), correct: make([]float64, depth),
		gpos: make([]float64, depth), gneg: make([]float64, depth), labelOK: make([]float64, depth),
	}
}

// neutralRow is the label index forwardBlocks reads as the neutral label.
const neutralRow = NumClasses

// forwardBlocks forwards blocks×m rows through every layer: row k·m+i is
// sample i of x (m rows of features) carrying label labelOf(k, i), a class
// or neutralRow. It leaves each row's goodness per layer in e.good and,
// with a classifier, the logits of block classBlock (which must carry
// neutral labels) in e.logits; classBlock < 0 skips the classifier.
func (n *Network) forwardBlocks(x []float32, m, blocks int, labelOf func(k, i int) int, classBlock int) *evalBuffers {
	e := n.evalBuffers()
	F := n.features
	ly := n.layers[0]
	rows := blocks * m
	for i := 0; i < m; i++ {
		e.sq[i] = sumSquares(x[i*F+NumClasses : (i+1)*F])
	}
	n.impl.Sgemm(blas.NoTrans, blas.Trans, m, ly.out, F-NumClasses, 1,
		x[NumClasses:], F, ly.w[NumClasses:], ly.in, 0, e.p1, ly.out)
	for r := 0; r < rows; r++ {
		k, i := r/m, r%m
		c := labelOf(k, i)
		lab := n.neutral
		if c != neutralRow {
			lab = n.wl[c*ly.out:]
		}
		s := n.normFactor(e.sq[i]+labelSquares(c == neutralRow), F)
		act := e.act[r*ly.out : (r+1)*ly.out]
		p := e.p1[i*ly.out : (i+1)*ly.out]
		lab = lab[:len(act)]
		for j := range act {
			act[j] = s*(p[j]+lab[j]) + ly.b[j]
		}
	}
	n.activateRows(e.act[:rows*ly.out], e.norm[0][:rows*ly.out], e.good[0][:rows], ly.out, nil)
	classify := n.cfg.Classifier && classBlock >= 0
	if classify {
		clear(e.logits[:m*NumClasses])
	}
	off := 0
	for l := range n.layers {
		ly := n.layers[l]
		cur := e.norm[l%2]
		if l > 0 {
			prev := e.norm[(l-1)%2]
			n.impl.Sgemm(blas.NoTrans, blas.Trans, rows, ly.out, ly.in, 1, prev, ly.in, ly.w, ly.in, 0, e.act, ly.out)
			n.activateRows(e.act[:rows*ly.out], cur[:rows*ly.out], e.good[l][:rows], ly.out, ly.b)
		}
		if classify && l >= n.readout {
			n.impl.Sgemm(blas.NoTrans, blas.Trans, m, NumClasses, ly.out, 1, cur[classBlock*m*ly.out:], ly.out,
				n.c[off:], n.cfeat, 1, e.logits, NumClasses)
			off += ly.out
		}
	}
	return e
}

// evalRows forwards m samples (x: m rows of features) with every label and,
// with a classifier, as neutral samples, and adds their metrics to every
// tally in ts (the whole probe and the half these samples belong to: each
// tally sums in sample order, so the whole's bits do not depend on how many
// tallies share the pass). neg gives each sample's negative label.
func (n *Network) evalRows(x []float32, y, neg []uint8, ts ...*evalTally) {
	m := len(y)
	blocks, classBlock := NumClasses, -1
	if n.cfg.Classifier {
		blocks, classBlock = NumClasses+1, NumClasses
	}
	e := n.forwardBlocks(x, m, blocks, func(k, _ int) int { return k }, classBlock)
	for _, t := range ts {
		t.samples += m
	}
	for l, ly := range n.layers {
		th := float64(n.threshold(ly))
		g := e.good[l]
		for i := 0; i < m; i++ {
			best := 0
			for k := 1; k < NumClasses; k++ {
				if g[k*m+i] > g[best*m+i] {
					best = k
				}
			}
			for _, t := range ts {
				t.addFF(l, float64(g[int(y[i])*m+i]), float64(g[int(neg[i])*m+i]), th)
				if best == int(y[i]) {
					t.labelOK[l]++
				}
			}
		}
	}
	for i := 0; i < m; i++ {
		best, bestG := 0, math.Inf(-1)
		for k := 0; k < NumClasses; k++ {
			var s float64
			for l := n.readout; l < len(n.layers); l++ {
				s += float64(e.good[l][k*m+i])
			}
			if s > bestG {
				best, bestG = k, s
			}
		}
		for _, t := range ts {
			if best == int(y[i]) {
				t.goodOK++
			}
			t.gConfusion[y[i]][best]++
		}
	}
	if n.cfg.Classifier {
		for _, t := range ts {
			t.addClassifier(e.logits, y)
		}
	}
}

// addFF adds one sample's FF decisions at layer l: the goodness gp of its
// positive and gn of its negative against threshold th.
func (t *evalTally) addFF(l int, gp, gn, th float64) {
	t.gpos[l] += gp
	t.gneg[l] += gn
	t.loss[l] += softplus(-(gp - th)) + softplus(gn-th)
	if gp-th > 0 {
		t.correct[l]++
	}
	if gn-th <= 0 {
		t.correct[l]++
	}
}

// addClassifier adds the classifier's predictions from logits, one row of
// NumClasses per sample of labels y.
func (t *evalTally) addClassifier(logits []float32, y []uint8) {
	for i := range y {
		l, pred := softmaxCE(logits[i*NumClasses:(i+1)*NumClasses], int(y[i]))
		t.classLoss += l
		if pred == int(y[i]) {
			t.classOK++
		}
		t.confusion[y[i]][pred]++
	}
}

// metrics turns the tally into SplitMetrics.
func (t *evalTally) metrics(classifier bool) SplitMetrics {
	s := float64(t.samples)
	m := SplitMetrics{Samples: t.samples, GoodnessAccuracy: t.goodOK / s,
		ClassifierAccuracy: math.NaN(), ClassifierLoss: math.NaN()}
	if classifier {
		m.ClassifierAccuracy, m.ClassifierLoss = t.classOK/s, t.classLoss/s
	}
	for l := range t.loss {
		m.Layers = append(m.Layers, LayerMetrics{
			Loss: t.loss[l] / (2 * s), Accuracy: t.correct[l] / (2 * s),
			GoodnessPos: t.gpos[l] / s, GoodnessNeg: t.gneg[l] / s,
			LabelAccuracy: t.labelOK[l] / s, PeerLoss: math.NaN(),
		})
	}
	return m
}

// Evaluation is the result of evaluating a network on a data set.
type Evaluation struct {
	SplitMetrics
	// Confusion[t][p] counts samples of class t that the classifier
	// predicts as p; all zero without a classifier.
	Confusion [NumClasses][NumClasses]int
	// GoodnessConfusion is the same for goodness-over-labels prediction.
	GoodnessConfusion [NumClasses][NumClasses]int
}

// NegativeLabels draws, for each label, a wrong label uniformly from the
// other NumClasses−1, from a generator seeded by seed. Evaluation uses a
// fixed seed so negatives are identical across epochs and runs.
func NegativeLabels(labels []uint8, seed uint64) []uint8 {
	rng := rand.New(rand.NewPCG(seed, streamNegatives))
	neg := make([]uint8, len(labels))
	for i, y := range labels {
		neg[i] = wrongLabel(rng, y)
	}
	return neg
}

func wrongLabel(rng *rand.Rand, y uint8) uint8 {
	k := uint8(rng.IntN(NumClasses - 1))
	if k >= y {
		k++
	}
	return k
}

// Evaluate computes every metric of d with the current parameters, using
// negatives drawn from negSeed (see NegativeLabels). It does not change the
// network's parameters or running statistics.
func (n *Network) Evaluate(d *Data, negSeed uint64) (*Evaluation, error) {
	if err := d.Check(); err != nil {
		return nil, err
	}
	if d.Features != n.features {
		return nil, fmt.Errorf("data has %d features, network expects %d", d.Features, n.features)
	}
	return n.evaluate(d, NegativeLabels(d.Labels, negSeed)), nil
}

func (n *Network) evaluate(d *Data, neg []uint8) *Evaluation {
	t := newEvalTally(len(n.layers))
	for lo := 0; lo < d.N; lo += evalChunk {
		hi := min(lo+evalChunk, d.N)
		n.evalRows(d.X[lo*d.Features:hi*d.Features], d.Labels[lo:hi], neg[lo:hi], t)
	}
	return &Evaluation{SplitMetrics: t.metrics(n.cfg.Classifier), Confusion: t.confusion, GoodnessConfusion: t.gConfusion}
}

// batchLabelMetrics adds the loaded training batch's per-layer 10-class
// accuracy and goodness-over-labels accuracy to st.
func (n *Network) batchLabelMetrics(st *stepStats) {
	B := n.batch
	t := newEvalTally(len(n.layers))
	for lo := 0; lo < B; lo += evalChunk {
		hi := min(lo+evalChunk, B)
		n.evalRows(n.xb[lo*n.features:hi*n.features], n.yPos[lo:hi], n.yNeg[lo:hi], t)
	}
	m := t.metrics(false)
	st.labelLayers = st.labelLayers[:0]
	for _, lm := range m.Layers {
		st.labelLayers = append(st.labelLayers, lm.LabelAccuracy)
	}
	st.goodAcc = m.GoodnessAccuracy
}
