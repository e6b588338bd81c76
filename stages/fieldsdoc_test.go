package stages

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/ff"
)

// fieldsBase is the experiment every field is changed in, one at a time,
// to find what the change reruns.
const fieldsBase = `name = "fields"
description = "d"
recipe = "loewe"
seeds = 2
master_seed = 1

[data]
source = "synthetic"
train_limit = 200
val_limit = 100
test_limit = 100
seed = 5

[base]
batch_size = 20
epochs = 2

[grid]
depth = [2]
width = [16]

[evaluate]
checkpoints = [1]
split = "test"
curves = "val"

[record]
every = 5
probe = 20

[analysis]
h1_margin = 10
`

// fieldChanges give every experiment-file key outside [base] and [grid]
// (experiments.Keys) a changed line; "section key = value" replaces or
// adds the key in that section ("" is the top level), and the lines of
// drop are removed.
var fieldChanges = []struct{ section, key, line, drop string }{
	{"", "name", `name = "fields2"`, ""},
	{"", "description", `description = "e"`, ""},
	{"", "notes", `notes = "n"`, ""},
	{"", "recipe", `recipe = "pezeshki"`, ""},
	{"", "seeds", `seeds = 3`, ""},
	{"", "master_seed", `master_seed = 2`, ""},
	{"", "arithmetic", `arithmetic = "portable"`, ""},
	{"data", "source", `source = "mnist"`, "seed = 5"},
	{"data", "dir", `dir = "testdata/tiny"`, "source = \"synthetic\"\nseed = 5"},
	{"data", "train_limit", `train_limit = 300`, ""},
	{"data", "val_limit", `val_limit = 120`, ""},
	{"data", "test_limit", `test_limit = 120`, ""},
	{"data", "seed", `seed = 7`, ""},
	{"evaluate", "checkpoints", `checkpoints = [2]`, ""},
	{"evaluate", "split", `split = "val"`, ""},
	{"evaluate", "curves", `curves = "train"`, ""},
	{"record", "every", `every = 10`, ""},
	{"record", "probe", `probe = 40`, ""},
	{"record", "halves", `halves = true`, ""},
	{"analysis", "h1_measure", `h1_measure = "s90"`, ""},
	{"analysis", "h1_margin", `h1_margin = 20`, ""},
	{"analysis", "h2_strong", `h2_strong = 0.8`, ""},
	{"analysis", "layer_margin", `layer_margin = 0.1`, ""},
	{"analysis", "width_margin", `width_margin = 0.05`, ""},
	{"analysis", "windows", `windows = [10, 20]`, ""},
	{"analysis", "start_se", `start_se = 3`, ""},
	{"analysis", "coupling_steps", `coupling_steps = [10, 20]`, ""},
	{"analysis", "coupling_margin", `coupling_margin = 0.2`, ""},
	{"analysis", "power", `power = 0.9`, ""},
	{"analysis", "thresholds", `thresholds = [0.6, 0.8]`, ""},
	{"analysis", "deficit_steps", `deficit_steps = [10, 20]`, ""},
	{"analysis", "lag_window", `lag_window = 100`, ""},
	{"analysis", "lag_grid", `lag_grid = 10`, ""},
	{"analysis", "h2_measure", `h2_measure = "levels"`, ""},
}

// withLine returns text with line set in section.
func withLine(text, section, key, line string) string {
	lines := strings.Split(text, "\n")
	cur := ""
	insert := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "[") {
			if cur == section && insert < 0 {
				insert = i
			}
			cur = strings.Trim(l, "[]")
			continue
		}
		if cur == section && strings.HasPrefix(l, key+" = ") {
			lines[i] = line
			return strings.Join(lines, "\n")
		}
	}
	if insert < 0 {
		insert = len(lines)
		if section == "" {
			insert = 1
		}
	}
	// Before the blank line that ends the section.
	for insert > 0 && lines[insert-1] == "" && section != "" {
		insert--
	}
	return strings.Join(slices.Insert(lines, insert, line), "\n")
}

// stageKeys returns, per stage, the job IDs and own key lines of every job
// of exp, sorted.
func stageKeys(t *testing.T, exp *experiments.Experiment) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	specs := map[experiments.DataSpec]bool{}
	for _, r := range exp.Runs() {
		out[Train] = append(out[Train], RunJobID(exp, Train, r)+"\n"+strings.Join(ownLines(Train, trainKey(r)), "\n"))
		out[Evaluate] = append(out[Evaluate], RunJobID(exp, Evaluate, r)+"\n"+strings.Join(ownLines(Evaluate, evaluateKey(exp, r)), "\n"))
		specs[r.Data] = true
	}
	for d := range specs {
		key, err := prepKey(d)
		if err != nil {
			t.Fatal(err)
		}
		out[Prep] = append(out[Prep], prepJobID(exp, d)+"\n"+strings.Join(ownLines(Prep, key), "\n"))
	}
	out[Correlate] = []string{exp.Name + "\n" + strings.Join(ownLines(Correlate, correlateKey(exp)), "\n")}
	for _, v := range out {
		slices.Sort(v)
	}
	return out
}

// reruns says what changing base into changed recomputes: the first stage
// whose jobs' keys change (and with it everything after it), or, when
// the change only adds jobs, that.
func reruns(t *testing.T, base, changed *experiments.Experiment) string {
	a, b := stageKeys(t, base), stageKeys(t, changed)
	for _, st := range []string{Prep, Train, Evaluate, Correlate} {
		if slices.Equal(a[st], b[st]) {
			continue
		}
		kept := true
		for _, k := range a[st] {
			kept = kept && slices.Contains(b[st], k)
		}
		if kept && st != Correlate {
			return fmt.Sprintf("adds %s jobs; cached ones stay; the report", st)
		}
		switch st {
		case Prep:
			return "everything: the data, training, evaluation and the report"
		case Train:
			return "training, evaluation and the report"
		case Evaluate:
			return "evaluation and the report"
		}
		return "the report only (tables, figures, README)"
	}
	return "nothing (not part of any key)"
}

// fieldComments reads the comment of every Config field, by toml name,
// from ff/config.go.
func fieldComments(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../ff/config.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || ts.Name.Name != "Config" {
			return true
		}
		for _, fd := range ts.Type.(*ast.StructType).Fields.List {
			tag := reflect.StructTag(strings.Trim(fd.Tag.Value, "`")).Get("toml")
			text := ""
			if fd.Comment != nil {
				text = fd.Comment.Text()
			} else if fd.Doc != nil {
				text = fd.Doc.Text()
			}
			out[tag] = strings.Join(strings.Fields(text), " ")
		}
		return false
	})
	return out
}

// docComments reads the example lines of experiments/doc.go's format
// section: per "section key", the comment after the example.
func docComments(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("../experiments/doc.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	section, last := "", ""
	for _, l := range strings.Split(string(b), "\n") {
		l, ok := strings.CutPrefix(l, "//\t")
		if !ok {
			last = ""
			continue
		}
		// A comment continued on the next line, aligned under it.
		if t := strings.TrimSpace(l); last != "" && strings.HasPrefix(l, " ") && strings.HasPrefix(t, "# ") {
			out[last] += " " + strings.TrimPrefix(t, "# ")
			continue
		}
		last = ""
		if strings.HasPrefix(l, "[") {
			section = strings.Trim(strings.Fields(l)[0], "[]")
			continue
		}
		l = strings.TrimPrefix(l, "# ")
		key, rest, ok := strings.Cut(l, " = ")
		if !ok || strings.ContainsAny(key, " \"") {
			continue
		}
		comment := ""
		if i := strings.Index(rest, "# "); i >= 0 {
			comment = strings.TrimSpace(rest[i+2:])
		}
		if _, seen := out[section+" "+key]; !seen || comment != "" {
			out[section+" "+key] = comment
			last = section + " " + key
		}
	}
	return out
}

// engineAlternative returns another valid value of field f of cfg.
func engineAlternative(cfg ff.Config, f string) (string, bool) {
	cur, _ := cfg.Get(f)
	var cands []string
	switch ff.FieldKind(f) {
	case reflect.Int:
		n, _ := strconv.Atoi(cur)
		cands = []string{strconv.Itoa(n + 1)}
	case reflect.Float64:
		v, _ := strconv.ParseFloat(cur, 64)
		cands = []string{strconv.FormatFloat(v/2, 'g', -1, 64), "0.5"}
	case reflect.Bool:
		cands = []string{strconv.FormatBool(cur != "true")}
	case reflect.Slice:
		cands = []string{"16,16", "[16, 16]"}
	default:
		for _, r := range ff.Recipes {
			d, _ := ff.DefaultConfig(r)
			v, _ := d.Get(f)
			cands = append(cands, v)
		}
		cands = append(cands, string(ff.Greedy), string(ff.AllLayers), "pezeshki")
	}
	for _, c := range cands {
		alt := cfg
		if c != cur && alt.Set(f, c) == nil && alt.Validate() == nil {
			return c, true
		}
	}
	return "", false
}

func fieldsDoc(t *testing.T) string {
	parse := func(text string) *experiments.Experiment {
		t.Helper()
		e, err := experiments.Parse("fields", []byte(text))
		if err != nil {
			t.Fatalf("%v\n%s", err, text)
		}
		return e
	}
	base := parse(fieldsBase)
	docs := docComments(t)
	var b strings.Builder
	b.WriteString("# Experiment and engine fields\n\n")
	b.WriteString("Generated by `go test ./stages -run TestFieldsDoc -update` from the experiment file's keys (the `toml`\n")
	b.WriteString("and `doc` tags of `experiments.Experiment` and its tables), `ff/config.go` (the engine's fields) and the\n")
	b.WriteString("stages' cache keys; do not edit. A test fails when this page and the code disagree.\n\n")
	b.WriteString("**What a change reruns** is measured, not declared: the test changes each field in a small experiment\n")
	b.WriteString("and compares the cache keys of every prep, train, evaluate and correlate job. A stage whose key changes\n")
	b.WriteString("reruns, and so do the stages after it (unless the rerun gives identical outputs). The report is the\n")
	b.WriteString("correlate job: analysis tables, figures and the results README; `ffchar redraw` recomputes it from\n")
	b.WriteString("published data without a cache.\n\n")
	b.WriteString("## Experiment file\n\nSee `experiments/doc.go` for the format with an example; `[base]` and `[grid]` take the engine fields below.\n\n")
	b.WriteString("| section | key | what it is | changing it reruns |\n|---|---|---|---|\n")
	keys := experiments.Keys()
	for _, k := range keys {
		sec := "top level"
		if k.Table != "" {
			sec = "[" + k.Table + "]"
		}
		i := slices.IndexFunc(fieldChanges, func(c struct{ section, key, line, drop string }) bool {
			return c.section == k.Table && c.key == k.Name
		})
		if i < 0 {
			t.Errorf("%s %s: no line in fieldChanges to measure what changing it reruns", sec, k.Name)
			continue
		}
		if k.Doc == "" {
			t.Errorf("%s %s: no doc tag", sec, k.Name)
		}
		c := fieldChanges[i]
		text := withLine(fieldsBase, c.section, c.key, c.line)
		for _, d := range strings.Split(c.drop, "\n") {
			if d != "" {
				text = strings.Replace(text, d+"\n", "", 1)
			}
		}
		changed := parse(text)
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", sec, k.Name, strings.ReplaceAll(k.Doc, "|", "\\|"), reruns(t, base, changed))
	}
	// Every key the format's example shows is a key.
	for k := range docs {
		section, key, _ := strings.Cut(k, " ")
		if section == "base" || section == "grid" || section == "one_at_a_time" {
			continue
		}
		if !slices.Contains(keys, experiments.Key{Table: section, Name: key, Doc: keyDoc(keys, section, key)}) {
			t.Errorf("experiments/doc.go shows [%s] %s, which is not a key of the file", section, key)
		}
	}
	comments := fieldComments(t)
	defs := map[ff.Recipe]ff.Config{}
	for _, r := range ff.Recipes {
		defs[r], _ = ff.DefaultConfig(r)
	}
	b.WriteString("\n## Engine fields (`[base]`, `[grid]`, `[one_at_a_time]`)\n\n")
	fmt.Fprintf(&b, "Defaults are the recipes' (`ff.DefaultConfig`).\n\n| field | loewe | pezeshki | what it is | changing it reruns |\n|---|---|---|---|---|\n")
	for _, f := range ff.FieldNames() {
		if f == "recipe" {
			continue
		}
		run := base.Runs()[0]
		alt, ok := engineAlternative(run.Config, f)
		effect := "–"
		if ok {
			section, value := "base", tomlValue(f, alt)
			if f == "depth" || f == "width" {
				section, value = "grid", "["+value+"]"
			}
			e := parse(withLine(fieldsBase, section, f, f+" = "+value))
			effect = reruns(t, base, e)
		} else {
			t.Errorf("field %s: no other valid value found to measure what it reruns", f)
		}
		lc, pc := defs[ff.Loewe], defs[ff.Pezeshki]
		lv, _ := lc.Get(f)
		pv, _ := pc.Get(f)
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", f, cell(lv), cell(pv), comments[f], effect)
	}
	return b.String()
}

// keyDoc returns the doc of a key of keys.
func keyDoc(keys []experiments.Key, table, name string) string {
	for _, k := range keys {
		if k.Table == table && k.Name == name {
			return k.Doc
		}
	}
	return ""
}

func cell(v string) string {
	if v == "" {
		return "–"
	}
	return "`" + v + "`"
}

// tomlValue writes v, as Config.Get formats field f, as a TOML value.
func tomlValue(f, v string) string {
	switch ff.FieldKind(f) {
	case reflect.String:
		return strconv.Quote(v)
	case reflect.Slice:
		return "[" + strings.Trim(strings.ReplaceAll(v, ",", ", "), "[]") + "]"
	}
	return v
}

// TestFieldsDoc checks that docs/fields.md is what the code declares and
// does: every documented key with what changing it reruns. -update
// rewrites it.
func TestFieldsDoc(t *testing.T) {
	got := fieldsDoc(t)
	const path = "../docs/fields.md"
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the code; regenerate it with go test ./stages -run TestFieldsDoc -update and review the diff", path)
	}
}
