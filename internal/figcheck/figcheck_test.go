package figcheck

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/ffchar/ffchar/figures"
)

// crowded is a figure whose eight category labels share a 2 in axis:
// side by side they overprint each other (beyond's figure 5 before its
// labels were turned upright); upright, they do not.
func crowded(upright bool) *figures.Figure {
	p := plot.New()
	var ticks plot.ConstantTicks
	for i, l := range []string{"base", "epochs=2", "epochs=8", "peer_weight=0", "readout=all", "recipe=pezeshki", "schedule=greedy", "source=fashion-mnist"} {
		ticks = append(ticks, plot.Tick{Value: float64(i), Label: l})
	}
	p.X.Tick.Marker = ticks
	p.X.Min, p.X.Max = -0.5, 7.5
	if upright {
		p.X.Tick.Label.Rotation = math.Pi / 2
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
	}
	return &figures.Figure{Panels: [][]*plot.Plot{{p}}, Width: 2.5 * vg.Inch, Height: 3 * vg.Inch}
}

func TestOverlaps(t *testing.T) {
	errs := Check(crowded(false))
	if len(errs) == 0 {
		t.Fatal("crowded labels: no overlap found")
	}
	if !strings.Contains(errs[0].Error(), "texts overlap") {
		t.Errorf("first error %v, want an overlap", errs[0])
	}
	if errs := Check(crowded(true)); len(errs) > 0 {
		t.Errorf("upright labels: %v", errs)
	}
}

// An upright label's box is tall and narrow, below the axis, inside the
// figure.
func TestRotatedBox(t *testing.T) {
	f := crowded(true)
	for _, tx := range Texts(f) {
		if tx.Text != "source=fashion-mnist" {
			continue
		}
		w, h := tx.Box.Max.X-tx.Box.Min.X, tx.Box.Max.Y-tx.Box.Min.Y
		if !(h > 3*w) || tx.Box.Min.Y < 0 {
			t.Errorf("upright label box %v: want tall, narrow and inside", tx)
		}
		return
	}
	t.Error("label not drawn")
}

func TestHeight(t *testing.T) {
	f := crowded(true)
	f.Height = figures.MaxHeight * 1.5
	if errs := Check(f); len(errs) == 0 || !strings.Contains(errs[0].Error(), "px tall") {
		t.Errorf("a figure 1.5 pages tall: %v", errs)
	}
}
