package report

import (
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/experiments"
)

// synthSweep builds the curves of a one-epoch sweep recorded with the
// split-half probe: two widths × 6 seeds, depth 2, probe rows every 20
// steps to step 200 (the epoch), each half adding its own noise, and the
// epoch's validation rows.
func synthSweep() []artifacts.MetricsRow {
	rng := rand.New(rand.NewPCG(1, 2))
	var rows []artifacts.MetricsRow
	for _, width := range []int{8, 16} {
		for seed := range 6 {
			info := artifacts.RunInfo{RunID: "r" + string(rune('a'+seed)) + string(rune('0'+width/8)), Treatment: "depth=2,width=" + map[int]string{8: "8", 16: "16"}[width],
				Recipe: "loewe", Depth: 2, Width: width, Seed: uint64(seed)}
			lag := rng.Float64() * 20
			for step := 0; step <= 200; step += 20 {
				epoch := (step + 199) / 200
				model := 0.1 + 0.8*(1-math.Exp(-float64(step)/40))
				mh := [2]float64{model + 0.01*rng.NormFloat64(), model + 0.01*rng.NormFloat64()}
				for l := 1; l <= 2; l++ {
					truth := 0.5 + 0.4*(1-math.Exp(-math.Max(0, float64(step)-lag-30*float64(l-1))/60))
					var halves [2]float64
					for h := range halves {
						halves[h] = truth + 0.01*rng.NormFloat64()
					}
					add := func(split string, acc, m float64) {
						rows = append(rows, artifacts.MetricsRow{RunInfo: info, Epoch: epoch, Step: step, Split: split, Layer: l,
							FFAccuracy: acc, ClassifierAccuracy: m, LabelAccuracy: math.NaN(), GoodnessAccuracy: math.NaN(), Samples: 100})
					}
					add(artifacts.SplitProbe, (halves[0]+halves[1])/2, (mh[0]+mh[1])/2)
					add(artifacts.SplitProbeA, halves[0], mh[0])
					add(artifacts.SplitProbeB, halves[1], mh[1])
					if step == 200 {
						add(artifacts.SplitVal, truth, model)
					}
				}
			}
		}
	}
	return rows
}

// TestReadmeOneEpochWithHalves: a one-epoch sweep says why it has no
// per-epoch claims instead of printing undefined estimates, and its H2
// section and claims table carry the split-half ceilings.
func TestReadmeOneEpochWithHalves(t *testing.T) {
	rows := synthSweep()
	exp := &experiments.Experiment{Name: "synth"}
	reps, err := AnalyzeSweep(rows, exp)
	if err != nil {
		t.Fatal(err)
	}
	if reps.Steps == nil || reps.Steps.Halves == nil {
		t.Fatal("no split-half step analysis")
	}
	readme := resultsReadme(reps, AnalysisTables(reps, nil), &Sweep{Curves: rows}, ResultsInfo{Experiment: exp})
	for _, want := range []string{
		"Not tested: the runs have 1 epoch(s)",
		"## H2: the shared time course and the coupling",
		"| H2 coupling |",
		"two disjoint halves of",
	} {
		if !strings.Contains(readme, want) {
			t.Errorf("README lacks %q", want)
		}
	}
	for _, bad := range []string{"## Step resolution and per epoch, side by side", "No ceilings."} {
		if strings.Contains(readme, bad) {
			t.Errorf("README of a one-epoch sweep with halves has %q", bad)
		}
	}
	// The levels measure has a ceiling: the H2 row's ceiling cell is a
	// number.
	for _, h := range reps.Steps.Hypotheses {
		if h.ID == "H2" && !(h.Effects[0].Ceiling > 0.5 && h.Effects[0].Ceiling <= 1) {
			t.Errorf("H2 ceiling %v, want a reliability in (0.5, 1]", h.Effects[0].Ceiling)
		}
	}
}

// TestWriteOneEpochSweep: the whole report of a one-epoch sweep is
// written (F1: figures 3 and 4, which need correlations over epochs, used
// to fail the correlate job with "no defined pearson correlation"); the
// per-epoch figures without data are left out.
func TestWriteOneEpochSweep(t *testing.T) {
	dir := t.TempDir()
	rows := synthSweep()
	tables, err := Write(Dirs{Tables: dir, Figures: dir, Readme: dir + "/README.md"}, &Sweep{Curves: rows}, &experiments.Experiment{Name: "synth"}, nil, "")
	if err != nil {
		t.Fatalf("one-epoch sweep: %v", err)
	}
	if len(tables) == 0 {
		t.Fatal("no tables")
	}
	for _, name := range []string{"fig7_first_epoch.svg", "fig8_step_correlation.svg", "fig10_timescales.svg"} {
		if _, err := os.Stat(dir + "/" + name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, name := range []string{"fig3_correlation_heatmap.svg", "fig4_correlation_width.svg"} {
		if _, err := os.Stat(dir + "/" + name); err == nil {
			t.Errorf("%s drawn for a one-epoch sweep", name)
		}
	}
}
