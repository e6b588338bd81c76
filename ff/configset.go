package ff

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// FieldNames returns the names of Config's fields as experiment files and
// --set flags spell them, in declaration order.
func FieldNames() []string {
	t := reflect.TypeOf(Config{})
	names := make([]string, 0, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		names = append(names, t.Field(i).Tag.Get("toml"))
	}
	return names
}

func fieldByName(c *Config, name string) (reflect.Value, bool) {
	v := reflect.ValueOf(c).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).Tag.Get("toml") == name {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// Set parses value into the field called name (see FieldNames). It does
// not validate ranges; call Validate after the last Set.
func (c *Config) Set(name, value string) error {
	f, ok := fieldByName(c, name)
	if !ok {
		return fmt.Errorf("unknown field %q (fields: %s)", name, strings.Join(FieldNames(), ", "))
	}
	bad := func(want string) error { return &FieldError{name, fmt.Sprintf("%q", value), "must be " + want} }
	switch f.Kind() {
	case reflect.Int:
		n, err := strconv.Atoi(value)
		if err != nil {
			return bad("an integer")
		}
		f.SetInt(int64(n))
	case reflect.Float64:
		x, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return bad("a number")
		}
		f.SetFloat(x)
	case reflect.Bool:
		b, err := strconv.ParseBool(value)
		if err != nil {
			return bad("true or false")
		}
		f.SetBool(b)
	case reflect.String:
		f.SetString(value)
	case reflect.Slice:
		var ws []int
		for _, p := range strings.Split(value, ",") {
			if strings.TrimSpace(p) == "" {
				continue
			}
			n, err := strconv.Atoi(strings.TrimSpace(p))
			if err != nil {
				return bad("a comma-separated list of integers")
			}
			ws = append(ws, n)
		}
		f.Set(reflect.ValueOf(ws))
	default:
		panic("ff: unhandled Config field kind " + f.Kind().String())
	}
	return nil
}

// Get returns the field called name formatted as Set parses it; floats are
// exact (shortest representation that round-trips).
func (c *Config) Get(name string) (string, bool) {
	f, ok := fieldByName(c, name)
	if !ok {
		return "", false
	}
	return formatField(f), true
}

func formatField(f reflect.Value) string {
	switch f.Kind() {
	case reflect.Int:
		return strconv.FormatInt(f.Int(), 10)
	case reflect.Float64:
		return strconv.FormatFloat(f.Float(), 'g', -1, 64)
	case reflect.Bool:
		return strconv.FormatBool(f.Bool())
	case reflect.String:
		return f.String()
	case reflect.Slice:
		parts := make([]string, f.Len())
		for i := range parts {
			parts[i] = strconv.FormatInt(f.Index(i).Int(), 10)
		}
		return strings.Join(parts, ",")
	}
	panic("ff: unhandled Config field kind " + f.Kind().String())
}

// Lines returns one "name value" line per field, in declaration order: the
// canonical encoding of a configuration for cache keys and provenance
// (see FieldLines for the rule that keeps keys stable as fields are
// added).
func (c *Config) Lines() []string { return FieldLines(c) }

// FieldLines returns the key lines of a pointer to a configuration struct:
// one "name value" line per field, named by its toml tag, in declaration
// order, except that a field whose value equals its keydefault tag is left
// out.
//
// The rule that keeps cached runs valid: a field added to Config after
// runs were cached gets a keydefault tag holding the value (as Get formats
// it) that reproduces the behaviour from before the field existed. At that
// value it adds no line, so every existing key stays what it was; at any
// other value it adds its line and the runs that use it get keys of their
// own. Fields without the tag, those that existed when the key format was
// fixed, always appear. Removing a field or changing a tagged field's
// default changes keys and needs a new train version.
func FieldLines(cfg any) []string {
	v := reflect.ValueOf(cfg).Elem()
	t := v.Type()
	lines := make([]string, 0, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		val := formatField(v.Field(i))
		if def, ok := t.Field(i).Tag.Lookup("keydefault"); ok && def == val {
			continue
		}
		lines = append(lines, t.Field(i).Tag.Get("toml")+" "+val)
	}
	return lines
}

// FieldKind returns the kind of the field called name (see FieldNames),
// or reflect.Invalid for no such field.
func FieldKind(name string) reflect.Kind {
	var c Config
	f, ok := fieldByName(&c, name)
	if !ok {
		return reflect.Invalid
	}
	return f.Kind()
}
