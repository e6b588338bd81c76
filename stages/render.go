package stages

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

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
	{"fig2_delay", "The delay H1's verdict uses, against layer index: by depth (left) and by width (right), 95% CIs. At step resolution (the verdict's measure, in steps from initialisation) when the sweep recorded steps, else t50 in epochs.",
		func(r *Reports) (*figures.Figure, error) {
			if r.Steps != nil {
				return figures.StepDelays(r.Steps.DelaySummaries, r.Steps.Options.H1Measure, 0, 0)
			}
			return figures.Delays(r.Epoch.DelaySummaries, analysis.T50, 0, 0)
		}, nil},
	{"fig3_correlation_heatmap", "Pearson correlation of each layer's accuracy with the model's over epochs (Fisher-z mean over seeds), layer × treatment.",
		func(r *Reports) (*figures.Figure, error) {
			return figures.CorrelationHeatmap(r.Epoch.CorrelationSummaries, analysis.PearsonMethod)
		}, nil},
	{"fig4_correlation_width", "Layer–model correlation over epochs against layer width, one line per layer index, 95% CIs.",
		func(r *Reports) (*figures.Figure, error) {
			return figures.CorrelationByWidth(r.Epoch.CorrelationSummaries, analysis.PearsonMethod)
		}, nil},
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
				last = analysis.DefaultLagWindow
			}
			return figures.FirstSteps(r.Steps.CurveSummaries, last)
		}, hasSteps},
	{"fig8_step_correlation", "Layer–model correlation at step resolution: Fisher-z mean Pearson r over seeds of increments between recorded steps (the measure of H2's verdict; levels in the tables), layer × treatment.",
		func(r *Reports) (*figures.Figure, error) {
			return figures.CorrelationHeatmap(r.Steps.IncrementSummaries, analysis.PearsonMethod)
		}, hasSteps},
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

// drawFigures draws every figure from a sweep's curves into dir.
func drawFigures(curvesPath string, exp *experiments.Experiment, dir string) error {
	curves, _, err := artifacts.ReadMetrics(curvesPath)
	if err != nil {
		return err
	}
	rep, err := AnalyzeSweep(curves, exp)
	if err != nil {
		return err
	}
	return saveFigures(rep, dir)
}

func saveFigures(rep *Reports, dir string) error {
	for _, f := range drawable(rep) {
		fig, err := f.Draw(rep)
		if err != nil {
			return fmt.Errorf("figure %s: %w", f.Name, err)
		}
		for _, ext := range FigureFormats {
			if err := figures.Save(fig, filepath.Join(dir, f.Name+ext)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Sweep is a sweep's published data: the tables everything else is
// computed from.
type Sweep struct {
	Curves      []artifacts.MetricsRow
	Evaluations []artifacts.EvaluationRow
	Meta        map[string]string
}

// ReadSweep reads the sweep tables from dir (results/<experiment>/data).
func ReadSweep(dir string) (*Sweep, error) {
	curves, meta, err := artifacts.ReadMetrics(filepath.Join(dir, CurvesFile))
	if err != nil {
		return nil, err
	}
	evals, _, err := artifacts.ReadEvaluations(filepath.Join(dir, EvaluationsFile))
	if err != nil {
		return nil, err
	}
	return &Sweep{Curves: curves, Evaluations: evals, Meta: meta}, nil
}

// Render writes, from the sweep tables in out/data, every analysis table
// (Parquet, CSV, Markdown, LaTeX) into out/tables, every figure into
// out/figures and a results section into out/README.md. It trains
// nothing and reads no cache: this is how published results are redrawn.
func Render(out string, about ResultsInfo) error {
	sw, err := ReadSweep(filepath.Join(out, "data"))
	if err != nil {
		return err
	}
	rep, err := AnalyzeSweep(sw.Curves, about.Experiment)
	if err != nil {
		return err
	}
	tables := AnalysisTables(rep, sw.Evaluations)
	tdir, fdir := filepath.Join(out, "tables"), filepath.Join(out, "figures")
	for _, d := range []string{tdir, fdir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	prov := readProvenance(filepath.Join(out, "data"))
	meta := map[string]string{"ffchar.stage": Publish}
	if prov.Revision != "" {
		meta["ffchar.revision"] = prov.Revision
	}
	for _, t := range tables {
		if err := artifacts.WriteTable(filepath.Join(tdir, t.Name+".parquet"), t, meta); err != nil {
			return err
		}
		for ext, write := range map[string]func(*bytes.Buffer) error{
			".csv": func(b *bytes.Buffer) error { return t.WriteCSV(b) },
			".md":  func(b *bytes.Buffer) error { return t.WriteMarkdown(b) },
			".tex": func(b *bytes.Buffer) error { return t.WriteLaTeX(b) },
		} {
			var b bytes.Buffer
			if err := write(&b); err != nil {
				return err
			}
			if err := atomicfile.WriteBytes(filepath.Join(tdir, t.Name+ext), b.Bytes()); err != nil {
				return err
			}
		}
	}
	if err := saveFigures(rep, fdir); err != nil {
		return err
	}
	return atomicfile.WriteBytes(filepath.Join(out, "README.md"), []byte(resultsReadme(rep, tables, sw, about, prov)))
}
