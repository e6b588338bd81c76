package pipeline

import (
	"context"
	"os"
	"sync"
	"testing"
)

// TestLabelSharesEntries: two graphs whose jobs have other IDs (two
// experiments' names) but the same labels give their dependants the same
// keys, so the second graph is entirely cached.
func TestLabelSharesEntries(t *testing.T) {
	c := openTest(t)
	graph := func(name string, runs *int) []*Job {
		src := &Job{ID: name + "/prep", Label: "prep", Stage: "prep",
			Run: func(ctx context.Context, in *Inputs, dir string) error {
				*runs++
				return writeOutput(dir, "data.bin", []byte("data"))
			}}
		use := &Job{ID: name + "/train", Label: "train", Stage: "train", Deps: []string{src.ID},
			Run: func(ctx context.Context, in *Inputs, dir string) error {
				*runs++
				b, err := in.ReadFile(src.ID, "data.bin")
				if err != nil {
					return err
				}
				return writeOutput(dir, "out.bin", append(b, '!'))
			}}
		return []*Job{src, use}
	}
	var runs int
	r := &Runner{Cache: c, Workers: 1}
	first, err := r.Run(context.Background(), graph("a", &runs))
	must(t, err)
	second, err := r.Run(context.Background(), graph("copy-of-a", &runs))
	must(t, err)
	if runs != 2 || !second[1].Hit || second[1].Key.ID != first[1].Key.ID {
		t.Errorf("renamed graph: %d jobs run in all, want 2; train hit %v", runs, second[1].Hit)
	}
	// Without labels the job IDs name the inputs, and the renamed
	// graph's train job has a key of its own.
	unlabelled := graph("b", &runs)
	unlabelled[0].Label, unlabelled[1].Label = "", ""
	third, err := r.Run(context.Background(), unlabelled)
	must(t, err)
	if third[1].Key.ID == first[1].Key.ID {
		t.Errorf("unlabelled graph shares the labelled one's key")
	}
	bad := graph("c", &runs)
	bad[0].Label = "has space"
	if _, err := r.Run(context.Background(), bad); err == nil {
		t.Errorf("a label with white space was accepted")
	}
}

// TestAfterOrders: a job waits for the jobs it lists in After without
// reading them; they are not in its key, and IDs outside the graph are
// ignored.
func TestAfterOrders(t *testing.T) {
	c := openTest(t)
	var mu sync.Mutex
	var order []string
	job := func(id string, after ...string) *Job {
		return &Job{ID: id, Stage: "s", After: after, Key: func(h *Hash) { h.Param("id", id) },
			Run: func(ctx context.Context, in *Inputs, dir string) error {
				mu.Lock()
				order = append(order, id)
				mu.Unlock()
				return writeOutput(dir, "out", []byte(id))
			}}
	}
	// Listed last-first, so that without After the runner would start
	// them in the wrong order.
	jobs := []*Job{job("long", "middle"), job("middle", "short", "elsewhere"), job("short")}
	res, err := (&Runner{Cache: c, Workers: 3}).Run(context.Background(), jobs)
	must(t, err)
	if len(order) != 3 || order[0] != "short" || order[1] != "middle" || order[2] != "long" {
		t.Errorf("order %v, want short, middle, long", order)
	}
	alone, err := (&Runner{Cache: c, Workers: 1}).Run(context.Background(), []*Job{job("long")})
	must(t, err)
	if !alone[0].Hit || alone[0].Key.ID != res[0].Key.ID {
		t.Errorf("After changed the key")
	}
	if _, err := newGraph([]*Job{job("a", "b"), job("b", "a")}); err == nil {
		t.Errorf("a cycle through After was accepted")
	}
}

// TestDrop: a dropped entry is a miss, its outputs are gone, and dropping
// it again does nothing.
func TestDrop(t *testing.T) {
	c := openTest(t)
	h := NewHash("state")
	h.Param("epoch", 3)
	key := h.Key()
	e, err := c.PutBytes(key, map[string][]byte{"state.bin": []byte("state of " + key.ID.String())})
	must(t, err)
	path := c.OutputFile(e.Outputs[0].ID)
	must(t, c.Drop(key.ID))
	if _, err := c.Get(key.ID); !IsMiss(err) {
		t.Errorf("Get after Drop: %v, want a miss", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("output file after Drop: %v", err)
	}
	must(t, c.Drop(key.ID))
}
