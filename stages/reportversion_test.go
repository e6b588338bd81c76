package stages

import (
	"crypto/sha256"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/report"
)

// fixedSweep is a small deterministic sweep (two widths × 5 seeds, depth
// 2, three epochs of 100 steps, split-half probe) whose report pins the
// report's code.
func fixedSweep() []artifacts.MetricsRow {
	rng := rand.New(rand.NewPCG(3, 4))
	var rows []artifacts.MetricsRow
	for _, width := range []int{8, 16} {
		for seed := range 5 {
			info := artifacts.RunInfo{RunID: fmt.Sprintf("depth=2,width=%d/r%d", width, seed), Treatment: fmt.Sprintf("depth=2,width=%d", width),
				Recipe: "loewe", Depth: 2, Width: width, Seed: uint64(seed)}
			lag := rng.Float64() * 20
			for step := 0; step <= 300; step += 20 {
				epoch := (step + 99) / 100
				model := 0.1 + 0.8*(1-math.Exp(-float64(step)/60))
				mh := [2]float64{model + 0.01*rng.NormFloat64(), model + 0.01*rng.NormFloat64()}
				for l := 1; l <= 2; l++ {
					truth := 0.5 + 0.4*(1-math.Exp(-math.Max(0, float64(step)-lag-30*float64(l-1))/80))
					h := [2]float64{truth + 0.01*rng.NormFloat64(), truth + 0.01*rng.NormFloat64()}
					add := func(split string, acc, m float64) {
						rows = append(rows, artifacts.MetricsRow{RunInfo: info, Epoch: epoch, Step: step, Split: split, Layer: l,
							FFAccuracy: acc, ClassifierAccuracy: m, LabelAccuracy: math.NaN(), GoodnessAccuracy: math.NaN(), Samples: 100})
					}
					add(artifacts.SplitProbe, (h[0]+h[1])/2, (mh[0]+mh[1])/2)
					add(artifacts.SplitProbeA, h[0], mh[0])
					add(artifacts.SplitProbeB, h[1], mh[1])
					if step > 0 && step%100 == 0 {
						add(artifacts.SplitVal, truth, model)
					}
				}
			}
		}
	}
	return rows
}

// TestReportVersion: the correlate job's cached report is reused while its
// key is unchanged, so a change to what the report computes must bump
// correlateVersion, or publish copies a stale report. The test digests the
// report (every analysis table and the README) of a fixed sweep and fails
// when the digest changes under the same version. After a deliberate
// change: bump correlateVersion, then go test ./stages -run TestReportVersion -update.
func TestReportVersion(t *testing.T) {
	dir := t.TempDir()
	exp, err := experiments.Parse("fixed", []byte("name = \"fixed\"\nrecipe = \"loewe\"\nseeds = 5\nmaster_seed = 1\n[data]\nsource = \"synthetic\"\ntrain_limit = 100\nval_limit = 100\ntest_limit = 100\n[base]\nepochs = 3\nbatch_size = 10\n[grid]\ndepth = [2]\nwidth = [8, 16]\n[record]\nprobe = 100\nhalves = true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := report.Write(report.Dirs{Tables: dir, Figures: filepath.Join(dir, "figures"), Readme: filepath.Join(dir, "README.md")},
		&report.Sweep{Curves: fixedSweep()}, exp, nil, ""); err != nil {
		t.Fatal(err)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	slices.Sort(names)
	h := sha256.New()
	for _, n := range names {
		if fi, err := os.Stat(n); err != nil || fi.IsDir() {
			continue
		}
		b, _ := os.ReadFile(n)
		fmt.Fprintf(h, "%s %d\n", filepath.Base(n), len(b))
		h.Write(b)
	}
	got := fmt.Sprintf("correlate version %d\nreport sha256 %x\n", correlateVersion, h.Sum(nil))
	const golden = "testdata/report-version.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	gotVersion, _, _ := strings.Cut(got, "\n")
	wantVersion, _, _ := strings.Cut(string(want), "\n")
	switch {
	case got == string(want):
	case gotVersion == wantVersion:
		t.Errorf("the report's output changed under %s: bump correlateVersion (stages/env.go), then rerun with -update\ngot  %swant %s", gotVersion, got, want)
	default:
		t.Errorf("correlate version changed: rerun with -update to record the new report digest")
	}
}
