package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ffchar/ffchar/experiments"
)

// machineMemory returns the machine's total memory in bytes, or 0 if it
// cannot be read (then nothing is refused for lack of memory).
func machineMemory() float64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			if err == nil {
				return kb * 1024
			}
		}
	}
	return 0
}

// peakRun returns the run of exp with the largest memory estimate and
// that estimate.
func peakRun(exp *experiments.Experiment, runs []experiments.Run) (experiments.Run, float64) {
	var peak experiments.Run
	most := 0.0
	for _, r := range runs {
		if m := exp.RunMemory(r); m > most {
			peak, most = r, m
		}
	}
	return peak, most
}

// checkMemory refuses, with one line, an experiment whose runs cannot fit
// in limit bytes when at most workers of them run at once; limit names
// where the limit comes from ("this machine's memory", "--mem"). A zero
// limit checks nothing.
func checkMemory(exp *experiments.Experiment, runs []experiments.Run, workers int, limit float64, what string) error {
	if limit <= 0 || len(runs) == 0 {
		return nil
	}
	r, per := peakRun(exp, runs)
	if per > limit {
		return fmt.Errorf("experiment %s: run %s needs about %s of memory, more than %s (%s)",
			exp.Name, r.TreatmentID, bytesString(per), what, bytesString(limit))
	}
	at := min(workers, len(runs))
	if float64(at)*per > limit {
		fit := int(limit / per)
		return fmt.Errorf("experiment %s: %d runs at once need about %s of memory, more than %s (%s); use --jobs %d",
			exp.Name, at, bytesString(float64(at)*per), what, bytesString(limit), fit)
	}
	return nil
}

func bytesString(b float64) string {
	switch {
	case b >= 1e12:
		return fmt.Sprintf("%.3g TB", b/1e12)
	case b >= 1e9:
		return fmt.Sprintf("%.3g GB", b/1e9)
	}
	return fmt.Sprintf("%.3g MB", b/1e6)
}

// durationString formats seconds as a duration, however large: a
// time.Duration overflows after 292 years.
func durationString(seconds float64) string {
	const century = 100 * 365.25 * 24 * 3600
	switch {
	case math.IsNaN(seconds) || seconds < 0:
		return "unknown"
	case seconds >= century:
		return "more than a century"
	}
	return time.Duration(seconds * float64(time.Second)).Round(time.Second).String()
}

// slurmMem parses sbatch's --mem value (megabytes unless a K, M, G or T
// suffix says otherwise) into bytes. It accepts exactly what the script
// check accepts (sbatchValue["mem"]), so the two cannot disagree.
func slurmMem(s string) (float64, bool) {
	m := sbatchValue["mem"].re.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false
	}
	unit := map[string]float64{"": 1 << 20, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}[m[2]]
	return v * unit, true
}
