//go:build openblas

package backend

/*
#cgo pkg-config: openblas
#include <cblas.h>
*/
import "C"

import (
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

func init() {
	impl = openblas{}
	name = "openblas"
	setThreads = func(n int) { C.openblas_set_num_threads(C.int(n)) }
	corename = func() string { return C.GoString(C.openblas_get_corename()) }
	config = func() string { return C.GoString(C.openblas_get_config()) }
	// One thread unless told otherwise: runs are parallelised by ffchar
	// itself, and results must not depend on how many runs share a machine.
	setThreads(1)
}

// openblas sends the routines that dominate training to OpenBLAS and leaves
// the rest to gonum, whose results for those routines are exact enough and
// whose argument checking we keep.
type openblas struct {
	gonum.Implementation
}

func trans(t blas.Transpose) C.enum_CBLAS_TRANSPOSE {
	if t == blas.NoTrans {
		return C.CblasNoTrans
	}
	return C.CblasTrans
}

func (openblas) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	checkGemm(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	var pa, pb *float32
	if k > 0 {
		pa, pb = &a[0], &b[0]
	}
	C.cblas_sgemm(C.CblasRowMajor, trans(tA), trans(tB), C.blasint(m), C.blasint(n), C.blasint(k),
		C.float(alpha), (*C.float)(unsafe.Pointer(pa)), C.blasint(lda),
		(*C.float)(unsafe.Pointer(pb)), C.blasint(ldb),
		C.float(beta), (*C.float)(unsafe.Pointer(&c[0])), C.blasint(ldc))
}

func (openblas) Saxpy(n int, alpha float32, x []float32, incX int, y []float32, incY int) {
	if n <= 0 {
		return
	}
	if incX != 1 || incY != 1 || len(x) < n || len(y) < n {
		gonum.Implementation{}.Saxpy(n, alpha, x, incX, y, incY)
		return
	}
	C.cblas_saxpy(C.blasint(n), C.float(alpha), (*C.float)(unsafe.Pointer(&x[0])), 1, (*C.float)(unsafe.Pointer(&y[0])), 1)
}

func (openblas) Sscal(n int, alpha float32, x []float32, incX int) {
	if n <= 0 {
		return
	}
	if incX != 1 || len(x) < n {
		gonum.Implementation{}.Sscal(n, alpha, x, incX)
		return
	}
	C.cblas_sscal(C.blasint(n), C.float(alpha), (*C.float)(unsafe.Pointer(&x[0])), 1)
}

// checkGemm panics, as gonum does, when a slice is too short for the shape:
// OpenBLAS would read or write out of bounds instead.
func checkGemm(tA, tB blas.Transpose, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	rowsA, colsA := m, k
	if tA != blas.NoTrans {
		rowsA, colsA = k, m
	}
	rowsB, colsB := k, n
	if tB != blas.NoTrans {
		rowsB, colsB = n, k
	}
	switch {
	case lda < max(1, colsA), ldb < max(1, colsB), ldc < max(1, n):
		panic("backend: bad leading dimension")
	case rowsA > 0 && la < (rowsA-1)*lda+colsA,
		rowsB > 0 && lb < (rowsB-1)*ldb+colsB,
		lc < (m-1)*ldc+n:
		panic("backend: short slice")
	}
}
