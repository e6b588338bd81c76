package stages

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/backend"
	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/pipeline"
)

// TestTrainKeyLines pins the train key of the reproduction sweep's first
// run (testdata/train_key.golden; the Go version and backend are
// placeholders there) so that a change to it, which recomputes every cached
// run, is deliberate. OpenBLAS adds one line, its kernel, after the
// backend's; with gonum the key is exactly as before that line existed.
func TestTrainKeyLines(t *testing.T) {
	exp, err := experiments.Load(filepath.Join("..", "experiments", "reproduction.toml"))
	if err != nil {
		t.Fatal(err)
	}
	h := pipeline.NewHash(Train)
	trainKey(exp.Runs()[0])(h)
	lines := h.Lines()
	i := slices.Index(lines, "param blas "+strconv.Quote(backend.Name()))
	if i < 0 {
		t.Fatalf("no backend line in the train key:\n%s", strings.Join(lines, "\n"))
	}
	if backend.Name() == "openblas" {
		want := "param blas_kernel " + strconv.Quote(strings.ToLower(backend.Kernel()))
		if i+1 >= len(lines) || lines[i+1] != want {
			t.Fatalf("the line after the backend's is not %q:\n%s", want, strings.Join(lines, "\n"))
		}
		lines = slices.Delete(lines, i+1, i+2)
	}
	for j, l := range lines {
		if strings.HasPrefix(l, "param blas_kernel ") {
			t.Errorf("kernel line %q with the %s backend", l, backend.Name())
		}
		switch {
		case strings.HasPrefix(l, "param blas "):
			lines[j] = "param blas BACKEND"
		case strings.HasPrefix(l, "param go "):
			lines[j] = "param go GO"
		}
	}
	got := strings.Join(lines, "\n") + "\n"
	golden := filepath.Join("testdata", "train_key.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("train key lines changed:\n%s\nwant (%s):\n%s", got, golden, want)
	}
}

// TestPortableKeyLines checks the train and evaluate keys of a portable
// experiment: the numerics lines name the pinned computation (OpenBLAS,
// Haswell, amd64) whatever this process computes with, then the mode and
// its pins; native keys have none of these lines
// (TestTrainAndEvaluateKeysArePinned pins the rest).
func TestPortableKeyLines(t *testing.T) {
	exp, err := experiments.Profile("smoke")
	if err != nil {
		t.Fatal(err)
	}
	lines := func(mode string) []string {
		exp.Arithmetic = mode
		r := exp.Runs()[0]
		h := pipeline.NewHash(Train)
		trainKey(r)(h)
		e := pipeline.NewHash(Evaluate)
		evaluateKey(exp, r)(e)
		return append(h.Lines(), e.Lines()...)
	}
	want := []string{`param blas "openblas"`, `param blas_kernel "haswell"`, `param go ` + strconv.Quote(runtime.Version()), `param arch "amd64"`,
		`param arithmetic "portable"`, `param blas_library "openblas 0.3.21"`, `param blas_threads "1"`, `param goamd64 "v1"`}
	native, portable := lines(backend.Native), lines(backend.PortableMode)
	for _, l := range native {
		if slices.Contains(want[4:], l) {
			t.Errorf("native key has the portable line %q", l)
		}
	}
	joined := strings.Join(portable, "\n") + "\n"
	if n := strings.Count(joined, strings.Join(want, "\n")+"\n"); n != 2 {
		t.Errorf("the portable numerics lines are in %d of the train and evaluate keys, want both, in order:\n%s", n, joined)
	}
	if got := Numerics(backend.PortableMode); !slices.Equal(got, want) {
		t.Errorf("Numerics(portable) = %q, want %q", got, want)
	}
}

// TestPortableJobsRefused: a portable experiment's train and evaluate jobs
// refuse to compute in a process that is not in portable arithmetic: their
// outputs would carry other bits under the portable key. Its keys can
// still be computed (status, gc).
func TestPortableJobsRefused(t *testing.T) {
	exp, err := experiments.Profile("smoke")
	if err != nil {
		t.Fatal(err)
	}
	exp.Arithmetic = backend.PortableMode
	defer func(f func() bool) { isPortable = f }(isPortable)
	isPortable = func() bool { return false }
	jobs, err := Jobs(exp, Selection{Until: Train, Replicate: 0, Treatment: exp.Runs()[0].TreatmentID})
	if err != nil {
		t.Fatal(err)
	}
	c, err := pipeline.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&pipeline.Runner{Cache: c}).Status(jobs); err != nil {
		t.Fatalf("status of a portable experiment outside portable arithmetic: %v", err)
	}
	_, err = (&pipeline.Runner{Cache: c, Workers: 1}).Run(context.Background(), jobs)
	if err == nil || !strings.Contains(err.Error(), "portable arithmetic is not in force in this process") {
		t.Errorf("training a portable run outside portable arithmetic: %v", err)
	}
}
