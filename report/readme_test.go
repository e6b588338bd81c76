package report

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/internal/sweeptest"
)

// synthSweep is a one-epoch sweep (200 steps) recorded with the
// split-half probe: two widths × 6 seeds.
func synthSweep() []artifacts.MetricsRow {
	return sweeptest.Rows(sweeptest.Options{Widths: []int{8, 16}, Seeds: 6, Epochs: 1, EpochSteps: 200, Seed: 1})
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

// TestWritePagedFigures: a sweep of 28 widths has figures too tall for a
// page; they are saved page by page, the README links and shows every
// page, and files of an earlier paging are removed.
func TestWritePagedFigures(t *testing.T) {
	var widths []int
	for w := 4; w <= 112; w += 4 {
		widths = append(widths, w)
	}
	rows := sweeptest.Rows(sweeptest.Options{Widths: widths, Seeds: 2, Epochs: 1, EpochSteps: 100, Seed: 1})
	dir := t.TempDir()
	for _, stale := range []string{"fig1_accuracy.png", "fig1_accuracy-9.svg", "fig2_delay-2.pdf"} {
		if err := os.WriteFile(dir+"/"+stale, []byte("old"), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Write(Dirs{Tables: dir, Figures: dir, Readme: dir + "/README.md"}, &Sweep{Curves: rows}, &experiments.Experiment{Name: "synth"}, nil, ""); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(dir + "/README.md")
	if err != nil {
		t.Fatal(err)
	}
	pages := 0
	for p := 1; ; p++ {
		stem := "fig1_accuracy-" + strconv.Itoa(p)
		if _, err := os.Stat(dir + "/" + stem + ".png"); err != nil {
			break
		}
		pages++
		for _, want := range []string{"(figures/" + stem + ".png)", "(figures/" + stem + ".svg)", "(figures/" + stem + ".pdf)", "![" + stem + "]"} {
			if !strings.Contains(string(readme), want) {
				t.Errorf("README lacks %q", want)
			}
		}
	}
	if pages < 2 {
		t.Errorf("figure 1 of 28 widths on %d pages, want several", pages)
	}
	for _, gone := range []string{"fig1_accuracy.png", "fig1_accuracy-9.svg", "fig2_delay-2.pdf"} {
		if _, err := os.Stat(dir + "/" + gone); err == nil {
			t.Errorf("%s of an earlier paging left behind", gone)
		}
	}
	if _, err := os.Stat(dir + "/fig2_delay.pdf"); err != nil {
		t.Error(err)
	}
}
