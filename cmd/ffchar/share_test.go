package main

import (
	"regexp"
	"strconv"
	"testing"
)

// TestPlanSharedPrefixes: in the paper's design, the 50- and 100-epoch runs
// of a seed continue the 20- and 50-epoch runs' states (12 and 27 shared
// epochs under loewe's cooldown, ff.TestPrefixLines), so two runs in three
// continue another, and the total drops by the shared epochs' share of the
// arithmetic: (12+27)/170 = 22.9% of the epochs, a little less of the
// FLOPs because evaluation is not shared.
func TestPlanSharedPrefixes(t *testing.T) {
	out, _ := mustRun(t, "plan", "--profile", "paper", "--gflops", "71")
	m := regexp.MustCompile(`shared training prefixes: (\d+) of (\d+) runs continue the state of a shorter run of their seed, which saves ([\d.]+) of ([\d.]+) TFLOP \(([\d.]+)%\)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("plan prints no shared prefixes:\n%s", out)
	}
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if m[1] != "960" || m[2] != "1440" {
		t.Errorf("%s of %s runs continue another, want 960 of 1440", m[1], m[2])
	}
	saved, whole, pct := num(m[3]), num(m[4]), num(m[5])
	if pct < 21 || pct > 22.9 {
		t.Errorf("saving %.1f%%, want between 21%% and the epochs' 22.9%%", pct)
	}
	tot := regexp.MustCompile(`(?m)^total ([\d.]+) TFLOP`).FindStringSubmatch(out)
	if tot == nil || abs(num(tot[1])-(whole-saved)) > 0.11 {
		t.Errorf("total %v, want %.1f − %.1f", tot, whole, saved)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
