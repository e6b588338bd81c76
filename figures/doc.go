// Package figures draws the figures of the study from the tables of
// package analysis. Each figure is a function from tables to a *Figure: a
// title, a grid of gonum.org/v1/plot panels and a shared legend. Drawing
// is separate from saving: Write renders a figure as PNG, SVG or PDF, and
// Save writes it to a file atomically.
//
// # Figures
//
//  1. Accuracy: each layer's FF accuracy and the model (classifier)
//     accuracy against epoch, one panel per treatment (rows are depths,
//     columns widths; see Facets). One line per layer, the model black and dashed;
//     means over seeds with translucent confidence bands.
//  2. Delays: the epoch (or step) at which a layer's accuracy first
//     reaches 50% of its gain (analysis.MeasureE50) against layer index, with confidence
//     intervals, in two panels: one line per depth at a fixed width, and
//     one line per width at a fixed depth.
//  3. CorrelationHeatmap: layers (rows) by treatments (columns), each cell
//     coloured by and annotated with the correlation over epochs between
//     the layer's accuracy and the model accuracy (Fisher-z mean over
//     seeds). Cells without a layer or a defined correlation are blank.
//  4. CorrelationByWidth: the same correlation against layer width on a
//     log axis, one line per layer with confidence intervals, one panel per
//     depth.
//  5. FinalAccuracy: the model accuracy at the final epoch against depth,
//     one line per width, with confidence intervals.
//  6. LabelAccuracy (beyond the paper): each layer's own 10-class goodness
//     accuracy against epoch, laid out as figure 1, with the model accuracy
//     for reference.
//  9. Levels (one-factor-at-a-time sweeps): a forest plot, one row per
//     level (the base on top), panels for the model's test accuracy, H1's
//     slope of the delay on layer index and layer 1's correlation with the
//     model, means with confidence intervals and a dashed line at the base.
//
// At step resolution, figures 1 and 2 are drawn from the probe's curves
// (StepAccuracy, Delays on the step clock), figure 7 (FirstSteps) shows the first epoch
// step by step and figure 8 is figure 3 for the correlation of increments.
//
// # Facets
//
// Figures lay treatments out by their grid axes, picked by name from the
// treatment names (package axes): the last axis is the inner facet (panel
// columns; the lines of figures 2 and 5), the others together the outer
// one (panel rows; the x axis of figure 5, as categories when its values
// are not numbers). A grid over depth and width (or either) gives the
// paper's layout above. A grid over schedule and widths, say, gives panels
// "schedule greedy, widths 32x16", figure 2's panels "by schedule" and "by
// widths", figure 4 one panel per schedule against each layer's own width,
// and figure 5 against schedule, one line per widths.
//
// # Conventions
//
// Accuracies, which analysis gives as fractions, are plotted in percent;
// delays in epochs; correlations as coefficients. Every title states what
// is shown, the confidence level of the intervals and the number of seeds
// behind the means (a range when treatments lost runs). Intervals that
// need more seeds than a treatment has are not drawn, and accuracy
// intervals are clipped to 0–100%.
//
// Colour means layer index, the same in every figure (LayerColor: the
// Okabe–Ito colours, safe for colour-blind readers); the model is black.
// Where lines stand for depths, widths or levels instead, they are told
// apart by glyph, dash pattern and tone (black or grey), never by hue:
// eight levels each have their own glyph, and past eight the dashes grow
// longer. Correlations use a diverging blue–red scale fixed to [-1, 1].
// Panels of one figure share their axis ranges, except that a mean far
// off the scale of the others (figures 2, 5 and 9: a greedy schedule's
// delays, a level that failed to learn) is drawn at the panel's edge with
// its value rather than squashing the rest; figures 2 and 5 then add an
// inset with every line at full scale, in a corner of the panel free of
// data (Inset; the panel grows headroom when no corner is free). Axis values sort with numbers as numbers (width 300
// before 1000). Category labels that would overprint each other are
// turned upright; panel titles wrap to their column; a treatment or level
// without data gets no panel (figure 4 names the levels it leaves out).
//
// Figures are sized for print: 3.5 in per panel column, 7 in at most, at
// most four panel columns, text 7–9 pt, and at most MaxHeight (2,400 px at
// 300 dpi) tall: Figure.Pages splits a taller figure by panel rows into
// pages, each with the title and legend. internal/figcheck checks a
// figure's layout from the boxes of its texts.
//
// Output is deterministic: the same tables give byte-identical SVG and
// PNG. Inputs are sorted before drawing, so their order does not matter.
package figures
