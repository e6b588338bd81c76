package analysis

import (
	"math"
	"testing"
)

// TestWelchDiffSleep checks WelchDiff against R's t.test on the sleep data
// (Student 1908; R's datasets::sleep), extra hours of sleep under two
// drugs: t.test(extra ~ group, data = sleep) gives t = -1.8608,
// df = 17.776, p-value = 0.07939, 95 percent CI -3.3654832 0.2054832,
// means 0.75 and 2.33.
func TestWelchDiffSleep(t *testing.T) {
	g1 := []float64{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0}
	g2 := []float64{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4}
	d := WelchDiff(append(g1, math.NaN()), g2, 0.95)
	for _, c := range []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"diff", d.Diff, 0.75 - 2.33, 1e-12},
		{"df", d.DF, 17.776, 5e-4},
		{"p", d.P, 0.07939, 5e-6},
		{"lo", d.Lo, -3.3654832, 5e-7},
		{"hi", d.Hi, 0.2054832, 5e-7},
	} {
		if math.Abs(c.got-c.want) > c.tol {
			t.Errorf("%s = %.8g, want %.8g (±%g)", c.name, c.got, c.want, c.tol)
		}
	}
	if d.NA != 10 || d.NB != 10 {
		t.Errorf("n = %d, %d; want 10, 10 (the NaN left out)", d.NA, d.NB)
	}
	if d := WelchDiff([]float64{1}, g2, 0.95); !math.IsInf(d.Lo, -1) || !math.IsNaN(d.P) || d.Diff != 1-2.33 {
		t.Errorf("one value on a side: %+v, want the difference without an interval", d)
	}
}
