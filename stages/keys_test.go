package stages

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/ff"
	"github.com/ffchar/ffchar/internal/fieldtest"
	"github.com/ffchar/ffchar/pipeline"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// ownLines are the lines a job's key function writes, without the numerics
// lines (BLAS backend and OpenBLAS kernel, Go version, architecture), which
// differ between the backends and machines the suite runs on.
func ownLines(stage string, key func(*pipeline.Hash)) []string {
	h := pipeline.NewHash(stage)
	key(h)
	var out []string
	for _, l := range h.Lines() {
		if strings.HasPrefix(l, "param blas ") || strings.HasPrefix(l, "param blas_kernel ") ||
			strings.HasPrefix(l, "param go ") || strings.HasPrefix(l, "param arch ") {
			continue
		}
		out = append(out, l)
	}
	return out
}

// The train and evaluate keys of the bundled profiles are pinned (quick's
// changed once, deliberately, when it moved to portable arithmetic): cached
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

// Adding an engine field at its default leaves every cached run cached:
// the smoke sweep is trained and evaluated, then its status is computed
// with train keys built from a Config that has one more field.
func TestNewEngineFieldKeepsRunsCached(t *testing.T) {
	exp, err := experiments.Profile("smoke")
	if err != nil {
		t.Fatal(err)
	}
	c, err := pipeline.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sel := Selection{Until: Evaluate, Replicate: -1}
	jobs, err := Jobs(exp, sel)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&pipeline.Runner{Cache: c, Workers: 1}).Run(context.Background(), jobs); err != nil {
		t.Fatal(err)
	}
	for _, value := range []string{"classifier", "goodness"} {
		jobs, err := Jobs(exp, sel)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]experiments.Run{}
		for _, r := range exp.Runs() {
			byID[RunJobID(exp, Train, r)] = r
		}
		for _, j := range jobs {
			r, ok := byID[j.ID]
			if !ok {
				continue
			}
			old := r.Config.Lines()
			rest := r.KeyLines()[len(old):]
			j.Key = func(h *pipeline.Hash) {
				h.Param("version", trainVersion)
				for _, l := range ff.FieldLines(fieldtest.WithNewField(r.Config, value)) {
					h.Line("param " + l)
				}
				for _, l := range rest {
					h.Line(l)
				}
				h.Param("run", RunID(r))
				numerics(h, r.Arithmetic)
			}
		}
		st, err := (&pipeline.Runner{Cache: c}).Status(jobs)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range st {
			if value == "classifier" && s.State != pipeline.Cached {
				t.Errorf("example_option at its default: %s is %v (%s), want cached", s.Job, s.State, s.Reason)
			}
			if value == "goodness" && s.Stage != Prep && s.State == pipeline.Cached {
				t.Errorf("example_option = goodness: %s is cached", s.Job)
			}
			if value == "goodness" && s.Stage == Train && !slices.ContainsFunc(s.Key.Lines, func(l string) bool { return l == "param example_option goodness" }) {
				t.Errorf("example_option = goodness: %s key lacks the field's line", s.Job)
			}
		}
	}
}
