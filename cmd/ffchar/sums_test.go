package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/backend"
	"github.com/ffchar/ffchar/stages"
)

// publishSmoke publishes the smoke profile, computed in the arithmetic
// this process is in, and returns its results folder.
func publishSmoke(t *testing.T) string {
	t.Helper()
	results := filepath.Join(t.TempDir(), "results")
	_, stderr, code := ffchar(t, "run", "--profile", "smoke", "--cache", filepath.Join(t.TempDir(), "cache"), "--results", results, "--jobs", "2")
	if code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	return filepath.Join(results, "smoke")
}

// editSums rewrites the published sums file with edit.
func editSums(t *testing.T, dir string, edit func(string) string) {
	t.Helper()
	path := filepath.Join(dir, "data", stages.SumsFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(edit(string(b))), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestVerifySums publishes the smoke sweep, then recomputes two of its
// runs from an empty cache and compares them with the published sums; then
// it alters the sums by hand, as an attacker or a bug would, and checks
// that verification fails with one clear line.
func TestVerifySums(t *testing.T) {
	dir := publishSmoke(t)
	verify := func(t *testing.T) (string, string, int) {
		return ffchar(t, "verify", "--sums", dir, "--sample", "2", "--cache", filepath.Join(t.TempDir(), "fresh"))
	}
	stdout, stderr, code := verify(t)
	if code != 0 || strings.Count(stdout, "match ") != 2 || !strings.Contains(stdout, "2 match, 0 differ, 0 cannot be compared") {
		t.Fatalf("verify of an untouched sweep: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	sumsText, err := os.ReadFile(filepath.Join(dir, "data", stages.SumsFile))
	if err != nil {
		t.Fatal(err)
	}
	restore := func() {
		if err := os.WriteFile(filepath.Join(dir, "data", stages.SumsFile), sumsText, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("altered digest", func(t *testing.T) {
		defer restore()
		// The weights of the first run's last epoch.
		editSums(t, dir, func(s string) string {
			i := strings.Index(s, " weights-e003.arrow ") + len(" weights-e003.arrow ")
			return s[:i] + strings.Repeat("0", 64) + s[i+64:]
		})
		stdout, stderr, code := verify(t)
		if code != 1 || !strings.Contains(stdout, "differ          depth=1,width=16/r0: train output weights-e003.arrow: published 000000000000…, recomputed ") {
			t.Errorf("exit %d\nstdout:\n%s", code, stdout)
		}
		if want := "ffchar: verification failed: 2 runs of " + filepath.Join(dir, "data", stages.SumsFile) + ": 1 match, 1 differ, 0 cannot be compared\n"; !strings.HasSuffix(stderr, want) {
			t.Errorf("stderr ends\n%s\nwant %q", stderr, want)
		}
	})

	t.Run("altered value", func(t *testing.T) {
		defer restore()
		// A published curve value and its table's digest, changed together:
		// the report names the value.
		curves := filepath.Join(dir, "data", stages.CurvesFile)
		orig, err := os.ReadFile(curves)
		if err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(curves, orig, 0o644)
		rows, meta, err := artifacts.ReadMetrics(curves)
		if err != nil {
			t.Fatal(err)
		}
		var changed string
		for i := range rows {
			if rows[i].RunID == "depth=2,width=16/r1" && rows[i].Split == "val" {
				rows[i].FFAccuracy += 0.25
				changed = rows[i].Split
				break
			}
		}
		if changed == "" {
			t.Fatal("no val row of depth=2,width=16/r1 in the published curves")
		}
		if err := artifacts.WriteMetricsRows(curves, rows, meta); err != nil {
			t.Fatal(err)
		}
		editSums(t, dir, func(s string) string {
			i := strings.Index(s, "output depth=2,width=16/r1 train metrics.parquet ") + len("output depth=2,width=16/r1 train metrics.parquet ")
			return s[:i] + strings.Repeat("1", 64) + s[i+64:]
		})
		stdout, _, code := verify(t)
		if code != 1 || !strings.Contains(stdout, "train output metrics.parquet: published 111111111111…") ||
			!strings.Contains(stdout, "first differing value val epoch 1 step ") || !strings.Contains(stdout, " layer 1 FFAccuracy: published ") {
			t.Errorf("exit %d\nstdout:\n%s", code, stdout)
		}
	})

	t.Run("other numerics", func(t *testing.T) {
		defer restore()
		editSums(t, dir, func(s string) string {
			return strings.Replace(s, "numerics param go ", "numerics param go \"go1.0\"\nnumerics param was ", 1)
		})
		stdout, stderr, code := verify(t)
		if code != 1 || !strings.Contains(stdout, "cannot compare  all 4 runs: published with param go \"go1.0\", this machine computes with param go ") ||
			!strings.Contains(stderr, "nothing compared") {
			t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
	})

	t.Run("published portable", func(t *testing.T) {
		if backend.CheckPortable(backend.HostCPU(), backend.HostBuild()) == nil {
			t.Skip("portable arithmetic runs here: TestVerifySumsPortable covers it")
		}
		defer restore()
		editSums(t, dir, func(s string) string {
			return strings.Replace(s, "numerics param arch \"amd64\"\n", "numerics param arch \"amd64\"\nnumerics "+portableLine+"\n", 1)
		})
		stdout, _, code := verify(t)
		if code != 1 || !strings.Contains(stdout, "published in portable arithmetic, which this machine cannot run: portable arithmetic needs") {
			t.Errorf("exit %d\nstdout:\n%s", code, stdout)
		}
	})

	t.Run("no sums file", func(t *testing.T) {
		defer restore()
		os.Remove(filepath.Join(dir, "data", stages.SumsFile))
		_, stderr, code := verify(t)
		if code != 1 || !strings.Contains(stderr, "no sums file") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("exit %d\nstderr:\n%s", code, stderr)
		}
	})
}

// TestVerifySumsPortable publishes the smoke sweep in portable arithmetic
// and verifies two of its runs from an empty cache in a process whose
// OpenBLAS chose another kernel: verify enters portable arithmetic from
// the sums file, starting again on Haswell.
func TestVerifySumsPortable(t *testing.T) {
	if err := backend.CheckPortable(backend.HostCPU(), backend.HostBuild()); err != nil {
		t.Skipf("portable arithmetic cannot run here: %v", err)
	}
	results := filepath.Join(t.TempDir(), "results")
	run := command("run", "--profile", "smoke", "--arithmetic", "portable", "--cache", filepath.Join(t.TempDir(), "cache"), "--results", results)
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(results, "smoke", "data", stages.SumsFile))
	if err != nil || !strings.Contains(string(b), "numerics "+portableLine+"\n") {
		t.Fatalf("the sums file does not say portable (%v):\n%s", err, b)
	}
	verify := command("verify", "--sums", filepath.Join(results, "smoke"), "--sample", "2", "--cache", filepath.Join(t.TempDir(), "fresh"))
	verify.Env = append(verify.Env, backend.CoretypeEnv+"=SkylakeX")
	out, err := verify.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "2 match, 0 differ, 0 cannot be compared") || !strings.Contains(string(out), "portable arithmetic") {
		t.Fatalf("%v\n%s", err, out)
	}
}

// TestSampleRunsSpread: four samples of the quick profile (depth 1–4 ×
// width 100 and 500, 8 seeds) cover every depth, both widths and four
// replicates; k beyond the runs takes them all, once each.
func TestSampleRunsSpread(t *testing.T) {
	exp, err := loadExperiment("quick")
	if err != nil {
		t.Fatal(err)
	}
	runs := sampleRuns(exp, 4)
	depths, widths, reps := map[int]bool{}, map[int]bool{}, map[int]bool{}
	for _, r := range runs {
		depths[r.Config.Depth], widths[r.Config.Width], reps[r.Replicate] = true, true, true
	}
	if len(runs) != 4 || len(depths) != 4 || len(widths) != 2 || len(reps) != 4 {
		var ids []string
		for _, r := range runs {
			ids = append(ids, stages.RunID(r))
		}
		t.Errorf("sampleRuns(quick, 4) = %v: want 4 depths, 2 widths, 4 replicates", ids)
	}
	all := sampleRuns(exp, 1000)
	seen := map[int]bool{}
	for _, r := range all {
		seen[r.Index] = true
	}
	if len(all) != len(exp.Runs()) || len(seen) != len(all) {
		t.Errorf("sampleRuns(quick, 1000): %d runs, %d distinct, want all %d", len(all), len(seen), len(exp.Runs()))
	}
}
