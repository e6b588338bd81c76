package stages

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/ffchar/ffchar/internal/atomicfile"

	"github.com/ffchar/ffchar/backend"

	"github.com/ffchar/ffchar/pipeline"
)

// PublishResults copies the sweep tables of the correlate job among res
// into <results>/<experiment>/data and renders tables, figures and the
// results README from them (see Render). It is not a cached job: it writes
// into the working tree, every file atomically. It returns the folder.
func PublishResults(c *pipeline.Cache, res []pipeline.Result, results string, about ResultsInfo) (string, error) {
	dir := filepath.Join(results, about.Experiment.Name)
	data := filepath.Join(dir, "data")
	copied := 0
	for _, r := range res {
		if r.Entry == nil || r.Key.Stage() != Correlate {
			continue
		}
		if err := os.MkdirAll(data, 0o755); err != nil {
			return "", fmt.Errorf("publish: %w", err)
		}
		for _, name := range []string{CurvesFile, EvaluationsFile, ConfusionsFile} {
			b, err := c.ReadOutput(r.Entry, name)
			if err != nil {
				return "", err
			}
			if err := atomicfile.WriteBytes(filepath.Join(data, name), b); err != nil {
				return "", fmt.Errorf("publish: %w", err)
			}
			copied++
		}
	}
	if copied == 0 {
		return "", fmt.Errorf("publish: no correlate results for %s: run the pipeline through correlate first", about.Experiment.Name)
	}
	if err := writeTimings(c, res, filepath.Join(data, TimingsFile)); err != nil {
		return "", err
	}
	// Which build published the sweep (cached runs keep the results of the
	// build that computed them, under keys that include the BLAS backend and
	// Go version) stays with the data: redrawing it later does not change it.
	prov := Provenance{Revision: Revision(), Backend: backend.Name(), Go: runtime.Version()}
	kernels, err := trainKernels(c, res)
	if err != nil {
		return "", err
	}
	prov.Kernels = kernels
	if err := writeJSON(filepath.Join(data, ProvenanceFile), prov); err != nil {
		return "", err
	}
	if err := Render(dir, about); err != nil {
		return "", err
	}
	return dir, RenderIndex(results)
}

// ProvenanceFile records, next to published sweep tables, the build that
// published them.
const ProvenanceFile = "provenance.json"

// Provenance is the content of ProvenanceFile.
type Provenance struct {
	Revision string `json:"revision,omitempty"`
	Backend  string `json:"blas"`
	Go       string `json:"go"`
	// Kernels lists the OpenBLAS kernels the sweep's runs were trained
	// with (from their run.json), sorted; empty for the gonum backend.
	Kernels []string `json:"blas_kernels,omitempty"`
}

// trainKernels gathers the OpenBLAS kernels recorded by the train jobs in
// res: on a cluster, runs may come from nodes with different kernels.
func trainKernels(c *pipeline.Cache, res []pipeline.Result) ([]string, error) {
	var ks []string
	for _, r := range res {
		if r.Entry == nil || r.Key.Stage() != Train {
			continue
		}
		raw, err := c.ReadOutput(r.Entry, RunFile)
		if err != nil {
			return nil, err
		}
		var run struct {
			Kernel string `json:"blas_kernel"`
		}
		if err := json.Unmarshal(raw, &run); err != nil {
			return nil, fmt.Errorf("publish: %s of %s: %w", RunFile, r.Job, err)
		}
		if run.Kernel != "" && !slices.Contains(ks, run.Kernel) {
			ks = append(ks, run.Kernel)
		}
	}
	slices.Sort(ks)
	return ks, nil
}

func readProvenance(dataDir string) Provenance {
	var p Provenance
	if b, err := os.ReadFile(filepath.Join(dataDir, ProvenanceFile)); err == nil {
		json.Unmarshal(b, &p)
	}
	return p
}

// TimingsFile lists, next to published sweep tables, how long each run's
// training took: wall time is kept out of the cached tables (it varies
// between identical runs), so it is published from the train jobs'
// volatile timing outputs instead.
const TimingsFile = "timing.csv"

func writeTimings(c *pipeline.Cache, res []pipeline.Result, path string) error {
	var b strings.Builder
	b.WriteString("run_id,treatment,replicate,seed,train_seconds,epoch_seconds\n")
	n := 0
	for _, r := range res {
		if r.Entry == nil || r.Key.Stage() != Train {
			continue
		}
		var run struct {
			Run       string `json:"run"`
			Treatment string `json:"treatment"`
			Replicate int    `json:"replicate"`
			Seed      uint64 `json:"seed"`
		}
		var timing struct {
			Seconds float64   `json:"seconds"`
			Epochs  []float64 `json:"epoch_seconds"`
		}
		for name, v := range map[string]any{RunFile: &run, TimingFile: &timing} {
			raw, err := c.ReadOutput(r.Entry, name)
			if err != nil {
				return err
			}
			if err := json.Unmarshal(raw, v); err != nil {
				return fmt.Errorf("publish: %s of %s: %w", name, r.Job, err)
			}
		}
		eps := make([]string, len(timing.Epochs))
		for i, e := range timing.Epochs {
			eps[i] = strconv.FormatFloat(e, 'f', 3, 64)
		}
		fmt.Fprintf(&b, "%s,%s,%d,%d,%.3f,%s\n", run.Run, run.Treatment, run.Replicate, run.Seed, timing.Seconds, strings.Join(eps, ";"))
		n++
	}
	if n == 0 {
		return nil
	}
	return atomicfile.WriteBytes(path, []byte(b.String()))
}
