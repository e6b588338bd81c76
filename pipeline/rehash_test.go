package pipeline

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestRehashInputs: with Runner.Rehash, a job reads a private copy of its
// input, checked against the recorded hash; an output swapped in the
// cache after the hit check (standing for a writer racing the check) is
// refused instead of read. Without it, the job gets the cache's file.
func TestRehashInputs(t *testing.T) {
	for _, rehash := range []bool{false, true} {
		c := openTest(t)
		var seen string
		swap := false
		jobs := []*Job{
			{ID: "a", Stage: "a", Run: func(_ context.Context, _ *Inputs, dir string) error {
				return os.WriteFile(dir+"/x", []byte("honest"), 0o666)
			}},
			{ID: "b", Stage: "b", Deps: []string{"a"}, Run: func(_ context.Context, in *Inputs, dir string) error {
				if swap {
					o, _ := in.Entry("a").Output("x")
					must(t, os.WriteFile(c.OutputFile(o.ID), []byte("forged"), 0o666))
				}
				p, err := in.Path("a", "x")
				if err != nil {
					return err
				}
				b, err := os.ReadFile(p)
				seen = string(b)
				if err != nil {
					return err
				}
				return os.WriteFile(dir+"/y", b, 0o666)
			}},
		}
		r := &Runner{Cache: c, Workers: 1, Rehash: rehash}
		if _, err := r.Run(context.Background(), jobs); err != nil || seen != "honest" {
			t.Fatalf("rehash %v: %v, read %q", rehash, err, seen)
		}
		// Force b to run again over a swapped input.
		jobs[1].Key = func(h *Hash) { h.Param("again", 1) }
		swap = true
		_, err := r.Run(context.Background(), jobs)
		if rehash && (err == nil || !strings.Contains(err.Error(), "changed since it was checked")) {
			t.Errorf("rehash: a swapped input was read: %v, %q", err, seen)
		}
		if !rehash && seen != "forged" {
			t.Errorf("without rehash the job read %q (the test's premise)", seen)
		}
	}
}

// BenchmarkHitCheck and BenchmarkRehashCopy measure, per byte of output,
// what every hit costs (Get rehashes its outputs) and what Rehash adds to
// each input a job reads (a checked copy), on a 64 MB output.
func BenchmarkHitCheck(b *testing.B) {
	c, k, _ := benchEntry(b)
	b.SetBytes(64 << 20)
	for b.Loop() {
		if _, err := c.Get(k.ID); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRehashCopy(b *testing.B) {
	c, _, e := benchEntry(b)
	dir := b.TempDir()
	b.SetBytes(64 << 20)
	i := 0
	for b.Loop() {
		i++
		p := dir + "/" + strings.Repeat("x", i%7+1) + string(rune('a'+i%26))
		os.Remove(p)
		if err := c.copyChecked(e.Outputs[0], p); err != nil {
			b.Fatal(err)
		}
	}
}

func benchEntry(b *testing.B) (*Cache, Key, *Entry) {
	c, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 64<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	h := NewHash("bench")
	k := h.Key()
	e, err := c.PutBytes(k, map[string][]byte{"x": data})
	if err != nil {
		b.Fatal(err)
	}
	return c, k, e
}
