package pipeline

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests below run copies of the test binary as separate processes.
// TestMain turns such a copy into a helper when helperEnv is set.
const helperEnv = "FFCHAR_PIPELINE_TEST_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		if err := helper(mode); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func helper(mode string) error {
	c, err := Open(os.Getenv("CACHE"))
	if err != nil {
		return err
	}
	switch mode {
	case "race":
		// Wait until both helpers are ready, so that they really race.
		barrier := os.Getenv("BARRIER")
		if err := os.WriteFile(filepath.Join(barrier, os.Getenv("NAME")), nil, 0o666); err != nil {
			return err
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			des, err := os.ReadDir(barrier)
			if err != nil {
				return err
			}
			if len(des) >= 2 {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("the other helper never came")
			}
			time.Sleep(time.Millisecond)
		}
		res, err := (&Runner{Cache: c}).Run(context.Background(), []*Job{raceJob(os.Getenv("LOG"))})
		if err != nil {
			return err
		}
		o, _ := res[0].Entry.Output("out.txt")
		fmt.Printf("%v %v\n", res[0].Hit, o.ID)
		return nil
	case "kill":
		_, err := (&Runner{Cache: c, Workers: 1}).Run(context.Background(), killJobs(true))
		return err
	}
	return fmt.Errorf("unknown mode %q", mode)
}

func startHelper(t *testing.T, mode string, env ...string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{helperEnv + "=" + mode}, env...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	return cmd, bufio.NewReader(out)
}

// raceJob records every computation in log and takes long enough that a
// concurrent run finds it locked.
func raceJob(log string) *Job {
	return &Job{ID: "shared", Stage: "slow", Key: func(h *Hash) { h.Param("n", 1) },
		Run: func(ctx context.Context, in *Inputs, dir string) error {
			f, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
			if err != nil {
				return err
			}
			fmt.Fprintln(f, os.Getpid())
			if err := f.Close(); err != nil {
				return err
			}
			time.Sleep(100 * time.Millisecond)
			return writeOutput(dir, "out.txt", []byte("result"))
		}}
}

// TestTwoProcessesRace starts two processes on the same job at the same
// moment: one computes it, the other waits for the lock and then finds
// the result in the cache.
func TestTwoProcessesRace(t *testing.T) {
	tmp := t.TempDir()
	barrier := filepath.Join(tmp, "barrier")
	must(t, os.Mkdir(barrier, 0o777))
	log := filepath.Join(tmp, "computed.log")
	env := []string{"CACHE=" + filepath.Join(tmp, "cache"), "BARRIER=" + barrier, "LOG=" + log}
	var lines []string
	var cmds []*exec.Cmd
	var outs []*bufio.Reader
	for i := range 2 {
		cmd, out := startHelper(t, "race", append(env, fmt.Sprintf("NAME=%d", i))...)
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	for i, cmd := range cmds {
		line, _ := outs[i].ReadString('\n')
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper %d: %v", i, err)
		}
		lines = append(lines, strings.TrimSpace(line))
	}
	data, err := os.ReadFile(log)
	must(t, err)
	if n := strings.Count(string(data), "\n"); n != 1 {
		t.Errorf("job computed %d times, want 1:\n%s", n, data)
	}
	hit0, id0, _ := strings.Cut(lines[0], " ")
	hit1, id1, _ := strings.Cut(lines[1], " ")
	if id0 != id1 || id0 == "" || hit0 == hit1 {
		t.Errorf("helpers reported %q and %q: want one hit, same output", lines[0], lines[1])
	}
}

// killJobs is a two-job chain. With block set, the second job writes part
// of its output, says "blocked" on stdout and waits forever.
func killJobs(block bool) []*Job {
	return []*Job{
		{ID: "a", Stage: "first", Run: func(ctx context.Context, in *Inputs, dir string) error {
			return writeOutput(dir, "a.txt", []byte("A"))
		}},
		{ID: "b", Stage: "second", Deps: []string{"a"}, Run: func(ctx context.Context, in *Inputs, dir string) error {
			a, err := in.ReadFile("a", "a.txt")
			if err != nil {
				return err
			}
			if err := writeOutput(dir, "b.txt", []byte("partial")); err != nil {
				return err
			}
			if block {
				fmt.Println("blocked")
				select {}
			}
			return writeOutput(dir, "b.txt", append(a, 'B'))
		}},
	}
}

// TestKillDuringJob kills a process with SIGKILL while it is inside a job
// and checks that a rerun reuses the finished job, recomputes the killed
// one, and that gc cleans up what the killed process left.
func TestKillDuringJob(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	cmd, out := startHelper(t, "kill", "CACHE="+dir)
	line := make(chan string, 1)
	go func() {
		s, _ := out.ReadString('\n')
		line <- s
	}()
	select {
	case s := <-line:
		if s != "blocked\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("helper said %q", s)
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("helper never reached the job")
	}
	must(t, cmd.Process.Signal(syscall.SIGKILL))
	cmd.Wait()

	c, err := Open(dir)
	must(t, err)
	left, _ := filepath.Glob(filepath.Join(dir, "tmp", "*"))
	if len(left) != 1 {
		t.Fatalf("job directories after kill: %v, want the killed job's", left)
	}

	// The killed job's lock was released with its process.
	r := &Runner{Cache: c, Workers: 1}
	st, err := r.Status(killJobs(false))
	must(t, err)
	if st[0].State != Cached || st[1].State != Stale {
		t.Fatalf("status after kill: %+v", st)
	}
	l, ok, err := c.TryLock(st[1].Key.ID)
	if !ok || err != nil {
		t.Fatalf("lock of the killed job still held: %v, %v", ok, err)
	}
	must(t, l.Unlock())

	res, err := r.Run(context.Background(), killJobs(false))
	must(t, err)
	if !res[0].Hit || res[1].Hit {
		t.Errorf("rerun: a hit %v, b hit %v; want a reused, b recomputed", res[0].Hit, res[1].Hit)
	}
	if data, err := c.ReadOutput(res[1].Entry, "b.txt"); err != nil || string(data) != "AB" {
		t.Errorf("b.txt = %q, %v", data, err)
	}

	keep := map[ActionID]bool{res[0].Key.ID: true, res[1].Key.ID: true}
	gst, err := c.GC(keep, GCOptions{})
	must(t, err)
	if gst.Temps != 1 || gst.Entries != 0 || gst.Kept != 2 {
		t.Errorf("gc after kill: %+v", gst)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "tmp", "*")); len(left) != 0 {
		t.Errorf("job directories after gc: %v", left)
	}
	for _, r := range res {
		if _, err := c.Get(r.Key.ID); err != nil {
			t.Errorf("job %s after gc: %v", r.Job, err)
		}
	}
	checkNoTemps(t, c)
}
