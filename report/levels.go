package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/ffchar/ffchar/analysis"
	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/axes"
	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/ff"
	"github.com/ffchar/ffchar/figures"
)

// levelAxis and baseLevel name a one-at-a-time sweep's levels in its
// figures: its treatments are drawn as "level=<name>" with the crossed
// grid's axes, the base level called "base", which figure 2 holds fixed.
const (
	levelAxis = "level"
	baseLevel = "base"
)

// Level is one position of a one-at-a-time design (experiment files'
// [one_at_a_time]): the base, or one axis at one of its other values,
// across every point of the crossed [grid]. Its step-resolution analysis
// is the sweep's, run on its runs alone, so its H1–H3 follow the same
// rules; H3 is estimable only when the grid crosses widths.
type Level struct {
	Axis, Value string // "" for the base
	Treatments  []string
	Steps       *analysis.StepReport
	// H1 and H2 are the level's run values behind its H1 verdict (each
	// run's slope of the H1 measure on layer index) and its H2 strength
	// (each run's atanh of layer 1's r with the model, levels from the
	// start step).
	H1, H2 []float64
	// H1OwnStart is, for a greedy level, the mean over runs of the slope
	// of the H1 delay counted from each layer's own first training step
	// (analysis.OwnStartSlopes); N = 0 for other levels.
	H1OwnStart analysis.Summary
	// DH1 and DH2 are the level minus the base (Welch); NaN for the base.
	DH1, DH2 analysis.Difference
	// TestAccuracy is the model's test accuracy over the level's runs at
	// their last checkpoint (setTestAccuracy).
	TestAccuracy analysis.Summary
}

// Name is "base" or "axis=value".
func (l *Level) Name() string {
	if l.Axis == "" {
		return baseLevel
	}
	return l.Axis + "=" + l.Value
}

// levelOfTreatment returns the level a treatment belongs to (without its
// analyses): the axis it varies and that axis's value.
func levelOfTreatment(t experiments.Treatment) Level {
	l := Level{Axis: t.Varied}
	if t.Varied != "" {
		l.Value, _ = axes.Get(t.ID, t.Varied)
	}
	return l
}

// levelOf maps each treatment of a one-at-a-time experiment to its level's
// name and returns the levels in design order.
func levelOf(exp *experiments.Experiment) (map[string]string, []Level) {
	of := map[string]string{}
	var out []Level
	for _, t := range exp.Treatments() {
		l := levelOfTreatment(t)
		i := slices.IndexFunc(out, func(o Level) bool { return o.Axis == l.Axis && o.Value == l.Value })
		if i < 0 {
			i = len(out)
			out = append(out, l)
		}
		out[i].Treatments = append(out[i].Treatments, t.ID)
		of[t.ID] = l.Name()
	}
	return of, out
}

// analyzeLevels runs the step-resolution analysis per level of a
// one-at-a-time experiment over its probe points, and compares each level
// with the base. It returns nil for an experiment without
// [one_at_a_time].
func analyzeLevels(exp *experiments.Experiment, opt analysis.StepOptions, pts []analysis.Point, halves [][]analysis.Point, stepsPerEpoch int) ([]Level, error) {
	if exp == nil || len(exp.OneAtATime) == 0 {
		return nil, nil
	}
	of, levels := levelOf(exp)
	split := func(pts []analysis.Point) map[string][]analysis.Point {
		by := map[string][]analysis.Point{}
		for _, p := range pts {
			if name, ok := of[p.Treatment]; ok {
				by[name] = append(by[name], p)
			}
		}
		return by
	}
	byLevel := split(pts)
	var halfByLevel []map[string][]analysis.Point
	for _, h := range halves {
		halfByLevel = append(halfByLevel, split(h))
	}
	opt = opt.WithDefaults()
	nan := math.NaN()
	none := analysis.Difference{Diff: nan, Lo: nan, Hi: nan, DF: nan, P: nan}
	var kept []Level
	for _, l := range levels {
		l.DH1, l.DH2 = none, none
		lp := byLevel[l.Name()]
		if len(lp) == 0 {
			continue // a level with no runs in the sweep
		}
		var hp [][]analysis.Point
		for _, h := range halfByLevel {
			hp = append(hp, h[l.Name()])
		}
		rep, err := analysis.StepAnalyze(lp, opt, hp...)
		if err != nil {
			return nil, fmt.Errorf("level %s: %w", l.Name(), err)
		}
		l.Steps = rep
		_, l.H1, _ = analysis.RunSlopes(rep.Delays, opt.H1Measure)
		l.H1OwnStart = analysis.MeanCI(nil, opt.Confidence)
		if cfg, ok := greedyConfig(exp, l); ok && stepsPerEpoch > 0 {
			frac := 0.5
			if opt.H1Measure == analysis.MeasureS90 {
				frac = 0.9
			}
			start := func(layer int) int { return (layer - 1) * cfg.Epochs * stepsPerEpoch }
			l.H1OwnStart = analysis.MeanCI(analysis.OwnStartSlopes(rep.Curves, start, frac), opt.Confidence)
		}
		// H2's measure: layer 1's levels from the start step.
		h2 := opt.Views(0)[2]
		for _, c := range rep.Couplings {
			if c.Layer != 1 || !c.View.Same(h2) {
				continue
			}
			for _, run := range c.Runs {
				if !math.IsNaN(run.Within) {
					l.H2 = append(l.H2, run.Within)
				}
			}
		}
		kept = append(kept, l)
	}
	if len(kept) > 0 && kept[0].Axis == "" {
		base := kept[0]
		for i := range kept[1:] {
			l := &kept[i+1]
			l.DH1 = analysis.WelchDiff(l.H1, base.H1, opt.Confidence)
			l.DH2 = analysis.WelchDiff(l.H2, base.H2, opt.Confidence)
		}
	}
	return kept, nil
}

// greedyConfig returns the Config of a level whose treatments all train
// greedily (each layer for Config.Epochs epochs in turn).
func greedyConfig(exp *experiments.Experiment, l Level) (ff.Config, bool) {
	var cfg ff.Config
	n := 0
	for _, t := range exp.Treatments() {
		if !slices.Contains(l.Treatments, t.ID) {
			continue
		}
		if t.Config.Schedule != ff.Greedy {
			return cfg, false
		}
		cfg, n = t.Config, n+1
	}
	return cfg, n > 0
}

// hypothesis returns the level's step-resolution hypothesis id ("H1").
func (l *Level) hypothesis(id string) analysis.Hypothesis {
	for _, h := range l.Steps.Hypotheses {
		if h.ID == id {
			return h
		}
	}
	panic("stages: no hypothesis " + id)
}

// modelTestAccuracy returns each run's model accuracy on the test set at
// its last checkpoint, by treatment: the classifier's, or goodness over
// labels for a network without a classifier.
func modelTestAccuracy(evals []artifacts.EvaluationRow) map[string][]float64 {
	type last struct {
		epoch int
		acc   float64
		treat string
	}
	runs := map[string]last{}
	var order []string
	for _, e := range evals {
		acc := e.ClassifierAccuracy
		if math.IsNaN(acc) {
			acc = e.GoodnessAccuracy
		}
		r, ok := runs[e.RunID]
		if !ok {
			order = append(order, e.RunID)
		}
		if !ok || e.Epoch > r.epoch {
			runs[e.RunID] = last{e.Epoch, acc, e.Treatment}
		}
	}
	out := map[string][]float64{}
	for _, id := range order {
		r := runs[id]
		out[r.treat] = append(out[r.treat], r.acc)
	}
	return out
}

// setTestAccuracy fills each level's TestAccuracy from the test-set
// evaluations.
func setTestAccuracy(levels []Level, evals []artifacts.EvaluationRow, conf float64) {
	acc := modelTestAccuracy(evals)
	for i := range levels {
		var a []float64
		for _, tr := range levels[i].Treatments {
			a = append(a, acc[tr]...)
		}
		levels[i].TestAccuracy = analysis.MeanCI(a, conf)
	}
}

// levelFigure is figure 9's input: each level's test accuracy, H1 slope
// and H2 layer-1 r (Fisher-z mean, back-transformed) with intervals.
func levelFigure(r *Reports) (*figures.Figure, error) {
	ls := make([]figures.LevelSummary, len(r.Levels))
	for i := range r.Levels {
		l := &r.Levels[i]
		eff := func(e analysis.Effect) analysis.Summary {
			return analysis.Summary{Mean: e.Value, Lo: e.Lo, Hi: e.Hi, N: e.Runs, Confidence: l.Steps.Options.Confidence}
		}
		ls[i] = figures.LevelSummary{Name: l.Name(), Accuracy: l.TestAccuracy,
			H1: eff(l.hypothesis("H1").Effects[0]), H2: eff(l.hypothesis("H2").Effects[0])}
	}
	o := r.Levels[0].Steps.Options
	return figures.Levels(ls, o.H1Measure, "levels from the start step")
}

// levelsTable is the one-at-a-time comparison: per level, the model's test
// accuracy, H1–H3 at step resolution with their verdicts, and the level's
// H1 slope and layer-1 atanh(r) minus the base's, with Welch intervals and
// Holm-adjusted p-values over the table.
func levelsTable(levels []Level, conf float64) *artifacts.Table {
	rows := make([]levelRow, len(levels))
	for i := range levels {
		l := &levels[i]
		h1, h2, h3 := l.hypothesis("H1"), l.hypothesis("H2"), l.hypothesis("H3")
		rows[i] = levelRow{Level: l.Name(), Axis: l.Axis, Value: l.Value, Treatments: len(l.Treatments),
			TestAccuracy: l.TestAccuracy,
			H1:           effectOf(h1.Effects[0]), H1Runs: h1.Effects[0].Runs,
			H2R: effectOf(h2.Effects[0]), H2SurrogateR: effectOf(h2.Effects[2]), H2LayerSlope: effectOf(h2.Effects[1]),
			H2Verdict: string(h2.Verdict), H3WidthSlope: effectOf(h3.Effects[0]),
			H1OwnStart: l.H1OwnStart, DH1: differenceOf(l.DH1), DH2Atanh: differenceOf(l.DH2)}
	}
	return rowTable("one_at_a_time", fmt.Sprintf("One factor at a time: per level, model test accuracy, H1–H3 at step resolution, and H1 and H2 against the base (Welch), with %.0f%% CIs", 100*conf), rows)
}

// figureView returns the reports as the figures of a one-at-a-time sweep
// draw them: each treatment named by its level and its crossed grid values
// ("level=readout=all,width=500") instead of every axis, so that panels and
// lines read as the design does. The tables keep the full treatment IDs.
// Without levels it returns rep itself.
func figureView(rep *Reports, exp *experiments.Experiment) *Reports {
	if len(rep.Levels) == 0 || exp == nil {
		return rep
	}
	label := map[string]string{}
	for id, parts := range levelLabels(exp) {
		label[id] = axes.Format(parts)
	}
	relabel := func(g *analysis.Group) {
		if l, ok := label[g.Treatment]; ok {
			g.Treatment = l
		}
	}
	view := *rep
	ep := *rep.Epoch
	ep.CurveSummaries = relabelAll(ep.CurveSummaries, func(s *analysis.CurveSummary) { relabel(&s.Group) })
	ep.CorrelationSummaries = relabelAll(ep.CorrelationSummaries, func(s *analysis.CorrelationSummary) { relabel(&s.Group) })
	ep.DelaySummaries = relabelAll(ep.DelaySummaries, func(s *analysis.DelaySummary) { relabel(&s.Group) })
	ep.FinalModel = relabelAll(ep.FinalModel, func(s *analysis.FinalAccuracy) { relabel(&s.Group) })
	view.Epoch = &ep
	if rep.Steps != nil {
		st := *rep.Steps
		st.CurveSummaries = relabelAll(st.CurveSummaries, func(s *analysis.CurveSummary) { relabel(&s.Group) })
		st.DelaySummaries = relabelAll(st.DelaySummaries, func(s *analysis.DelaySummary) { relabel(&s.Group) })
		st.Couplings = relabelAll(st.Couplings, func(c *analysis.Coupling) { relabel(&c.Group) })
		view.Steps = &st
	}
	return &view
}

// relabelAll returns a copy of xs with f applied to each element.
func relabelAll[T any](xs []T, f func(*T)) []T {
	out := slices.Clone(xs)
	for i := range out {
		f(&out[i])
	}
	return out
}

// levelLabels names each treatment of a one-at-a-time experiment by its
// level and its crossed grid values: levelAxis, then the grid's
// axes in order, as treatment names write them.
func levelLabels(exp *experiments.Experiment) map[string][]axes.Axis {
	out := map[string][]axes.Axis{}
	for _, t := range exp.Treatments() {
		lv := levelOfTreatment(t)
		parts := []axes.Axis{{Name: levelAxis, Value: lv.Name()}}
		for _, ax := range exp.Grid {
			v, _ := axes.Get(t.ID, ax.Field)
			parts = append(parts, axes.Axis{Name: ax.Field, Value: v})
		}
		out[t.ID] = parts
	}
	return out
}

// treatmentNamer returns how the results README names a treatment: as
// its ID, or, in a one-at-a-time sweep, by its level and crossed grid
// values ("readout=all, width=500").
func treatmentNamer(exp *experiments.Experiment) func(string) string {
	if exp == nil || len(exp.OneAtATime) == 0 {
		return func(id string) string { return id }
	}
	names := map[string]string{}
	for id, parts := range levelLabels(exp) {
		s := []string{parts[0].Value}
		for _, a := range parts[1:] {
			s = append(s, a.Name+"="+a.Value)
		}
		names[id] = strings.Join(s, ", ")
	}
	return func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		return id
	}
}
