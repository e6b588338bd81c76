package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/dataset"
	"github.com/ffchar/ffchar/experiments"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestMain lets tests run the real program in a subprocess: the test
// binary re-executes itself with FFCHAR_TEST_MAIN set and behaves as
// ffchar.
func TestMain(m *testing.M) {
	if os.Getenv("FFCHAR_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// ffchar runs the program in-process and returns stdout, stderr and the
// exit status main would return.
func ffchar(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	err := run(context.Background(), append([]string{"ffchar"}, args...), &o, &e)
	code = exitCode(err, &e)
	return o.String(), e.String(), code
}

// command returns the program as a subprocess.
func command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "FFCHAR_TEST_MAIN=1")
	return cmd
}

// workdir makes a working directory holding experiments/ with the given
// files and chdirs into it.
func workdir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "experiments"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, "experiments", name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	return dir
}

// tiny is a synthetic experiment that runs in well under a second.
const tiny = `name = "tiny"
description = "test sweep"
recipe = "loewe"
seeds = 2
master_seed = 7
[data]
source = "synthetic"
train_limit = 300
val_limit = 100
test_limit = 100
[base]
batch_size = 50
epochs = 3
[grid]
depth = [1, 2]
width = [12]
[evaluate]
checkpoints = [1, 3]
`

var computedRe = regexp.MustCompile(`computed (\S+)`)

// computed returns the job IDs a run's log says it computed.
func computed(stderr string) []string {
	var ids []string
	for _, m := range computedRe.FindAllStringSubmatch(stderr, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

func countStage(ids []string, stage string) int {
	n := 0
	for _, id := range ids {
		if strings.Contains(id, "/"+stage+"/") || strings.HasSuffix(id, "/"+stage) {
			n++
		}
	}
	return n
}

func mustRun(t *testing.T, args ...string) (string, string) {
	t.Helper()
	out, errOut, code := ffchar(t, args...)
	if code != 0 {
		t.Fatalf("ffchar %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out, errOut
}

func TestRunThenCachedThenVerify(t *testing.T) {
	workdir(t, map[string]string{"tiny.toml": tiny})
	_, e1 := mustRun(t, "run", "--profile", "tiny", "--cache", "cache", "--results", "results")
	if got := len(computed(e1)); got != 1+4+4+1 {
		t.Errorf("first run computed %d jobs, want 10 (prep, 4 train, 4 evaluate, correlate):\n%s", got, e1)
	}
	_, e2 := mustRun(t, "run", "--profile", "tiny", "--cache", "cache", "--results", "results")
	if got := computed(e2); len(got) != 0 {
		t.Errorf("second run computed %v, want nothing", got)
	}
	for _, f := range []string{"README.md", "data/curves.parquet", "tables/hypotheses.md", "figures/fig1_accuracy.png", "figures/fig3_correlation_heatmap.svg"} {
		if _, err := os.Stat(filepath.Join("results/tiny", f)); err != nil {
			t.Errorf("published result missing: %v", err)
		}
	}
	readme, _ := os.ReadFile("results/tiny/README.md")
	for _, want := range []string{"| H1 |", "| H2 |", "| H3 |", "4 runs over 2 treatments"} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("results README lacks %q", want)
		}
	}
	out, _ := mustRun(t, "verify", "--profile", "tiny", "--cache", "cache")
	if !strings.Contains(out, "verified 10 jobs") {
		t.Errorf("verify: %q", out)
	}
	// Redrawing from the published tables needs no cache.
	os.RemoveAll("cache")
	// Publish copies what correlate computed; redraw recomputes it from
	// the published sweep tables with the same code, so the two agree
	// byte for byte.
	same := []string{"tables/hypotheses.csv", "tables/hypotheses.parquet", "tables/correlation_summary.parquet", "README.md", "figures/fig4_correlation_width.svg"}
	before := map[string][]byte{}
	for _, f := range same {
		before[f], _ = os.ReadFile(filepath.Join("results/tiny", f))
		os.Remove(filepath.Join("results/tiny", f))
	}
	mustRun(t, "redraw", "--profile", "tiny")
	for _, f := range same {
		after, err := os.ReadFile(filepath.Join("results/tiny", f))
		if err != nil || !bytes.Equal(before[f], after) {
			t.Errorf("redraw gave a different %s than publish (err %v)", f, err)
		}
	}
}

func TestStatusWhyAndSelectiveReruns(t *testing.T) {
	workdir(t, map[string]string{"tiny.toml": tiny})
	mustRun(t, "run", "--profile", "tiny", "--cache", "cache", "--results", "results")

	// One treatment parameter changes: only the runs it changes rerun.
	edit := strings.Replace(tiny, "depth = [1, 2]", "depth = [1, 3]", 1)
	os.WriteFile("experiments/tiny.toml", []byte(edit), 0o644)
	out, _ := mustRun(t, "status", "--profile", "tiny", "--cache", "cache", "--why")
	if !strings.Contains(out, "tiny/train/depth=3,width=12/r0: stale") || strings.Contains(out, "depth=1,width=12/r0: stale") {
		t.Errorf("status --why after changing depth 2 to 3:\n%s", out)
	}
	_, e := mustRun(t, "run", "--profile", "tiny", "--cache", "cache", "--results", "results")
	ids := computed(e)
	if countStage(ids, "train") != 2 || countStage(ids, "evaluate") != 2 {
		t.Errorf("after changing one depth: computed %v, want the 2 new runs' train and evaluate jobs", ids)
	}

	// A changed epoch count is explained line by line.
	edit2 := strings.Replace(edit, "epochs = 3", "epochs = 4", 1)
	os.WriteFile("experiments/tiny.toml", []byte(edit2), 0o644)
	out, _ = mustRun(t, "status", "--profile", "tiny", "--cache", "cache", "--why")
	for _, want := range []string{"tiny/train/depth=1,width=12/r0: stale", "param epochs: 3 -> 4"} {
		if !strings.Contains(out, want) {
			t.Errorf("status --why lacks %q:\n%s", want, out)
		}
	}
	os.WriteFile("experiments/tiny.toml", []byte(edit), 0o644)

	// Changing the evaluation reruns evaluation, not training.
	edit3 := strings.Replace(edit, "checkpoints = [1, 3]\n", "checkpoints = [1, 3]\nsplit = \"val\"\n", 1)
	os.WriteFile("experiments/tiny.toml", []byte(edit3), 0o644)
	_, e = mustRun(t, "run", "--profile", "tiny", "--cache", "cache", "--results", "results")
	ids = computed(e)
	if countStage(ids, "train") != 0 || countStage(ids, "evaluate") != 4 {
		t.Errorf("after changing the evaluation split: computed %v, want 4 evaluate jobs and no training", ids)
	}

	// So does changing the checkpoints: they say which states are
	// evaluated, and are not in the training key. Epoch 2's state was not
	// kept (no checkpoint, no run continues from it): evaluation trains
	// it again from epoch 1's.
	edit4 := strings.Replace(edit3, "checkpoints = [1, 3]", "checkpoints = [1, 2, 3]", 1)
	os.WriteFile("experiments/tiny.toml", []byte(edit4), 0o644)
	out, _ = mustRun(t, "status", "--profile", "tiny", "--cache", "cache", "--why")
	if !strings.Contains(out, `param checkpoints: "1,3" -> "1,2,3"`) || strings.Contains(out, "train/depth=1,width=12/r0: stale") {
		t.Errorf("status --why after adding checkpoint 2:\n%s", out)
	}
	_, e = mustRun(t, "run", "--profile", "tiny", "--cache", "cache", "--results", "results")
	ids = computed(e)
	if countStage(ids, "train") != 0 || countStage(ids, "evaluate") != 4 {
		t.Errorf("after adding checkpoint 2: computed %v, want 4 evaluate jobs and no training", ids)
	}

	// A renamed copy of the experiment is the same computation: every
	// train and evaluate job is cached; only its report is its own.
	os.WriteFile("experiments/copy.toml", []byte(strings.Replace(edit4, `name = "tiny"`, `name = "copy"`, 1)), 0o644)
	out, _ = mustRun(t, "status", "--profile", "copy", "--cache", "cache")
	for _, stage := range []string{"prep", "train", "evaluate"} {
		if !regexp.MustCompile(`(?m)^\s*` + stage + `\s+\d+ cached\s+0 stale\s+0 blocked`).MatchString(out) {
			t.Errorf("renamed copy: %s jobs not all cached:\n%s", stage, out)
		}
	}
}

func TestCorruptCacheFileIsRecomputed(t *testing.T) {
	workdir(t, map[string]string{"tiny.toml": tiny})
	mustRun(t, "run", "--profile", "tiny", "--cache", "cache", "--until", "train")
	// Truncate every stored output: each must be detected and recomputed,
	// never read as a result.
	var outputs []string
	filepath.Walk("cache/o", func(p string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			outputs = append(outputs, p)
		}
		return nil
	})
	if len(outputs) == 0 {
		t.Fatal("no cached outputs found")
	}
	for _, p := range outputs {
		b, _ := os.ReadFile(p)
		os.Chmod(p, 0o644)
		os.WriteFile(p, b[:len(b)/2], 0o644)
	}
	_, e := mustRun(t, "run", "--profile", "tiny", "--cache", "cache", "--until", "train", "--verbose")
	if ids := computed(e); countStage(ids, "train") != 4 {
		t.Errorf("after truncating the cache's outputs: computed %v, want the 4 train jobs again", ids)
	}
	out, _ := mustRun(t, "verify", "--profile", "tiny", "--cache", "cache")
	if !strings.Contains(out, "every output matches") {
		t.Errorf("verify after repair: %q", out)
	}
}

func TestBadInputsGiveOneLine(t *testing.T) {
	workdir(t, map[string]string{
		"unknown.toml": strings.Replace(tiny, "seeds = 2", "seeds = 2\nsede = 3", 1),
		"badtype.toml": strings.Replace(tiny, "epochs = 3", `epochs = "three"`, 1),
		"empty.toml":   strings.Replace(tiny, "width = [12]", "width = []", 1),
		"negw.toml":    strings.Replace(tiny, "width = [12]", "width = [-5]", 1),
	})
	os.WriteFile("notadir", []byte("x"), 0o644)
	// 300 training images: 250 for training, 50 held out for validation.
	os.Mkdir("synth", 0o755)
	os.Mkdir("corrupt", 0o755)
	if err := dataset.WriteSynthetic("synth", 300, 50, 1, true); err != nil {
		t.Fatal(err)
	}
	dataset.WriteSynthetic("corrupt", 300, 50, 1, true)
	b, _ := os.ReadFile("corrupt/train-images-idx3-ubyte.gz")
	os.WriteFile("corrupt/train-images-idx3-ubyte.gz", b[:len(b)/2], 0o644)
	cases := []struct {
		args []string
		want string
		code int
	}{
		{[]string{"run", "--profile", "unknown", "--cache", "c"}, `ffchar: experiments/unknown.toml: unknown key "sede"`, 1},
		{[]string{"run", "--profile", "badtype", "--cache", "c"}, `ffchar: experiments/badtype.toml: base.epochs: want an integer, got string "three"`, 1},
		{[]string{"run", "--profile", "empty", "--cache", "c"}, "ffchar: experiments/empty.toml: grid.width:", 1},
		{[]string{"run", "--profile", "negw", "--cache", "c"}, "ffchar: experiments/negw.toml: grid.width: value -5: must be at least 1", 1},
		{[]string{"run", "--profile", "nosuch", "--cache", "c"}, "ffchar: ", 1},
		{[]string{"run", "--profile", "tiny", "--cache", "notadir/cache"}, "ffchar: ", 1},
		{[]string{"run", "--until", "fit"}, `ffchar: --until "fit": must be one of prep, train, evaluate, correlate, publish`, 2},
		{[]string{"train", "--depth", "0"}, "ffchar: --depth 0: must be at least 1", 2},
		{[]string{"train", "--width", "0"}, "ffchar: --width 0: must be at least 1", 2},
		{[]string{"train", "--set", "lr=-1"}, "ffchar: --set lr = -1: must be finite and > 0", 2},
		{[]string{"train", "--recipe", "hinton"}, `ffchar: --recipe "hinton": must be loewe or pezeshki`, 2},
		{[]string{"train", "--set", "lr"}, `ffchar: --set "lr": must be field=value`, 2},
		{[]string{"train", "--treatment", "x"}, "ffchar: --treatment x: selects runs of an experiment: give --profile too", 2},
		{[]string{"train", "--data", "notadir", "--epochs", "1"}, "ffchar: dataset: ", 1},
		{[]string{"plan", "--jobs", "0"}, "ffchar: --jobs 0: must be ≥ 1", 2},
		{[]string{"train", "--nosuchflag"}, "ffchar: flag provided but not defined: -nosuchflag", 2},
		{[]string{"train", "--data", "synth", "--batch-size", "400", "--epochs", "1"}, "ffchar: --batch-size 400: must not exceed the 250 training samples", 2},
		{[]string{"train", "--data", "synth", "--set", "lr=1e6", "--batch-size", "50", "--epochs", "3"}, "ffchar: epoch 1, batch ", 1},
		{[]string{"train", "--data", "corrupt", "--epochs", "1"}, "ffchar: dataset: corrupt/train-images-idx3-ubyte.gz: ", 1},
		{[]string{"train", "--record-every", "-1"}, "ffchar: --record-every -1: must be ≥ 0 (0 turns step recording off)", 2},
		{[]string{"train", "--probe", "-3"}, "ffchar: --probe -3: must be ≥ 0", 2},
	}
	for _, c := range cases {
		_, stderr, code := ffchar(t, c.args...)
		lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
		last := lines[len(lines)-1]
		if code != c.code || !strings.HasPrefix(last, c.want) {
			t.Errorf("ffchar %s: exit %d, last line %q; want exit %d and a line starting %q", strings.Join(c.args, " "), code, last, c.code, c.want)
		}
		if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
			t.Errorf("ffchar %s printed a stack trace:\n%s", strings.Join(c.args, " "), stderr)
		}
	}
}

// slow is a sweep whose runs take a noticeable time each, so that a
// process can be killed between two of them.
var slow = strings.NewReplacer(`name = "tiny"`, `name = "slow"`, "seeds = 2", "seeds = 3", "epochs = 3", "epochs = 60",
	"checkpoints = [1, 3]", "checkpoints = [60]", "train_limit = 300", "train_limit = 1000").Replace(tiny)

func TestKill9MidSweepThenRerun(t *testing.T) {
	workdir(t, map[string]string{"slow.toml": slow})
	cmd := command("run", "--profile", "slow", "--cache", "cache", "--results", "results", "--jobs", "1")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill the process as soon as it has finished its second training run,
	// while it is in the middle of the next one.
	sc := bufio.NewScanner(stderr)
	trained := 0
	for sc.Scan() {
		if strings.Contains(sc.Text(), "computed slow/train/") {
			trained++
			if trained == 2 {
				break
			}
		}
	}
	time.Sleep(20 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	// A run may have finished between the read and the kill: count every
	// run the killed process reported.
	rest, _ := io.ReadAll(stderr)
	trained += countStage(computed(string(rest)), "train")
	cmd.Wait()
	if trained < 2 || trained >= 6 {
		t.Fatalf("the kill came after %d of 6 runs; want it in the middle of the sweep", trained)
	}
	_, e := mustRun(t, "run", "--profile", "slow", "--cache", "cache", "--results", "results", "--jobs", "1")
	if got := countStage(computed(e), "train"); got != 6-trained {
		t.Errorf("after kill -9 with %d runs finished, the rerun trained %d runs, want %d:\n%s", trained, got, 6-trained, e)
	}
	out, _ := mustRun(t, "verify", "--profile", "slow", "--cache", "cache", "--sample", "2")
	if !strings.Contains(out, "every output matches") {
		t.Errorf("verify after the rerun: %q", out)
	}
}

func TestTwoProcessesShareACache(t *testing.T) {
	workdir(t, map[string]string{"slow.toml": slow})
	var logs [2]bytes.Buffer
	var cmds [2]*exec.Cmd
	for i := range cmds {
		cmds[i] = command("run", "--profile", "slow", "--cache", "cache", "--jobs", "1", "--until", "evaluate")
		cmds[i].Stderr = &logs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("process %d: %v\n%s", i, err, logs[i].String())
		}
	}
	trained := map[string]int{}
	for i := range logs {
		for _, id := range computed(logs[i].String()) {
			if strings.Contains(id, "/train/") {
				trained[id]++
			}
		}
	}
	if len(trained) != 6 {
		t.Errorf("the two processes trained %d distinct runs between them, want 6: %v", len(trained), trained)
	}
	for id, n := range trained {
		if n != 1 {
			t.Errorf("%s was trained %d times", id, n)
		}
	}
	out, _ := mustRun(t, "verify", "--profile", "slow", "--cache", "cache", "--sample", "2")
	if !strings.Contains(out, "every output matches") {
		t.Errorf("verify: %q", out)
	}
}

// TestHelpGolden keeps the manual (usage text) under review: rerun with
// -update after changing flags, and read the diff.
func TestHelpGolden(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"train", "--help"}, {"run", "--help"}, {"status", "--help"}} {
		out, _, code := ffchar(t, args...)
		if code != 0 {
			t.Errorf("ffchar %v: exit %d", args, code)
		}
		// The profile list is what the binary bundles, a user's own
		// experiments included: the golden file does not depend on it.
		out = strings.ReplaceAll(out, "("+strings.Join(experiments.Profiles(), ", ")+")", "(PROFILES)")
		name := filepath.Join("testdata", strings.Join(strings.Fields(strings.ReplaceAll(strings.Join(args, " "), "--", "")), "_")+".stdout")
		if *update {
			os.MkdirAll("testdata", 0o755)
			os.WriteFile(name, []byte(out), 0o644)
			continue
		}
		want, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("%v (run go test -update)", err)
		}
		if out != string(want) {
			t.Errorf("ffchar %v: usage text differs from %s; rerun with -update and review the diff\ngot:\n%s", args, name, out)
		}
	}
}

// TestPlanListsRuns checks the dry run against the experiment.
func TestPlanListsRuns(t *testing.T) {
	workdir(t, map[string]string{"tiny.toml": tiny})
	out, _ := mustRun(t, "plan", "--profile", "tiny", "--cache", "cache", "--runs")
	for _, want := range []string{"2 treatments × 2 seeds = 4 runs", "depth=1,width=12", "to compute: 4 of 4 runs"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "  run "); n != 4 {
		t.Errorf("plan --runs listed %d runs, want 4", n)
	}
}

// TestPlanCalibrates: without --gflops, plan measures the rate, by a short
// training of the costliest treatment before anything is cached and from
// the cached runs' recorded times after; --gflops overrides both. Every
// figure it prints carries a nonzero digit, however small the sweep (the
// tiny one's total is about 0.0008 TFLOP and a fraction of a second), and
// on a busy machine too: the calibration measures CPU time.
func TestPlanCalibrates(t *testing.T) {
	workdir(t, map[string]string{"tiny.toml": tiny})
	line := regexp.MustCompile(`(?m)^total ([0-9.]+) TFLOP, (about \S+|under 1s) with \d+ workers at ([0-9.]+) GFLOP/s each \((.*)\)$`)
	nonzero := regexp.MustCompile(`[1-9]`)
	check := func(out, from string) {
		t.Helper()
		m := line.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("plan states no total and rate:\n%s", out)
		}
		if g, err := strconv.ParseFloat(m[3], 64); err != nil || !(g > 0) || math.IsInf(g, 0) {
			t.Errorf("rate %q, want a positive number", m[3])
		}
		for _, fig := range []string{m[1], m[3]} {
			if !nonzero.MatchString(fig) {
				t.Errorf("figure %q has no nonzero digit:\n%s", fig, out)
			}
		}
		if m[2] == "about 0s" {
			t.Errorf("duration %q", m[2])
		}
		if !strings.HasPrefix(m[4], from) {
			t.Errorf("rate %s, want %s…", m[4], from)
		}
	}
	out, _ := mustRun(t, "plan", "--profile", "tiny", "--cache", "cache")
	check(out, "measured by training treatment depth=2,width=12 on one worker: 30 batches after 10 of warm-up, in ")
	if m := line.FindStringSubmatch(out); m != nil && runtime.GOOS == "linux" && !strings.Contains(m[4], "in CPU time") {
		t.Errorf("calibration on Linux not in CPU time: %s", m[4])
	}
	if m := regexp.MustCompile(`(?m)^to compute: 4 of 4 runs, ([0-9.]+) TFLOP, `).FindStringSubmatch(out); m == nil || !nonzero.MatchString(m[1]) {
		t.Errorf("the work to compute is not stated with a nonzero digit:\n%s", out)
	}
	mustRun(t, "run", "--profile", "tiny", "--cache", "cache", "--results", "results")
	out, _ = mustRun(t, "plan", "--profile", "tiny", "--cache", "cache")
	check(out, "measured from 4 cached runs of this experiment")
	out, _ = mustRun(t, "plan", "--profile", "tiny", "--cache", "cache", "--gflops", "7")
	check(out, "given with --gflops")
	if !strings.Contains(out, "at 7 GFLOP/s each") {
		t.Errorf("--gflops 7 not used:\n%s", out)
	}
}

// TestShardsCoverTheSweep runs the sweep as two shards whose index comes
// from GNU parallel's $PARALLEL_SEQ, then checks the merge and that the
// analysis needs no further training.
func TestShardsCoverTheSweep(t *testing.T) {
	workdir(t, map[string]string{"tiny.toml": tiny})
	_, _, code := ffchar(t, "check", "--profile", "tiny", "--cache", "cache")
	if code != 1 {
		t.Errorf("merge check of an empty cache: exit %d, want 1", code)
	}
	trained := 0
	for seq := 1; seq <= 2; seq++ {
		cmd := command("run", "--profile", "tiny", "--cache", "cache", "--shard-count", "2")
		cmd.Env = append(cmd.Env, "PARALLEL_SEQ="+strconv.Itoa(seq))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("shard %d: %v\n%s", seq-1, err, stderr.String())
		}
		n := countStage(computed(stderr.String()), "train")
		if n != 2 {
			t.Errorf("shard %d trained %d runs, want 2 of 4", seq-1, n)
		}
		trained += n
		if _, err := os.Stat("results/tiny"); err == nil {
			t.Errorf("shard %d published results", seq-1)
		}
	}
	out, _ := mustRun(t, "check", "--profile", "tiny", "--cache", "cache")
	if !strings.Contains(out, "all 4 runs of tiny are trained and evaluated") {
		t.Errorf("merge check after both shards: %q", out)
	}
	_, e := mustRun(t, "run", "--profile", "tiny", "--cache", "cache", "--results", "results")
	if ids := computed(e); len(ids) != 1 {
		t.Errorf("after the shards, the full run computed %v, want only correlate", ids)
	}
}

func TestShardIndexSources(t *testing.T) {
	for _, c := range []struct {
		env  []string
		args []string
		want string
	}{
		{nil, []string{"--shard-count", "2", "--shard-index", "2"}, "ffchar: shard index 2 (from --shard-index) must be in 0..1 for --shard-count 2"},
		{[]string{"SLURM_ARRAY_TASK_ID=5"}, []string{"--shard-count", "4"}, "ffchar: shard index 5 (from $SLURM_ARRAY_TASK_ID) must be in 0..3 for --shard-count 4"},
		{[]string{"JOB_COMPLETION_INDEX=x"}, []string{"--shard-count", "4"}, `ffchar: $JOB_COMPLETION_INDEX = "x": not an integer`},
		{nil, []string{"--shard-index", "1"}, "ffchar: --shard-index 1: needs --shard-count"},
		{nil, []string{"--shard-count", "0"}, "ffchar: --shard-count 0: must be ≥ 1"},
	} {
		for _, k := range []string{"SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX", "PARALLEL_SEQ"} {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
		for _, kv := range c.env {
			k, v, _ := strings.Cut(kv, "=")
			t.Setenv(k, v)
		}
		_, stderr, code := ffchar(t, append([]string{"run", "--profile", "smoke", "--cache", t.TempDir()}, c.args...)...)
		if code != 2 || strings.TrimSpace(stderr) != c.want {
			t.Errorf("env %v args %v: exit %d, %q; want exit 2, %q", c.env, c.args, code, stderr, c.want)
		}
	}
}

// TestGCKeepsCurrentExperiments: entries of a changed experiment's old
// runs go, the current ones stay cached.
func TestGCKeepsCurrentExperiments(t *testing.T) {
	workdir(t, map[string]string{"tiny.toml": tiny})
	mustRun(t, "run", "--profile", "tiny", "--cache", "cache", "--until", "evaluate")
	os.WriteFile("experiments/tiny.toml", []byte(strings.Replace(tiny, "depth = [1, 2]", "depth = [1]", 1)), 0o644)
	out, _ := mustRun(t, "gc", "--cache", "cache", "--keep", "experiments/tiny.toml", "--grace", "0s")
	// 2 train + 2 evaluate jobs, and the 8 training states of all 4 runs
	// (checkpoints 1 and 3), which no kept job refers to.
	if !strings.Contains(out, "removed 12 entries (8 of them training states)") {
		t.Errorf("gc after dropping depth 2 (2 train + 2 evaluate jobs): %q", out)
	}
	_, e := mustRun(t, "run", "--profile", "tiny", "--cache", "cache", "--until", "evaluate")
	if ids := computed(e); len(ids) != 0 {
		t.Errorf("after gc, the current experiment recomputed %v", ids)
	}
}

// TestTrainingCurvesAnalysis: an experiment may analyse the training
// curves (loeweX's logs) instead of validation; figure 6 then has no data
// (label accuracy is not computed on training batches) and is left out.
func TestTrainingCurvesAnalysis(t *testing.T) {
	workdir(t, map[string]string{"tiny.toml": strings.Replace(tiny, "checkpoints = [1, 3]\n", "checkpoints = [1, 3]\ncurves = \"train\"\n", 1)})
	mustRun(t, "run", "--profile", "tiny", "--cache", "cache", "--results", "results")
	readme, _ := os.ReadFile("results/tiny/README.md")
	if !strings.Contains(string(readme), "this sweep's training curves") {
		t.Errorf("results README does not say it analysed the training curves")
	}
	if _, err := os.Stat("results/tiny/figures/fig6_label_accuracy.png"); err == nil {
		t.Errorf("figure 6 drawn without label accuracies")
	}
	if _, err := os.Stat("results/tiny/figures/fig1_accuracy.png"); err != nil {
		t.Errorf("figure 1 missing: %v", err)
	}
}

// TestTrainOutRecordsSteps checks that ffchar train --out writes the
// step-resolution rows: a probe row at step 0 and at every scheduled step
// of the 5-step epochs (250 samples, batch 50), the probe capped at the 50
// validation samples, training-stream rows from step 1, and epoch rows at
// the steps that end their epochs.
func TestTrainOutRecordsSteps(t *testing.T) {
	workdir(t, nil)
	os.Mkdir("synth", 0o755)
	if err := dataset.WriteSynthetic("synth", 300, 50, 1, true); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "train", "--data", "synth", "--epochs", "2", "--batch-size", "50", "--depth", "2", "--width", "16", "--record-every", "3", "--out", "m.parquet")
	rows, _, err := artifacts.ReadMetrics("m.parquet")
	if err != nil {
		t.Fatal(err)
	}
	probe, stream := map[int]int{}, map[int]int{}
	epochStep := map[int]int{}
	for _, r := range rows {
		switch r.Split {
		case artifacts.SplitProbe:
			probe[r.Step]++
			if r.Samples != 50 {
				t.Errorf("probe row at step %d covers %d samples, want 50", r.Step, r.Samples)
			}
		case artifacts.SplitStream:
			stream[r.Step]++
		case artifacts.SplitVal:
			epochStep[r.Epoch] = r.Step
		}
	}
	// Schedule every 3: 0, 1, 2, 3, 6, 9 and the epoch ends 5 and 10.
	for _, st := range []int{0, 1, 2, 3, 5, 6, 9, 10} {
		if probe[st] != 2 {
			t.Errorf("step %d: %d probe rows, want 2 (one per layer)", st, probe[st])
		}
		if want := 2 * min(st, 1); stream[st] != want {
			t.Errorf("step %d: %d stream rows, want %d", st, stream[st], want)
		}
	}
	if len(probe) != 8 || epochStep[1] != 5 || epochStep[2] != 10 {
		t.Errorf("probe steps %v, epoch steps %v", probe, epochStep)
	}
}
