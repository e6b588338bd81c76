package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestRunLeavesResultsAlone: a run without --results computes every stage
// through correlate and leaves a committed results/ folder byte for byte
// as it was, with no folder of its own; its one line on stdout names the
// cache and a command that, executed as printed, publishes from the cache
// without computing anything. --results and the publish command write
// where they are told.
func TestRunLeavesResultsAlone(t *testing.T) {
	// The repository's own index, as committed.
	index, err := os.ReadFile(filepath.Join("..", "..", "results", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	dir := workdir(t, map[string]string{"tiny.toml": tiny})
	committed := map[string]string{
		"README.md":       string(index),
		"quick/README.md": "# quick\n\nCommitted results.\n",
	}
	for name, body := range committed {
		p := filepath.Join("results", filepath.FromSlash(name))
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, []byte(body), 0o644))
	}

	// A cache path that needs quoting in the printed command.
	out, stderr := mustRun(t, "run", "--profile", "tiny", "--cache", "my cache")
	if got := readTree(t, "results"); !reflect.DeepEqual(got, committed) {
		t.Errorf("run without --results changed results/:\n%v\nwant\n%v", got, committed)
	}
	if n := countStage(computed(stderr), "correlate"); n != 1 {
		t.Errorf("run computed %d correlate jobs, want 1:\n%s", n, stderr)
	}
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, "my cache") {
		t.Fatalf("run printed %q; want one line naming the cache", out)
	}
	_, hint, ok := strings.Cut(strings.TrimSpace(out), "with: ")
	if !ok || !strings.HasPrefix(hint, "ffchar publish ") {
		t.Fatalf("run printed %q; want the command that publishes", out)
	}

	// The hint, run by a shell as printed.
	got, err := shell(t, dir, hint)
	if err != nil {
		t.Fatalf("%s: %v\n%s", hint, err, got)
	}
	if !strings.Contains(got, "published results/tiny") || !strings.Contains(got, "0 computed") {
		t.Errorf("%s: want results/tiny published from the cache alone:\n%s", hint, got)
	}
	if _, err := os.Stat(filepath.Join("results", "tiny", "README.md")); err != nil {
		t.Errorf("%s did not publish: %v", hint, err)
	}
	if b, _ := os.ReadFile(filepath.Join("results", "quick", "README.md")); string(b) != committed["quick/README.md"] {
		t.Errorf("publishing tiny changed results/quick/README.md: %q", b)
	}

	// --results names the folder; results/ stays as publish left it.
	before := readTree(t, "results")
	out, _ = mustRun(t, "run", "--profile", "tiny", "--cache", "my cache", "--results", "out")
	if out != "published "+filepath.Join("out", "tiny")+"\n" {
		t.Errorf("run --results out printed %q", out)
	}
	if _, err := os.Stat(filepath.Join("out", "tiny", "README.md")); err != nil {
		t.Errorf("run --results out: %v", err)
	}
	if got := readTree(t, "results"); !reflect.DeepEqual(got, before) {
		t.Error("run --results out changed results/")
	}

	// --until correlate stops where a plain run does, and says the same.
	out2, _ := mustRun(t, "run", "--profile", "tiny", "--cache", "my cache", "--until", "correlate")
	if !strings.Contains(out2, hint) {
		t.Errorf("run --until correlate printed %q, want the hint %q", out2, hint)
	}

	_, stderr, code := ffchar(t, "run", "--profile", "tiny", "--cache", "my cache", "--results", "")
	if code != 2 || !strings.Contains(stderr, "--results") {
		t.Errorf("--results \"\": exit %d, %q; want a usage error naming --results", code, stderr)
	}
}
