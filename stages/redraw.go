package stages

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/backend"
	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/report"
)

// ReadSweep reads the sweep tables from dir (results/<experiment>/data).
func ReadSweep(dir string) (*report.Sweep, error) {
	curves, _, err := artifacts.ReadMetrics(filepath.Join(dir, CurvesFile))
	if err != nil {
		return nil, err
	}
	evals, _, err := artifacts.ReadEvaluations(filepath.Join(dir, EvaluationsFile))
	if err != nil {
		return nil, err
	}
	return &report.Sweep{Curves: curves, Evaluations: evals}, nil
}

// reportMeta is the metadata of published sweep tables redrawn: that of
// the correlate job that wrote them (correlateMeta), with the number of
// runs they hold, so that tables redrawn from published data equal the
// published ones byte for byte.
func reportMeta(exp *experiments.Experiment, sw *report.Sweep) map[string]string {
	runs := map[string]bool{}
	for _, r := range sw.Curves {
		runs[r.RunID] = true
	}
	return correlateMeta(exp, len(runs))
}

// correlateMeta is the metadata of every table the correlate job writes:
// its key lines and the number of runs it read.
func correlateMeta(exp *experiments.Experiment, runs int) map[string]string {
	meta := provenance(Correlate, correlateKey(exp))
	meta["ffchar.runs"] = strconv.Itoa(runs)
	return meta
}

// Render writes, from the sweep tables in out/data, every analysis table
// (Parquet, CSV, Markdown, LaTeX) into out/tables, every figure into
// out/figures and a results section into out/README.md, as the correlate
// job computes and publish copies them. It trains nothing and reads no
// cache: this is how published results are redrawn.
func Render(out string, about ResultsInfo) error {
	sw, err := ReadSweep(filepath.Join(out, "data"))
	if err != nil {
		return err
	}
	tdir := filepath.Join(out, "tables")
	prov := readProvenance(out)
	tables, err := report.Write(report.Dirs{Tables: tdir, Figures: filepath.Join(out, "figures"), Readme: filepath.Join(out, report.ReadmeFile)},
		sw, about.Experiment, reportMeta(about.Experiment, sw), provenanceLine(prov))
	if err != nil {
		return err
	}
	// The tables are at hand: render them as text without reading back
	// the Parquet files just written (publish, which gets them as cached
	// bytes, renders from those: report.WriteTablesText).
	for _, t := range tables {
		if err := report.WriteTableText(tdir, t); err != nil {
			return err
		}
	}
	return nil
}

// provenanceLine names the build that published a sweep, as a list item
// following the line that counts its runs; "" when unknown (the cached
// report, which publish completes with withProvenance).
func provenanceLine(prov Provenance) string {
	if prov.Backend == "" {
		return ""
	}
	s := fmt.Sprintf("- Published with BLAS backend %s", prov.Backend)
	if len(prov.Kernels) > 0 {
		s += fmt.Sprintf(" (runs trained with OpenBLAS kernel %s)", strings.Join(prov.Kernels, ", "))
	}
	if len(prov.Portable) > 0 {
		var pins []string
		for _, p := range backend.PortablePins() {
			if v, ok := prov.Portable[p.Label]; ok {
				pins = append(pins, p.Label+"="+v)
			}
		}
		s += fmt.Sprintf(", in %s arithmetic (%s)", strings.Join(prov.Arithmetic, " and "), strings.Join(pins, " "))
	}
	s += ", " + prov.Go
	if prov.Revision != "" {
		dirty := ""
		if prov.Dirty != nil && *prov.Dirty {
			dirty = "+dirty"
		}
		s += fmt.Sprintf(", ffchar revision `%s%s`", prov.Revision, dirty)
	}
	return s + ".\n"
}

// ResultsInfo describes where published results come from.
type ResultsInfo = report.ResultsInfo

// ReadmeFile is the results section a report writes.
const ReadmeFile = report.ReadmeFile
