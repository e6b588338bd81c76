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
//
// A bar from New counts equal units, reported with Update. A bar from
// NewWeighted tracks named units of unequal size, reported with Advance,
// Finish and Skip: its fill and ETA follow the share of the weight done,
// so that one long unit among many short ones does not make the ETA the
// time elapsed.
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

	// Weighted bars only.
	weights  map[string]float64
	sum      float64            // of all weights
	finished map[string]bool    // finished or skipped units
	partial  map[string]float64 // fraction done of running units
	done     int                // units finished or skipped
	doneW    float64            // weight of finished units
	skipW    float64            // weight of skipped units
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

// NewWeighted returns a bar for the units of work named in weights,
// each weighing its value there (e.g. its estimated arithmetic), labelled
// label, drawing on w; tty selects the in-place bar. Weights must be
// positive.
func NewWeighted(w io.Writer, tty bool, label string, weights map[string]float64) *Bar {
	b := New(w, tty, label, len(weights))
	b.weights = weights
	b.finished = make(map[string]bool, len(weights))
	b.partial = make(map[string]float64)
	for _, v := range weights {
		b.sum += v
	}
	return b
}

// Update reports done units finished, with a short note (e.g.
// throughput), on a bar from New.
func (b *Bar) Update(done int, note string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.draw(done, note)
}

// Advance reports that unit id, running, is frac done (0 to 1), with a
// note.
func (b *Bar) Advance(id string, frac float64, note string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.weights[id]; ok && !b.finished[id] {
		b.partial[id] = min(max(frac, 0), 1)
	}
	b.draw(b.done, note)
}

// Finish reports that unit id is done, with a note.
func (b *Bar) Finish(id string, note string) { b.end(id, false, note) }

// Skip reports that unit id needed no work (e.g. its result was cached):
// it counts as done, and its weight leaves the ETA, which is the time the
// remaining weight takes at the rate of the weight worked on so far.
func (b *Bar) Skip(id string, note string) { b.end(id, true, note) }

func (b *Bar) end(id string, skip bool, note string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if w, ok := b.weights[id]; ok && !b.finished[id] {
		b.finished[id] = true
		delete(b.partial, id)
		b.done++
		if skip {
			b.skipW += w
		} else {
			b.doneW += w
		}
	}
	b.draw(b.done, note)
}

// fractions returns the share of the work done, shown by the fill, and
// the share of the work to do that was done, which the ETA is drawn from.
func (b *Bar) fractions(done int) (fill, worked float64) {
	if b.weights == nil {
		if b.total > 0 {
			fill = float64(done) / float64(b.total)
		}
		return fill, fill
	}
	w := b.doneW
	for id, f := range b.partial {
		w += f * b.weights[id]
	}
	if b.sum > 0 {
		fill = (w + b.skipW) / b.sum
	}
	worked = 1
	if work := b.sum - b.skipW; work > 0 {
		worked = min(w/work, 1)
	}
	return fill, worked
}

func (b *Bar) draw(done int, note string) {
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
	frac, worked := b.fractions(done)
	eta := "?"
	switch {
	case done >= b.total || worked >= 1:
		eta = "0s"
	case worked > 0:
		eta = fmtDuration(time.Duration(float64(el) * (1 - worked) / worked))
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
