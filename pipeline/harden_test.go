package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// snapshot lists every path below dir with its mode and size, without
// following links, so a test can check that nothing there changed.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b.WriteString(rel + " " + fi.Mode().String() + " " + fi.ModTime().String())
		if fi.Mode().IsRegular() {
			b.WriteString(" " + strings.Repeat("x", int(fi.Size())))
		}
		b.WriteString("\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// scratch makes a folder of someone's files, all old enough for gc, among
// them names that look like the cache's own.
func scratch(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "scratch")
	hexName := strings.Repeat("ab", HashSize)
	files := map[string]string{
		"thesis.tex":                     "chapter 1",
		"src/main.go":                    "package main",
		hexName + "-123/keep.txt":        "looks like a job directory",
		hexName + "-x":                   "looks like one too",
		".tmp-notes":                     "a temporary name",
		"ab/" + hexName + "-d":           "looks like an output",
		"ab/" + tempPrefix + "out-12345": "looks like a temp output",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		must(t, os.MkdirAll(filepath.Dir(p), 0o777))
		must(t, os.WriteFile(p, []byte(body), 0o666))
	}
	past := time.Now().Add(-100 * DefaultGrace)
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		os.Chtimes(p, past, past)
		return nil
	})
	return dir
}

// TestGCSymlinkedTmpLeavesTargetAlone: a tmp/ linked to a scratch folder,
// a two-level folder linked elsewhere and links in place of cache files:
// gc removes nothing through any of them.
func TestGCSymlinkedTmpLeavesTargetAlone(t *testing.T) {
	c := openTest(t)
	k := testKey("drop", 1)
	_, err := c.PutBytes(k, map[string][]byte{"x": []byte("x")})
	must(t, err)

	target := scratch(t)
	before := snapshot(t, target)
	must(t, os.RemoveAll(filepath.Join(c.Dir(), "tmp")))
	must(t, os.Symlink(target, filepath.Join(c.Dir(), "tmp")))
	// o/cd -> the scratch folder's ab/, and links named like entries.
	must(t, os.Symlink(filepath.Join(target, "ab"), filepath.Join(c.Dir(), "o", "cd")))
	hexName := strings.Repeat("ab", HashSize)
	must(t, os.MkdirAll(filepath.Join(c.Dir(), "a", "ab"), 0o777))
	must(t, os.Symlink(filepath.Join(target, "thesis.tex"), filepath.Join(c.Dir(), "a", "ab", hexName+"-a")))
	must(t, os.Symlink(filepath.Join(target, "src"), filepath.Join(c.Dir(), "a", "ab", tempPrefix+"x")))

	for _, dry := range []bool{true, false} {
		st, err := c.GC(nil, GCOptions{Grace: -1, DryRun: dry})
		must(t, err)
		if len(st.Skipped) != 1 || st.Skipped[0] != filepath.Join(c.Dir(), "tmp") {
			t.Errorf("gc (dry run %v) skipped %q, want the linked tmp/", dry, st.Skipped)
		}
	}
	if after := snapshot(t, target); after != before {
		t.Errorf("gc changed the folder tmp/ links to:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if _, err := c.Get(k.ID); !IsMiss(err) {
		t.Errorf("the cache's own entry was not removed: %v", err)
	}
}

// TestGCOnlyOwnNames: in the cache's own tmp/, gc removes job directories
// and nothing else, however old.
func TestGCOnlyOwnNames(t *testing.T) {
	c := openTest(t)
	tmp := filepath.Join(c.Dir(), "tmp")
	foreign := scratch(t)
	must(t, os.Rename(foreign, filepath.Join(tmp, "mine")))
	job := filepath.Join(tmp, testKey("x", 1).ID.String()+"-42")
	must(t, os.MkdirAll(job, 0o777))
	must(t, os.Symlink(filepath.Join(tmp, "mine", "thesis.tex"), filepath.Join(job, "link")))
	before := snapshot(t, filepath.Join(tmp, "mine"))
	st, err := c.GC(nil, GCOptions{Grace: -1})
	must(t, err)
	if _, err := os.Lstat(job); !os.IsNotExist(err) {
		t.Errorf("abandoned job directory not removed: %v", err)
	}
	if st.Temps != 1 {
		t.Errorf("gc removed %d temporary files and folders, want 1 (the job directory)", st.Temps)
	}
	if after := snapshot(t, filepath.Join(tmp, "mine")); after != before {
		t.Errorf("gc changed files it did not create:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestGCRefusesLinkedFolder: an output folder linked out of the cache is
// refused with one line naming it.
func TestGCRefusesLinkedFolder(t *testing.T) {
	c := openTest(t)
	target := scratch(t)
	before := snapshot(t, target)
	o := filepath.Join(c.Dir(), "o")
	must(t, os.RemoveAll(o))
	must(t, os.Symlink(target, o))
	_, err := c.GC(nil, GCOptions{Grace: -1})
	if err == nil || !strings.Contains(err.Error(), o+" is a symbolic link") || strings.Contains(err.Error(), "\n") {
		t.Errorf("gc with o/ linked outside the cache: %v", err)
	}
	if after := snapshot(t, target); after != before {
		t.Errorf("gc changed the folder o/ links to")
	}
}

// noHang runs f and fails the test if it has not returned after a long
// time: a FIFO opened for reading blocks forever, so a hang is the bug.
func noHang(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { f(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s blocks on a FIFO in the cache", what)
	}
}

// TestFIFOInCache: a FIFO in place of an index entry, an output, a record
// or a lock file gives a miss or an error, never a hang.
func TestFIFOInCache(t *testing.T) {
	for _, where := range []string{"entry", "output", "ref", "lock"} {
		t.Run(where, func(t *testing.T) {
			c := openTest(t)
			k := testKey("train", 1)
			e, err := c.PutBytes(k, map[string][]byte{"x": []byte("x")})
			must(t, err)
			must(t, c.SetRef("job", k.ID))
			path := map[string]string{"entry": c.entryFile(k.ID), "output": c.OutputFile(e.Outputs[0].ID),
				"ref": c.refFile("job"), "lock": c.lockFile(k.ID)}[where]
			os.Remove(path)
			must(t, os.MkdirAll(filepath.Dir(path), 0o777))
			must(t, syscall.Mkfifo(path, 0o666))
			noHang(t, "Get", func() {
				_, err := c.Get(k.ID)
				if (where == "entry" || where == "output") && !IsMiss(err) {
					t.Errorf("Get: %v, want a miss", err)
				}
			})
			noHang(t, "ReadOutput", func() { c.ReadOutput(e, "x") })
			noHang(t, "Ref", func() { c.Ref("job") })
			noHang(t, "List", func() { c.List() })
			noHang(t, "Lock", func() {
				// A FIFO in place of the lock file is replaced.
				l, err := c.Lock(context.Background(), k.ID)
				if err != nil {
					t.Errorf("Lock: %v", err)
				} else {
					l.Unlock()
				}
			})
			noHang(t, "GC dry run", func() { c.GC(map[ActionID]bool{k.ID: true}, GCOptions{DryRun: true}) })
			noHang(t, "GC", func() { must(t, firstErr(c.GC(map[ActionID]bool{k.ID: true}, GCOptions{Grace: -1}))) })
			// After gc, or by replacing it, a rerun heals the entry.
			noHang(t, "Run", func() {
				_, err := (&Runner{Cache: c}).Run(context.Background(), []*Job{{ID: "job", Stage: "train",
					Key: func(h *Hash) { h.Param("depth", 1) },
					Run: func(ctx context.Context, in *Inputs, dir string) error {
						return writeOutput(dir, "x", []byte("x"))
					}}})
				must(t, err)
			})
			if _, err := c.Get(k.ID); err != nil {
				t.Errorf("after a rerun: %v", err)
			}
		})
	}
}

func firstErr(_ GCStats, err error) error { return err }

// TestDirectoryInPlaceHeals: a directory where an output or an index entry
// belongs is a miss, and the next store replaces it.
func TestDirectoryInPlaceHeals(t *testing.T) {
	for _, where := range []string{"entry", "output"} {
		t.Run(where, func(t *testing.T) {
			c := openTest(t)
			k := testKey("train", 1)
			e, err := c.PutBytes(k, map[string][]byte{"x": []byte("x")})
			must(t, err)
			path := map[string]string{"entry": c.entryFile(k.ID), "output": c.OutputFile(e.Outputs[0].ID)}[where]
			must(t, os.Remove(path))
			must(t, os.MkdirAll(filepath.Join(path, "sub"), 0o777))
			if _, err := c.Get(k.ID); !IsMiss(err) {
				t.Fatalf("Get with a directory in place of the %s: %v, want a miss", where, err)
			}
			if _, err := c.PutBytes(k, map[string][]byte{"x": []byte("x")}); err != nil {
				t.Fatalf("storing again: %v", err)
			}
			if _, err := c.Get(k.ID); err != nil {
				t.Errorf("after storing again: %v", err)
			}
		})
	}
}

// TestStatusDamaged: an entry whose output is damaged is reported as
// damaged, not as gone.
func TestStatusDamaged(t *testing.T) {
	c := openTest(t)
	jobs := []*Job{{ID: "j", Stage: "s", Run: func(ctx context.Context, in *Inputs, dir string) error {
		return writeOutput(dir, "out", []byte("data"))
	}}}
	r := &Runner{Cache: c}
	res, err := r.Run(context.Background(), jobs)
	must(t, err)
	flipByte(t, c.OutputFile(res[0].Entry.Outputs[0].ID), 0)
	st, err := r.Status(jobs)
	must(t, err)
	if st[0].State != Stale || !st[0].Damaged || st[0].Reason != "output out: hash mismatch" {
		t.Errorf("status with a damaged output: %+v", st[0])
	}
	must(t, os.Remove(c.entryFile(res[0].Key.ID)))
	if st, _ := r.Status(jobs); st[0].Damaged {
		t.Errorf("status with the entry gone says damaged: %+v", st[0])
	}
}
