package stages

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/ffchar/ffchar/internal/atomicfile"

	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/report"
)

// RenderIndex writes results/README.md: for every published experiment
// under results, its claims table and a link to its own results section:
// the step-resolution verdicts (tables/step_hypotheses.parquet, without
// its context rows) when the sweep recorded steps, else the per-epoch
// claims (tables/hypotheses.parquet). Generated only.
func RenderIndex(results string) error {
	dirs, err := filepath.Glob(filepath.Join(results, "*", "tables", "hypotheses.parquet"))
	if err != nil {
		return err
	}
	// Temporary folders of a publish in progress or killed start with a
	// dot; they are not published experiments.
	// Folders ffchar did not make are not published experiments either.
	dirs = slices.DeleteFunc(dirs, func(p string) bool {
		exp := filepath.Dir(filepath.Dir(p))
		return strings.HasPrefix(filepath.Base(exp), ".") || !fileExists(filepath.Join(exp, MarkerFile))
	})
	sort.Strings(dirs)
	var b strings.Builder
	b.WriteString(indexHeader + " (`ffchar publish`, `ffchar redraw`); do not edit. Each folder holds one experiment's sweep tables (`data/`), analysis tables (`tables/`), figures (`figures/`) and a results section (`README.md`).\n")
	var sides []side
	var claimOrder []string
	var body strings.Builder
	for _, p := range dirs {
		exp := filepath.Base(filepath.Dir(filepath.Dir(p)))
		what := "per epoch"
		if sp := filepath.Join(filepath.Dir(p), "step_hypotheses.parquet"); fileExists(sp) {
			p, what = sp, "at step resolution, from step 0 (the verdicts; context rows are in its README)"
		}
		t, _, err := artifacts.ReadTable(p)
		if err != nil {
			return err
		}
		col := t.Column
		claim, stmt, stat, unit, val, lo, hi, runs, verdict := col("claim"), col("statement"), col("statistic"), col("unit"),
			col("value"), col("lo"), col("hi"), col("runs"), col("verdict")
		if claim == nil || stmt == nil || stat == nil || unit == nil || val == nil || lo == nil || hi == nil || runs == nil || verdict == nil {
			return fmt.Errorf("%s: not a hypotheses table", p)
		}
		b := &body
		sd := side{exp: exp, verdicts: map[string]string{}}
		fmt.Fprintf(b, "\n## [%s](%s/README.md)\n\nThe paper's claims %s, over all the sweep's runs.", exp, exp, what)
		if fileExists(filepath.Join(filepath.Dir(p), "one_at_a_time.parquet")) {
			fmt.Fprintf(b, " A one-factor-at-a-time sweep: these pool every level; each axis is in [its per-level table](%s/tables/one_at_a_time.md).", exp)
		}
		b.WriteString("\n\n| claim | statement | estimate | 95% CI | runs | verdict |\n|---|---|---|---|---:|---|\n")
		role := col("role")
		last := ""
		for i := 0; i < t.Rows(); i++ {
			if role != nil && role.Cell(i) == "context" {
				continue
			}
			id, st, v := claim.Cell(i), stmt.Cell(i), "**"+verdict.Cell(i)+"**"
			if id == last {
				id, st, v = "", "", ""
			} else {
				if !slices.Contains(claimOrder, id) {
					claimOrder = append(claimOrder, id)
				}
				sd.verdicts[id] = fmt.Sprintf("%s %s [%s, %s]: **%s**", report.FormatNum(val.Floats[i]), unit.Cell(i), report.FormatNum(lo.Floats[i]), report.FormatNum(hi.Floats[i]), verdict.Cell(i))
			}
			last = claim.Cell(i)
			fmt.Fprintf(b, "| %s | %s | %s = %s %s | [%s, %s] | %s | %s |\n", id, st, stat.Cell(i),
				report.FormatNum(val.Floats[i]), unit.Cell(i), report.FormatNum(lo.Floats[i]), report.FormatNum(hi.Floats[i]), runs.Cell(i), v)
		}
		sides = append(sides, sd)
	}
	if len(sides) > 1 {
		b.WriteString("\nThe verdicts side by side: each claim's deciding estimate with its 95% CI (details below and in each sweep's README).\n\n| claim |")
		for _, sd := range sides {
			fmt.Fprintf(&b, " [%s](%s/README.md) |", sd.exp, sd.exp)
		}
		b.WriteString("\n|---|" + strings.Repeat("---|", len(sides)) + "\n")
		for _, id := range claimOrder {
			fmt.Fprintf(&b, "| %s |", id)
			for _, sd := range sides {
				v := sd.verdicts[id]
				if v == "" {
					v = "–"
				}
				fmt.Fprintf(&b, " %s |", v)
			}
			b.WriteString("\n")
		}
	}
	b.WriteString(body.String())
	if err := os.MkdirAll(results, 0o755); err != nil {
		return err
	}
	// Recorded: a killed write's temporary is removed by the next publish.
	return atomicfile.WriteRecorded(filepath.Join(results, "README.md"), 0o666, func(w io.Writer) error {
		_, err := io.WriteString(w, b.String())
		return err
	})
}

// side is one experiment's column of the side-by-side verdicts: each
// claim's deciding estimate and verdict.
type side struct {
	exp      string
	verdicts map[string]string
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}
