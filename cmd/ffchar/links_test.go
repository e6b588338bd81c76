package main

import (
	"fmt"
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

// publishFixture runs the tiny experiment once, so that publishes below
// only copy from the cache, and returns the profiles it wrote.
func publishFixture(t *testing.T) {
	t.Helper()
	src := strings.Replace(tiny, `name = "tiny"`, `name = "src"`, 1)
	workdir(t, map[string]string{"tiny.toml": tiny, "src.toml": src})
	mustRun(t, "run", "--profile", "tiny", "--cache", "cache", "--results", "ref")
	mustRun(t, "run", "--profile", "src", "--cache", "cache", "--results", "ref")
}

// TestPublishLeavesForeignTemps (S4): a results folder that is a home
// folder, with files and folders named like publish's temporaries. A
// publish into it leaves every one of them as it was.
func TestPublishLeavesForeignTemps(t *testing.T) {
	publishFixture(t)
	home := "home"
	for name, body := range map[string]string{
		".bashrc.old-2023":            "export PATH",
		".config.old-ubuntu/settings": "theirs",
		".tiny.tmp-2023/notes":        "theirs",
		".README.md.tmp-ABC":          "theirs",
		".bashrc":                     "export PATH",
		"thesis/.chapter1.tex.old-X1": "draft",
	} {
		must(t, os.MkdirAll(filepath.Join(home, filepath.Dir(name)), 0o755))
		must(t, os.WriteFile(filepath.Join(home, name), []byte(body), 0o644))
	}
	before := listTree(t, home)
	mustRun(t, "publish", "--profile", "tiny", "--cache", "cache", "--results", home)
	mustRun(t, "publish", "--profile", "tiny", "--cache", "cache", "--results", home)
	after := listTree(t, home)
	for _, line := range strings.Split(before, "\n") {
		if line != ". dir" && !strings.Contains("\n"+after+"\n", "\n"+line+"\n") {
			t.Errorf("publish changed or removed %q", line)
		}
	}
}

// TestPublishRefusesUnmarked (S5): publish never replaces a folder or an
// index it did not make: an experiment named src published into a
// folder holding src/main.go, a README.md of someone else's, and a link
// in place of the experiment's folder are each refused with one line
// naming the path, and nothing changes.
func TestPublishRefusesUnmarked(t *testing.T) {
	publishFixture(t)
	must(t, os.MkdirAll("proj/src", 0o755))
	must(t, os.WriteFile("proj/src/main.go", []byte("package main"), 0o644))
	must(t, os.MkdirAll("docs", 0o755))
	must(t, os.WriteFile("docs/README.md", []byte("# My project\n"), 0o644))
	must(t, os.MkdirAll("linked", 0o755))
	must(t, os.MkdirAll("elsewhere", 0o755))
	must(t, os.WriteFile("elsewhere/keep", []byte("x"), 0o644))
	must(t, os.Symlink(filepath.Join(mustGetwd(t), "elsewhere"), "linked/tiny"))
	cases := []struct{ profile, results, path string }{
		{"src", "proj", "proj/src"},
		{"tiny", "docs", "docs/README.md"},
		{"tiny", "linked", "linked/tiny"},
	}
	for _, c := range cases {
		dir := filepath.Dir(c.path)
		before := listTree(t, dir) + listTree(t, "elsewhere")
		_, stderr, code := ffchar(t, "publish", "--profile", c.profile, "--cache", "cache", "--results", dir)
		if code == 0 || !strings.Contains(stderr, c.path) {
			t.Errorf("publish %s into %s: exit %d, %q; want it refused naming %s", c.profile, dir, code, stderr, c.path)
		}
		if n := strings.Count(stderr, "ffchar: "); n != 1 || strings.Contains(stderr, "goroutine") {
			t.Errorf("publish into %s: want one error line, got:\n%s", dir, stderr)
		}
		if after := listTree(t, dir) + listTree(t, "elsewhere"); after != before {
			t.Errorf("publish into %s changed it:\nbefore:\n%s\nafter:\n%s", dir, before, after)
		}
	}
}

// TestRunRefusesPlantedLinks (S1, S2 end to end): after a run, every lock
// file is replaced by a dangling link to a folder outside the cache, or
// every output shard folder by a link to a copy outside it, and the
// index entries are deleted so that the run must lock and store again.
// The run fails with one line naming a link, and nothing appears, changes
// or disappears outside the cache.
func TestRunRefusesPlantedLinks(t *testing.T) {
	for _, what := range []string{"locks", "shards"} {
		t.Run(what, func(t *testing.T) {
			dir := workdir(t, map[string]string{"tiny.toml": tiny})
			mustRun(t, "run", "--profile", "tiny", "--cache", "cache", "--until", "train")
			outside := filepath.Join(dir, "outside")
			must(t, os.Mkdir(outside, 0o755))
			switch what {
			case "locks":
				locks, _ := filepath.Glob("cache/l/*/*.lock")
				if len(locks) == 0 {
					t.Fatal("no lock files to replace")
				}
				for i, l := range locks {
					must(t, os.Remove(l))
					must(t, os.Symlink(filepath.Join(outside, fmt.Sprintf("x%d", i)), l))
				}
			case "shards":
				shards, _ := filepath.Glob("cache/o/??")
				if len(shards) == 0 {
					t.Fatal("no shard folders to replace")
				}
				for i, s := range shards {
					target := filepath.Join(outside, fmt.Sprintf("s%d", i))
					must(t, os.Rename(s, target))
					must(t, os.Symlink(target, s))
				}
			}
			entries, _ := filepath.Glob("cache/a/*/*-a")
			for _, e := range entries {
				must(t, os.Remove(e))
			}
			before := listTree(t, outside)
			_, stderr, code := ffchar(t, "run", "--profile", "tiny", "--cache", "cache", "--until", "train")
			if code == 0 || !strings.Contains(stderr, "symbolic link") {
				t.Errorf("run over planted %s: exit %d\n%s", what, code, stderr)
			}
			if n := strings.Count(stderr, "ffchar: "); n != 1 || strings.Contains(stderr, "goroutine") {
				t.Errorf("run over planted %s: want one error line, got:\n%s", what, stderr)
			}
			if after := listTree(t, outside); after != before {
				t.Errorf("the run changed the folder outside the cache:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}
