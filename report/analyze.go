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
	return []*artifacts.Table{
		hypothesisTable("hypotheses", "The paper's claims tested on this sweep: effect, "+ci+", p-value, runs and verdict ("+string(rep.Options.Method)+" correlations); context rows decide nothing",
			rep.Hypotheses),
		couplingTable("correlation_summary", "Layer vs model accuracy over epochs, per treatment, layer and measure (levels over epochs, increments between epochs): the runs' own Fisher-z mean r with "+ci+", its between-seed surrogate, the run-specific excess with "+ci+" and permutation p, and the correlation of residuals; no reliability (the per-epoch curves have no split-half probe)", rep.Couplings),
		finalCorrelationTable(rep.FinalCorrelations, ci),
		delaySummaryTable(analysis.EpochDelays, rep.DelaySummaries, ci),
		delayTrendTable(rep.DelayTrends, ci),
		regressionTable("correlation_regression", "Regression of atanh(r) (layer vs model)", rep.Regression),
		finalAccuracyTable(rep.FinalModel, ci),
		testAccuracyTable(evals, conf),
		curveSummaryTable(rep.CurveSummaries, ci),
		layerModelTable(rep),
		delaysTable(analysis.EpochDelays, rep.Delays),
	}
}

// finalCorrelationTable lists the across-seed correlations of final
// accuracies.
func finalCorrelationTable(fs []analysis.FinalCorrelation, ci string) *artifacts.Table {
	rows := make([]finalCorrelationRow, len(fs))
	for i, f := range fs {
		rows[i] = finalCorrelationRow{Group: f.Group, layerColumns: layerOf(f.Group, f.Layer),
			R: f.R, Lo: f.Lo, Hi: f.Hi, P: f.P, Seeds: f.N}
	}
	return rowTable("final_correlation", "Final layer accuracy vs final model accuracy across seeds, per treatment and layer (Pearson, Fisher "+ci+"; two-sided p, and p_holm Holm-adjusted over the table)", rows)
}

// delayTrendTable lists the growth of the epoch delays with layer
// position.
func delayTrendTable(ts []analysis.DelayTrend, ci string) *artifacts.Table {
	// The trends come sorted by measure, then treatment; this table reads
	// by treatment, then measure.
	trends := slices.Clone(ts)
	first := map[analysis.Group]int{}
	for i, d := range trends {
		if _, ok := first[d.Group]; !ok {
			first[d.Group] = i
		}
	}
	slices.SortStableFunc(trends, func(a, b analysis.DelayTrend) int { return first[a.Group] - first[b.Group] })
	rows := make([]delayTrendRow, len(trends))
	for i, d := range trends {
		rows[i] = delayTrendRow{trendColumns: trendOf(d),
			SlopePTwoSided: d.Slope.P, SlopePGreater: d.Slope.PGreater(0),
			SignedRankPGreater: d.Pooled.PGreater, SignedRankN: d.Pooled.N}
	}
	return rowTable("delay_trend", "Growth of the delay with layer position, per treatment: mean per-run slope (epochs per layer) with "+ci+", two-sided and one-sided (slope > 0) t-test p-values, the one-sided one Holm-adjusted over the table, and the one-sided signed-rank test that deeper layers are later", rows)
}

// finalAccuracyTable lists the treatments' final model accuracies.
func finalAccuracyTable(fs []analysis.FinalAccuracy, ci string) *artifacts.Table {
	rows := make([]finalAccuracyRow, len(fs))
	for i, f := range fs {
		rows[i] = finalAccuracyRow{Group: f.Group, Accuracy: f.Summary}
	}
	return rowTable("final_accuracy", "Final model accuracy per treatment on the analysed curves: mean over seeds with "+ci, rows)
}

// curveSummaryTable lists the mean per-epoch curves.
func curveSummaryTable(ss []analysis.CurveSummary, ci string) *artifacts.Table {
	rows := make([]curveSummaryRow, len(ss))
	for i, s := range ss {
		rows[i] = curveSummaryRow{Group: s.Group, layerColumns: layerOf(s.Group, s.Layer), Epoch: s.Epoch,
			curveMeans: curveMeans{s.LayerAccuracy, s.ModelAccuracy}, LabelAccuracy: s.LabelAccuracy}
	}
	return rowTable("curve_summary", "Per treatment, layer and epoch: layer FF accuracy, model accuracy and the layer's 10-class accuracy on the analysed curves, mean over seeds with "+ci, rows)
}

// layerModelTable lists each run's layer–model correlations over epochs
// with the run's surrogate: atanh r of its layer with the other runs'
// models, from the epoch couplings of levels.
func layerModelTable(rep *analysis.Report) *artifacts.Table {
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
	rows := make([]layerModelRow, len(rep.Correlations))
	for i, c := range rep.Correlations {
		s, ok := surr[runLayer{c.Run, c.Layer}]
		if !ok {
			s = analysis.CouplingRun{Within: math.NaN(), Surrogate: math.NaN(), Residual: math.NaN()}
		}
		rows[i] = layerModelRow{runLayerColumns: runLayerOf(c.Group, c.Run, c.Layer),
			PearsonR: c.Pearson.R, PearsonP: c.Pearson.P,
			SurrogateZ: s.Surrogate, ExcessZ: s.Within - s.Surrogate, ResidualZ: s.Residual,
			SpearmanR: c.Spearman.R, SpearmanP: c.Spearman.P, Points: c.Pearson.N}
	}
	return rowTable("layer_model_correlations", "Per run and layer: correlation of the layer's accuracy with the model's over epochs, Pearson's with its surrogate (atanh r of the layer with the other runs' models of the treatment, mean), their difference and atanh r of residuals from the treatment's mean curves, and Spearman's", rows)
}

// hypothesisTable lists the effects of hs, one row each; with roles, a
// role column says whether the effect decides the verdict or is context.
func hypothesisTable(name, title string, hs []analysis.Hypothesis) *artifacts.Table {
	var rows []hypothesisRow
	for _, hy := range hs {
		for _, e := range hy.Effects {
			rows = append(rows, hypothesisRow{Claim: hy.ID, Statement: hy.Claim,
				Role:      map[bool]string{false: "verdict", true: "context"}[e.Context],
				Statistic: e.Statistic, Unit: e.Unit, Value: e.Value, Lo: e.Lo, Hi: e.Hi,
				P: e.P, PSided: sided(e), NullHypothesis: e.NullHypothesis, Ceiling: e.Ceiling,
				Runs: e.Runs, EffectVerdict: string(e.Verdict), Verdict: string(hy.Verdict),
				Warnings: warnText(e.Warnings)})
		}
	}
	return rowTable(name, title, rows)
}

// couplingTable lists couplings: per treatment, layer and measure, the
// runs' own correlation against its surrogate and ceiling.
func couplingTable(name, title string, cs []analysis.Coupling) *artifacts.Table {
	rows := make([]couplingRow, len(cs))
	for i := range cs {
		c := &cs[i]
		rows[i] = couplingRow{Group: c.Group, layerColumns: layerOf(c.Group, c.Layer), viewColumns: viewOf(c),
			Points: c.Points, Runs: c.Within.N,
			R: c.R(), Lo: math.Tanh(c.Within.Lo), Hi: math.Tanh(c.Within.Hi),
			SurrogateR: math.Tanh(c.Surrogate.Mean),
			ExcessZ:    c.Excess.Mean, ExcessLo: c.Excess.Lo, ExcessHi: c.Excess.Hi, PPerm: c.PPerm,
			ResidualR: math.Tanh(c.Residual.Mean), ResidualLo: math.Tanh(c.Residual.Lo), ResidualHi: math.Tanh(c.Residual.Hi),
			ReliabilityLayer: c.Reliability.Layer, ReliabilityModel: c.Reliability.Model,
			Ceiling: c.Reliability.Ceiling, DisattenuatedR: c.Disattenuated(),
			ResidualCeiling: c.ResidualReliability.Ceiling}
	}
	return rowTable(name, title, rows)
}

// regressionTable lists the coefficients of a regression of what on
// layer, log2(width) and depth, clustered by run.
func regressionTable(name, what string, reg analysis.Regression) *artifacts.Table {
	rows := make([]regressionRow, len(reg.Coefs))
	for i, c := range reg.Coefs {
		rows[i] = regressionRow{Term: c.Name, Estimate: c.Estimate, SE: c.SE, Lo: c.Lo, Hi: c.Hi, P: c.P}
	}
	return rowTable(name, fmt.Sprintf("%s on layer, log2(width) and depth; n = %d run-layers, R² = %.3f, %d clusters (runs); two-sided p",
		what, reg.N, reg.R2, reg.Clusters), rows)
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
	ci := fmt.Sprintf("%.0f%% CI", 100*rep.Options.Confidence)
	do := rep.Options.DelayOptions()
	return []*artifacts.Table{
		hypothesisTable("step_hypotheses", "The paper's claims at step resolution (held-out probe from step 0): effect, "+ci+", p-value, runs and verdict; context rows decide nothing",
			rep.Hypotheses),
		delaySummaryTable(do, rep.DelaySummaries, ci),
		stepDelayTrendTable(rep.Trends, ci),
		depthDeficitTable(rep.Deficits, ci),
		couplingTable("step_coupling", "Every layer–model correlation at step resolution, per treatment, layer and measure (levels, or increments over windows of a timescale, from step 0 or from the treatment's start step): the runs' own r, its between-seed surrogate, the run-specific excess with "+ci+" and permutation p, the correlation of residuals from the treatment's mean curves, and the split-half reliabilities, ceilings and disattenuated r (NaN without a split-half probe)", rep.Couplings),
		seedCorrelationTable(rep, ci),
		layerGapTable(rep, ci),
		startStepTable(rep),
		regressionTable("step_correlation_regression", "Regression of atanh(Pearson r of levels from the start step)", rep.Regression),
		stepCurveSummaryTable(rep.CurveSummaries, ci),
		delaysTable(do, rep.Delays),
		stepLayerModelTable(rep.Couplings),
	}
}

// stepDelayTrendTable lists the growth of the step delays with layer
// position.
func stepDelayTrendTable(ts []analysis.DelayTrend, ci string) *artifacts.Table {
	rows := make([]stepDelayTrendRow, len(ts))
	for i, d := range ts {
		rows[i] = stepDelayTrendRow{trendColumns: trendOf(d),
			SlopePGreater: d.PGreater, SlopePGreaterHolm: d.PHolm, LeftOut: d.LeftOut}
	}
	return rowTable("step_delay_trend", "Growth of each step delay with layer position, per treatment: mean per-run OLS slope (steps per layer) with "+ci+", one-sided p (slope > 0) and its Holm adjustment over the treatments", rows)
}

// depthDeficitTable lists the early depth deficit per treatment and step.
func depthDeficitTable(ds []analysis.DepthDeficit, ci string) *artifacts.Table {
	rows := make([]depthDeficitRow, len(ds))
	for i, d := range ds {
		rows[i] = depthDeficitRow{Group: d.Group, Step: d.Step, Slope: d.Slope,
			SlopePLess: d.PLess, SlopePLessHolm: d.PHolm}
	}
	return rowTable("depth_deficit", "Early depth deficit: per treatment and step, mean per-run OLS slope of layer FF accuracy on layer index (accuracy points per layer; negative = deeper layers behind) with "+ci+", one-sided p (slope < 0) and its Holm adjustment over the table", rows)
}

// seedCorrelationTable lists the across-seed correlations at fixed steps.
func seedCorrelationTable(rep *analysis.StepReport, ci string) *artifacts.Table {
	rows := make([]seedCorrelationRow, len(rep.SeedCorrelations))
	for i, c := range rep.SeedCorrelations {
		rows[i] = seedCorrelationRow{layerStepColumns: layerStepOf(c.Group, c.Layer, c.Step),
			R: c.R, Lo: c.Lo, Hi: c.Hi, PTwoSided: c.P, PHolm: c.PHolm, Seeds: c.N,
			ReliabilityLayer: c.Reliability.Layer, ReliabilityModel: c.Reliability.Model,
			Ceiling: c.Reliability.Ceiling, MinDetectableR: c.MinDetectable}
	}
	return rowTable("seed_correlation", "Across seeds, at fixed steps: Pearson r between a layer's accuracy and the model's, per treatment, layer and step (Fisher "+ci+"; two-sided p of r = 0 and its Holm adjustment over the table), the split-half reliabilities across seeds and their ceiling (NaN without a split-half probe), and the smallest r detectable with "+fmt.Sprintf("%g%%", 100*rep.Options.Power)+" power at this many seeds", rows)
}

// layerGapTable lists the delays between adjacent layers.
func layerGapTable(rep *analysis.StepReport, ci string) *artifacts.Table {
	rows := make([]layerGapRow, len(rep.Gaps))
	for i, g := range rep.Gaps {
		rows[i] = layerGapRow{Group: g.Group, FromLayer: g.Layer, ToLayer: g.Layer + 1, Measure: g.Measure, Gap: g.Summary}
	}
	return rowTable("layer_gaps", "Where the delay arises: per treatment and pair of adjacent layers, the mean over runs of "+rep.Options.H1Measure+" of layer k+1 minus layer k (steps) with "+ci, rows)
}

// startStepTable lists the treatments' start steps.
func startStepTable(rep *analysis.StepReport) *artifacts.Table {
	rows := make([]startStepRow, len(rep.Starts))
	for i, x := range rep.Starts {
		rows[i] = startStepRow{Group: x.Group, StartStep: x.Step, Found: x.Found}
	}
	return rowTable("start_step", "Per treatment, the start step of the windowed correlations: the first recorded step at which mean layer-1 FF accuracy exceeds its step-0 mean by "+fmt.Sprintf("%g", rep.Options.StartSE)+" probe standard errors (found = false: it never did, and the windows start at step 0)", rows)
}

// stepCurveSummaryTable lists the mean probe curves at step resolution.
func stepCurveSummaryTable(ss []analysis.CurveSummary, ci string) *artifacts.Table {
	rows := make([]stepCurveSummaryRow, len(ss))
	for i, s := range ss {
		rows[i] = stepCurveSummaryRow{layerStepColumns: layerStepOf(s.Group, s.Layer, s.Epoch),
			curveMeans: curveMeans{s.LayerAccuracy, s.ModelAccuracy}}
	}
	return rowTable("step_curve_summary", "Per treatment, layer and recorded step: the held-out probe's layer FF accuracy and model accuracy, mean over seeds with "+ci, rows)
}

// stepLayerModelTable lists each run's correlations of the couplings.
func stepLayerModelTable(cs []analysis.Coupling) *artifacts.Table {
	var rows []stepLayerModelRow
	for i := range cs {
		c := &cs[i]
		for _, run := range c.Runs {
			rows = append(rows, stepLayerModelRow{runLayerColumns: runLayerOf(c.Group, run.Run, c.Layer), viewColumns: viewOf(c),
				WithinZ: run.Within, SurrogateZ: run.Surrogate, ExcessZ: run.Within - run.Surrogate, ResidualZ: run.Residual})
		}
	}
	return rowTable("step_layer_model_correlations", "Per run, layer and measure (as in step_coupling): atanh of the run's own layer–model r, of its surrogate (its layer with the other runs' models, mean), their difference, and atanh r of residuals from the treatment's mean curves", rows)
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
	rows := make([]testAccuracyRow, len(keys))
	for i, k := range keys {
		rows[i] = testAccuracyRow{Group: analysis.Group{Treatment: k.treatment, Depth: k.depth, Width: k.width, Widths: k.widths},
			Epoch: k.epoch, Classifier: analysis.MeanCI(cls[k], conf), Goodness: analysis.MeanCI(good[k], conf)}
	}
	return rowTable("test_accuracy", fmt.Sprintf("Test-set accuracy per treatment and checkpoint: classifier and goodness over labels, mean over seeds with %.0f%% CI", 100*conf), rows)
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
	rows := make([]delaySummaryRow, len(sums))
	for i, d := range sums {
		rows[i] = delaySummaryRow{Group: d.Group, layerColumns: layerOf(d.Group, d.Layer), Measure: d.Measure,
			Summary: d.Summary, Undefined: d.Undefined}
	}
	return rowTable(clockTable(do, "delay_summary"), what+", and lag behind layer 1, per treatment and layer: mean over seeds with "+ci, rows)
}

// delaysTable is the per-run and layer table of the delays on do's clock:
// one column per measure of do, in its order.
func delaysTable(do analysis.DelayOptions, delays []analysis.Delay) *artifacts.Table {
	rows := make([]delayRow, len(delays))
	names := do.Measures()
	for i := range delays {
		d := &delays[i]
		ms := make([]measure, len(names))
		for j, m := range names {
			ms[j] = measure{Name: m, Value: d.Value(m)}
		}
		rows[i] = delayRow{runLayerColumns: runLayerOf(d.Group, d.Run, d.Layer),
			StartAccuracy: d.Start, Gain: d.Gain, Measures: ms, LagR: d.LagR}
	}
	return rowTable(clockTable(do, "delays"), fmt.Sprintf("Per run and layer: FF accuracy at %s, gain, and every %s delay", do.FirstPoint(), do.Clock), rows)
}
