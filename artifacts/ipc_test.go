package artifacts

import (
	"context"
	"maps"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/ff"
)

// testParams returns tensors whose values include every float32 class
// that a lossy path could change: NaN with payloads and sign, ±0, ±Inf,
// subnormals, extremes.
func testParams() []ff.Param {
	special := []uint32{
		0x7fc00000, 0x7fc00001, 0xffc12345, 0x7f800001, // quiet and signalling NaNs with payloads
		0x00000000, 0x80000000, // ±0
		0x7f800000, 0xff800000, // ±Inf
		0x00000001, 0x807fffff, // subnormals
		0x7f7fffff, 0x00800000, // largest, smallest normal
	}
	rng := rand.New(rand.NewPCG(1, 2))
	w := ff.Param{Name: "layer1.weight", Rows: 7, Cols: 30, Data: make([]float32, 7*30)}
	for i := range w.Data {
		if i < len(special) {
			w.Data[i] = math.Float32frombits(special[i])
		} else {
			w.Data[i] = float32(rng.NormFloat64())
		}
	}
	return []ff.Param{
		w,
		{Name: "layer1.bias", Rows: 1, Cols: 7, Data: []float32{1, -2, 3, 0, 5e-39, 6, 7}},
		{Name: "empty", Rows: 0, Cols: 4, Data: []float32{}},
		{Name: "classifier.weight", Rows: 10, Cols: 1, Data: []float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
	}
}

func sameParams(t *testing.T, got, want []ff.Param) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d tensors, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Name != w.Name || g.Rows != w.Rows || g.Cols != w.Cols || len(g.Data) != len(w.Data) {
			t.Fatalf("tensor %d is %s %d×%d (%d values), want %s %d×%d (%d)",
				i, g.Name, g.Rows, g.Cols, len(g.Data), w.Name, w.Rows, w.Cols, len(w.Data))
		}
		for j := range g.Data {
			if gb, wb := math.Float32bits(g.Data[j]), math.Float32bits(w.Data[j]); gb != wb {
				t.Fatalf("%s[%d] = %#08x, want %#08x", g.Name, j, gb, wb)
			}
		}
	}
}

func TestParamsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.arrow")
	want := testParams()
	meta := map[string]string{"config": `{"Depth":1}`, "seed": "18446744073709551615", "epoch": "7"}
	if err := WriteParams(path, want, meta); err != nil {
		t.Fatal(err)
	}
	got, gotMeta, err := ReadParams(path)
	if err != nil {
		t.Fatal(err)
	}
	sameParams(t, got, want)
	if !maps.Equal(gotMeta, meta) {
		t.Errorf("metadata %v, want %v", gotMeta, meta)
	}
}

func TestParamsBadShape(t *testing.T) {
	dir := t.TempDir()
	ps := testParams()
	ps[1].Cols = 8
	err := WriteParams(filepath.Join(dir, "w.arrow"), ps, nil)
	if err == nil || !strings.Contains(err.Error(), "layer1.bias: 7 values for 1×8") {
		t.Errorf("error %v", err)
	}
	assertNoFiles(t, dir)
}

// synthetic returns n samples of the given width with labels 0..9 and
// values that depend on the seed.
func synthetic(n, features int, seed uint64) *ff.Data {
	rng := rand.New(rand.NewPCG(seed, 0))
	d := &ff.Data{X: make([]float32, n*features), Labels: make([]uint8, n), N: n, Features: features}
	for i := range d.Labels {
		d.Labels[i] = uint8(rng.IntN(ff.NumClasses))
	}
	for i := range d.X {
		d.X[i] = rng.Float32()
	}
	return d
}

func sameData(t *testing.T, name string, got, want *ff.Data) {
	t.Helper()
	if got == nil || got.N != want.N || got.Features != want.Features || len(got.X) != len(want.X) {
		t.Fatalf("split %s: got %+v shape, want %d×%d", name, got, want.N, want.Features)
	}
	for i := range want.Labels {
		if got.Labels[i] != want.Labels[i] {
			t.Fatalf("split %s: label %d = %d, want %d", name, i, got.Labels[i], want.Labels[i])
		}
	}
	for i := range want.X {
		if math.Float32bits(got.X[i]) != math.Float32bits(want.X[i]) {
			t.Fatalf("split %s: X[%d] = %v, want %v", name, i, got.X[i], want.X[i])
		}
	}
}

func testSplits() map[string]*ff.Data {
	// train spans three record batches, the last one partial.
	return map[string]*ff.Data{
		"train": synthetic(2*DatasetBatchRows+7, 20, 1),
		"val":   synthetic(3, 20, 2),
		"test":  synthetic(DatasetBatchRows, 20, 3),
	}
}

func TestDatasetRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mnist.arrow")
	want := testSplits()
	meta := map[string]string{"source": "synthetic", "md5.train-images-idx3-ubyte": "f68b3c2dcbeaaa9fbdd348bbdeb94873"}
	if err := WriteDataset(path, want, meta); err != nil {
		t.Fatal(err)
	}
	got, gotMeta, err := ReadDataset(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("got splits %v", maps.Keys(got))
	}
	for name, d := range want {
		sameData(t, name, got[name], d)
	}
	if !maps.Equal(gotMeta, meta) {
		t.Errorf("metadata %v, want %v", gotMeta, meta)
	}
}

func TestDatasetSmall(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.arrow")
	want := map[string]*ff.Data{"a": synthetic(5, 11, 1), "b": synthetic(1, 11, 2)}
	if err := WriteDataset(path, want, nil); err != nil {
		t.Fatal(err)
	}
	got, meta, err := ReadDataset(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, d := range want {
		sameData(t, name, got[name], d)
	}
	if len(got) != 2 || len(meta) != 0 {
		t.Errorf("got %d splits, metadata %v", len(got), meta)
	}
}

func TestDatasetBadInput(t *testing.T) {
	for _, c := range []struct {
		name   string
		splits map[string]*ff.Data
		want   string
	}{
		{"none", nil, "no splits"},
		{"features", map[string]*ff.Data{"a": synthetic(5, 11, 1), "b": synthetic(5, 12, 1)}, "split b has 12 features, split a has 11"},
		{"label", map[string]*ff.Data{"a": func() *ff.Data { d := synthetic(5, 11, 1); d.Labels[3] = 10; return d }()}, "label 10"},
		{"empty", map[string]*ff.Data{"a": {Features: 11}}, "0 samples"},
		{"nil", map[string]*ff.Data{"a": nil}, "no data"},
		{"name", map[string]*ff.Data{"": synthetic(5, 11, 1)}, "split name"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			err := WriteDataset(filepath.Join(dir, "d.arrow"), c.splits, nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one saying %q", err, c.want)
			}
			assertNoFiles(t, dir)
		})
	}
}

// TestTrainedNetworkRoundTrip stores a trained network's metrics and
// parameters, reads them back, rebuilds the network and checks that it
// evaluates exactly as the original does.
func TestTrainedNetworkRoundTrip(t *testing.T) {
	cfg, err := ff.DefaultConfig(ff.Loewe)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Depth, cfg.Width, cfg.Epochs, cfg.BatchSize = 2, 16, 2, 20
	train, val := synthetic(200, 30, 1), synthetic(50, 30, 2)
	net, hist, err := ff.Train(context.Background(), cfg, train, ff.Options{Seed: 3, Val: val})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()

	info := RunInfo{RunID: "r", Treatment: "t", Recipe: string(cfg.Recipe), Depth: cfg.Depth, Width: cfg.Width, Seed: 3}
	mpath := filepath.Join(dir, "m.parquet")
	if err := WriteMetrics(mpath, []RunMetrics{{Info: info, Epochs: hist, StepsPerEpoch: 10}}, nil); err != nil {
		t.Fatal(err)
	}
	rows, _, err := ReadMetrics(mpath)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := MetricsRows([]RunMetrics{{Info: info, Epochs: hist, StepsPerEpoch: 10}})
	sameRows(t, rows, want)

	wpath := filepath.Join(dir, "w.arrow")
	if err := WriteParams(wpath, net.Params(), map[string]string{"epoch": "2"}); err != nil {
		t.Fatal(err)
	}
	ps, _, err := ReadParams(wpath)
	if err != nil {
		t.Fatal(err)
	}
	sameParams(t, ps, net.Params())
	net2, err := ff.NewFromParams(cfg, train.Features, ps)
	if err != nil {
		t.Fatal(err)
	}
	e1, err := net.Evaluate(val, 5)
	if err != nil {
		t.Fatal(err)
	}
	e2, err := net2.Evaluate(val, 5)
	if err != nil {
		t.Fatal(err)
	}
	evals := []RunEvaluation{{Info: info, Epoch: 2, Step: 20, Eval: e1}}
	evals2 := []RunEvaluation{{Info: info, Epoch: 2, Step: 20, Eval: e2}}
	r1, _ := EvaluationRows(evals)
	r2, _ := EvaluationRows(evals2)
	sameRows(t, r2, r1)
	if e1.Confusion != e2.Confusion || e1.GoodnessConfusion != e2.GoodnessConfusion {
		t.Errorf("confusion matrices differ after the parameter round trip")
	}
}

// mnistSized returns splits of MNIST's shape: 60,000 + 10,000 samples of
// 784 features.
func mnistSized() map[string]*ff.Data {
	return map[string]*ff.Data{"train": synthetic(60000, 784, 1), "test": synthetic(10000, 784, 2)}
}

func BenchmarkWriteDataset(b *testing.B) {
	splits := mnistSized()
	path := filepath.Join(b.TempDir(), "d.arrow")
	b.SetBytes(70000 * 784 * 4)
	for b.Loop() {
		if err := WriteDataset(path, splits, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadDataset(b *testing.B) {
	path := filepath.Join(b.TempDir(), "d.arrow")
	if err := WriteDataset(path, mnistSized(), nil); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(70000 * 784 * 4)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ReadDataset(path); err != nil {
			b.Fatal(err)
		}
	}
}
