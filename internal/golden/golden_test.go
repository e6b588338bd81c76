package golden

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/backend"
	"github.com/ffchar/ffchar/dataset"
	"github.com/ffchar/ffchar/ff"
)

var update = flag.Bool("update", false, "rewrite the digests in testdata/ (after a deliberate change to the engine's arithmetic)")

// portableErr is why this process is not in portable arithmetic; nil when
// it is. TestMain enters it before any test runs: that may start the test
// binary again with OPENBLAS_CORETYPE=Haswell.
var portableErr error

func TestMain(m *testing.M) {
	flag.Parse()
	portableErr = backend.EnsurePortable()
	os.Exit(m.Run())
}

// configs are the trained configurations: both recipes, both schedules,
// and width 500, so that products sum over K = 500 (layer 2's inputs) as
// well as 774 (layer 1's image inputs): more than one K block of OpenBLAS's
// x86 sgemm kernels, whose blocks are a few hundred wide, so the rounding
// of the blocks' partial sums is covered too.
var configs = []struct {
	name     string
	recipe   ff.Recipe
	schedule ff.Schedule
	depth    int
	width    int
}{
	{"loewe-simultaneous-2x500", ff.Loewe, ff.Simultaneous, 2, 500},
	{"loewe-greedy-2x64", ff.Loewe, ff.Greedy, 2, 64},
	{"pezeshki-greedy-2x500", ff.Pezeshki, ff.Greedy, 2, 500},
	{"pezeshki-simultaneous-3x64", ff.Pezeshki, ff.Simultaneous, 3, 64},
}

// The data: synthetic digits (dataset.Synthetic), 400 for training in
// batches of 50, 100 for validation, the first 40 of which are the probe
// measured every 3 optimizer steps.
const (
	trainN, valN, probeN = 400, 100, 40
	batch, epochs, every = 50, 2, 3
	seed                 = 20250415
)

// TestGoldenDigests trains each configuration in portable arithmetic and
// compares the digests of its weights and curves with testdata/<name>.golden.
func TestGoldenDigests(t *testing.T) {
	if portableErr != nil {
		t.Skipf("portable arithmetic cannot run here, so there are no bits to compare: %v", portableErr)
	}
	train, val := dataset.Synthetic(trainN, seed), dataset.Synthetic(valN, seed+1)
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := ff.DefaultConfig(c.recipe)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Depth, cfg.Width, cfg.Schedule, cfg.Epochs, cfg.BatchSize = c.depth, c.width, c.schedule, epochs, batch
			var steps []ff.StepMetrics
			net, hist, err := ff.Train(context.Background(), cfg, train, ff.Options{
				Seed: seed,
				Val:  val,
				Record: &ff.Recording{Schedule: ff.StepSchedule{Every: every}, Probe: val.Head(probeN),
					OnStep: func(m ff.StepMetrics) error { steps = append(steps, m); return nil }},
			})
			if err != nil {
				t.Fatal(err)
			}
			got := digests(net.Params(), hist, steps)
			path := filepath.Join("testdata", c.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := readGolden(path)
			if err != nil {
				t.Fatalf("%v (regenerate deliberately with -update)", err)
			}
			if d := firstDifference(got, want); d != "" {
				t.Fatalf("%s: the bits differ from %s on %s: %s", c.name, path, machine(), d)
			}
		})
	}
}

// machine names what decides the bits here, for a failure message.
func machine() string {
	model := backend.HostCPU().Model
	if model == "" {
		model = "unknown model"
	}
	return fmt.Sprintf("CPU %s, BLAS %s, %s, %s", model, backend.Describe(), backend.Config(), runtime.Version())
}

// A record is a network's digests: lines "label value" in a fixed order.
// The weights digest and the curves digest come first; then each
// parameter tensor's digest and sampled values, so that a mismatch can
// name a value; then every curve value.
type record struct {
	lines [][2]string
}

func (r *record) add(label, value string) { r.lines = append(r.lines, [2]string{label, value}) }

func (r record) String() string {
	var b strings.Builder
	for _, l := range r.lines {
		b.WriteString(l[0] + " " + l[1] + "\n")
	}
	return b.String()
}

func (r record) get(label string) (string, bool) {
	for _, l := range r.lines {
		if l[0] == label {
			return l[1], true
		}
	}
	return "", false
}

// samplesPerTensor is how many values of each parameter tensor are kept,
// evenly spaced, to name a differing value.
const samplesPerTensor = 16

func digests(params []ff.Param, hist []ff.EpochMetrics, steps []ff.StepMetrics) record {
	var tensors, values record
	all := sha256.New()
	for _, p := range params {
		h := sha256.New()
		fmt.Fprintf(h, "%s %d %d\n", p.Name, p.Rows, p.Cols)
		var buf [4]byte
		for _, v := range p.Data {
			binary.LittleEndian.PutUint32(buf[:], math.Float32bits(v))
			h.Write(buf[:])
		}
		sum := h.Sum(nil)
		all.Write(sum)
		tensors.add("weights."+p.Name, fmt.Sprintf("%dx%d sha256:%x", p.Rows, p.Cols, sum))
		for i := range samplesPerTensor {
			j := i * len(p.Data) / samplesPerTensor
			tensors.add(fmt.Sprintf("weights.%s[%d]", p.Name, j), strconv.FormatFloat(float64(p.Data[j]), 'g', -1, 32))
		}
	}
	for i := range hist {
		hist[i].Seconds = 0 // wall time
	}
	flatten(&values, "epochs", reflect.ValueOf(hist))
	flatten(&values, "steps", reflect.ValueOf(steps))
	curves := sha256.New()
	for _, l := range values.lines {
		fmt.Fprintf(curves, "%s %s\n", l[0], l[1])
	}
	var r record
	r.add("weights", fmt.Sprintf("sha256:%x", all.Sum(nil)))
	r.add("curves", fmt.Sprintf("sha256:%x", curves.Sum(nil)))
	r.lines = append(append(r.lines, tensors.lines...), values.lines...)
	return r
}

// flatten adds every number below v, labelled by its path, exactly.
func flatten(r *record, path string, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			flatten(r, path, v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			flatten(r, fmt.Sprintf("%s[%d]", path, i), v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			flatten(r, path+"."+v.Type().Field(i).Name, v.Field(i))
		}
	case reflect.Float64, reflect.Float32:
		r.add(path, strconv.FormatFloat(v.Float(), 'g', -1, 64))
	case reflect.Int, reflect.Int64, reflect.Int32:
		r.add(path, strconv.FormatInt(v.Int(), 10))
	}
}

func readGolden(path string) (record, error) {
	var r record
	f, err := os.Open(path)
	if err != nil {
		return r, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for n := 1; s.Scan(); n++ {
		label, value, ok := strings.Cut(s.Text(), " ")
		if !ok {
			return r, fmt.Errorf("%s:%d: want \"label value\", got %q", path, n, s.Text())
		}
		r.add(label, value)
	}
	return r, s.Err()
}

// firstDifference compares the records and, when they differ, says which
// digests differ and names the first differing value: among the curves,
// else among the sampled weights. "" when they match.
func firstDifference(got, want record) string {
	if got.String() == want.String() {
		return ""
	}
	var which []string
	for _, d := range []string{"weights", "curves"} {
		g, _ := got.get(d)
		w, _ := want.get(d)
		if g != w {
			which = append(which, d)
		}
	}
	s := "the digests agree"
	if len(which) > 0 {
		s = strings.Join(which, " and ") + " digests differ"
	}
	for _, prefix := range []string{"epochs", "steps", "weights."} {
		for _, l := range want.lines {
			if !strings.HasPrefix(l[0], prefix) {
				continue
			}
			if g, ok := got.get(l[0]); !ok || g != l[1] {
				if !ok {
					g = "absent"
				}
				return fmt.Sprintf("%s; first differing value %s: got %s, want %s", s, l[0], g, l[1])
			}
		}
	}
	for _, l := range got.lines {
		if _, ok := want.get(l[0]); !ok {
			return fmt.Sprintf("%s; first differing value %s: got %s, want absent", s, l[0], l[1])
		}
	}
	if len(which) == 1 && which[0] == "weights" {
		return s + ", in values that are not sampled"
	}
	return s + ", but no recorded value does: the file was edited by hand"
}
