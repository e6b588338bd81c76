package figures

import (
	"bytes"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/ffchar/ffchar/analysis"
)

// The same tables give the same bytes, however often and in whatever order
// they are given.
func TestDeterministic(t *testing.T) {
	for _, tc := range figureCases {
		t.Run(tc.name, func(t *testing.T) {
			f1, err := tc.build()
			if err != nil {
				t.Fatal(err)
			}
			f2, _ := tc.build()
			if !bytes.Equal(render(t, f1, "svg"), render(t, f2, "svg")) {
				t.Error("two SVG renderings differ")
			}
		})
	}
	// PNG and PDF are slower; two figures cover bands, lines, glyphs,
	// text and the heatmap.
	for _, tc := range []int{0, 2} {
		for _, format := range []string{"png", "pdf"} {
			f1, _ := figureCases[tc].build()
			f2, _ := figureCases[tc].build()
			if !bytes.Equal(render(t, f1, format), render(t, f2, format)) {
				t.Errorf("%s: two %s renderings differ", figureCases[tc].name, format)
			}
		}
	}
}

func TestInputOrder(t *testing.T) {
	curves := fixtureCurves()
	slices.Reverse(curves)
	f, err := Accuracy(curves)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "1-accuracy.golden.svg"))
	if err != nil {
		t.Fatal(err)
	}
	if !equalImage("svg", render(t, f, "svg"), want) {
		t.Error("reversed curve summaries give another figure")
	}
}

func TestSave(t *testing.T) {
	f, err := FinalAccuracy(fixtureFinals())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, tc := range []struct{ name, magic string }{
		{"fig.png", "\x89PNG\r\n"},
		{"fig.svg", "<?xml"},
		{"fig.pdf", "%PDF-"},
		{"FIG.SVG", "<?xml"},
	} {
		path := filepath.Join(dir, tc.name)
		if err := os.WriteFile(path, []byte("old"), 0o666); err != nil {
			t.Fatal(err)
		}
		if err := Save(f, path); err != nil {
			t.Fatalf("Save(%s): %v", tc.name, err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte(tc.magic)) {
			t.Errorf("%s starts with %q, want %q", tc.name, b[:min(len(b), 8)], tc.magic)
		}
	}
	// Dated by a constant, not the clock, so that PDFs drawn at different
	// times are the same.
	pdf, _ := os.ReadFile(filepath.Join(dir, "fig.pdf"))
	if !bytes.Contains(pdf, []byte("/CreationDate (D:20000101000000)")) {
		t.Error("the PDF is not dated 2000-01-01")
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "fig.svg"))
	if !bytes.Equal(svg, render(t, f, "svg")) {
		t.Error("Save and Write give different SVG")
	}
	checkOnly(t, dir, "FIG.SVG", "fig.pdf", "fig.png", "fig.svg")
}

func TestSaveErrors(t *testing.T) {
	f, err := FinalAccuracy(fixtureFinals())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		fig  *Figure
		want []string // in the error
	}{
		{"fig.gif", f, []string{"fig.gif", `".gif"`}},
		{"fig", f, []string{"fig", `""`}},
		{"missing/fig.svg", f, []string{"missing/fig.svg"}},
		// Fails after the temporary file exists.
		{"empty.png", &Figure{}, []string{"empty.png", "not positive"}},
	} {
		path := filepath.Join(dir, tc.name)
		err := Save(tc.fig, path)
		if err == nil {
			t.Errorf("Save(%s): no error", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Save(%s): error %q does not mention %s", tc.name, err, w)
			}
		}
	}
	checkOnly(t, dir)
}

// checkOnly fails unless dir holds exactly the files names (sorted).
func checkOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, names) {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}

func TestWriteFormat(t *testing.T) {
	f, _ := FinalAccuracy(fixtureFinals())
	err := Write(new(bytes.Buffer), f, "jpeg")
	if err == nil || !strings.Contains(err.Error(), `"jpeg"`) {
		t.Errorf("Write jpeg: error %v, want one naming the format", err)
	}
}

func TestInputErrors(t *testing.T) {
	nanLabels := fixtureCurves()
	for i := range nanLabels {
		nanLabels[i].LabelAccuracy = summary(math.NaN(), 0, 0)
	}
	g := analysis.Group{Treatment: "a", Depth: 2, Width: 100}
	twin := analysis.Group{Treatment: "b", Depth: 2, Width: 100}
	shared := []analysis.CorrelationSummary{
		{Group: g, Layer: 1, Method: analysis.PearsonMethod, R: 0.5, Z: analysis.Summary{N: 3}},
		{Group: twin, Layer: 1, Method: analysis.PearsonMethod, R: 0.6, Z: analysis.Summary{N: 3}},
	}
	lag := fixtureDelays()
	lag = slices.DeleteFunc(lag, func(d analysis.DelaySummary) bool { return d.Measure == analysis.MeasureE50 })
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"Accuracy empty", second(Accuracy(nil)), "no curve summaries"},
		{"LabelAccuracy all missing", second(LabelAccuracy(nanLabels)), "no label accuracies"},
		{"Delays empty", second(Delays(nil, analysis.EpochDelays, analysis.MeasureE50, Reference{})), "no e50"},
		{"Delays no e50", second(Delays(lag, analysis.EpochDelays, analysis.MeasureE50, Reference{})), "no e50"},
		{"Delays no such width", second(Delays(fixtureDelays(), analysis.EpochDelays, analysis.MeasureE50, Reference{Outer: "9", Inner: "7"})), "width 7 or depth 9"},
		{"Delays no such step measure", second(Delays(fixtureStepDelays(), analysis.StepOptions{}.DelayOptions(), analysis.MeasureLag, Reference{})), "no lag"},
		{"FirstSteps nothing in range", second(FirstSteps(fixtureStepCurves(), -1)), "no curve summaries"},
		{"CorrelationHeatmap empty", second(CorrelationHeatmap(nil, "")), "no pearson"},
		{"CorrelationHeatmap method", second(CorrelationHeatmap(shared, analysis.SpearmanMethod)), "no spearman"},
		{"CorrelationByWidth shared shape", second(CorrelationByWidth(shared, "")), "share one"},
		{"FinalAccuracy empty", second(FinalAccuracy(nil)), "no final accuracies"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, tc.err, tc.want)
		}
	}
}

func second(_ *Figure, err error) error { return err }

func sharedShapeCurves(names []string) []analysis.CurveSummary {
	var curves []analysis.CurveSummary
	for _, name := range names {
		g := analysis.Group{Treatment: name, Depth: 2, Width: 100}
		for l := 1; l <= 2; l++ {
			for e := 1; e <= 3; e++ {
				s := summary(0.5+0.1*float64(e), 0.02, 3)
				curves = append(curves, analysis.CurveSummary{Group: g, Layer: l, Epoch: e,
					LayerAccuracy: s, ModelAccuracy: s, LabelAccuracy: s})
			}
		}
	}
	return curves
}

// Treatments whose names are not grid axes and that share a shape are laid
// out in order, named by treatment.
func TestSharedShapes(t *testing.T) {
	names := []string{"fast", "medium", "slow"}
	f, err := Accuracy(sharedShapeCurves(names))
	if err != nil {
		t.Fatal(err)
	}
	if r, c := f.dims(); r != 1 || c != 3 {
		t.Fatalf("grid %d×%d, want 1×3", r, c)
	}
	for i, name := range names {
		if got := f.Panels[0][i].Title.Text; !strings.HasPrefix(got, name+" (") {
			t.Errorf("panel %d title %q, want it to name %s", i, got, name)
		}
	}
	render(t, f, "svg")
}

// A grid over an axis other than depth and width is laid out by that
// axis, named after it, its levels in numeric order.
func TestFacetsByAxisName(t *testing.T) {
	f, err := Accuracy(sharedShapeCurves([]string{"lr=1", "lr=0.01", "lr=0.1"}))
	if err != nil {
		t.Fatal(err)
	}
	if r, c := f.dims(); r != 1 || c != 3 {
		t.Fatalf("grid %d×%d, want 1×3", r, c)
	}
	for i, want := range []string{"lr 0.01", "lr 0.1", "lr 1"} {
		if got := f.Panels[0][i].Title.Text; got != want {
			t.Errorf("panel %d title %q, want %q", i, got, want)
		}
	}
	render(t, f, "svg")
}

// Two axes: the first gives the rows, the last the columns, whatever
// their names; per-layer widths read as one level each.
func TestFacetsTwoAxes(t *testing.T) {
	var curves []analysis.CurveSummary
	for _, sched := range []string{"simultaneous", "greedy"} {
		for _, ws := range []string{"32x16", "16x32"} {
			g := analysis.Group{Treatment: "schedule=" + sched + ",widths=" + ws, Depth: 2, Width: 1000, Widths: ws}
			for l := 1; l <= 2; l++ {
				for e := 1; e <= 3; e++ {
					s := summary(0.5+0.1*float64(e), 0.02, 3)
					curves = append(curves, analysis.CurveSummary{Group: g, Layer: l, Epoch: e,
						LayerAccuracy: s, ModelAccuracy: s, LabelAccuracy: s})
				}
			}
		}
	}
	f, err := Accuracy(curves)
	if err != nil {
		t.Fatal(err)
	}
	if r, c := f.dims(); r != 2 || c != 2 {
		t.Fatalf("grid %d×%d, want 2×2", r, c)
	}
	want := [][]string{{"schedule greedy, widths 16x32", "schedule greedy, widths 32x16"},
		{"schedule simultaneous, widths 16x32", "schedule simultaneous, widths 32x16"}}
	for r := range want {
		for c := range want[r] {
			if got := f.Panels[r][c].Title.Text; got != want[r][c] {
				t.Errorf("panel %d,%d title %q, want %q", r, c, got, want[r][c])
			}
		}
	}
}

func TestLayerColor(t *testing.T) {
	if got, want := LayerColor(1), (color.NRGBA{0x00, 0x72, 0xB2, 0xFF}); got != want {
		t.Errorf("LayerColor(1) = %v, want Okabe–Ito blue %v", got, want)
	}
	seen := map[color.Color]int{}
	for l := 1; l <= len(layerColors); l++ {
		if k, dup := seen[LayerColor(l)]; dup {
			t.Errorf("layers %d and %d share a colour", k, l)
		}
		seen[LayerColor(l)] = l
		if layerLine(l).Dashes != nil {
			t.Errorf("layer %d is dashed", l)
		}
	}
	next := len(layerColors) + 1
	if LayerColor(next) != LayerColor(1) || layerLine(next).Dashes == nil {
		t.Errorf("layer %d: colour %v dashes %v; want layer 1's colour, dashed", next, LayerColor(next), layerLine(next).Dashes)
	}
}

func TestNiceTicks(t *testing.T) {
	// Expected labels worked out by hand from the rule: the smallest step
	// of 1, 2, 2.5 or 5 × 10^k leaving at most `intervals` intervals.
	for _, tc := range []struct {
		lo, hi float64
		t      niceTicks
		want   []string
	}{
		{52, 97, niceTicks{}, []string{"60", "70", "80", "90"}},
		{0.5, 1, niceTicks{}, []string{"0.5", "0.6", "0.7", "0.8", "0.9", "1.0"}},
		{0.45, 1, niceTicks{}, []string{"0.6", "0.8", "1.0"}},
		{-0.3, 0.3, niceTicks{}, []string{"-0.2", "0.0", "0.2"}},
		{1, 6, niceTicks{integer: true}, []string{"1", "2", "3", "4", "5", "6"}},
		{10, 100, niceTicks{integer: true, intervals: 4}, []string{"25", "50", "75", "100"}},
		{0, 1, niceTicks{intervals: 4}, []string{"0.00", "0.25", "0.50", "0.75", "1.00"}},
		{1, 2, niceTicks{integer: true}, []string{"1", "2"}},
		// A range of a few ulps (a constant series, padded): one tick, and
		// the call returns (steps beyond 2^53 used to loop forever).
		{0.99993, 0.99993 + 4e-15, niceTicks{}, []string{"0.99993"}},
	} {
		var got []string
		for _, tk := range tc.t.Ticks(tc.lo, tc.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%+v.Ticks(%g, %g) labels %q, want %q", tc.t, tc.lo, tc.hi, got, tc.want)
		}
	}
}

func TestWrap(t *testing.T) {
	sty := textStyle(titleSize)
	s := "one two three four five six seven eight nine ten\nshort"
	got := wrap(sty, s, sty.Width("one two three four"))
	want := "one two three four\nfive six seven\neight nine ten\nshort"
	if got != want {
		t.Errorf("wrap = %q, want %q", got, want)
	}
	if got := wrap(sty, "unbreakable", 1); got != "unbreakable" {
		t.Errorf("wrap of one long word = %q", got)
	}
}

// Figures fit the page: one or two 3.5 in columns.
func TestSizes(t *testing.T) {
	for _, tc := range figureCases {
		f, err := tc.build()
		if err != nil {
			t.Fatal(err)
		}
		if f.Width != ColumnWidth && f.Width != PageWidth {
			t.Errorf("%s: width %v in", tc.name, f.Width/vg.Inch)
		}
		if f.Height <= 0 || f.Height > 10*vg.Inch {
			t.Errorf("%s: height %v in", tc.name, f.Height/vg.Inch)
		}
	}
}

// Outer facet values of several axes compare axis by axis, numbers as
// numbers: depth 10 is larger than depth 2 whatever the width.
func TestCompareJoined(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"10, 500", "2, 500", 1},
		{"2, 500", "2, 1000", -1},
		{"base, 3", "base, 3", 0},
		{"greedy, 2", "base, 9", 1},
	} {
		if got := compareJoined(c.a, c.b); got != c.want {
			t.Errorf("compareJoined(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
