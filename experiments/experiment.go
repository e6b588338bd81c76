package experiments

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/ffchar/ffchar/analysis"
	"github.com/ffchar/ffchar/dataset"
	"github.com/ffchar/ffchar/ff"
)

// Data sources besides the named data sets, which package dataset
// declares (dataset.Lookup: "mnist", "fashion-mnist", ...).
const (
	SourceSynthetic = "synthetic" // dataset.Synthetic, generated from DataSpec.Seed
	SourceDir       = "dir"       // IDX files in DataSpec.Dir
)

// SourceAxis is the grid axis that varies the data set: [grid] source =
// ["mnist", "fashion-mnist"]. Only the named data sets, of fixed size, can
// be its values; the [data] table then holds the limits every source
// shares.
const SourceAxis = "source"

// Evaluation splits.
const (
	SplitTest  = "test"
	SplitVal   = "val"
	SplitTrain = "train"
)

// DataSpec says which data a run trains and is evaluated on. Loading it is
// the data stage's business; an experiment only records it.
type DataSpec struct {
	// Source is a named data set (dataset.Lookup), SourceSynthetic or
	// SourceDir.
	Source string `toml:"source" doc:"a named data set (docs/datasets.md: \"mnist\", \"fashion-mnist\", ...) or \"synthetic\"; or dir = \"<folder>\" of IDX files; or neither, with a source axis in [grid]"`
	// Dir is the folder holding the IDX files when Source is SourceDir.
	// Load makes a relative dir relative to the experiment file's folder;
	// Parse keeps it as written.
	Dir string `toml:"dir" doc:"a folder of IDX files, relative to the experiment file"`
	// TrainLimit, ValLimit and TestLimit keep the first samples of each
	// split; 0 keeps the whole split. For synthetic data they are the
	// number of samples generated and must be positive.
	TrainLimit int `toml:"train_limit" min:"0" max:"2147483647" doc:"first samples kept; 0 or absent = the whole split"`
	ValLimit   int `toml:"val_limit" min:"0" max:"2147483647" doc:"first validation samples kept (the named data sets' splits: docs/datasets.md)"`
	TestLimit  int `toml:"test_limit" min:"0" max:"2147483647" doc:"first test samples kept (the evaluation split)"`
	// Seed seeds the synthetic generator; it defaults to the experiment's
	// master seed and is unused for other sources.
	Seed uint64 `toml:"seed" doc:"synthetic only; defaults to master_seed"`
}

// Sizes returns the number of training, validation and test samples runs
// will see. For a folder of unknown size it assumes MNIST's sizes where no
// limit is given, which is good enough for cost estimates.
func (d DataSpec) Sizes() (train, val, test int) {
	all := dataset.MNIST.Sizes
	if set, ok := dataset.Lookup(d.Source); ok {
		all = set.Sizes
	}
	pick := func(limit, all int) int {
		if limit > 0 {
			return limit
		}
		return all
	}
	return pick(d.TrainLimit, all.Train), pick(d.ValLimit, all.Val), pick(d.TestLimit, all.Test)
}

// EvalSpec says which weights are evaluated, and on which split.
type EvalSpec struct {
	// Checkpoints are the epochs, ascending, after which the weights are
	// kept and evaluated. The final epoch is always evaluated as well; see
	// Run.Checkpoints.
	Checkpoints []int `toml:"checkpoints" want:"an array of epochs" min:"1" ascending:"epoch" doc:"epochs evaluated, ascending; the final epoch always is"`
	// Split is SplitTest (default) or SplitVal.
	Split string `toml:"split" oneof:"test,val" doc:"\"test\" (default) or \"val\""`
	// Curves is the split whose per-epoch curves the analysis uses:
	// SplitVal (default; evaluated after every epoch) or SplitTrain
	// (averaged over each epoch's batches, as loeweX logs them).
	Curves string `toml:"curves" oneof:"val,train" doc:"curves the analysis uses: \"val\" (default) or \"train\" (batch averages, as loeweX logs)"`
}

// RecordSpec says how training is measured between epochs: at the
// optimizer steps of ff.StepSchedule{Every}, on a held-out probe of the
// first Probe validation samples (with fixed negatives) and on the training
// batches in between.
type RecordSpec struct {
	// Every is the spacing, in optimizer steps, of the regular part of the
	// schedule (default ff.DefaultStepSchedule.Every); 0 turns step
	// recording off, leaving the per-epoch rows only.
	Every int `toml:"every" range:"[0,1073741824]" why:"0 turns step recording off" doc:"steps between measurements after the dense start (0, 1, 2, 3, 4, 6, 8, 11, 16, ...); 0 turns it off"`
	// Probe is the number of validation samples in the held-out probe
	// (default DefaultProbe, or the whole validation split when smaller);
	// 0 records the training stream only.
	Probe int `toml:"probe" min:"0" doc:"held-out probe: the first N validation samples (default 500, capped at the split)"`
	// Halves also records the probe's first and second halves (samples
	// [0, Probe/2) and [Probe/2, Probe)) as two independent measurements
	// of every curve: the split-half probe that gives each curve's
	// reliability, and so the largest correlation a measure can show.
	// Probe must then be even. It costs no extra forward pass.
	Halves bool `toml:"halves" doc:"also record the probe's two halves (probe_a, probe_b): every measure's reliability ceiling; probe must be even"`
}

// DefaultProbe is the default size of the held-out probe: large enough
// that a layer's FF accuracy is measured on 1,000 decisions, small enough
// that probing at the default schedule costs about a tenth of training
// (docs/performance.md).
const DefaultProbe = 500

// On reports whether step recording is on.
func (r RecordSpec) On() bool { return r.Every > 0 }

// Axis is one treatment factor: a Config field, or SourceAxis, and the
// values it takes, formatted as ff.Config.Get formats them, in the order
// the file lists them.
type Axis struct {
	Field  string
	Values []string
}

// Bounds on an experiment's size, checked with overflow-checked
// arithmetic before anything is allocated.
const (
	MaxSeeds     = 10_000     // replicates per treatment
	MaxRuns      = 100_000    // treatments × seeds
	MaxSynthetic = 10_000_000 // samples of a synthetic split
	MaxNameLen   = 64         // bytes of an experiment name
)

// CheckName reports whether name can name an experiment. The name becomes
// a folder of results/ and of the cache, so it is an identifier: letters,
// digits, "-", "_" and ".", not starting with "." (which also rules out
// "." and ".."), at most MaxNameLen bytes. Every command loads its
// experiment through Parse, which checks the name here.
func CheckName(name string) error {
	const want = `must be letters, digits, "-", "_" and ".", not starting with "."`
	switch {
	case name == "":
		return errors.New("must not be empty")
	case len(name) > MaxNameLen:
		return fmt.Errorf("must be at most %d bytes", MaxNameLen)
	case name[0] == '.':
		return errors.New(want)
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'
		if !ok {
			return errors.New(want)
		}
	}
	return nil
}

// Experiment is a parsed experiment file: a base configuration, the grid of
// treatments varied around it, and how many replicates each treatment gets.
//
// The tags declare the experiment file's keys (package internal/tomlkeys):
// the tables' keys are the tags of DataSpec, EvalSpec, RecordSpec and
// analysis.StepOptions; those tagged file:"custom" are decoded by hand,
// and those tagged file:"config" take ff.Config's fields.
type Experiment struct {
	Name        string `toml:"name" doc:"defaults to the file's base name; see CheckName"`
	Description string `toml:"description" doc:"one line: what the experiment is"`
	// Notes is free text published with the results: for example what a
	// sweep scales down from the paper, and why.
	Notes string `toml:"notes" doc:"optional; published with the results (caveats, what was scaled down)"`
	// Arithmetic is the arithmetic mode the experiment's runs compute in:
	// backend.Native (the default: the fastest kernel for the CPU, bits
	// reproducible on one machine) or backend.PortableMode (bits that
	// agree on every x86-64 CPU with AVX2 and FMA; see
	// backend.EnsurePortable). A command's --arithmetic flag overrides it.
	Arithmetic string `toml:"arithmetic" doc:"optional: \"native\" (default; the CPU's fastest OpenBLAS kernel) or \"portable\" (bits that agree on every AVX2+FMA CPU; backend.EnsurePortable)"`
	// Path is the file the experiment came from, as given to Load, or the
	// name given to Parse. Error messages start with it.
	Path string

	Recipe     ff.Recipe `toml:"recipe" file:"required" doc:"required: the defaults (ff.DefaultConfig)"`
	Seeds      int       `toml:"seeds" file:"required" min:"1" max:"10000" doc:"required: replicates per treatment, ≥ 1"`
	MasterSeed uint64    `toml:"master_seed" file:"required" doc:"required: every run's seed derives from it"`

	// Data is the [data] table. With a source axis its Source is empty:
	// each treatment's Data names the source it uses.
	Data DataSpec `toml:"data" file:"required,custom"`
	// Base is the recipe's defaults with the file's [base] overrides.
	Base ff.Config `toml:"base" file:"custom,config"`
	// Grid holds the crossed treatment factors, sorted by field name.
	Grid []Axis `toml:"grid" file:"custom,config"`
	// OneAtATime holds the factors varied one at a time around their
	// first value (the base level), in every point of Grid; sorted by
	// field name.
	OneAtATime []Axis     `toml:"one_at_a_time" file:"custom,config"`
	Evaluate   EvalSpec   `toml:"evaluate"`
	Record     RecordSpec `toml:"record" file:"custom"`
	// Analysis holds the step-resolution analysis settings and verdict
	// rules of the file's [analysis] table, written before a sweep runs;
	// zero fields mean the analysis package's defaults.
	Analysis analysis.StepOptions `toml:"analysis"`
	// Source is the file's text, as parsed: published with the results
	// (data/experiment.toml), so that they carry their experiment.
	Source []byte
	// Overrides are the engine fields a command set over the file
	// ("lr=0.01", Set), in order; published with the results.
	Overrides []string

	treatments []Treatment
}

//go:embed *.toml
var bundled embed.FS

// Profiles returns the names of the bundled experiment files, sorted.
func Profiles() []string {
	entries, err := fs.ReadDir(bundled, ".")
	if err != nil {
		panic("experiments: reading the embedded profiles: " + err.Error())
	}
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".toml"); ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// Profile returns the experiment called name. A name ending in ".toml" or
// containing a path separator is a file, read with Load. Any other name is
// a bundled profile: experiments/<name>.toml as compiled into the program,
// so that the binary works outside the repository. ProfileIn lets a copy on
// disk take precedence.
func Profile(name string) (*Experiment, error) {
	return ProfileIn("", name)
}

// ProfileIn is Profile, except that when dir holds <name>.toml that file is
// loaded instead of the bundled copy, so edits to a checkout's
// experiments/ folder take effect without rebuilding.
func ProfileIn(dir, name string) (*Experiment, error) {
	if isPath(name) {
		return Load(name)
	}
	if dir != "" {
		p := filepath.Join(dir, name+".toml")
		if _, err := os.Stat(p); err == nil {
			return Load(p)
		}
	}
	data, err := bundled.ReadFile(name + ".toml")
	if err != nil || !validProfileName(name) {
		return nil, &Error{Path: name, Msg: fmt.Sprintf("unknown profile (profiles: %s; or give a .toml file)",
			strings.Join(Profiles(), ", ")), Err: fs.ErrNotExist}
	}
	return Parse(path.Join("experiments", name+".toml"), data)
}

func isPath(name string) bool {
	return strings.HasSuffix(name, ".toml") || strings.ContainsRune(name, '/') ||
		strings.ContainsRune(name, filepath.Separator)
}

// validProfileName rejects names embed.FS would resolve to something other
// than a bundled file, such as ".".
func validProfileName(name string) bool {
	return name != "" && fs.ValidPath(name) && !strings.HasPrefix(name, ".")
}

// Load reads and parses the experiment file at path.
// The file must be a regular file of at most MaxFileSize bytes.
func Load(path string) (*Experiment, error) {
	data, err := readBounded(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		var ee *Error
		if errors.As(err, &ee) {
			ee.Path = path
			return nil, ee
		}
		return nil, &Error{Path: path, Msg: err.Error(), Err: err}
	}
	e, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	if e.Data.Source == SourceDir && !filepath.IsAbs(e.Data.Dir) {
		e.Data.Dir = filepath.Join(filepath.Dir(path), e.Data.Dir)
		for i := range e.treatments {
			e.treatments[i].Data.Dir = e.Data.Dir
		}
	}
	return e, nil
}

// Parse parses an experiment file's contents; name is used in error
// messages and recorded as Path. It checks everything that can be checked
// without data: every key is known and of the right type, every treatment's
// Config is valid, and every checkpoint is within its treatment's epochs.
func Parse(name string, data []byte) (*Experiment, error) {
	var e *Experiment
	err := checkBounds(data)
	if err == nil {
		e, err = parse(name, data)
	}
	if err != nil {
		var ee *Error
		if errors.As(err, &ee) && ee.Path == "" {
			ee.Path = name
		}
		return nil, err
	}
	e.Source = bytes.Clone(data)
	return e, nil
}

// Error is a mistake in an experiment file, reported on one line that
// names the file, the key and, where there is one, the offending value.
type Error struct {
	Path string // the file, as given to Load or Parse
	// Key is the dotted key at fault ("grid.width", "seeds"), or empty when
	// the mistake is not in one key (a syntax error, a missing file).
	Key string
	Msg string // everything after "Path: "
	Err error  // the underlying error, if any
}

func (e *Error) Error() string {
	p := e.Path
	if strings.IndexFunc(p, unicode.IsControl) >= 0 {
		p = strconv.Quote(p) // keep the message on one line
	}
	return p + ": " + e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Axes returns the names of the treatment axes, [grid] and
// [one_at_a_time], sorted: the order of a treatment's ID and Values.
func (e *Experiment) Axes() []string {
	var names []string
	for _, ax := range append(slices.Clone(e.Grid), e.OneAtATime...) {
		names = append(names, ax.Field)
	}
	slices.Sort(names)
	return names
}

// Treatments returns the treatments in canonical order: the cartesian
// product of the grid's axes, the first axis (by field name) varying
// slowest and each axis's values in file order.
func (e *Experiment) Treatments() []Treatment {
	ts := slices.Clone(e.treatments)
	for i := range ts {
		ts[i].Values = slices.Clone(ts[i].Values)
		ts[i].Config.Widths = slices.Clone(ts[i].Config.Widths)
		ts[i].Checkpoints = slices.Clone(ts[i].Checkpoints)
	}
	return ts
}

// HasAxis reports whether [grid] or [one_at_a_time] has an axis called
// name.
func (e *Experiment) HasAxis(name string) bool {
	is := func(ax Axis) bool { return ax.Field == name }
	return slices.ContainsFunc(e.Grid, is) || slices.ContainsFunc(e.OneAtATime, is)
}

// Sources returns the data sources of the experiment: the source axis's
// values in file order, or the [data] table's one source.
func (e *Experiment) Sources() []string {
	for _, ax := range append(slices.Clone(e.Grid), e.OneAtATime...) {
		if ax.Field == SourceAxis {
			return slices.Clone(ax.Values)
		}
	}
	return []string{e.Data.Source}
}

// Treatment is one point of the grid.
type Treatment struct {
	Index int // position in canonical order
	// ID names the treatment by its grid values, fields sorted by name:
	// "depth=2,width=500". It is stable across files: two experiments
	// with the same grid values give the same ID.
	ID string
	// SeedID is what the runs' seeds derive from (RunSeed): the ID without
	// its epochs axis, so that runs differing only in their length share
	// seeds, and with them every epoch their schedules agree on
	// (ff.SharedEpochs).
	SeedID string
	// Values holds the value of each axis, [grid] and [one_at_a_time],
	// in field-name order (the order of ID and of Experiment.Axes).
	Values []string
	// Varied is the [one_at_a_time] axis this treatment moves off its base
	// level, or "" for a base treatment (and in an experiment without
	// [one_at_a_time]).
	Varied string
	Config ff.Config
	// Data is the data the treatment trains and is evaluated on: the
	// experiment's Data, with the source axis's value as its Source.
	Data DataSpec
	// Checkpoints are the epochs evaluated: the file's checkpoints and the
	// final epoch, ascending, without repeats.
	Checkpoints []int
}
