package stages

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/ffchar/ffchar/internal/atomicfile"

	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/dataset"
	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/ff"
	"github.com/ffchar/ffchar/pipeline"
)

// Output names of the prep stage.
const (
	DatasetFile = "dataset.arrow"
	PrepFile    = "prep.json"
)

// syntheticTestStream separates the synthetic test set from the training
// and validation samples generated from the same seed.
const syntheticTestStream = 0x7e57

// prepKey writes what the prepared data depends on. For a named data set
// that is its declared checksums (dataset.Set.KeyLines); for a folder it
// is the files' contents; for synthetic data the generator's seed.
func prepKey(d experiments.DataSpec) (func(h *pipeline.Hash), error) {
	var md5s []string
	if d.Source == experiments.SourceDir {
		for _, name := range []string{dataset.TrainImages, dataset.TrainLabels, dataset.TestImages, dataset.TestLabels} {
			path, err := findIDX(d.Dir, name)
			if err != nil {
				return nil, err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, err
			}
			md5s = append(md5s, fmt.Sprintf("%s %x", name, sha256Sum(b)))
		}
	}
	return func(h *pipeline.Hash) {
		h.Param("version", prepVersion)
		h.Param("source", d.Source)
		h.Param("train_limit", d.TrainLimit)
		h.Param("val_limit", d.ValLimit)
		h.Param("test_limit", d.TestLimit)
		if set, ok := dataset.Lookup(d.Source); ok {
			for _, l := range set.KeyLines() {
				h.Line(l)
			}
		}
		switch d.Source {
		case experiments.SourceSynthetic:
			h.Param("seed", d.Seed)
		case experiments.SourceDir:
			for _, l := range md5s {
				h.Line("file-sha256 " + l)
			}
		}
	}, nil
}

func findIDX(dir, name string) (string, error) {
	for _, n := range []string{name + ".gz", name} {
		p := filepath.Join(dir, n)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("data: %s: no %s or %s.gz", dir, name, name)
}

// loadSource reads the data a DataSpec names.
func loadSource(d experiments.DataSpec) (map[string]*ff.Data, map[string]string, error) {
	meta := map[string]string{"source": d.Source}
	switch d.Source {
	case experiments.SourceSynthetic:
		tv := dataset.Synthetic(d.TrainLimit+d.ValLimit, d.Seed)
		test := dataset.Synthetic(d.TestLimit, d.Seed^syntheticTestStream)
		meta["seed"] = fmt.Sprint(d.Seed)
		return map[string]*ff.Data{
			"train": tv.Slice(0, d.TrainLimit),
			"val":   tv.Slice(d.TrainLimit, d.TrainLimit+d.ValLimit),
			"test":  test,
		}, meta, nil
	}
	set, named := dataset.Lookup(d.Source)
	if named || d.Source == experiments.SourceDir {
		opts := dataset.Options{Limit: dataset.Sizes{Train: d.TrainLimit, Val: d.ValLimit, Test: d.TestLimit}}
		var s *dataset.Splits
		var err error
		if named {
			s, err = set.Load(opts)
		} else {
			s, err = dataset.Load(d.Dir, opts)
		}
		if err != nil {
			return nil, nil, err
		}
		for _, f := range s.Files {
			meta["md5."+f.Name] = f.MD5
			meta["sha256."+f.Name] = f.SHA256
		}
		return map[string]*ff.Data{"train": s.Train, "val": s.Val, "test": s.Test}, meta, nil
	}
	return nil, nil, fmt.Errorf("data: unknown source %q", d.Source)
}

// prepJobID is the ID of the prep job of data d. An experiment with one
// data set has one prep job, "<exp>/prep"; with a source axis each source
// has its own, "<exp>/prep/<source>".
func prepJobID(exp *experiments.Experiment, d experiments.DataSpec) string {
	if !exp.HasAxis(experiments.SourceAxis) {
		return jobID(exp, Prep)
	}
	return jobID(exp, Prep, d.Source)
}

// prepJobs returns one prep job per distinct data set of runs, in the
// order the runs first use them, and the job ID of each data set.
func prepJobs(exp *experiments.Experiment, runs []experiments.Run) ([]*pipeline.Job, map[experiments.DataSpec]string, error) {
	var jobs []*pipeline.Job
	ids := map[experiments.DataSpec]string{}
	for _, r := range runs {
		if _, ok := ids[r.Data]; ok {
			continue
		}
		j, err := prepJob(prepJobID(exp, r.Data), r.Data)
		if err != nil {
			return nil, nil, err
		}
		// The data's label leaves out the experiment's name: its outputs
		// are the data, whichever experiment asks.
		j.Label = strings.TrimPrefix(j.ID, exp.Name+"/")
		jobs = append(jobs, j)
		ids[r.Data] = j.ID
	}
	return jobs, ids, nil
}

func prepJob(id string, d experiments.DataSpec) (*pipeline.Job, error) {
	key, err := prepKey(d)
	if err != nil {
		return nil, err
	}
	return &pipeline.Job{
		ID:    id,
		Stage: Prep,
		Key:   key,
		Run: func(ctx context.Context, in *pipeline.Inputs, dir string) error {
			splits, meta, err := loadSource(d)
			if err != nil {
				return err
			}
			for k, v := range provenance(Prep, key) {
				meta[k] = v
			}
			if err := artifacts.WriteDataset(filepath.Join(dir, DatasetFile), splits, meta); err != nil {
				return err
			}
			info := map[string]any{"meta": meta, "samples": map[string]int{
				"train": splits["train"].N, "val": splits["val"].N, "test": splits["test"].N}}
			return writeJSON(filepath.Join(dir, PrepFile), info)
		},
	}, nil
}

// datasets memoises prepared data sets by cache file: the file is
// content-addressed, so its path names its contents.
var datasets struct {
	sync.Mutex
	m map[string]map[string]*ff.Data
}

// loadPrepared reads the prepared data set of a job that depends on prep.
func loadPrepared(in *pipeline.Inputs, prepID string) (map[string]*ff.Data, error) {
	path, err := in.Path(prepID, DatasetFile)
	if err != nil {
		return nil, err
	}
	datasets.Lock()
	defer datasets.Unlock()
	if d, ok := datasets.m[path]; ok {
		return d, nil
	}
	d, _, err := artifacts.ReadDataset(path)
	if err != nil {
		return nil, err
	}
	for _, s := range []string{"train", "val", "test"} {
		if d[s] == nil {
			return nil, fmt.Errorf("%s: no %s split", path, s)
		}
	}
	if datasets.m == nil {
		datasets.m = make(map[string]map[string]*ff.Data)
	}
	datasets.m[path] = d
	return d, nil
}

// writeJSON writes v as indented JSON, atomically.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, append(b, '\n'))
}
