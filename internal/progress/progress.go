// Package progress draws progress with an ETA for long-running work: a bar
// redrawn in place on a terminal, plain log lines at most every few seconds
// otherwise (a log file or CI output should not fill up with bars).
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// Bar reports progress of a countable piece of work. It is safe for
// concurrent use.
type Bar struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	label    string
	total    int
	start    time.Time
	last     time.Time
	interval time.Duration
	now      func() time.Time
	drawn    bool
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// New returns a bar for total units of work labelled label, drawing on w;
// tty selects the in-place bar.
func New(w io.Writer, tty bool, label string, total int) *Bar {
	b := &Bar{w: w, tty: tty, label: label, total: total, now: time.Now, interval: 10 * time.Second}
	if tty {
		b.interval = 100 * time.Millisecond
	}
	b.start = b.now()
	b.last = b.start
	return b
}

// Update reports done units finished, with a short note (e.g. throughput).
func (b *Bar) Update(done int, note string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if now.Sub(b.last) < b.interval && done < b.total {
		return
	}
	b.last = now
	line := b.format(done, note, now)
	if b.tty {
		fmt.Fprintf(b.w, "\r\x1b[K%s", line)
		b.drawn = true
	} else {
		fmt.Fprintln(b.w, line)
	}
}

// Clear removes a drawn bar so that ordinary lines can follow.
func (b *Bar) Clear() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tty && b.drawn {
		fmt.Fprint(b.w, "\r\x1b[K")
		b.drawn = false
	}
}

func (b *Bar) format(done int, note string, now time.Time) string {
	el := now.Sub(b.start)
	frac := 0.0
	if b.total > 0 {
		frac = float64(done) / float64(b.total)
	}
	eta := "?"
	if done > 0 && done < b.total {
		eta = fmtDuration(time.Duration(float64(el) * (1 - frac) / frac))
	} else if done >= b.total {
		eta = "0s"
	}
	s := fmt.Sprintf("%s %d/%d", b.label, done, b.total)
	if b.tty {
		const width = 24
		n := int(frac * width)
		s = fmt.Sprintf("%s [%s%s] %d/%d", b.label, strings.Repeat("#", n), strings.Repeat(".", width-n), done, b.total)
	}
	s += fmt.Sprintf(" elapsed %s ETA %s", fmtDuration(el), eta)
	if note != "" {
		s += " " + note
	}
	return s
}

func fmtDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}
