package main

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/stages"
)

// TestHelpAndSuggest: `ffchar help COMMAND` prints the command's help, and
// an unknown command is answered with the nearest one.
func TestHelpAndSuggest(t *testing.T) {
	out, stderr, code := ffchar(t, "help", "run")
	if code != 0 || !strings.Contains(out, "ffchar run - run the whole pipeline") {
		t.Errorf("help run: exit %d\n%s%s", code, out, stderr)
	}
	// A subcommand's help, through help as through --help.
	out, stderr, code = ffchar(t, "help", "slurm", "submit")
	if code != 0 || !strings.HasPrefix(out, "NAME:\n   ffchar slurm submit - ") {
		t.Errorf("help slurm submit: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = ffchar(t, "help", "slurm", "nosuch")
	if code != 2 || strings.TrimSpace(stderr) != `ffchar: help: no command "slurm nosuch"` {
		t.Errorf("help slurm nosuch: exit %d, %q%q; want one line", code, out, stderr)
	}
	out, stderr, code = ffchar(t, "traing")
	if code == 0 || !strings.Contains(out+stderr, `Did you mean "train"?`) {
		t.Errorf("traing: exit %d\n%s%s", code, out, stderr)
	}
}

// TestTrainProfileRefusesOneNetworkFlags: with --profile the experiment
// file decides the network; --depth and the like are refused in one line
// naming the flag, not ignored.
func TestTrainProfileRefusesOneNetworkFlags(t *testing.T) {
	for _, args := range [][]string{
		{"train", "--profile", "smoke", "--depth", "3"},
		{"train", "--profile", "smoke", "--out", "m.parquet"},
	} {
		_, stderr, code := ffchar(t, args...)
		if code != 2 || !strings.Contains(stderr, "--"+strings.TrimPrefix(args[3], "--")) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, %q; want one usage line naming %s", args, code, stderr, args[3])
		}
	}
}

// TestTimingCSVIsRFC4180: the published timing file reads back as CSV
// with the same number of fields in every row, although run and treatment
// IDs hold commas (they are quoted).
func TestTimingCSVIsRFC4180(t *testing.T) {
	workdir(t, map[string]string{"tiny.toml": tiny})
	mustRun(t, "run", "--profile", "tiny", "--cache", "cache", "--results", "results")
	f, err := os.Open(filepath.Join("results", "tiny", "data", "timing.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll() // fails on a row with another field count
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 || len(rows[0]) != 6 || !strings.Contains(rows[1][0], ",") || rows[1][1] != strings.Split(rows[1][0], "/")[0] {
		t.Errorf("timing.csv rows %q: want a header of 6 fields and run IDs with commas, quoted", rows)
	}
}

// TestGCKeepsUserExperiments: gc keeps the cache entries of an experiment
// file in ./experiments that the binary was not built with, says that it
// kept it, and prints sizes with a unit.
func TestGCKeepsUserExperiments(t *testing.T) {
	// A name the binary was not built with: a user's experiments/mine.toml
	// in the repository is built in.
	name := "mine"
	for slices.Contains(experiments.Profiles(), name) {
		name += "x"
	}
	workdir(t, map[string]string{name + ".toml": strings.Replace(tiny, `name = "tiny"`, `name = "`+name+`"`, 1)})
	mustRun(t, "run", "--profile", name, "--cache", "cache", "--until", "evaluate")
	out, _ := mustRun(t, "gc", "--cache", "cache", "--grace", "0s")
	// The only entries removed are the runs' training states (2 runs × 2
	// treatments × checkpoints 1 and 3); their outputs are younger than
	// the default grace.
	if !strings.Contains(out, "experiments/"+name+".toml") || !strings.Contains(out, " 8 entries (8 of them training states),") || !strings.Contains(out, "(0 B)") {
		t.Errorf("gc output %q: want experiments/%s.toml kept, only states removed, sizes with a unit", out, name)
	}
	st, _ := mustRun(t, "status", "--profile", name, "--cache", "cache")
	for _, stage := range []string{"train", "evaluate"} {
		if !regexp.MustCompile(`(?m)^\s*` + stage + `\s+\d+ cached\s+0 stale`).MatchString(st) {
			t.Errorf("after gc, %s jobs are not all cached:\n%s", stage, st)
		}
	}
	for _, tt := range []struct {
		b    int64
		want string
	}{{0, "0 B"}, {999, "999 B"}, {1500, "1.5 kB"}, {12_345_678, "12.3 MB"}, {2_000_000_000, "2.0 GB"}} {
		if got := sizeString(tt.b); got != tt.want {
			t.Errorf("sizeString(%d) = %q, want %q", tt.b, got, tt.want)
		}
	}
}

// TestSetOverrides: --set overrides an engine field of every treatment for
// run, status and plan: the runs retrain under the new value (their train
// keys change), the results README lists the override, and redraw with
// the same --set gives the same README; an axis is refused in one line.
func TestSetOverrides(t *testing.T) {
	workdir(t, map[string]string{"tiny.toml": tiny})
	mustRun(t, "run", "--profile", "tiny", "--cache", "cache", "--results", "results")
	st, _ := mustRun(t, "status", "--profile", "tiny", "--cache", "cache", "--set", "lr=0.002")
	if !regexp.MustCompile(`(?m)^\s*train\s+0 cached`).MatchString(st) {
		t.Errorf("status with --set lr=0.002: the train jobs should be stale\n%s", st)
	}
	mustRun(t, "run", "--profile", "tiny", "--cache", "cache", "--results", "results", "--set", "lr=0.002")
	readme, err := os.ReadFile(filepath.Join("results", "tiny", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "Overridden on the command line (--set), in every treatment: lr=0.002.") {
		t.Errorf("README does not list the override")
	}
	mustRun(t, "redraw", "--profile", "tiny", "--set", "lr=0.002")
	again, _ := os.ReadFile(filepath.Join("results", "tiny", "README.md"))
	if string(again) != string(readme) {
		t.Errorf("redraw with the same --set changed the README")
	}
	_, stderr, code := ffchar(t, "plan", "--profile", "tiny", "--cache", "cache", "--set", "depth=3")
	if code != 2 || !strings.Contains(stderr, "depth is an axis") {
		t.Errorf("--set on an axis: exit %d, %q", code, stderr)
	}
}

// TestStatusWhyListsWhatIsNotDone: --why explains the stale jobs and sums
// up the blocked ones per stage instead of a line per job.
func TestStatusWhyListsWhatIsNotDone(t *testing.T) {
	workdir(t, map[string]string{"tiny.toml": tiny})
	out, _ := mustRun(t, "status", "--profile", "tiny", "--cache", "cache", "--why")
	if strings.Contains(out, ": blocked: ") {
		t.Errorf("a line per blocked job:\n%s", out)
	}
	if !strings.Contains(out, "train: 4 jobs blocked until the jobs they depend on are computed") || !strings.Contains(out, ": stale: ") {
		t.Errorf("status --why:\n%s", out)
	}
}

// TestCompletion: `ffchar completion` prints a bash script that bash
// accepts, and the program lists its commands for it.
func TestCompletion(t *testing.T) {
	out, _, code := ffchar(t, "completion")
	if code != 0 || !strings.Contains(out, "complete -o bashdefault -o default -F _ffchar_complete ffchar") {
		t.Fatalf("completion: exit %d\n%s", code, out)
	}
	path := filepath.Join(t.TempDir(), "c.bash")
	os.WriteFile(path, []byte(out), 0o644)
	if b, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
		t.Errorf("bash -n: %v\n%s", err, b)
	}
	b, err := command("--generate-bash-completion").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"train", "run", "status", "plan"} {
		if words := string(b); !slices.Contains(strings.Fields(words), w) {
			t.Errorf("completion words %q lack %s", words, w)
		}
	}
}

// TestResultsCarryTheirExperiment: publish copies the experiment file to
// the results folder's top, and redraw --profile works from it when no
// experiments/ file or profile of that name exists, giving the same README.
func TestResultsCarryTheirExperiment(t *testing.T) {
	workdir(t, map[string]string{"tiny.toml": tiny})
	mustRun(t, "run", "--profile", "tiny", "--cache", "cache", "--results", "results")
	copyOf, err := os.ReadFile(filepath.Join("results", "tiny", "experiment.toml"))
	if err != nil || string(copyOf) != tiny {
		t.Fatalf("experiment.toml: %v, %q", err, copyOf)
	}
	readme, _ := os.ReadFile(filepath.Join("results", "tiny", "README.md"))
	if err := os.Remove(filepath.Join("experiments", "tiny.toml")); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "redraw", "--profile", "tiny")
	again, _ := os.ReadFile(filepath.Join("results", "tiny", "README.md"))
	if string(again) != string(readme) {
		t.Error("redraw from the published experiment file changed the README")
	}
}

// TestRedrawFolderAlone: `ffchar redraw results/NAME` on a checkout
// without experiments/ or a cache, and on a copy of the folder under
// another name elsewhere, gives every file publish wrote, byte for byte;
// the folder carries its experiment, a schema declaring every column and
// a full provenance, and the --set overrides it was published with.
func TestRedrawFolderAlone(t *testing.T) {
	workdir(t, map[string]string{"tiny.toml": tiny})
	mustRun(t, "run", "--profile", "tiny", "--cache", "cache", "--results", "results", "--set", "lr=0.002")
	published := readTree(t, filepath.Join("results", "tiny"))
	for _, f := range []string{"experiment.toml", "SCHEMA.md", "provenance.json", "README.md", "data/curves.parquet", "tables/hypotheses.csv"} {
		if _, ok := published[f]; !ok {
			t.Errorf("results/tiny lacks %s", f)
		}
	}
	if s := published["SCHEMA.md"]; strings.Contains(s, stages.Undocumented) || !strings.Contains(s, "`goodness_neg` | float64 | – | mean goodness of negative samples") {
		t.Errorf("SCHEMA.md has undeclared columns or lacks goodness_neg's declaration:\n%s", s)
	}
	var prov map[string]any
	if err := json.Unmarshal([]byte(published["provenance.json"]), &prov); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"ffchar_version", "go", "blas", "blas_library", "cpu", "arithmetic", "experiment_sha256", "set", "runs_first", "runs_last"} {
		if _, ok := prov[k]; !ok {
			t.Errorf("provenance.json lacks %s: %v", k, prov)
		}
	}
	if sum := sha256.Sum256([]byte(tiny)); prov["experiment_sha256"] != hex.EncodeToString(sum[:]) {
		t.Errorf("experiment_sha256 = %v, want the experiment file's", prov["experiment_sha256"])
	}
	for _, p := range []string{"experiments", "cache"} {
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
	}
	mustRun(t, "redraw", filepath.Join("results", "tiny"))
	sameTree(t, published, readTree(t, filepath.Join("results", "tiny")))

	elsewhere := filepath.Join(t.TempDir(), "downloaded")
	if err := os.MkdirAll(elsewhere, 0o755); err != nil {
		t.Fatal(err)
	}
	copied := filepath.Join(elsewhere, "tiny-copy")
	if err := os.CopyFS(copied, os.DirFS(filepath.Join("results", "tiny"))); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "redraw", copied)
	sameTree(t, published, readTree(t, copied))

	if _, _, code := ffchar(t, "redraw", "--profile", "tiny", filepath.Join("results", "tiny")); code == 0 {
		t.Error("redraw took both a folder and --profile")
	}
	if _, errOut, code := ffchar(t, "redraw", t.TempDir()); code == 0 || !strings.Contains(errOut, "experiment.toml") {
		t.Errorf("redraw of a folder without an experiment file: exit %d, %s", code, errOut)
	}
}

// readTree returns the regular files below dir by slash-separated path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func sameTree(t *testing.T, want, got map[string]string) {
	t.Helper()
	for f, b := range want {
		if got[f] != b {
			t.Errorf("%s differs after redraw", f)
		}
	}
	for f := range got {
		if _, ok := want[f]; !ok {
			t.Errorf("redraw added %s", f)
		}
	}
}
