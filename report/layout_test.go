package report_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/internal/figcheck"
	"github.com/ffchar/ffchar/report"
	"github.com/ffchar/ffchar/stages"
)

// Every figure of every published design (results/*/data, as redraw
// reads it) keeps its texts apart and inside the figure, and is at most
// figures.MaxHeight tall.
func TestPublishedFigureLayout(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("..", "results", "*", "data", "curves.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Skip("no published results")
	}
	for _, curves := range dirs {
		data := filepath.Dir(curves)
		name := filepath.Base(filepath.Dir(data))
		t.Run(name, func(t *testing.T) {
			exp, err := experiments.ProfileIn(filepath.Join("..", "experiments"), name)
			if errors.Is(err, fs.ErrNotExist) {
				t.Skipf("no experiment file for %s", name)
			}
			if err != nil {
				t.Fatal(err)
			}
			sw, err := stages.ReadSweep(data)
			if err != nil {
				t.Fatal(err)
			}
			pages, err := report.FigurePages(sw, exp)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range pages {
				for _, e := range figcheck.Check(p.Figure) {
					t.Errorf("%s: %v", p.Name, e)
				}
			}
		})
	}
}
