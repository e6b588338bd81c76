package stages

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ffchar/ffchar/analysis"
	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/experiments"
)

// curvesSplit is the split whose per-epoch curves an experiment's analysis
// uses (its [evaluate] curves): by default the validation set, evaluated
// identically after every epoch; or the training batches, averaged over
// each epoch as the reference logs them.
func curvesSplit(exp *experiments.Experiment) string {
	if exp == nil || exp.Evaluate.Curves == "" {
		return experiments.SplitVal
	}
	return exp.Evaluate.Curves
}

// Points turns the curves table into the analysis input: per run, epoch
// and layer, the layer's FF accuracy and the model accuracy on split. The
// model accuracy is the classifier's, or goodness-over-labels accuracy for
// recipes without a classifier.
func Points(rows []artifacts.MetricsRow, split string) []analysis.Point {
	var pts []analysis.Point
	for _, r := range rows {
		if r.Split != split {
			continue
		}
		model := r.ClassifierAccuracy
		if math.IsNaN(model) {
			model = r.GoodnessAccuracy
		}
		pts = append(pts, analysis.Point{
			Run: r.RunID, Treatment: r.Treatment, Depth: r.Depth, Width: r.Width, Seed: r.Seed,
			Epoch: r.Epoch, Layer: r.Layer,
			LayerAccuracy: r.FFAccuracy, ModelAccuracy: model, LabelAccuracy: r.LabelAccuracy,
		})
	}
	return pts
}

// Analyze runs the analysis over a sweep's curves of one split.
func Analyze(curves []artifacts.MetricsRow, split string) (*analysis.Report, error) {
	pts := Points(curves, split)
	if len(pts) == 0 {
		return nil, fmt.Errorf("analysis: no %q curves in the sweep", split)
	}
	return analysis.Analyze(pts, analysis.Options{})
}

// writeAnalysis analyses a sweep and writes every analysis table into dir
// as <name>.parquet.
func writeAnalysis(dir, split string, curves []artifacts.MetricsRow, evals []artifacts.EvaluationRow, meta map[string]string) error {
	rep, err := Analyze(curves, split)
	if err != nil {
		return err
	}
	for _, t := range AnalysisTables(rep, evals) {
		if err := artifacts.WriteTable(filepath.Join(dir, t.Name+".parquet"), t, meta); err != nil {
			return err
		}
	}
	return nil
}

// tableBuilder accumulates a Table row by row.
type tableBuilder struct {
	t   *artifacts.Table
	idx map[string]int
}

func newTable(name, title string) *tableBuilder {
	return &tableBuilder{t: &artifacts.Table{Name: name, Title: title}, idx: map[string]int{}}
}

func (b *tableBuilder) col(name string) *artifacts.Column {
	i, ok := b.idx[name]
	if !ok {
		i = len(b.t.Columns)
		b.idx[name] = i
		b.t.Columns = append(b.t.Columns, artifacts.Column{Name: name})
	}
	return &b.t.Columns[i]
}

func (b *tableBuilder) str(name, v string) { c := b.col(name); c.Strings = append(c.Strings, v) }
func (b *tableBuilder) int(name string, v int) {
	c := b.col(name)
	c.Ints = append(c.Ints, int64(v))
}
func (b *tableBuilder) num(name string, v float64) {
	c := b.col(name)
	c.Floats = append(c.Floats, finite(v))
}

// finite maps ±Inf (an interval that does not exist) to NaN, a missing value.
func finite(v float64) float64 {
	if math.IsInf(v, 0) {
		return math.NaN()
	}
	return v
}

func (b *tableBuilder) group(g analysis.Group) {
	b.str("treatment", g.Treatment)
	b.int("depth", g.Depth)
	b.int("width", g.Width)
}

func (b *tableBuilder) summary(prefix string, s analysis.Summary) {
	b.num(prefix+"mean", s.Mean)
	b.num(prefix+"lo", s.Lo)
	b.num(prefix+"hi", s.Hi)
	b.int(prefix+"n", s.N)
}

func warnText(ws []error) string {
	var s []string
	for _, w := range ws {
		s = append(s, w.Error())
	}
	return strings.Join(s, "; ")
}

// AnalysisTables turns a report (and the test-set evaluations) into the
// published tables, in a fixed order.
func AnalysisTables(rep *analysis.Report, evals []artifacts.EvaluationRow) []*artifacts.Table {
	conf := rep.Options.Confidence
	ci := fmt.Sprintf("%.0f%% CI", 100*conf)
	var out []*artifacts.Table

	h := newTable("hypotheses", "The paper's claims tested on this sweep: effect, "+ci+", p-value, runs and verdict ("+string(rep.Options.Method)+" correlations)")
	for _, hy := range rep.Hypotheses {
		for _, e := range hy.Effects {
			h.str("claim", hy.ID)
			h.str("statement", hy.Claim)
			h.str("statistic", e.Statistic)
			h.str("unit", e.Unit)
			h.num("value", e.Value)
			h.num("lo", e.Lo)
			h.num("hi", e.Hi)
			h.num("p", e.P)
			h.int("runs", e.Runs)
			h.str("effect_verdict", string(e.Verdict))
			h.str("verdict", string(hy.Verdict))
			h.str("warnings", warnText(e.Warnings))
		}
	}
	out = append(out, h.t)

	cs := newTable("correlation_summary", "Layer vs model accuracy over epochs, per treatment and layer: Fisher-z mean r over seeds with "+ci)
	for _, s := range rep.CorrelationSummaries {
		cs.group(s.Group)
		cs.int("layer", s.Layer)
		cs.str("method", string(s.Method))
		cs.num("r", s.R)
		cs.num("lo", s.Lo)
		cs.num("hi", s.Hi)
		cs.num("p", s.P)
		cs.int("seeds", s.Z.N)
		cs.int("undefined", s.Undefined)
	}
	out = append(out, cs.t)

	fc := newTable("final_correlation", "Final layer accuracy vs final model accuracy across seeds, per treatment and layer (Pearson, Fisher "+ci+")")
	for _, f := range rep.FinalCorrelations {
		fc.group(f.Group)
		fc.int("layer", f.Layer)
		fc.num("r", f.R)
		fc.num("lo", f.Lo)
		fc.num("hi", f.Hi)
		fc.num("p", f.P)
		fc.int("seeds", f.N)
	}
	out = append(out, fc.t)

	ds := newTable("delay_summary", "Epochs until a layer reaches 50/90/95% of its accuracy gain, and its lag behind layer 1, per treatment and layer: mean over seeds with "+ci)
	for _, d := range rep.DelaySummaries {
		ds.group(d.Group)
		ds.int("layer", d.Layer)
		ds.str("measure", d.Measure.String())
		ds.summary("", d.Summary)
		ds.int("undefined", d.Undefined)
	}
	out = append(out, ds.t)

	dt := newTable("delay_trend", "Growth of the delay with layer position, per treatment: mean per-run slope (epochs per layer) with "+ci+", and the signed-rank test that deeper layers are later")
	for _, d := range rep.DelayTrends {
		dt.group(d.Group)
		dt.str("measure", d.Measure.String())
		dt.summary("slope_", d.Slope)
		dt.num("signed_rank_p", d.Pooled.PGreater)
		dt.int("signed_rank_n", d.Pooled.N)
	}
	out = append(out, dt.t)

	rg := newTable("correlation_regression", fmt.Sprintf("Regression of atanh(r) (layer vs model) on layer, width/100 and depth; n = %d run-layers, R² = %.3f, %d clusters (runs)",
		rep.Regression.N, rep.Regression.R2, rep.Regression.Clusters))
	for _, c := range rep.Regression.Coefs {
		rg.str("term", c.Name)
		rg.num("estimate", c.Estimate)
		rg.num("se", c.SE)
		rg.num("lo", c.Lo)
		rg.num("hi", c.Hi)
		rg.num("p", c.P)
	}
	out = append(out, rg.t)

	fm := newTable("final_accuracy", "Final model accuracy per treatment on the analysed curves: mean over seeds with "+ci)
	for _, f := range rep.FinalModel {
		fm.group(f.Group)
		fm.summary("accuracy_", f.Summary)
	}
	out = append(out, fm.t)

	out = append(out, testAccuracyTable(evals, conf))

	cu := newTable("curve_summary", "Per treatment, layer and epoch: layer FF accuracy, model accuracy and the layer's 10-class accuracy on the analysed curves, mean over seeds with "+ci)
	for _, s := range rep.CurveSummaries {
		cu.group(s.Group)
		cu.int("layer", s.Layer)
		cu.int("epoch", s.Epoch)
		cu.summary("layer_accuracy_", s.LayerAccuracy)
		cu.summary("model_accuracy_", s.ModelAccuracy)
		cu.summary("label_accuracy_", s.LabelAccuracy)
	}
	out = append(out, cu.t)

	lm := newTable("layer_model_correlations", "Per run and layer: correlation of the layer's accuracy with the model's over epochs")
	for _, c := range rep.Correlations {
		lm.group(c.Group)
		lm.str("run", c.Run)
		lm.int("layer", c.Layer)
		lm.num("pearson_r", c.Pearson.R)
		lm.num("pearson_p", c.Pearson.P)
		lm.num("spearman_r", c.Spearman.R)
		lm.num("spearman_p", c.Spearman.P)
		lm.int("epochs", c.Pearson.N)
	}
	out = append(out, lm.t)

	dl := newTable("delays", "Per run and layer: accuracy gain, epochs to 50/90/95% of it (interpolated) and lag behind layer 1")
	for _, d := range rep.Delays {
		dl.group(d.Group)
		dl.str("run", d.Run)
		dl.int("layer", d.Layer)
		dl.num("gain", d.Gain)
		dl.num("t50", d.T50)
		dl.num("t90", d.T90)
		dl.num("t95", d.T95)
		dl.num("lag", d.Lag)
	}
	out = append(out, dl.t)
	return out
}

// testAccuracyTable summarises the test-set evaluations per treatment and
// checkpoint: classifier and goodness-over-labels accuracy over seeds.
func testAccuracyTable(evals []artifacts.EvaluationRow, conf float64) *artifacts.Table {
	type key struct {
		treatment    string
		depth, width int
		epoch        int
	}
	cls, good := map[key][]float64{}, map[key][]float64{}
	seen := map[string]bool{}
	var keys []key
	for _, e := range evals {
		id := fmt.Sprintf("%s/%d", e.RunID, e.Epoch)
		if seen[id] {
			continue // model columns repeat on every layer row
		}
		seen[id] = true
		k := key{e.Treatment, e.Depth, e.Width, e.Epoch}
		if _, ok := cls[k]; !ok {
			keys = append(keys, k)
		}
		cls[k] = append(cls[k], e.ClassifierAccuracy)
		good[k] = append(good[k], e.GoodnessAccuracy)
	}
	sort.SliceStable(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.depth != b.depth {
			return a.depth < b.depth
		}
		if a.width != b.width {
			return a.width < b.width
		}
		if a.treatment != b.treatment {
			return a.treatment < b.treatment
		}
		return a.epoch < b.epoch
	})
	t := newTable("test_accuracy", fmt.Sprintf("Test-set accuracy per treatment and checkpoint: classifier and goodness over labels, mean over seeds with %.0f%% CI", 100*conf))
	for _, k := range keys {
		t.group(analysis.Group{Treatment: k.treatment, Depth: k.depth, Width: k.width})
		t.int("epoch", k.epoch)
		t.summary("classifier_", analysis.MeanCI(cls[k], conf))
		t.summary("goodness_", analysis.MeanCI(good[k], conf))
	}
	return t.t
}
