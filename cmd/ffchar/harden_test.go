package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ffchar/ffchar/dataset"
)

// listTree returns "path sha256" for every file below dir (links and
// folders by name), sorted: two folders are the same publish exactly when
// their listings are equal.
func listTree(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		line := rel + " " + fi.Mode().Type().String()
		if fi.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			line += fmt.Sprintf(" %x", sha256.Sum256(b))
		}
		lines = append(lines, line)
		return nil
	})
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// oneLine checks that a failed command printed exactly one line and no
// stack trace.
func oneLine(t *testing.T, what, stderr string) {
	t.Helper()
	if strings.Count(strings.TrimRight(stderr, "\n"), "\n") != 0 || strings.Contains(stderr, "goroutine") {
		t.Errorf("%s: want one line on stderr, got:\n%s", what, stderr)
	}
}

// TestHostileNamesRefused: experiment names that are paths are refused by
// every command that builds a folder from them, and nothing is written
// outside the working folder's results/ and cache.
func TestHostileNamesRefused(t *testing.T) {
	outer := t.TempDir()
	wd := filepath.Join(outer, "a", "b")
	files := map[string]string{}
	names := []string{"..", ".", "", "a/../..", "../../../escaped", "x\ny", ".hidden"}
	for i, name := range names {
		files[fmt.Sprintf("n%d.toml", i)] = strings.Replace(tiny, `name = "tiny"`, fmt.Sprintf("name = %q", name), 1)
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(wd, "experiments"), 0o755))
	for n, body := range files {
		must(os.WriteFile(filepath.Join(wd, "experiments", n), []byte(body), 0o644))
	}
	t.Chdir(wd)
	before := listTree(t, outer)
	tried := 0
	for i, name := range names {
		p := fmt.Sprintf("n%d", i)
		for _, args := range [][]string{
			{"run", "--profile", p, "--cache", "cache", "--results", "results"},
			{"publish", "--profile", p, "--cache", "cache"},
			{"redraw", "--profile", p},
			{"plan", "--profile", p, "--cache", "cache"},
			{"status", "--profile", p, "--cache", "cache"},
			{"verify", "--profile", p, "--cache", "cache"},
			{"slurm", "submit", "--profile", p, "--cache", "cache", "--dry-run"},
			{"slurm", "submit", "--profile", p, "--cache", "cache"},
		} {
			tried++
			_, stderr, code := ffchar(t, args...)
			if code == 0 || !strings.Contains(stderr, "name: value "+fmt.Sprintf("%q", name)) {
				t.Errorf("name %q: ffchar %s: exit %d, %q; want it refused naming the name", name, strings.Join(args, " "), code, stderr)
			}
			oneLine(t, "ffchar "+strings.Join(args, " "), stderr)
		}
	}
	if after := listTree(t, outer); after != before {
		t.Errorf("refused commands wrote files:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	t.Logf("%d hostile-name commands refused", tried)
}

// TestSlurmHostileValues: values with control characters are refused;
// others reach the scripts quoted. The scripts pass bash -n, every line is
// one of the expected kinds, all #SBATCH lines come first, and each
// command line, evaluated by bash, gives back exactly the values given.
func TestSlurmHostileValues(t *testing.T) {
	workdir(t, map[string]string{"tiny.toml": tiny})
	refused := []struct{ flag, value string }{
		{"partition", "cpu\ntouch pwned"},
		{"time", "1:00\n#SBATCH --uid=0"},
		{"mem", "4G\rtouch pwned"},
		{"partition", "cpu; touch pwned"},
		{"time", "$(touch pwned)"},
		{"mem", "4G`touch pwned`"},
		{"cache", "c\nd"},
		{"results", "r\x00"},
		{"results", "r\ntouch pwned"},
		{"script-dir", "s d"},
		{"script-dir", "logs/%j"},
		{"profile", "experiments/tiny.toml\ntouch pwned"},
	}
	for _, r := range refused {
		_, stderr, code := ffchar(t, "slurm", "submit", "--profile", "tiny", "--cache", "cache", "--dry-run", "--"+r.flag, r.value)
		if code == 0 {
			t.Errorf("--%s %q: accepted", r.flag, r.value)
		}
		oneLine(t, "--"+r.flag, stderr)
	}

	// Quoted, not refused: spaces, quotes, $, backquotes and ; in paths
	// that reach only command lines.
	hostile := "r $(touch pwned) `touch pwned` 'q' \"d\"; touch pwned"
	os.MkdirAll("p $x 'q'", 0o755)
	b, _ := os.ReadFile("experiments/tiny.toml")
	os.WriteFile("p $x 'q'/tiny.toml", b, 0o644)
	out, stderr, code := ffchar(t, "slurm", "submit", "--profile", "p $x 'q'/tiny.toml", "--cache", "c $(touch pwned)",
		"--script-dir", "logs", "--results", hostile, "--partition", "cpu,gpu", "--time", "1-00:00:00", "--mem", "4G", "--dry-run")
	if code != 0 {
		t.Fatalf("dry run: exit %d: %s", code, stderr)
	}
	scripts := strings.Split(out, "\n# ")
	if len(scripts) != 3 {
		t.Fatalf("dry run printed %d parts, want two scripts and the sbatch commands:\n%s", len(scripts), out)
	}
	// The lines that pass SIGTERM on to ffchar and requeue the task are
	// fixed text.
	requeue := `pid=\$!|trap 'kill -TERM "\$pid" 2>/dev/null' TERM|rc=0|wait "\$pid" \|\| rc=\$\?|` +
		`for _ in 1 2 3; do \[ "\$rc" -gt 128 \] \|\| break; rc=0; wait "\$pid" \|\| rc=\$\?; done|` +
		`if \[ "\$rc" -eq 75 \]; then|\techo "ffchar: stopped with its runs' states stored; requeueing task \$SLURM_ARRAY_TASK_ID \(job \$SLURM_JOB_ID\)"|` +
		`\tscontrol requeue "\$SLURM_JOB_ID"|fi|exit "\$rc"`
	allowed := regexp.MustCompile(`^(#!/bin/bash|#SBATCH --[a-z-]+(=[A-Za-z0-9._/+,=@:%-]+)?|set -euo pipefail|set -uo pipefail|cd .+|# Task .+|(exec )?\S+ (run|check) .+|` + requeue + `|)$`)
	dir := t.TempDir()
	for i, part := range scripts[:2] {
		_, body, _ := strings.Cut(part, "\n")
		path := filepath.Join(dir, fmt.Sprintf("s%d.sbatch", i))
		os.WriteFile(path, []byte(body), 0o644)
		if out, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
			t.Errorf("bash -n on script %d: %v\n%s", i, err, out)
		}
		commands := false
		for _, l := range strings.Split(body, "\n") {
			if !allowed.MatchString(l) {
				t.Errorf("script %d: unexpected line %q", i, l)
			}
			if strings.HasPrefix(l, "#SBATCH") && commands {
				t.Errorf("script %d: #SBATCH line after a command: %q", i, l)
			}
			if l != "" && !strings.HasPrefix(l, "#") {
				commands = true
			}
			if strings.HasPrefix(l, "cd ") || strings.Contains(l, " run ") || strings.Contains(l, " check ") {
				// Let bash split the line into words and print them.
				words := strings.TrimPrefix(l, "exec ")
				got, err := exec.Command("bash", "-c", "cd "+dir+" && printf '%s\\n' "+words).Output()
				if err != nil {
					t.Errorf("evaluating %q: %v", l, err)
				}
				for _, v := range []string{hostile, "c $(touch pwned)", "p $x 'q'/tiny.toml"} {
					if strings.Contains(l, " --results ") && v == hostile && !strings.Contains(string(got), "\n"+filepath.Join(mustGetwd(t), v)+"\n") {
						t.Errorf("line %q: bash gives words\n%s\nwithout the results folder %q", l, got, v)
					}
				}
			}
		}
	}
	// The printed sbatch commands are a valid script too, and quote the
	// script paths.
	i := strings.Index(scripts[2], "array=$(sbatch")
	if i < 0 {
		t.Fatalf("dry run does not print runnable sbatch commands:\n%s", scripts[2])
	}
	cmds := scripts[2][i:]
	path := filepath.Join(dir, "submit.sh")
	os.WriteFile(path, []byte(cmds), 0o644)
	if out, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
		t.Errorf("bash -n on the printed sbatch commands: %v\n%s\n%s", err, out, cmds)
	}
	for _, p := range []string{dir, "."} {
		if _, err := os.Stat(filepath.Join(p, "pwned")); err == nil {
			t.Errorf("a hostile value ran as a command in %s", p)
		}
	}
	// --mem is checked against the runs' memory.
	_, stderr, code = ffchar(t, "slurm", "submit", "--profile", "quick", "--cache", "cache", "--mem", "10M", "--dry-run")
	if code == 0 || !strings.Contains(stderr, "more than --mem 10M") {
		t.Errorf("--mem 10M: exit %d, %q", code, stderr)
	}
}

func mustGetwd(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

// TestVerifyEmptyCache: verify with nothing cached fails with one line and
// trains nothing, unless asked to.
func TestVerifyEmptyCache(t *testing.T) {
	workdir(t, map[string]string{"tiny.toml": tiny})
	_, stderr, code := ffchar(t, "verify", "--profile", "tiny", "--cache", "cache")
	if code != 1 || !strings.Contains(stderr, "nothing verified") {
		t.Errorf("verify on an empty cache: exit %d, %q", code, stderr)
	}
	oneLine(t, "verify", stderr)
	if _, err := os.Stat("cache/a"); err == nil {
		if n := countFiles(t, "cache/o"); n != 0 {
			t.Errorf("verify on an empty cache stored %d outputs", n)
		}
	}
	out, e := mustRun(t, "verify", "--profile", "tiny", "--cache", "cache", "--compute-missing", "--sample", "1")
	if len(computed(e)) == 0 || !strings.Contains(out, "verified 3 jobs") {
		t.Errorf("verify --compute-missing:\n%s%s", out, e)
	}
}

func countFiles(t *testing.T, dir string) int {
	n := 0
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			n++
		}
		return nil
	})
	return n
}

// TestBoundsGiveOneLine: sizes that used to panic, exhaust memory or
// overflow are refused with one line.
func TestBoundsGiveOneLine(t *testing.T) {
	const max = "9223372036854775807"
	edits := map[string][2]string{
		"width":  {"width = [12]", "width = [" + max + "]"},
		"seeds":  {"seeds = 2", "seeds = " + max},
		"epochs": {"epochs = 3", "epochs = " + max},
		"depth":  {"depth = [1, 2]", "depth = [" + max + "]"},
		"big":    {"width = [12]", "width = [1000000]"},
		"train":  {"train_limit = 300", "train_limit = 1000000000"},
		"batch":  {"batch_size = 50", "batch_size = 500"},
	}
	files := map[string]string{"tiny.toml": tiny}
	for name, e := range edits {
		files[name+".toml"] = strings.Replace(tiny, e[0], e[1], 1)
	}
	workdir(t, files)
	for name := range edits {
		for _, cmd := range []string{"plan", "run"} {
			_, stderr, code := ffchar(t, cmd, "--profile", name, "--cache", "cache")
			if code == 0 {
				t.Errorf("%s with %s: accepted", cmd, name)
			}
			oneLine(t, cmd+" "+name, stderr)
		}
	}
	for _, args := range [][]string{
		{"train", "--width", max}, {"train", "--depth", max}, {"train", "--epochs", max},
		{"train", "--batch-size", max}, {"train", "--depth", "3", "--width", "1000000"},
		{"train", "--set", "widths=" + max, "--depth", "1"},
	} {
		_, stderr, code := ffchar(t, args...)
		if code == 0 {
			t.Errorf("%v: accepted", args)
		}
		oneLine(t, strings.Join(args, " "), stderr)
	}
	// Durations beyond time.Duration's range.
	out, _ := mustRun(t, "plan", "--profile", "tiny", "--cache", "cache", "--gflops", "1e-12")
	if !strings.Contains(out, "about more than a century") || strings.Contains(out, "-") && strings.Contains(out, "about -") {
		t.Errorf("plan at 1e-12 GFLOP/s:\n%s", out)
	}
}

// TestGzipBombAsData: a 200 MB stream under a header announcing 300
// images, passed as --data, is refused with one line.
func TestGzipBombAsData(t *testing.T) {
	t.Chdir(t.TempDir())
	os.Mkdir("bomb", 0o755)
	if err := writeSyntheticDir("bomb"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := newBomb(&buf, 300, 200)
	zw.Close()
	os.WriteFile("bomb/train-images-idx3-ubyte.gz", buf.Bytes(), 0o644)
	_, stderr, code := ffchar(t, "train", "--data", "bomb", "--epochs", "1")
	if code != 1 || !strings.Contains(stderr, "inflates beyond") {
		t.Errorf("gzip bomb as --data: exit %d, %q", code, stderr)
	}
	oneLine(t, "gzip bomb", stderr)
}

// TestStatusWhyDamaged: an output damaged in place is reported as damaged.
func TestStatusWhyDamaged(t *testing.T) {
	workdir(t, map[string]string{"tiny.toml": tiny})
	mustRun(t, "run", "--profile", "tiny", "--cache", "cache", "--until", "prep")
	filepath.Walk("cache/o", func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			os.Chmod(p, 0o644)
			os.WriteFile(p, []byte("garbage"), 0o644)
		}
		return nil
	})
	out, _ := mustRun(t, "status", "--profile", "tiny", "--cache", "cache", "--why")
	if !strings.Contains(out, "tiny/prep: stale: output") || !strings.Contains(out, "is in the cache but damaged") || strings.Contains(out, "no longer in the cache") {
		t.Errorf("status --why with damaged outputs:\n%s", out)
	}
}

// TestFIFOInCacheAndSignals: FIFOs in place of every cache file give
// misses or errors, never a hang; a command blocked where it cannot be
// cancelled (reading an experiment file that is a FIFO) still ends soon
// after SIGTERM or SIGINT.
func TestFIFOInCacheAndSignals(t *testing.T) {
	workdir(t, map[string]string{"tiny.toml": tiny})
	mustRun(t, "run", "--profile", "tiny", "--cache", "cache", "--until", "prep")
	filepath.Walk("cache", func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() && p != "cache/README" {
			os.Remove(p)
			syscall.Mkfifo(p, 0o666)
		}
		return nil
	})
	for _, args := range [][]string{
		{"status", "--profile", "tiny", "--cache", "cache", "--why"},
		{"gc", "--cache", "cache", "--dry-run"},
		{"plan", "--profile", "tiny", "--cache", "cache"},
		{"run", "--profile", "tiny", "--cache", "cache", "--until", "prep"},
		{"gc", "--cache", "cache", "--grace", "0s"},
		{"run", "--profile", "tiny", "--cache", "cache", "--until", "prep"},
	} {
		cmd := command(args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		cmd.Start()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Errorf("ffchar %s hangs on FIFOs in the cache", strings.Join(args, " "))
		}
		if strings.Contains(stderr.String(), "goroutine") {
			t.Errorf("ffchar %s: stack trace:\n%s", strings.Join(args, " "), stderr.String())
		}
	}
	// After gc removed the FIFOs, the last run healed the cache.
	if out, _ := mustRun(t, "status", "--profile", "tiny", "--cache", "cache"); !regexp.MustCompile(`prep\s+1 cached`).MatchString(out) {
		t.Errorf("after gc and a rerun:\n%s", out)
	}

	syscall.Mkfifo("blocked.toml", 0o666)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		cmd := command("plan", "--profile", "blocked.toml", "--cache", "cache")
		cmd.Start()
		time.Sleep(300 * time.Millisecond) // let it block in open
		cmd.Process.Signal(sig)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err == nil {
				t.Errorf("%v: exit 0", sig)
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Errorf("%v did not stop a command blocked on a FIFO", sig)
		}
	}
}

// TestPublishKilledNeverMixed kills publish at many points while it
// replaces one version of an experiment's results by another: the folder
// is always exactly one of the two, and stale temporaries are cleaned by
// the next publish.
func TestPublishKilledNeverMixed(t *testing.T) {
	v2 := strings.Replace(strings.Replace(tiny, "depth = [1, 2]", "depth = [1, 3]", 1),
		"description = \"test sweep\"", "description = \"test sweep, version 2\"", 1)
	workdir(t, map[string]string{"tiny.toml": tiny, "tiny2.toml": strings.Replace(v2, `name = "tiny"`, `name = "tiny"`, 1)})
	// Reference publishes of both versions.
	mustRun(t, "run", "--profile", "tiny", "--cache", "cache", "--results", "ref1")
	mustRun(t, "run", "--profile", "tiny2", "--cache", "cache", "--results", "ref2")
	ref := []string{listTree(t, "ref1/tiny"), listTree(t, "ref2/tiny")}
	if ref[0] == ref[1] {
		t.Fatal("the two versions publish the same files")
	}
	mustRun(t, "publish", "--profile", "tiny", "--cache", "cache")
	// Time a whole publish as a process, to spread the kills over it.
	start := time.Now()
	if out, err := command("publish", "--profile", "tiny2", "--cache", "cache").CombinedOutput(); err != nil {
		t.Fatalf("publish: %v\n%s", err, out)
	}
	full := time.Since(start) * 5 / 4

	const kills = 12
	mixed, whole := 0, map[int]int{}
	for i := range kills {
		profile := []string{"tiny", "tiny2"}[i%2]
		cmd := command("publish", "--profile", profile, "--cache", "cache")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(full * time.Duration(i) / kills)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		got := listTree(t, "results/tiny")
		switch got {
		case ref[0]:
			whole[0]++
		case ref[1]:
			whole[1]++
		default:
			mixed++
			t.Errorf("kill %d: results/tiny is neither version:\n%s", i, got)
		}
	}
	t.Logf("%d kills: %d left version 1, %d version 2, %d mixed", kills, whole[0], whole[1], mixed)
	// The next publish leaves none of its own temporaries behind, whatever
	// the kills left, and leaves alone look-alikes it did not make.
	os.WriteFile("results/.tiny.tmp-STALE", []byte("x"), 0o644)
	os.MkdirAll("results/.tiny.tmp-STALEDIR/figures", 0o755)
	mustRun(t, "publish", "--profile", "tiny", "--cache", "cache")
	filepath.Walk("results", func(p string, fi os.FileInfo, err error) error {
		if err == nil && strings.Contains(filepath.Base(p), ".tmp-") && !strings.Contains(p, "STALE") {
			t.Errorf("stale temporary %s left after a publish", p)
		}
		return nil
	})
	for _, p := range []string{"results/.tiny.tmp-STALE", "results/.tiny.tmp-STALEDIR/figures"} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("publish removed %s, which it did not make: %v", p, err)
		}
	}
	if got := listTree(t, "results/tiny"); got != ref[0] {
		t.Errorf("after the final publish: not version 1")
	}
	if b, _ := os.ReadFile("results/README.md"); strings.Contains(string(b), ".tmp-") {
		t.Errorf("the results index lists a temporary folder")
	}
}

func writeSyntheticDir(dir string) error { return dataset.WriteSynthetic(dir, 300, 50, 1, true) }

// newBomb starts a gzipped IDX image file whose header announces n images
// of 28×28 pixels and whose data runs to mb megabytes of zeros.
func newBomb(w io.Writer, n uint32, mb int) *gzip.Writer {
	zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
	head := make([]byte, 16)
	binary.BigEndian.PutUint32(head, 0x0803)
	binary.BigEndian.PutUint32(head[4:], n)
	binary.BigEndian.PutUint32(head[8:], 28)
	binary.BigEndian.PutUint32(head[12:], 28)
	zw.Write(head)
	zeros := make([]byte, 1<<20)
	for range mb {
		zw.Write(zeros)
	}
	return zw
}
