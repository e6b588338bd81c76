package stages

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/internal/atomicfile"
	"github.com/ffchar/ffchar/internal/safepath"

	"github.com/ffchar/ffchar/backend"

	"github.com/ffchar/ffchar/pipeline"
	"github.com/ffchar/ffchar/report"
)

// PublishResults copies the outputs of the correlate job among res into
// <results>/<experiment>: the sweep tables into data/, the analysis tables
// into tables/ (with CSV, Markdown and LaTeX renderings), the figures into
// figures/ and the results README, completed with the publishing build's
// provenance, and the runs' keys and output digests into data/runs.sum
// (SumsFile); at the folder's top the experiment file, the provenance and
// the schema of every table (writeStandalone). Nothing is recomputed, so what is published is what the
// cache holds. It is not a cached job: it writes into the working tree.
// The experiment's folder is replaced as a whole (atomicfile.ReplaceDir):
// a reader, or a publish killed at any point, never sees a mix of old and
// new files. It returns the folder.
func PublishResults(c *pipeline.Cache, res []pipeline.Result, results string, about ResultsInfo) (string, error) {
	var correlate *pipeline.Entry
	for _, r := range res {
		if r.Entry != nil && r.Key.Stage() == Correlate {
			correlate = r.Entry
		}
	}
	if correlate == nil {
		return "", fmt.Errorf("publish: no correlate results for %s: run the pipeline through correlate first", about.Experiment.Name)
	}
	return replaceResults(results, about.Experiment.Name, func(dir string) error {
		data, tables, figs := filepath.Join(dir, "data"), filepath.Join(dir, "tables"), filepath.Join(dir, "figures")
		for _, d := range []string{data, tables, figs} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return fmt.Errorf("publish: %w", err)
			}
		}
		var readme []byte
		for _, o := range correlate.Outputs {
			b, err := c.ReadOutput(correlate, o.Name)
			if err != nil {
				return err
			}
			var dst string
			switch {
			case o.Name == ReadmeFile:
				readme = b
				continue
			case o.Name == CurvesFile || o.Name == EvaluationsFile || o.Name == ConfusionsFile:
				dst = filepath.Join(data, o.Name)
			case strings.HasSuffix(o.Name, ".parquet"):
				dst = filepath.Join(tables, o.Name)
			default:
				dst = filepath.Join(figs, o.Name)
			}
			if err := atomicfile.WriteBytes(dst, b); err != nil {
				return fmt.Errorf("publish: %w", err)
			}
		}
		if readme == nil {
			return fmt.Errorf("publish: the correlate results of %s have no %s", about.Experiment.Name, ReadmeFile)
		}
		if err := report.WriteTablesText(tables); err != nil {
			return err
		}
		runs, err := writeTimings(c, res, filepath.Join(data, TimingsFile))
		if err != nil {
			return err
		}
		if err := writeSums(filepath.Join(data, SumsFile), about.Experiment.Name, res); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		// Which build published the sweep (cached runs keep the results of
		// the build that computed them, under keys that include the BLAS
		// backend and Go version) stays with the data: redrawing it later
		// does not change it.
		prov := Provenance{Version: about.Version, Revision: Revision(), Go: runtime.Version(),
			Backend: backend.Name(), Library: backend.Library(), CPU: backend.HostCPU().Model,
			Experiment: experimentDigest(about.Experiment.Source), Overrides: about.Experiment.Overrides}
		prov.Kernels, prov.Arithmetic, prov.Portable = runs.kernels, runs.arithmetic, runs.portable
		prov.RunsFirst, prov.RunsLast = runDates(res)
		if prov.Revision != "" {
			dirty := Dirty()
			prov.Dirty = &dirty
		}
		if err := writeStandalone(dir, about.Experiment.Source, prov); err != nil {
			return err
		}
		if err := atomicfile.WriteBytes(filepath.Join(dir, ReadmeFile), []byte(report.WithProvenance(string(readme), provenanceLine(prov)))); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		return nil
	})
}

// Redraw regenerates the tables, figures and README of the published
// experiment in <results>/<name> from its sweep tables (data/), replacing
// the folder as a whole like PublishResults. It returns the folder.
func Redraw(results string, about ResultsInfo) (string, error) {
	src, err := safepath.Join(results, about.Experiment.Name)
	if err != nil {
		return "", fmt.Errorf("redraw: experiment name %q: %v", about.Experiment.Name, err)
	}
	return RedrawDir(src, about)
}

// RedrawDir is Redraw of the results folder dir, whatever its name: a
// folder alone, with its experiment file (LoadPublished), needs no
// checkout, cache or experiments/ folder. The sweep tables are copied
// (a curves table published with an always-NaN seconds column is
// rewritten without it); the experiment file, provenance and schema are
// written at the folder's top, where older folders kept the first two in
// data/; everything else is regenerated.
func RedrawDir(src string, about ResultsInfo) (string, error) {
	src = filepath.Clean(src)
	results, name := filepath.Dir(src), filepath.Base(src)
	if _, err := os.Stat(filepath.Join(src, "data", CurvesFile)); err != nil {
		return "", fmt.Errorf("redraw: no published sweep in %s (publish it first: ffchar publish --profile %s --results %s)", src, about.Experiment.Name, results)
	}
	prov := readProvenance(src)
	prov.Experiment = experimentDigest(about.Experiment.Source)
	if prov.Library == "" {
		// Portable arithmetic pins the library: older folders recorded it
		// only there.
		prov.Library = prov.Portable["blas_library"]
	}
	return replaceResults(results, name, func(dir string) error {
		data := filepath.Join(dir, "data")
		if err := os.MkdirAll(data, 0o755); err != nil {
			return err
		}
		des, err := os.ReadDir(filepath.Join(src, "data"))
		if err != nil {
			return err
		}
		for _, de := range des {
			n := de.Name()
			if !de.Type().IsRegular() || strings.HasPrefix(n, ".") || n == ExperimentFile || n == ProvenanceFile {
				continue
			}
			if n == CurvesFile {
				if err := copyCurves(filepath.Join(src, "data", n), filepath.Join(data, n)); err != nil {
					return err
				}
				continue
			}
			b, err := os.ReadFile(filepath.Join(src, "data", n))
			if err != nil {
				return err
			}
			if n == TimingsFile {
				if b, err = repairTimings(b); err != nil {
					return fmt.Errorf("redraw: %w", err)
				}
			}
			if err := atomicfile.WriteBytes(filepath.Join(data, n), b); err != nil {
				return err
			}
		}
		if err := writeJSON(filepath.Join(dir, ProvenanceFile), prov); err != nil {
			return err
		}
		if err := Render(dir, about); err != nil {
			return err
		}
		return writeStandalone(dir, about.Experiment.Source, prov)
	})
}

// copyCurves copies a published curves table, rewriting one that has a
// seconds column (published before sweep tables left it out: it was NaN
// on every row) in today's format, metadata unchanged.
func copyCurves(src, dst string) error {
	s, err := artifacts.ReadSchema(src)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(s.Fields, func(f artifacts.Field) bool { return f.Name == artifacts.SecondsColumn }) {
		b, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		return atomicfile.WriteBytes(dst, b)
	}
	rows, meta, err := artifacts.ReadMetrics(src)
	if err != nil {
		return err
	}
	for i := range rows {
		if !math.IsNaN(rows[i].Seconds) {
			return fmt.Errorf("redraw: %s: seconds holds wall times; not a sweep table of a pipeline", src)
		}
	}
	return artifacts.WriteMetricsRows(dst, rows, meta)
}

// MarkerFile marks, in the results folder and in each experiment folder
// publish creates, a folder ffchar made: publish replaces or deletes only
// marked folders, and refuses to write where an unmarked one stands.
const MarkerFile = ".ffchar-results"

const markerText = "This folder was made by ffchar publish; ffchar may replace or delete it.\n"

// indexHeader starts every results index RenderIndex writes: a
// README.md at the results folder's top that does not start with it is
// someone else's, and is never replaced.
const indexHeader = "# Published results\n\nGenerated by ffchar"

// afterReplace, when set, runs between replacing the experiment's folder
// and rewriting the index; tests use it to stand for a publish killed
// there.
var afterReplace func() error

// replaceResults replaces <results>/<name> by the folder fill writes and
// rewrites the index, holding the results folder's lock, after removing
// what killed publishes left (atomicfile.CleanTemps). It writes only
// where it may (checkOwned), marks the folders it makes, and rebuilds the
// index before it starts too: a publish killed between replacing a
// folder and rewriting the index leaves them disagreeing only until the
// next publish or redraw starts, whether or not that one completes.
func replaceResults(results, name string, fill func(dir string) error) (string, error) {
	dir, err := safepath.Join(results, name)
	if err != nil {
		return "", fmt.Errorf("publish: experiment name %q: %v", name, err)
	}
	if err := makeResults(results); err != nil {
		return "", err
	}
	unlock := atomicfile.LockDir(results)
	defer unlock()
	if err := checkOwned(results, name); err != nil {
		return "", err
	}
	if err := atomicfile.CleanTemps(results); err != nil {
		return "", fmt.Errorf("publish: cleaning %s: %w", results, err)
	}
	if err := RenderIndex(results); err != nil {
		return "", err
	}
	err = atomicfile.ReplaceDir(dir, func(tmp string) error {
		if err := atomicfile.WriteBytes(filepath.Join(tmp, MarkerFile), []byte(markerText)); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		return fill(tmp)
	})
	if err != nil {
		return "", err
	}
	if afterReplace != nil {
		if err := afterReplace(); err != nil {
			return "", err
		}
	}
	if err := RenderIndex(results); err != nil {
		return "", err
	}
	if err := atomicfile.CleanTemps(results); err != nil {
		return "", fmt.Errorf("publish: cleaning %s: %w", results, err)
	}
	return dir, nil
}

// makeResults creates the results folder, marked, if it does not exist.
func makeResults(results string) error {
	err := os.Mkdir(results, 0o755)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		if err := os.MkdirAll(filepath.Dir(results), 0o755); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		if err := os.Mkdir(results, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("publish: %w", err)
		}
	}
	if err := atomicfile.WriteBytes(filepath.Join(results, MarkerFile), []byte(markerText)); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	return nil
}

// checkOwned returns an error, one line naming the path, unless publish
// may write <results>/<name> and <results>/README.md: each is absent or
// was made by ffchar (a folder holding MarkerFile; an index starting
// with indexHeader), and neither is a link. Paths are looked up through
// an os.Root on the results folder.
func checkOwned(results, name string) error {
	root, err := os.OpenRoot(results)
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	defer root.Close()
	refuse := func(p, why string) error {
		return fmt.Errorf("publish: %s %s; ffchar replaces only what it made (move it away, or choose another --results)", filepath.Join(results, p), why)
	}
	if fi, err := root.Lstat(name); err == nil {
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			return refuse(name, "is a symbolic link")
		case !fi.IsDir():
			return refuse(name, "is not a folder ffchar made")
		case !isMarked(root, name):
			return refuse(name, "was not made by ffchar (it has no "+MarkerFile+")")
		}
	}
	if fi, err := root.Lstat("README.md"); err == nil {
		if fi.Mode()&fs.ModeSymlink != 0 {
			return refuse("README.md", "is a symbolic link")
		}
		if !isIndex(root) {
			return refuse("README.md", "is not a results index ffchar wrote")
		}
	}
	return nil
}

// isMarked reports whether the folder name below root holds MarkerFile
// as a regular file.
func isMarked(root *os.Root, name string) bool {
	fi, err := root.Lstat(filepath.Join(name, MarkerFile))
	return err == nil && fi.Mode().IsRegular()
}

// isIndex reports whether README.md below root is a regular file that
// starts with indexHeader.
func isIndex(root *os.Root) bool {
	if fi, err := root.Lstat("README.md"); err != nil || !fi.Mode().IsRegular() {
		return false
	}
	f, err := root.Open("README.md")
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(indexHeader))
	_, err = io.ReadFull(f, head)
	return err == nil && string(head) == indexHeader
}

// TimingsFile lists, next to published sweep tables, how long each run's
// training took: wall time is kept out of the cached tables (it varies
// between identical runs), so it is published from the train jobs'
// volatile timing outputs instead.
const TimingsFile = "timing.csv"

// runNumerics is what the run records of a sweep say about the numbers:
// the OpenBLAS kernels and arithmetic modes, sorted, and the pins of
// portable arithmetic.
type runNumerics struct {
	kernels, arithmetic []string
	portable            map[string]string
}

// writeTimings writes the timing file at path from the train jobs among
// res and returns what their run records say about the numbers: both come
// from the same run.json of every run.
func writeTimings(c *pipeline.Cache, res []pipeline.Result, path string) (nums runNumerics, err error) {
	var b strings.Builder
	cw := csv.NewWriter(&b) // RFC 4180: run and treatment IDs hold commas
	head := make([]string, len(timingColumns))
	for i, c := range timingColumns {
		head[i] = c.Name
	}
	cw.Write(head)
	n := 0
	for _, r := range res {
		if r.Entry == nil || r.Key.Stage() != Train {
			continue
		}
		var run struct {
			Run       string            `json:"run"`
			Treatment string            `json:"treatment"`
			Replicate int               `json:"replicate"`
			Seed      uint64            `json:"seed"`
			Kernel    string            `json:"blas_kernel"`
			Mode      string            `json:"arithmetic"`
			Portable  map[string]string `json:"portable"`
		}
		var timing struct {
			Seconds float64   `json:"seconds"`
			Epochs  []float64 `json:"epoch_seconds"`
		}
		for name, v := range map[string]any{RunFile: &run, TimingFile: &timing} {
			raw, err := c.ReadOutput(r.Entry, name)
			if err != nil {
				return nums, err
			}
			if err := json.Unmarshal(raw, v); err != nil {
				return nums, fmt.Errorf("publish: %s of %s: %w", name, r.Job, err)
			}
		}
		if run.Kernel != "" && !slices.Contains(nums.kernels, run.Kernel) {
			nums.kernels = append(nums.kernels, run.Kernel)
		}
		if run.Mode == "" {
			run.Mode = backend.Native // run records of native runs do not say
		}
		if !slices.Contains(nums.arithmetic, run.Mode) {
			nums.arithmetic = append(nums.arithmetic, run.Mode)
		}
		if run.Portable != nil {
			nums.portable = run.Portable
		}
		eps := make([]string, len(timing.Epochs))
		for i, e := range timing.Epochs {
			eps[i] = strconv.FormatFloat(e, 'f', 3, 64)
		}
		cw.Write([]string{run.Run, run.Treatment, strconv.Itoa(run.Replicate), strconv.FormatUint(run.Seed, 10),
			strconv.FormatFloat(timing.Seconds, 'f', 3, 64), strings.Join(eps, ";")})
		n++
	}
	slices.Sort(nums.kernels)
	slices.Sort(nums.arithmetic)
	if n == 0 {
		return nums, nil
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return nums, err
	}
	return nums, atomicfile.WriteBytes(path, []byte(b.String()))
}
