package backend

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// TestSgemmMatchesReference checks the backend in use against a float64
// triple loop for every transpose combination and a strided submatrix, with
// a float32 tolerance of 1e-5 relative to the sum of |terms|.
func TestSgemmMatchesReference(t *testing.T) {
	const m, n, k = 7, 5, 13
	lda, ldb, ldc := 17, 15, 11
	fill := func(l int, s float32) []float32 {
		v := make([]float32, l)
		for i := range v {
			v[i] = s * float32(math.Sin(float64(i)*0.7+float64(s)))
		}
		return v
	}
	for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
		for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			ra, rb := m, k
			if tA == blas.Trans {
				ra = k
			}
			if tB == blas.Trans {
				rb = n
			}
			a, b, c := fill(ra*lda, 1), fill(rb*ldb, 2), fill(m*ldc, 3)
			want := make([]float64, len(c))
			bound := make([]float64, len(c))
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					var s, abs float64
					for p := 0; p < k; p++ {
						var av, bv float32
						if tA == blas.Trans {
							av = a[p*lda+i]
						} else {
							av = a[i*lda+p]
						}
						if tB == blas.Trans {
							bv = b[j*ldb+p]
						} else {
							bv = b[p*ldb+j]
						}
						s += float64(av) * float64(bv)
						abs += math.Abs(float64(av) * float64(bv))
					}
					want[i*ldc+j] = 0.5*s + 0.25*float64(c[i*ldc+j])
					bound[i*ldc+j] = abs + math.Abs(float64(c[i*ldc+j]))
				}
			}
			Float32().Sgemm(tA, tB, m, n, k, 0.5, a, lda, b, ldb, 0.25, c, ldc)
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					got, w := float64(c[i*ldc+j]), want[i*ldc+j]
					if math.Abs(got-w) > 1e-5*bound[i*ldc+j] {
						t.Errorf("%s tA=%c tB=%c C[%d,%d] = %g, want %g", Name(), tA, tB, i, j, got, w)
					}
				}
			}
		}
	}
}

func TestLevel1MatchesGonum(t *testing.T) {
	x := []float32{1, -2, 3.5, 4, 0.25}
	y := []float32{0.5, 0.5, -1, 2, 8}
	y2 := append([]float32(nil), y...)
	Float32().Saxpy(len(x), 0.75, x, 1, y, 1)
	gonum.Implementation{}.Saxpy(len(x), 0.75, x, 1, y2, 1)
	for i := range y {
		if y[i] != y2[i] {
			t.Errorf("%s Saxpy[%d] = %v, gonum %v", Name(), i, y[i], y2[i])
		}
	}
	Float32().Sscal(len(x), -2, x, 1)
	for i, want := range []float32{-2, 4, -7, -8, -0.5} {
		if x[i] != want {
			t.Errorf("%s Sscal[%d] = %v, want %v", Name(), i, x[i], want)
		}
	}
}

func TestShortSlicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("%s: Sgemm with a short C did not panic", Name())
		}
	}()
	Float32().Sgemm(blas.NoTrans, blas.NoTrans, 2, 2, 2, 1, make([]float32, 4), 2, make([]float32, 4), 2, 0, make([]float32, 3), 2)
}
