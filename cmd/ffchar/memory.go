package main

import (
	"fmt"
	"math"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ffchar/ffchar/experiments"
)

// memoryLimit returns the memory ffchar may use, in bytes, and what sets
// it: the smallest of the machine's memory (MemTotal), the memory limit
// of every cgroup the process is in (v1 and v2, up to the root) and the
// address-space limit (ulimit -v). It returns 0 if none can be read
// (then nothing is refused for lack of memory).
func memoryLimit() (float64, string) {
	return memoryLimitFrom(os.ReadFile, addressSpaceLimit)
}

// memoryLimitFrom is memoryLimit with the files read by read and the
// address-space limit given by rlimit (ok false when unlimited).
func memoryLimitFrom(read func(string) ([]byte, error), rlimit func() (uint64, bool)) (float64, string) {
	best, what := 0.0, ""
	consider := func(b float64, w string) {
		if b > 0 && (best == 0 || b < best) {
			best, what = b, w
		}
	}
	if data, err := read("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
				if err == nil {
					consider(kb*1024, "this machine's memory")
				}
			}
		}
	}
	for _, p := range cgroupLimitFiles(read) {
		data, err := read(p)
		if err != nil {
			continue
		}
		v := strings.TrimSpace(string(data))
		n, err := strconv.ParseUint(v, 10, 64)
		// "max" (v2) and a number near 2^63 (v1) mean no limit.
		if err != nil || n >= 1<<62 {
			continue
		}
		consider(float64(n), "the cgroup memory limit in "+p)
	}
	if n, ok := rlimit(); ok && n < 1<<62 {
		consider(float64(n), "the address-space limit (ulimit -v)")
	}
	return best, what
}

// cgroupLimitFiles lists the memory limit files of the process's cgroups
// and all their ancestors, from /proc/self/cgroup: memory.max for cgroup
// v2, memory.limit_in_bytes for v1's memory controller.
func cgroupLimitFiles(read func(string) ([]byte, error)) []string {
	data, err := read("/proc/self/cgroup")
	if err != nil {
		return nil
	}
	var files []string
	for _, line := range strings.Split(string(data), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 || !strings.HasPrefix(parts[2], "/") {
			continue
		}
		var base, file string
		switch {
		case parts[0] == "0" && parts[1] == "":
			base, file = "/sys/fs/cgroup", "memory.max"
		case slices.Contains(strings.Split(parts[1], ","), "memory"):
			base, file = "/sys/fs/cgroup/memory", "memory.limit_in_bytes"
		default:
			continue
		}
		for dir := path.Clean(parts[2]); ; dir = path.Dir(dir) {
			files = append(files, path.Join(base, dir, file))
			if dir == "/" {
				break
			}
		}
	}
	return files
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

// aboutString states an estimated duration: "about 3s", "about 2h6m0s",
// and "under 1s" for what would round to 0s.
func aboutString(seconds float64) string {
	if seconds >= 0 && seconds < 0.5 {
		return "under 1s"
	}
	return "about " + durationString(seconds)
}

// significant formats v with at least digits significant digits and at
// least decimals decimals, dropping trailing zeros beyond the decimals:
// with 2 digits and 1 decimal 1079.34 is "1079.3", 3 is "3.0" and 0.00421
// is "0.0042"; with 2 digits and no decimal 71.3 is "71", 7 is "7" and
// 0.354 is "0.35". A small figure keeps its digits instead of printing as
// zero.
func significant(v float64, digits, decimals int) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', decimals, 64)
	}
	d := max(decimals, digits-1-int(math.Floor(math.Log10(math.Abs(v)))))
	s := strconv.FormatFloat(v, 'f', d, 64)
	for ; d > decimals && strings.HasSuffix(s, "0"); d-- {
		s = s[:len(s)-1]
	}
	return strings.TrimSuffix(s, ".")
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
