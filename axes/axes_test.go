package axes

import (
	"reflect"
	"testing"
)

func TestParseFormatRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want []Axis
	}{
		{"depth=2,width=500", []Axis{{"depth", "2"}, {"width", "500"}}},
		{"schedule=greedy,widths=32x16", []Axis{{"schedule", "greedy"}, {"widths", "32x16"}}},
		{"lr=0.001", []Axis{{"lr", "0.001"}}},
		{"", nil},
		{"base", nil},
	} {
		got := Parse(tc.id)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Parse(%q) = %v, want %v", tc.id, got, tc.want)
		}
		if got != nil && Format(got) != tc.id {
			t.Errorf("Format(Parse(%q)) = %q", tc.id, Format(got))
		}
	}
	if v, ok := Get("schedule=greedy,widths=32x16", "widths"); !ok || v != "32x16" {
		t.Errorf("Get widths = %q, %v", v, ok)
	}
	if Value("32,16") != "32x16" {
		t.Errorf("Value(32,16) = %q", Value("32,16"))
	}
}
