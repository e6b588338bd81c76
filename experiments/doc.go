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
//   - paper: the paper's scale, depths 1–4 × widths 100–2000 × 30 seeds ×
//     100 epochs on all of MNIST (480 runs); days on one machine.
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
//	description = "..."
//	notes = """..."""              # optional; published with the results (caveats, what was scaled down)
//	recipe = "loewe"               # required: the defaults (ff.DefaultConfig)
//	seeds = 8                      # required: replicates per treatment, ≥ 1
//	master_seed = 20250415         # required: every run's seed derives from it
//
//	[data]                         # required
//	source = "mnist"               # "mnist" or "synthetic"; or dir = "<folder>" of IDX files
//	train_limit = 10000            # first samples kept; 0 or absent = the whole split
//	val_limit = 2000               # (MNIST: 50,000 / 10,000 / 10,000)
//	test_limit = 0
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
//	[evaluate]
//	checkpoints = [1, 5, 10]       # epochs evaluated, ascending; the final epoch always is
//	split = "test"                 # "test" (default) or "val"
//	curves = "val"                 # curves the analysis uses: "val" (default) or "train" (batch averages, as loeweX logs)
//
// Field names in [base] and [grid] are those of ff.FieldNames, except
// recipe, which only the top-level key sets. Values have the field's type:
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
// Every treatment is run Seeds times. Runs are numbered in canonical order,
// treatments first and replicates within them, and shard i of n holds the
// runs whose index is i mod n. A run's seed is RunSeed(master_seed,
// treatment ID, replicate): it does not depend on the rest of the grid, so
// growing a grid keeps the seeds, and with them the cached results, of the
// runs already there. Run.KeyLines lists what identifies a run's training
// for the cache.
//
// # Errors
//
// Parse checks the whole file before anything runs: unknown keys (at any
// level, matched exactly), wrong types, out-of-range values, an empty grid
// or list, every treatment's ff.Config.Validate, and checkpoints beyond a
// treatment's last epoch. The first mistake is returned as an *Error whose
// message is one line naming the file, the key and the value:
//
//	experiments/bad.toml: unknown key "dpeth" in [base]
//	experiments/bad.toml: base.epochs: want an integer, got string "ten"
//	experiments/bad.toml: grid.width: value -5: must be at least 1
package experiments
