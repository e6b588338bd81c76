package ff

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"

	"github.com/ffchar/ffchar/backend"
)

// layer is one FF layer with its optimiser state and per-batch buffers.
type layer struct {
	in, out int
	w, b    []float32 // out×in row-major, out

	mw, mb  []float32 // SGD momentum buffer, or Adam's first moment
	vw, vb  []float32 // Adam's second moment
	gw, gb  []float32 // gradient, when kept (Adam, tests)
	step    int       // optimiser steps taken (Adam bias correction)
	running []float32 // peer normalisation running means

	// Per-batch buffers, rows = [positives; negatives; neutrals].
	act  []float32 // activations after ReLU
	norm []float32 // normalised activations: the next layer's input
	good []float32 // goodness per row
	dpre []float32 // gradient w.r.t. the pre-activation, 2B rows

	peerGrad []float32 // out: peer-normalisation gradient of a positive row
}

// Network is a Forward-Forward network with its optimiser state. Its
// methods are not safe for concurrent use; separate networks are
// independent.
type Network struct {
	cfg      Config
	features int
	layers   []*layer
	impl     blas.Float32

	// Classifier: NumClasses × cfeat, reading layers FirstReadout.. .
	c, mc   []float32
	gc      []float32
	cfeat   int
	readout int

	// keepGrads stores raw gradients in gw, gb, gc before the update, for
	// tests and diagnostics.
	keepGrads bool

	// Layer-1 label columns, transposed: NumClasses × width, and the
	// neutral sample's label contribution.
	wl      []float32
	neutral []float32

	// Batch scratch.
	batch    int
	xb       []float32 // B × features, the batch's image rows
	sqImg    []float32 // B: Σ of squared image features (past the label)
	scale    []float32 // 3B: layer-1 normalisation factor per row
	p1       []float32 // B × width: image part of layer 1
	d1       []float32 // B × width: combined pos/neg layer-1 gradient
	logits   []float32 // B × NumClasses
	coef     []float32 // 2B: dL/dΣa² per row, per unit activation
	yPos     []uint8
	yNeg     []uint8
	lrFactor float64

	eval *evalBuffers
}

// newNetwork allocates a network for samples of the given number of
// features and initialises it from rng.
func newNetwork(cfg Config, features int, rng *rand.Rand) (*Network, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if features <= NumClasses {
		return nil, fmt.Errorf("samples have %d features; need more than the %d label features", features, NumClasses)
	}
	n := &Network{cfg: cfg, features: features, impl: backend.Float32(), readout: cfg.FirstReadout()}
	in := features
	for l := 0; l < cfg.Depth; l++ {
		out := cfg.LayerWidth(l)
		ly := &layer{in: in, out: out, w: make([]float32, out*in), b: make([]float32, out)}
		ly.mw, ly.mb = make([]float32, out*in), make([]float32, out)
		if cfg.Optimizer == Adam {
			ly.vw, ly.vb = make([]float32, out*in), make([]float32, out)
			ly.gw, ly.gb = make([]float32, out*in), make([]float32, out)
		}
		ly.running = make([]float32, out)
		for j := range ly.running {
			ly.running[j] = float32(cfg.PeerInit)
		}
		switch cfg.Init {
		case NormalInit:
			std := 1 / math.Sqrt(float64(out))
			for i := range ly.w {
				ly.w[i] = float32(rng.NormFloat64() * std)
			}
		case UniformInit:
			bound := 1 / math.Sqrt(float64(in))
			for i := range ly.w {
				ly.w[i] = float32((2*rng.Float64() - 1) * bound)
			}
			for i := range ly.b {
				ly.b[i] = float32((2*rng.Float64() - 1) * bound)
			}
		}
		n.layers = append(n.layers, ly)
		in = out
	}
	if cfg.Classifier {
		for l := n.readout; l < cfg.Depth; l++ {
			n.cfeat += n.layers[l].out
		}
		n.c = make([]float32, NumClasses*n.cfeat)
		n.mc = make([]float32, NumClasses*n.cfeat)
	}
	n.wl = make([]float32, NumClasses*n.layers[0].out)
	n.neutral = make([]float32, n.layers[0].out)
	n.refreshLabelColumns()
	return n, nil
}

// setKeepGrads makes the network store raw gradients before each update.
func (n *Network) setKeepGrads() {
	n.keepGrads = true
	for _, ly := range n.layers {
		if ly.gw == nil {
			ly.gw, ly.gb = make([]float32, len(ly.w)), make([]float32, len(ly.b))
		}
	}
	if n.cfg.Classifier && n.gc == nil {
		n.gc = make([]float32, len(n.c))
	}
}

// ensureBatch sizes the batch buffers for B positives.
func (n *Network) ensureBatch(B int) {
	if n.batch == B {
		return
	}
	n.batch = B
	rows := n.rows(B)
	for _, ly := range n.layers {
		ly.act = make([]float32, rows*ly.out)
		ly.norm = make([]float32, rows*ly.out)
		ly.good = make([]float32, rows)
		ly.dpre = make([]float32, 2*B*ly.out)
		ly.peerGrad = make([]float32, ly.out)
	}
	n.coef = make([]float32, 2*B)
	n.xb = make([]float32, B*n.features)
	n.sqImg = make([]float32, B)
	n.scale = make([]float32, rows)
	n.p1 = make([]float32, B*n.layers[0].out)
	n.d1 = make([]float32, B*n.layers[0].out)
	n.logits = make([]float32, B*NumClasses)
	n.yPos = make([]uint8, B)
	n.yNeg = make([]uint8, B)
}

// rows is the number of rows a training batch of B positives forwards:
// positives and negatives, and neutrals when a classifier reads them.
func (n *Network) rows(B int) int {
	if n.cfg.Classifier {
		return 3 * B
	}
	return 2 * B
}

// Config returns the network's configuration.
func (n *Network) Config() Config { return n.cfg }

// Features returns the number of input features.
func (n *Network) Features() int { return n.features }

// Param is a named parameter tensor, row-major.
type Param struct {
	Name       string
	Rows, Cols int
	Data       []float32
}

// Params returns the network's parameters (sharing memory): for each layer
// l (1-based) "layer<l>.weight" (width × inputs) and "layer<l>.bias", then
// "classifier.weight" (NumClasses × features) when there is a classifier.
func (n *Network) Params() []Param {
	var ps []Param
	for l, ly := range n.layers {
		ps = append(ps,
			Param{fmt.Sprintf("layer%d.weight", l+1), ly.out, ly.in, ly.w},
			Param{fmt.Sprintf("layer%d.bias", l+1), 1, ly.out, ly.b})
	}
	if n.cfg.Classifier {
		ps = append(ps, Param{"classifier.weight", NumClasses, n.cfeat, n.c})
	}
	return ps
}

// NewFromParams builds a network for inference from cfg and parameters
// named as Params names them. Optimiser state starts empty.
func NewFromParams(cfg Config, features int, params []Param) (*Network, error) {
	n, err := newNetwork(cfg, features, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		return nil, err
	}
	if err := copyTensors(n.Params(), params, "parameter"); err != nil {
		return nil, err
	}
	n.refreshLabelColumns()
	return n, nil
}

// copyTensors copies src into dst, tensor by tensor, after checking that
// they have the same names and shapes; what names the tensors in errors
// ("parameter", "state tensor").
func copyTensors(dst, src []Param, what string) error {
	if len(src) != len(dst) {
		return fmt.Errorf("ff: %d %ss, want %d", len(src), what, len(dst))
	}
	for i, w := range dst {
		p := src[i]
		if p.Name != w.Name || p.Rows != w.Rows || p.Cols != w.Cols || len(p.Data) != len(w.Data) {
			return fmt.Errorf("ff: %s %d is %s %d×%d (%d values), want %s %d×%d",
				what, i, p.Name, p.Rows, p.Cols, len(p.Data), w.Name, w.Rows, w.Cols)
		}
		copy(w.Data, p.Data)
	}
	return nil
}

// refreshLabelColumns copies layer 1's label columns into wl (transposed)
// and sums them for the neutral sample. Called after every change to W₁.
func (n *Network) refreshLabelColumns() {
	ly := n.layers[0]
	for k := 0; k < NumClasses; k++ {
		row := n.wl[k*ly.out : (k+1)*ly.out]
		for j := range row {
			row[j] = ly.w[j*ly.in+k]
		}
	}
	for j := range n.neutral {
		var s float32
		for k := 0; k < NumClasses; k++ {
			s += n.wl[k*ly.out+j]
		}
		n.neutral[j] = neutralLabel * s
	}
}

// neutralLabel is the value of all ten label features of the neutral sample.
const neutralLabel = 0.1

// labelSquares returns Σ of squared label features: 1 for a one-hot label,
// 10·0.1² for the neutral one.
func labelSquares(neutral bool) float32 {
	if neutral {
		return NumClasses * neutralLabel * neutralLabel
	}
	return 1
}

// normFactor returns the factor a row with the given sum of squares over n
// features is multiplied by.
func (n *Network) normFactor(ss float32, features int) float32 {
	var r float64
	if n.cfg.Norm == RMS {
		r = math.Sqrt(float64(ss) / float64(features))
	} else {
		r = math.Sqrt(float64(ss))
	}
	return float32(1 / (r + n.cfg.NormEps))
}

// threshold returns the goodness threshold of layer ly.
func (n *Network) threshold(ly *layer) float32 {
	if n.cfg.ThresholdPerUnit {
		return float32(n.cfg.Threshold * float64(ly.out))
	}
	return float32(n.cfg.Threshold)
}

// goodnessScale is the factor from Σa² to goodness.
func (n *Network) goodnessScale(ly *layer) float32 {
	if n.cfg.Goodness == MeanSquares {
		return 1 / float32(ly.out)
	}
	return 1
}
