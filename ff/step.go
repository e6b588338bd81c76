package ff

import (
	"math"

	"gonum.org/v1/gonum/blas"
)

// stepStats are the losses and metrics of one training minibatch, computed
// with the parameters before its update.
type stepStats struct {
	layers      []LayerMetrics
	classLoss   float64
	classAcc    float64
	total       float64
	labelLayers []float64 // per-layer 10-class accuracy (TrainLabelMetrics)
	goodAcc     float64
}

// setBatch loads B samples: rows of x (features wide, row-major) with their
// positive and negative labels.
func (n *Network) setBatch(x []float32, pos, neg []uint8) {
	B := len(pos)
	n.ensureBatch(B)
	copy(n.xb, x[:B*n.features])
	copy(n.yPos, pos)
	copy(n.yNeg, neg)
}

// forward computes every layer's activations, goodness and normalised
// output for the positives, negatives and (with a classifier) neutrals of
// the loaded batch.
func (n *Network) forward() {
	B, F := n.batch, n.features
	rows := n.rows(B)
	ly := n.layers[0]
	for i := 0; i < B; i++ {
		n.sqImg[i] = sumSquares(n.xb[i*F+NumClasses : (i+1)*F])
	}
	// Image part of layer 1, shared by every label variant.
	n.impl.Sgemm(blas.NoTrans, blas.Trans, B, ly.out, F-NumClasses, 1,
		n.xb[NumClasses:], F, ly.w[NumClasses:], ly.in, 0, n.p1, ly.out)
	for r := 0; r < rows; r++ {
		i, variant := r%B, r/B
		var lab []float32
		switch variant {
		case 0:
			lab = n.wl[int(n.yPos[i])*ly.out:]
		case 1:
			lab = n.wl[int(n.yNeg[i])*ly.out:]
		default:
			lab = n.neutral
		}
		s := n.normFactor(n.sqImg[i]+labelSquares(variant == 2), F)
		n.scale[r] = s
		act := ly.act[r*ly.out : (r+1)*ly.out]
		p := n.p1[i*ly.out : (i+1)*ly.out]
		lab = lab[:len(act)]
		for j := range act {
			act[j] = s*(p[j]+lab[j]) + ly.b[j]
		}
	}
	n.activate(ly, rows, nil)
	for l := 1; l < len(n.layers); l++ {
		prev, ly := n.layers[l-1], n.layers[l]
		n.impl.Sgemm(blas.NoTrans, blas.Trans, rows, ly.out, ly.in, 1, prev.norm, ly.in, ly.w, ly.in, 0, ly.act, ly.out)
		n.activate(ly, rows, ly.b)
	}
}

// activate turns pre-activations in ly.act (plus bias, when given) into
// ReLU activations, records each row's goodness and writes the normalised
// row into ly.norm.
func (n *Network) activate(ly *layer, rows int, bias []float32) {
	n.activateRows(ly.act[:rows*ly.out], ly.norm[:rows*ly.out], ly.good[:rows], ly.out, bias)
}

// activateRows applies bias and ReLU to the rows of act in place, writes
// each row's goodness into good and its normalised copy into norm: one
// sweep per row while it is in cache.
func (n *Network) activateRows(act, norm, good []float32, out int, bias []float32) {
	gs := float32(1)
	if n.cfg.Goodness == MeanSquares {
		gs = 1 / float32(out)
	}
	for r := range good {
		a := act[r*out : (r+1)*out]
		if bias != nil {
			bias := bias[:len(a)]
			for j, v := range a {
				a[j] = max(v+bias[j], 0)
			}
		} else {
			for j, v := range a {
				a[j] = max(v, 0)
			}
		}
		ss := sumSquares(a)
		good[r] = ss * gs
		f := n.normFactor(ss, out)
		z := norm[r*out : (r+1)*out]
		z = z[:len(a)]
		for j, v := range a {
			z[j] = v * f
		}
	}
}

// sumSquares returns Σx² with four independent accumulators, so the
// additions pipeline instead of waiting on each other.
func sumSquares(x []float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		s0 += v[0] * v[0]
		s1 += v[1] * v[1]
		s2 += v[2] * v[2]
		s3 += v[3] * v[3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// softplus returns log(1+exp(x)) without overflow.
func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// ffLoss computes layer ly's FF loss and metrics on the loaded batch and
// writes into coef the derivative of the loss w.r.t. each row's Σa², per
// unit activation (dL/da = coef·a).
func (n *Network) ffLoss(ly *layer, coef []float32, m *LayerMetrics) {
	B := n.batch
	th := float64(n.threshold(ly))
	gs := float64(n.goodnessScale(ly))
	var loss, correct, gpos, gneg float64
	for r := 0; r < 2*B; r++ {
		g := float64(ly.good[r])
		logit := g - th
		y := 0.0
		if r < B {
			y = 1
			gpos += g
		} else {
			gneg += g
		}
		// BCE with logits: softplus(logit) − y·logit.
		loss += softplus(logit) - y*logit
		if (logit > 0) == (y == 1) {
			correct++
		}
		coef[r] = float32((sigmoid(logit) - y) / float64(2*B) * 2 * gs)
	}
	m.Loss = loss / float64(2*B)
	m.Accuracy = correct / float64(2*B)
	m.GoodnessPos = gpos / float64(B)
	m.GoodnessNeg = gneg / float64(B)
}

// peer updates layer ly's running means from the positives and returns the
// peer-normalisation loss; peerGrad receives dL/da for a positive row
// (weighted by PeerWeight).
func (n *Network) peer(ly *layer, peerGrad []float32) float64 {
	B := n.batch
	mom := float32(n.cfg.PeerMomentum)
	for j := range peerGrad {
		peerGrad[j] = 0
	}
	// Column means of the positives, accumulated row by row for locality.
	for r := 0; r < B; r++ {
		act := ly.act[r*ly.out : (r+1)*ly.out]
		for j, v := range act {
			peerGrad[j] += v
		}
	}
	var mean float64
	for j := range ly.running {
		ly.running[j] = mom*ly.running[j] + (1-mom)*(peerGrad[j]/float32(B))
		mean += float64(ly.running[j])
	}
	mean /= float64(ly.out)
	var loss float64
	c := n.cfg.PeerWeight * 2 / float64(ly.out) * (1 - n.cfg.PeerMomentum) / float64(B)
	for j, r := range ly.running {
		d := float64(r) - mean
		loss += d * d
		peerGrad[j] = float32(c * d)
	}
	return loss / float64(ly.out)
}

// step runs one training minibatch on the loaded batch: forward, losses,
// gradients and updates of the layers for which train(l) holds, and of the
// classifier. lr scales are applied through n.lrFactor.
func (n *Network) step(train func(l int) bool, st *stepStats) {
	B := n.batch
	n.forward()
	if len(st.layers) != len(n.layers) {
		st.layers = make([]LayerMetrics, len(n.layers))
	}
	if n.cfg.TrainLabelMetrics {
		n.batchLabelMetrics(st)
	}
	st.total = 0
	coef := n.coef[:2*B]
	for l, ly := range n.layers {
		m := &st.layers[l]
		n.ffLoss(ly, coef, m)
		m.PeerLoss = math.NaN()
		var peerGrad []float32
		if train(l) && n.cfg.PeerWeight > 0 {
			peerGrad = ly.peerGrad
			m.PeerLoss = n.peer(ly, peerGrad)
			st.total += n.cfg.PeerWeight * m.PeerLoss
		}
		st.total += m.Loss
		if train(l) {
			n.backward(l, coef, peerGrad)
		}
	}
	st.classLoss, st.classAcc = math.NaN(), math.NaN()
	if n.cfg.Classifier {
		st.classLoss, st.classAcc = n.classifierStep()
		st.total += st.classLoss
	}
}

// backward computes layer l's gradient from coef (and the peer gradient of
// the positives) and updates its parameters.
func (n *Network) backward(l int, coef, peerGrad []float32) {
	B := n.batch
	ly := n.layers[l]
	full := n.cfg.FullGradReLU
	for r := 0; r < 2*B; r++ {
		act := ly.act[r*ly.out : (r+1)*ly.out]
		d := ly.dpre[r*ly.out : (r+1)*ly.out]
		d = d[:len(act)]
		c := coef[r]
		if r < B && peerGrad != nil {
			pg := peerGrad[:len(act)]
			for j, a := range act {
				v := c*a + pg[j]
				if !full && a <= 0 {
					v = 0
				}
				d[j] = v
			}
			continue
		}
		// Without a peer term the gradient c·a is already zero wherever
		// the ReLU was inactive.
		for j, a := range act {
			d[j] = c * a
		}
	}

	// Raw gradients go to gw (Adam, or when kept); otherwise SGD's
	// momentum buffer receives grad + momentum·buf straight from the GEMM.
	tw, tb, beta := ly.mw, ly.mb, float32(n.cfg.Momentum)
	if n.keepGrads || n.cfg.Optimizer == Adam {
		tw, tb, beta = ly.gw, ly.gb, 0
	}
	for j := range tb {
		tb[j] *= beta
	}
	for r := 0; r < 2*B; r++ {
		d := ly.dpre[r*ly.out : (r+1)*ly.out]
		for j, v := range d {
			tb[j] += v
		}
	}
	if l == 0 {
		n.layer1Grad(tw, beta)
	} else {
		prev := n.layers[l-1]
		n.impl.Sgemm(blas.Trans, blas.NoTrans, ly.out, ly.in, 2*B, 1, ly.dpre, ly.out, prev.norm, ly.in, beta, tw, ly.in)
	}
	n.update(ly)
	if l == 0 {
		n.refreshLabelColumns()
	}
}

// layer1Grad writes beta·tw + ∂L/∂W₁ into tw. Positive and negative rows
// share their image part, so it takes one GEMM over B rows of the combined
// gradient; the label columns get each row's one-hot contribution.
func (n *Network) layer1Grad(tw []float32, beta float32) {
	B, F := n.batch, n.features
	ly := n.layers[0]
	for i := 0; i < B; i++ {
		sp, sn := n.scale[i], n.scale[B+i]
		dp := ly.dpre[i*ly.out : (i+1)*ly.out]
		dn := ly.dpre[(B+i)*ly.out : (B+i+1)*ly.out]
		d1 := n.d1[i*ly.out : (i+1)*ly.out]
		dn = dn[:len(dp)]
		d1 = d1[:len(dp)]
		for j := range dp {
			d1[j] = sp*dp[j] + sn*dn[j]
		}
	}
	n.impl.Sgemm(blas.Trans, blas.NoTrans, ly.out, F-NumClasses, B, 1, n.d1, ly.out,
		n.xb[NumClasses:], F, beta, tw[NumClasses:], ly.in)
	for j := 0; j < ly.out; j++ {
		row := tw[j*ly.in : j*ly.in+NumClasses]
		for k := range row {
			row[k] *= beta
		}
	}
	for i := 0; i < B; i++ {
		sp, sn := n.scale[i], n.scale[B+i]
		kp, kn := int(n.yPos[i]), int(n.yNeg[i])
		dp := ly.dpre[i*ly.out : (i+1)*ly.out]
		dn := ly.dpre[(B+i)*ly.out : (B+i+1)*ly.out]
		for j := range dp {
			tw[j*ly.in+kp] += sp * dp[j]
			tw[j*ly.in+kn] += sn * dn[j]
		}
	}
}

// update applies the optimiser to layer ly.
func (n *Network) update(ly *layer) {
	lr := float32(n.cfg.LR * n.lrFactor)
	wd := float32(n.cfg.WeightDecay)
	if n.cfg.Optimizer == Adam {
		ly.step++
		n.adam(ly.w, ly.gw, ly.mw, ly.vw, lr, wd, ly.step)
		n.adam(ly.b, ly.gb, ly.mb, ly.vb, lr, wd, ly.step)
		return
	}
	mom := float32(n.cfg.Momentum)
	n.sgd(ly.w, ly.gw, ly.mw, lr, wd, mom)
	n.sgd(ly.b, ly.gb, ly.mb, lr, wd, mom)
}

// sgd is torch.optim.SGD's step with momentum: buf = mom·buf + g + wd·p;
// p −= lr·buf. Unless gradients are kept, buf already holds mom·buf + g.
func (n *Network) sgd(p, g, buf []float32, lr, wd, mom float32) {
	if n.keepGrads {
		n.impl.Sscal(len(buf), mom, buf, 1)
		n.impl.Saxpy(len(buf), 1, g, 1, buf, 1)
	}
	if wd != 0 {
		n.impl.Saxpy(len(buf), wd, p, 1, buf, 1)
	}
	n.impl.Saxpy(len(p), -lr, buf, 1, p, 1)
}

// adam is torch.optim.Adam's step (bias-corrected, weight decay added to the
// gradient), in one sweep over memory. Moments below 1e-30 are flushed to
// zero: those of dead units otherwise decay into subnormal floats, which
// slow every later operation on them severalfold.
func (n *Network) adam(p, g, m, v []float32, lr, wd float32, t int) {
	b1, b2 := n.cfg.AdamBeta1, n.cfg.AdamBeta2
	bc1 := 1 - math.Pow(b1, float64(t))
	bc2 := 1 - math.Pow(b2, float64(t))
	step := lr / float32(bc1)
	invSqrtBC2 := float32(1 / math.Sqrt(bc2))
	eps := float32(n.cfg.AdamEps)
	fb1, fb2 := float32(b1), float32(b2)
	const tiny = 1e-30
	g = g[:len(p)]
	m = m[:len(p)]
	v = v[:len(p)]
	for i := range p {
		gi := g[i] + wd*p[i]
		mi := fb1*m[i] + (1-fb1)*gi
		vi := fb2*v[i] + (1-fb2)*gi*gi
		if vi < tiny {
			vi = 0
			if mi < tiny && mi > -tiny {
				mi = 0
			}
		}
		m[i], v[i] = mi, vi
		p[i] -= step * mi / (sqrt32(vi)*invSqrtBC2 + eps)
	}
}

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

// classifierStep trains the linear classifier on the neutral rows' features
// and returns its loss and accuracy before the update.
func (n *Network) classifierStep() (loss, acc float64) {
	B := n.batch
	lg := n.logits
	beta := float32(0)
	off := 0
	for l := n.readout; l < len(n.layers); l++ {
		ly := n.layers[l]
		n.impl.Sgemm(blas.NoTrans, blas.Trans, B, NumClasses, ly.out, 1, ly.norm[2*B*ly.out:], ly.out,
			n.c[off:], n.cfeat, beta, lg, NumClasses)
		beta = 1
		off += ly.out
	}
	var correct float64
	for i := 0; i < B; i++ {
		row := lg[i*NumClasses : (i+1)*NumClasses]
		y := int(n.yPos[i])
		l, pred := softmaxCE(row, y)
		loss += l
		if pred == y {
			correct++
		}
		// row now holds softmax probabilities.
		row[y] -= 1
		for k := range row {
			row[k] /= float32(B)
		}
	}
	tc, beta := n.mc, float32(n.cfg.Momentum)
	if n.keepGrads {
		tc, beta = n.gc, 0
	}
	off = 0
	for l := n.readout; l < len(n.layers); l++ {
		ly := n.layers[l]
		n.impl.Sgemm(blas.Trans, blas.NoTrans, NumClasses, ly.out, B, 1, lg, NumClasses,
			ly.norm[2*B*ly.out:], ly.out, beta, tc[off:], n.cfeat)
		off += ly.out
	}
	n.sgd(n.c, n.gc, n.mc, float32(n.cfg.ClassifierLR*n.lrFactor), float32(n.cfg.ClassifierWeightDecay), float32(n.cfg.Momentum))
	return loss / float64(B), correct / float64(B)
}

// softmaxCE replaces row by its softmax and returns the cross-entropy for
// label y and the argmax (first on ties).
func softmaxCE(row []float32, y int) (loss float64, pred int) {
	mx := row[0]
	for k, v := range row {
		if v > mx {
			mx, pred = v, k
		}
	}
	var sum float64
	for _, v := range row {
		sum += math.Exp(float64(v - mx))
	}
	loss = math.Log(sum) - float64(row[y]-mx)
	for k, v := range row {
		row[k] = float32(math.Exp(float64(v-mx)) / sum)
	}
	return loss, pred
}
