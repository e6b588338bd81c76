package ff

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ffchar/ffchar/backend"
	"github.com/ffchar/ffchar/internal/cputime"
)

// benchData is fixed synthetic MNIST-shaped data: 784 features, about 19%
// of them non-zero like MNIST's pixels.
func benchData(n int) *Data {
	rng := rand.New(rand.NewPCG(1, 1))
	d := &Data{X: make([]float32, n*784), Labels: make([]uint8, n), N: n, Features: 784}
	for i := range d.X {
		if rng.Float64() < 0.19 {
			d.X[i] = float32(rng.Float64())
		}
	}
	for i := range d.Labels {
		d.Labels[i] = uint8(rng.IntN(NumClasses))
	}
	return d
}

// BenchmarkEpoch trains one epoch of 10,000 samples per iteration and
// reports samples/s and the GFLOP/s of the matrix products involved
// (FlopsPerBatch).
func BenchmarkEpoch(b *testing.B) {
	data := benchData(10000)
	for _, shape := range []struct{ depth, width int }{{2, 500}, {4, 2000}} {
		for _, r := range Recipes {
			cfg, _ := DefaultConfig(r)
			cfg.Depth, cfg.Width, cfg.Epochs = shape.depth, shape.width, 1
			b.Run(fmt.Sprintf("%s/%dx%d/%s", r, shape.depth, shape.width, backend.Name()), func(b *testing.B) {
				cpu0 := cputime.Process()
				for b.Loop() {
					if _, _, err := Train(context.Background(), cfg, data, Options{Seed: 1}); err != nil {
						b.Fatal(err)
					}
				}
				secs := b.Elapsed().Seconds() / float64(b.N)
				batches := float64(data.N / cfg.BatchSize)
				b.ReportMetric(float64(data.N)/secs, "samples/s")
				flops := cfg.FlopsPerBatch(data.Features) * batches
				b.ReportMetric(flops/secs/1e9, "GFLOP/s")
				reportCPURate(b, cpu0, flops*float64(b.N))
			})
		}
	}
}

// BenchmarkEvaluate measures validation throughput: every sample with all
// ten labels plus the neutral one.
func BenchmarkEvaluate(b *testing.B) {
	data := benchData(5000)
	cfg, _ := DefaultConfig(Loewe)
	cfg.Depth, cfg.Width = 2, 500
	n, err := newNetwork(cfg, data.Features, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := n.Evaluate(data, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(data.N)/(b.Elapsed().Seconds()/float64(b.N)), "samples/s")
}

// BenchmarkSgemm is the reference rate: one FF-shaped product (300×784 by
// 784×500, float32) on the backend in use.
func BenchmarkSgemm(b *testing.B) {
	const m, k, n = 300, 784, 500
	a, w, c := make([]float32, m*k), make([]float32, n*k), make([]float32, m*n)
	for i := range a {
		a[i] = float32(i%7) * 0.1
	}
	for i := range w {
		w[i] = float32(i%5) * 0.1
	}
	impl := backend.Float32()
	cpu0 := cputime.Process()
	for b.Loop() {
		impl.Sgemm('N', 'T', m, n, k, 1, a, k, w, k, 0, c, n)
	}
	b.ReportMetric(2*m*n*k/(b.Elapsed().Seconds()/float64(b.N))/1e9, "GFLOP/s")
	reportCPURate(b, cpu0, 2*m*n*k*float64(b.N))
}

// reportCPURate reports flops per second of the process's CPU time since
// cpu0: on a machine shared with other work it holds up better than the
// rate per second of wall time, and ratios of it compare back-to-back
// runs.
func reportCPURate(b *testing.B, cpu0 time.Duration, flops float64) {
	if cpu := (cputime.Process() - cpu0).Seconds(); cpu > 0 {
		b.ReportMetric(flops/cpu/1e9, "GFLOP/cpu-s")
	}
}

// BenchmarkRecording measures what step recording costs: one loewe 2×500
// epoch of 50,000 samples (500 steps, the first epoch, where the default
// schedule is densest: 34 points) without recording, and with the default
// schedule and a held-out probe of 500 samples. The overhead is the
// ratio of the two times.
func BenchmarkRecording(b *testing.B) {
	data, probe := benchData(50000), benchData(500)
	cfg, _ := DefaultConfig(Loewe)
	cfg.Depth, cfg.Width, cfg.Epochs = 2, 500, 1
	for _, on := range []bool{false, true} {
		name := "off"
		if on {
			name = "probe500"
		}
		b.Run(fmt.Sprintf("%s/%s", name, backend.Name()), func(b *testing.B) {
			opt := Options{Seed: 1}
			if on {
				opt.Record = &Recording{Schedule: DefaultStepSchedule, Probe: probe}
			}
			for b.Loop() {
				if _, _, err := Train(context.Background(), cfg, data, opt); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/epoch")
		})
	}
}
