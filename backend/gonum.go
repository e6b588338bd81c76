package backend

import (
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// gonumBLAS is gonum's pure-Go implementation with one change: gonum's
// Sgemm is several times slower for a transposed A (the weight-gradient
// products Aᵀ·B, with A short and wide) than for a plain one, so A is
// transposed explicitly first. Transposition is exact; only the order of
// gonum's blocked summation changes.
type gonumBLAS struct {
	gonum.Implementation
}

var scratch = sync.Pool{New: func() any { return new([]float32) }}

func (g gonumBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if tA == blas.NoTrans || m == 0 || n == 0 || k == 0 || lda < max(1, m) || len(a) < (k-1)*lda+m {
		g.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	// A is stored k×m; make the m×k matrix Aᵀ.
	p := scratch.Get().(*[]float32)
	if cap(*p) < m*k {
		*p = make([]float32, m*k)
	}
	at := (*p)[:m*k]
	for i := 0; i < k; i++ {
		row := a[i*lda : i*lda+m]
		for j, v := range row {
			at[j*k+i] = v
		}
	}
	g.Implementation.Sgemm(blas.NoTrans, tB, m, n, k, alpha, at, k, b, ldb, beta, c, ldc)
	scratch.Put(p)
}
