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
