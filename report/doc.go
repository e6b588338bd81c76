// Package report turns a sweep's tables into its published report: the
// analysis tables, the figures and the results README. It runs the
// analysis (package analysis) on the curves once, writes each table
// (AnalysisTables: one declaration per table, as named columns of a
// tableBuilder), draws each figure (Figures: a FigureSpec per figure,
// with the reports it needs), and renders the README from the same
// reports and tables (resultsReadme). It knows nothing of the cache or of
// jobs: the correlate stage calls Write on its output folder, and redraw
// calls it on a published sweep's data.
//
// A new table is a statistic in package analysis and a table builder in
// AnalysisTables (analyze.go); the README lists every table with its
// title without further code, and a README section that quotes it is the
// third file (readme.go).
//
// Per-level analyses of one-at-a-time designs (levels.go) run the same
// step-resolution analysis on each level's runs and compare each level
// with the base.
package report
