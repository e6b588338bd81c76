package stages

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/pipeline"
)

// PublishResults copies the outputs of the correlate and plot jobs among
// res into results/<experiment>/: the sweep's tables under data/, the
// analysis tables under tables/ and the figures under figures/. It is not
// a cached job: it writes into the working tree. Every file is replaced
// atomically. It returns the folder written.
func PublishResults(c *pipeline.Cache, exp *experiments.Experiment, res []pipeline.Result, results string) (string, error) {
	dir := filepath.Join(results, exp.Name)
	var wrote int
	for _, r := range res {
		if r.Entry == nil {
			continue
		}
		var sub string
		switch r.Key.Stage() {
		case Correlate:
			sub = "data"
		case Plot:
			sub = "figures"
		default:
			continue
		}
		outs := append([]pipeline.Output(nil), r.Entry.Outputs...)
		sort.Slice(outs, func(i, j int) bool { return outs[i].Name < outs[j].Name })
		for _, o := range outs {
			if pipeline.IsVolatile(o.Name) {
				continue
			}
			b, err := c.ReadOutput(r.Entry, o.Name)
			if err != nil {
				return "", err
			}
			d := filepath.Join(dir, sub)
			if sub == "data" && !isSweepTable(o.Name) {
				d = filepath.Join(dir, "tables")
			}
			if err := os.MkdirAll(d, 0o755); err != nil {
				return "", fmt.Errorf("publish: %w", err)
			}
			if err := writeFileAtomic(filepath.Join(d, o.Name), b); err != nil {
				return "", fmt.Errorf("publish: %w", err)
			}
			wrote++
		}
	}
	if wrote == 0 {
		return "", fmt.Errorf("publish: nothing to publish for %s: run the correlate and plot stages first", exp.Name)
	}
	return dir, nil
}

// isSweepTable tells the per-run tables of a sweep (curves, evaluations,
// confusion) from the analysis tables derived from them.
func isSweepTable(name string) bool {
	return strings.HasSuffix(name, ".parquet") && (name == CurvesFile || name == EvaluationsFile || name == ConfusionsFile)
}
