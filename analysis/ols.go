package analysis

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// InterceptName is the name of the intercept in a Regression.
const InterceptName = "(intercept)"

// collinearTol is the relative residual norm below which a regressor is
// taken to be a linear combination of the ones before it.
const collinearTol = 1e-9

// Regressor is one named column of a design matrix.
type Regressor struct {
	Name   string
	Values []float64
}

// Coef is one estimated regression coefficient.
type Coef struct {
	Name     string
	Estimate float64
	SE       float64 // standard error
	// Lo and Hi bound the confidence interval Estimate ± t·SE, with the
	// Regression's DF degrees of freedom.
	Lo, Hi float64
	T      float64 // Estimate / SE
	P      float64 // two-sided p-value of Estimate = 0
}

// Regression is an ordinary least-squares fit.
type Regression struct {
	// Coefs holds the intercept first, then the regressors kept, in the
	// order given. A collinear regressor is left out, with a warning.
	Coefs []Coef
	N     int // observations used
	// DF is the degrees of freedom of the t distribution used for
	// intervals and p-values: N - len(Coefs), or Clusters - 1 with
	// cluster-robust standard errors.
	DF         int
	R2, AdjR2  float64
	ResidualSE float64 // √(RSS / (N - len(Coefs)))
	// Clusters is the number of clusters of a cluster-robust fit, 0 for
	// classical standard errors.
	Clusters int
	// ClusterName names what a cluster is ("run"), for the text.
	ClusterName string
	Confidence  float64
	Warnings    []error
}

// Coef returns the coefficient named name, and whether it was estimated.
func (r *Regression) Coef(name string) (Coef, bool) {
	for _, c := range r.Coefs {
		if c.Name == name {
			return c, true
		}
	}
	return Coef{}, false
}

// OLS fits y = b0 + Σ b_j x_j by ordinary least squares. Rows with a NaN
// in y or any regressor are left out (with a warning). A regressor that is
// constant or a linear combination of earlier ones is dropped (with a
// warning). With clusters nil, standard errors are the classical ones
// (s²(X'X)⁻¹, N-p degrees of freedom); otherwise clusters[i] names the
// cluster of row i and standard errors are cluster-robust (CR1: the
// sandwich (X'X)⁻¹ Σ_g X_g'e_g e_g'X_g (X'X)⁻¹ scaled by
// G/(G-1)·(N-1)/(N-p)), with G-1 degrees of freedom. OLS panics when the
// lengths of y, the regressors and clusters differ.
func OLS(y []float64, xs []Regressor, clusters []string, confidence float64) Regression {
	confidence = checkConfidence(confidence)
	reg := Regression{Confidence: confidence, R2: math.NaN(), AdjR2: math.NaN(), ResidualSE: math.NaN()}
	for _, x := range xs {
		if len(x.Values) != len(y) {
			panic("analysis: regressor length differs from y")
		}
	}
	if clusters != nil && len(clusters) != len(y) {
		panic("analysis: clusters length differs from y")
	}

	// Rows without NaN.
	var rows []int
	for i, v := range y {
		ok := !math.IsNaN(v)
		for _, x := range xs {
			ok = ok && !math.IsNaN(x.Values[i])
		}
		if ok {
			rows = append(rows, i)
		}
	}
	n := len(rows)
	reg.N = n
	if n < len(y) {
		reg.Warnings = append(reg.Warnings, warnf(ErrMissing, "regression: %d of %d rows", len(y)-n, len(y)))
	}

	if n == 0 {
		reg.Warnings = append(reg.Warnings, warnf(ErrTooFewPoints, "regression: no complete rows"))
		return reg
	}

	// Columns: the intercept, then each regressor not in the span of the
	// ones kept before it (modified Gram-Schmidt on copies).
	cols := [][]float64{ones(n)}
	names := []string{InterceptName}
	basis := [][]float64{normalized(ones(n))}
	for _, x := range xs {
		col := make([]float64, n)
		for i, r := range rows {
			col[i] = x.Values[r]
		}
		res := append([]float64(nil), col...)
		for _, q := range basis {
			floats.AddScaled(res, -floats.Dot(q, res), q)
		}
		if nrm := floats.Norm(col, 2); nrm == 0 || floats.Norm(res, 2) <= collinearTol*nrm {
			reg.Warnings = append(reg.Warnings, warnf(ErrCollinear, "regressor %q", x.Name))
			continue
		}
		basis = append(basis, normalized(res))
		cols = append(cols, col)
		names = append(names, x.Name)
	}
	p := len(cols)
	if n < p {
		reg.Warnings = append(reg.Warnings, warnf(ErrTooFewPoints, "regression: %d rows for %d coefficients", n, p))
		return reg
	}

	X := mat.NewDense(n, p, nil)
	for j, col := range cols {
		X.SetCol(j, col)
	}
	yv := mat.NewVecDense(n, nil)
	for i, r := range rows {
		yv.SetVec(i, y[r])
	}
	var qr mat.QR
	qr.Factorize(X)
	var beta mat.VecDense
	if err := qr.SolveVecTo(&beta, false, yv); err != nil {
		reg.Warnings = append(reg.Warnings, warnf(ErrCollinear, "regression: %v", err))
		return reg
	}
	var fit, resid mat.VecDense
	fit.MulVec(X, &beta)
	resid.SubVec(yv, &fit)
	rss := mat.Dot(&resid, &resid)
	ybar := mat.Sum(yv) / float64(n)
	var tss float64
	for i := range n {
		d := yv.AtVec(i) - ybar
		tss += d * d
	}
	if tss > 0 {
		reg.R2 = 1 - rss/tss
	} else {
		reg.Warnings = append(reg.Warnings, warnf(ErrConstant, "regression: response is constant, R² undefined"))
	}
	resDF := n - p
	if resDF > 0 {
		reg.AdjR2 = 1 - (1-reg.R2)*float64(n-1)/float64(resDF)
		reg.ResidualSE = math.Sqrt(rss / float64(resDF))
	}

	bread := rFactorInverse(&qr, p)

	var cov *mat.Dense
	reg.DF = resDF
	if clusters == nil {
		if resDF == 0 {
			reg.Warnings = append(reg.Warnings, warnf(ErrTooFewPoints, "regression: no residual degrees of freedom"))
		}
		cov = mat.NewDense(p, p, nil)
		cov.Scale(rss/float64(resDF), bread)
	} else {
		index := make(map[string]int)
		var scores [][]float64 // Σ_{i in g} x_i e_i, per cluster
		for i, row := range rows {
			g, ok := index[clusters[row]]
			if !ok {
				g = len(scores)
				index[clusters[row]] = g
				scores = append(scores, make([]float64, p))
			}
			e := resid.AtVec(i)
			for j := range p {
				scores[g][j] += X.At(i, j) * e
			}
		}
		G := len(scores)
		reg.Clusters = G
		reg.DF = G - 1
		if G < 2 || resDF == 0 {
			reg.Warnings = append(reg.Warnings, warnf(ErrTooFewPoints, "regression: %d clusters, %d residual degrees of freedom", G, resDF))
		}
		meat := mat.NewDense(p, p, nil)
		for _, s := range scores {
			sv := mat.NewVecDense(p, s)
			var outer mat.Dense
			outer.Outer(1, sv, sv)
			meat.Add(meat, &outer)
		}
		cov = mat.NewDense(p, p, nil)
		cov.Product(bread, meat, bread)
		cov.Scale(float64(G)/float64(G-1)*float64(n-1)/float64(resDF), cov)
	}

	q := math.NaN()
	if reg.DF > 0 {
		q = TQuantile(0.5+confidence/2, float64(reg.DF))
	}
	for j := range p {
		c := Coef{Name: names[j], Estimate: beta.AtVec(j), SE: math.Sqrt(cov.At(j, j))}
		if reg.DF > 0 && !math.IsNaN(c.SE) && !math.IsInf(c.SE, 0) {
			c.Lo, c.Hi = c.Estimate-q*c.SE, c.Estimate+q*c.SE
			c.T = c.Estimate / c.SE
			c.P = TTwoSided(c.T, float64(reg.DF))
			if c.SE == 0 {
				c.P = 0
				if c.Estimate == 0 {
					c.P = 1
				}
			}
		} else {
			c.SE, c.Lo, c.Hi, c.T, c.P = math.Inf(1), math.Inf(-1), math.Inf(1), math.NaN(), math.NaN()
		}
		reg.Coefs = append(reg.Coefs, c)
	}
	return reg
}

// rFactorInverse returns (X'X)⁻¹ = R⁻¹R⁻ᵀ from the QR factorisation of X
// with p columns.
func rFactorInverse(qr *mat.QR, p int) *mat.Dense {
	var rd mat.Dense
	qr.RTo(&rd)
	r := mat.NewTriDense(p, mat.Upper, nil)
	r.Copy(rd.Slice(0, p, 0, p))
	var rinv mat.TriDense
	if err := rinv.InverseTri(r); err != nil {
		// Columns were screened for collinearity, so the only error left
		// is gonum's ill-conditioning report, which still comes with the
		// inverse.
		if _, ok := err.(mat.Condition); !ok {
			panic(fmt.Sprintf("analysis: inverting R: %v", err))
		}
	}
	out := mat.NewDense(p, p, nil)
	out.Mul(&rinv, rinv.T())
	return out
}

func ones(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = 1
	}
	return x
}

func normalized(x []float64) []float64 {
	out := append([]float64(nil), x...)
	if nrm := floats.Norm(out, 2); nrm > 0 {
		floats.Scale(1/nrm, out)
	}
	return out
}
