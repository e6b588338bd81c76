package experiments

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/ffchar/ffchar/analysis"
	"github.com/ffchar/ffchar/axes"
	"github.com/ffchar/ffchar/backend"
	"github.com/ffchar/ffchar/dataset"
	"github.com/ffchar/ffchar/ff"
)

// The keys an experiment file may hold, by table ("" is the top level).
// [base], [grid] and [one_at_a_time] take Config fields instead
// (configKind); the two axis tables also take recipe.
var (
	topKeys  = []string{"name", "description", "notes", "arithmetic", "recipe", "seeds", "master_seed", "data", "base", "grid", "one_at_a_time", "evaluate", "record", "analysis"}
	dataKeys = []string{"source", "dir", "train_limit", "val_limit", "test_limit", "seed"}
	evalKeys = []string{"checkpoints", "split", "curves"}
	recKeys  = []string{"every", "probe", "halves"}
	anaKeys  = []string{"h1_measure", "h1_margin", "h2_measure", "layer_margin", "width_margin",
		"thresholds", "deficit_steps", "lag_window", "lag_grid",
		"h2_strong", "windows", "start_se", "coupling_steps", "coupling_margin", "power"}
)

// configKind maps each settable Config field to its Go kind. "recipe" is
// left out: it is chosen by the top-level key, and setting the field alone
// would relabel the defaults without changing them.
var configKind = func() map[string]reflect.Kind {
	t := reflect.TypeFor[ff.Config]()
	m := make(map[string]reflect.Kind, t.NumField())
	for i := range t.NumField() {
		if name := t.Field(i).Tag.Get("toml"); name != "recipe" {
			m[name] = t.Field(i).Type.Kind()
		}
	}
	return m
}()

func parse(name string, data []byte) (*Experiment, error) {
	// Decoding into maps rather than a struct keeps key matching exact: the
	// struct decoder also accepts keys that differ only in case, which
	// MetaData.Undecoded would then not report.
	var raw map[string]any
	md, err := toml.Decode(string(data), &raw)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &Error{Msg: fmt.Sprintf("line %d: %s", pe.Position.Line, pe.Message), Err: err}
		}
		return nil, &Error{Msg: err.Error(), Err: err}
	}
	if err := checkKeys(md.Keys(), raw); err != nil {
		return nil, err
	}

	e := &Experiment{Path: name}
	e.Name = strings.TrimSuffix(path.Base(strings.ReplaceAll(name, "\\", "/")), ".toml")
	nameVal := any(e.Name)
	if v, ok := raw["name"]; ok {
		if e.Name, err = asString("name", v); err != nil {
			return nil, err
		}
		nameVal = v
	}
	if err := CheckName(e.Name); err != nil {
		msg := err.Error()
		if _, ok := raw["name"]; !ok {
			msg += ` (the file's name; set name = "...")`
		}
		return nil, invalid("name", literal(nameVal), msg)
	}
	if v, ok := raw["description"]; ok {
		if e.Description, err = asString("description", v); err != nil {
			return nil, err
		}
	}
	if v, ok := raw["notes"]; ok {
		if e.Notes, err = asString("notes", v); err != nil {
			return nil, err
		}
	}

	e.Arithmetic = backend.Native
	if v, ok := raw["arithmetic"]; ok {
		if e.Arithmetic, err = asString("arithmetic", v); err != nil {
			return nil, err
		}
		if !slices.Contains(backend.Modes, e.Arithmetic) {
			return nil, invalid("arithmetic", literal(v), fmt.Sprintf("must be one of %q", backend.Modes))
		}
	}

	v, err := required(raw, "", "recipe")
	if err != nil {
		return nil, err
	}
	recipe, err := asString("recipe", v)
	if err != nil {
		return nil, err
	}
	e.Recipe = ff.Recipe(recipe)
	if e.Base, err = ff.DefaultConfig(e.Recipe); err != nil {
		return nil, invalid("recipe", strconv.Quote(recipe), fmt.Sprintf("must be one of %q", ff.Recipes))
	}

	if v, err = required(raw, "", "seeds"); err != nil {
		return nil, err
	}
	seeds, err := asInt("seeds", v)
	if err != nil {
		return nil, err
	}
	if seeds < 1 {
		return nil, invalid("seeds", literal(v), "must be at least 1")
	}
	if seeds > MaxSeeds {
		return nil, invalid("seeds", literal(v), fmt.Sprintf("must be at most %d", MaxSeeds))
	}
	e.Seeds = int(seeds)

	if v, err = required(raw, "", "master_seed"); err != nil {
		return nil, err
	}
	master, err := asInt("master_seed", v)
	if err != nil {
		return nil, err
	}
	if master < 0 {
		return nil, invalid("master_seed", literal(v), "must be at least 0")
	}
	e.MasterSeed = uint64(master)

	if v, err = required(raw, "", "data"); err != nil {
		return nil, err
	}
	axisTable, axisSets := "", []*dataset.Set(nil)
	for _, t := range []string{"grid", "one_at_a_time"} {
		if tbl, _ := raw[t].(map[string]any); tbl != nil {
			if list, ok := tbl[SourceAxis]; ok {
				axisTable, axisSets = t, namedSets(list)
			}
		}
	}
	if e.Data, err = parseData(v, e.MasterSeed, axisTable, axisSets); err != nil {
		return nil, err
	}

	base := map[string]any{}
	if v, ok := raw["base"]; ok {
		if base, err = asTable("base", v); err != nil {
			return nil, err
		}
	}
	if err := applyBase(&e.Base, base); err != nil {
		return nil, err
	}

	gridV, hasGrid := raw["grid"]
	oatV, hasOAT := raw["one_at_a_time"]
	if !hasGrid && !hasOAT {
		return nil, &Error{Key: "grid", Msg: `missing key "grid" (or "one_at_a_time")`}
	}
	if hasGrid {
		if e.Grid, err = parseGrid("grid", gridV, base); err != nil {
			return nil, err
		}
	}
	if hasOAT {
		if e.OneAtATime, err = parseGrid("one_at_a_time", oatV, base); err != nil {
			return nil, err
		}
		for _, ax := range e.OneAtATime {
			if slices.ContainsFunc(e.Grid, func(g Axis) bool { return g.Field == ax.Field }) {
				key := "one_at_a_time." + ax.Field
				return nil, &Error{Key: key, Msg: fmt.Sprintf("%s: also in [grid]; an axis is crossed or varied one at a time, not both", key)}
			}
		}
	}

	e.Evaluate.Split, e.Evaluate.Curves = SplitTest, SplitVal
	if v, ok := raw["evaluate"]; ok {
		if e.Evaluate, err = parseEvaluate(v); err != nil {
			return nil, err
		}
	}

	if e.Record, err = parseRecord(raw["record"], e.Data); err != nil {
		return nil, err
	}
	if v, ok := raw["analysis"]; ok {
		if e.Analysis, err = parseAnalysis(v); err != nil {
			return nil, err
		}
	}

	if e.treatments, err = expand(e, base); err != nil {
		return nil, err
	}
	return e, nil
}

// checkKeys reports the first key, in file order, that the format does not
// define. Keys below a known key's value are left to the type checks: a
// table where a number belongs is a type error, not an unknown key.
func checkKeys(keys []toml.Key, raw map[string]any) error {
	for _, k := range keys {
		if !slices.Contains(topKeys, k[0]) {
			return &Error{Key: k[0], Msg: fmt.Sprintf("unknown key %q", k[0])}
		}
		if len(k) < 2 {
			continue
		}
		if _, ok := raw[k[0]].(map[string]any); !ok {
			continue
		}
		var known bool
		switch k[0] {
		case "data":
			known = slices.Contains(dataKeys, k[1])
		case "evaluate":
			known = slices.Contains(evalKeys, k[1])
		case "record":
			known = slices.Contains(recKeys, k[1])
		case "analysis":
			known = slices.Contains(anaKeys, k[1])
		case "base", "grid", "one_at_a_time":
			if k[0] == "base" && k[1] == "recipe" {
				return &Error{Key: k[0] + ".recipe",
					Msg: `base.recipe: set the recipe with the top-level key "recipe", or list recipes in [grid] or [one_at_a_time]`}
			}
			if k[1] == SourceAxis {
				if k[0] == "base" {
					return &Error{Key: "base.source", Msg: "base.source: set the data in [data], or vary it in [grid] or [one_at_a_time]"}
				}
				continue
			}
			_, known = configKind[k[1]]
			known = known || k[1] == "recipe"
		default:
			continue
		}
		if !known {
			return &Error{Key: k[0] + "." + k[1], Msg: fmt.Sprintf("unknown key %q in [%s]", k[1], k[0])}
		}
	}
	return nil
}

// namedSets returns the named data sets a source axis lists; parseGrid
// reports the values that name none.
func namedSets(list any) []*dataset.Set {
	values, _ := list.([]any)
	var sets []*dataset.Set
	for _, v := range values {
		name, _ := v.(string)
		if set, ok := dataset.Lookup(name); ok && !slices.Contains(sets, set) {
			sets = append(sets, set)
		}
	}
	return sets
}

// sourceChoices lists the values data.source takes, as messages quote them.
func sourceChoices() []string { return append(dataset.Names(), SourceSynthetic) }

// andList joins the words with commas and a final "and" (or "or").
func andList(words []string, and string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " " + and + " " + words[len(words)-1]
}

// parseData parses the [data] table. With a source axis (in axisTable,
// "grid" or "one_at_a_time"; "" for none) the axis names the sources,
// axisSets, so [data] holds only their shared limits, checked against the
// smallest of their splits.
func parseData(v any, masterSeed uint64, axisTable string, axisSets []*dataset.Set) (DataSpec, error) {
	axis := axisTable != ""
	d := DataSpec{Seed: masterSeed}
	tbl, err := asTable("data", v)
	if err != nil {
		return d, err
	}
	src, hasSrc := tbl["source"]
	dir, hasDir := tbl["dir"]
	var fixed []*dataset.Set // the data sets of fixed size whose splits bound the limits
	switch {
	case axis && (hasSrc || hasDir):
		key := "source"
		if !hasSrc {
			key = "dir"
		}
		return d, &Error{Key: axisTable + ".source", Msg: fmt.Sprintf("%s.source: [data] also sets %s; name the data in one place", axisTable, key)}
	case axis:
		fixed = axisSets
	case hasSrc && hasDir:
		return d, &Error{Key: "data.dir", Msg: "data.dir: give either source or dir, not both"}
	case hasDir:
		if d.Dir, err = asString("data.dir", dir); err != nil {
			return d, err
		}
		if d.Dir == "" {
			return d, invalid("data.dir", `""`, "must name a folder")
		}
		d.Source = SourceDir
	case hasSrc:
		if d.Source, err = asString("data.source", src); err != nil {
			return d, err
		}
		set, named := dataset.Lookup(d.Source)
		if !named && d.Source != SourceSynthetic {
			return d, invalid("data.source", literal(src), fmt.Sprintf("must be one of %q", sourceChoices()))
		}
		if named {
			fixed = []*dataset.Set{set}
		}
	default:
		var quoted []string
		for _, s := range sourceChoices() {
			quoted = append(quoted, strconv.Quote(s))
		}
		return d, &Error{Key: "data", Msg: fmt.Sprintf(`[data] needs source = %s, or dir = "<folder>"`, andList(quoted, "or"))}
	}
	bound := func(f func(dataset.Sizes) int) (int, string) {
		n, titles := math.MaxInt, []string{}
		for _, set := range fixed {
			n = min(n, f(set.Sizes))
			titles = append(titles, set.Title)
		}
		return n, andList(titles, "and")
	}

	limits := []struct {
		key  string
		dst  *int
		size func(dataset.Sizes) int
	}{
		{"train_limit", &d.TrainLimit, func(s dataset.Sizes) int { return s.Train }},
		{"val_limit", &d.ValLimit, func(s dataset.Sizes) int { return s.Val }},
		{"test_limit", &d.TestLimit, func(s dataset.Sizes) int { return s.Test }},
	}
	for _, l := range limits {
		key := "data." + l.key
		v, ok := tbl[l.key]
		if !ok {
			if d.Source == SourceSynthetic {
				return d, &Error{Key: key, Msg: fmt.Sprintf("missing key %q in [data]: synthetic data needs every split's size", l.key)}
			}
			continue
		}
		n, err := asInt(key, v)
		if err != nil {
			return d, err
		}
		switch {
		case d.Source == SourceSynthetic && n < 1:
			return d, invalid(key, literal(v), "must be at least 1 for synthetic data")
		case d.Source == SourceSynthetic && n > MaxSynthetic:
			return d, invalid(key, literal(v), fmt.Sprintf("must be at most %d for synthetic data", MaxSynthetic))
		case n > math.MaxInt32:
			return d, invalid(key, literal(v), fmt.Sprintf("must be at most %d", math.MaxInt32))
		case n < 0:
			return d, invalid(key, literal(v), "must be at least 0")
		case len(fixed) > 0:
			if max, name := bound(l.size); n > int64(max) {
				return d, invalid(key, literal(v), fmt.Sprintf("must be at most %d, the size of the %s split", max, name))
			}
		}
		*l.dst = int(n)
	}

	if v, ok := tbl["seed"]; ok {
		if d.Source != SourceSynthetic {
			return d, &Error{Key: "data.seed", Msg: `data.seed: only synthetic data has a seed`}
		}
		n, err := asInt("data.seed", v)
		if err != nil {
			return d, err
		}
		if n < 0 {
			return d, invalid("data.seed", literal(v), "must be at least 0")
		}
		d.Seed = uint64(n)
	}
	return d, nil
}

// parseGrid parses an axis table, [grid] or [one_at_a_time]: Config fields
// (or recipe) and the values each takes, sorted by field name.
func parseGrid(table string, v any, base map[string]any) ([]Axis, error) {
	tbl, err := asTable(table, v)
	if err != nil {
		return nil, err
	}
	if len(tbl) == 0 {
		return nil, &Error{Key: table, Msg: fmt.Sprintf("[%s] is empty: list at least one field and its values", table)}
	}
	var grid []Axis
	for _, f := range sortedKeys(tbl) {
		key := table + "." + f
		// A [one_at_a_time] axis may also be in [base], which sets its base
		// level for every recipe; expand checks the first value against it.
		if _, ok := base[f]; ok && table == "grid" {
			return nil, &Error{Key: key, Msg: fmt.Sprintf("%s: also set in [base]; set it in one place", key)}
		}
		list, ok := tbl[f].([]any)
		if !ok {
			return nil, want(key, tbl[f], "an array of values")
		}
		if len(list) == 0 {
			return nil, invalid(key, "[]", "must list at least one value")
		}
		ax := Axis{Field: f}
		for _, x := range list {
			s, err := axisValue(key, f, x)
			if err != nil {
				return nil, err
			}
			if slices.Contains(ax.Values, s) {
				return nil, invalid(key, literal(x), "listed twice")
			}
			ax.Values = append(ax.Values, s)
		}
		grid = append(grid, ax)
	}
	return grid, nil
}

func parseEvaluate(v any) (EvalSpec, error) {
	ev := EvalSpec{Split: SplitTest, Curves: SplitVal}
	tbl, err := asTable("evaluate", v)
	if err != nil {
		return ev, err
	}
	if v, ok := tbl["curves"]; ok {
		if ev.Curves, err = asString("evaluate.curves", v); err != nil {
			return ev, err
		}
		if ev.Curves != SplitVal && ev.Curves != SplitTrain {
			return ev, invalid("evaluate.curves", literal(v), fmt.Sprintf("must be one of %q", []string{SplitVal, SplitTrain}))
		}
	}
	if v, ok := tbl["split"]; ok {
		if ev.Split, err = asString("evaluate.split", v); err != nil {
			return ev, err
		}
		if ev.Split != SplitTest && ev.Split != SplitVal {
			return ev, invalid("evaluate.split", literal(v), fmt.Sprintf("must be one of %q", []string{SplitTest, SplitVal}))
		}
	}
	if v, ok := tbl["checkpoints"]; ok {
		const key = "evaluate.checkpoints"
		list, ok := v.([]any)
		if !ok {
			return ev, want(key, v, "an array of epochs")
		}
		for _, x := range list {
			n, err := asInt(key, x)
			if err != nil {
				return ev, err
			}
			switch {
			case n < 1:
				return ev, invalid(key, literal(x), "must be at least 1")
			case len(ev.Checkpoints) > 0 && int(n) <= ev.Checkpoints[len(ev.Checkpoints)-1]:
				return ev, invalid(key, literal(x), fmt.Sprintf("must be greater than the epoch before it (%d)", ev.Checkpoints[len(ev.Checkpoints)-1]))
			}
			ev.Checkpoints = append(ev.Checkpoints, int(n))
		}
	}
	return ev, nil
}

// maxRecordEvery bounds record.every: a spacing beyond any run's length is
// a mistake, not a way to turn recording off (that is 0).
const maxRecordEvery = 1 << 30

func parseRecord(v any, data DataSpec) (RecordSpec, error) {
	_, val, _ := data.Sizes()
	r := RecordSpec{Every: ff.DefaultStepSchedule.Every, Probe: min(DefaultProbe, val)}
	if v == nil {
		return r, nil
	}
	tbl, err := asTable("record", v)
	if err != nil {
		return r, err
	}
	if v, ok := tbl["every"]; ok {
		n, err := asInt("record.every", v)
		if err != nil {
			return r, err
		}
		if n < 0 || n > maxRecordEvery {
			return r, invalid("record.every", literal(v), fmt.Sprintf("must be in [0, %d] (0 turns step recording off)", maxRecordEvery))
		}
		r.Every = int(n)
	}
	if v, ok := tbl["probe"]; ok {
		n, err := asInt("record.probe", v)
		if err != nil {
			return r, err
		}
		if n < 0 || n > int64(val) {
			return r, invalid("record.probe", literal(v), fmt.Sprintf("must be in [0, %d], the validation samples", val))
		}
		r.Probe = int(n)
	}
	if v, ok := tbl["halves"]; ok {
		b, ok := v.(bool)
		if !ok {
			return r, want("record.halves", v, "true or false")
		}
		r.Halves = b
	}
	if !r.On() {
		r.Probe = 0
	}
	if r.Halves && (r.Probe < 2 || r.Probe%2 != 0) {
		return r, invalid("record.probe", strconv.Itoa(r.Probe), "must be even and at least 2 when record.halves is true")
	}
	return r, nil
}

func parseAnalysis(v any) (analysis.StepOptions, error) {
	var a analysis.StepOptions
	tbl, err := asTable("analysis", v)
	if err != nil {
		return a, err
	}
	num := func(key string, dst *float64) error {
		v, ok := tbl[key]
		if !ok {
			return nil
		}
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case int64:
			f = float64(x)
		default:
			return want("analysis."+key, v, "a number")
		}
		if !(f > 0) || math.IsInf(f, 0) {
			return invalid("analysis."+key, literal(v), "must be a positive number")
		}
		*dst = f
		return nil
	}
	for _, m := range []struct {
		key string
		dst *float64
	}{{"h1_margin", &a.H1Margin}, {"layer_margin", &a.LayerMargin}, {"width_margin", &a.WidthMargin},
		{"h2_strong", &a.Strong}, {"start_se", &a.StartSE}, {"coupling_margin", &a.CouplingMargin}, {"power", &a.Power}} {
		if err := num(m.key, m.dst); err != nil {
			return a, err
		}
	}
	for _, m := range []struct {
		key string
		dst *int
	}{{"lag_window", &a.LagWindow}, {"lag_grid", &a.LagGrid}} {
		if v, ok := tbl[m.key]; ok {
			n, err := asInt("analysis."+m.key, v)
			if err != nil {
				return a, err
			}
			if n < 1 || n > maxRecordEvery {
				return a, invalid("analysis."+m.key, literal(v), fmt.Sprintf("must be in [1, %d] steps", maxRecordEvery))
			}
			*m.dst = int(n)
		}
	}
	if v, ok := tbl["thresholds"]; ok {
		list, ok := v.([]any)
		if !ok || len(list) == 0 {
			return a, want("analysis.thresholds", v, "a non-empty array of accuracies")
		}
		for _, x := range list {
			f, ok := x.(float64)
			if !ok {
				return a, want("analysis.thresholds", x, "a number in (0, 1)")
			}
			if !(f > 0 && f < 1) || (len(a.Thresholds) > 0 && f <= a.Thresholds[len(a.Thresholds)-1]) {
				return a, invalid("analysis.thresholds", literal(x), "must be in (0, 1) and greater than the one before it")
			}
			a.Thresholds = append(a.Thresholds, f)
		}
	}
	for _, m := range []struct {
		key string
		dst *[]int
	}{{"deficit_steps", &a.DeficitSteps}, {"windows", &a.Windows}, {"coupling_steps", &a.CouplingSteps}} {
		if err := steps(tbl, "analysis."+m.key, m.dst); err != nil {
			return a, err
		}
	}
	for _, key := range []string{"h2_strong", "power"} {
		if v, ok := tbl[key]; ok {
			if f, _ := v.(float64); !(f < 1) {
				return a, invalid("analysis."+key, literal(v), "must be in (0, 1)")
			}
		}
	}
	if v, ok := tbl["h2_measure"]; ok {
		if a.H2Measure, err = asString("analysis.h2_measure", v); err != nil {
			return a, err
		}
		if a.H2Measure != analysis.H2Increments && a.H2Measure != analysis.H2Levels {
			return a, invalid("analysis.h2_measure", literal(v), fmt.Sprintf("must be %q or %q", analysis.H2Increments, analysis.H2Levels))
		}
	}
	if v, ok := tbl["h1_measure"]; ok {
		if a.H1Measure, err = asString("analysis.h1_measure", v); err != nil {
			return a, err
		}
		if ms := a.Measures(); !slices.Contains(ms, a.H1Measure) {
			return a, invalid("analysis.h1_measure", literal(v), fmt.Sprintf("must be one of %q", ms))
		}
	}
	return a, nil
}

// steps parses tbl's key (named name in errors), when present, as a
// non-empty ascending array of steps ≥ 1 into dst.
func steps(tbl map[string]any, name string, dst *[]int) error {
	_, key, _ := strings.Cut(name, ".")
	v, ok := tbl[key]
	if !ok {
		return nil
	}
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return want(name, v, "a non-empty array of steps")
	}
	for _, x := range list {
		n, err := asInt(name, x)
		if err != nil {
			return err
		}
		if n < 1 || n > maxRecordEvery || (len(*dst) > 0 && int(n) <= (*dst)[len(*dst)-1]) {
			return invalid(name, literal(x), "must be a step ≥ 1, greater than the one before it")
		}
		*dst = append(*dst, int(n))
	}
	return nil
}

// applyBase sets the [base] table's fields on cfg, in name order, and
// reports the first value of the wrong type.
func applyBase(cfg *ff.Config, base map[string]any) error {
	for _, f := range sortedKeys(base) {
		s, err := configValue("base."+f, f, base[f])
		if err != nil {
			return err
		}
		if err := cfg.Set(f, s); err != nil {
			// configValue produced what Set parses.
			panic("experiments: " + err.Error())
		}
	}
	return nil
}

// point is one treatment before its Config is built: the value of every
// [grid] axis and, at most, one [one_at_a_time] axis away from its base
// level.
type point struct {
	set    []axes.Axis // grid values, then the varied axis
	varied string      // the [one_at_a_time] axis off its base level, or ""
}

// points lists the treatments' axis values in canonical order: the
// cartesian product of [grid] (axes sorted by name, the first varying
// slowest, values in file order), and within each grid point the base of
// [one_at_a_time] followed by each of its axes (sorted by name) at each of
// its other values, in file order. n is their number, computed with
// overflow-checked products before anything is allocated.
func points(e *Experiment) ([]point, error) {
	n := 1
	for _, ax := range e.Grid {
		hi, lo := bits.Mul64(uint64(n), uint64(len(ax.Values)))
		if hi != 0 || lo > MaxRuns {
			return nil, &Error{Key: "grid", Msg: fmt.Sprintf("grid: more than %d treatments", MaxRuns)}
		}
		n = int(lo)
	}
	per := 1
	for _, ax := range e.OneAtATime {
		per += len(ax.Values) - 1 // each list is shorter than the file
	}
	if hi, lo := bits.Mul64(uint64(n), uint64(per)); hi != 0 || lo > MaxRuns {
		return nil, &Error{Key: "one_at_a_time", Msg: fmt.Sprintf("one_at_a_time: more than %d treatments", MaxRuns)}
	}
	if hi, lo := bits.Mul64(uint64(n*per), uint64(e.Seeds)); hi != 0 || lo > MaxRuns {
		return nil, invalid("seeds", strconv.Itoa(e.Seeds), fmt.Sprintf("%d treatments × %d seeds is more than %d runs", n*per, e.Seeds, MaxRuns))
	}
	ps := make([]point, 0, n*per)
	idx := make([]int, len(e.Grid)) // odometer over the grid's axes, last fastest
	for range n {
		grid := make([]axes.Axis, len(e.Grid))
		for a, ax := range e.Grid {
			grid[a] = axes.Axis{Name: ax.Field, Value: ax.Values[idx[a]]}
		}
		ps = append(ps, point{set: grid})
		for _, ax := range e.OneAtATime {
			for _, v := range ax.Values[1:] {
				ps = append(ps, point{set: append(slices.Clone(grid), axes.Axis{Name: ax.Field, Value: v}), varied: ax.Field})
			}
		}
		for a := len(idx) - 1; a >= 0; a-- {
			idx[a]++
			if idx[a] < len(e.Grid[a].Values) {
				break
			}
			idx[a] = 0
		}
	}
	return ps, nil
}

// expand builds and checks every treatment. A treatment's Config is its
// recipe's defaults (the top-level recipe unless an axis sets one), then
// [base], then its axis values. The [one_at_a_time] axes it does not vary
// keep what recipe and [base] give them, and its ID records that value: so
// recipe = "pezeshki" runs pezeshki's own defaults wherever [base] does
// not override them, not the base recipe's values of the other axes. At
// the base, each such axis must have the first value listed, the base
// level the file declares; a level other than the recipe's default is
// therefore set in [base] as well.
func expand(e *Experiment, base map[string]any) ([]Treatment, error) {
	ps, err := points(e)
	if err != nil {
		return nil, err
	}
	axisKey := func(f string) (string, bool) {
		for _, ax := range e.Grid {
			if ax.Field == f {
				return "grid." + f, true
			}
		}
		for _, ax := range e.OneAtATime {
			if ax.Field == f {
				return "one_at_a_time." + f, true
			}
		}
		return "", false
	}
	recipeBase := map[ff.Recipe]ff.Config{e.Recipe: e.Base}
	ts := make([]Treatment, 0, len(ps))
	for i, pt := range ps {
		recipe := e.Recipe
		if v, ok := axes.Lookup(pt.set, "recipe"); ok {
			recipe = ff.Recipe(v)
		}
		cfg, ok := recipeBase[recipe]
		if !ok {
			cfg, _ = ff.DefaultConfig(recipe) // parseGrid checked the name
			applyBase(&cfg, base)             // checked when e.Base was built
			recipeBase[recipe] = cfg
		}
		t := Treatment{Index: i, Config: cfg, Data: e.Data, Varied: pt.varied}
		t.Config.Widths = slices.Clone(cfg.Widths)
		for _, a := range pt.set {
			if a.Name != "recipe" {
				setAxis(&t, a.Name, a.Value)
			}
		}
		parts := slices.Clone(pt.set)
		for _, ax := range e.OneAtATime {
			if ax.Field == pt.varied {
				continue
			}
			if ax.Field == SourceAxis {
				// [data] names no source when an axis does: the base
				// level is the first listed.
				setAxis(&t, SourceAxis, ax.Values[0])
			}
			parts = append(parts, axes.Axis{Name: ax.Field, Value: t.axisValue(ax.Field)})
		}
		slices.SortFunc(parts, func(a, b axes.Axis) int { return strings.Compare(a.Name, b.Name) })
		for _, a := range parts {
			t.Values = append(t.Values, a.Value)
		}
		for j := range parts {
			parts[j].Value = axes.Value(parts[j].Value)
		}
		t.ID = axes.Format(parts)
		t.SeedID = axes.Format(slices.DeleteFunc(slices.Clone(parts), func(a axes.Axis) bool { return a.Name == "epochs" }))
		if pt.varied == "" {
			for _, ax := range e.OneAtATime {
				if v := t.axisValue(ax.Field); v != ax.Values[0] {
					msg := fmt.Sprintf("one_at_a_time.%s: value %s: the first value is the base level, and the base has %s", ax.Field, ax.Values[0], v)
					if _, ok := base[ax.Field]; !ok {
						msg += fmt.Sprintf(" (set %s in [base] too)", ax.Field)
					}
					if len(e.Grid) > 0 {
						msg += " (treatment " + t.ID + ")"
					}
					return nil, &Error{Key: "one_at_a_time." + ax.Field, Msg: msg}
				}
			}
		}
		// fieldErr names the key at fault, in an axis table or [base], and
		// the treatment when the value came from [base] for many.
		fieldErr := func(field string, value any, want string, err error) *Error {
			key, inAxis := axisKey(field)
			if !inAxis {
				key = field
				if _, ok := base[field]; ok {
					key = "base." + field
				}
			}
			msg := fmt.Sprintf("%s: value %v: %s", key, value, want)
			if !inAxis && len(ps) > 1 {
				msg += " (treatment " + t.ID + ")"
			}
			return &Error{Key: key, Msg: msg, Err: err}
		}

		if err := t.Config.Validate(); err != nil {
			var fe *ff.FieldError
			if !errors.As(err, &fe) {
				return nil, &Error{Msg: fmt.Sprintf("treatment %s: %v", t.ID, err), Err: err}
			}
			return nil, fieldErr(fe.Field, fe.Value, fe.Want, err)
		}

		if trainSize := trainSamples(t.Data); trainSize > 0 && t.Config.BatchSize > trainSize {
			return nil, fieldErr("batch_size", t.Config.BatchSize, fmt.Sprintf("must not exceed the %d training samples", trainSize), nil)
		}

		total := t.Config.TotalEpochs()
		for _, c := range e.Evaluate.Checkpoints {
			if c > total {
				return nil, invalid("evaluate.checkpoints", strconv.Itoa(c),
					fmt.Sprintf("beyond the %d epochs of treatment %s", total, t.ID))
			}
			t.Checkpoints = append(t.Checkpoints, c)
		}
		if !slices.Contains(t.Checkpoints, total) {
			t.Checkpoints = append(t.Checkpoints, total)
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// setAxis sets a treatment's value of a grid axis: a Config field, or the
// source of its data. The value was checked by parseGrid.
func setAxis(t *Treatment, field, value string) {
	if field == SourceAxis {
		t.Data.Source = value
		return
	}
	if err := t.Config.Set(field, value); err != nil {
		panic("experiments: " + err.Error())
	}
}

// trainSamples returns the number of training samples of d, or 0 when it
// is not known before the data is read (a folder without a limit).
func trainSamples(d DataSpec) int {
	if d.Source == SourceDir {
		return d.TrainLimit
	}
	train, _, _ := d.Sizes()
	return train
}

// axisValue returns the treatment's value of an axis, as Config.Get
// formats it: a Config field (recipe too, which the Config records), or
// SourceAxis.
func (t *Treatment) axisValue(field string) string {
	if field == SourceAxis {
		return t.Data.Source
	}
	v, _ := t.Config.Get(field)
	return v
}

// axisValue checks and formats a value of axis f: a named data set, a
// recipe, or a Config field's value (configValue).
func axisValue(key, f string, v any) (string, error) {
	if f == "recipe" {
		s, err := asString(key, v)
		if err != nil {
			return "", err
		}
		if _, err := ff.DefaultConfig(ff.Recipe(s)); err != nil {
			return "", invalid(key, literal(v), fmt.Sprintf("must be one of %q", ff.Recipes))
		}
		return s, nil
	}
	if f != SourceAxis {
		return configValue(key, f, v)
	}
	s, err := asString(key, v)
	if err != nil {
		return "", err
	}
	if _, ok := dataset.Lookup(s); !ok {
		return "", invalid(key, literal(v), fmt.Sprintf("must be one of %q; synthetic data and folders are set in [data]", dataset.Names()))
	}
	return s, nil
}

// configValue checks that v has the TOML type of Config field f and
// formats it as ff.Config.Set parses it. key names v in messages.
func configValue(key, f string, v any) (string, error) {
	switch configKind[f] {
	case reflect.Int:
		n, err := asInt(key, v)
		return strconv.FormatInt(n, 10), err
	case reflect.Float64:
		switch x := v.(type) {
		case float64:
			return strconv.FormatFloat(x, 'g', -1, 64), nil
		case int64:
			return strconv.FormatInt(x, 10), nil
		}
		return "", want(key, v, "a number")
	case reflect.Bool:
		if b, ok := v.(bool); ok {
			return strconv.FormatBool(b), nil
		}
		return "", want(key, v, "true or false")
	case reflect.String:
		// An empty string would stand for the field's default under a
		// cache key of its own: refused like any other bad value.
		s, err := asString(key, v)
		if err == nil && s == "" {
			return "", invalid(key, `""`, "must not be empty")
		}
		return s, err
	case reflect.Slice:
		list, ok := v.([]any)
		if !ok {
			return "", want(key, v, "an array of integers")
		}
		if len(list) == 0 {
			return "", invalid(key, "[]", "must not be empty (one width per layer)")
		}
		parts := make([]string, len(list))
		for i, x := range list {
			n, ok := x.(int64)
			if !ok {
				return "", want(key, v, "an array of integers")
			}
			parts[i] = strconv.FormatInt(n, 10)
		}
		return strings.Join(parts, ","), nil
	}
	panic("experiments: unhandled Config field kind for " + f)
}

func required(tbl map[string]any, table, key string) (any, error) {
	if v, ok := tbl[key]; ok {
		return v, nil
	}
	if table == "" {
		return nil, &Error{Key: key, Msg: fmt.Sprintf("missing key %q", key)}
	}
	return nil, &Error{Key: table + "." + key, Msg: fmt.Sprintf("missing key %q in [%s]", key, table)}
}

func asString(key string, v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	return "", want(key, v, "a string")
}

func asInt(key string, v any) (int64, error) {
	if n, ok := v.(int64); ok {
		return n, nil
	}
	return 0, want(key, v, "an integer")
}

func asTable(key string, v any) (map[string]any, error) {
	if t, ok := v.(map[string]any); ok {
		return t, nil
	}
	return nil, want(key, v, "a table")
}

// want is a value of the wrong TOML type.
func want(key string, v any, what string) *Error {
	return &Error{Key: key, Msg: fmt.Sprintf("%s: want %s, got %s", key, what, describe(v))}
}

// invalid is a value of the right type out of range.
func invalid(key, value, why string) *Error {
	return &Error{Key: key, Msg: fmt.Sprintf("%s: value %s: %s", key, value, why)}
}

// describe names a decoded TOML value's type and shows the value.
func describe(v any) string {
	switch v.(type) {
	case string:
		return "string " + literal(v)
	case int64:
		return "integer " + literal(v)
	case float64:
		return "float " + literal(v)
	case bool:
		return "boolean " + literal(v)
	case time.Time:
		return "datetime " + literal(v)
	case []any, []map[string]any:
		return "array " + literal(v)
	case map[string]any:
		return "table " + literal(v)
	}
	return fmt.Sprintf("%T", v)
}

// literal writes a decoded TOML value roughly as it was written.
func literal(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case []any:
		parts := make([]string, len(x))
		for i, y := range x {
			parts[i] = literal(y)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []map[string]any:
		parts := make([]string, len(x))
		for i, y := range x {
			parts[i] = literal(y)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		parts := make([]string, 0, len(x))
		for _, k := range sortedKeys(x) {
			parts = append(parts, k+" = "+literal(x[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
