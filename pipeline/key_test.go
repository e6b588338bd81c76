package pipeline

import (
	"crypto/sha256"
	"math"
	"strconv"
	"strings"
	"testing"
)

// TestHashFormat pins the exact bytes that are hashed: the format-version
// salt, then one line per call. The expected ID is computed here from the
// documented format, independently of Hash.
func TestHashFormat(t *testing.T) {
	var data OutputID
	data[0], data[31] = 0xab, 0xcd
	h := NewHash("train")
	h.Param("depth", 3)
	h.Float("lr", 1e-3)
	h.Param("recipe", "loewe")
	h.Param("peer", true)
	h.Input("prep:train.idx", data)
	h.Line("note free text")

	want := []string{
		"stage train",
		"param depth 3",
		"param lr 0.001",
		`param recipe "loewe"`,
		"param peer true",
		"input prep:train.idx ab000000000000000000000000000000000000000000000000000000000000cd",
		"note free text",
	}
	if got := h.Lines(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantID := ActionID(sha256.Sum256([]byte("ffchar-cache v1\n" + strings.Join(want, "\n") + "\n")))
	if got := h.Sum(); got != wantID {
		t.Errorf("Sum = %v, want %v", got, wantID)
	}
	if k := h.Key(); k.ID != wantID || k.Stage() != "train" || keyID(k.Lines) != wantID {
		t.Errorf("Key = %v (stage %q), want %v (stage train)", k.ID, k.Stage(), wantID)
	}
}

func TestHashDeterministic(t *testing.T) {
	build := func(depth int, lr float64, swap bool) ActionID {
		h := NewHash("train")
		if swap {
			h.Float("lr", lr)
			h.Param("depth", depth)
		} else {
			h.Param("depth", depth)
			h.Float("lr", lr)
		}
		return h.Sum()
	}
	a := build(3, 0.01, false)
	if b := build(3, 0.01, false); a != b {
		t.Errorf("same lines gave %v and %v", a, b)
	}
	for _, other := range []ActionID{
		build(4, 0.01, false),
		build(3, math.Nextafter(0.01, 1), false),
		build(3, 0.01, true), // order is part of the key
	} {
		if other == a {
			t.Errorf("different lines gave the same ID %v", a)
		}
	}
	if NewHash("train").Sum() == NewHash("eval").Sum() {
		t.Error("stage name not in the key")
	}
}

// TestFloatExact checks that floats are written in the shortest form that
// parses back to the same float64 (expected strings from Go's strconv
// documentation of 'g' with precision -1, and IEEE 754 for the float32).
func TestFloatExact(t *testing.T) {
	a, b := 0.1, 0.2 // variables: constant arithmetic would be exact
	tests := []struct {
		v    float64
		want string
	}{
		{1e-3, "0.001"},
		{a + b, "0.30000000000000004"},
		{float64(float32(0.1)), "0.10000000149011612"},
		{math.Nextafter(1e-3, 1), "0.0010000000000000002"},
		{5e-324, "5e-324"},
		{1e21, "1e+21"},
		{0, "0"},
		{math.Copysign(0, -1), "-0"},
		{math.Inf(1), "+Inf"},
		{math.NaN(), "NaN"},
	}
	for _, tt := range tests {
		h := NewHash("s")
		h.Float("x", tt.v)
		if got := h.Lines()[1]; got != "param x "+tt.want {
			t.Errorf("Float(%v) line %q, want %q", tt.v, got, "param x "+tt.want)
		}
		if back, err := strconv.ParseFloat(tt.want, 64); err != nil || (back != tt.v && !math.IsNaN(tt.v)) || math.Signbit(back) != math.Signbit(tt.v) {
			t.Errorf("%q does not parse back to %v", tt.want, tt.v)
		}
	}
	// Param with a float32 writes its exact float64 value, like Float.
	h := NewHash("s")
	h.Param("x", float32(0.1))
	if got := h.Lines()[1]; got != "param x 0.10000000149011612" {
		t.Errorf("Param(float32(0.1)) line %q", got)
	}
}

func TestHashMisusePanics(t *testing.T) {
	tests := []struct {
		name string
		f    func()
	}{
		{"empty stage", func() { NewHash("") }},
		{"space in label", func() { NewHash("s").Param("a b", 1) }},
		{"newline in label", func() { NewHash("s").Float("a\nb", 1) }},
		{"duplicate label", func() { h := NewHash("s"); h.Param("a", 1); h.Param("a", 2) }},
		{"unsupported type", func() { NewHash("s").Param("a", []int{1}) }},
		{"newline in line", func() { NewHash("s").Line("a\nb") }},
	}
	for _, tt := range tests {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tt.name)
				}
			}()
			tt.f()
		}()
	}
}

func TestParseID(t *testing.T) {
	h := NewHash("s")
	id := h.Sum()
	if got, err := ParseActionID(id.String()); err != nil || got != id {
		t.Errorf("ParseActionID(%v) = %v, %v", id, got, err)
	}
	for _, s := range []string{"", "abc", strings.ToUpper(id.String()), id.String()[:63] + "g"} {
		if _, err := ParseOutputID(s); err == nil {
			t.Errorf("ParseOutputID(%q) succeeded", s)
		}
	}
}
