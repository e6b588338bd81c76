package stages

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fillHypotheses writes a published experiment's claims table, copied
// from the committed quick results, or fails when fail is set.
func fillHypotheses(t *testing.T, fail bool) func(string) error {
	return func(dir string) error {
		if fail {
			return errors.New("disk full")
		}
		b, err := os.ReadFile("../results/quick/tables/hypotheses.parquet")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, "tables"), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, "tables", "hypotheses.parquet"), b, 0o644)
	}
}

// TestIndexAgreesAfterKilledPublish (S6): a publish killed between
// replacing its experiment's folder and rewriting the index leaves the
// index without that experiment; the next publish, even one that fails
// in its own fill, rebuilds the index from the folders first.
func TestIndexAgreesAfterKilledPublish(t *testing.T) {
	results := filepath.Join(t.TempDir(), "results")
	if _, err := replaceResults(results, "a", fillHypotheses(t, false)); err != nil {
		t.Fatal(err)
	}
	killed := errors.New("killed")
	afterReplace = func() error { return killed }
	_, err := replaceResults(results, "b", fillHypotheses(t, false))
	afterReplace = nil
	if !errors.Is(err, killed) {
		t.Fatalf("the injected kill did not happen: %v", err)
	}
	if _, err := replaceResults(results, "c", fillHypotheses(t, true)); err == nil {
		t.Fatal("a failing fill published")
	}
	index, err := os.ReadFile(filepath.Join(results, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, exp := range []string{"a", "b"} {
		if !strings.Contains(string(index), "## ["+exp+"]("+exp+"/README.md)") {
			t.Errorf("the index does not list the published folder %s:\n%s", exp, index)
		}
	}
	if strings.Contains(string(index), "## [c]") {
		t.Errorf("the index lists the failed publish c")
	}
}
