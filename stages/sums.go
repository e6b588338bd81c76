package stages

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/internal/atomicfile"
	"github.com/ffchar/ffchar/pipeline"
)

// SumsFile lists, next to published sweep tables, every run's train and
// evaluate keys and the digests of their outputs, as go.sum lists modules:
// `ffchar verify --sums` recomputes runs anywhere and compares.
//
//	ffchar sums v1
//	experiment <name>
//	numerics <key line>                         (the runs' numerics lines, as in their keys)
//	key <run> <stage> <key digest>              (SumKey)
//	output <run> <stage> <file> <output ID>     (every output but volatile ones, by name)
//
// Runs appear in the order of the experiment's runs, train before
// evaluate.
const SumsFile = "runs.sum"

const sumsHeader = "ffchar sums v1"

// Sums is the content of a SumsFile.
type Sums struct {
	Experiment string
	// Numerics are the numerics lines of the first run's train key: what
	// decided its bits (numerics); the sweep's runs share them unless it
	// was computed piecewise on several machines.
	Numerics []string
	Runs     []RunSums
}

// RunSums are one run's keys and output digests, by stage.
type RunSums struct {
	Run    string
	Stages []StageSums
}

// StageSums are one job's key digest (SumKey) and output digests, sorted
// by name.
type StageSums struct {
	Stage   string
	Key     pipeline.ActionID
	Outputs []pipeline.Output // Size is not recorded
}

// SumKey is the digest of a job's key lines that a sums file records: the
// SHA-256 of the lines, one per line, leaving out the input lines of
// volatile outputs. An evaluate job's action key includes the digest of
// its train job's wall-time record, which differs between identical runs;
// everything else that decides the job's outputs is in the lines kept.
func SumKey(lines []string) pipeline.ActionID {
	h := sha256.New()
	for _, l := range lines {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "input" {
			if _, name, _ := strings.Cut(f[1], ":"); pipeline.IsVolatile(name) {
				continue
			}
		}
		h.Write([]byte(l + "\n"))
	}
	var id pipeline.ActionID
	h.Sum(id[:0])
	return id
}

// Stage returns the sums of stage, or nil.
func (r *RunSums) Stage(stage string) *StageSums {
	for i := range r.Stages {
		if r.Stages[i].Stage == stage {
			return &r.Stages[i]
		}
	}
	return nil
}

// Run returns the sums of the run with that ID, or nil.
func (s *Sums) Run(id string) *RunSums {
	for i := range s.Runs {
		if s.Runs[i].Run == id {
			return &s.Runs[i]
		}
	}
	return nil
}

// numericsLabels are the labels numerics writes.
var numericsLabels = []string{"blas", "blas_kernel", "go", "arch", "arithmetic", "blas_library", "blas_threads", "goamd64"}

// NumericsOf returns the numerics lines among a key's lines.
func NumericsOf(lines []string) []string {
	var out []string
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) >= 2 && f[0] == "param" && slices.Contains(numericsLabels, f[1]) {
			out = append(out, l)
		}
	}
	return out
}

// Numerics returns the numerics lines this process writes into the keys
// of runs in the arithmetic mode.
func Numerics(arithmetic string) []string {
	h := pipeline.NewHash(Train)
	numerics(h, arithmetic)
	return h.Lines()[1:]
}

// runOfJob returns the run ID of a per-run job's ID
// (<experiment>/<stage>/<treatment>/r<replicate>).
func runOfJob(id string) string {
	parts := strings.SplitN(id, "/", 3)
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}

// sumsOf collects the sums of the train and evaluate jobs among res.
func sumsOf(experiment string, res []pipeline.Result) *Sums {
	s := &Sums{Experiment: experiment}
	for _, r := range res {
		st := r.Key.Stage()
		if r.Entry == nil || st != Train && st != Evaluate {
			continue
		}
		if st == Train && s.Numerics == nil {
			s.Numerics = NumericsOf(r.Key.Lines)
		}
		id := runOfJob(r.Job)
		run := s.Run(id)
		if run == nil {
			s.Runs = append(s.Runs, RunSums{Run: id})
			run = &s.Runs[len(s.Runs)-1]
		}
		ss := StageSums{Stage: st, Key: SumKey(r.Key.Lines)}
		for _, o := range r.Entry.Outputs {
			if !pipeline.IsVolatile(o.Name) {
				ss.Outputs = append(ss.Outputs, pipeline.Output{Name: o.Name, ID: o.ID})
			}
		}
		run.Stages = append(run.Stages, ss)
	}
	return s
}

// Format returns the file's text.
func (s *Sums) Format() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\nexperiment %s\n", sumsHeader, s.Experiment)
	for _, l := range s.Numerics {
		fmt.Fprintf(&b, "numerics %s\n", l)
	}
	for _, r := range s.Runs {
		for _, st := range r.Stages {
			fmt.Fprintf(&b, "key %s %s %s\n", r.Run, st.Stage, st.Key)
			for _, o := range st.Outputs {
				fmt.Fprintf(&b, "output %s %s %s %s\n", r.Run, st.Stage, o.Name, o.ID)
			}
		}
	}
	return b.Bytes()
}

// writeSums writes the sums file of the train and evaluate jobs among res
// at path.
func writeSums(path, experiment string, res []pipeline.Result) error {
	s := sumsOf(experiment, res)
	if len(s.Runs) == 0 {
		return nil
	}
	return atomicfile.WriteBytes(path, s.Format())
}

// ReadSums reads a sums file. Errors name the file and line.
func ReadSums(path string) (*Sums, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	bad := func(n int, line, why string) error {
		return fmt.Errorf("%s:%d: %s: %q", path, n, why, line)
	}
	s := &Sums{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if n == 1 {
			if line != sumsHeader {
				return nil, bad(n, line, "not a sums file (want the header "+strconv.Quote(sumsHeader)+")")
			}
			continue
		}
		kind, rest, _ := strings.Cut(line, " ")
		f := strings.Fields(rest)
		switch kind {
		case "experiment":
			if len(f) != 1 {
				return nil, bad(n, line, "want experiment <name>")
			}
			s.Experiment = f[0]
		case "numerics":
			s.Numerics = append(s.Numerics, rest)
		case "key":
			if len(f) != 3 {
				return nil, bad(n, line, "want key <run> <stage> <key digest>")
			}
			id, err := pipeline.ParseActionID(f[2])
			if err != nil {
				return nil, bad(n, line, err.Error())
			}
			run := s.Run(f[0])
			if run == nil {
				s.Runs = append(s.Runs, RunSums{Run: f[0]})
				run = &s.Runs[len(s.Runs)-1]
			}
			if run.Stage(f[1]) != nil {
				return nil, bad(n, line, "a second key for this run and stage")
			}
			run.Stages = append(run.Stages, StageSums{Stage: f[1], Key: id})
		case "output":
			if len(f) != 4 {
				return nil, bad(n, line, "want output <run> <stage> <file> <output ID>")
			}
			id, err := pipeline.ParseOutputID(f[3])
			if err != nil {
				return nil, bad(n, line, err.Error())
			}
			var st *StageSums
			if run := s.Run(f[0]); run != nil {
				st = run.Stage(f[1])
			}
			if st == nil {
				return nil, bad(n, line, "an output before its run's key line")
			}
			st.Outputs = append(st.Outputs, pipeline.Output{Name: f[2], ID: id})
		default:
			return nil, bad(n, line, "unknown line")
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if s.Experiment == "" {
		return nil, fmt.Errorf("%s: no experiment line", path)
	}
	return s, nil
}

// Verdicts of a run's comparison with its published sums.
const (
	Match         = "match"
	Differ        = "differ"
	CannotCompare = "cannot compare"
)

// RunCheck is the comparison of one recomputed run with its sums.
type RunCheck struct {
	Run     string
	Verdict string // Match, Differ or CannotCompare
	// Detail says what differs (the output and its first differing value)
	// or why the run cannot be compared; "" for a match.
	Detail string
	// Outputs is the number of outputs compared.
	Outputs int
}

// CheckRun compares a run's recomputed train and evaluate results (among
// res) with its published sums, and names the first differing value by
// comparing the recomputed tables with the published sweep tables in
// dataDir. The runs' keys must match the published ones: a run whose key
// differs was computed from other inputs, parameters or numerics, and
// cannot be compared.
func CheckRun(c *pipeline.Cache, res []pipeline.Result, sums *Sums, run, dataDir string) RunCheck {
	chk := RunCheck{Run: run}
	pub := sums.Run(run)
	if pub == nil {
		chk.Verdict, chk.Detail = CannotCompare, "the sums file has no such run"
		return chk
	}
	for _, stage := range []string{Train, Evaluate} {
		var r *pipeline.Result
		for i := range res {
			if res[i].Entry != nil && res[i].Key.Stage() == stage && runOfJob(res[i].Job) == run {
				r = &res[i]
			}
		}
		ps := pub.Stage(stage)
		switch {
		case ps == nil:
			chk.Verdict, chk.Detail = CannotCompare, "the sums file has no "+stage+" key for it"
			return chk
		case r == nil:
			chk.Verdict, chk.Detail = CannotCompare, "its "+stage+" job did not run"
			return chk
		case SumKey(r.Key.Lines) != ps.Key:
			chk.Verdict, chk.Detail = CannotCompare, fmt.Sprintf("its %s key here is %.12s…, published %.12s…: %s",
				stage, SumKey(r.Key.Lines), ps.Key, keyDifference(sums.Numerics, NumericsOf(r.Key.Lines)))
			return chk
		}
		for _, o := range ps.Outputs {
			got, ok := r.Entry.Output(o.Name)
			if !ok {
				chk.Verdict, chk.Detail = Differ, fmt.Sprintf("%s output %s: published, not recomputed", stage, o.Name)
				return chk
			}
			chk.Outputs++
			if got.ID != o.ID {
				chk.Verdict = Differ
				chk.Detail = fmt.Sprintf("%s output %s: published %.12s…, recomputed %.12s…", stage, o.Name, o.ID, got.ID)
				switch v, ok := firstDifferingValue(c, r.Entry, o.Name, run, dataDir); {
				case v != "":
					chk.Detail += "; first differing value " + v
				case ok:
					chk.Detail += "; every value agrees with the published sweep tables (a digest in the sums file was changed, or the file's metadata differs)"
				}
				return chk
			}
		}
	}
	chk.Verdict = Match
	return chk
}

// keyDifference says why two keys of one run differ: the first differing
// numerics line (another mode, kernel, library or toolchain), or, when the
// numerics agree, a change to the experiment or ffchar's stage code.
func keyDifference(published, here []string) string {
	for i := range max(len(published), len(here)) {
		p, h := "(none)", "(none)"
		if i < len(published) {
			p = published[i]
		}
		if i < len(here) {
			h = here[i]
		}
		if p != h {
			return fmt.Sprintf("published with %s, computed here with %s", p, h)
		}
	}
	return "the numerics agree: the experiment file or ffchar's stage code changed since publishing"
}

// firstDifferingValue names the first value of a recomputed table that
// differs from the published sweep table holding the run's rows; ok
// reports whether the tables could be compared (not for outputs that are
// not in the sweep tables, such as the weights).
func firstDifferingValue(c *pipeline.Cache, e *pipeline.Entry, name, run, dataDir string) (diff string, ok bool) {
	var published string
	switch name {
	case MetricsFile:
		published = CurvesFile
	case EvaluationFile:
		published = EvaluationsFile
	default:
		return "", false
	}
	b, err := c.ReadOutput(e, name)
	if err != nil {
		return "", false
	}
	tmp, err := os.CreateTemp("", "ffchar-verify-*")
	if err != nil {
		return "", false
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.Write(b)
	if err := tmp.Close(); err != nil || werr != nil {
		return "", false
	}
	var got, want []any
	switch name {
	case MetricsFile:
		g, _, err1 := artifacts.ReadMetrics(tmp.Name())
		w, _, err2 := artifacts.ReadMetrics(filepath.Join(dataDir, published))
		if err1 != nil || err2 != nil {
			return "", false
		}
		got, want = rowsOf(g, run), rowsOf(w, run)
	case EvaluationFile:
		g, _, err1 := artifacts.ReadEvaluations(tmp.Name())
		w, _, err2 := artifacts.ReadEvaluations(filepath.Join(dataDir, published))
		if err1 != nil || err2 != nil {
			return "", false
		}
		got, want = rowsOf(g, run), rowsOf(w, run)
	}
	if len(want) == 0 {
		return "", false
	}
	return firstRowDifference(got, want), true
}

// rowsOf returns the rows of run among rows (MetricsRow or EvaluationRow).
func rowsOf[R any](rows []R, run string) []any {
	var out []any
	for _, r := range rows {
		if reflect.ValueOf(r).FieldByName("RunID").String() == run {
			out = append(out, r)
		}
	}
	return out
}

// firstRowDifference names the first number that differs between two
// lists of table rows, with the row's split, epoch, step and layer: for
// example `val epoch 3 step 300 layer 2 FFAccuracy: published 0.91,
// recomputed 0.9125`. NaN equals NaN.
func firstRowDifference(got, want []any) string {
	for i := range min(len(got), len(want)) {
		g, w := reflect.ValueOf(got[i]), reflect.ValueOf(want[i])
		// The row's own fields and those of the measures it embeds; the
		// run's identity is the same by construction.
		for _, f := range reflect.VisibleFields(w.Type()) {
			if f.Anonymous || !f.IsExported() || w.Type().Field(f.Index[0]).Type == reflect.TypeFor[artifacts.RunInfo]() {
				continue
			}
			var a, b float64
			switch f.Type.Kind() {
			case reflect.Float64:
				a, b = w.FieldByIndex(f.Index).Float(), g.FieldByIndex(f.Index).Float()
			case reflect.Int:
				a, b = float64(w.FieldByIndex(f.Index).Int()), float64(g.FieldByIndex(f.Index).Int())
			default:
				continue
			}
			if a == b || math.IsNaN(a) && math.IsNaN(b) {
				continue
			}
			return fmt.Sprintf("%s %s: published %s, recomputed %s", rowName(w), f.Name,
				strconv.FormatFloat(a, 'g', -1, 64), strconv.FormatFloat(b, 'g', -1, 64))
		}
	}
	if len(got) != len(want) {
		return fmt.Sprintf("the run has %d rows published, %d recomputed", len(want), len(got))
	}
	return ""
}

// rowName names a table row by the fields that place it.
func rowName(v reflect.Value) string {
	var parts []string
	if s := v.FieldByName("Split"); s.IsValid() {
		parts = append(parts, s.String())
	}
	for _, f := range []string{"Epoch", "Step", "Layer"} {
		if x := v.FieldByName(f); x.IsValid() {
			parts = append(parts, strings.ToLower(f)+" "+strconv.FormatInt(x.Int(), 10))
		}
	}
	return strings.Join(parts, " ")
}
