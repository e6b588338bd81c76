// Package fieldtest helps tests of the key-line rule (ff.FieldLines): it
// builds a configuration struct with one more field, as ff.Config would be
// after a field is added with a keydefault tag.
package fieldtest

import "reflect"

// WithNewField returns a pointer to a copy of the struct cfg with one more
// string field, Example (toml "example_option", keydefault "classifier"), set to
// value.
func WithNewField(cfg any, value string) any {
	ct := reflect.TypeOf(cfg)
	var fields []reflect.StructField
	for i := 0; i < ct.NumField(); i++ {
		f := ct.Field(i)
		fields = append(fields, reflect.StructField{Name: f.Name, Type: f.Type, Tag: f.Tag})
	}
	fields = append(fields, reflect.StructField{Name: "Example", Type: reflect.TypeOf(""),
		Tag: `toml:"example_option" keydefault:"classifier"`})
	v := reflect.New(reflect.StructOf(fields)).Elem()
	cv := reflect.ValueOf(cfg)
	for i := 0; i < ct.NumField(); i++ {
		v.Field(i).Set(cv.Field(i))
	}
	v.Field(ct.NumField()).SetString(value)
	return v.Addr().Interface()
}
