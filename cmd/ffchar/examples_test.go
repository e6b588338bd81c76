package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// shell runs line with bash in dir, with ffchar on the PATH (this test
// binary, behaving as the program), an empty cache of the test's and no
// shard index from the environment, the way a user would type it.
func shell(t *testing.T, dir, line string) (string, error) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	self, err := filepath.Abs(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	wrapper := "#!/bin/sh\nFFCHAR_TEST_MAIN=1 exec " + shellQuote(self) + ` "$@"` + "\n"
	if err := os.WriteFile(filepath.Join(bin, "ffchar"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bash, "-c", line)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "PATH", "HOME", "FFCHAR_CACHE", "SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX", "PARALLEL_SEQ":
		default:
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// commandPaths lists ffchar's commands and subcommands as their command
// lines without ffchar ("slurm submit"), in the app's order; "" is ffchar
// itself.
func commandPaths() []string {
	paths := []string{""}
	var walk func(prefix string, cmds []*cli.Command)
	walk = func(prefix string, cmds []*cli.Command) {
		for _, c := range cmds {
			if c.Hidden {
				continue
			}
			p := strings.TrimSpace(prefix + " " + c.Name)
			paths = append(paths, p)
			if c.Name != "help" {
				walk(p, c.Subcommands)
			}
		}
	}
	walk("", newApp(io.Discard, io.Discard).Commands)
	return paths
}

// helpExamples returns the EXAMPLES section of a help text, one command
// line each.
func helpExamples(help string) []string {
	_, section, ok := strings.Cut(help, "\nEXAMPLES:\n")
	if !ok {
		return nil
	}
	var lines []string
	for _, l := range strings.Split(section, "\n") {
		if !strings.HasPrefix(l, "   ") {
			break
		}
		lines = append(lines, strings.TrimSpace(l))
	}
	return lines
}

// TestHelpExamples: every command's help has one to three examples, and
// every example, run as printed by a shell in the order of the commands,
// exits 0 in a checkout's copy of experiments/smoke.toml and an empty
// cache (the examples are quick there: smoke trains in seconds, slurm
// submit has --dry-run). So the manual's examples cannot rot.
func TestHelpExamples(t *testing.T) {
	smoke, err := os.ReadFile(filepath.Join("..", "..", "experiments", "smoke.toml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := workdir(t, map[string]string{"smoke.toml": string(smoke)})
	ran := 0
	for _, path := range commandPaths() {
		args := append(strings.Fields(path), "--help")
		if path == "help" {
			args = []string{"help", "help"}
		}
		help, stderr, code := ffchar(t, args...)
		if code != 0 {
			t.Fatalf("ffchar %s: exit %d: %s", strings.Join(args, " "), code, stderr)
		}
		lines := helpExamples(help)
		if len(lines) < 1 || len(lines) > 3 {
			t.Errorf("ffchar %s: %d examples in its help, want 1 to 3:\n%s", strings.Join(args, " "), len(lines), help)
		}
		for _, line := range lines {
			if !strings.Contains(line, "ffchar ") {
				t.Errorf("ffchar %s: example %q does not run ffchar", strings.Join(args, " "), line)
			}
			out, err := shell(t, dir, line)
			if err != nil {
				t.Errorf("example of ffchar %s: %s: %v\n%s", strings.Join(args, " "), line, err, out)
			}
			ran++
		}
	}
	t.Logf("%d examples ran", ran)
}
