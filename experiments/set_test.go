package experiments

import (
	"strings"
	"testing"
)

// TestSet: an override changes every treatment's Config (and so the train
// keys), keeps the treatments and seeds, and is listed; bad overrides are
// one error naming them.
func TestSet(t *testing.T) {
	e, err := Profile("smoke")
	if err != nil {
		t.Fatal(err)
	}
	before := e.Runs()
	if err := e.Set([]string{"lr=0.01", "schedule=greedy"}); err != nil {
		t.Fatal(err)
	}
	after := e.Runs()
	if len(after) != len(before) {
		t.Fatalf("%d runs, want %d", len(after), len(before))
	}
	for i := range after {
		if after[i].Config.LR != 0.01 || after[i].Config.Schedule != "greedy" || after[i].Seed != before[i].Seed || after[i].TreatmentID != before[i].TreatmentID {
			t.Errorf("run %d: %+v", i, after[i])
		}
		if strings.Join(after[i].KeyLines(), "\n") == strings.Join(before[i].KeyLines(), "\n") {
			t.Errorf("run %d: key lines unchanged by the override", i)
		}
	}
	if got := strings.Join(e.Overrides, " "); got != "lr=0.01 schedule=greedy" {
		t.Errorf("Overrides %q", got)
	}
	for _, tt := range []struct{ set, want string }{
		{"lr", "must be field=value"},
		{"lr=", "must not be empty"},
		{"depth=3", "is an axis of the experiment"},
		{"recipe=pezeshki", "edit the file"},
		{"nosuch=1", "nosuch"},
		{"lr=-1", "lr"},
	} {
		e, _ := Profile("smoke")
		err := e.Set([]string{tt.set})
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.set) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Set(%q) = %v, want one line naming it and %q", tt.set, err, tt.want)
		}
	}
}
