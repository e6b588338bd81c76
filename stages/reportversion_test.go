package stages

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/internal/sweeptest"
	"github.com/ffchar/ffchar/report"
)

// TestReportVersion: the correlate job's cached report is reused while its
// key is unchanged, so a change to what the report computes must bump
// correlateVersion, or publish copies a stale report. The test digests the
// report (every analysis table, the README and the figures as SVG) of a
// fixed sweep and fails when the digest changes under the same version.
// After a deliberate change: bump correlateVersion, then go test ./stages -run TestReportVersion -update.
func TestReportVersion(t *testing.T) {
	dir := t.TempDir()
	exp, err := experiments.Parse("fixed", []byte("name = \"fixed\"\nrecipe = \"loewe\"\nseeds = 5\nmaster_seed = 1\n[data]\nsource = \"synthetic\"\ntrain_limit = 100\nval_limit = 100\ntest_limit = 100\n[base]\nepochs = 3\nbatch_size = 10\n[grid]\ndepth = [2]\nwidth = [8, 16]\n[record]\nprobe = 100\nhalves = true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := report.Write(report.Dirs{Tables: dir, Figures: filepath.Join(dir, "figures"), Readme: filepath.Join(dir, "README.md")},
		&report.Sweep{Curves: sweeptest.Rows(sweeptest.Options{Widths: []int{8, 16}, Seeds: 5, Epochs: 3, EpochSteps: 100, Seed: 3})}, exp, nil, ""); err != nil {
		t.Fatal(err)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	figs, _ := filepath.Glob(filepath.Join(dir, "figures", "*.svg")) // the figures as drawn
	names = append(names, figs...)
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
