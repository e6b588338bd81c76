package stages

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/pipeline"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// ownLines are the lines a job's key function writes, without the numerics
// lines (BLAS backend, Go version, architecture), which differ between the
// backends the suite runs against.
func ownLines(stage string, key func(*pipeline.Hash)) []string {
	h := pipeline.NewHash(stage)
	key(h)
	var out []string
	for _, l := range h.Lines() {
		if strings.HasPrefix(l, "param blas ") || strings.HasPrefix(l, "param go ") || strings.HasPrefix(l, "param arch ") {
			continue
		}
		out = append(out, l)
	}
	return out
}

// The train and evaluate keys of the bundled profiles are pinned: cached
// runs (a days-long sweep among them) stay valid only while these lines
// stay the same. testdata/train-keys.golden was written by the code that
// computed the published sweeps. A change here needs a version bump and a
// decision to retrain, never an -update alone.
func TestTrainAndEvaluateKeysArePinned(t *testing.T) {
	var b strings.Builder
	for _, name := range []string{"smoke", "quick", "reproduction"} {
		exp, err := experiments.Profile(name)
		if err != nil {
			t.Fatal(err)
		}
		all := sha256.New()
		for i, r := range exp.Runs() {
			tl := ownLines(Train, trainKey(r))
			el := ownLines(Evaluate, evaluateKey(exp, r))
			if name == "smoke" && i == 0 {
				fmt.Fprintf(&b, "# %s %s\n%s\n# %s %s\n%s\n", name, RunJobID(exp, Train, r), strings.Join(tl, "\n"),
					name, RunJobID(exp, Evaluate, r), strings.Join(el, "\n"))
			}
			for _, l := range append(tl, el...) {
				fmt.Fprintln(all, l)
			}
		}
		fmt.Fprintf(&b, "# %s: sha256 of every run's train and evaluate key lines\n%x\n", name, all.Sum(nil))
	}
	golden := filepath.Join("testdata", "train-keys.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("train or evaluate key lines changed: every cached run would retrain\ngot:\n%s\nwant:\n%s", got, want)
	}
}
