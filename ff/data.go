package ff

import "fmt"

// Data is a labelled set of samples. X holds N rows of Features values,
// row-major; the first NumClasses values of every row are overwritten by the
// label encoding, so they should hold image content that may be discarded
// (MNIST's top-left pixels are always 0).
type Data struct {
	X        []float32
	Labels   []uint8
	N        int
	Features int
}

// Check reports a shape or label problem.
func (d *Data) Check() error {
	switch {
	case d.N < 1:
		return fmt.Errorf("data has %d samples", d.N)
	case d.Features <= NumClasses:
		return fmt.Errorf("data has %d features; need more than the %d label features", d.Features, NumClasses)
	case len(d.X) != d.N*d.Features:
		return fmt.Errorf("data has %d values for %d×%d samples", len(d.X), d.N, d.Features)
	case len(d.Labels) != d.N:
		return fmt.Errorf("data has %d labels for %d samples", len(d.Labels), d.N)
	}
	for i, l := range d.Labels {
		if int(l) >= NumClasses {
			return fmt.Errorf("sample %d has label %d, want 0..%d", i, l, NumClasses-1)
		}
	}
	return nil
}

// Row returns sample i's features.
func (d *Data) Row(i int) []float32 { return d.X[i*d.Features : (i+1)*d.Features] }

// Slice returns samples [lo, hi) sharing memory with d.
func (d *Data) Slice(lo, hi int) *Data {
	return &Data{X: d.X[lo*d.Features : hi*d.Features], Labels: d.Labels[lo:hi], N: hi - lo, Features: d.Features}
}

// Head returns the first n samples of d (all of them when n ≥ d.N),
// sharing d's storage.
func (d *Data) Head(n int) *Data {
	n = min(n, d.N)
	return &Data{X: d.X[:n*d.Features], Labels: d.Labels[:n], N: n, Features: d.Features}
}
