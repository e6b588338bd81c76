package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// fakeClock advances by step on every reading.
func fakeClock(step time.Duration) func() time.Time {
	t := time.Unix(0, 0)
	return func() time.Time { t = t.Add(step); return t }
}

func TestPlainLinesAreThrottled(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, false, "train", 100)
	b.now = fakeClock(time.Second)
	b.start, b.last = time.Unix(0, 0), time.Unix(0, 0)
	for i := 1; i <= 100; i++ {
		b.Update(i, "")
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	// One line per 10 s of (fake) time; the last one is also the final one.
	if len(lines) != 10 {
		t.Fatalf("%d lines, want 10:\n%s", len(lines), buf.String())
	}
	if want := "train 10/100 elapsed 10.0s ETA 1m30s"; lines[0] != want {
		t.Errorf("first line %q, want %q", lines[0], want)
	}
	if !strings.HasPrefix(lines[9], "train 100/100") || strings.Contains(buf.String(), "\r") {
		t.Errorf("last line %q; plain output must not contain carriage returns", lines[9])
	}
}

func TestTerminalBarRedraws(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, true, "epoch 1/5", 4)
	b.now = fakeClock(time.Second)
	b.start, b.last = time.Unix(0, 0), time.Unix(0, 0)
	b.Update(2, "1000 samples/s")
	want := "\r\x1b[Kepoch 1/5 [############............] 2/4 elapsed 1.0s ETA 1.0s 1000 samples/s"
	if buf.String() != want {
		t.Errorf("got %q\nwant %q", buf.String(), want)
	}
	b.Clear()
	if !strings.HasSuffix(buf.String(), "\r\x1b[K") {
		t.Errorf("Clear did not erase the bar: %q", buf.String())
	}
}

// TestWeightedETA: the ETA of a weighted bar follows the weight done, not
// the units counted, includes the partial progress of a running unit, and
// leaves skipped (cached) units out of the rate. The clock is set by hand;
// expected ETAs are elapsed × (1 − done)/done with done the share of the
// weight to work on.
func TestWeightedETA(t *testing.T) {
	for _, c := range []struct {
		name    string
		weights map[string]float64
		steps   func(b *Bar, at func(time.Duration))
		want    string
	}{
		{"one long unit among short ones",
			map[string]float64{"prep": 1, "train": 98, "eval": 1},
			func(b *Bar, at func(time.Duration)) {
				at(time.Second)
				b.Finish("prep", "")
				at(20 * time.Second)
				b.Finish("train", "")
			},
			// 99 of 100 done in 20 s: 1 more takes 20/99 s. Counting
			// units, 2 of 3 done would say 10 s.
			"jobs [#######################.] 2/3 elapsed 20.0s ETA 0.2s"},
		{"a running unit's share counts",
			map[string]float64{"prep": 1, "train": 98, "eval": 1},
			func(b *Bar, at func(time.Duration)) {
				at(time.Second)
				b.Finish("prep", "")
				at(10 * time.Second)
				b.Advance("train", 0.5, "epoch 2/4")
			},
			// 50 of 100 done in 10 s.
			"jobs [############............] 1/3 elapsed 10.0s ETA 10.0s epoch 2/4"},
		{"skipped units leave the rate",
			map[string]float64{"a": 3, "b": 1},
			func(b *Bar, at func(time.Duration)) {
				b.Skip("a", "")
				at(10 * time.Second)
				b.Advance("b", 0.5, "")
			},
			// Half of the one unit worked on took 10 s; the skipped
			// three quarters fill the bar but took no time.
			"jobs [#####################...] 1/2 elapsed 10.0s ETA 10.0s"},
		{"all done",
			map[string]float64{"a": 3, "b": 1},
			func(b *Bar, at func(time.Duration)) {
				b.Skip("a", "")
				at(4 * time.Second)
				b.Finish("b", "")
			},
			"jobs [########################] 2/2 elapsed 4.0s ETA 0s"},
	} {
		var buf bytes.Buffer
		b := NewWeighted(&buf, true, "jobs", c.weights)
		clock := time.Unix(0, 0)
		b.now = func() time.Time { return clock }
		b.start, b.last = clock, clock
		c.steps(b, func(d time.Duration) { clock = time.Unix(0, 0).Add(d) })
		draws := strings.Split(buf.String(), "\r\x1b[K")
		if got := draws[len(draws)-1]; got != c.want {
			t.Errorf("%s: last drawn %q\nwant %q", c.name, got, c.want)
		}
	}
}
