package tomlkeys

import (
	"reflect"
	"slices"
	"testing"

	"github.com/BurntSushi/toml"
)

type inner struct {
	Every int    `toml:"every" range:"[0,100]" why:"0 turns it off"`
	Mode  string `toml:"mode" oneof:"a,b"`
}

type outer struct {
	Seeds  int       `toml:"seeds" file:"required" min:"1" max:"10"`
	Seed   uint64    `toml:"seed"`
	Margin float64   `toml:"margin" positive:""`
	Power  float64   `toml:"power" range:"(0,1)"`
	Steps  []int     `toml:"steps" want:"a non-empty array of steps" nonempty:"" min:"1" ascending:"step"`
	Ths    []float64 `toml:"ths" ascending:"threshold"`
	Name   string    `toml:"name" nonempty:""`
	On     bool      `toml:"on"`
	Inner  inner     `toml:"inner"`
	Custom int       `toml:"custom" file:"custom"`
	Hidden int       `toml:"hidden" file:"-"`
	Out    int       `toml:"out" key:"-"`
	NoKey  int
}

// Each check's message, for one key at fault; the messages are those
// experiment files report (experiments' TestErrors).
func TestDecode(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{``, `missing key "seeds"`},
		{`seeds = 0`, `seeds: value 0: must be at least 1`},
		{`seeds = 11`, `seeds: value 11: must be at most 10`},
		{`seeds = "x"`, `seeds: want an integer, got string "x"`},
		{"seeds = 1\nseed = -1", `seed: value -1: must be at least 0`},
		{"seeds = 1\nmargin = 0", `margin: value 0: must be a positive number`},
		{"seeds = 1\nmargin = inf", `margin: value +Inf: must be a positive number`},
		{"seeds = 1\npower = 1", `power: value 1: must be in (0, 1)`},
		{"seeds = 1\nsteps = []", `steps: want a non-empty array of steps, got array []`},
		{"seeds = 1\nsteps = 3", `steps: want a non-empty array of steps, got integer 3`},
		{"seeds = 1\nsteps = [2, 2]", `steps: value 2: must be greater than the step before it (2)`},
		{"seeds = 1\nsteps = [0]", `steps: value 0: must be at least 1`},
		{"seeds = 1\nsteps = [1, \"x\"]", `steps: want an integer, got string "x"`},
		{"seeds = 1\nths = [0.5, 0.25]", `ths: value 0.25: must be greater than the threshold before it (0.5)`},
		{"seeds = 1\nname = \"\"", `name: value "": must not be empty`},
		{"seeds = 1\non = 1", `on: want true or false, got integer 1`},
		{"seeds = 1\ninner = 3", `inner: want a table, got integer 3`},
		{"seeds = 1\n[inner]\nevery = 101", `inner.every: value 101: must be in [0, 100] (0 turns it off)`},
		{"seeds = 1\n[inner]\nmode = \"c\"", `inner.mode: value "c": must be one of ["a" "b"]`},
		{"seeds = 1\ncustom = \"anything\"\nhidden = \"ignored\"", ``},
	} {
		var raw map[string]any
		if _, err := toml.Decode(c.src, &raw); err != nil {
			t.Fatal(err)
		}
		var o outer
		err := Decode("", raw, &o)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("%q: %q, want %q", c.src, got, c.want)
		}
	}
}

func TestDecodeValues(t *testing.T) {
	var raw map[string]any
	src := "seeds = 3\nseed = 7\nmargin = 2\nsteps = [1, 5]\nths = [0.5]\non = true\n[inner]\nevery = 0\nmode = \"b\"\n"
	if _, err := toml.Decode(src, &raw); err != nil {
		t.Fatal(err)
	}
	o := outer{Power: 0.8}
	if err := Decode("", raw, &o); err != nil {
		t.Fatal(err)
	}
	want := outer{Seeds: 3, Seed: 7, Margin: 2, Power: 0.8, Steps: []int{1, 5}, Ths: []float64{0.5}, On: true, Inner: inner{Mode: "b"}}
	if !reflect.DeepEqual(o, want) {
		t.Errorf("decoded %+v, want %+v", o, want)
	}
	flat := struct {
		A int       `toml:"a"`
		B []float64 `toml:"b"`
		C string    `toml:"c" key:"-"`
		D uint64    `toml:"d" file:"-"`
		E int       `toml:"e" keydefault:"0"`
	}{A: 2, B: []float64{0.1, 1e-9}, C: "x", D: 5}
	if got, want := Lines("param ", &flat), []string{"param a 2", "param b 0.1,1e-09", "param d 5"}; !slices.Equal(got, want) {
		t.Errorf("lines %q, want %q", got, want)
	}
	flat.E = 3
	if got := Lines("", &flat); !slices.Contains(got, "e 3") {
		t.Errorf("lines %q lack e 3, away from its keydefault", got)
	}
	var names []string
	for _, f := range FileKeys(reflect.TypeFor[outer]()) {
		names = append(names, f.Key)
	}
	if want := []string{"seeds", "seed", "margin", "power", "steps", "ths", "name", "on", "inner", "custom", "out"}; !slices.Equal(names, want) {
		t.Errorf("file keys %q, want %q", names, want)
	}
}
