package main

import (
	"os"
	"strings"
	"testing"
)

// paperEpoch1FullSubmit is the submission of the paper-epoch1 design with
// width 2000, as the README documents it.
var paperEpoch1FullSubmit = []string{"slurm", "submit", "--profile", "paper-epoch1-full", "--cache", "/shared/ffchar-cache",
	"--array-size", "100", "--cpus-per-task", "2", "--time", "1:00:00", "--mem", "4G", "--dry-run"}

// TestPaperEpoch1FullSubmission checks the documented Slurm submission of
// width 2000 with --dry-run: both scripts are written for the bundled
// profile, the array has 100 tasks of 2 runs at a time, and the memory
// check passes (4×2000 needs about 0.8 GB per run). The README quotes the
// same command.
func TestPaperEpoch1FullSubmission(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	workdir(t, nil)
	out, stderr, code := ffchar(t, paperEpoch1FullSubmit...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"#SBATCH --array=0-99",
		"#SBATCH --mem=4G",
		"run --profile paper-epoch1-full --cache /shared/ffchar-cache --until evaluate --shard-count 100 --jobs 2",
		"check --profile paper-epoch1-full --cache /shared/ffchar-cache",
		"--dependency=afterok:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(string(readme), "ffchar "+strings.Join(paperEpoch1FullSubmit[:len(paperEpoch1FullSubmit)-1], " ")) {
		t.Errorf("README.md does not document the submission %q", strings.Join(paperEpoch1FullSubmit, " "))
	}
}
