package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ffchar/ffchar/dataset"
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
