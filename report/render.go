package report

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/ffchar/ffchar/internal/atomicfile"

	"github.com/ffchar/ffchar/analysis"
	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/figures"
)

// FigureSpec is one published figure: its file stem, caption, and the
// function drawing it from an analysis report.
type FigureSpec struct {
	Name    string
	Caption string
	Draw    func(*Reports) (*figures.Figure, error)
	// Needs, when set, says whether the reports have what the figure
	// shows.
	Needs func(*Reports) bool
}

// delayReference is what figure 2 holds fixed: a one-at-a-time sweep's
// base level (its figures name treatments by level, figureView), else the
// largest levels.
func delayReference(r *Reports) figures.Reference {
	if len(r.Levels) > 0 {
		return figures.Reference{Outer: baseLevel}
	}
	return figures.Reference{}
}

// hasEpochCorrelation says whether any per-epoch correlation is defined: a
// sweep of one or two epochs has too few points for one.
func hasEpochCorrelation(r *Reports) bool {
	for _, c := range r.Epoch.CorrelationSummaries {
		if c.Z.N > 0 {
			return true
		}
	}
	return false
}

// hasSteps says whether a sweep recorded step-resolution curves.
func hasSteps(r *Reports) bool { return r.Steps != nil }

// Figures lists the published figures in order.
var Figures = []FigureSpec{
	{"fig1_accuracy", "Layer FF accuracy and model accuracy on the held-out probe against optimizer step, from step 0 (log scale), per treatment (mean over seeds, 95% band). Without step recording: against epoch on the analysed per-epoch curves.",
		func(r *Reports) (*figures.Figure, error) {
			if r.Steps != nil {
				return figures.StepAccuracy(r.Steps.CurveSummaries)
			}
			return figures.Accuracy(r.Epoch.CurveSummaries)
		}, nil},
	{"fig2_delay", "The delay H1's verdict uses, against layer index: by depth (left) and by width (right), 95% CIs. At step resolution (the verdict's measure, in steps from initialisation) when the sweep recorded steps, else e50 in epochs.",
		func(r *Reports) (*figures.Figure, error) {
			if r.Steps != nil {
				return figures.Delays(r.Steps.DelaySummaries, r.Steps.Options.DelayOptions(), r.Steps.Options.H1Measure, delayReference(r))
			}
			return figures.Delays(r.Epoch.DelaySummaries, analysis.EpochDelays, r.Epoch.Options.DelayMeasure, delayReference(r))
		}, nil},
	{"fig3_correlation_heatmap", "Pearson correlation of each layer's accuracy with the model's over epochs (Fisher-z mean over seeds), layer × treatment.",
		func(r *Reports) (*figures.Figure, error) {
			return figures.CorrelationHeatmap(r.Epoch.CorrelationSummaries, analysis.PearsonMethod)
		}, hasEpochCorrelation},
	{"fig4_correlation_width", "Layer–model correlation over epochs against layer width, one line per layer index, 95% CIs.",
		func(r *Reports) (*figures.Figure, error) {
			return figures.CorrelationByWidth(r.Epoch.CorrelationSummaries, analysis.PearsonMethod)
		}, hasEpochCorrelation},
	{"fig5_final_accuracy", "Final validation model accuracy by depth and width, 95% CIs over seeds.",
		func(r *Reports) (*figures.Figure, error) { return figures.FinalAccuracy(r.Epoch.FinalModel) }, nil},
	{"fig6_label_accuracy", "Beyond the paper: each layer's own 10-class accuracy (argmax of its goodness over the ten labels) against epoch.",
		func(r *Reports) (*figures.Figure, error) { return figures.LabelAccuracy(r.Epoch.CurveSummaries) },
		// Training curves have no label accuracy unless the runs computed it
		// (train_label_metrics).
		func(r *Reports) bool {
			for _, c := range r.Epoch.CurveSummaries {
				if c.LabelAccuracy.N > 0 {
					return true
				}
			}
			return false
		}},
	{"fig7_first_epoch", "The first epoch at step resolution: layer FF accuracy and model accuracy on the held-out probe against optimizer step (linear), per treatment, mean over seeds with 95% bands.",
		func(r *Reports) (*figures.Figure, error) {
			last := r.StepsPerEpoch
			if last == 0 {
				last = r.Steps.Options.LagWindow
			}
			return figures.FirstSteps(r.Steps.CurveSummaries, last)
		}, hasSteps},
	{"fig8_step_correlation", "Layer–model correlation at step resolution, the paper's reading of H2: Fisher-z mean Pearson r over seeds of levels from each treatment's start step (the end of the classifier-only phase), layer × treatment. Its between-seed surrogate, which is nearly as large, is in tables/step_coupling.",
		func(r *Reports) (*figures.Figure, error) {
			return figures.CorrelationHeatmapOf(couplingSummaries(r.Steps.Couplings, r.Steps.Options.Views(0)[2]), analysis.PearsonMethod,
				"of levels from the start step (step resolution)")
		}, hasSteps},
	{"fig9_levels", "One factor at a time: per level (the base, or one axis changed), the model's test accuracy, H1's slope of the delay on layer index, and layer 1's correlation with the model (H2's measure), means with 95% CIs over the level's runs; dashed: the base.",
		levelFigure, func(r *Reports) bool { return len(r.Levels) > 0 }},
	{"fig10_timescales", "Timescales: per layer index, the Pearson r of the layer's increments with the model's over non-overlapping windows, against the window length, pooled over treatments (Fisher-z mean over runs, 95% CI); dashed: the between-seed surrogate (the shared time course); dotted: the reliability ceiling from the split-half probe, where recorded.",
		func(r *Reports) (*figures.Figure, error) { return figures.Timescales(timescaleSummaries(r.Steps)) },
		func(r *Reports) bool {
			if r.Steps == nil {
				return false
			}
			for _, t := range timescaleSummaries(r.Steps) {
				if !math.IsNaN(t.Within.Mean) {
					return true
				}
			}
			return false
		}},
}

// couplingSummaries restates the couplings of view v as correlation
// summaries (Pearson), for the heatmap.
func couplingSummaries(cs []analysis.Coupling, v analysis.View) []analysis.CorrelationSummary {
	var out []analysis.CorrelationSummary
	for i := range cs {
		c := &cs[i]
		if !c.View.Same(v) {
			continue
		}
		out = append(out, analysis.CorrelationSummary{Group: c.Group, Layer: c.Layer, Method: analysis.PearsonMethod,
			R: c.R(), Lo: math.Tanh(c.Within.Lo), Hi: math.Tanh(c.Within.Hi), P: c.Within.P, Z: c.Within})
	}
	return out
}

// timescaleSummaries pools the windowed couplings of every treatment per
// layer and window: the runs' own r, the surrogate and the mean ceiling.
func timescaleSummaries(st *analysis.StepReport) []figures.TimescaleSummary {
	var out []figures.TimescaleSummary
	for _, v := range st.Options.Views(0)[3:] {
		for _, p := range st.Pools {
			if !p.View.Same(v) || p.Within.N == 0 {
				continue
			}
			w := p.Within
			w.Mean, w.Lo, w.Hi = math.Tanh(w.Mean), math.Tanh(w.Lo), math.Tanh(w.Hi)
			out = append(out, figures.TimescaleSummary{Layer: p.Layer, Window: v.Window, Within: w,
				Surrogate: math.Tanh(p.Surrogate.Mean), Ceiling: p.Ceiling})
		}
	}
	return out
}

// drawable returns the figures the report has data for.
func drawable(rep *Reports) []FigureSpec {
	var fs []FigureSpec
	for _, f := range Figures {
		if f.Needs == nil || f.Needs(rep) {
			fs = append(fs, f)
		}
	}
	return fs
}

// FigureFormats are the formats every figure is saved in.
var FigureFormats = []string{".png", ".svg", ".pdf"}

// A FigurePage is one file of a published figure: its file stem (the
// figure's name, with "-1", "-2", … when the figure takes several pages)
// and what it draws.
type FigurePage struct {
	Name   string
	Figure *figures.Figure
}

// FigurePages draws every figure of a sweep as it is published, without
// saving it: for checking their layout.
func FigurePages(sw *Sweep, exp *experiments.Experiment) ([]FigurePage, error) {
	rep, err := AnalyzeSweep(sw.Curves, exp)
	if err != nil {
		return nil, err
	}
	if len(rep.Levels) > 0 {
		setTestAccuracy(rep.Levels, sw.Evaluations, rep.Steps.Options.Confidence)
	}
	return figurePages(figureView(rep, exp))
}

// figurePages draws the figures the report has data for, a figure too
// tall for a page split into pages (figures.Figure.Pages).
func figurePages(rep *Reports) ([]FigurePage, error) {
	var out []FigurePage
	for _, f := range drawable(rep) {
		fig, err := f.Draw(rep)
		if err != nil {
			return nil, fmt.Errorf("figure %s: %w", f.Name, err)
		}
		pages := fig.Pages()
		for i, p := range pages {
			name := f.Name
			if len(pages) > 1 {
				name += "-" + strconv.Itoa(i+1)
			}
			out = append(out, FigurePage{name, p})
		}
	}
	return out, nil
}

// figureFiles maps a figure's name to the file stems of its pages.
type figureFiles map[string][]string

// stems returns the file stems of the named figure: its pages, or the
// name itself when ff does not know it.
func (ff figureFiles) stems(name string) []string {
	if s := ff[name]; len(s) > 0 {
		return s
	}
	return []string{name}
}

// saveFigures saves every page of every figure in dir, removes the files
// of earlier pagings of the same figures (fig1_accuracy.png once the
// figure has pages, or fig1_accuracy-5.png once it has four) and returns
// the stems saved.
func saveFigures(rep *Reports, dir string) (figureFiles, error) {
	pages, err := figurePages(rep)
	if err != nil {
		return nil, err
	}
	files := figureFiles{}
	for _, p := range pages {
		for _, ext := range FigureFormats {
			if err := figures.Save(p.Figure, filepath.Join(dir, p.Name+ext)); err != nil {
				return nil, err
			}
		}
		name, _, _ := strings.Cut(p.Name, "-")
		files[name] = append(files[name], p.Name)
	}
	for name, stems := range files {
		for _, ext := range FigureFormats {
			old, err := filepath.Glob(filepath.Join(dir, name+"-[0-9]*"+ext))
			if err != nil {
				return nil, err
			}
			if len(stems) > 1 || stems[0] != name {
				old = append(old, filepath.Join(dir, name+ext))
			}
			for _, o := range old {
				if stem := strings.TrimSuffix(filepath.Base(o), ext); slices.Contains(stems, stem) {
					continue
				}
				if err := os.Remove(o); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return nil, err
				}
			}
		}
	}
	return files, nil
}

// Sweep is a sweep's published data: the tables everything else is
// computed from.
type Sweep struct {
	Curves      []artifacts.MetricsRow
	Evaluations []artifacts.EvaluationRow
}

// ReadmeFile is the results section a report writes.
const ReadmeFile = "README.md"

// Dirs says where a report's parts go: analysis tables (Parquet),
// figures, and the results README.
type Dirs struct{ Tables, Figures, Readme string }

// Write is the one place a sweep is analysed: it runs the analysis once
// and writes every analysis table as Parquet (with meta), every figure and
// the results README, with the provenance line prov after the line
// counting the runs when prov is not empty (WithProvenance). The correlate
// job calls it on its output folder; redraw, on published sweep tables
// without a cache.
func Write(d Dirs, sw *Sweep, exp *experiments.Experiment, meta map[string]string, prov string) ([]*artifacts.Table, error) {
	rep, err := AnalyzeSweep(sw.Curves, exp)
	if err != nil {
		return nil, err
	}
	if len(rep.Levels) > 0 {
		setTestAccuracy(rep.Levels, sw.Evaluations, rep.Steps.Options.Confidence)
	}
	tables := AnalysisTables(rep, sw.Evaluations)
	for _, dir := range []string{d.Tables, d.Figures, filepath.Dir(d.Readme)} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	for _, t := range tables {
		if err := artifacts.WriteTable(filepath.Join(d.Tables, t.Name+".parquet"), t, meta); err != nil {
			return nil, err
		}
	}
	files, err := saveFigures(figureView(rep, exp), d.Figures)
	if err != nil {
		return nil, err
	}
	return tables, atomicfile.WriteBytes(d.Readme, []byte(WithProvenance(resultsReadme(rep, tables, sw, ResultsInfo{Experiment: exp, figures: files}), prov)))
}

// WriteTableText writes a table's CSV, Markdown and LaTeX renderings next
// to its Parquet file in dir.
func WriteTableText(dir string, t *artifacts.Table) error {
	for ext, write := range map[string]func(*bytes.Buffer) error{
		".csv": func(b *bytes.Buffer) error { return t.WriteCSV(b) },
		".md":  func(b *bytes.Buffer) error { return t.WriteMarkdown(b) },
		".tex": func(b *bytes.Buffer) error { return t.WriteLaTeX(b) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			return err
		}
		if err := atomicfile.WriteBytes(filepath.Join(dir, t.Name+ext), b.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// WriteTablesText renders every Parquet analysis table in dir as text.
func WriteTablesText(dir string) error {
	paths, err := filepath.Glob(filepath.Join(dir, "*.parquet"))
	if err != nil {
		return err
	}
	for _, p := range paths {
		t, _, err := artifacts.ReadTable(p)
		if err != nil {
			return err
		}
		if err := WriteTableText(dir, t); err != nil {
			return err
		}
	}
	return nil
}
