package stages

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/dataset"
	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/pipeline"
)

// sourceAxis is a tiny sweep comparing MNIST and Fashion-MNIST: the data
// set is a grid axis, and the [data] limits apply to both.
const sourceAxis = `name = "datasets"
recipe = "loewe"
seeds = 2
master_seed = 7
[data]
train_limit = 200
val_limit = 100
test_limit = 100
[base]
batch_size = 50
epochs = 3
[grid]
depth = [2]
width = [12]
source = ["mnist", "fashion-mnist"]
`

// sourceOf returns the source a job ID's treatment names.
func sourceOf(t *testing.T, id string) string {
	t.Helper()
	for _, p := range strings.Split(id, ",") {
		if v, ok := strings.CutPrefix(p, "source="); ok {
			return strings.Split(v, "/")[0]
		}
	}
	t.Fatalf("job %s names no source", id)
	return ""
}

// A source axis gives one prep job per source, with distinct keys, and
// each run's train and evaluate jobs read their own source's data; a
// selection of one source's runs prepares only that source.
func TestSourceAxisJobs(t *testing.T) {
	exp, err := experiments.Parse("experiments/datasets.toml", []byte(sourceAxis))
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := Jobs(exp, All)
	if err != nil {
		t.Fatal(err)
	}
	prepLines := map[string][]string{}
	for _, j := range jobs {
		if j.Stage == Prep {
			prepLines[j.ID] = ownLines(Prep, j.Key)
		}
	}
	want := map[string]string{"datasets/prep/mnist": "mnist", "datasets/prep/fashion-mnist": "fashion-mnist"}
	if len(prepLines) != len(want) {
		t.Fatalf("prep jobs %v, want %d: one per source", slices.Sorted(maps.Keys(prepLines)), len(want))
	}
	for id, src := range want {
		lines, ok := prepLines[id]
		if !ok {
			t.Fatalf("no prep job %s", id)
		}
		if !slices.Contains(lines, `param source "`+src+`"`) || !slices.Contains(lines, "param train_limit 200") {
			t.Errorf("%s key lines lack the source or the [data] limits:\n%s", id, strings.Join(lines, "\n"))
		}
	}
	if slices.Equal(prepLines["datasets/prep/mnist"], prepLines["datasets/prep/fashion-mnist"]) {
		t.Errorf("the two sources' prep keys are equal")
	}
	wired := 0
	for _, j := range jobs {
		if j.Stage != Train && j.Stage != Evaluate {
			continue
		}
		if want := "datasets/prep/" + sourceOf(t, j.ID); j.Deps[0] != want {
			t.Errorf("%s depends on %s, want %s", j.ID, j.Deps[0], want)
		}
		wired++
	}
	if wired != 2*len(exp.Runs()) {
		t.Errorf("%d train and evaluate jobs, want %d", wired, 2*len(exp.Runs()))
	}

	fashion := "depth=2,source=fashion-mnist,width=12"
	jobs, err = Jobs(exp, Selection{Treatment: fashion, Replicate: -1})
	if err != nil {
		t.Fatal(err)
	}
	if preps := prepIDs(jobs); !slices.Equal(preps, []string{"datasets/prep/fashion-mnist"}) {
		t.Errorf("treatment %s: prep jobs %v, want Fashion-MNIST's only", fashion, preps)
	}
}

// prepIDs returns the IDs of the prep jobs among jobs, in order.
func prepIDs(jobs []*pipeline.Job) []string {
	var ids []string
	for _, j := range jobs {
		if j.Stage == Prep {
			ids = append(ids, j.ID)
		}
	}
	return ids
}

// outputFile copies an output of a cache entry into a temporary folder,
// for readers that take a path.
func outputFile(t *testing.T, c *pipeline.Cache, e *pipeline.Entry, name string) string {
	t.Helper()
	b, err := c.ReadOutput(e, name)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Without a source axis there is one prep job, named as before the axis
// existed, with the experiment's data (its key is pinned by
// TestPrepKeysPinned).
func TestOneSourceOnePrepJob(t *testing.T) {
	exp, err := experiments.Profile("smoke")
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := Jobs(exp, All)
	if err != nil {
		t.Fatal(err)
	}
	key, err := prepKey(exp.Data)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if j.Stage == Prep && !slices.Equal(ownLines(Prep, j.Key), ownLines(Prep, key)) {
			t.Errorf("%s key differs from the experiment's data's", j.ID)
		}
		if j.Stage == Train && j.Deps[0] != "smoke/prep" {
			t.Errorf("%s depends on %v", j.ID, j.Deps)
		}
	}
	if preps := prepIDs(jobs); !slices.Equal(preps, []string{"smoke/prep"}) {
		t.Errorf("prep jobs %v, want smoke/prep", preps)
	}
}

// The MNIST and Fashion-MNIST sweep runs end to end: each run trains on
// its own source's prepared data, and the sweep tables, figures and
// README carry the source as an axis like any other. It needs MNIST in
// the module cache and Debian's dataset-fashion-mnist.
func TestSourceAxisEndToEnd(t *testing.T) {
	t.Setenv(dataset.FashionMNIST.DirEnv, "")
	for _, locate := range []func() (string, error){dataset.LocateMNIST, dataset.FashionMNIST.Locate} {
		if _, err := locate(); errors.Is(err, fs.ErrNotExist) {
			t.Skip(err)
		}
	}
	exp, err := experiments.Parse("experiments/datasets.toml", []byte(sourceAxis))
	if err != nil {
		t.Fatal(err)
	}
	c, err := pipeline.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := Jobs(exp, All)
	if err != nil {
		t.Fatal(err)
	}
	res, err := (&pipeline.Runner{Cache: c}).Run(context.Background(), jobs)
	if err != nil {
		t.Fatal(err)
	}

	// The prepared data sets differ, and say which source they hold.
	datasets := map[string]string{} // prep job ID → dataset.arrow digest
	var correlate *pipeline.Entry
	for _, r := range res {
		switch r.Key.Stage() {
		case Prep:
			for _, o := range r.Entry.Outputs {
				if o.Name == DatasetFile {
					datasets[r.Job] = o.ID.String()
				}
			}
			_, meta, err := artifacts.ReadDataset(outputFile(t, c, r.Entry, DatasetFile))
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.TrimPrefix(r.Job, "datasets/prep/"); meta["source"] != want {
				t.Errorf("%s holds source %q, want %q", r.Job, meta["source"], want)
			}
		case Correlate:
			correlate = r.Entry
		}
	}
	if len(datasets) != 2 || datasets["datasets/prep/mnist"] == datasets["datasets/prep/fashion-mnist"] {
		t.Fatalf("prepared data sets %v, want two distinct", datasets)
	}
	// Each train and evaluate job's key has its own source's data as input.
	for _, r := range res {
		if s := r.Key.Stage(); s != Train && s != Evaluate {
			continue
		}
		prep := "datasets/prep/" + sourceOf(t, r.Job)
		// The input is labelled without the experiment's name.
		want := "input " + strings.TrimPrefix(prep, "datasets/") + ":" + DatasetFile + " " + datasets[prep]
		if !slices.Contains(r.Key.Lines, want) {
			t.Errorf("%s key lacks %q:\n%s", r.Job, want, strings.Join(r.Key.Lines, "\n"))
		}
	}

	if correlate == nil {
		t.Fatal("no correlate result")
	}
	read := func(name string) string {
		b, err := c.ReadOutput(correlate, name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	_, meta, err := artifacts.ReadMetrics(outputFile(t, c, correlate, CurvesFile))
	if err != nil {
		t.Fatal(err)
	}
	if meta[artifacts.AxesKey] != "depth,source,width" {
		t.Errorf("curves: %s = %q, want depth,source,width", artifacts.AxesKey, meta[artifacts.AxesKey])
	}
	tb, _, err := artifacts.ReadTable(outputFile(t, c, correlate, "test_accuracy.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(tb.Columns, func(c artifacts.Column) bool { return c.Name == "source" })
	if i < 0 {
		t.Fatal("test_accuracy: no source column")
	}
	if got := slices.Compact(slices.Sorted(slices.Values(tb.Columns[i].Strings))); !slices.Equal(got, []string{"fashion-mnist", "mnist"}) {
		t.Errorf("test_accuracy: source column holds %q", got)
	}
	for _, want := range []string{"source mnist", "source fashion-mnist"} {
		if svg := read("fig1_accuracy.svg"); !strings.Contains(svg, want) {
			t.Errorf("figure 1 does not name %q", want)
		}
	}
	if readme := read(ReadmeFile); !strings.Contains(readme, "data: mnist and fashion-mnist (the source axis") ||
		!strings.Contains(readme, "source ∈ {mnist, fashion-mnist}") {
		t.Errorf("README does not list the sources:\n%s", readme)
	}
}
