package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

func TestLockExcludes(t *testing.T) {
	c := openTest(t)
	id := testKey("s", 1).ID
	l, err := c.Lock(context.Background(), id)
	must(t, err)
	if _, ok, err := c.TryLock(id); ok || err != nil {
		t.Fatalf("TryLock of a held lock = %v, %v", ok, err)
	}
	// Another key is independent.
	other, ok, err := c.TryLock(testKey("s", 2).ID)
	if !ok || err != nil {
		t.Fatalf("TryLock of another key = %v, %v", ok, err)
	}
	must(t, other.Unlock())

	var got atomic.Bool
	done := make(chan struct{})
	go func() {
		l2, err := c.Lock(context.Background(), id)
		if err == nil {
			got.Store(true)
			l2.Unlock()
		}
		close(done)
	}()
	time.Sleep(20 * time.Millisecond)
	if got.Load() {
		t.Fatal("second Lock succeeded while the first was held")
	}
	must(t, l.Unlock())
	must(t, l.Unlock()) // a second Unlock does nothing
	<-done
	if !got.Load() {
		t.Fatal("second Lock failed after release")
	}
}

// TestLockCancelInFlock holds the lock file through a separate open file
// description, as another process would, so that Lock waits in flock, and
// checks that cancelling the wait gives up cleanly.
func TestLockCancelInFlock(t *testing.T) {
	c := openTest(t)
	id := testKey("s", 1).ID
	path := c.lockFile(id)
	must(t, os.MkdirAll(filepath.Dir(path), 0o777))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o666)
	must(t, err)
	defer f.Close()
	must(t, flockBlock(f))

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := c.Lock(ctx, id); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock while held elsewhere = %v, want DeadlineExceeded", err)
	}
	must(t, funlock(f))
	l, err := c.Lock(context.Background(), id)
	if err != nil {
		t.Fatalf("Lock after release: %v", err)
	}
	must(t, l.Unlock())
}

// TestLockFileReplaced removes the lock file while a locker waits on it,
// as gc does: the locker must end up holding the file now at the path.
func TestLockFileReplaced(t *testing.T) {
	c := openTest(t)
	id := testKey("s", 1).ID
	path := c.lockFile(id)
	must(t, os.MkdirAll(filepath.Dir(path), 0o777))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o666)
	must(t, err)
	defer f.Close()
	must(t, flockBlock(f))

	got := make(chan *Lock)
	go func() {
		l, err := c.Lock(context.Background(), id)
		if err != nil {
			t.Error(err)
		}
		got <- l
	}()
	time.Sleep(20 * time.Millisecond) // let it block on the old file
	must(t, os.Remove(path))
	must(t, funlock(f))
	l := <-got
	if l == nil {
		return
	}
	defer l.Unlock()
	fi1, err := l.f.Stat()
	must(t, err)
	fi2, err := os.Stat(path)
	must(t, err)
	if !os.SameFile(fi1, fi2) {
		t.Error("lock held on a removed file")
	}
}
