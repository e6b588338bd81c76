package stages

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
