package pipeline

import (
	"slices"
	"testing"
)

func TestDiff(t *testing.T) {
	base := []string{"stage train", "param depth 3", "param lr 0.001", "input prep:x.idx aa"}
	tests := []struct {
		name string
		new  []string
		want []string // Change.String() of each change
	}{
		{"equal", base, nil},
		{"changed", []string{"stage train", "param depth 4", "param lr 0.001", "input prep:x.idx bb"},
			[]string{"param depth: 3 -> 4", "input prep:x.idx: aa -> bb"}},
		{"added", append(slices.Clone(base), `param recipe "loewe"`),
			[]string{`param recipe: added "loewe"`}},
		{"removed", []string{"stage train", "param depth 3", "input prep:x.idx aa"},
			[]string{"param lr: removed (was 0.001)"}},
		{"reordered", []string{"stage train", "param lr 0.001", "param depth 3", "input prep:x.idx aa"},
			[]string{"same lines in a different order"}},
		{"value with spaces", []string{"stage train", "param depth 3", "param lr 0.001", "input prep:x.idx aa b"},
			[]string{"input prep:x.idx: aa -> aa b"}},
	}
	for _, tt := range tests {
		var got []string
		for _, c := range Diff(base, tt.new) {
			got = append(got, c.String())
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: Diff = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestDiffRepeatedLines(t *testing.T) {
	old := []string{"note a 1", "note a 2"}
	got := Diff(old, []string{"note a 1", "note a 3", "note a 4"})
	want := []Change{
		{Kind: Changed, Label: "note a", Old: "2", New: "3"},
		{Kind: Added, Label: "note a", New: "4"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Diff = %+v, want %+v", got, want)
	}
}
