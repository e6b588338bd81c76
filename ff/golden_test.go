package ff

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// The golden vectors in testdata/ff_steps.json are three optimisation steps
// of a 16-8-6-5 network with batch 4, computed in float64 by PyTorch 1.13
// autograd for both recipes (copied from the project's shared test vectors;
// their README describes the layout). The engine computes in float32, so
// every value is compared with a relative tolerance of goldenRel against
// the float64 reference, with goldenAbs as a floor for values near zero.
const (
	goldenRel = 1e-4
	goldenAbs = 1e-6
)

type goldenParams struct {
	W [][][]float64 `json:"W"`
	B [][]float64   `json:"b"`
	C [][]float64   `json:"C"`
}

type goldenFile struct {
	Sizes          []int       `json:"sizes"`
	Batch          int         `json:"batch"`
	X              [][]float64 `json:"x"`
	Labels         []uint8     `json:"labels"`
	NegativeLabels []uint8     `json:"negative_labels"`
	Loewe          struct {
		Init  goldenParams `json:"init"`
		Steps []struct {
			Layers []struct {
				PeerLoss   float64   `json:"peer_loss"`
				FFLoss     float64   `json:"ff_loss"`
				FFAccuracy float64   `json:"ff_accuracy"`
				Goodness   []float64 `json:"goodness"`
			} `json:"layers"`
			ClassifierLoss     float64      `json:"classifier_loss"`
			ClassifierAccuracy float64      `json:"classifier_accuracy"`
			TotalLoss          float64      `json:"total_loss"`
			Grads              goldenParams `json:"grads"`
			After              goldenParams `json:"after"`
			RunningMeans       [][]float64  `json:"running_means"`
		} `json:"steps"`
	} `json:"loewe"`
	Pezeshki struct {
		Init  goldenParams `json:"init"`
		Steps []struct {
			Layers []struct {
				Loss        float64     `json:"loss"`
				GoodnessPos []float64   `json:"goodness_pos"`
				GoodnessNeg []float64   `json:"goodness_neg"`
				GradW       [][]float64 `json:"grad_W"`
				GradB       []float64   `json:"grad_b"`
			} `json:"layers"`
			After goldenParams `json:"after"`
		} `json:"steps"`
	} `json:"pezeshki"`
}

func loadGolden(t *testing.T) *goldenFile {
	t.Helper()
	b, err := os.ReadFile("testdata/ff_steps.json")
	if err != nil {
		t.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return &g
}

func flat(m [][]float64) []float64 {
	var out []float64
	for _, r := range m {
		out = append(out, r...)
	}
	return out
}

func to32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

func checkClose(t *testing.T, what string, got []float32, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	for i := range want {
		checkScalar(t, fmt.Sprintf("%s[%d]", what, i), float64(got[i]), want[i])
	}
}

func checkScalar(t *testing.T, what string, got, want float64) {
	t.Helper()
	if d := math.Abs(got - want); d > goldenRel*math.Abs(want)+goldenAbs || math.IsNaN(got) {
		t.Errorf("%s = %.9g, want %.9g (diff %.3g)", what, got, want, d)
	}
}

func goldenNet(t *testing.T, g *goldenFile, cfg Config, init goldenParams) *Network {
	t.Helper()
	cfg.Depth = len(g.Sizes) - 1
	cfg.Widths = g.Sizes[1:]
	n, err := newNetwork(cfg, g.Sizes[0], rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	n.setKeepGrads()
	for l, ly := range n.layers {
		copy(ly.w, to32(flat(init.W[l])))
		copy(ly.b, to32(init.B[l]))
	}
	if cfg.Classifier {
		copy(n.c, to32(flat(init.C)))
	}
	n.refreshLabelColumns()
	n.lrFactor = 1
	return n
}

func goldenBatch(n *Network, g *goldenFile, s int) {
	B := g.Batch
	x := to32(flat(g.X[s*B : (s+1)*B]))
	n.setBatch(x, g.Labels[s*B:(s+1)*B], g.NegativeLabels[s*B:(s+1)*B])
}

func all(int) bool { return true }

func TestGoldenLoewe(t *testing.T) {
	g := loadGolden(t)
	cfg, _ := DefaultConfig(Loewe)
	n := goldenNet(t, g, cfg, g.Loewe.Init)
	var st stepStats
	for s, want := range g.Loewe.Steps {
		goldenBatch(n, g, s)
		n.step(all, &st)
		p := fmt.Sprintf("step %d", s+1)
		for l, wl := range want.Layers {
			ly := n.layers[l]
			checkScalar(t, fmt.Sprintf("%s layer %d ff_loss", p, l), st.layers[l].Loss, wl.FFLoss)
			checkScalar(t, fmt.Sprintf("%s layer %d ff_accuracy", p, l), st.layers[l].Accuracy, wl.FFAccuracy)
			checkScalar(t, fmt.Sprintf("%s layer %d peer_loss", p, l), st.layers[l].PeerLoss, wl.PeerLoss)
			checkClose(t, fmt.Sprintf("%s layer %d goodness", p, l), ly.good[:2*g.Batch], wl.Goodness)
			checkClose(t, fmt.Sprintf("%s layer %d grad W", p, l), ly.gw, flat(want.Grads.W[l]))
			checkClose(t, fmt.Sprintf("%s layer %d grad b", p, l), ly.gb, want.Grads.B[l])
			checkClose(t, fmt.Sprintf("%s layer %d W after", p, l), ly.w, flat(want.After.W[l]))
			checkClose(t, fmt.Sprintf("%s layer %d b after", p, l), ly.b, want.After.B[l])
			checkClose(t, fmt.Sprintf("%s layer %d running mean", p, l), ly.running, want.RunningMeans[l])
		}
		checkScalar(t, p+" classifier_loss", st.classLoss, want.ClassifierLoss)
		checkScalar(t, p+" classifier_accuracy", st.classAcc, want.ClassifierAccuracy)
		checkScalar(t, p+" total_loss", st.total, want.TotalLoss)
		checkClose(t, p+" grad C", n.gc, flat(want.Grads.C))
		checkClose(t, p+" C after", n.c, flat(want.After.C))
	}
}

func TestGoldenPezeshki(t *testing.T) {
	g := loadGolden(t)
	cfg, _ := DefaultConfig(Pezeshki)
	n := goldenNet(t, g, cfg, g.Pezeshki.Init)
	var st stepStats
	B := g.Batch
	for s, want := range g.Pezeshki.Steps {
		goldenBatch(n, g, s)
		n.step(all, &st)
		p := fmt.Sprintf("step %d", s+1)
		for l, wl := range want.Layers {
			ly := n.layers[l]
			checkScalar(t, fmt.Sprintf("%s layer %d loss", p, l), st.layers[l].Loss, wl.Loss)
			checkClose(t, fmt.Sprintf("%s layer %d goodness_pos", p, l), ly.good[:B], wl.GoodnessPos)
			checkClose(t, fmt.Sprintf("%s layer %d goodness_neg", p, l), ly.good[B:2*B], wl.GoodnessNeg)
			checkClose(t, fmt.Sprintf("%s layer %d grad W", p, l), ly.gw, flat(wl.GradW))
			checkClose(t, fmt.Sprintf("%s layer %d grad b", p, l), ly.gb, wl.GradB)
			checkClose(t, fmt.Sprintf("%s layer %d W after", p, l), ly.w, flat(want.After.W[l]))
			checkClose(t, fmt.Sprintf("%s layer %d b after", p, l), ly.b, want.After.B[l])
		}
	}
}
