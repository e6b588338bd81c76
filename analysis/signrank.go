package analysis

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// ExactSignedRankMax is the largest number of non-zero differences for
// which SignedRankTest computes exact p-values (when there are no ties
// and no zeros), as R's wilcox.test does below 50.
const ExactSignedRankMax = 49

// SignedRank is the result of a Wilcoxon signed-rank test of the
// differences d against a location of 0.
type SignedRank struct {
	N     int // non-zero, non-NaN differences ranked
	Zeros int // zero differences left out (Wilcoxon's convention)
	// V is the sum of the ranks of the positive differences, ranks of
	// |d| with ties sharing their mean rank.
	V float64
	// Exact reports whether the p-values come from the exact null
	// distribution of V; otherwise from the normal approximation with tie
	// correction and a continuity correction of 0.5.
	Exact bool
	// P is two-sided; PGreater tests the alternative that d tends to be
	// positive, PLess that it tends to be negative. NaN when N = 0.
	P, PGreater, PLess float64
	Warnings           []error
}

// SignedRankTest runs the Wilcoxon signed-rank test on d (paired
// differences). NaN values and zeros are left out. The p-values are
// exact when 1 ≤ N ≤ ExactSignedRankMax with no ties among |d| and no
// zeros; otherwise they use the normal approximation with variance
// N(N+1)(2N+1)/24 - Σ(t³-t)/48 over tie groups of size t.
func SignedRankTest(d []float64) SignedRank {
	var s SignedRank
	var abs []float64
	var pos []bool
	missing := 0
	for _, v := range d {
		switch {
		case math.IsNaN(v):
			missing++
		case v == 0:
			s.Zeros++
		default:
			abs = append(abs, math.Abs(v))
			pos = append(pos, v > 0)
		}
	}
	s.N = len(abs)
	if missing > 0 {
		s.Warnings = append(s.Warnings, warnf(ErrMissing, "%d of %d differences", missing, len(d)))
	}
	if s.N == 0 {
		s.P, s.PGreater, s.PLess = math.NaN(), math.NaN(), math.NaN()
		s.Warnings = append(s.Warnings, warnf(ErrTooFewPoints, "signed-rank test with no non-zero differences"))
		return s
	}
	ranks := Ranks(abs)
	for i, r := range ranks {
		if pos[i] {
			s.V += r
		}
	}
	ties := tieTerm(abs)
	n := float64(s.N)
	if s.N <= ExactSignedRankMax && ties == 0 && s.Zeros == 0 {
		s.Exact = true
		dist := signedRankCounts(s.N)
		total := math.Ldexp(1, s.N)
		v := int(math.Round(s.V))
		var le, ge float64
		for k, c := range dist {
			if k <= v {
				le += c
			}
			if k >= v {
				ge += c
			}
		}
		s.PLess, s.PGreater = le/total, ge/total
		s.P = min(1, 2*min(s.PLess, s.PGreater))
		return s
	}
	mean := n * (n + 1) / 4
	sd := math.Sqrt(n*(n+1)*(2*n+1)/24 - ties/48)
	z := s.V - mean
	norm := distuv.UnitNormal
	s.PGreater = norm.Survival((z - 0.5) / sd)
	s.PLess = norm.CDF((z + 0.5) / sd)
	c := 0.0
	if z > 0 {
		c = 0.5
	} else if z < 0 {
		c = -0.5
	}
	zc := (z - c) / sd
	s.P = min(1, 2*min(norm.CDF(zc), norm.Survival(zc)))
	return s
}

// tieTerm returns Σ(t³-t) over groups of equal values in x.
func tieTerm(x []float64) float64 {
	counts := make(map[float64]int, len(x))
	for _, v := range x {
		counts[v]++
	}
	var sum float64
	for _, t := range counts {
		ft := float64(t)
		sum += ft*ft*ft - ft
	}
	return sum
}

// signedRankCounts returns, for each k in 0..n(n+1)/2, the number of
// subsets of {1..n} whose sum is k: the null distribution of V times 2^n.
// float64 holds the counts exactly for n ≤ 52.
func signedRankCounts(n int) []float64 {
	top := n * (n + 1) / 2
	c := make([]float64, top+1)
	c[0] = 1
	for r := 1; r <= n; r++ {
		for k := r * (r + 1) / 2; k >= r; k-- {
			c[k] += c[k-r]
		}
	}
	return c
}
