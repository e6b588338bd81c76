package stages

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

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
			if err := writeFileAtomic(filepath.Join(data, name), b); err != nil {
				return "", fmt.Errorf("publish: %w", err)
			}
			copied++
		}
	}
	if copied == 0 {
		return "", fmt.Errorf("publish: no correlate results for %s: run the pipeline through correlate first", about.Experiment.Name)
	}
	// Which build computed the sweep stays with the data: redrawing it
	// later, with another build, does not change that.
	prov := Provenance{Revision: Revision(), Backend: backend.Name(), Go: runtime.Version()}
	if err := writeJSON(filepath.Join(data, ProvenanceFile), prov); err != nil {
		return "", err
	}
	if err := Render(dir, about); err != nil {
		return "", err
	}
	return dir, RenderIndex(results)
}

// ProvenanceFile records, next to published sweep tables, the build that
// computed them.
const ProvenanceFile = "provenance.json"

// Provenance is the content of ProvenanceFile.
type Provenance struct {
	Revision string `json:"revision,omitempty"`
	Backend  string `json:"blas"`
	Go       string `json:"go"`
}

func readProvenance(dataDir string) Provenance {
	var p Provenance
	if b, err := os.ReadFile(filepath.Join(dataDir, ProvenanceFile)); err == nil {
		json.Unmarshal(b, &p)
	}
	return p
}
