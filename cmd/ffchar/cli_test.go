package main

import (
	"strings"
	"testing"
)

// TestHelpAndSuggest: `ffchar help COMMAND` prints the command's help, and
// an unknown command is answered with the nearest one.
func TestHelpAndSuggest(t *testing.T) {
	out, stderr, code := ffchar(t, "help", "run")
	if code != 0 || !strings.Contains(out, "ffchar run - run the whole pipeline") {
		t.Errorf("help run: exit %d\n%s%s", code, out, stderr)
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
		{"train", "--profile", "smoke", "--set", "lr=0.1"},
		{"train", "--profile", "smoke", "--out", "m.parquet"},
	} {
		_, stderr, code := ffchar(t, args...)
		if code != 2 || !strings.Contains(stderr, "--"+strings.TrimPrefix(args[3], "--")) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, %q; want one usage line naming %s", args, code, stderr, args[3])
		}
	}
}
