package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSlurmScriptFolderLinkRefused (S3): a planted link in place of the
// cache's slurm/ folder or of an experiment's script folder in it. submit
// refuses with one line naming the link, writes nothing where it points
// and never calls sbatch.
func TestSlurmScriptFolderLinkRefused(t *testing.T) {
	for _, which := range []string{"slurm", "slurm/tiny"} {
		t.Run(strings.ReplaceAll(which, "/", "-"), func(t *testing.T) {
			dir := workdir(t, map[string]string{"tiny.toml": tiny})
			// A fake sbatch that records being called.
			bin := filepath.Join(dir, "bin")
			must(t, os.MkdirAll(bin, 0o755))
			must(t, os.WriteFile(filepath.Join(bin, "sbatch"), []byte("#!/bin/sh\ntouch "+filepath.Join(dir, "sbatch-called")+"\necho 1\n"), 0o755))
			t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))

			victim := filepath.Join(dir, "victim")
			must(t, os.MkdirAll(victim, 0o755))
			must(t, os.WriteFile(filepath.Join(victim, "train.sbatch"), []byte("theirs"), 0o644))
			before := listTree(t, victim)
			link := filepath.Join(dir, "cache", which)
			must(t, os.MkdirAll(filepath.Dir(link), 0o755))
			target := victim
			if which == "slurm" {
				must(t, os.MkdirAll(filepath.Join(victim, "tiny"), 0o755))
				before = listTree(t, victim)
			}
			must(t, os.Symlink(target, link))

			_, stderr, code := ffchar(t, "slurm", "submit", "--profile", "tiny", "--cache", "cache")
			if code == 0 || !strings.Contains(stderr, link) || !strings.Contains(stderr, "symbolic link") {
				t.Errorf("submit through a linked script folder: exit %d, %q; want it refused naming %s", code, stderr, link)
			}
			oneLine(t, "submit", stderr)
			if after := listTree(t, victim); after != before {
				t.Errorf("the link's target changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			if _, err := os.Stat(filepath.Join(dir, "sbatch-called")); err == nil {
				t.Errorf("sbatch was called")
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
