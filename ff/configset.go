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
// canonical encoding of a configuration for cache keys and provenance.
func (c *Config) Lines() []string {
	v := reflect.ValueOf(c).Elem()
	t := v.Type()
	lines := make([]string, 0, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		lines = append(lines, t.Field(i).Tag.Get("toml")+" "+formatField(v.Field(i)))
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
