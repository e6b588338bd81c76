package main

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/urfave/cli/v2"

	"github.com/ffchar/ffchar/internal/atomicfile"
	"github.com/ffchar/ffchar/internal/safepath"
)

func slurmCommand() *cli.Command {
	return &cli.Command{
		Name:  "slurm",
		Usage: "run a sweep on a Slurm cluster",
		Subcommands: []*cli.Command{{
			Name:  "submit",
			Usage: "submit an experiment as a Slurm job array (train and evaluate) and a dependent job (analysis and publish)",
			Description: `Writes two sbatch scripts and submits them: a job array whose task i runs
shard i of the experiment's runs (training and evaluation; shard i takes the
runs at positions ≡ i mod N), and a job that starts when every task has
succeeded (--dependency=afterok), checks that every run is in the cache and
runs the remaining stages. Slurm does the scheduling; ffchar only splits the
runs. --cache must be on a file system every node sees; tasks that find a run
already cached skip it, so a resubmitted array redoes only what is missing.
The results are the same, digest for digest, as those of a local run.`,
			Flags: []cli.Flag{
				profileFlag,
				&cli.StringFlag{Name: "cache", Required: true, Usage: "cache directory on a file system shared by the nodes"},
				&cli.IntFlag{Name: "array-size", Usage: "array tasks", DefaultText: "one per run, at most 100"},
				&cli.IntFlag{Name: "cpus-per-task", Value: 2, Usage: "cores per array task; each runs that many runs at once"},
				&cli.StringFlag{Name: "partition", Usage: "Slurm partition"},
				&cli.StringFlag{Name: "time", Usage: "time limit per task, as sbatch --time takes it"},
				&cli.IntFlag{Name: "stop-before", Value: 120, Usage: "seconds before a task's time limit at which Slurm sends SIGTERM (sbatch --signal): ffchar stores each run's state at its next batch and the task is requeued to continue from it"},
				&cli.StringFlag{Name: "mem", Usage: "memory per task, as sbatch --mem takes it"},
				resultsFlag,
				&cli.StringFlag{Name: "script-dir", Usage: "where the scripts and logs go", DefaultText: "<cache>/slurm/<experiment>"},
				&cli.BoolFlag{Name: "dry-run", Usage: "print the scripts and sbatch commands instead of submitting"},
				&cli.BoolFlag{Name: "wait", Usage: "wait until the dependent job has finished (sbatch --wait)"},
			},
			Action: slurmSubmit,
		}},
	}
}

func slurmSubmit(c *cli.Context) error {
	exp, err := loadExperiment(c.String("profile"))
	if err != nil {
		return err
	}
	cache, err := filepath.Abs(c.String("cache"))
	if err != nil {
		return err
	}
	runs := len(exp.Runs())
	n := c.Int("array-size")
	switch {
	case !c.IsSet("array-size"):
		n = min(runs, 100)
	case n < 1:
		return flagError("array-size", n, "must be ≥ 1")
	case n > runs:
		return flagError("array-size", n, fmt.Sprintf("must not exceed the experiment's %d runs", runs))
	}
	cpus := c.Int("cpus-per-task")
	if cpus < 1 {
		return flagError("cpus-per-task", cpus, "must be ≥ 1")
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	results, err := filepath.Abs(c.String("results"))
	if err != nil {
		return err
	}
	dir := c.String("script-dir")
	// The default script folder is below the cache, which others may
	// share: it is written through an os.Root on the cache, and a link
	// on the way is refused (whoever controls a link target would
	// control the submitted scripts). A --script-dir is the user's own
	// choice and is written as given.
	inCache := dir == ""
	if inCache {
		if dir, err = safepath.Join(filepath.Join(cache, "slurm"), exp.Name); err != nil {
			return fmt.Errorf("slurm: experiment name %q: %v", exp.Name, err)
		}
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return err
	}
	if err := checkSlurmValues(c, map[string]string{"ffchar executable": self, "working directory": wd,
		"cache": cache, "results": results, "script-dir": dir}); err != nil {
		return err
	}
	if v := c.String("mem"); v != "" {
		mem, _ := slurmMem(v) // checked above
		if err := checkMemory(exp, exp.Runs(), cpus, mem, "--mem "+v); err != nil {
			return err
		}
	}
	warn := c.Int("stop-before")
	if warn < 1 || warn > 65535 {
		return flagError("stop-before", warn, "must be in 1..65535 seconds")
	}
	profile := c.String("profile")
	// Every #SBATCH line comes before the first command (sbatch ignores
	// the ones after it) and holds only values checked above.
	header := func(name, output string, extra ...string) string {
		var b strings.Builder
		fmt.Fprintf(&b, "#!/bin/bash\n#SBATCH --job-name=ffchar-%s-%s\n#SBATCH --output=%s\n", exp.Name, name, filepath.Join(dir, output))
		fmt.Fprintf(&b, "#SBATCH --cpus-per-task=%d\n", cpus)
		for _, f := range []string{"partition", "time", "mem"} {
			if v := c.String(f); v != "" {
				fmt.Fprintf(&b, "#SBATCH --%s=%s\n", f, v)
			}
		}
		for _, x := range extra {
			fmt.Fprintf(&b, "#SBATCH %s\n", x)
		}
		return b.String()
	}
	q := shellQuote
	// Slurm signals the batch shell (B:) before the time limit, and on
	// preemption; the shell passes SIGTERM on to ffchar, which stores
	// each run's state at its next batch and exits ExitRequeue, and the
	// task requeues itself to continue from those states. A trapped
	// signal ends a wait early (status > 128): the loop waits for ffchar
	// itself.
	train := header("train", "train-%A_%a.log", fmt.Sprintf("--array=0-%d", n-1), "--requeue", "--open-mode=append", fmt.Sprintf("--signal=B:TERM@%d", warn)) +
		fmt.Sprintf("set -uo pipefail\ncd %s\n", q(wd)) +
		fmt.Sprintf("# Task $SLURM_ARRAY_TASK_ID trains and evaluates shard $SLURM_ARRAY_TASK_ID of %d.\n", n) +
		fmt.Sprintf("%s run --profile %s --cache %s --until evaluate --shard-count %d --jobs %d &\n", q(self), q(profile), q(cache), n, cpus) +
		"pid=$!\ntrap 'kill -TERM \"$pid\" 2>/dev/null' TERM\n" +
		"rc=0\nwait \"$pid\" || rc=$?\n" +
		"for _ in 1 2 3; do [ \"$rc\" -gt 128 ] || break; rc=0; wait \"$pid\" || rc=$?; done\n" +
		fmt.Sprintf("if [ \"$rc\" -eq %d ]; then\n", ExitRequeue) +
		"\techo \"ffchar: stopped with its runs' states stored; requeueing task $SLURM_ARRAY_TASK_ID (job $SLURM_JOB_ID)\"\n" +
		"\tscontrol requeue \"$SLURM_JOB_ID\"\nfi\nexit \"$rc\"\n"
	analyse := header("analyse", "analyse-%j.log") +
		fmt.Sprintf("set -euo pipefail\ncd %s\n", q(wd)) +
		fmt.Sprintf("%s check --profile %s --cache %s\n", q(self), q(profile), q(cache)) +
		fmt.Sprintf("exec %s run --profile %s --cache %s --results %s --jobs %d\n", q(self), q(profile), q(cache), q(results), cpus)
	trainPath, analysePath := filepath.Join(dir, "train.sbatch"), filepath.Join(dir, "analyse.sbatch")
	waitFlag := ""
	if c.Bool("wait") {
		waitFlag = " --wait"
	}
	if c.Bool("dry-run") {
		fmt.Fprintf(c.App.Writer, "# %s\n%s\n# %s\n%s\n", trainPath, train, analysePath, analyse)
		fmt.Fprintf(c.App.Writer, "array=$(sbatch --parsable %s)\nsbatch --parsable --dependency=afterok:\"${array%%%%;*}\" --kill-on-invalid-dep=yes%s %s\n", q(trainPath), waitFlag, q(analysePath))
		return nil
	}
	if inCache {
		if err := writeCacheScripts(cache, exp.Name, map[string]string{"train.sbatch": train, "analyse.sbatch": analyse}); err != nil {
			return err
		}
	} else {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		for path, body := range map[string]string{trainPath: train, analysePath: analyse} {
			if err := writeExecutable(path, body); err != nil {
				return err
			}
		}
	}
	id, err := sbatch(trainPath)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "submitted array job %s: %d tasks over %d runs of %s (logs in %s)\n", id, n, runs, exp.Name, dir)
	// Without --kill-on-invalid-dep a failed task would leave the
	// analysis job pending forever.
	args := []string{"--dependency=afterok:" + id, "--kill-on-invalid-dep=yes"}
	if c.Bool("wait") {
		args = append(args, "--wait")
	}
	fid, err := sbatch(analysePath, args...)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "submitted analysis job %s after %s\n", fid, id)
	return nil
}

// Values that go on #SBATCH lines: sbatch reads those lines itself,
// without a shell, so they cannot be quoted; they must be plain. Each has
// its pattern and what the error says it must be.
var sbatchValue = map[string]struct {
	re   *regexp.Regexp
	want string
}{
	"partition": {regexp.MustCompile(`^[A-Za-z0-9._,-]+$`), "must be a Slurm partition name (letters, digits and ._,-)"},
	"time":      {regexp.MustCompile(`^[0-9][0-9:-]*$`), "must be a time limit as sbatch --time takes it (digits, : and -)"},
	"mem":       {regexp.MustCompile(`^([0-9]+)([KMGT]?)B?$`), "must be a size as sbatch --mem takes it (digits, then K, M, G or T)"},
	// The log folder, on --output lines; no "%", which sbatch expands.
	"script-dir": {regexp.MustCompile(`^[A-Za-z0-9._/+,=@:-]+$`),
		"must be a folder path of letters, digits and ._/+,=@:- (it goes on #SBATCH lines); give another --script-dir"},
}

// checkSlurmValues refuses, with one line naming the flag, any value that
// would reach a script with a control character (a newline would start a
// new line of the script), and any #SBATCH value that is not plain.
// Values on command lines are shell-quoted where they are written.
func checkSlurmValues(c *cli.Context, paths map[string]string) error {
	values := map[string]string{"profile": c.String("profile")}
	for _, f := range []string{"partition", "time", "mem"} {
		values[f] = c.String(f)
	}
	for k, v := range paths {
		values[k] = v
	}
	names := make([]string, 0, len(values))
	for k := range values {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		v := values[k]
		if strings.IndexFunc(v, unicode.IsControl) >= 0 || !utf8.ValidString(v) {
			if strings.Contains(k, " ") { // not a flag
				return fmt.Errorf("slurm: %s %s: must not contain control characters", k, strconv.Quote(v))
			}
			return flagError(k, strconv.Quote(v), "must not contain control characters")
		}
		if sv, ok := sbatchValue[k]; ok && v != "" && !sv.re.MatchString(v) {
			return flagError(k, strconv.Quote(v), sv.want)
		}
	}
	return nil
}

// sbatch submits a script and returns the job ID.
func sbatch(script string, args ...string) (string, error) {
	cmd := exec.Command("sbatch", append(append([]string{"--parsable"}, args...), script)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("sbatch %s: %v: %s", script, err, strings.TrimSpace(errb.String()))
	}
	// --parsable prints "jobid" or "jobid;cluster".
	id, _, _ := strings.Cut(strings.TrimSpace(out.String()), ";")
	if _, err := strconv.Atoi(id); err != nil {
		return "", fmt.Errorf("sbatch %s: unexpected output %q", script, out.String())
	}
	return id, nil
}

// writeCacheScripts writes the scripts, by file name, into
// <cache>/slurm/<name>, through an os.Root on the cache: no link on the
// way is followed.
func writeCacheScripts(cache, name string, scripts map[string]string) error {
	if err := os.MkdirAll(cache, 0o777); err != nil {
		return fmt.Errorf("slurm: %w", err)
	}
	root, err := os.OpenRoot(cache)
	if err != nil {
		return fmt.Errorf("slurm: %w", err)
	}
	defer root.Close()
	dir := filepath.Join("slurm", name)
	if err := atomicfile.MkdirAllIn(root, dir); err != nil {
		return fmt.Errorf("slurm: script folder: %w", err)
	}
	for _, file := range slices.Sorted(maps.Keys(scripts)) {
		err := atomicfile.WriteIn(root, filepath.Join(dir, file), 0o777, func(w io.Writer) error {
			_, err := io.WriteString(w, scripts[file])
			return err
		})
		if err != nil {
			return fmt.Errorf("slurm: writing %s: %w", filepath.Join(cache, dir, file), err)
		}
	}
	return nil
}

func writeExecutable(path, body string) error {
	return atomicfile.Write(path, 0o777, func(w io.Writer) error {
		_, err := io.WriteString(w, body)
		return err
	})
}

// shellQuote quotes s for bash unless it is plainly safe.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
