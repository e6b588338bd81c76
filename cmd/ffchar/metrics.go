package main

import (
	"fmt"
	"strings"

	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/backend"
	"github.com/ffchar/ffchar/dataset"
	"github.com/ffchar/ffchar/ff"
)

// writeTrainMetrics writes a standalone run's per-epoch and step metrics as
// the tidy metrics table, with the configuration and data provenance in the
// file's metadata.
func writeTrainMetrics(path string, cfg ff.Config, seed uint64, splits *dataset.Splits, history []ff.EpochMetrics, steps []ff.StepMetrics) error {
	id := fmt.Sprintf("%s-%s-seed%d", cfg.Recipe, strings.ReplaceAll(shape(cfg), "×", "x"), seed)
	meta := map[string]string{
		"ffchar.config": strings.Join(cfg.Lines(), "\n"),
		"ffchar.seed":   fmt.Sprint(seed),
		"ffchar.blas":   backend.Name(),
		"ffchar.data":   splits.Source,
	}
	// This table is not cached, so it can name the exact library build.
	if k := backend.Kernel(); k != "" {
		meta["ffchar.blas_kernel"] = k
		meta["ffchar.blas_config"] = backend.Config()
	}
	for _, f := range splits.Files {
		meta["ffchar.md5."+f.Name] = f.MD5
	}
	run := artifacts.RunMetrics{
		// Each layer's width (layer_width), since width alone does not
		// say it when the network sets widths.
		Info: artifacts.RunInfo{RunID: id, Treatment: id, Recipe: string(cfg.Recipe), Depth: cfg.Depth, Width: cfg.Width, Seed: seed,
			LayerWidths: cfg.LayerWidths()},
		Epochs: history, Steps: steps, StepsPerEpoch: splits.Train.N / cfg.BatchSize,
	}
	return artifacts.WriteMetrics(path, []artifacts.RunMetrics{run}, meta)
}
