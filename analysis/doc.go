// Package analysis computes the statistics of ffchar over per-epoch
// training curves: how each Forward-Forward layer's accuracy relates to the
// model's accuracy, when each layer improves, and whether the claims of
// "The Forward-Forward Algorithm: Characterizing Training Behavior"
// (Adamson, 2025) hold. It is pure computation over Go values; reading
// tables is done elsewhere.
//
// # Input
//
// A Point is one row of a metrics table: one run, epoch and layer. Curves
// turns points into one Curve per run and layer, sorted by epoch. A
// treatment is a Group (treatment name, depth, width and per-layer widths);
// the runs of a group differ by seed. The treatment name carries the
// treatment's grid axes as key/value pairs (Group.Axes, package axes), so
// grouping by treatment groups by every axis, whatever the grid varies. Every per-treatment statistic is over seeds: one value per
// run.
//
// # Conventions
//
// Confidence intervals are at the level given (DefaultConfidence, 0.95,
// when 0). A mean over seeds uses the t distribution with n-1 degrees of
// freedom (MeanCI). Statistics that cannot be computed are not silently
// NaN: results carry Warnings []error, each wrapping one of the sentinel
// errors (ErrTooFewSeeds, ErrConstant, ErrNoGain, ...) so that errors.Is
// tells the kind. In particular:
//
//   - fewer than 2 values: the mean has no interval (Lo = -Inf, Hi = +Inf;
//     for a correlation, -1 and 1) and no p-value (NaN);
//   - a constant series: its correlation is undefined (R = NaN), and it is
//     left out of means over seeds and counted (Undefined);
//   - a curve that never rises above its first value: its delays are
//     undefined (NaN), left out of means and counted;
//   - NaN inputs (a missing label accuracy) are left out and counted.
//
// # Layer versus model (H2, H3)
//
// For each run and layer, Pearson's r and Spearman's rho (Pearson's r of
// mid-ranks) between the layer's accuracy and the model's accuracy over
// the run's epochs (pairs with a NaN left out; at least 3 pairs). For one
// series, the p-value is the two-sided t-test of r = 0,
// t = r√(n-2)/√(1-r²) with n-2 degrees of freedom (also used, as an
// approximation, for rho), and the interval is Fisher's,
// tanh(atanh(r) ± z·se) with z the normal quantile and se = 1/√(n-3)
// (√(1.06/(n-3)) for rho, Fieller, Hartley and Pearson 1957).
//
// Per treatment and layer (CorrelationSummary), correlations are averaged
// over seeds on Fisher's scale: z_i = atanh(r_i), the mean z̄ with its
// t interval over seeds, reported as tanh(z̄) and tanh of the bounds; the
// p-value is the one-sample t-test of z̄ = 0 with n-1 degrees of freedom.
// |r| = 1 (infinite z) is clamped to MaxAbsR = 1-1e-6 first, with a
// warning.
//
// FinalCorrelation is, per treatment and layer, Pearson's r across seeds
// between the layer's accuracy and the model's accuracy at each run's final
// epoch, with the single-series p-value (n-2 df) and Fisher interval
// (se = 1/√(n-3), so at least 4 seeds).
//
// CorrelationRegression fits, per run and layer,
//
//	atanh(r) = b0 + b1·layer + b2·log2(width) + b3·depth
//
// by OLS (H2 reads b1, H3 reads b2: per doubling of width), where width is
// the layer's own width (Group.LayerWidth: the entry of widths for runs
// that set per-layer widths). Because a run
// contributes one row per layer, its standard errors are cluster-robust by
// run (CR1: the sandwich estimator scaled by G/(G-1)·(N-1)/(N-p)), with
// t intervals and p-values on G-1 degrees of freedom, G the number of runs.
// With few runs CR1 standard errors are optimistic. A regressor that does
// not vary independently (one width throughout) is dropped with a warning.
// OLS is also available on its own, with classical standard errors.
//
// # Delay (H1), on either clock
//
// A curve's x values count epochs or optimizer steps (its clock, as in a
// coupling View); the delays are one computation for both, configured by
// DelayOptions (EpochDelays for the per-epoch analysis,
// StepOptions.DelayOptions for the step one). For each run and layer
// (Delays), the gain is the maximum accuracy minus the accuracy at the
// clock's first point (the first epoch; step 0, the untrained network).
// A gain-fraction measure, named by the clock's letter and the percentage
// (e50, e90, e95 per epoch; s50, s90 per step; FractionMeasure), is the
// clock value at which the curve first reaches its first value plus that
// fraction of the gain, linearly interpolated between the point before the
// crossing and the crossing point (ReachEpoch), so it is fractional. A
// threshold measure tNN is where the FF accuracy first reaches NN%
// (ReachLevel; undefined when never reached). The lag behind layer 1
// resamples both curves by linear interpolation on a uniform grid
// (LagGrid clock units: 1 epoch, or DefaultLagGrid steps) from the first
// point over LagWindow (the whole run per epoch), then takes the integer
// k, |k| ≤ L/2 for L grid points, maximising the Pearson correlation
// between layer 1's curve at t and this layer's at t+k over the
// overlapping points (BestLag), times the grid; positive k means this
// layer follows layer 1. Ties go to the smallest |k|, then the positive
// one; layer 1's lag is 0.
//
// Per treatment and layer (SummarizeDelays), each measure's mean over
// seeds with its t interval. Per treatment and measure (DelayTrends):
//
//   - Slope: each run's OLS slope of delay on layer index (clock units per
//     layer), then the mean over runs with its t interval, the one-sided
//     p for a slope > 0 (PGreater) and its Holm adjustment over the
//     treatments of the measure (PHolm). Taking one slope per run keeps
//     the interval valid although a run's layers share noise.
//   - Steps: for each pair of adjacent layers l and l+1, the paired
//     differences delay(l+1) minus delay(l) across seeds, their mean with
//     its t interval and the Wilcoxon signed-rank test (SignedRankTest).
//   - Pooled: the signed-rank test of each run's mean adjacent difference
//     (the differences pooled over layers, one value per run).
//   - Regression: delay on layer index over all the treatment's run-layers,
//     standard errors clustered by run, as a cross-check of Slope.
//
// DelayHypothesis is H1 on either clock: the verdict's measure's mean
// per-run slope, with the other measures' slopes and the gaps between
// adjacent layers beside it as context.
//
// The Wilcoxon signed-rank statistic V is the sum of the ranks of |d| (ties
// sharing their mean rank) over positive differences d; zeros are dropped.
// Its p-values (two-sided, and one-sided for d > 0 and d < 0) are exact
// (the null distribution of V by enumeration of rank subsets) when there
// are at most ExactSignedRankMax differences and no ties or zeros, as in R;
// otherwise they use the normal approximation with mean n(n+1)/4, variance
// n(n+1)(2n+1)/24 - Σ(t³-t)/48 over tie groups, and continuity correction
// 0.5.
//
// # Figures
//
// CurveSummary gives, per treatment, layer and epoch, the mean over seeds
// and t interval of layer, model and label accuracy; FinalAccuracy, per
// treatment, the same for the model accuracy at each run's final epoch.
//
// # Step resolution
//
// StepAnalyze works on the held-out probe's curves recorded at optimizer
// steps from 0 (StepCurves: a Curve whose Epochs are steps). Its delays
// are those above on the step clock: s50, s90, tNN for each of
// StepOptions.Thresholds, and the lag over the first LagWindow steps.
// Measured from step 0, a layer that starts behind and catches up is late,
// where a gain measured from the end of the first epoch makes it early.
//
// DepthDeficits: per treatment and fixed step, the mean over runs of the
// per-run slope of layer FF accuracy (interpolated at the step) on layer
// index, in accuracy points per layer, with the one-sided p for < 0 and
// its Holm adjustment over the table.
//
// Layer versus model at step resolution: Pearson's r of levels over the
// recorded steps (LayerModelCorrelations), of increments between
// consecutive recorded steps (Increments), and across seeds at fixed steps
// (SeedCorrelations, Holm-adjusted over the table, with the across-seed
// split-half reliability and MinDetectableR).
//
// # Coupling: surrogate, timescales, ceiling
//
// Two learning curves of one treatment correlate through the time course
// all its seeds share, in levels and in increments alike. Couplings
// computes every layer–model correlation measure (a View: levels, or
// increments over non-overlapping windows of a timescale, on the step or
// epoch clock, from a fixed step or from the treatment's start step) for
// every treatment and layer, and beside the runs' own Fisher-z mean r:
//
//   - the between-seed surrogate: run i's layer with run j's model, j ≠ i,
//     averaged on the Fisher-z scale (what any two runs share);
//   - the excess, per run atanh r_ii minus its surrogate, with a t
//     interval over runs, and the two-sided permutation p of its mean
//     under random pairings of layers and models (CouplingPermutations,
//     a fixed generator, so redraws are identical);
//   - the correlation of residuals from the treatment's mean curves;
//   - with the split-half probe, each series' reliability: the Fisher-z
//     mean over runs of r between the series measured on one half and on
//     the other, stepped up by Spearman–Brown 2r/(1+r); the ceiling
//     √(rel_layer·rel_model), the largest r the measure can show, and the
//     disattenuated r = r / ceiling; the same for the residuals.
//
// StartStep ends the classifier-only phase: the first recorded step at
// which a treatment's mean layer-1 FF accuracy exceeds its step-0 mean by
// StartSE probe standard errors √(p(1−p)/(2n)), rounded up to the
// shortest window. StepOptions.Views lists the step measures: levels and
// increments from step 0 (as published before), levels from the start
// step, and increments over each of StepOptions.Windows from it.
//
// The step hypotheses follow the verdict rule below with the measures and
// margins of StepOptions (StepVerdictRule), which an experiment file fixes
// in its [analysis] table before the sweep. H1: s50 by default, margin 10
// steps per layer, with the gaps between adjacent layers beside it. H2,
// the paper's reading: layer 1's r of levels from the start step, strong
// when its lower bound is at least StepOptions.Strong, and the slope of
// atanh r on layer index (CorrelationRegression of those levels), with the
// surrogate and excess beside it. H2 coupling: the across-seed r of layer
// 1 at StepOptions.CouplingSteps, Fisher-z averaged over the steps per
// treatment, its mean over treatments, margin CouplingMargin; its power
// and the windowed excesses beside it. H3: the width slope of the levels
// regression and of a regression of the per-treatment across-seed
// couplings (SE clustered by treatment). A claim whose ceiling is below
// its threshold is Untestable. Effects that do not decide a verdict are
// marked Context.
//
// # Hypotheses
//
// EvaluateHypotheses (run by Analyze) returns one row per claim, each with
// its effects (statistic, unit, value, interval, p-value, null value,
// number of runs) and a verdict, pooling every run given:
//
//   - H1: the mean over runs of the per-run delay slope (Options.DelayMeasure,
//     default T50), in epochs per layer; p from the one-sample t-test,
//     one-sided (slope > 0). Every other p-value is two-sided.
//   - H2: the Fisher-z mean over runs of layer 1's r with the model
//     ("strongly" means a lower bound ≥ 0.7; p tests mean z = atanh(0.7)),
//     and b1 of CorrelationRegression.
//   - H3: b2 of CorrelationRegression, per doubling of width.
//
// The verdict rule, also the constant VerdictRule:
//
//	A directional effect, claimed to be positive (s = +1) or negative
//	(s = -1), with equivalence margin m, is
//	  supported      when the whole interval has the claimed sign and the
//	                 point estimate lies outside the margin (s·v > m);
//	  not supported  when the whole interval has the opposite sign, or lies
//	                 inside [-m, m] (the effect is negligible);
//	  inconclusive   otherwise, including when there is no interval (fewer
//	                 than 2 runs).
//	"Strongly correlated" is supported when the lower bound of the
//	Fisher-z mean r is at least 0.7, not supported when its upper bound is
//	below 0.7, and inconclusive otherwise.
//	A claim whose measure's reliability ceiling is below its threshold
//	cannot be tested by this measure.
//	A claim with several parts is supported when every part is, not
//	supported when any part is not, inconclusive otherwise.
//
// Default margins (Options): 0.1 epochs per layer for H1, 0.05 in atanh(r)
// per layer for H2, 0.03 in atanh(r) per doubling of width for H3 (0.01
// per 100 units, the margin when width entered linearly, at width 300). An
// interval touching 0 does not exclude it.
package analysis
