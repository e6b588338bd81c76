// Package experiments reads experiment files: declarative descriptions of
// which Forward-Forward networks to train, on which data, with how many
// seeds, and which epochs to evaluate. It expands a file into treatments
// and runs; training them is the pipeline's job.
//
// # Profiles
//
// Four experiment files are bundled into the program (Profile, Profiles):
//
//   - smoke: two tiny networks on synthetic data, two seeds, three epochs;
//     seconds. The tests use it.
//   - quick: the default of `make figures`; the paper's design scaled down
//     to about ten minutes on two cores (64 runs).
//   - reproduction: the published sweep (results/reproduction): depths 1–4
//     × widths 100, 300, 1000 × 10 seeds × 8 epochs on all of MNIST; about
//     an hour and a half on two cores.
//   - beyond: the published beyond-paper sweep (results/beyond): one factor
//     at a time (epochs, schedule, readout, peer normalisation, recipe, data
//     set) around 3 layers × 4 epochs, crossed with widths 500 and 250,
//     8 seeds (128 runs); about an hour on two cores.
//   - paper: the paper's scale, depths 1–4 × widths 100–2000 × 20, 50 and
//     100 epochs × 30 seeds on all of MNIST (1440 runs); weeks on one
//     machine.
//
// Each file states its estimated cost in a comment; Experiment.EstimateFLOPs
// recomputes it. ProfileIn lets a file on disk take precedence over the
// bundled copy, and any name ending in ".toml" is loaded as a file.
//
// # Format
//
// An experiment file is TOML:
//
//	name = "quick"                 # defaults to the file's base name; see CheckName
//	description = "..."            # one line: what the experiment is
//	notes = """..."""              # optional; published with the results (caveats, what was scaled down)
//	arithmetic = "portable"        # optional: "native" (default; the CPU's fastest OpenBLAS kernel) or
//	                               # "portable" (bits that agree on every AVX2+FMA CPU; backend.EnsurePortable)
//	recipe = "loewe"               # required: the defaults (ff.DefaultConfig)
//	seeds = 8                      # required: replicates per treatment, ≥ 1
//	master_seed = 20250415         # required: every run's seed derives from it
//
//	[data]                         # required
//	source = "mnist"               # a named data set (docs/datasets.md) or "synthetic"; or dir = "<folder>" of IDX files;
//	                               # or neither, with a source axis in [grid] (below)
//	train_limit = 10000            # first samples kept; 0 or absent = the whole split
//	val_limit = 2000               # (MNIST and Fashion-MNIST: 50,000 / 10,000 / 10,000)
//	test_limit = 0                 # first test samples kept (the evaluation split)
//	# seed = 7                     # synthetic only; defaults to master_seed
//
//	[base]                         # any ff.Config field, overriding the recipe
//	batch_size = 100
//	epochs = 10
//
//	[grid]                         # required: the treatments
//	depth = [1, 2, 3, 4]
//	width = [100, 500]
//
//	[one_at_a_time]                # optional: axes varied one at a time, crossed with [grid]
//	schedule = ["simultaneous", "greedy"]  # the first value is the base level
//	recipe = ["loewe", "pezeshki"]
//
//	[evaluate]
//	checkpoints = [1, 5, 10]       # epochs evaluated, ascending; the final epoch always is
//	split = "test"                 # "test" (default) or "val"
//	curves = "val"                 # curves the analysis uses: "val" (default) or "train" (batch averages, as loeweX logs)
//
//	[record]                       # step resolution (RecordSpec); on by default
//	every = 20                     # steps between measurements after the dense start (0, 1, 2, 3, 4, 6, 8, 11, 16, ...); 0 turns it off
//	probe = 500                    # held-out probe: the first N validation samples (default 500, capped at the split)
//	halves = true                  # also record the probe's two halves (probe_a, probe_b): every measure's reliability ceiling; probe must be even
//
//	[analysis]                     # step-resolution analysis and verdict rules (analysis.StepOptions); write them before the sweep runs
//	h1_measure = "s50"             # "s50", "s90" (steps to that share of the gain over step 0), "lag", or "t80" (steps to 80% FF accuracy)
//	h1_margin = 10                 # steps per layer
//	h2_strong = 0.7                # r of levels that H2's paper reading calls strong (lower bound of its CI)
//	layer_margin = 0.05            # atanh(r) per layer
//	width_margin = 0.03            # atanh(r) per doubling of width
//	windows = [20, 50, 100, 250, 500]  # timescales: increments over non-overlapping windows of this many steps
//	start_se = 2                   # the start step: layer 1's mean leaves its step-0 value by this many probe SEs
//	coupling_steps = [100, 200, 300, 400, 500]  # steps of the across-seed correlation (H2 coupling)
//	coupling_margin = 0.1          # atanh(r): a smaller coupling is negligible
//	power = 0.8                    # power of the smallest detectable r reported
//	# h2_measure = "levels"        # accepted for older files; H2 now reports levels and coupling apart
//	thresholds = [0.6, 0.7, 0.8, 0.9]  # FF accuracies whose first crossing is a delay measure (t60, ...)
//	deficit_steps = [50, 100, 250, 500]  # steps at which the depth deficit is measured
//	lag_window = 500               # steps from 0 searched by the cross-correlation
//	lag_grid = 5                   # its resampling grid, in steps
//
// Step recording measures every run at step 0 and at scheduled optimizer
// steps (ff.StepSchedule) on the probe and on the training batches in
// between; it changes nothing in training (the weights are bit-identical)
// and costs about a tenth of training at the defaults. Its settings are
// part of a run's key; with every = 0 the key is that of a run recorded
// before step recording existed. The [analysis] settings are part of the
// correlate key only: changing them re-analyses, never retrains.
//
// Each key above is declared once, as the tags of a field of Experiment,
// DataSpec, EvalSpec, RecordSpec or analysis.StepOptions (its name, type,
// bounds and documentation): the parser, its unknown-key errors,
// docs/fields.md and the [analysis] key lines all read them.
//
// Field names in [base] and [grid] are those of ff.FieldNames, except
// recipe, which only the top-level key sets; [grid] also takes source (see
// The data set as an axis). Values have the field's type:
// integers for integer fields, numbers for float fields, true or false,
// strings for named choices ("greedy", "adam"), and arrays of integers for
// widths. A field may be in [base] or [grid], not both. For synthetic data
// the three sizes are required: they are the numbers of samples generated.
// A relative dir is relative to the experiment file's folder.
//
// # Treatments and runs
//
// The treatments are the cartesian product of the grid's lists. Axes are
// sorted by field name, the first varying slowest, and each list keeps its
// file order, so depth = [1, 2] and width = [16] give "depth=1,width=16"
// then "depth=2,width=16". A treatment's ID lists its grid values that way;
// floats are written exactly (strconv 'g', -1) and a widths list joins its
// entries with "x" ("widths=500x100").
//
// With [one_at_a_time], every grid point gets the base (each such axis at
// its first value) and then, axis by axis in name order, one treatment
// per other value of that axis with the rest at the base: one factor at a
// time. A treatment keeps what its recipe's defaults and [base] give every
// axis it does not vary, and its ID records that value, so a recipe level
// runs that recipe's own settings rather than the base recipe's values of
// the other axes. The base level must therefore be what [base] gives: a
// first value other than the recipe's default is also set in [base]
// (epochs = 4 in [base] and epochs = [4, 2, 8]). Treatment.Varied names
// the axis a treatment moves off its base; the analysis compares each
// level with the base (stages: tables/one_at_a_time). recipe may be an
// axis of [grid] or [one_at_a_time], never of [base].
//
// Every treatment is run Seeds times. Runs are numbered in canonical order,
// treatments first and replicates within them, and shard i of n holds the
// runs whose index is i mod n. A run's seed is RunSeed(master_seed,
// treatment ID, replicate): it does not depend on the rest of the grid, so
// growing a grid keeps the seeds, and with them the cached results, of the
// runs already there. Run.KeyLines lists what identifies a run's training
// for the cache.
//
// A treatment is its grid axes as key/value data (package axes): every
// sweep table and analysis table has one column per axis named after the
// field, plus layer_width, and the figures are laid out by axis name. So
// any engine field becomes a treatment factor by listing it under [grid];
// nothing else changes. For example a schedule × per-layer widths grid:
//
//	[base]
//	depth = 2
//	[grid]
//	widths = [[32, 16], [16, 32]]
//	schedule = ["simultaneous", "greedy"]
//
// # The data set as an axis
//
// The grid's one axis that is not a Config field is source: it varies the
// data set, so that one sweep compares MNIST and Fashion-MNIST:
//
//	[data]                         # the limits apply to every source
//	train_limit = 10000
//	val_limit = 2000
//	[grid]
//	source = ["mnist", "fashion-mnist"]
//	depth = [1, 2, 3]
//	width = [500]
//
// Its values are the named data sets, of fixed size, that package dataset
// declares (docs/datasets.md); synthetic data and folders are set in
// [data] only. With
// the axis, [data] names no source or dir (the data is named in one place,
// as a field is in [base] or [grid], not both) and holds the limits. The
// treatment IDs carry the axis like any other ("depth=3,source=mnist,
// width=500"), so do the tables and figures, and each Treatment and Run has
// the DataSpec it uses (Treatment.Data); Experiment.Data is then the [data]
// table with an empty Source. The pipeline prepares each source once and
// trains every run on its own.
//
// Adding a field to ff.Config does not change the keys of cached runs as
// long as it carries a keydefault tag holding the value that reproduces
// the old behaviour (the rule is in ff.FieldLines).
//
// # Errors
//
// Parse checks the whole file before anything runs: unknown keys (at any
// level, matched exactly), wrong types, out-of-range values, an empty grid,
// list or string, every treatment's ff.Config.Validate, and checkpoints
// beyond a treatment's last epoch. Before decoding, a file larger than
// MaxFileSize (1 MiB) or nested deeper than MaxDepth (32 levels of arrays,
// inline tables or dotted keys) is refused, and Load reads only regular
// files. The first mistake is returned as an *Error whose
// message is one line naming the file, the key and the value:
//
//	experiments/bad.toml: unknown key "dpeth" in [base]
//	experiments/bad.toml: base.epochs: want an integer, got string "ten"
//	experiments/bad.toml: grid.width: value -5: must be at least 1
package experiments
