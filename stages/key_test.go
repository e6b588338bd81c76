package stages

import (
	"os"
	"path/filepath"
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

// TestPortableKeyLines checks that portable arithmetic adds its mode and
// pins to the train and evaluate keys, after the numerics lines, and that
// native keys have none of them (TestTrainAndEvaluateKeysArePinned pins
// the rest).
func TestPortableKeyLines(t *testing.T) {
	exp, err := experiments.Profile("smoke")
	if err != nil {
		t.Fatal(err)
	}
	r := exp.Runs()[0]
	lines := func(portable bool) []string {
		defer func(f func() bool) { isPortable = f }(isPortable)
		isPortable = func() bool { return portable }
		h := pipeline.NewHash(Train)
		trainKey(r)(h)
		e := pipeline.NewHash(Evaluate)
		evaluateKey(exp, r)(e)
		return append(h.Lines(), e.Lines()...)
	}
	want := []string{`param arithmetic "portable"`, `param blas_library "openblas 0.3.21"`, `param blas_threads "1"`, `param goamd64 "v1"`}
	native, portable := lines(false), lines(true)
	for _, l := range native {
		if slices.Contains(want, l) {
			t.Errorf("native key has the portable line %q", l)
		}
	}
	for _, l := range want {
		if n := strings.Count(strings.Join(portable, "\n")+"\n", l+"\n"); n != 2 {
			t.Errorf("line %q in %d of the train and evaluate keys, want both:\n%s", l, n, strings.Join(portable, "\n"))
		}
	}
	if len(portable) != len(native)+2*len(want) {
		t.Errorf("portable keys have %d lines, want the %d native ones and %d more", len(portable), len(native), 2*len(want))
	}
}

// TestPortableExperimentRefused: a portable experiment's jobs are never
// built in a process that is not in portable arithmetic, whose keys would
// say native.
func TestPortableExperimentRefused(t *testing.T) {
	exp, err := experiments.Profile("smoke")
	if err != nil {
		t.Fatal(err)
	}
	exp.Arithmetic = backend.PortableMode
	defer func(f func() bool) { isPortable = f }(isPortable)
	isPortable = func() bool { return false }
	if _, err := Jobs(exp, All); err == nil || !strings.Contains(err.Error(), "asks for portable arithmetic") {
		t.Errorf("Jobs of a portable experiment outside portable arithmetic: %v", err)
	}
}
