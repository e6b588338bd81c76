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
