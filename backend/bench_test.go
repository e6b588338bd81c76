package backend

import (
	"fmt"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas"

	"github.com/ffchar/ffchar/internal/cputime"
)

// ffProducts are the matrix products of one loewe 2×500 training step with
// batch B = 100 and 784 = 774 image + 10 label features (ff/step.go), as
// C (m×n) = A (m×k) · B (k×n):
//   - fwd1: layer 1's image part, the batch by W₁ᵀ (shared by the positive,
//     negative and neutral rows);
//   - fwd2: layer 2, the 3B positive, negative and neutral rows by W₂ᵀ;
//   - wgrad1, wgrad2: weight gradients Dᵀ·X over B (layer 1, where
//     positives and negatives share their image) and 2B rows;
//   - xgrad2: an input gradient D·W₂. Forward-Forward layers learn locally,
//     so the engine never computes it; it is here to compare with
//     backpropagation's third product;
//   - clsfwd, clsgrad: the linear classifier on the neutral rows' features
//     of both layers.
var ffProducts = []struct {
	name    string
	m, n, k int
	layout  string // the engine's layout; "" when it does not compute it
}{
	{"fwd1", 100, 500, 774, "NT"},
	{"fwd2", 300, 500, 500, "NT"},
	{"wgrad1", 500, 774, 100, "TN"},
	{"wgrad2", 500, 500, 200, "TN"},
	{"xgrad2", 300, 500, 500, ""},
	{"clsfwd", 100, 10, 1000, "NT"},
	{"clsgrad", 10, 1000, 100, "TN"},
}

// BenchmarkFFProducts measures each product of a training step in the four
// layouts: A stored m×k (N) or k×m (T), B stored k×n (N) or n×k (T). The
// engine's own layout is marked engine=yes. Names are key=value pairs for
// benchstat's -row and -col; the kernel is part of the name because rates
// depend on it. GFLOP/s is per second of wall time; GFLOP/cpu-s per second
// of the process's CPU time, which holds up better on a machine shared with
// other work (it is the rate of the time the product actually ran, and
// counts every thread of a multi-threaded backend).
func BenchmarkFFProducts(b *testing.B) {
	impl := Float32()
	lib := Name()
	if k := Kernel(); k != "" {
		lib += "-" + strings.ToLower(k)
	}
	for _, p := range ffProducts {
		a := benchFill(p.m * p.k)
		bb := benchFill(p.k * p.n)
		c := make([]float32, p.m*p.n)
		for _, layout := range []string{"NN", "NT", "TN", "TT"} {
			tA, lda := blas.NoTrans, p.k
			if layout[0] == 'T' {
				tA, lda = blas.Trans, p.m
			}
			tB, ldb := blas.NoTrans, p.n
			if layout[1] == 'T' {
				tB, ldb = blas.Trans, p.k
			}
			engine := "no"
			if layout == p.layout {
				engine = "yes"
			}
			name := fmt.Sprintf("product=%s/m=%d/n=%d/k=%d/layout=%s/engine=%s/blas=%s", p.name, p.m, p.n, p.k, layout, engine, lib)
			b.Run(name, func(b *testing.B) {
				cpu0 := cputime.Process()
				for b.Loop() {
					impl.Sgemm(tA, tB, p.m, p.n, p.k, 1, a, lda, bb, ldb, 0, c, p.n)
				}
				cpu := (cputime.Process() - cpu0).Seconds()
				flops := 2 * float64(p.m*p.n*p.k) * float64(b.N)
				b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				if cpu > 0 {
					b.ReportMetric(flops/cpu/1e9, "GFLOP/cpu-s")
				}
			})
		}
	}
}

func benchFill(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(i%7)*0.1 - 0.3
	}
	return v
}
