package tomlkeys

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Error is a key with a bad value, or a missing one; Msg starts with the
// dotted key, except for a missing key ("missing key ...").
type Error struct {
	Key, Msg string
}

func (e *Error) Error() string { return e.Msg }

// Field is one key of a struct.
type Field struct {
	Key   string
	Doc   string
	Index int // in the struct
	Tag   reflect.StructTag
}

// Has reports whether the field's file tag lists file ("required",
// "custom", "-", or a caller's own word).
func (f Field) Has(file string) bool {
	return slices.Contains(strings.Split(f.Tag.Get("file"), ","), file)
}

// Fields returns the keys of struct type t in declaration order, those
// tagged file:"-" included.
func Fields(t reflect.Type) []Field {
	var fs []Field
	for i := range t.NumField() {
		sf := t.Field(i)
		name := sf.Tag.Get("toml")
		if name == "" || name == "-" {
			continue
		}
		fs = append(fs, Field{Key: name, Doc: sf.Tag.Get("doc"), Index: i, Tag: sf.Tag})
	}
	return fs
}

// FileKeys returns the keys a file may hold in a table decoded into t, in
// declaration order.
func FileKeys(t reflect.Type) []Field {
	return slices.DeleteFunc(Fields(t), func(f Field) bool { return f.Has("-") })
}

// Lookup returns the file key called key of struct type t.
func Lookup(t reflect.Type, key string) (Field, bool) {
	fs := FileKeys(t)
	i := slices.IndexFunc(fs, func(f Field) bool { return f.Key == key })
	if i < 0 {
		return Field{}, false
	}
	return fs[i], true
}

// Table returns the struct type of the file key called key of t, when its
// value is a table of tagged keys.
func Table(t reflect.Type, key string) (reflect.Type, bool) {
	f, ok := Lookup(t, key)
	if !ok || f.Has("custom") {
		return nil, false
	}
	ft := t.Field(f.Index).Type
	return ft, ft.Kind() == reflect.Struct
}

// Decode sets the fields of the struct dst points to from tbl, the
// decoded table called table ("" for the top level), in declaration
// order, and reports the first missing, mistyped or out-of-range value.
// Keys absent from tbl leave their fields as they are, so dst holds the
// defaults. Unknown keys are not its business (see FileKeys).
func Decode(table string, tbl map[string]any, dst any) error {
	v := reflect.ValueOf(dst).Elem()
	for _, f := range FileKeys(v.Type()) {
		key := f.Key
		if table != "" {
			key = table + "." + f.Key
		}
		x, ok := tbl[f.Key]
		if !ok {
			if f.Has("required") {
				if table == "" {
					return &Error{Key: key, Msg: fmt.Sprintf("missing key %q", f.Key)}
				}
				return &Error{Key: key, Msg: fmt.Sprintf("missing key %q in [%s]", f.Key, table)}
			}
			continue
		}
		if f.Has("custom") {
			continue
		}
		if err := decodeValue(key, f.Tag, x, v.Field(f.Index)); err != nil {
			return err
		}
	}
	return nil
}

func decodeValue(key string, tag reflect.StructTag, x any, dst reflect.Value) error {
	switch dst.Kind() {
	case reflect.Struct:
		tbl, ok := x.(map[string]any)
		if !ok {
			return Want(key, x, "a table")
		}
		return Decode(key, tbl, dst.Addr().Interface())
	case reflect.Slice:
		list, ok := x.([]any)
		if !ok {
			return Want(key, x, wantArray(tag, dst.Type().Elem().Kind()))
		}
		if len(list) == 0 {
			if _, ok := tag.Lookup("nonempty"); ok {
				return Want(key, x, wantArray(tag, dst.Type().Elem().Kind()))
			}
		}
		s := reflect.MakeSlice(dst.Type(), len(list), len(list))
		for i, e := range list {
			if err := decodeValue(key, tag, e, s.Index(i)); err != nil {
				return err
			}
			if what, ok := tag.Lookup("ascending"); ok && i > 0 && !less(s.Index(i-1), s.Index(i)) {
				return Invalid(key, Literal(e), fmt.Sprintf("must be greater than the %s before it (%s)", what, Literal(list[i-1])))
			}
		}
		dst.Set(s)
		return nil
	case reflect.String:
		s, ok := x.(string)
		if !ok {
			return Want(key, x, "a string")
		}
		if _, ok := tag.Lookup("nonempty"); ok && s == "" {
			return Invalid(key, `""`, "must not be empty")
		}
		if oneof, ok := tag.Lookup("oneof"); ok && !slices.Contains(strings.Split(oneof, ","), s) {
			return Invalid(key, Literal(x), fmt.Sprintf("must be one of %q", strings.Split(oneof, ",")))
		}
		dst.SetString(s)
	case reflect.Bool:
		b, ok := x.(bool)
		if !ok {
			return Want(key, x, "true or false")
		}
		dst.SetBool(b)
	case reflect.Int, reflect.Uint64:
		n, ok := x.(int64)
		if !ok {
			return Want(key, x, "an integer")
		}
		if dst.Kind() == reflect.Uint64 && n < 0 {
			return Invalid(key, Literal(x), "must be at least 0")
		}
		if err := checkNumber(key, tag, x, float64(n)); err != nil {
			return err
		}
		if dst.Kind() == reflect.Uint64 {
			dst.SetUint(uint64(n))
		} else {
			dst.SetInt(n)
		}
	case reflect.Float64:
		var f float64
		switch n := x.(type) {
		case float64:
			f = n
		case int64:
			f = float64(n)
		default:
			return Want(key, x, "a number")
		}
		if err := checkNumber(key, tag, x, f); err != nil {
			return err
		}
		dst.SetFloat(f)
	default:
		panic("tomlkeys: unhandled kind " + dst.Kind().String() + " of " + key)
	}
	return nil
}

func wantArray(tag reflect.StructTag, elem reflect.Kind) string {
	if w := tag.Get("want"); w != "" {
		return w
	}
	if elem == reflect.Float64 {
		return "an array of numbers"
	}
	return "an array of integers"
}

func less(a, b reflect.Value) bool {
	if a.Kind() == reflect.Float64 {
		return a.Float() < b.Float()
	}
	return a.Int() < b.Int()
}

// checkNumber applies the bounds of tag to f, which is x as decoded.
func checkNumber(key string, tag reflect.StructTag, x any, f float64) error {
	bound := func(name string) (float64, bool) {
		s, ok := tag.Lookup(name)
		if !ok {
			return 0, false
		}
		b, err := strconv.ParseFloat(s, 64)
		if err != nil {
			panic("tomlkeys: bad " + name + " tag of " + key)
		}
		return b, true
	}
	if lo, ok := bound("min"); ok && f < lo {
		return Invalid(key, Literal(x), "must be at least "+tag.Get("min"))
	}
	if hi, ok := bound("max"); ok && f > hi {
		return Invalid(key, Literal(x), "must be at most "+tag.Get("max"))
	}
	if _, ok := tag.Lookup("positive"); ok && (!(f > 0) || math.IsInf(f, 0)) {
		return Invalid(key, Literal(x), "must be a positive number")
	}
	if r, ok := tag.Lookup("range"); ok {
		lo, hi, found := strings.Cut(r[1:len(r)-1], ",")
		l, err1 := strconv.ParseFloat(lo, 64)
		h, err2 := strconv.ParseFloat(hi, 64)
		if !found || err1 != nil || err2 != nil {
			panic("tomlkeys: bad range tag of " + key)
		}
		inLo := f > l || (r[0] == '[' && f == l)
		inHi := f < h || (r[len(r)-1] == ']' && f == h)
		if !inLo || !inHi || math.IsNaN(f) {
			msg := fmt.Sprintf("must be in %c%s, %s%c", r[0], lo, hi, r[len(r)-1])
			if why := tag.Get("why"); why != "" {
				msg += " (" + why + ")"
			}
			return Invalid(key, Literal(x), msg)
		}
	}
	return nil
}

// Lines returns one line per key of the struct src points to, prefix
// followed by "name value", in declaration order; fields tagged key:"-"
// are left out, and so is a field whose value equals its keydefault tag
// (the rule of ff.FieldLines: a key added later at the value that
// reproduces the old behaviour keeps every existing cache key). Floats are exact (shortest representation that round
// trips) and arrays are joined with ",".
func Lines(prefix string, src any) []string {
	v := reflect.ValueOf(src).Elem()
	var lines []string
	for _, f := range Fields(v.Type()) {
		val := Format(v.Field(f.Index))
		if def, ok := f.Tag.Lookup("keydefault"); (ok && def == val) || f.Tag.Get("key") == "-" {
			continue
		}
		lines = append(lines, prefix+f.Key+" "+val)
	}
	return lines
}

// Format writes a field's value as Lines does.
func Format(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Int:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.String:
		return v.String()
	case reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = Format(v.Index(i))
		}
		return strings.Join(parts, ",")
	}
	panic("tomlkeys: unhandled kind " + v.Kind().String())
}

// Want is a value of the wrong TOML type.
func Want(key string, v any, what string) *Error {
	return &Error{Key: key, Msg: fmt.Sprintf("%s: want %s, got %s", key, what, Describe(v))}
}

// Invalid is a value of the right type out of range.
func Invalid(key, value, why string) *Error {
	return &Error{Key: key, Msg: fmt.Sprintf("%s: value %s: %s", key, value, why)}
}

// Describe names a decoded TOML value's type and shows the value.
func Describe(v any) string {
	switch v.(type) {
	case string:
		return "string " + Literal(v)
	case int64:
		return "integer " + Literal(v)
	case float64:
		return "float " + Literal(v)
	case bool:
		return "boolean " + Literal(v)
	case time.Time:
		return "datetime " + Literal(v)
	case []any, []map[string]any:
		return "array " + Literal(v)
	case map[string]any:
		return "table " + Literal(v)
	}
	return fmt.Sprintf("%T", v)
}

// Literal writes a decoded TOML value roughly as it was written.
func Literal(v any) string {
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
			parts[i] = Literal(y)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []map[string]any:
		parts := make([]string, len(x))
		for i, y := range x {
			parts[i] = Literal(y)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, 0, len(x))
		for _, k := range keys {
			parts = append(parts, k+" = "+Literal(x[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}
