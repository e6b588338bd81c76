package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/ffchar/ffchar/dataset"
	"github.com/ffchar/ffchar/experiments"
)

// TestTrainOutRefusesSpecialFiles (F11): --out naming a device, a FIFO, a
// link or a folder is refused before training, with one line naming the
// flag, and the file is left as it was. /dev/null is a device too.
func TestTrainOutRefusesSpecialFiles(t *testing.T) {
	dir := workdir(t, nil)
	must(t, os.Mkdir("synth", 0o755))
	must(t, dataset.WriteSynthetic("synth", 300, 50, 1, true))
	must(t, syscall.Mkfifo("fifo", 0o644))
	must(t, os.Mkdir("folder", 0o755))
	must(t, os.WriteFile("target", []byte("theirs"), 0o644))
	must(t, os.Symlink("target", "link"))
	outs := []string{"/dev/null", "fifo", "folder", "link"}
	// A character device of our own (the same numbers as /dev/null), where
	// the test may make one.
	if err := syscall.Mknod(filepath.Join(dir, "dev"), syscall.S_IFCHR|0o666, 1<<8|3); err == nil {
		outs = append(outs, "dev")
	}
	for _, out := range outs {
		before, err := os.Lstat(out)
		must(t, err)
		_, stderr, code := ffchar(t, "train", "--data", "synth", "--epochs", "1", "--batch-size", "50", "--depth", "1", "--width", "8", "--out", out)
		if code == 0 || !strings.Contains(stderr, "--out") || !strings.Contains(stderr, "regular file") {
			t.Errorf("--out %s: exit %d, %q; want it refused", out, code, stderr)
		}
		oneLine(t, "--out "+out, stderr)
		after, err := os.Lstat(out)
		if err != nil || after.Mode() != before.Mode() || !os.SameFile(before, after) {
			t.Errorf("--out %s was replaced: %v %v", out, after, err)
		}
	}
	if b, _ := os.ReadFile("target"); string(b) != "theirs" {
		t.Errorf("--out through a link changed its target")
	}
	// A regular file and an absent one are written.
	must(t, os.WriteFile("old.parquet", nil, 0o644))
	for _, out := range []string{"old.parquet", "new.parquet"} {
		mustRun(t, "train", "--data", "synth", "--epochs", "1", "--batch-size", "50", "--depth", "1", "--width", "8", "--out", out)
	}
}

// TestMemoryLimitReadsCgroupAndRlimit (F9): the memory check takes the
// smallest of MemTotal, every cgroup limit up to the root (v1 and v2) and
// RLIMIT_AS, and names the one that binds. The files are what Linux
// shows; "max" and v1's 2^63-4096 mean no limit.
func TestMemoryLimitReadsCgroupAndRlimit(t *testing.T) {
	const gb = 1 << 30
	meminfo := "MemTotal:       24576000 kB\nMemFree:        1000 kB\n"
	tests := []struct {
		name   string
		files  map[string]string
		rlimit uint64 // 0: unlimited
		want   float64
		what   string
	}{
		{"memtotal only", map[string]string{"/proc/meminfo": meminfo, "/proc/self/cgroup": "0::/\n",
			"/sys/fs/cgroup/memory.max": "max\n"}, 0, 24576000 * 1024, "this machine's memory"},
		{"cgroup v2 parent", map[string]string{"/proc/meminfo": meminfo, "/proc/self/cgroup": "0::/user.slice/job\n",
			"/sys/fs/cgroup/user.slice/job/memory.max": "max\n", "/sys/fs/cgroup/user.slice/memory.max": "2147483648\n"},
			0, 2 * gb, "/sys/fs/cgroup/user.slice/memory.max"},
		{"cgroup v1", map[string]string{"/proc/meminfo": meminfo, "/proc/self/cgroup": "4:memory:/slurm/job_1\n3:cpu:/\n",
			"/sys/fs/cgroup/memory/slurm/job_1/memory.limit_in_bytes": "1073741824\n",
			"/sys/fs/cgroup/memory/memory.limit_in_bytes":             "9223372036854771712\n"},
			0, gb, "/sys/fs/cgroup/memory/slurm/job_1/memory.limit_in_bytes"},
		{"ulimit -v", map[string]string{"/proc/meminfo": meminfo}, 512 << 20, 512 << 20, "ulimit -v"},
		{"nothing readable", nil, 0, 0, ""},
	}
	for _, tt := range tests {
		read := func(p string) ([]byte, error) {
			if s, ok := tt.files[p]; ok {
				return []byte(s), nil
			}
			return nil, os.ErrNotExist
		}
		rlimit := func() (uint64, bool) { return tt.rlimit, tt.rlimit != 0 }
		got, what := memoryLimitFrom(read, rlimit)
		if got != tt.want || !strings.Contains(what, tt.what) {
			t.Errorf("%s: %v bytes from %q, want %v from %q", tt.name, got, what, tt.want, tt.what)
		}
	}
}

// TestTrainRefusedUnderUlimit (F9): under ulimit -v, a network that fits
// the machine's memory but not the limit is refused with one line
// before training, instead of ending in an out-of-memory dump.
func TestTrainRefusedUnderUlimit(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("needs bash for ulimit")
	}
	dir := t.TempDir()
	must(t, dataset.WriteSynthetic(dir, 300, 50, 1, true))
	// About 3 GB by the estimate: far below this machine's memory on any
	// test machine, above the 2 GB address space allowed. (With 1 GB the
	// Go runtime and OpenBLAS's thread buffers themselves sometimes ran
	// out of address space at start-up, before ffchar could refuse.)
	cmd := exec.Command("bash", "-c", `ulimit -v 2097152 && exec "$0" "$@"`, os.Args[0],
		"train", "--data", dir, "--depth", "3", "--width", "12000", "--epochs", "1", "--batch-size", "50")
	cmd.Env = append(os.Environ(), "FFCHAR_TEST_MAIN=1")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "ulimit -v") {
		t.Errorf("train under ulimit -v: %v\n%.2000s", err, out)
	}
	oneLine(t, "train under ulimit -v", string(out))
}

// TestPlanIsArithmetic (F7): plan's cost estimate counts recorded steps
// arithmetically: one-sample batches for a million epochs recorded at
// every step, over 10,000 seeds, is planned (its cost printed) instead of
// walking 3×10^14 steps. The expected FLOP total is not checked here;
// ff's TestStepCount checks the count against the walk.
func TestPlanIsArithmetic(t *testing.T) {
	huge := strings.NewReplacer("seeds = 2", "seeds = 10000", "batch_size = 50", "batch_size = 1", "epochs = 3", "epochs = 1000000").Replace(tiny) +
		"[record]\nevery = 1\nprobe = 10\n"
	workdir(t, map[string]string{"huge.toml": huge})
	out, stderr, code := ffchar(t, "plan", "--profile", "huge", "--cache", "cache", "--gflops", "10")
	if code != 0 || !strings.Contains(out, "TFLOP") {
		t.Errorf("plan: exit %d\n%s\n%s", code, out, stderr)
	}
}

// TestCalibrationBounded (F8): calibrating plan for a network of width
// 20,000 (about 8 GB by the estimate) trains a stand-in that fits the
// calibration's memory bound, says so, and allocates far less than the
// network itself would.
func TestCalibrationBounded(t *testing.T) {
	wide := strings.Replace(strings.Replace(tiny, "width = [12]", "width = [20000]", 1), "depth = [1, 2]", "depth = [2]", 1)
	exp, err := experiments.Parse("wide.toml", []byte(wide))
	must(t, err)
	r := exp.Runs()[0]
	if need := exp.RunMemory(r); need < 4<<30 {
		t.Fatalf("the run needs only %s: not a test of the bound", bytesString(need))
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	rate, err := measuredRate(context.Background(), r)
	runtime.ReadMemStats(&after)
	if err != nil || rate.GFLOPS <= 0 || !strings.Contains(rate.From, "stand-in") {
		t.Errorf("calibration: %+v, %v", rate, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4*calibrationMemory {
		t.Errorf("calibration allocated %s, more than four times its bound", bytesString(float64(alloc)))
	}
}

// TestPlanReadsFolderSizes (F6): plan estimates a folder's cost from the
// sizes its files' headers announce, not from MNIST's: a folder of 300
// training and 50 test images, without limits, is 250 training, 50
// validation and 50 test samples.
func TestPlanReadsFolderSizes(t *testing.T) {
	exp := strings.Replace(tiny, `source = "synthetic"
train_limit = 300
val_limit = 100
test_limit = 100`, `dir = "../digits"`, 1)
	dir := workdir(t, map[string]string{"folder.toml": exp})
	must(t, os.Mkdir(filepath.Join(dir, "digits"), 0o755))
	must(t, dataset.WriteSynthetic(filepath.Join(dir, "digits"), 300, 50, 1, true))
	out, stderr, code := ffchar(t, "plan", "--profile", "folder", "--cache", "cache", "--gflops", "10")
	if code != 0 || !strings.Contains(out, ": 250 train, 50 val, 50 test;") {
		t.Errorf("plan of a folder: exit %d\n%s\n%s", code, out, stderr)
	}
}

// TestSetEmptyValueRefused (F10, on the command line): --set with an
// empty value is refused like an empty string in an experiment file,
// instead of running with the field's default.
func TestSetEmptyValueRefused(t *testing.T) {
	for _, kv := range []string{"readout=", "schedule= ", "widths="} {
		_, stderr, code := ffchar(t, "train", "--set", kv, "--epochs", "1", "--data", "no-such-folder")
		if code != 2 || !strings.Contains(stderr, "must not be empty") {
			t.Errorf("--set %s: exit %d, %q", kv, code, stderr)
		}
		oneLine(t, "--set "+kv, stderr)
	}
}

// TestSignificant: small figures keep two significant digits instead of
// printing as zero; large ones print as they did with a fixed number of
// decimals. Expected strings are the rounding by hand.
func TestSignificant(t *testing.T) {
	for _, c := range []struct {
		v                float64
		digits, decimals int
		want             string
	}{
		{1079.34, 2, 1, "1079.3"},
		{54.1, 2, 1, "54.1"},
		{3, 2, 1, "3.0"},
		{0.3, 2, 1, "0.3"},
		{0.00421, 2, 1, "0.0042"},
		{0.000812, 2, 1, "0.00081"},
		{71.3, 2, 0, "71"},
		{140.2, 2, 0, "140"},
		{7, 2, 0, "7"},
		{9.96, 2, 0, "10"},
		{0.354, 2, 0, "0.35"},
		{0, 2, 1, "0.0"},
	} {
		if got := significant(c.v, c.digits, c.decimals); got != c.want {
			t.Errorf("significant(%g, %d, %d) = %q, want %q", c.v, c.digits, c.decimals, got, c.want)
		}
	}
	for _, c := range []struct {
		s    float64
		want string
	}{{0, "under 1s"}, {0.3, "under 1s"}, {0.7, "about 1s"}, {3.2, "about 3s"}, {7560, "about 2h6m0s"}} {
		if got := aboutString(c.s); got != c.want {
			t.Errorf("aboutString(%g) = %q, want %q", c.s, got, c.want)
		}
	}
}
