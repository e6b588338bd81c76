package stages

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/internal/atomicfile"
	"github.com/ffchar/ffchar/pipeline"
	"github.com/ffchar/ffchar/report"
)

// A results folder stands alone: besides its data, tables and figures it
// holds the experiment file that produced it (ExperimentFile), the
// description of every table's columns (SchemaFile) and the provenance of
// its runs (ProvenanceFile), all at its top, so that `ffchar redraw
// results/NAME` needs nothing else. Folders published before kept the
// experiment file and provenance in data/; redraw reads them there and
// moves them up.

// ProvenanceFile records, at the top of a results folder, the build,
// machine and dates of the sweep it publishes.
const ProvenanceFile = "provenance.json"

// ExperimentFile is the published copy of the experiment file, at the top
// of a results folder.
const ExperimentFile = "experiment.toml"

// SchemaFile describes, at the top of a results folder, the columns of
// every table in it, generated from the columns' declarations
// (artifacts.ColumnDoc, report.AnalysisColumn, timingColumns).
const SchemaFile = "SCHEMA.md"

// Provenance is the content of ProvenanceFile. It describes the build
// that published the sweep (cached runs keep the results of the build
// that computed them, under keys that include the BLAS backend, kernel
// and Go version): redrawing does not change it. Fields a publish did not
// record are absent. The doc tags are the documentation in SCHEMA.md.
type Provenance struct {
	Version  string `json:"ffchar_version,omitempty" doc:"ffchar's version"`
	Revision string `json:"revision,omitempty" doc:"the VCS revision the publishing binary was built from"`
	Dirty    *bool  `json:"dirty,omitempty" doc:"whether that build's tree had uncommitted changes (with revision)"`
	Go       string `json:"go" doc:"the Go toolchain of the build"`
	Backend  string `json:"blas" doc:"BLAS backend: openblas or gonum"`
	Library  string `json:"blas_library,omitempty" doc:"BLAS library and version"`
	// Kernels lists the OpenBLAS kernels the sweep's runs were trained
	// with (from their run.json), sorted; empty for the gonum backend.
	Kernels []string `json:"blas_kernels,omitempty" doc:"the OpenBLAS kernels the runs were trained with (from each run's record)"`
	CPU     string   `json:"cpu,omitempty" doc:"CPU model of the machine that published (/proc/cpuinfo model name)"`
	// Arithmetic lists the arithmetic modes of the sweep's runs, sorted;
	// Portable holds what portable arithmetic pinned, when a run was in it.
	Arithmetic []string          `json:"arithmetic,omitempty" doc:"the arithmetic modes of the runs: native, portable"`
	Portable   map[string]string `json:"portable,omitempty" doc:"what portable arithmetic pins (library, kernel, threads, GOAMD64)"`
	Experiment string            `json:"experiment_sha256,omitempty" doc:"SHA-256 of experiment.toml"`
	Overrides  []string          `json:"set,omitempty" doc:"engine fields overridden on the command line (--set), which redraw applies again"`
	// The dates of the runs vary between two publishes of one sweep; the
	// cluster tests compare provenance without the lines holding them.
	RunsFirst string `json:"runs_first,omitempty" doc:"when the first run finished training (UTC, from the cache's entries)"`
	RunsLast  string `json:"runs_last,omitempty" doc:"when the last run finished training (UTC)"`
}

// readProvenance reads the provenance of the results folder dir, at its
// top or, in folders published before, in data/; the zero Provenance
// when there is none.
func readProvenance(dir string) Provenance {
	var p Provenance
	for _, f := range []string{filepath.Join(dir, ProvenanceFile), filepath.Join(dir, "data", ProvenanceFile)} {
		if b, err := os.ReadFile(f); err == nil {
			json.Unmarshal(b, &p)
			break
		}
	}
	// Older folders wrote "<revision>+dirty".
	if r, ok := strings.CutSuffix(p.Revision, "+dirty"); ok {
		p.Revision, p.Dirty = r, &ok
	}
	if p.Revision != "" && p.Dirty == nil {
		p.Dirty = new(bool)
	}
	return p
}

// experimentDigest is the SHA-256 of an experiment file, in hex.
func experimentDigest(src []byte) string {
	h := sha256.Sum256(src)
	return hex.EncodeToString(h[:])
}

// runDates returns when the first and the last train job among res was
// stored, in UTC to the second; "" when there is none.
func runDates(res []pipeline.Result) (first, last string) {
	var ts []time.Time
	for _, r := range res {
		if r.Entry != nil && r.Key.Stage() == Train && !r.Entry.Time.IsZero() {
			ts = append(ts, r.Entry.Time)
		}
	}
	if len(ts) == 0 {
		return "", ""
	}
	f := func(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }
	return f(slices.MinFunc(ts, time.Time.Compare)), f(slices.MaxFunc(ts, time.Time.Compare))
}

// writeStandalone writes the experiment file and provenance at the top of
// the results folder dir, then its SchemaFile from the tables in it.
func writeStandalone(dir string, src []byte, prov Provenance) error {
	if err := atomicfile.WriteBytes(filepath.Join(dir, ExperimentFile), src); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if err := writeJSON(filepath.Join(dir, ProvenanceFile), prov); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	s, err := Schema(dir)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, SchemaFile), []byte(s)); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	return nil
}

// timingColumns declares the columns of TimingsFile, which has no Parquet
// twin; writeTimings writes its header from them.
var timingColumns = []artifacts.ColumnDoc{
	{Name: "run_id", Doc: "the run (run_id of the sweep tables)"},
	{Name: "treatment", Doc: "the run's treatment"},
	{Name: "replicate", Doc: "the replicate number, from 0"},
	{Name: "seed", Doc: "the run's seed"},
	{Name: "train_seconds", Unit: "s", Doc: "wall time of the run's training job (of its last attempt when it was continued)"},
	{Name: "epoch_seconds", Unit: "s", Doc: "wall time of each epoch's training, separated by semicolons"},
}

// Undocumented is the meaning Schema gives a column nobody declared;
// tests reject it.
const Undocumented = "(undeclared)"

// Schema renders the SchemaFile of the results folder dir: for every
// Parquet table in data/ and tables/, its columns with the Arrow type read
// from the file and the unit and meaning declared in the code; then
// timing.csv and provenance.json.
func Schema(dir string) (string, error) {
	var b strings.Builder
	b.WriteString("# Columns of every table\n\n")
	b.WriteString("Generated by ffchar from the declarations of the columns in its code, with each column's type read from the\n" +
		"Parquet file; do not edit. Every table in `tables/` is also written as CSV (RFC 4180: quoted where needed, a header\n" +
		"row, numbers at full precision: the shortest text that reads back to the Parquet value), Markdown and LaTeX\n" +
		"(rounded for reading). A missing value is NULL in Parquet, an empty field in CSV and \"–\" in Markdown and LaTeX.\n" +
		"Integer columns and string columns are never missing; a float64 column is nullable.\n\n")
	for _, sub := range []string{"data", "tables"} {
		names, err := filepath.Glob(filepath.Join(dir, sub, "*.parquet"))
		if err != nil {
			return "", err
		}
		for _, p := range names {
			s, err := artifacts.ReadSchema(p)
			if err != nil {
				return "", err
			}
			rel := sub + "/" + filepath.Base(p)
			var docs []artifacts.ColumnDoc
			title := ""
			if artifacts.KindColumns(s.Kind) != nil {
				docs = artifacts.DescribeColumns(s)
				title = sweepTitles[filepath.Base(p)]
			} else {
				table := s.Meta["ffchar.table"]
				title = s.Meta["ffchar.title"]
				for _, f := range s.Fields {
					d, _ := report.AnalysisColumn(table, f.Name)
					docs = append(docs, d)
				}
				rel += " (also `.csv`, `.md`, `.tex`)"
			}
			fmt.Fprintf(&b, "## `%s`\n\n", rel)
			if title != "" {
				fmt.Fprintf(&b, "%s. ", title)
			}
			fmt.Fprintf(&b, "%d rows.\n\n| column | type | unit | meaning |\n|---|---|---|---|\n", s.Rows)
			for i, f := range s.Fields {
				typ := f.Type
				if !f.Nullable {
					typ += " not null"
				}
				writeColumn(&b, docs[i], typ)
			}
			b.WriteString("\n")
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "data", TimingsFile)); err == nil {
		fmt.Fprintf(&b, "## `data/%s`\n\nWall times of the runs' training, from the train jobs' records (they vary between identical runs, so no cached table holds them). One row per run; CSV only.\n\n| column | type | unit | meaning |\n|---|---|---|---|\n", TimingsFile)
		for _, c := range timingColumns {
			typ := "string"
			switch c.Name {
			case "replicate":
				typ = "integer"
			case "seed":
				typ = "unsigned 64-bit integer"
			case "train_seconds":
				typ = "decimal"
			}
			writeColumn(&b, c, typ)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "## `%s`\n\nThe build, machine and dates of the sweep; a key a publish did not record is absent.\n\n| key | meaning |\n|---|---|\n", ProvenanceFile)
	t := reflect.TypeFor[Provenance]()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		fmt.Fprintf(&b, "| `%s` | %s |\n", name, f.Tag.Get("doc"))
	}
	return b.String(), nil
}

// sweepTitles says what each sweep table in data/ holds.
var sweepTitles = map[string]string{
	CurvesFile:      "Every run's curves: one row per run × measurement (epoch or recorded step) × split × layer",
	EvaluationsFile: "Evaluation of every run's checkpoints: one row per run × checkpoint × layer",
	ConfusionsFile:  "Confusion matrices of the same evaluations: one row per run × checkpoint × predictor × true class × predicted class",
}

func writeColumn(b *strings.Builder, d artifacts.ColumnDoc, typ string) {
	doc := d.Doc
	if doc == "" {
		doc = Undocumented
	}
	unit := d.Unit
	if unit == "" {
		unit = "–"
	}
	fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", d.Name, typ, unit, strings.ReplaceAll(doc, "|", `\|`))
}

// LoadPublished loads the experiment of the results folder dir from the
// experiment file it carries (at its top, or in data/ in folders
// published before), with sets applied over it, or, when sets is nil, the
// overrides its provenance records.
func LoadPublished(dir string, sets []string) (*experiments.Experiment, error) {
	p := filepath.Join(dir, ExperimentFile)
	if _, err := os.Stat(p); err != nil {
		if _, derr := os.Stat(filepath.Join(dir, "data", ExperimentFile)); derr != nil {
			return nil, fmt.Errorf("redraw: %s has no %s: not a results folder ffchar published, or published before results carried their experiment (redraw it with --profile)", dir, ExperimentFile)
		}
		p = filepath.Join(dir, "data", ExperimentFile)
	}
	exp, err := experiments.Load(p)
	if err != nil {
		return nil, err
	}
	if sets == nil {
		sets = readProvenance(dir).Overrides
	}
	if err := exp.Set(sets); err != nil {
		return nil, err
	}
	return exp, nil
}

// repairTimings returns a timing file as an RFC 4180 reader takes it.
// Publishes before quoting wrote run and treatment IDs, which hold
// commas, unquoted; since a run's ID is its treatment's and "/r" and its
// replicate, each line still splits one way only, and is rewritten
// quoted. A well-formed file is returned unchanged.
func repairTimings(b []byte) ([]byte, error) {
	if _, err := csv.NewReader(bytes.NewReader(b)).ReadAll(); err == nil {
		return b, nil
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	head := make([]string, len(timingColumns))
	for i, c := range timingColumns {
		head[i] = c.Name
	}
	w.Write(head)
	for n, line := range lines[1:] {
		f := strings.Split(line, ",")
		if len(f) < 6 {
			return nil, fmt.Errorf("%s line %d: %d fields", TimingsFile, n+2, len(f))
		}
		tail := f[len(f)-4:]
		ids := strings.Join(f[:len(f)-4], ",")
		rep := tail[0]
		// ids = treatment + "/r" + rep + "," + treatment
		k := (len(ids) - 3 - len(rep)) / 2
		if k < 0 || len(ids) != 2*k+3+len(rep) || ids[k+2+len(rep)] != ',' {
			return nil, fmt.Errorf("%s line %d: cannot tell the run from the treatment", TimingsFile, n+2)
		}
		run, treatment := ids[:k+2+len(rep)], ids[k+3+len(rep):]
		if run != treatment+"/r"+rep {
			return nil, fmt.Errorf("%s line %d: run %q is not of treatment %q", TimingsFile, n+2, run, treatment)
		}
		w.Write(append([]string{run, treatment}, tail...))
	}
	w.Flush()
	return out.Bytes(), w.Error()
}
