package stages

import (
	"fmt"
	"os"
	"path/filepath"

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
	return dir, Render(dir, about)
}
