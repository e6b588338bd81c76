package axes

import (
	"cmp"
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

func TestCompareValues(t *testing.T) {
	// Each list is in the order a reader expects.
	for _, vs := range [][]string{
		{"2", "8", "300", "1000"},
		{"0.0001", "0.001", "0.01", "1e-1"},
		{"width=300", "width=1000"},
		{"epochs=2", "epochs=8", "epochs=16"},
		{"32x16", "100x50", "100x100", "1000x10"},
		{"base", "epochs=2", "fashion-mnist", "greedy"},
		{"lr=1e-3", "lr=0.01"},
		{"a", "a1", "ab"},
	} {
		for i := range vs {
			for j := range vs {
				if got, want := CompareValues(vs[i], vs[j]), cmp.Compare(i, j); got != want {
					t.Errorf("CompareValues(%q, %q) = %d, want %d", vs[i], vs[j], got, want)
				}
			}
		}
	}
}
