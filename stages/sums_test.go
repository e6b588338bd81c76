package stages

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/backend"
	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/pipeline"
)

func TestSumsRoundTrip(t *testing.T) {
	id := func(b byte) pipeline.ActionID {
		var x pipeline.ActionID
		x[0] = b
		return x
	}
	want := &Sums{Experiment: "quick", Numerics: []string{`param blas "openblas"`, `param arithmetic "portable"`}, Runs: []RunSums{
		{Run: "depth=1,width=100/r0", Stages: []StageSums{
			{Stage: Train, Key: id(1), Outputs: []pipeline.Output{{Name: MetricsFile, ID: pipeline.OutputID(id(2))}}},
			{Stage: Evaluate, Key: id(3), Outputs: []pipeline.Output{{Name: EvaluationFile, ID: pipeline.OutputID(id(4))}}},
		}},
	}}
	path := filepath.Join(t.TempDir(), SumsFile)
	if err := os.WriteFile(path, want.Format(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadSums(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Format()) != string(want.Format()) {
		t.Errorf("read back\n%s\nwrote\n%s", got.Format(), want.Format())
	}
}

// TestReadSumsErrors: a damaged sums file is an error naming the file,
// the line and what is wrong, never a partial read.
func TestReadSumsErrors(t *testing.T) {
	const head = "ffchar sums v1\nexperiment quick\n"
	hex := strings.Repeat("ab", 32)
	for _, tc := range []struct{ name, text, want string }{
		{"not sums", "go.sum\n", `:1: not a sums file`},
		{"short key", head + "key r0 train " + hex[:10] + "\n", `:3: pipeline: invalid ID`},
		{"output first", head + "output r0 train metrics.parquet " + hex + "\n", `:3: an output before its run's key line`},
		{"unknown", head + "digest r0\n", `:3: unknown line: "digest r0"`},
		{"no experiment", "ffchar sums v1\n", `no experiment line`},
		{"two keys", head + "key r0 train " + hex + "\nkey r0 train " + hex + "\n", `:4: a second key`},
	} {
		path := filepath.Join(t.TempDir(), SumsFile)
		if err := os.WriteFile(path, []byte(tc.text), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadSums(path)
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error naming %s with %q", tc.name, err, path, tc.want)
		}
	}
}

// TestSumKeyLeavesOutVolatileInputs: the digest of an evaluate key does not
// depend on the train job's wall-time record, and depends on the rest.
func TestSumKeyLeavesOutVolatileInputs(t *testing.T) {
	lines := []string{"stage evaluate", `param split "test"`,
		"input q/train/a/r0:metrics.parquet " + strings.Repeat("1", 64),
		"input q/train/a/r0:" + TimingFile + " " + strings.Repeat("2", 64)}
	other := append([]string(nil), lines...)
	other[3] = "input q/train/a/r0:" + TimingFile + " " + strings.Repeat("3", 64)
	if SumKey(lines) != SumKey(other) {
		t.Error("the key digest changed with the wall-time record")
	}
	other[2] = "input q/train/a/r0:metrics.parquet " + strings.Repeat("4", 64)
	if SumKey(lines) == SumKey(other) {
		t.Error("the key digest did not change with the metrics")
	}
}

// TestPortableRecords runs the smoke profile as a portable experiment (the
// process's arithmetic faked, so that it runs on any backend) and publishes
// it: run.json, the published provenance and the sums file all say
// portable and name the pins; the sums list every run's train and evaluate
// outputs but the volatile ones.
func TestPortableRecords(t *testing.T) {
	exp, err := experiments.Profile("smoke")
	if err != nil {
		t.Fatal(err)
	}
	exp.Arithmetic = backend.PortableMode
	defer func(f func() bool) { isPortable = f }(isPortable)
	isPortable = func() bool { return true }
	c, err := pipeline.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := Jobs(exp, All)
	if err != nil {
		t.Fatal(err)
	}
	res, err := (&pipeline.Runner{Cache: c, Workers: 2}).Run(context.Background(), jobs)
	if err != nil {
		t.Fatal(err)
	}
	wantPins := map[string]string{"blas_library": "openblas 0.3.21", "blas_kernel": "haswell", "blas_threads": "1", "goamd64": "v1"}
	for _, r := range res {
		if r.Key.Stage() != Train {
			continue
		}
		b, err := c.ReadOutput(r.Entry, RunFile)
		if err != nil {
			t.Fatal(err)
		}
		var run struct {
			Arithmetic string            `json:"arithmetic"`
			Portable   map[string]string `json:"portable"`
		}
		if err := json.Unmarshal(b, &run); err != nil {
			t.Fatal(err)
		}
		if run.Arithmetic != "portable" || !maps.Equal(run.Portable, wantPins) {
			t.Errorf("%s: run.json says arithmetic %q, pins %v", r.Job, run.Arithmetic, run.Portable)
		}
	}
	dir, err := PublishResults(c, res, filepath.Join(t.TempDir(), "results"), ResultsInfo{Experiment: exp})
	if err != nil {
		t.Fatal(err)
	}
	prov := readProvenance(dir)
	if !slices.Equal(prov.Arithmetic, []string{"portable"}) || !maps.Equal(prov.Portable, wantPins) {
		t.Errorf("published provenance: arithmetic %v, pins %v", prov.Arithmetic, prov.Portable)
	}
	readme, err := os.ReadFile(filepath.Join(dir, ReadmeFile))
	if err != nil || !strings.Contains(string(readme), "in portable arithmetic (blas_library=openblas 0.3.21 blas_kernel=haswell blas_threads=1 goamd64=v1)") {
		t.Errorf("the results README does not name portable arithmetic's pins (%v)", err)
	}
	sums, err := ReadSums(filepath.Join(dir, "data", SumsFile))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sums.Numerics, Numerics(backend.PortableMode)) || len(sums.Runs) != len(exp.Runs()) {
		t.Errorf("sums: numerics %q, %d runs", sums.Numerics, len(sums.Runs))
	}
	for _, r := range sums.Runs {
		tr, ev := r.Stage(Train), r.Stage(Evaluate)
		if tr == nil || ev == nil {
			t.Fatalf("run %s: stages %v", r.Run, r.Stages)
		}
		var names []string
		for _, o := range append(append([]pipeline.Output(nil), tr.Outputs...), ev.Outputs...) {
			names = append(names, o.Name)
		}
		// Checkpoint 1's weights are in the run's state, not among its outputs.
		want := []string{MetricsFile, RunFile, WeightsFile(3), ConfusionFile, EvaluationFile}
		slices.Sort(names)
		slices.Sort(want)
		if !slices.Equal(names, want) {
			t.Errorf("run %s: outputs %v, want %v", r.Run, names, want)
		}
	}
}
