package ff

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestReadoutLayers checks which layers each readout reads: the classifier's
// feature count, and the goodness-over-labels decision against a float64
// forward that sums the goodness of the readout's layers only.
func TestReadoutLayers(t *testing.T) {
	d := synthetic(40, 5)
	widths := []int{12, 9, 5}
	for _, r := range Recipes {
		for _, c := range []struct {
			readout Readout
			first   int
		}{{SkipFirst, 1}, {"", 1}, {AllLayers, 0}} {
			cfg := smallConfig(t, r)
			cfg.Depth, cfg.Widths, cfg.Classifier, cfg.Readout = 3, widths, true, c.readout
			n, err := newNetwork(cfg, d.Features, rand.New(rand.NewPCG(3, 4)))
			if err != nil {
				t.Fatal(err)
			}
			wantFeat := 0
			for _, w := range widths[c.first:] {
				wantFeat += w
			}
			if n.cfeat != wantFeat {
				t.Errorf("%s readout %q: classifier reads %d features, want %d", r, c.readout, n.cfeat, wantFeat)
			}
			tally := newEvalTally(cfg.Depth)
			n.evalRows(d.X, d.Labels, NegativeLabels(d.Labels, 1), tally)
			var want [NumClasses][NumClasses]int
			for i := 0; i < d.N; i++ {
				best, bestG := 0, math.Inf(-1)
				for k := 0; k < NumClasses; k++ {
					label := make([]float64, NumClasses)
					label[k] = 1
					var s float64
					for _, g := range naiveGoodness(n, d.Row(i), label)[c.first:] {
						s += g
					}
					if s > bestG {
						best, bestG = k, s
					}
				}
				want[d.Labels[i]][best]++
			}
			if tally.gConfusion != want {
				t.Errorf("%s readout %q: goodness-over-labels confusion\n%v\nwant (float64 forward over layers %d..3)\n%v",
					r, c.readout, tally.gConfusion, c.first+1, want)
			}
		}
	}
}

// TestReadoutChangesOnlyTheReadout: the classifier trains on detached
// features and its weights start at zero, so the readout leaves the FF
// layers' training bit-identical, and changes what the classifier learns.
func TestReadoutChangesOnlyTheReadout(t *testing.T) {
	train, val := synthetic(400, 1), synthetic(200, 2)
	cfg := smallConfig(t, Loewe)
	cfg.Depth, cfg.Epochs = 3, 2
	var nets []*Network
	var hists [][]EpochMetrics
	for _, ro := range []Readout{SkipFirst, AllLayers} {
		cfg.Readout = ro
		n, h, err := Train(context.Background(), cfg, train, Options{Seed: 9, Val: val})
		if err != nil {
			t.Fatalf("readout %s: %v", ro, err)
		}
		nets, hists = append(nets, n), append(hists, h)
	}
	for l := range nets[0].layers {
		a, b := nets[0].layers[l], nets[1].layers[l]
		if !reflect.DeepEqual(a.w, b.w) || !reflect.DeepEqual(a.b, b.b) {
			t.Errorf("layer %d: weights differ between readouts", l+1)
		}
	}
	for e := range hists[0] {
		for l := range hists[0][e].Val.Layers {
			// Formatted, so that NaN (no peer loss on validation) compares equal.
			if a, b := fmt.Sprintf("%+v", hists[0][e].Val.Layers[l]), fmt.Sprintf("%+v", hists[1][e].Val.Layers[l]); a != b {
				t.Errorf("epoch %d layer %d: metrics differ between readouts: %+v, %+v", e+1, l+1, a, b)
			}
		}
	}
	if got, want := len(nets[1].c), NumClasses*3*cfg.Width; got != want {
		t.Fatalf("readout all: %d classifier weights, want %d", got, want)
	}
	if a, b := hists[0][1].Val.ClassifierAccuracy, hists[1][1].Val.ClassifierAccuracy; a == b && hists[0][1].Val.ClassifierLoss == hists[1][1].Val.ClassifierLoss {
		t.Errorf("classifier accuracy %v and loss equal under both readouts", a)
	}
}
