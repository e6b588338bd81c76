package figures_test

import (
	"flag"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/cmpimg"

	"github.com/ffchar/ffchar/analysis"
	"github.com/ffchar/ffchar/figures"
	"github.com/ffchar/ffchar/internal/figcheck"
)

// The designs are the shapes figures meet, each with 1, 2, 3 and 8 levels
// of its axis: a numeric axis given out of order (widths 1000, 300, …,
// which must read 20, 50, …, 5000), depth (up to 8 layers: the layer
// colours repeat, dashed, past the seventh), and a one-at-a-time sweep as
// beyond's, its levels crossed with two widths, where one level's delays
// are on another scale (greedy), one has too few epochs for a
// correlation, and one failed to learn (its final accuracy far below the
// others').
var designLevels = []int{1, 2, 3, 8}

var (
	designWidths     = []int{1000, 300, 50, 5000, 100, 2000, 20, 500}
	designLevelNames = []string{"base", "source=fashion-mnist", "schedule=greedy", "epochs=2", "epochs=8",
		"peer_weight=0", "readout=all", "recipe=pezeshki"}
)

// design is one treatment per level: its group and its delay scale.
type design struct {
	name   string
	groups []analysis.Group
	levels []string // one-at-a-time level names, in order, base first
}

func designs() []design {
	var ds []design
	for _, n := range designLevels {
		w := design{name: fmt.Sprintf("width%d", n)}
		for _, width := range designWidths[:n] {
			w.groups = append(w.groups, analysis.Group{Treatment: fmt.Sprintf("depth=3,width=%d", width), Depth: 3, Width: width})
		}
		d := design{name: fmt.Sprintf("depth%d", n)}
		for depth := 1; depth <= n; depth++ {
			d.groups = append(d.groups, analysis.Group{Treatment: fmt.Sprintf("depth=%d,width=100", depth), Depth: depth, Width: 100})
		}
		l := design{name: fmt.Sprintf("levels%d", n), levels: designLevelNames[:n]}
		for _, lv := range designLevelNames[:n] {
			for _, width := range []int{500, 250} {
				l.groups = append(l.groups, analysis.Group{Treatment: fmt.Sprintf("level=%s,width=%d", lv, width), Depth: 3, Width: width})
			}
		}
		ds = append(ds, w, d, l)
	}
	return ds
}

func sum(mean, half float64) analysis.Summary {
	return analysis.Summary{Mean: mean, SD: half, N: 8, Lo: mean - half, Hi: mean + half, Confidence: 0.95}
}

func rise(t, delay, tau, lo, hi float64) float64 {
	return lo + (hi-lo)*(1-math.Exp(-max(t-delay, 0)/tau))
}

func level(g analysis.Group) string {
	_, rest, _ := strings.Cut(g.Treatment, "level=")
	l, _, _ := strings.Cut(rest, ",width")
	return l
}

// slow is how much later a treatment's layers learn: greedy training
// holds each layer back until the one before has trained.
func slow(g analysis.Group, layer int) float64 {
	if level(g) == "schedule=greedy" {
		return 20 * float64(layer-1)
	}
	return 1
}

func (d design) curves(steps bool) []analysis.CurveSummary {
	var cs []analysis.CurveSummary
	clock := []int{1, 2, 3, 4, 5, 6}
	if steps {
		clock = []int{0, 1, 2, 4, 8, 16, 32, 64, 100, 200, 300, 400, 500}
	}
	scale := 1.0
	if steps {
		scale = 60
	}
	for _, g := range d.groups {
		tau := scale * 100 / float64(g.Width+150)
		for l := 1; l <= g.Depth; l++ {
			for _, e := range clock {
				x := float64(e)
				delay := scale * 0.5 * float64(l-1) * slow(g, l)
				c := analysis.CurveSummary{Group: g, Layer: l, Epoch: e,
					LayerAccuracy: sum(rise(x, delay, tau, 0.5, 0.97-0.02*float64(l)), 0.01),
					ModelAccuracy: sum(rise(x, 0, tau*1.2, 0.1, 0.95-0.005*float64(g.Depth)), 0.015),
					LabelAccuracy: sum(rise(x, delay, tau, 0.1, 0.9-0.04*float64(l)), 0.02),
				}
				if steps {
					c.LabelAccuracy = analysis.Summary{Mean: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
				}
				cs = append(cs, c)
			}
		}
	}
	return cs
}

func (d design) delays(measure string, unit float64) []analysis.DelaySummary {
	var ds []analysis.DelaySummary
	for _, g := range d.groups {
		for l := 1; l <= g.Depth; l++ {
			mean := unit * (1 + 0.5*float64(l-1)*300/float64(g.Width+200)*slow(g, l))
			ds = append(ds, analysis.DelaySummary{Group: g, Layer: l, Measure: measure, Summary: sum(mean, unit*0.1)})
		}
	}
	return ds
}

func (d design) correlations() []analysis.CorrelationSummary {
	var cs []analysis.CorrelationSummary
	for _, g := range d.groups {
		for l := 1; l <= g.Depth; l++ {
			r := max(0.95-0.02*float64(l*l)+0.00002*float64(g.Width), -0.9)
			c := analysis.CorrelationSummary{Group: g, Layer: l, Method: analysis.PearsonMethod,
				R: r, Lo: max(-1, r-0.1), Hi: min(1, r+0.04), P: 0.01, Z: analysis.Summary{N: 8, Confidence: 0.95}}
			if level(g) == "epochs=2" { // two points per curve: no correlation
				c.R, c.Lo, c.Hi, c.P = math.NaN(), math.NaN(), math.NaN(), math.NaN()
				c.Z.N, c.Undefined = 0, 8
			}
			cs = append(cs, c)
		}
	}
	return cs
}

func (d design) finals() []analysis.FinalAccuracy {
	var fs []analysis.FinalAccuracy
	for i, g := range d.groups {
		acc := 0.9 + 0.01*float64(g.Depth) + 0.00001*float64(g.Width) - 0.003*float64(i%5)
		if level(g) == "source=fashion-mnist" {
			acc = 0.12 // a level that failed to learn: far below the others
		}
		fs = append(fs, analysis.FinalAccuracy{Group: g, Summary: sum(acc, 0.005)})
	}
	return fs
}

func (d design) levelSummaries() []figures.LevelSummary {
	var ls []figures.LevelSummary
	for i, name := range d.levels {
		h1 := 40 + 5*float64(i)
		if name == "schedule=greedy" {
			h1 = 2000
		}
		ls = append(ls, figures.LevelSummary{Name: name, Accuracy: sum(0.95-0.01*float64(i), 0.004),
			H1: sum(h1, 8), H2: sum(0.1+0.05*float64(i), 0.03)})
	}
	return ls
}

func (d design) timescales() []figures.TimescaleSummary {
	var ts []figures.TimescaleSummary
	layers := 0
	for _, g := range d.groups {
		layers = max(layers, g.Depth)
	}
	for l := 1; l <= layers; l++ {
		for i, w := range []int{20, 40, 100, 200} {
			r := 0.2 + 0.15*float64(i) - 0.03*float64(l-1)
			ts = append(ts, figures.TimescaleSummary{Layer: l, Window: w, Within: sum(r, 0.08), Surrogate: r - 0.05, Ceiling: r + 0.2})
		}
	}
	return ts
}

// figures draws every figure of the design, as report does.
func (d design) figures() map[string]func() (*figures.Figure, error) {
	ref := figures.Reference{}
	if d.levels != nil {
		ref.Outer = "base"
	}
	fs := map[string]func() (*figures.Figure, error){
		"1":  func() (*figures.Figure, error) { return figures.Accuracy(d.curves(false)) },
		"1s": func() (*figures.Figure, error) { return figures.StepAccuracy(d.curves(true)) },
		"2": func() (*figures.Figure, error) {
			return figures.Delays(d.delays(analysis.MeasureE50, 1), analysis.EpochDelays, analysis.MeasureE50, ref)
		},
		"2s": func() (*figures.Figure, error) {
			return figures.Delays(d.delays(analysis.MeasureS50, 80), analysis.StepOptions{}.DelayOptions(), analysis.MeasureS50, ref)
		},
		"3":  func() (*figures.Figure, error) { return figures.CorrelationHeatmap(d.correlations(), "") },
		"4":  func() (*figures.Figure, error) { return figures.CorrelationByWidth(d.correlations(), "") },
		"5":  func() (*figures.Figure, error) { return figures.FinalAccuracy(d.finals()) },
		"6":  func() (*figures.Figure, error) { return figures.LabelAccuracy(d.curves(false)) },
		"7":  func() (*figures.Figure, error) { return figures.FirstSteps(d.curves(true), 300) },
		"10": func() (*figures.Figure, error) { return figures.Timescales(d.timescales()) },
	}
	if d.levels != nil {
		fs["9"] = func() (*figures.Figure, error) {
			return figures.Levels(d.levelSummaries(), "s50", "levels from the start step")
		}
	}
	return fs
}

// goldenDesigns are the designs whose figures are compared with golden
// SVGs; every design's figures are checked for their layout.
var goldenDesigns = map[string]bool{"width1": true, "width8": true, "depth8": true, "levels1": true, "levels2": true, "levels3": true, "levels8": true}

// Every figure of every design keeps its texts apart and inside the
// figure, is at most MaxHeight tall page by page, and (for the golden
// designs) draws as its golden SVG.
func TestDesigns(t *testing.T) {
	update := flag.Lookup("update").Value.String() == "true"
	pngDir := flag.Lookup("png").Value.String()
	for _, d := range designs() {
		fs := d.figures()
		for _, name := range slices.Sorted(maps.Keys(fs)) {
			build := fs[name]
			t.Run(d.name+"/"+name, func(t *testing.T) {
				f, err := build()
				if err != nil {
					t.Fatal(err)
				}
				pages := f.Pages()
				for i, p := range pages {
					for _, e := range figcheck.Check(p) {
						t.Errorf("page %d: %v", i+1, e)
					}
					stem := fmt.Sprintf("%s-%s-%d", d.name, name, i+1)
					if pngDir != "" {
						if err := figures.Save(p, filepath.Join(pngDir, stem+".png")); err != nil {
							t.Fatal(err)
						}
					}
					if !goldenDesigns[d.name] {
						continue
					}
					golden := filepath.Join("testdata", "designs", stem+".golden.svg")
					var b strings.Builder
					if err := figures.Write(&b, p, "svg"); err != nil {
						t.Fatal(err)
					}
					got := []byte(b.String())
					if update {
						if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
							t.Fatal(err)
						}
						if err := os.WriteFile(golden, got, 0o666); err != nil {
							t.Fatal(err)
						}
						continue
					}
					want, err := os.ReadFile(golden)
					if err != nil {
						t.Errorf("%v (run go test -update to create it)", err)
						continue
					}
					if ok, err := cmpimg.Equal("svg", got, want); err != nil || !ok {
						failed := filepath.Join(os.TempDir(), "figures-"+filepath.Base(golden))
						if err := os.WriteFile(failed, got, 0o666); err != nil {
							t.Log(err)
						}
						t.Errorf("page %d differs from %s; the new rendering is in %s", i+1, golden, failed)
					}
				}
			})
		}
	}
}
