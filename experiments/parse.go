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

	"github.com/BurntSushi/toml"

	"github.com/ffchar/ffchar/axes"
	"github.com/ffchar/ffchar/backend"
	"github.com/ffchar/ffchar/dataset"
	"github.com/ffchar/ffchar/ff"
	"github.com/ffchar/ffchar/internal/tomlkeys"
)

// The keys an experiment file may hold are the tags of Experiment and of
// the tables' types (tomlkeys). The tables tagged file:"config", [base],
// [grid] and [one_at_a_time], take Config fields instead (configKind); the
// two axis tables also take recipe.

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

// Key is a key of the experiment file outside the tables of Config
// fields, for documentation: its table ("" for the top level), name and
// doc tag.
type Key struct{ Table, Name, Doc string }

// Keys returns the experiment file's keys outside [base], [grid] and
// [one_at_a_time], in declaration order: the top level's, then each
// table's.
func Keys() []Key {
	top := reflect.TypeFor[Experiment]()
	var keys, tables []Key
	for _, f := range tomlkeys.FileKeys(top) {
		if f.Has("config") {
			continue
		}
		if t := top.Field(f.Index).Type; t.Kind() != reflect.Struct {
			keys = append(keys, Key{Name: f.Key, Doc: f.Doc})
		} else {
			for _, g := range tomlkeys.FileKeys(t) {
				tables = append(tables, Key{Table: f.Key, Name: g.Key, Doc: g.Doc})
			}
		}
	}
	return append(keys, tables...)
}

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

	// The defaults, then every key the file sets.
	e := &Experiment{
		Path:       name,
		Name:       strings.TrimSuffix(path.Base(strings.ReplaceAll(name, "\\", "/")), ".toml"),
		Arithmetic: backend.Native,
		Evaluate:   EvalSpec{Split: SplitTest, Curves: SplitVal},
	}
	if err := decode("", raw, e); err != nil {
		return nil, err
	}
	if err := CheckName(e.Name); err != nil {
		msg := err.Error()
		if _, ok := raw["name"]; !ok {
			msg += ` (the file's name; set name = "...")`
		}
		return nil, invalid("name", strconv.Quote(e.Name), msg)
	}
	if !slices.Contains(backend.Modes, e.Arithmetic) {
		return nil, invalid("arithmetic", strconv.Quote(e.Arithmetic), fmt.Sprintf("must be one of %q", backend.Modes))
	}
	if e.Base, err = ff.DefaultConfig(e.Recipe); err != nil {
		return nil, invalid("recipe", strconv.Quote(string(e.Recipe)), fmt.Sprintf("must be one of %q", ff.Recipes))
	}

	axisTable, axisSets := "", []*dataset.Set(nil)
	for _, t := range []string{"grid", "one_at_a_time"} {
		if tbl, _ := raw[t].(map[string]any); tbl != nil {
			if list, ok := tbl[SourceAxis]; ok {
				axisTable, axisSets = t, namedSets(list)
			}
		}
	}
	if e.Data, err = parseData(raw["data"], e.MasterSeed, axisTable, axisSets); err != nil {
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

	if e.Record, err = parseRecord(raw["record"], e.Data); err != nil {
		return nil, err
	}
	if ms := e.Analysis.Measures(); e.Analysis.H1Measure != "" && !slices.Contains(ms, e.Analysis.H1Measure) {
		return nil, invalid("analysis.h1_measure", strconv.Quote(e.Analysis.H1Measure), fmt.Sprintf("must be one of %q", ms))
	}

	if e.treatments, err = expand(e, base); err != nil {
		return nil, err
	}
	return e, nil
}

// decode sets dst's tagged fields from the table tbl (tomlkeys.Decode).
func decode(table string, tbl map[string]any, dst any) error {
	err := tomlkeys.Decode(table, tbl, dst)
	if ke, ok := err.(*tomlkeys.Error); ok {
		return keyError(ke)
	}
	return err
}

// checkKeys reports the first key, in file order, that the format does not
// define. Keys below a known key's value are left to the type checks: a
// table where a number belongs is a type error, not an unknown key.
func checkKeys(keys []toml.Key, raw map[string]any) error {
	top := reflect.TypeFor[Experiment]()
	for _, k := range keys {
		f, ok := tomlkeys.Lookup(top, k[0])
		if !ok {
			return &Error{Key: k[0], Msg: fmt.Sprintf("unknown key %q", k[0])}
		}
		if len(k) < 2 {
			continue
		}
		if _, ok := raw[k[0]].(map[string]any); !ok {
			continue
		}
		var known bool
		switch t := top.Field(f.Index).Type; {
		case f.Has("config"):
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
		case t.Kind() == reflect.Struct:
			_, known = tomlkeys.Lookup(t, k[1])
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
	if err := decode("data", tbl, &d); err != nil {
		return d, err
	}
	_, hasSrc := tbl["source"]
	_, hasDir := tbl["dir"]
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
		if d.Dir == "" {
			return d, invalid("data.dir", `""`, "must name a folder")
		}
		d.Source = SourceDir
	case hasSrc:
		set, named := dataset.Lookup(d.Source)
		if !named && d.Source != SourceSynthetic {
			return d, invalid("data.source", strconv.Quote(d.Source), fmt.Sprintf("must be one of %q", sourceChoices()))
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

	// The limits' types and signs are checked; what they may be depends
	// on the source.
	for _, l := range []struct {
		key  string
		n    int
		size func(dataset.Sizes) int
	}{
		{"train_limit", d.TrainLimit, func(s dataset.Sizes) int { return s.Train }},
		{"val_limit", d.ValLimit, func(s dataset.Sizes) int { return s.Val }},
		{"test_limit", d.TestLimit, func(s dataset.Sizes) int { return s.Test }},
	} {
		key := "data." + l.key
		if _, ok := tbl[l.key]; !ok {
			if d.Source == SourceSynthetic {
				return d, &Error{Key: key, Msg: fmt.Sprintf("missing key %q in [data]: synthetic data needs every split's size", l.key)}
			}
			continue
		}
		switch {
		case d.Source == SourceSynthetic && l.n < 1:
			return d, invalid(key, strconv.Itoa(l.n), "must be at least 1 for synthetic data")
		case d.Source == SourceSynthetic && l.n > MaxSynthetic:
			return d, invalid(key, strconv.Itoa(l.n), fmt.Sprintf("must be at most %d for synthetic data", MaxSynthetic))
		}
		max, names := math.MaxInt, []string{}
		for _, set := range fixed {
			max = min(max, l.size(set.Sizes))
			names = append(names, set.Title)
		}
		if l.n > max {
			return d, invalid(key, strconv.Itoa(l.n), fmt.Sprintf("must be at most %d, the size of the %s split", max, andList(names, "and")))
		}
	}
	if _, ok := tbl["seed"]; ok && d.Source != SourceSynthetic {
		return d, &Error{Key: "data.seed", Msg: `data.seed: only synthetic data has a seed`}
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

// parseRecord parses the [record] table, whose defaults depend on the
// data.
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
	if err := decode("record", tbl, &r); err != nil {
		return r, err
	}
	if r.Probe > val {
		return r, invalid("record.probe", strconv.Itoa(r.Probe), fmt.Sprintf("must be in [0, %d], the validation samples", val))
	}
	if !r.On() {
		r.Probe = 0
	}
	if r.Halves && (r.Probe < 2 || r.Probe%2 != 0) {
		return r, invalid("record.probe", strconv.Itoa(r.Probe), "must be even and at least 2 when record.halves is true")
	}
	return r, nil
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

func keyError(e *tomlkeys.Error) *Error { return &Error{Key: e.Key, Msg: e.Msg} }

// want is a value of the wrong TOML type.
func want(key string, v any, what string) *Error { return keyError(tomlkeys.Want(key, v, what)) }

// invalid is a value of the right type out of range.
func invalid(key, value, why string) *Error { return keyError(tomlkeys.Invalid(key, value, why)) }

// literal writes a decoded TOML value roughly as it was written.
func literal(v any) string { return tomlkeys.Literal(v) }

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
