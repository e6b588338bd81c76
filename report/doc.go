// Package report turns a sweep's tables into its published report: the
// analysis tables, the figures and the results README. It runs the
// analysis (package analysis) on the curves once, writes each table
// (AnalysisTables: one row type per table, its columns tagged fields,
// rows.go and rowtable.go), draws each figure (Figures: a FigureSpec per figure,
// with the reports it needs), and renders the README from the same
// reports and tables (resultsReadme). It knows nothing of the cache or of
// jobs: the correlate stage calls Write on its output folder, and redraw
// calls it on a published sweep's data.
//
// A new table is a statistic in package analysis, a row type in rows.go
// registered in rowTypes, and a function in AnalysisTables (analyze.go)
// that fills its rows; the README lists every table with its
// title without further code, and a README section that quotes it is the
// third file (readme.go).
//
// Per-level analyses of one-at-a-time designs (levels.go) run the same
// step-resolution analysis on each level's runs and compare each level
// with the base.
package report
