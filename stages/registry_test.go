package stages

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/dataset"
	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/pipeline"
)

// tiny is a named data set declared outside package dataset, as a new one
// would be inside it: 24 training images (20 training and 4 validation
// samples with the default holdout) and 6 test images of
// dataset.WriteSynthetic, seed 3, in testdata/tiny.
var tiny = &dataset.Set{
	Name:    "tiny",
	Title:   "Tiny",
	Licence: "same as ffchar",
	Install: "go test ./stages (a test fixture)",
	Sizes:   dataset.Sizes{Train: 20, Val: 4, Test: 6},
	Stored: map[string]string{
		dataset.TrainImages: "94c6e39d351957e13317d6e100703da4",
		dataset.TrainLabels: "adeb0f28d4cd8d5ec74a756510f24ffe",
		dataset.TestImages:  "f00779cd6cb12b67139b7aacc8621699",
		dataset.TestLabels:  "39565eb4231728e5ffffc3eb61a93dcf",
	},
	Dir: "testdata/tiny",
}

func registerTiny(t *testing.T) {
	t.Helper()
	if _, ok := dataset.Lookup(tiny.Name); !ok {
		dataset.Register(tiny)
	}
	dir, err := filepath.Abs(tiny.Dir)
	if err != nil {
		t.Fatal(err)
	}
	tiny.Dir = dir
}

// A registered data set is a source like MNIST: experiment files name it,
// its limits are checked against its sizes, the prep key holds its
// checksums, and prep reads and verifies it.
func TestRegisteredDataset(t *testing.T) {
	registerTiny(t)
	const file = `name = "tiny"
recipe = "loewe"
seeds = 1
master_seed = 1
[data]
source = "tiny"
val_limit = 3
[base]
batch_size = 5
epochs = 1
[grid]
depth = [1]
width = [8]
`
	for _, c := range []struct {
		edit []string // old, new pairs
		err  string
	}{
		{[]string{"val_limit = 3", "val_limit = 5"}, `data.val_limit: value 5: must be at most 4, the size of the Tiny split`},
		{[]string{`source = "tiny"`, `source = "tiny2"`}, fmt.Sprintf(`data.source: value "tiny2": must be one of %q`, append(dataset.Names(), "synthetic"))},
		{[]string{"source = \"tiny\"\nval_limit = 3", "val_limit = 5", "[grid]\n", "[grid]\nsource = [\"mnist\", \"tiny\"]\n"},
			`data.val_limit: value 5: must be at most 4, the size of the MNIST and Tiny split`},
	} {
		_, err := experiments.Parse("tiny.toml", []byte(strings.NewReplacer(c.edit...).Replace(file)))
		if want := "tiny.toml: " + c.err; err == nil || err.Error() != want {
			t.Errorf("%q: %v, want %s", c.edit, err, want)
		}
	}

	exp, err := experiments.Parse("tiny.toml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	if train, val, test := exp.Data.Sizes(); train != 20 || val != 3 || test != 6 {
		t.Errorf("sizes %d/%d/%d, want 20/3/6", train, val, test)
	}
	jobs, _, err := prepJobs(exp, exp.Runs())
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 {
		t.Fatalf("%d prep jobs, want 1", len(jobs))
	}
	lines := ownLines(Prep, jobs[0].Key)
	for _, want := range []string{`param source "tiny"`, "tiny-md5 " + dataset.TrainImages + " " + tiny.Stored[dataset.TrainImages]} {
		if !slices.Contains(lines, want) {
			t.Errorf("prep key lacks %q:\n%s", want, strings.Join(lines, "\n"))
		}
	}

	c, err := pipeline.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	res, err := (&pipeline.Runner{Cache: c}).Run(context.Background(), jobs)
	if err != nil {
		t.Fatal(err)
	}
	splits, meta, err := artifacts.ReadDataset(outputFile(t, c, res[0].Entry, DatasetFile))
	if err != nil {
		t.Fatal(err)
	}
	if splits["train"].N != 20 || splits["val"].N != 3 || splits["test"].N != 6 || meta["source"] != "tiny" {
		t.Errorf("prepared %d/%d/%d samples of %q, want 20/3/6 of tiny", splits["train"].N, splits["val"].N, splits["test"].N, meta["source"])
	}

	// A file that does not match the declared checksum is refused.
	bad := *tiny
	bad.Stored = map[string]string{dataset.TestLabels: strings.Repeat("0", 32)}
	if _, err := bad.Load(dataset.Options{}); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("a wrong checksum: %v, want a checksum error", err)
	}
}
