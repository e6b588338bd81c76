// Package sweeptest builds the curves table of a synthetic sweep for tests:
// deterministic learning curves recorded at step resolution with a
// split-half probe, without training anything.
package sweeptest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/ffchar/ffchar/artifacts"
)

// Options shape the sweep: one depth-2 treatment per width, Seeds runs
// each, Epochs epochs of EpochSteps optimizer steps, a probe row (and its
// two halves) every 20 steps from step 0 and a validation row at each
// epoch's end. Seed seeds the generator.
type Options struct {
	Widths             []int
	Seeds              int
	Epochs, EpochSteps int
	Seed               uint64
}

// Rows returns the curves: every run's layers rise from 0.5 towards 0.9,
// layer 2 about 30 steps after layer 1 and each run after a random lag of
// up to 20 steps; the model rises from 0.1 towards 0.9 from step 0. Each
// probe half adds its own noise (SD 0.01) and the whole probe is their
// mean; validation rows are the noiseless values.
func Rows(o Options) []artifacts.MetricsRow {
	rng := rand.New(rand.NewPCG(o.Seed, 2))
	var rows []artifacts.MetricsRow
	last := o.Epochs * o.EpochSteps
	for _, width := range o.Widths {
		for seed := range o.Seeds {
			info := artifacts.RunInfo{RunID: fmt.Sprintf("depth=2,width=%d/r%d", width, seed), Treatment: fmt.Sprintf("depth=2,width=%d", width),
				Recipe: "loewe", Depth: 2, Width: width, Seed: uint64(seed)}
			lag := rng.Float64() * 20
			for step := 0; step <= last; step += 20 {
				epoch := (step + o.EpochSteps - 1) / o.EpochSteps
				model := 0.1 + 0.8*(1-math.Exp(-float64(step)/40))
				mh := [2]float64{model + 0.01*rng.NormFloat64(), model + 0.01*rng.NormFloat64()}
				for l := 1; l <= 2; l++ {
					truth := 0.5 + 0.4*(1-math.Exp(-math.Max(0, float64(step)-lag-30*float64(l-1))/60))
					h := [2]float64{truth + 0.01*rng.NormFloat64(), truth + 0.01*rng.NormFloat64()}
					add := func(split string, acc, m float64) {
						rows = append(rows, artifacts.MetricsRow{RunInfo: info, Epoch: epoch, Step: step, Split: split, Layer: l,
							LayerMeasures: artifacts.LayerMeasures{FFAccuracy: acc, LabelAccuracy: math.NaN()},
							ModelMeasures: artifacts.ModelMeasures{ClassifierAccuracy: m, GoodnessAccuracy: math.NaN()}, Samples: 100})
					}
					add(artifacts.SplitProbe, (h[0]+h[1])/2, (mh[0]+mh[1])/2)
					add(artifacts.SplitProbeA, h[0], mh[0])
					add(artifacts.SplitProbeB, h[1], mh[1])
					if step > 0 && step%o.EpochSteps == 0 {
						add(artifacts.SplitVal, truth, model)
					}
				}
			}
		}
	}
	return rows
}
