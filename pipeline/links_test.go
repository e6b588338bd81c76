package pipeline

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLockLinkRefused (S1): a lock file that is a dangling link to a file
// outside the cache, with its entry removed so that the run must lock.
// The run is refused with one line naming the link, and nothing is
// created at the link's target.
func TestLockLinkRefused(t *testing.T) {
	c := openTest(t)
	k := testKey("train", 1)
	outside := filepath.Join(t.TempDir(), "x")
	lock := c.lockFile(k.ID)
	must(t, os.MkdirAll(filepath.Dir(lock), 0o777))
	must(t, os.Symlink(outside, lock))

	_, err := c.Lock(context.Background(), k.ID)
	if err == nil || !strings.Contains(err.Error(), lock) || strings.Contains(err.Error(), "\n") {
		t.Errorf("Lock through a planted link: %v, want one line naming %s", err, lock)
	}
	if _, ok, err := c.TryLock(k.ID); ok || err == nil {
		t.Errorf("TryLock through a planted link: %v, %v", ok, err)
	}
	if _, err := os.Lstat(outside); !os.IsNotExist(err) {
		t.Errorf("the link's target was created: %v", err)
	}
	if fi, err := os.Lstat(lock); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the planted link was changed: %v", err)
	}
}

// TestShardLinkRefused (S2): a shard folder of the outputs, the index
// entries or the records that is a link to a folder outside the cache. A
// store that would write there is refused with one line naming the link,
// and the target folder is left as it was.
func TestShardLinkRefused(t *testing.T) {
	for _, kind := range []string{"o", "a", "r"} {
		t.Run(kind, func(t *testing.T) {
			c := openTest(t)
			k := testKey("train", 1)
			data := map[string][]byte{"x": []byte("payload")}
			var shard string
			switch kind {
			case "o":
				shard = filepath.Dir(c.OutputFile(OutputID(sha256.Sum256(data["x"]))))
			case "a":
				shard = filepath.Dir(c.entryFile(k.ID))
			case "r":
				shard = filepath.Dir(c.refFile("job"))
			}
			target := scratch(t)
			before := snapshot(t, target)
			must(t, os.RemoveAll(shard))
			must(t, os.Symlink(target, shard))

			var err error
			if kind == "r" {
				err = c.SetRef("job", k.ID)
			} else {
				_, err = c.PutBytes(k, data)
			}
			if err == nil || !strings.Contains(err.Error(), shard) || strings.Contains(err.Error(), "\n") {
				t.Errorf("store through a linked shard folder: %v, want one line naming %s", err, shard)
			}
			if after := snapshot(t, target); after != before {
				t.Errorf("the folder the link points to changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			if _, err := c.Get(k.ID); err == nil {
				t.Errorf("an entry read through a link is a hit")
			}
		})
	}
}

// TestTopLinkRefused: a top-level cache folder other than tmp/ that is a
// link is refused when the cache is opened.
func TestTopLinkRefused(t *testing.T) {
	dir := t.TempDir()
	target := scratch(t)
	must(t, os.Symlink(target, filepath.Join(dir, "o")))
	_, err := Open(dir)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "o")) {
		t.Errorf("Open with o/ a link: %v", err)
	}
}
