package analysis

import "math"

// Difference is the difference of two means, a − b, with Welch's
// confidence interval (unequal variances, Welch–Satterthwaite degrees of
// freedom), as R's t.test(a, b) computes it.
type Difference struct {
	Diff   float64 // mean(a) − mean(b); NaN when either side has no value
	Lo, Hi float64 // the interval; ±Inf when either side has fewer than 2 values
	DF     float64 // Welch–Satterthwaite degrees of freedom
	P      float64 // two-sided p-value of diff = 0; NaN without an interval
	NA, NB int     // values used on each side (NaN left out)
}

// WelchDiff returns mean(a) − mean(b) with its Welch interval at the
// given confidence (DefaultConfidence when outside (0, 1)). NaN values
// are left out.
func WelchDiff(a, b []float64, confidence float64) Difference {
	confidence = checkConfidence(confidence)
	sa, sb := MeanCI(a, confidence), MeanCI(b, confidence) // NaN left out, as here
	d := Difference{Diff: math.NaN(), Lo: math.Inf(-1), Hi: math.Inf(1), DF: math.NaN(), P: math.NaN(), NA: sa.N, NB: sb.N}
	if sa.N == 0 || sb.N == 0 {
		return d
	}
	d.Diff = sa.Mean - sb.Mean
	if sa.N < 2 || sb.N < 2 {
		return d
	}
	va, vb := sa.SD*sa.SD/float64(sa.N), sb.SD*sb.SD/float64(sb.N)
	se := math.Sqrt(va + vb)
	if se == 0 {
		d.Lo, d.Hi, d.P = d.Diff, d.Diff, 1
		if d.Diff != 0 {
			d.P = 0
		}
		return d
	}
	d.DF = (va + vb) * (va + vb) / (va*va/float64(sa.N-1) + vb*vb/float64(sb.N-1))
	half := TQuantile(0.5+confidence/2, d.DF) * se
	d.Lo, d.Hi = d.Diff-half, d.Diff+half
	d.P = TTwoSided(d.Diff/se, d.DF)
	return d
}
