package report

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ffchar/ffchar/analysis"
	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/experiments"
)

// CurvesSplit is the split whose per-epoch curves an experiment's analysis
// uses (its [evaluate] curves): by default the validation set, evaluated
// identically after every epoch; or the training batches, averaged over
// each epoch as the reference logs them.
func CurvesSplit(exp *experiments.Experiment) string {
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
	return points(rows, split, func(r *artifacts.MetricsRow) int { return r.Epoch })
}

// points is Points with the x value of each point (Point.Epoch) taken by x.
func points(rows []artifacts.MetricsRow, split string, x func(*artifacts.MetricsRow) int) []analysis.Point {
	var pts []analysis.Point
	for i := range rows {
		r := &rows[i]
		if r.Split != split {
			continue
		}
		model := r.ClassifierAccuracy
		if math.IsNaN(model) {
			model = r.GoodnessAccuracy
		}
		pts = append(pts, analysis.Point{
			Run: r.RunID, Treatment: r.Treatment, Depth: r.Depth, Width: r.Width,
			Widths: analysis.FormatWidths(r.LayerWidths, r.Width), Seed: r.Seed,
			Epoch: x(r), Layer: r.Layer,
			LayerAccuracy: r.FFAccuracy, ModelAccuracy: model, LabelAccuracy: r.LabelAccuracy,
		})
	}
	return pts
}

// Reports are a sweep's analyses: over the per-epoch curves of the
// experiment's curves split, and at step resolution over the held-out
// probe's curves when the sweep recorded them.
type Reports struct {
	Epoch *analysis.Report
	// Steps is nil when the curves hold no probe rows.
	Steps *analysis.StepReport
	// StepsPerEpoch is the optimizer steps of an epoch (from the curves);
	// 0 when unknown.
	StepsPerEpoch int
	// Levels are the step-resolution analyses per level of a
	// one-at-a-time design; nil for other designs.
	Levels []Level
}

// StepOptions returns the step-resolution analysis options of an
// experiment's [analysis] table (defaults for a nil experiment).
func StepOptions(exp *experiments.Experiment) analysis.StepOptions {
	if exp == nil {
		return analysis.StepOptions{}
	}
	return exp.Analysis
}

// StepPoints turns the probe rows of the curves table into the
// step-resolution analysis input, the step in Point.Epoch.
func StepPoints(rows []artifacts.MetricsRow) []analysis.Point {
	return splitPoints(rows, artifacts.SplitProbe)
}

func splitPoints(rows []artifacts.MetricsRow, split string) []analysis.Point {
	return points(rows, split, func(r *artifacts.MetricsRow) int { return r.Step })
}

// halfPoints returns the points of the probe's two halves, or nil when the
// curves have none (a sweep recorded without the split-half probe).
func halfPoints(rows []artifacts.MetricsRow) [][]analysis.Point {
	a, b := splitPoints(rows, artifacts.SplitProbeA), splitPoints(rows, artifacts.SplitProbeB)
	if len(a) == 0 || len(b) == 0 {
		return nil
	}
	return [][]analysis.Point{a, b}
}

// stepOptions are exp's step options with the probe's size read from the
// curves' probe rows.
func stepOptions(exp *experiments.Experiment, rows []artifacts.MetricsRow) analysis.StepOptions {
	o := StepOptions(exp)
	for _, r := range rows {
		if r.Split == artifacts.SplitProbe {
			o.ProbeSamples = r.Samples
			break
		}
	}
	return o
}

// AnalyzeSweep runs both analyses of a sweep's curves under exp's
// settings.
func AnalyzeSweep(curves []artifacts.MetricsRow, exp *experiments.Experiment) (*Reports, error) {
	rep, err := Analyze(curves, CurvesSplit(exp))
	if err != nil {
		return nil, err
	}
	out := &Reports{Epoch: rep}
	for _, r := range curves {
		if (r.Split == artifacts.SplitTrain || r.Split == artifacts.SplitVal) && r.Epoch == 1 {
			out.StepsPerEpoch = r.Step
			break
		}
	}
	if pts := StepPoints(curves); len(pts) > 0 {
		halves := halfPoints(curves)
		opt := stepOptions(exp, curves)
		if out.Steps, err = analysis.StepAnalyze(pts, opt, halves...); err != nil {
			return nil, err
		}
		if out.Levels, err = analyzeLevels(exp, opt, pts, halves, out.StepsPerEpoch); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Analyze runs the analysis over a sweep's curves of one split.
func Analyze(curves []artifacts.MetricsRow, split string) (*analysis.Report, error) {
	pts := Points(curves, split)
	if len(pts) == 0 {
		return nil, fmt.Errorf("analysis: no %q curves in the sweep", split)
	}
	return analysis.Analyze(pts, analysis.Options{})
}

// tableBuilder accumulates a Table row by row.
type tableBuilder struct {
	t   *artifacts.Table
	idx map[string]int
	// axes are the grid axes, in first-written order, kept as strings
	// until table types each column whole (artifacts.AxisColumn); axisCol
	// names each axis's column.
	axes    []string
	axisCol map[string]string
}

// table finishes the table: each axis column typed once.
func (b *tableBuilder) table() *artifacts.Table {
	for _, name := range b.axes {
		c := b.col(b.axisCol[name])
		typed := artifacts.AxisColumn(name, c.Strings)
		typed.Name = c.Name
		*c = typed
	}
	return b.t
}

func newTable(name, title string) *tableBuilder {
	return &tableBuilder{t: &artifacts.Table{Name: name, Title: title}, idx: map[string]int{}, axisCol: map[string]string{}}
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

// A statistic is never named like an engine field (TestStatisticNames),
// so an axis column has the same name here as in the sweep tables
// (artifacts.AxisColumnName) and no statistic writes into it.
func (b *tableBuilder) str(name, v string) { c := b.col(name); c.Strings = append(c.Strings, v) }
func (b *tableBuilder) int(name string, v int) {
	c := b.col(name)
	c.Ints = append(c.Ints, int64(v))
}
func (b *tableBuilder) num(name string, v float64) {
	c := b.col(name)
	c.Floats = append(c.Floats, finite(v))
}

// holm adds column dst: the Holm adjustment (analysis.Holm) of the
// p-values in column src over the whole table, the family of tests it
// reports.
func (b *tableBuilder) holm(src, dst string) {
	if _, ok := b.idx[src]; !ok {
		return // an empty table
	}
	for _, p := range analysis.Holm(b.col(src).Floats) {
		b.num(dst, p)
	}
}

// finite maps ±Inf (an interval that does not exist) to NaN, a missing value.
func finite(v float64) float64 {
	if math.IsInf(v, 0) {
		return math.NaN()
	}
	return v
}

// group writes a treatment's identity columns: its name, one column per
// grid axis named as in the sweep tables (artifacts.AxisColumnName) and
// typed as there, then depth and
// width where they are not axes (width not at all when the runs set
// per-layer widths: the layer tables have layer_width). With a depth ×
// width grid these are the columns treatment, depth, width.
func (b *tableBuilder) group(g analysis.Group) {
	b.str("treatment", g.Treatment)
	var names []string
	for _, a := range g.Axes() {
		names = append(names, a.Name)
		if _, ok := b.axisCol[a.Name]; !ok {
			b.axes = append(b.axes, a.Name)
			// The sweep tables' name: an axis named like a run column (lr)
			// is grid_lr there, and so here.
			b.axisCol[a.Name] = artifacts.AxisColumnName(a.Name)
		}
		c := b.col(b.axisCol[a.Name])
		c.Strings = append(c.Strings, a.Value)
	}
	if !slices.Contains(names, "depth") {
		b.int("depth", g.Depth)
	}
	if !slices.Contains(names, "width") && !slices.Contains(names, "widths") && g.Widths == "" {
		b.int("width", g.Width)
	}
}

// layer writes the layer index and that layer's width.
func (b *tableBuilder) layer(g analysis.Group, l int) {
	b.int("layer", l)
	b.int("layer_width", g.LayerWidth(l))
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
func AnalysisTables(reps *Reports, evals []artifacts.EvaluationRow) []*artifacts.Table {
	out := epochTables(reps.Epoch, evals)
	if reps.Steps != nil {
		out = append(out, stepTables(reps.Steps)...)
	}
	if len(reps.Levels) > 0 {
		out = append(out, levelsTable(reps.Levels, reps.Steps.Options.Confidence))
	}
	// A table with nothing to say (no depth-2 treatment has a deficit, a
	// design without delays) is left out rather than written without
	// columns.
	return slices.DeleteFunc(out, func(t *artifacts.Table) bool { return t.Rows() == 0 })
}

// epochTables are the tables of the per-epoch analysis.
func epochTables(rep *analysis.Report, evals []artifacts.EvaluationRow) []*artifacts.Table {
	conf := rep.Options.Confidence
	ci := fmt.Sprintf("%.0f%% CI", 100*conf)
	var out []*artifacts.Table

	out = append(out, hypothesisTable("hypotheses", "The paper's claims tested on this sweep: effect, "+ci+", p-value, runs and verdict ("+string(rep.Options.Method)+" correlations); context rows decide nothing",
		rep.Hypotheses))

	out = append(out, couplingTable("correlation_summary", "Layer vs model accuracy over epochs, per treatment, layer and measure (levels over epochs, increments between epochs): the runs' own Fisher-z mean r with "+ci+", its between-seed surrogate, the run-specific excess with "+ci+" and permutation p, and the correlation of residuals; no reliability (the per-epoch curves have no split-half probe)", rep.Couplings))

	fc := newTable("final_correlation", "Final layer accuracy vs final model accuracy across seeds, per treatment and layer (Pearson, Fisher "+ci+"; two-sided p, and p_holm Holm-adjusted over the table)")
	for _, f := range rep.FinalCorrelations {
		fc.group(f.Group)
		fc.layer(f.Group, f.Layer)
		fc.num("r", f.R)
		fc.num("lo", f.Lo)
		fc.num("hi", f.Hi)
		fc.num("p", f.P)
		fc.int("seeds", f.N)
	}
	fc.holm("p", "p_holm")
	out = append(out, fc.table())

	out = append(out, delaySummaryTable(analysis.EpochDelays, rep.DelaySummaries, ci))

	// The trends come sorted by measure, then treatment; this table reads
	// by treatment, then measure.
	trends := slices.Clone(rep.DelayTrends)
	first := map[analysis.Group]int{}
	for i, d := range trends {
		if _, ok := first[d.Group]; !ok {
			first[d.Group] = i
		}
	}
	slices.SortStableFunc(trends, func(a, b analysis.DelayTrend) int { return first[a.Group] - first[b.Group] })
	dt := newTable("delay_trend", "Growth of the delay with layer position, per treatment: mean per-run slope (epochs per layer) with "+ci+", two-sided and one-sided (slope > 0) t-test p-values, the one-sided one Holm-adjusted over the table, and the one-sided signed-rank test that deeper layers are later")
	for _, d := range trends {
		dt.group(d.Group)
		dt.str("measure", d.Measure)
		dt.summary("slope_", d.Slope)
		dt.num("slope_p_two_sided", d.Slope.P)
		dt.num("slope_p_greater", d.Slope.PGreater(0))
		dt.num("signed_rank_p_greater", d.Pooled.PGreater)
		dt.int("signed_rank_n", d.Pooled.N)
	}
	dt.holm("slope_p_greater", "slope_p_greater_holm")
	out = append(out, dt.table())

	out = append(out, regressionTable("correlation_regression", "Regression of atanh(r) (layer vs model)", rep.Regression))

	fm := newTable("final_accuracy", "Final model accuracy per treatment on the analysed curves: mean over seeds with "+ci)
	for _, f := range rep.FinalModel {
		fm.group(f.Group)
		fm.summary("accuracy_", f.Summary)
	}
	out = append(out, fm.table())

	out = append(out, testAccuracyTable(evals, conf))

	cu := newTable("curve_summary", "Per treatment, layer and epoch: layer FF accuracy, model accuracy and the layer's 10-class accuracy on the analysed curves, mean over seeds with "+ci)
	for _, s := range rep.CurveSummaries {
		cu.group(s.Group)
		cu.layer(s.Group, s.Layer)
		cu.int("epoch", s.Epoch)
		cu.summary("layer_accuracy_", s.LayerAccuracy)
		cu.summary("model_accuracy_", s.ModelAccuracy)
		cu.summary("label_accuracy_", s.LabelAccuracy)
	}
	out = append(out, cu.table())

	// The run's Pearson r of levels against its surrogate: atanh r of its
	// layer with the other runs' models, from the epoch couplings.
	type runLayer struct {
		run   string
		layer int
	}
	surr := map[runLayer]analysis.CouplingRun{}
	for i := range rep.Couplings {
		c := &rep.Couplings[i]
		if c.View.Measure != analysis.ViewLevels {
			continue
		}
		for _, r := range c.Runs {
			surr[runLayer{r.Run, c.Layer}] = r
		}
	}
	lm := newTable("layer_model_correlations", "Per run and layer: correlation of the layer's accuracy with the model's over epochs, Pearson's with its surrogate (atanh r of the layer with the other runs' models of the treatment, mean), their difference and atanh r of residuals from the treatment's mean curves, and Spearman's")
	for _, c := range rep.Correlations {
		s, ok := surr[runLayer{c.Run, c.Layer}]
		if !ok {
			s = analysis.CouplingRun{Within: math.NaN(), Surrogate: math.NaN(), Residual: math.NaN()}
		}
		lm.group(c.Group)
		lm.str("run", c.Run)
		lm.layer(c.Group, c.Layer)
		lm.num("pearson_r", c.Pearson.R)
		lm.num("pearson_p", c.Pearson.P)
		lm.num("surrogate_z", s.Surrogate)
		lm.num("excess_z", s.Within-s.Surrogate)
		lm.num("residual_z", s.Residual)
		lm.num("spearman_r", c.Spearman.R)
		lm.num("spearman_p", c.Spearman.P)
		lm.int("points", c.Pearson.N)
	}
	out = append(out, lm.table())

	out = append(out, delaysTable(analysis.EpochDelays, rep.Delays))
	return out
}

// hypothesisTable lists the effects of hs, one row each; with roles, a
// role column says whether the effect decides the verdict or is context.
func hypothesisTable(name, title string, hs []analysis.Hypothesis) *artifacts.Table {
	h := newTable(name, title)
	for _, hy := range hs {
		for _, e := range hy.Effects {
			h.str("claim", hy.ID)
			h.str("statement", hy.Claim)
			h.str("role", map[bool]string{false: "verdict", true: "context"}[e.Context])
			h.str("statistic", e.Statistic)
			h.str("unit", e.Unit)
			h.num("value", e.Value)
			h.num("lo", e.Lo)
			h.num("hi", e.Hi)
			h.num("p", e.P)
			h.str("p_sided", sided(e))
			h.str("null_hypothesis", e.NullHypothesis)
			h.num("ceiling", e.Ceiling)
			h.int("runs", e.Runs)
			h.str("effect_verdict", string(e.Verdict))
			h.str("verdict", string(hy.Verdict))
			h.str("warnings", warnText(e.Warnings))
		}
	}
	return h.table()
}

// viewColumns writes the columns that name a coupling's measure.
func viewColumns(t *tableBuilder, c *analysis.Coupling) {
	t.str("clock", c.View.Clock)
	t.str("measure", c.View.Measure)
	t.int("window", c.View.Window)
	t.int("start", c.View.Start)
	t.str("from", map[bool]string{false: "fixed", true: "start step"}[c.View.FromStart])
}

// couplingTable lists couplings: per treatment, layer and measure, the
// runs' own correlation against its surrogate and ceiling.
func couplingTable(name, title string, cs []analysis.Coupling) *artifacts.Table {
	t := newTable(name, title)
	for i := range cs {
		c := &cs[i]
		t.group(c.Group)
		t.layer(c.Group, c.Layer)
		viewColumns(t, c)
		t.int("points", c.Points)
		t.int("runs", c.Within.N)
		t.num("r", c.R())
		t.num("lo", math.Tanh(c.Within.Lo))
		t.num("hi", math.Tanh(c.Within.Hi))
		t.num("surrogate_r", math.Tanh(c.Surrogate.Mean))
		t.num("excess_z", c.Excess.Mean)
		t.num("excess_lo", c.Excess.Lo)
		t.num("excess_hi", c.Excess.Hi)
		t.num("p_perm", c.PPerm)
		t.num("residual_r", math.Tanh(c.Residual.Mean))
		t.num("residual_lo", math.Tanh(c.Residual.Lo))
		t.num("residual_hi", math.Tanh(c.Residual.Hi))
		t.num("reliability_layer", c.Reliability.Layer)
		t.num("reliability_model", c.Reliability.Model)
		t.num("ceiling", c.Reliability.Ceiling)
		t.num("disattenuated_r", c.Disattenuated())
		t.num("residual_ceiling", c.ResidualReliability.Ceiling)
	}
	return t.table()
}

// regressionTable lists the coefficients of a regression of what on
// layer, log2(width) and depth, clustered by run.
func regressionTable(name, what string, reg analysis.Regression) *artifacts.Table {
	rg := newTable(name, fmt.Sprintf("%s on layer, log2(width) and depth; n = %d run-layers, R² = %.3f, %d clusters (runs); two-sided p",
		what, reg.N, reg.R2, reg.Clusters))
	for _, c := range reg.Coefs {
		rg.str("term", c.Name)
		rg.num("estimate", c.Estimate)
		rg.num("se", c.SE)
		rg.num("lo", c.Lo)
		rg.num("hi", c.Hi)
		rg.num("p", c.P)
	}
	return rg.table()
}

// sided names an effect's p-value.
func sided(e analysis.Effect) string {
	if e.POneSided {
		return "one-sided (" + e.Claim + ")"
	}
	return "two-sided"
}

// stepTables are the tables of the step-resolution analysis.
func stepTables(rep *analysis.StepReport) []*artifacts.Table {
	conf := rep.Options.Confidence
	ci := fmt.Sprintf("%.0f%% CI", 100*conf)
	var out []*artifacts.Table

	out = append(out, hypothesisTable("step_hypotheses", "The paper's claims at step resolution (held-out probe from step 0): effect, "+ci+", p-value, runs and verdict; context rows decide nothing",
		rep.Hypotheses))

	out = append(out, delaySummaryTable(rep.Options.DelayOptions(), rep.DelaySummaries, ci))

	dt := newTable("step_delay_trend", "Growth of each step delay with layer position, per treatment: mean per-run OLS slope (steps per layer) with "+ci+", one-sided p (slope > 0) and its Holm adjustment over the treatments")
	for _, d := range rep.Trends {
		dt.group(d.Group)
		dt.str("measure", d.Measure)
		dt.summary("slope_", d.Slope)
		dt.num("slope_p_greater", d.PGreater)
		dt.num("slope_p_greater_holm", d.PHolm)
		dt.int("left_out", d.LeftOut)
	}
	out = append(out, dt.table())

	df := newTable("depth_deficit", "Early depth deficit: per treatment and step, mean per-run OLS slope of layer FF accuracy on layer index (accuracy points per layer; negative = deeper layers behind) with "+ci+", one-sided p (slope < 0) and its Holm adjustment over the table")
	for _, d := range rep.Deficits {
		df.group(d.Group)
		df.int("step", d.Step)
		df.summary("slope_", d.Slope)
		df.num("slope_p_less", d.PLess)
		df.num("slope_p_less_holm", d.PHolm)
	}
	out = append(out, df.table())

	out = append(out, couplingTable("step_coupling", "Every layer–model correlation at step resolution, per treatment, layer and measure (levels, or increments over windows of a timescale, from step 0 or from the treatment's start step): the runs' own r, its between-seed surrogate, the run-specific excess with "+ci+" and permutation p, the correlation of residuals from the treatment's mean curves, and the split-half reliabilities, ceilings and disattenuated r (NaN without a split-half probe)", rep.Couplings))

	sc := newTable("seed_correlation", "Across seeds, at fixed steps: Pearson r between a layer's accuracy and the model's, per treatment, layer and step (Fisher "+ci+"; two-sided p of r = 0 and its Holm adjustment over the table), the split-half reliabilities across seeds and their ceiling (NaN without a split-half probe), and the smallest r detectable with "+fmt.Sprintf("%g%%", 100*rep.Options.Power)+" power at this many seeds")
	for _, c := range rep.SeedCorrelations {
		sc.group(c.Group)
		sc.layer(c.Group, c.Layer)
		sc.int("step", c.Step)
		sc.num("r", c.R)
		sc.num("lo", c.Lo)
		sc.num("hi", c.Hi)
		sc.num("p_two_sided", c.P)
		sc.num("p_holm", c.PHolm)
		sc.int("seeds", c.N)
		sc.num("reliability_layer", c.Reliability.Layer)
		sc.num("reliability_model", c.Reliability.Model)
		sc.num("ceiling", c.Reliability.Ceiling)
		sc.num("min_detectable_r", c.MinDetectable)
	}
	out = append(out, sc.table())

	gp := newTable("layer_gaps", "Where the delay arises: per treatment and pair of adjacent layers, the mean over runs of "+rep.Options.H1Measure+" of layer k+1 minus layer k (steps) with "+ci)
	for _, g := range rep.Gaps {
		gp.group(g.Group)
		gp.int("from_layer", g.Layer)
		gp.int("to_layer", g.Layer+1)
		gp.str("measure", g.Measure)
		gp.summary("gap_", g.Summary)
	}
	out = append(out, gp.table())

	st := newTable("start_step", "Per treatment, the start step of the windowed correlations: the first recorded step at which mean layer-1 FF accuracy exceeds its step-0 mean by "+fmt.Sprintf("%g", rep.Options.StartSE)+" probe standard errors (found = false: it never did, and the windows start at step 0)")
	for _, x := range rep.Starts {
		st.group(x.Group)
		st.int("start_step", x.Step)
		st.str("found", fmt.Sprint(x.Found))
	}
	out = append(out, st.table())

	out = append(out, regressionTable("step_correlation_regression", "Regression of atanh(Pearson r of levels from the start step)", rep.Regression))

	cu := newTable("step_curve_summary", "Per treatment, layer and recorded step: the held-out probe's layer FF accuracy and model accuracy, mean over seeds with "+ci)
	for _, s := range rep.CurveSummaries {
		cu.group(s.Group)
		cu.layer(s.Group, s.Layer)
		cu.int("step", s.Epoch)
		cu.summary("layer_accuracy_", s.LayerAccuracy)
		cu.summary("model_accuracy_", s.ModelAccuracy)
	}
	out = append(out, cu.table())

	out = append(out, delaysTable(rep.Options.DelayOptions(), rep.Delays))

	lm := newTable("step_layer_model_correlations", "Per run, layer and measure (as in step_coupling): atanh of the run's own layer–model r, of its surrogate (its layer with the other runs' models, mean), their difference, and atanh r of residuals from the treatment's mean curves")
	for i := range rep.Couplings {
		c := &rep.Couplings[i]
		for _, run := range c.Runs {
			lm.group(c.Group)
			lm.str("run", run.Run)
			lm.layer(c.Group, c.Layer)
			viewColumns(lm, c)
			lm.num("within_z", run.Within)
			lm.num("surrogate_z", run.Surrogate)
			lm.num("excess_z", run.Within-run.Surrogate)
			lm.num("residual_z", run.Residual)
		}
	}
	out = append(out, lm.table())
	return out
}

// testAccuracyTable summarises the test-set evaluations per treatment and
// checkpoint: classifier and goodness-over-labels accuracy over seeds.
func testAccuracyTable(evals []artifacts.EvaluationRow, conf float64) *artifacts.Table {
	type key struct {
		treatment    string
		depth, width int
		widths       string
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
		k := key{e.Treatment, e.Depth, e.Width, analysis.FormatWidths(e.LayerWidths, e.Width), e.Epoch}
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
		t.group(analysis.Group{Treatment: k.treatment, Depth: k.depth, Width: k.width, Widths: k.widths})
		t.int("epoch", k.epoch)
		t.summary("classifier_", analysis.MeanCI(cls[k], conf))
		t.summary("goodness_", analysis.MeanCI(good[k], conf))
	}
	return t.table()
}

// clockTable names a table of the clock's analysis: the step analysis's
// tables carry the prefix "step_".
func clockTable(do analysis.DelayOptions, name string) string {
	if do.Clock == analysis.ClockStep {
		return "step_" + name
	}
	return name
}

// delaySummaryTable is the per-treatment and layer table of the delays on
// do's clock.
func delaySummaryTable(do analysis.DelayOptions, sums []analysis.DelaySummary, ci string) *artifacts.Table {
	var pct []string
	for _, f := range do.Fractions {
		pct = append(pct, strconv.FormatFloat(100*f, 'g', -1, 64))
	}
	what := fmt.Sprintf("%s from %s to %s%% of the FF-accuracy gain over %s", strings.ToUpper(do.Unit()[:1])+do.Unit()[1:], do.Origin(), strings.Join(pct, "/"), do.FirstPoint())
	if len(do.Thresholds) > 0 {
		what += " and to fixed FF accuracies"
	}
	ds := newTable(clockTable(do, "delay_summary"), what+", and lag behind layer 1, per treatment and layer: mean over seeds with "+ci)
	for _, d := range sums {
		ds.group(d.Group)
		ds.layer(d.Group, d.Layer)
		ds.str("measure", d.Measure)
		ds.summary("", d.Summary)
		ds.int("undefined", d.Undefined)
	}
	return ds.table()
}

// delaysTable is the per-run and layer table of the delays on do's clock.
func delaysTable(do analysis.DelayOptions, delays []analysis.Delay) *artifacts.Table {
	dl := newTable(clockTable(do, "delays"), fmt.Sprintf("Per run and layer: FF accuracy at %s, gain, and every %s delay", do.FirstPoint(), do.Clock))
	for _, d := range delays {
		dl.group(d.Group)
		dl.str("run", d.Run)
		dl.layer(d.Group, d.Layer)
		dl.num("start_accuracy", d.Start)
		dl.num("gain", d.Gain)
		for _, m := range do.Measures() {
			dl.num(m, d.Value(m))
		}
		dl.num("lag_r", d.LagR)
	}
	return dl.table()
}
