package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestGC(t *testing.T) {
	c := openTest(t)
	kA, kB, kC, kD := testKey("keep", 1), testKey("drop", 2), testKey("drop", 3), testKey("corrupt", 4)
	a, err := c.PutBytes(kA, map[string][]byte{"x": []byte("shared"), "y": []byte("only A")})
	must(t, err)
	_, err = c.PutBytes(kB, map[string][]byte{"x": []byte("shared"), "z": []byte("only B")})
	must(t, err)
	_, err = c.PutBytes(kC, map[string][]byte{"w": []byte("only C")})
	must(t, err)
	must(t, os.MkdirAll(filepath.Dir(c.entryFile(kD.ID)), 0o777))
	must(t, os.WriteFile(c.entryFile(kD.ID), []byte("garbage"), 0o666))
	must(t, c.SetRef("job-a", kA.ID))
	must(t, c.SetRef("job-b", kB.ID))
	l, err := c.Lock(context.Background(), kB.ID) // leaves a lock file
	must(t, err)
	must(t, l.Unlock())

	// Temporary files left by a killed process: one old, one fresh.
	oldTemp := filepath.Join(c.Dir(), "o", tempPrefix+"out-1")
	freshTemp := filepath.Join(filepath.Dir(c.entryFile(kA.ID)), tempPrefix+"x-2")
	must(t, os.WriteFile(oldTemp, []byte("partial"), 0o666))
	must(t, os.WriteFile(freshTemp, []byte("partial"), 0o666))
	past := time.Now().Add(-2 * DefaultGrace)
	must(t, os.Chtimes(oldTemp, past, past))

	list, err := c.List()
	must(t, err)
	if len(list) != 4 {
		t.Fatalf("List: %+v, want 4 entries", list)
	}
	for _, info := range list {
		if (info.Action == kD.ID) != (info.Err != nil) {
			t.Errorf("List: %+v", info)
		}
		if info.Action == kA.ID && (info.Stage != "keep" || info.Outputs != 2 || info.Size != int64(len("shared")+len("only A"))) {
			t.Errorf("List: %+v", info)
		}
	}

	keep := map[ActionID]bool{kA.ID: true, kD.ID: true}

	// A dry run removes nothing.
	st, err := c.GC(keep, GCOptions{DryRun: true, Grace: -1})
	must(t, err)
	if st.Entries != 3 || st.Outputs != 2 || st.Temps != 2 {
		t.Errorf("dry run stats %+v", st)
	}
	if list, _ := c.List(); len(list) != 4 {
		t.Errorf("dry run removed entries")
	}

	// With the default grace period, young unreferenced outputs and the
	// fresh temporary file stay; an entry whose lock is held stays.
	held, err := c.Lock(context.Background(), kC.ID)
	must(t, err)
	st, err = c.GC(keep, GCOptions{})
	must(t, err)
	must(t, held.Unlock())
	if st.Entries != 2 || st.Kept != 1 || st.Outputs != 0 || st.Temps != 1 {
		t.Errorf("first gc stats %+v", st)
	}
	if _, err := os.Stat(oldTemp); !os.IsNotExist(err) {
		t.Errorf("old temporary file not removed: %v", err)
	}
	if _, err := os.Stat(freshTemp); err != nil {
		t.Errorf("fresh temporary file removed: %v", err)
	}
	if _, err := c.Lines(kC.ID); err != nil {
		t.Errorf("entry removed while its lock was held: %v", err)
	}

	st, err = c.GC(map[ActionID]bool{kA.ID: true}, GCOptions{Grace: -1})
	must(t, err)
	// Removed: entry C; outputs "only B" and "only C"; the fresh temp.
	if st.Entries != 1 || st.Kept != 1 || st.Outputs != 2 || st.Bytes != int64(len("only B")+len("only C")) || st.Temps != 1 {
		t.Errorf("second gc stats %+v", st)
	}
	if st.Locks == 0 {
		t.Errorf("idle lock files not removed: %+v", st)
	}
	if _, err := c.Get(kA.ID); err != nil {
		t.Errorf("kept entry damaged: %v", err)
	}
	for _, k := range []Key{kB, kC, kD} {
		if _, err := c.Get(k.ID); !IsMiss(err) {
			t.Errorf("removed entry %v: Get = %v", k.ID, err)
		}
	}
	if _, err := c.Ref("job-a"); err != nil {
		t.Errorf("ref of kept entry removed: %v", err)
	}
	if _, err := c.Ref("job-b"); err == nil {
		t.Errorf("ref of removed entry kept")
	}
	var files int
	c.walkIDs("o", "-d", func(id [HashSize]byte, path string) error { files++; return nil }, nil)
	if files != len(a.Outputs) {
		t.Errorf("%d output files remain, want %d", files, len(a.Outputs))
	}
	checkNoTemps(t, c)

	// Everything still works after gc removed lock files.
	if _, err := (&Runner{Cache: c}).Run(context.Background(), []*Job{{ID: "j", Stage: "s",
		Run: func(ctx context.Context, in *Inputs, dir string) error { return nil }}}); err != nil {
		t.Error(err)
	}
}
