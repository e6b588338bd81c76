package figures

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/ffchar/ffchar/analysis"
)

var (
	update = flag.Bool("update", false, "rewrite the golden SVGs in testdata/ (look at the diff first)")
	pngDir = flag.String("png", "", "also write each figure as PNG into this folder, to look at")
)

// The fixtures are small made-up results, shaped like the real ones: three
// depths by two widths (depth 1 at width 100 missing, to leave a blank
// panel), six epochs, five seeds. Values follow closed forms so that the
// figures show the expected shapes: deeper layers learn later, wider
// networks learn faster.

var (
	fixtureDepths = []int{1, 2, 3}
	fixtureWidths = []int{100, 500}
)

func fixtureGroups() []analysis.Group {
	var gs []analysis.Group
	for _, d := range fixtureDepths {
		for _, w := range fixtureWidths {
			if d == 1 && w == 100 {
				continue
			}
			gs = append(gs, analysis.Group{Treatment: "depth=" + itoa(d) + ",width=" + itoa(w), Depth: d, Width: w})
		}
	}
	return gs
}

func itoa(i int) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
		if i == 0 {
			return string(b)
		}
	}
}

func summary(mean, half float64, n int) analysis.Summary {
	s := analysis.Summary{Mean: mean, SD: half, N: n, Lo: mean - half, Hi: mean + half, Confidence: 0.95}
	if n < 2 {
		s.SD, s.Lo, s.Hi = math.NaN(), math.Inf(-1), math.Inf(1)
	}
	return s
}

// rise is a saturating learning curve from lo to hi that starts at delay.
func rise(epoch, delay, tau, lo, hi float64) float64 {
	t := max(epoch-delay, 0)
	return lo + (hi-lo)*(1-math.Exp(-t/tau))
}

func fixtureCurves() []analysis.CurveSummary {
	var cs []analysis.CurveSummary
	for _, g := range fixtureGroups() {
		tau := 2.5 * 100 / float64(g.Width+150)
		for l := 1; l <= g.Depth; l++ {
			for e := 1; e <= 6; e++ {
				ep := float64(e)
				delay := 0.6 * float64(l-1)
				c := analysis.CurveSummary{Group: g, Layer: l, Epoch: e,
					LayerAccuracy: summary(rise(ep, delay, tau, 0.55, 0.97-0.03*float64(l)), 0.01+0.005*float64(l), 5),
					ModelAccuracy: summary(rise(ep, 0, tau*1.2, 0.2, 0.96-0.01*float64(g.Depth)), 0.015, 5),
					LabelAccuracy: summary(rise(ep, delay, tau, 0.12, 0.93-0.05*float64(l)), 0.02, 5),
				}
				// One layer lost its label accuracy at one epoch, and one
				// treatment kept a single seed at the last epoch.
				if g.Depth == 2 && g.Width == 100 && l == 2 && e == 4 {
					c.LabelAccuracy = summary(math.NaN(), 0, 0)
				}
				if g.Depth == 1 && e == 6 {
					c.LayerAccuracy = summary(c.LayerAccuracy.Mean, 0, 1)
				}
				cs = append(cs, c)
			}
		}
	}
	return cs
}

// fixtureStepCurves are probe curves at steps (in CurveSummary.Epoch) 0,
// 1, 2, 4, 8, 16, then every 20 to 1000; deeper layers start later, by 60
// steps per layer.
func fixtureStepCurves() []analysis.CurveSummary {
	steps := []int{0, 1, 2, 4, 8, 16}
	for s := 20; s <= 1000; s += 20 {
		steps = append(steps, s)
	}
	var cs []analysis.CurveSummary
	for _, g := range fixtureGroups() {
		tau := 120 * 100 / float64(g.Width+150)
		for l := 1; l <= g.Depth; l++ {
			for _, st := range steps {
				x := float64(st)
				cs = append(cs, analysis.CurveSummary{Group: g, Layer: l, Epoch: st,
					LayerAccuracy: summary(rise(x, 60*float64(l-1), tau, 0.5, 0.97-0.03*float64(l)), 0.01, 5),
					ModelAccuracy: summary(rise(x, 30, tau*1.2, 0.1, 0.96-0.01*float64(g.Depth)), 0.015, 5),
					LabelAccuracy: summary(math.NaN(), 0, 0),
				})
			}
		}
	}
	return cs
}

func fixtureStepDelays() []analysis.DelaySummary {
	var ds []analysis.DelaySummary
	for _, g := range fixtureGroups() {
		for l := 1; l <= g.Depth; l++ {
			mean := 80 + 60*float64(l-1)*300/float64(g.Width+200)
			ds = append(ds, analysis.DelaySummary{Group: g, Layer: l, Measure: analysis.MeasureS50, Summary: summary(mean, 8+2*float64(l), 5)})
		}
	}
	return ds
}

func fixtureCorrelations() []analysis.CorrelationSummary {
	var cs []analysis.CorrelationSummary
	for _, g := range fixtureGroups() {
		for l := 1; l <= g.Depth; l++ {
			r := min(0.98, 0.9-0.25*float64(l-1)*float64(l-1)+0.0001*float64(g.Width-100)-0.05*float64(g.Depth))
			for _, m := range []analysis.Method{analysis.PearsonMethod, analysis.SpearmanMethod} {
				if m == analysis.SpearmanMethod {
					r -= 0.05
				}
				c := analysis.CorrelationSummary{Group: g, Layer: l, Method: m,
					R: r, Lo: max(-1, r-0.15), Hi: min(1, r+0.08), P: 0.01,
					Z: analysis.Summary{N: 5, Confidence: 0.95}}
				// Every run of one layer was constant: undefined.
				if g.Depth == 3 && g.Width == 100 && l == 3 {
					c.R, c.Lo, c.Hi, c.P = math.NaN(), math.NaN(), math.NaN(), math.NaN()
					c.Z.N, c.Undefined = 0, 5
				}
				cs = append(cs, c)
			}
		}
	}
	return cs
}

func fixtureDelays() []analysis.DelaySummary {
	var ds []analysis.DelaySummary
	for _, g := range fixtureGroups() {
		for l := 1; l <= g.Depth; l++ {
			for i, m := range analysis.EpochDelays.Measures() {
				mean := 1 + 0.8*float64(l-1)*300/float64(g.Width+200) + 0.3*float64(g.Depth-1)
				mean *= 1 + float64(i)
				ds = append(ds, analysis.DelaySummary{Group: g, Layer: l, Measure: m, Summary: summary(mean, 0.3+0.1*float64(l), 5)})
			}
		}
	}
	return ds
}

func fixtureFinals() []analysis.FinalAccuracy {
	var fs []analysis.FinalAccuracy
	for _, g := range fixtureGroups() {
		mean := 0.9 + 0.02*float64(g.Depth) + 0.00003*float64(g.Width)
		fs = append(fs, analysis.FinalAccuracy{Group: g, Summary: summary(mean, 0.006, 5)})
	}
	return fs
}

// figureCases builds every figure from the fixtures.
var figureCases = []struct {
	name  string
	build func() (*Figure, error)
}{
	{"1-accuracy", func() (*Figure, error) { return Accuracy(fixtureCurves()) }},
	{"2-delays", func() (*Figure, error) {
		return Delays(fixtureDelays(), analysis.EpochDelays, analysis.MeasureE50, Reference{})
	}},
	{"3-correlation-heatmap", func() (*Figure, error) { return CorrelationHeatmap(fixtureCorrelations(), "") }},
	{"4-correlation-width", func() (*Figure, error) { return CorrelationByWidth(fixtureCorrelations(), "") }},
	{"5-final-accuracy", func() (*Figure, error) { return FinalAccuracy(fixtureFinals()) }},
	{"6-label-accuracy", func() (*Figure, error) { return LabelAccuracy(fixtureCurves()) }},
	{"1s-step-accuracy", func() (*Figure, error) { return StepAccuracy(fixtureStepCurves()) }},
	{"2s-step-delays", func() (*Figure, error) {
		return Delays(fixtureStepDelays(), analysis.StepOptions{}.DelayOptions(), analysis.MeasureS50, Reference{})
	}},
	{"7-first-steps", func() (*Figure, error) { return FirstSteps(fixtureStepCurves(), 500) }},
	{"9-levels", func() (*Figure, error) { return Levels(fixtureLevels(), "s50", "levels from the start step") }},
	{"8-step-correlation-heatmap", func() (*Figure, error) {
		return CorrelationHeatmapOf(fixtureCorrelations(), "", "of levels from the start step (step resolution)")
	}},
	{"10-timescales", func() (*Figure, error) { return Timescales(fixtureTimescales(true)) }},
	{"10-timescales-no-ceiling", func() (*Figure, error) { return Timescales(fixtureTimescales(false)) }},
}

// fixtureTimescales is three layers at five windows: the runs' own r rising
// with the window, the surrogate just below it (a shared time course), and,
// with ceilings, a ceiling rising from 0.3 to 0.9.
func fixtureTimescales(ceilings bool) []TimescaleSummary {
	var ts []TimescaleSummary
	for l := 1; l <= 3; l++ {
		for i, w := range []int{20, 40, 60, 100, 160} {
			r := 0.1 + 0.15*float64(i) - 0.05*float64(l-1)
			c := math.NaN()
			if ceilings {
				c = 0.3 + 0.15*float64(i)
			}
			ts = append(ts, TimescaleSummary{Layer: l, Window: w, Within: summary(r, 0.1, 30), Surrogate: r - 0.03, Ceiling: c})
		}
	}
	return ts
}

// fixtureLevels is a one-at-a-time sweep's levels: the base, then levels
// moving each quantity, one without an interval (a single seed).
func fixtureLevels() []LevelSummary {
	return []LevelSummary{
		{"base", summary(0.95, 0.004, 8), summary(85, 10, 8), summary(0.08, 0.02, 8)},
		{"epochs=2", summary(0.93, 0.005, 8), summary(80, 12, 8), summary(0.07, 0.02, 8)},
		{"schedule=greedy", summary(0.92, 0.006, 8), summary(900, 40, 8), summary(0.02, 0.03, 8)},
		{"readout=all", summary(0.955, 0.004, 8), summary(86, 10, 8), summary(0.4, 0.05, 8)},
		{"source=fashion-mnist", summary(0.84, 0.01, 1), summary(120, 20, 1), summary(0.1, 0.02, 1)},
	}
}

func render(t *testing.T, f *Figure, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, f, format); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGolden(t *testing.T) {
	for _, tc := range figureCases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.build()
			if err != nil {
				t.Fatal(err)
			}
			got := render(t, f, "svg")
			if *pngDir != "" {
				if err := Save(f, filepath.Join(*pngDir, tc.name+".png")); err != nil {
					t.Fatal(err)
				}
			}
			golden := filepath.Join("testdata", tc.name+".golden.svg")
			if *update {
				if err := os.WriteFile(golden, got, 0o666); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !equalImage("svg", got, want) {
				failed := filepath.Join(os.TempDir(), "figures-"+tc.name+".got.svg")
				if err := os.WriteFile(failed, got, 0o666); err != nil {
					t.Log(err)
				}
				t.Errorf("%s differs from %s; the new rendering is in %s: look at both, then go test -update if the change is wanted", tc.name, golden, failed)
			}
		})
	}
}
