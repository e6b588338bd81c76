package main

import (
	"fmt"
	"math"
	"testing"

	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/pipeline"
	"github.com/ffchar/ffchar/stages"
)

// TestCachedRateCountsComputedEpochs: a cached run that continued another
// run's state after its first epoch recorded only the time of the rest;
// the rate counts only the arithmetic it computed (the first epoch holds
// more than a third of the probes: the dense start), so at the same speed
// it equals that of a run that trained all its epochs.
func TestCachedRateCountsComputedEpochs(t *testing.T) {
	exp, err := experiments.Parse("rate", []byte(tiny))
	if err != nil {
		t.Fatal(err)
	}
	r := exp.Runs()[0]
	total := r.Config.TotalEpochs()
	c, err := pipeline.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	entry := func(i int, seconds float64, from int) cachedRun {
		h := pipeline.NewHash("train")
		h.Param("i", i)
		e, err := c.PutBytes(h.Key(), map[string][]byte{stages.TimingFile: fmt.Appendf(nil,
			`{"seconds": %g, "resumed_from": {"epoch": %d, "batch": 0}}`, seconds, from)})
		if err != nil {
			t.Fatal(err)
		}
		return cachedRun{run: r, job: fmt.Sprint("job", i), entry: e}
	}
	whole, _, err := cachedRate(c, exp, []cachedRun{entry(1, 10, 0)})
	if err != nil {
		t.Fatal(err)
	}
	all := trainedCost(exp, r)
	part := (all - exp.PrefixCost(r, 1).Total()) / all
	if part >= float64(total-1)/float64(total) {
		t.Fatalf("the first epoch holds %.3f of the arithmetic; the test needs more than a third", 1-part)
	}
	continued, _, err := cachedRate(c, exp, []cachedRun{entry(2, 10*part, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(continued.GFLOPS-whole.GFLOPS) > 1e-9*whole.GFLOPS {
		t.Errorf("rate of a continued run %g GFLOP/s, of a whole run %g", continued.GFLOPS, whole.GFLOPS)
	}
}
