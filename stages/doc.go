// Package stages defines ffchar's pipeline stages — prep, train, evaluate,
// correlate and publish — as pipeline jobs: each declares its inputs
// (the jobs it depends on), the parameters that go into its action key and
// the files it produces. Jobs builds the graph for an experiment.
//
//	prep                      dataset.arrow, prep.json
//	                          (prep/<source>, one per source, with a source axis)
//	train/<treatment>/r<k>    metrics.parquet, weights-e<NNN>.arrow per checkpoint,
//	                          run.json, volatile-timing.json
//	evaluate/<treatment>/r<k> evaluation.parquet, confusion.parquet
//	correlate                 curves.parquet, evaluations.parquet, confusion.parquet
//	                          (the sweep tables, with axis columns and layer_width),
//	                          the analysis tables, one .png, .svg and .pdf per
//	                          figure, README.md (the results section)
//
// The correlate job is the one place a sweep is analysed, through package
// report (tables, figures and the results README). Publish copies
// its outputs into the working tree (adding CSV, Markdown and LaTeX
// renderings of the tables, the publishing build's provenance and
// data/runs.sum, every run's key and output digests: SumsFile, CheckRun),
// and
// redraw runs the same code on published sweep tables, so published
// tables, figures and README cannot disagree. Jobs builds the graph by
// stage name: Selection.Until names the last stage. An experiment with
// [one_at_a_time] is also analysed per level, the base or one axis
// changed (report/levels.go): tables/one_at_a_time, figure 9 and a README
// section compare each level with the base.
//
// Job IDs are prefixed with the experiment name, so that the cache
// remembers each experiment's last key per job for `ffchar status --why`.
// A job's own key lines never name the experiment, but the runner labels
// each input line with the dependency's job ID ("input beyond/prep/mnist:
// dataset.arrow <digest>"), so the name reaches every train, evaluate and
// correlate key: two experiments with the same runs do not share cached
// results, and renaming an experiment recomputes it. Labelling inputs by
// the ID without its experiment would let them share, at the price of
// recomputing every cache once.
//
// Every key includes the stage's code version (bump it when a stage's
// output changes for the same inputs), and train and evaluate keys include
// what changes numbers: the BLAS backend, OpenBLAS's kernel ("param
// blas_kernel", only with OpenBLAS) and the Go version. A portable
// experiment's keys name the pinned computation instead, with the mode and
// its pins ("param arithmetic", numerics), and its jobs compute only in a
// process in portable arithmetic.
package stages
