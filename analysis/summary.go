package analysis

import (
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// DefaultConfidence is the confidence level used when none is given.
const DefaultConfidence = 0.95

// Summary is a mean with its t-distribution confidence interval.
type Summary struct {
	Mean float64 // NaN when N is 0 (with a warning)
	SD   float64 // sample standard deviation (n-1); NaN when N < 2
	N    int     // values used
	// Missing counts NaN values left out.
	Missing int
	// Lo and Hi bound the confidence interval Mean ± t(N-1) SD/√N; they
	// are -Inf and +Inf when N < 2.
	Lo, Hi     float64
	Confidence float64
	// P is the two-sided p-value of the one-sample t-test of mean = 0;
	// NaN when N < 2.
	P        float64
	Warnings []error
}

// MeanCI summarises x by its mean and a confidence interval from the t
// distribution with len(x)-1 degrees of freedom. NaN values are left out
// and counted. A confidence outside (0, 1) means DefaultConfidence.
func MeanCI(x []float64, confidence float64) Summary {
	confidence = checkConfidence(confidence)
	vals := make([]float64, 0, len(x))
	for _, v := range x {
		if !math.IsNaN(v) {
			vals = append(vals, v)
		}
	}
	s := Summary{N: len(vals), Missing: len(x) - len(vals), Confidence: confidence,
		Mean: math.NaN(), SD: math.NaN(), P: math.NaN(), Lo: math.Inf(-1), Hi: math.Inf(1)}
	switch s.N {
	case 0:
		s.Warnings = append(s.Warnings, warnf(ErrTooFewSeeds, "no values"))
		return s
	case 1:
		s.Mean = vals[0]
		s.Warnings = append(s.Warnings, warnf(ErrTooFewSeeds, "need at least 2 values, have 1"))
		return s
	}
	s.Mean, s.SD = stat.MeanStdDev(vals, nil)
	half := TQuantile(0.5+confidence/2, float64(s.N-1)) * s.SD / math.Sqrt(float64(s.N))
	if s.SD == 0 {
		half = 0
	}
	s.Lo, s.Hi = s.Mean-half, s.Mean+half
	s.P = s.PValue(0)
	if s.SD == 0 {
		s.Warnings = append(s.Warnings, warnf(ErrZeroVariance, "all %d values equal %g", s.N, s.Mean))
	}
	return s
}

// PValue returns the two-sided p-value of the one-sample t-test of
// mean = mu, NaN when N < 2. With zero variance it is 0, or 1 when the mean
// equals mu.
func (s Summary) PValue(mu float64) float64 {
	if s.N < 2 || math.IsNaN(s.Mean) {
		return math.NaN()
	}
	d := s.Mean - mu
	if s.SD == 0 {
		if d == 0 {
			return 1
		}
		return 0
	}
	t := d / (s.SD / math.Sqrt(float64(s.N)))
	return TTwoSided(t, float64(s.N-1))
}

// PGreater returns the one-sided p-value of the one-sample t-test of
// mean ≤ mu against mean > mu, NaN when N < 2. With zero variance it is 0
// when the mean exceeds mu and 1 otherwise.
func (s Summary) PGreater(mu float64) float64 {
	if s.N < 2 || math.IsNaN(s.Mean) {
		return math.NaN()
	}
	d := s.Mean - mu
	if s.SD == 0 {
		if d > 0 {
			return 0
		}
		return 1
	}
	t := d / (s.SD / math.Sqrt(float64(s.N)))
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(s.N - 1)}.Survival(t)
}

// PLess returns the one-sided p-value of the test of mean ≥ mu against
// mean < mu (see PGreater).
func (s Summary) PLess(mu float64) float64 {
	r := s
	r.Mean = -s.Mean
	return r.PGreater(-mu)
}

// TQuantile returns the p quantile of Student's t distribution with df
// degrees of freedom.
func TQuantile(p, df float64) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(p)
}

// TTwoSided returns the two-sided p-value of t under Student's t
// distribution with df degrees of freedom: P(|T| ≥ |t|).
func TTwoSided(t, df float64) float64 {
	if math.IsInf(t, 0) {
		return 0
	}
	return 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(math.Abs(t))
}

// NormalQuantile returns the p quantile of the standard normal
// distribution.
func NormalQuantile(p float64) float64 {
	return distuv.UnitNormal.Quantile(p)
}

func checkConfidence(c float64) float64 {
	if !(c > 0 && c < 1) {
		return DefaultConfidence
	}
	return c
}
