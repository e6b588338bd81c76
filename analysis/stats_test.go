package analysis

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// Anscombe's quartet, set I (Anscombe 1973, "Graphs in statistical
// analysis"; R datasets::anscombe x1, y1).
var (
	anscombeX = []float64{10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5}
	anscombeY = []float64{8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68}
)

func near(got, want, tol float64) bool {
	if math.IsInf(want, 0) || math.IsNaN(want) {
		return got == want || (math.IsNaN(got) && math.IsNaN(want))
	}
	return math.Abs(got-want) <= tol
}

func hasWarning(ws []error, kind error) bool {
	for _, w := range ws {
		if errors.Is(w, kind) {
			return true
		}
	}
	return false
}

func TestTQuantile(t *testing.T) {
	// Closed forms: ν=1 is Cauchy, t = tan(π(p-½)); ν=2, t = (2p-1)/√(2p(1-p));
	// ν=4, t = 2√(q-1) with q = cos(arccos(√α)/3)/√α, α = 4p(1-p)
	// (Shaw 2006, "Sampling Student's T distribution"). ν=10 and ν=30 from
	// printed tables (e.g. NIST/SEMATECH e-Handbook 1.4.2.3.2), 6 decimals.
	a := 4 * 0.975 * 0.025
	q4 := math.Cos(math.Acos(math.Sqrt(a))/3) / math.Sqrt(a)
	tests := []struct {
		p, df, want, tol float64
		origin           string
	}{
		{0.975, 1, math.Tan(math.Pi * 0.475), 1e-9, "closed form"},
		{0.95, 1, math.Tan(math.Pi * 0.45), 1e-9, "closed form"},
		{0.975, 2, 0.95 / math.Sqrt(2*0.975*0.025), 1e-9, "closed form"},
		{0.025, 2, -0.95 / math.Sqrt(2*0.975*0.025), 1e-9, "closed form"},
		{0.975, 4, 2 * math.Sqrt(q4-1), 1e-9, "closed form"},
		{0.975, 10, 2.228139, 1e-6, "table"},
		{0.975, 30, 2.042272, 1e-6, "table"},
		{0.995, 30, 2.749996, 1e-6, "table"},
	}
	for _, tt := range tests {
		if got := TQuantile(tt.p, tt.df); !near(got, tt.want, tt.tol) {
			t.Errorf("TQuantile(%g, %g) = %.12g, want %.12g ± %g (%s)", tt.p, tt.df, got, tt.want, tt.tol, tt.origin)
		}
	}
	// 1.959964 from any normal table.
	if got := NormalQuantile(0.975); !near(got, 1.959964, 1e-6) {
		t.Errorf("NormalQuantile(0.975) = %v, want 1.959964", got)
	}
}

func TestTTwoSided(t *testing.T) {
	// ν=1: P(|T| ≥ t) = 1 - 2·atan(t)/π (Cauchy). ν=2: 1 - t/√(2+t²).
	// ν=9 at the Anscombe t = 4.2414552888928325: 0.0021696288730785884 from
	// the closed form for odd ν (Abramowitz & Stegun 26.7.3) in
	// testdata/reference.py; R's summary(lm(y1 ~ x1, anscombe)) prints 0.00217.
	tests := []struct{ t, df, want, tol float64 }{
		{1, 1, 0.5, 1e-12},
		{3, 1, 1 - 2*math.Atan(3)/math.Pi, 1e-12},
		{2, 2, 1 - 2/math.Sqrt(6), 1e-12},
		{-2, 2, 1 - 2/math.Sqrt(6), 1e-12},
		{4.2414552888928325, 9, 0.0021696288730785884, 1e-12},
		{0, 5, 1, 0},
		{math.Inf(1), 5, 0, 0},
	}
	for _, tt := range tests {
		if got := TTwoSided(tt.t, tt.df); !near(got, tt.want, tt.tol) {
			t.Errorf("TTwoSided(%g, %g) = %.15g, want %.15g ± %g", tt.t, tt.df, got, tt.want, tt.tol)
		}
	}
}

func TestPearson(t *testing.T) {
	// Anscombe I: r = 0.8164205163448399 (exact rational sums, then one
	// square root, testdata/reference.py; published as 0.816); p and the
	// Fisher interval tanh(atanh(r) ± 1.959964/√8) from the same script.
	c := Pearson(anscombeX, anscombeY, 0.95)
	const tol = 1e-12
	if !near(c.R, 0.8164205163448399, tol) || c.N != 11 {
		t.Errorf("r = %.16g (n %d), want 0.8164205163448399 (n 11)", c.R, c.N)
	}
	if !near(c.P, 0.0021696288730785884, 1e-10) {
		t.Errorf("p = %.16g, want 0.0021696288730785884", c.P)
	}
	if !near(c.Lo, 0.42439121339321634, 1e-9) || !near(c.Hi, 0.9506932537865606, 1e-9) {
		t.Errorf("CI = [%.16g, %.16g], want [0.42439121339321634, 0.9506932537865606]", c.Lo, c.Hi)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("warnings %v", c.Warnings)
	}

	// Exact linear relations: r = ±1 by definition.
	x := []float64{0.1, 0.3, 0.2, 0.6, 0.9}
	pos, neg := make([]float64, len(x)), make([]float64, len(x))
	for i, v := range x {
		pos[i] = 0.7*v + 0.2
		neg[i] = -3*v + 1
	}
	if c := Pearson(x, pos, 0.95); !near(c.R, 1, 1e-12) || c.P != 0 {
		t.Errorf("Pearson(x, 0.7x+0.2) = %v (p %v), want 1 (p 0)", c.R, c.P)
	}
	if c := Pearson(x, neg, 0.95); !near(c.R, -1, 1e-12) {
		t.Errorf("Pearson(x, 1-3x) = %v, want -1", c.R)
	}
}

func TestSpearman(t *testing.T) {
	tests := []struct {
		x, y   []float64
		want   float64
		origin string
	}{
		// No ties: 1 - 6Σd²/(n(n²-1)) = 1 - 6·4/120.
		{[]float64{1, 2, 3, 4, 5}, []float64{2, 1, 4, 3, 5}, 0.8, "1-6Σd²/(n(n²-1))"},
		// Same ranks from other values: monotone transforms do not matter.
		{[]float64{10, 20, 30, 40, 50}, []float64{0.2, 0.1, 9, 3, 100}, 0.8, "1-6Σd²/(n(n²-1))"},
		// Ties: x ranks 1, 2.5, 2.5, 4; y ranks 1, 3, 2, 4; Pearson of ranks
		// by hand = 4.5/√(4.5·5) = 3/√10.
		{[]float64{1, 2, 2, 3}, []float64{1, 3, 2, 4}, 3 / math.Sqrt(10), "by hand"},
		// Monotone decreasing: -1.
		{[]float64{1, 2, 3, 4}, []float64{9, 8, 1, 0}, -1, "definition"},
	}
	for _, tt := range tests {
		if c := Spearman(tt.x, tt.y, 0.95); !near(c.R, tt.want, 1e-12) {
			t.Errorf("Spearman(%v, %v) = %.15g, want %.15g (%s)", tt.x, tt.y, c.R, tt.want, tt.origin)
		}
	}
	// Fisher interval with Fieller's variance 1.06/(n-3): closed form.
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	y := []float64{2, 1, 4, 3, 6, 5, 8, 7}
	c := Spearman(x, y, 0.95)
	r := 1 - 6*8.0/(8*63) // Σd² = 8
	h := 1.959963984540054 * math.Sqrt(1.06/5)
	if !near(c.R, r, 1e-12) || !near(c.Lo, math.Tanh(math.Atanh(r)-h), 1e-9) || !near(c.Hi, math.Tanh(math.Atanh(r)+h), 1e-9) {
		t.Errorf("Spearman = %v [%v, %v], want %v [%v, %v]", c.R, c.Lo, c.Hi, r, math.Tanh(math.Atanh(r)-h), math.Tanh(math.Atanh(r)+h))
	}
}

func TestRanks(t *testing.T) {
	got := Ranks([]float64{3, 1, 4, 1, 5, 9, 2, 6, 5})
	want := []float64{4, 1.5, 5, 1.5, 6.5, 9, 3, 8, 6.5} // by hand
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Ranks = %v, want %v", got, want)
		}
	}
}

func TestCorrelationUndefined(t *testing.T) {
	tests := []struct {
		name string
		x, y []float64
		kind error
	}{
		{"constant x", []float64{0.5, 0.5, 0.5, 0.5}, []float64{1, 2, 3, 4}, ErrConstant},
		{"constant y", []float64{1, 2, 3, 4}, []float64{7, 7, 7, 7}, ErrConstant},
		{"two points", []float64{1, 2}, []float64{3, 5}, ErrTooFewPoints},
		{"NaN leaves two", []float64{1, 2, math.NaN()}, []float64{3, 5, 6}, ErrTooFewPoints},
	}
	for _, tt := range tests {
		for _, c := range []Correlation{Pearson(tt.x, tt.y, 0.95), Spearman(tt.x, tt.y, 0.95)} {
			if c.Defined() || !hasWarning(c.Warnings, tt.kind) || c.Lo != -1 || c.Hi != 1 {
				t.Errorf("%s: got r %v [%v, %v] warnings %v, want undefined with %v", tt.name, c.R, c.Lo, c.Hi, c.Warnings, tt.kind)
			}
		}
	}
	// NaN pairs are left out with a warning, not propagated.
	c := Pearson([]float64{1, 2, math.NaN(), 3, 4}, []float64{2, 4, 1, 6, 8}, 0.95)
	if !near(c.R, 1, 1e-12) || c.N != 4 || !hasWarning(c.Warnings, ErrMissing) {
		t.Errorf("with a NaN pair: r %v n %d warnings %v, want 1, 4, ErrMissing", c.R, c.N, c.Warnings)
	}
}

func TestMeanCI(t *testing.T) {
	// x = 1..5: mean 3, sd √2.5; CI 3 ± t(0.975, 4)·√2.5/√5 = 3 ± 2.776445·0.7071068
	// (t from the ν=4 closed form in TestTQuantile); p of mean = 0:
	// t = 3/√0.5 = 4.2426, two-sided p = 1 - P(|T| < t), with the closed form
	// for ν=4 (Abramowitz & Stegun 26.7.3): P(|T|<t) = sinθ(1 + ½cos²θ),
	// θ = atan(t/2), i.e. (t/√(4+t²))·(1 + 2/(4+t²)).
	s := MeanCI([]float64{1, 2, 3, 4, 5}, 0.95)
	a := 4 * 0.975 * 0.025
	q := 2 * math.Sqrt(math.Cos(math.Acos(math.Sqrt(a))/3)/math.Sqrt(a)-1)
	half := q * math.Sqrt(2.5) / math.Sqrt(5)
	tt := 3 / math.Sqrt(0.5)
	p := 1 - tt/math.Sqrt(4+tt*tt)*(1+2/(4+tt*tt))
	if !near(s.Mean, 3, 1e-12) || !near(s.SD, math.Sqrt(2.5), 1e-12) || !near(s.Lo, 3-half, 1e-9) || !near(s.Hi, 3+half, 1e-9) || !near(s.P, p, 1e-9) || s.N != 5 {
		t.Errorf("MeanCI(1..5) = %+v, want mean 3, CI [%v, %v], p %v", s, 3-half, 3+half, p)
	}
	if len(s.Warnings) != 0 {
		t.Errorf("warnings %v", s.Warnings)
	}

	// Too few values: no interval, a warning, no NaN bounds.
	s = MeanCI([]float64{0.7, math.NaN()}, 0.95)
	if s.Mean != 0.7 || s.N != 1 || s.Missing != 1 || !math.IsInf(s.Lo, -1) || !math.IsInf(s.Hi, 1) || !hasWarning(s.Warnings, ErrTooFewSeeds) {
		t.Errorf("MeanCI(one value) = %+v, want mean 0.7, CI ±Inf and ErrTooFewSeeds", s)
	}
	s = MeanCI(nil, 0.95)
	if !hasWarning(s.Warnings, ErrTooFewSeeds) {
		t.Errorf("MeanCI(nil) = %+v, want ErrTooFewSeeds", s)
	}
	// Equal values: a zero-width interval with a warning.
	s = MeanCI([]float64{2, 2, 2}, 0.95)
	if s.Lo != 2 || s.Hi != 2 || s.P != 0 || !hasWarning(s.Warnings, ErrZeroVariance) {
		t.Errorf("MeanCI(2,2,2) = %+v, want CI [2, 2], p 0, ErrZeroVariance", s)
	}
}

type signRankCase struct {
	name               string
	d                  []float64
	v                  float64
	n, zeros           int
	exact              bool
	p, pGreater, pLess float64
	tol                float64
}

func TestSignedRank(t *testing.T) {
	// Hollander & Wolfe (1973, p. 29), Hamilton depression scale, as in the
	// examples of R's ?wilcox.test: wilcox.test(x, y, paired = TRUE,
	// alternative = "greater") gives V = 40, p-value = 0.01953. Exactly:
	// P(V ≥ 40) = #{subsets of 1..9 with sum ≤ 5}/2⁹ = 10/512, and
	// P(V ≤ 40) = 1 - #{sum ≤ 4}/2⁹ = 1 - 7/512.
	x := []float64{1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30}
	y := []float64{0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29}
	d := make([]float64, len(x))
	for i := range x {
		d[i] = x[i] - y[i]
	}
	// The tie-free normal-approximation case is the ties example computed
	// by testdata/reference.py (mid-ranks by hand, then erfc).
	tests := []signRankCase{
		{"Hollander-Wolfe", d, 40, 9, 0, true, 20.0 / 512, 10.0 / 512, 505.0 / 512, 1e-15},
		// All 5 positive: V = 15, P(V ≥ 15) = 1/32.
		{"all positive", []float64{1, 2, 3, 4, 5}, 15, 5, 0, true, 1.0 / 16, 1.0 / 32, 1, 1e-15},
		// All negative, n = 3: P(V ≤ 0) = 1/8.
		{"all negative", []float64{-0.1, -0.2, -0.3}, 0, 3, 0, true, 0.25, 1, 1.0 / 8, 1e-15},
		{"ties and a zero", []float64{1, 2, 2, 3, 3, 3, -1, 4, 0, 5, 6, -2}, 60.5, 11, 1, false,
			0.015894062441606956, 0.007947031220803478, 0.9938016833243961, 1e-12},
	}
	// At the exact/normal boundary, all differences positive: for n = 49
	// exact, P(V = max) = 2⁻⁴⁹; for n = 50 the normal approximation with
	// V = 1275, mean 637.5, variance 50·51·101/24, continuity 0.5.
	up := func(n int) []float64 {
		d := make([]float64, n)
		for i := range d {
			d[i] = float64(i + 1)
		}
		return d
	}
	sd50 := math.Sqrt(50 * 51 * 101 / 24.0)
	pg50 := 0.5 * math.Erfc((1275-637.5-0.5)/sd50/math.Sqrt2)
	tests = append(tests,
		signRankCase{"n=49", up(49), 1225, 49, 0, true, math.Ldexp(1, -48), math.Ldexp(1, -49), 1, 1e-30},
		signRankCase{"n=50", up(50), 1275, 50, 0, false, 2 * pg50, pg50, 1 - 0.5*math.Erfc((1275-637.5+0.5)/sd50/math.Sqrt2), 1e-15})
	for _, tt := range tests {
		s := SignedRankTest(tt.d)
		if s.V != tt.v || s.N != tt.n || s.Zeros != tt.zeros || s.Exact != tt.exact {
			t.Errorf("%s: V %v n %d zeros %d exact %v, want %v %d %d %v", tt.name, s.V, s.N, s.Zeros, s.Exact, tt.v, tt.n, tt.zeros, tt.exact)
		}
		if !near(s.P, tt.p, tt.tol) || !near(s.PGreater, tt.pGreater, tt.tol) || !near(s.PLess, tt.pLess, tt.tol) {
			t.Errorf("%s: p %.17g greater %.17g less %.17g, want %.17g %.17g %.17g", tt.name, s.P, s.PGreater, s.PLess, tt.p, tt.pGreater, tt.pLess)
		}
	}
	// The exact distribution: for n = 4 the counts of subset sums 0..10
	// are 1 1 1 2 2 2 2 2 1 1 1 (enumerated by hand), total 16.
	want := []float64{1, 1, 1, 2, 2, 2, 2, 2, 1, 1, 1}
	got := signedRankCounts(4)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("signedRankCounts(4) = %v, want %v", got, want)
		}
	}
	if s := SignedRankTest([]float64{0, 0}); !math.IsNaN(s.P) || !hasWarning(s.Warnings, ErrTooFewPoints) {
		t.Errorf("all zeros: %+v, want NaN p with ErrTooFewPoints", s)
	}
}

func TestOLS(t *testing.T) {
	// Anscombe I: R's summary(lm(y1 ~ x1, anscombe)) prints intercept 3.0001
	// (SE 1.1247), slope 0.5001 (SE 0.1179), R² 0.6665, residual SE 1.237 on
	// 9 df; the full-precision values below are exact rational arithmetic
	// in testdata/reference.py.
	reg := OLS(anscombeY, []Regressor{{"x", anscombeX}}, nil, 0.95)
	b0, _ := reg.Coef(InterceptName)
	b1, ok := reg.Coef("x")
	const tol = 1e-10
	if !ok || !near(b0.Estimate, 3.000090909090909, tol) || !near(b1.Estimate, 0.5000909090909091, tol) ||
		!near(b0.SE, 1.124746790808644, tol) || !near(b1.SE, 0.1179055005956341, tol) ||
		!near(reg.R2, 0.6665424595087749, tol) || !near(reg.ResidualSE, 1.2366033227263211, tol) ||
		reg.N != 11 || reg.DF != 9 {
		t.Errorf("Anscombe OLS = %+v", reg)
	}
	// Slope p equals the correlation test's p (same t with 9 df).
	if !near(b1.P, 0.0021696288730785884, 1e-10) {
		t.Errorf("slope p = %v, want 0.0021696288730785884", b1.P)
	}
	// CI = estimate ± t(0.975, 9)·SE, t(0.975, 9) = 2.262157 (table).
	if !near(b1.Lo, 0.5000909090909091-2.262157*0.1179055005956341, 1e-6) {
		t.Errorf("slope CI low = %v", b1.Lo)
	}

	// Three regressors, classical and clustered (CR1) standard errors:
	// exact rational arithmetic in testdata/reference.py ("multiple ols").
	layer := []float64{1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3}
	width := []float64{2, 2, 2, 5, 5, 5, 10, 10, 10, 5, 5, 5}
	depth := []float64{3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4}
	z := []float64{1.9, 1.4, 1.2, 1.7, 1.1, 0.8, 1.3, 0.9, 0.4, 1.6, 1.2, 0.7}
	cl := []string{"a", "a", "a", "b", "b", "b", "c", "c", "c", "d", "d", "d"}
	xs := []Regressor{{"layer", layer}, {"width", width}, {"depth", depth}}
	beta := []float64{2.702721088435374, -0.425, -0.07789115646258503, -0.07414965986394557}
	se := []float64{0.20281237957232398, 0.02957680535429725, 0.0084505158155135, 0.0560543804900449}
	cr1 := []float64{0.07577176534701437, 0.029315098498896436, 0.004884832182430296, 0.02433427410213589}
	for _, tc := range []struct {
		clusters []string
		se       []float64
		df       int
	}{{nil, se, 8}, {cl, cr1, 3}} {
		reg := OLS(z, xs, tc.clusters, 0.95)
		if len(reg.Coefs) != 4 || reg.DF != tc.df || !near(reg.R2, 0.9732974270789397, tol) {
			t.Fatalf("multiple OLS (clusters %v) = %+v", tc.clusters, reg)
		}
		q := TQuantile(0.975, float64(tc.df))
		for j, c := range reg.Coefs {
			if !near(c.Estimate, beta[j], tol) || !near(c.SE, tc.se[j], tol) || !near(c.Hi-c.Estimate, q*tc.se[j], tol) {
				t.Errorf("clusters %v: coef %s = %+v, want %v (SE %v)", tc.clusters, c.Name, c, beta[j], tc.se[j])
			}
		}
	}

	// A constant regressor is collinear with the intercept: dropped, with
	// a warning, and the rest is fitted as without it.
	reg = OLS(anscombeY, []Regressor{{"x", anscombeX}, {"w", make11(5)}}, nil, 0.95)
	if _, ok := reg.Coef("w"); ok || !hasWarning(reg.Warnings, ErrCollinear) || len(reg.Coefs) != 2 {
		t.Errorf("constant regressor: %+v", reg)
	}
	if c, _ := reg.Coef("x"); !near(c.Estimate, 0.5000909090909091, tol) {
		t.Errorf("slope with a dropped regressor = %v", c.Estimate)
	}
}

func make11(v float64) []float64 {
	x := make([]float64, 11)
	for i := range x {
		x[i] = v
	}
	return x
}

func errorsIs(err, kind error) bool { return errors.Is(err, kind) }

// TestCompareTreatments: treatments sort axis by axis, numbers as numbers
// (width 300 before width 1000), text as text.
func TestCompareTreatments(t *testing.T) {
	ids := []string{"depth=2,width=100", "depth=1,width=1000", "depth=1,width=300", "depth=1,width=100",
		"depth=1,schedule=greedy", "depth=1,schedule=simultaneous", "depth=10,width=100"}
	slices.SortFunc(ids, CompareTreatments)
	want := []string{"depth=1,schedule=greedy", "depth=1,schedule=simultaneous", "depth=1,width=100", "depth=1,width=300",
		"depth=1,width=1000", "depth=2,width=100", "depth=10,width=100"}
	if !slices.Equal(ids, want) {
		t.Errorf("sorted %q\nwant %q", ids, want)
	}
}
