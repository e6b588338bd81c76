package main

import (
	"github.com/ffchar/ffchar/dataset"
	"github.com/ffchar/ffchar/ff"
)

func writeTrainMetrics(path string, cfg ff.Config, seed uint64, splits *dataset.Splits, history []ff.EpochMetrics) error {
	return usageError{errorString("--out is not available yet")}
}

type errorString string

func (e errorString) Error() string { return string(e) }
