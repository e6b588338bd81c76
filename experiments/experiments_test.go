package experiments

import (
	"cmp"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/ff"
)

// TestProfiles checks the bundled profiles. A user's own file in
// experiments/ is bundled too when the binary is built; the test asks only
// for the ones ffchar ships, in order, so it does not depend on what else
// the folder holds.
func TestProfiles(t *testing.T) {
	got := Profiles()
	if !slices.IsSorted(got) {
		t.Errorf("Profiles() = %q, not sorted", got)
	}
	for _, want := range []string{"beyond", "paper", "paper-epoch1", "paper-epoch1-full", "quick", "reproduction", "smoke"} {
		if !slices.Contains(got, want) {
			t.Errorf("Profiles() = %q, without %q", got, want)
		}
	}
	tests := []struct {
		name       string
		treatments int
		runs       int
		source     string
		lastEpoch  int // 0: each run's own epochs
	}{
		{"smoke", 2, 4, SourceSynthetic, 3},
		{"quick", 8, 64, "mnist", 10},
		{"paper", 48, 1440, "mnist", 0},
		{"reproduction", 12, 120, "mnist", 8},
		{"paper-epoch1", 12, 360, "mnist", 1},
		{"paper-epoch1-full", 16, 480, "mnist", 1},
	}
	for _, tt := range tests {
		e, err := Profile(tt.name)
		if err != nil {
			t.Fatalf("Profile(%q): %v", tt.name, err)
		}
		if e.Name != tt.name || e.Path != "experiments/"+tt.name+".toml" {
			t.Errorf("%s: Name %q, Path %q", tt.name, e.Name, e.Path)
		}
		if e.Description == "" {
			t.Errorf("%s: no description", tt.name)
		}
		if e.Data.Source != tt.source {
			t.Errorf("%s: source %q, want %q", tt.name, e.Data.Source, tt.source)
		}
		if n := len(e.Treatments()); n != tt.treatments {
			t.Errorf("%s: %d treatments, want %d", tt.name, n, tt.treatments)
		}
		runs := e.Runs()
		if len(runs) != tt.runs {
			t.Errorf("%s: %d runs, want %d", tt.name, len(runs), tt.runs)
		}
		for _, r := range runs {
			if err := r.Config.Validate(); err != nil {
				t.Errorf("%s run %d: %v", tt.name, r.Index, err)
			}
			want := cmp.Or(tt.lastEpoch, r.Config.Epochs)
			if last := r.Checkpoints[len(r.Checkpoints)-1]; last != want {
				t.Errorf("%s run %d: last checkpoint %d, want %d", tt.name, r.Index, last, want)
			}
		}
		if e.EstimateFLOPs() <= 0 {
			t.Errorf("%s: cost estimate %g", tt.name, e.EstimateFLOPs())
		}
	}
}

// The bundled copies are the files in this folder; loading either must
// give the same runs.
func TestProfileOnDisk(t *testing.T) {
	for _, name := range Profiles() {
		bundled, err := Profile(name)
		if err != nil {
			t.Fatal(err)
		}
		disk, err := ProfileIn(".", name)
		if err != nil {
			t.Fatal(err)
		}
		if disk.Path != name+".toml" {
			t.Errorf("ProfileIn(., %s) read %q, want the file on disk", name, disk.Path)
		}
		if !slices.EqualFunc(bundled.Runs(), disk.Runs(), func(a, b Run) bool {
			return slices.Equal(a.KeyLines(), b.KeyLines())
		}) {
			t.Errorf("%s: bundled and on-disk runs differ", name)
		}
	}

	// A path, or a folder without the file, falls back as documented.
	if e, err := Profile("./smoke.toml"); err != nil || e.Path != "./smoke.toml" {
		t.Errorf("Profile(./smoke.toml) = %v, %v", e, err)
	}
	if e, err := ProfileIn(t.TempDir(), "smoke"); err != nil || e.Path != "experiments/smoke.toml" {
		t.Errorf("ProfileIn(empty dir, smoke) = %v, %v", e, err)
	}
	_, err := Profile("nosuch")
	if got, want := errString(err), "nosuch: unknown profile (profiles: "+strings.Join(Profiles(), ", ")+"; or give a .toml file)"; got != want {
		t.Errorf("Profile(nosuch) error\n got %s\nwant %s", got, want)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Profile(nosuch) error does not wrap fs.ErrNotExist")
	}
}

func TestSmoke(t *testing.T) {
	e, err := Profile("smoke")
	if err != nil {
		t.Fatal(err)
	}
	want := DataSpec{Source: SourceSynthetic, TrainLimit: 600, ValLimit: 200, TestLimit: 200, Seed: 20250415}
	if e.Data != want {
		t.Errorf("Data = %+v, want %+v", e.Data, want)
	}
	if e.Recipe != ff.Loewe || e.Seeds != 2 || e.MasterSeed != 20250415 {
		t.Errorf("recipe %q, seeds %d, master seed %d", e.Recipe, e.Seeds, e.MasterSeed)
	}
	if e.Base.Epochs != 3 || e.Base.BatchSize != 50 {
		t.Errorf("Base: epochs %d, batch size %d", e.Base.Epochs, e.Base.BatchSize)
	}
	if !slices.Equal(e.Evaluate.Checkpoints, []int{1, 3}) || e.Evaluate.Split != SplitTest {
		t.Errorf("Evaluate = %+v", e.Evaluate)
	}
	var ids []string
	for _, r := range e.Runs() {
		ids = append(ids, r.TreatmentID)
	}
	if want := []string{"depth=1,width=16", "depth=1,width=16", "depth=2,width=16", "depth=2,width=16"}; !slices.Equal(ids, want) {
		t.Errorf("run treatments %q, want %q", ids, want)
	}
}

func TestGridOrder(t *testing.T) {
	// Axes sorted by field name whatever their order in the file; values
	// in file order; the first axis varies slowest.
	e := mustParse(t, `
recipe = "loewe"
seeds = 2
master_seed = 1
[data]
source = "mnist"
[grid]
width = [500, 100]
lr = [0.001, 1e-4]
depth = [3, 1]
`)
	var fields []string
	for _, ax := range e.Grid {
		fields = append(fields, ax.Field)
	}
	if want := []string{"depth", "lr", "width"}; !slices.Equal(fields, want) {
		t.Fatalf("grid fields %q, want %q", fields, want)
	}
	wantIDs := []string{
		"depth=3,lr=0.001,width=500", "depth=3,lr=0.001,width=100",
		"depth=3,lr=0.0001,width=500", "depth=3,lr=0.0001,width=100",
		"depth=1,lr=0.001,width=500", "depth=1,lr=0.001,width=100",
		"depth=1,lr=0.0001,width=500", "depth=1,lr=0.0001,width=100",
	}
	ts := e.Treatments()
	var ids []string
	for i, tr := range ts {
		ids = append(ids, tr.ID)
		if tr.Index != i {
			t.Errorf("treatment %s has index %d, want %d", tr.ID, tr.Index, i)
		}
	}
	if !slices.Equal(ids, wantIDs) {
		t.Fatalf("treatment IDs\n got %q\nwant %q", ids, wantIDs)
	}
	if tr := ts[6]; tr.Config.Depth != 1 || tr.Config.LR != 1e-4 || tr.Config.Width != 500 ||
		!slices.Equal(tr.Values, []string{"1", "0.0001", "500"}) {
		t.Errorf("treatment %s: depth %d, lr %g, width %d, values %q", tr.ID, tr.Config.Depth, tr.Config.LR, tr.Config.Width, tr.Values)
	}
	// With no checkpoints listed, only the final epoch (the recipe's 100) is.
	if cp := ts[0].Checkpoints; !slices.Equal(cp, []int{100}) {
		t.Errorf("checkpoints %v, want [100]", cp)
	}

	runs := e.Runs()
	if len(runs) != 16 {
		t.Fatalf("%d runs, want 16", len(runs))
	}
	for i, r := range runs {
		if r.Index != i || r.TreatmentID != wantIDs[i/2] || r.Replicate != i%2 {
			t.Errorf("run %d: index %d, treatment %s, replicate %d", i, r.Index, r.TreatmentID, r.Replicate)
		}
	}
	for i := range 3 {
		for _, r := range e.Shard(i, 3) {
			if r.Index%3 != i {
				t.Errorf("shard %d of 3 holds run %d", i, r.Index)
			}
		}
	}
	if n := len(e.Shard(0, 3)) + len(e.Shard(1, 3)) + len(e.Shard(2, 3)); n != 16 {
		t.Errorf("shards hold %d runs, want 16", n)
	}
}

// A treatment's ID, and so its seeds, do not depend on the grid around it.
func TestIDsStable(t *testing.T) {
	small := mustParse(t, "recipe = \"loewe\"\nseeds = 1\nmaster_seed = 9\n[data]\nsource = \"mnist\"\n[grid]\ndepth = [2]\nwidth = [500]\n")
	big := mustParse(t, "recipe = \"loewe\"\nseeds = 1\nmaster_seed = 9\n[data]\nsource = \"mnist\"\n[grid]\ndepth = [1, 2]\nwidth = [100, 500]\n")
	a, b := small.Runs()[0], big.Runs()[3]
	if a.TreatmentID != "depth=2,width=500" || b.TreatmentID != a.TreatmentID || a.Seed != b.Seed {
		t.Errorf("small grid: %s seed %d; big grid: %s seed %d", a.TreatmentID, a.Seed, b.TreatmentID, b.Seed)
	}
}

func TestGridValueTypes(t *testing.T) {
	e := mustParse(t, `
recipe = "pezeshki"
seeds = 1
master_seed = 1
[data]
source = "mnist"
[base]
depth = 2
lr = 1          # an integer where a float belongs is fine
[grid]
widths = [[500, 100], [200, 200]]
schedule = ["simultaneous", "greedy"]
classifier = [false, true]
[evaluate]
checkpoints = [60]
`)
	var ids []string
	for _, tr := range e.Treatments() {
		ids = append(ids, tr.ID)
	}
	want := []string{
		"classifier=false,schedule=simultaneous,widths=500x100",
		"classifier=false,schedule=simultaneous,widths=200x200",
		"classifier=false,schedule=greedy,widths=500x100",
		"classifier=false,schedule=greedy,widths=200x200",
		"classifier=true,schedule=simultaneous,widths=500x100",
		"classifier=true,schedule=simultaneous,widths=200x200",
		"classifier=true,schedule=greedy,widths=500x100",
		"classifier=true,schedule=greedy,widths=200x200",
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("IDs\n got %q\nwant %q", ids, want)
	}
	tr := e.Treatments()[2]
	if !slices.Equal(tr.Config.Widths, []int{500, 100}) || tr.Config.Schedule != ff.Greedy || tr.Config.LR != 1 {
		t.Errorf("%s: widths %v, schedule %s, lr %g", tr.ID, tr.Config.Widths, tr.Config.Schedule, tr.Config.LR)
	}
	// The greedy schedule lasts depth × epochs = 120 epochs.
	if !slices.Equal(tr.Checkpoints, []int{60, 120}) {
		t.Errorf("%s: checkpoints %v, want [60 120]", tr.ID, tr.Checkpoints)
	}
	if cp := e.Treatments()[0].Checkpoints; !slices.Equal(cp, []int{60}) {
		t.Errorf("simultaneous checkpoints %v, want [60]", cp)
	}
}

func TestRunSeed(t *testing.T) {
	// Golden values: the first 8 bytes, big-endian, of
	// sha256("ffchar run seed v1\nmaster 20250415\ntreatment <id>\nreplicate <r>\n"),
	// computed with Python's hashlib.
	golden := []struct {
		id   string
		rep  int
		seed uint64
	}{
		{"depth=1,width=16", 0, 11494417180362865823},
		{"depth=1,width=16", 1, 6103150820007581048},
		{"depth=2,width=16", 0, 6354191848617538287},
	}
	for _, g := range golden {
		if got := RunSeed(20250415, g.id, g.rep); got != g.seed {
			t.Errorf("RunSeed(20250415, %q, %d) = %d, want %d", g.id, g.rep, got, g.seed)
		}
	}

	e, err := Profile("smoke")
	if err != nil {
		t.Fatal(err)
	}
	runs := e.Runs()
	for i, g := range golden {
		r := runs[i] // depth=1 replicates 0 and 1, then depth=2 replicate 0
		if r.TreatmentID != g.id || r.Replicate != g.rep || r.Seed != g.seed {
			t.Errorf("smoke run %d: %s replicate %d seed %d, want %s %d %d", r.Index, r.TreatmentID, r.Replicate, r.Seed, g.id, g.rep, g.seed)
		}
	}

	// Runs of the paper profile share a seed exactly when they differ
	// only in their number of epochs (20, 50 and 100: 3 runs a seed), and
	// another master seed changes them all.
	paper, err := Profile("paper")
	if err != nil {
		t.Fatal(err)
	}
	seedIDs := map[string]string{}
	for _, tr := range paper.Treatments() {
		seedIDs[tr.ID] = tr.SeedID
		if strings.Contains(tr.SeedID, "epochs") || !strings.Contains(tr.ID, "epochs") {
			t.Errorf("treatment %s: seed ID %s", tr.ID, tr.SeedID)
		}
	}
	seen := map[uint64][]Run{}
	for _, r := range paper.Runs() {
		seen[r.Seed] = append(seen[r.Seed], r)
		if RunSeed(paper.MasterSeed, seedIDs[r.TreatmentID], r.Replicate) != r.Seed {
			t.Errorf("run %s/%d: seed is not RunSeed of its seed ID", r.TreatmentID, r.Replicate)
		}
		if RunSeed(paper.MasterSeed+1, seedIDs[r.TreatmentID], r.Replicate) == r.Seed {
			t.Errorf("run %s/%d: seed does not depend on the master seed", r.TreatmentID, r.Replicate)
		}
	}
	if len(seen) != len(paper.Runs())/3 {
		t.Errorf("%d seeds for %d runs, want one for every 3 runs", len(seen), len(paper.Runs()))
	}
	for seed, rs := range seen {
		a := rs[0]
		for _, b := range rs[1:] {
			ca, cb := a.Config, b.Config
			ca.Epochs, cb.Epochs = 0, 0
			if b.Replicate != a.Replicate || !reflect.DeepEqual(ca, cb) || a.Config.Epochs == b.Config.Epochs {
				t.Errorf("seed %d shared by %s/%d and %s/%d, which differ in more than their epochs", seed, a.TreatmentID, a.Replicate, b.TreatmentID, b.Replicate)
			}
		}
	}
}

func TestKeyLines(t *testing.T) {
	e, err := Profile("smoke")
	if err != nil {
		t.Fatal(err)
	}
	r := e.Runs()[2]
	lines := r.KeyLines()
	cfgLines := r.Config.Lines()
	if len(lines) != len(cfgLines)+3 {
		t.Fatalf("%d lines, want %d", len(lines), len(cfgLines)+3)
	}
	for i, l := range cfgLines {
		if lines[i] != "param "+l {
			t.Errorf("line %d = %q, want %q", i, lines[i], "param "+l)
		}
	}
	for _, want := range []string{"param depth 2", "param width 16", "param epochs 3", "param recipe loewe", "param lr 0.001"} {
		if !slices.Contains(lines, want) {
			t.Errorf("no line %q in %q", want, lines)
		}
	}
	// The smoke profile records at the default schedule, its probe capped
	// at its 200 validation samples. The checkpoints are not in the key:
	// they change what is evaluated, not the training.
	if got := lines[len(lines)-3:]; !slices.Equal(got, []string{"param seed " + strconv.FormatUint(r.Seed, 10),
		"param record_every 20", "param record_probe 200"}) {
		t.Errorf("last lines %q", got)
	}
	r2 := r
	r2.Checkpoints = []int{2, 3}
	if !slices.Equal(r2.KeyLines(), lines) {
		t.Errorf("other checkpoints changed the key lines")
	}
	// The prefix after epoch e has the same lines but the run's length,
	// and the learning-rate factor of each epoch.
	p := r.PrefixLines(2)
	if slices.Contains(p, "param epochs 3") || !slices.Contains(p, "param prefix_epochs 2") || !slices.Contains(p, "param lr_scales 1,1") {
		t.Errorf("prefix lines %q", p)
	}
	// With recording off there are no record lines.
	r.Record = RecordSpec{}
	if got := r.KeyLines(); len(got) != len(cfgLines)+1 || got[len(got)-1] != "param seed "+strconv.FormatUint(r.Seed, 10) {
		t.Errorf("recording off: last lines %q", got[len(got)-2:])
	}
}

// TestRecordSection checks [record]: defaults, values, and one-line errors
// naming the key and value.
func TestRecordSection(t *testing.T) {
	const head = "recipe = \"loewe\"\nseeds = 1\nmaster_seed = 1\n[data]\nsource = \"synthetic\"\ntrain_limit = 100\nval_limit = 300\ntest_limit = 10\n[base]\nbatch_size = 10\n[grid]\ndepth = [1]\n"
	for _, c := range []struct {
		body string
		want RecordSpec
		err  string
	}{
		{"", RecordSpec{Every: 20, Probe: 300}, ""},
		{"[record]\nevery = 5\nprobe = 40\n", RecordSpec{Every: 5, Probe: 40}, ""},
		{"[record]\nevery = 0\n", RecordSpec{}, ""},
		{"[record]\nprobe = 0\n", RecordSpec{Every: 20}, ""},
		{"[record]\nevery = -1\n", RecordSpec{}, "x.toml: record.every: value -1: must be in [0, 1073741824]"},
		{"[record]\nprobe = 301\n", RecordSpec{}, "x.toml: record.probe: value 301: must be in [0, 300], the validation samples"},
		{"[record]\nprobe = \"all\"\n", RecordSpec{}, "record.probe"},
		{"[record]\nsteps = 3\n", RecordSpec{}, `x.toml: unknown key "steps" in [record]`},
	} {
		e, err := Parse("x.toml", []byte(head+c.body))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || strings.Contains(err.Error(), "\n") {
				t.Errorf("%q: error %v, want one line containing %q", c.body, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.body, err)
			continue
		}
		if e.Record != c.want {
			t.Errorf("%q: record %+v, want %+v", c.body, e.Record, c.want)
		}
	}
}

func TestCost(t *testing.T) {
	// A hand count for one smoke run, depth 1, width 16, loewe (classifier
	// on layer 1), 784 features, 600/200/200 samples, batch 50, 3 epochs:
	// training batch = 4·50·774·16 + 4·50·10·16 = 2,508,800 FLOPs (layer 1
	// forward and backward, classifier forward and backward), 12 batches an
	// epoch; a forward pass = 2·784·16 + 2·10·16 = 25,408 FLOPs, 11 passes
	// per validation sample per epoch and per test sample per checkpoint;
	// the probe (200 samples, 3 passes each) at the 13 recorded steps of 3
	// 12-step epochs: 0, 1, 2, 3, 4, 6, 8, 11, 12, 16, 20, 24, 36.
	e, err := Profile("smoke")
	if err != nil {
		t.Fatal(err)
	}
	got := e.RunCost(e.Runs()[0])
	want := Cost{
		Train:    3 * 12 * 2508800,
		Validate: 3 * 200 * 11 * 25408,
		Test:     2 * 200 * 11 * 25408,
		Probe:    13 * 200 * 3 * 25408,
	}
	if got != want {
		t.Errorf("RunCost = %+v, want %+v", got, want)
	}
	if got.Total() != want.Train+want.Validate+want.Test+want.Probe {
		t.Errorf("Total = %g", got.Total())
	}

	// Depth 2 × width 16 (the smoke's second treatment) reading all layers:
	// the classifier adds layer 1's 2·10·16 FLOPs to a forward pass,
	// 2·784·16 + 2·16·16 + 2·10·(16+16) = 26,240. Without a classifier a
	// forward pass is 2·784·16 + 2·16·16 = 25,600 and the probe takes 10
	// passes per sample.
	r := e.Runs()[2]
	r.Config.Readout = ff.AllLayers
	if got, want := e.RunCost(r).Validate, 3*200*11*26240.0; got != want {
		t.Errorf("readout all: validation %g FLOPs, want %g", got, want)
	}
	r.Config.Classifier = false
	if got, want := e.RunCost(r).Probe, 13*200*10*25600.0; got != want {
		t.Errorf("no classifier: probe %g FLOPs, want %g", got, want)
	}
}

func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "local.toml")
	src := "recipe = \"loewe\"\nseeds = 1\nmaster_seed = 1\n[data]\ndir = \"idx\"\ntrain_limit = 100\n[grid]\ndepth = [1]\n"
	if err := os.WriteFile(p, []byte(src), 0o666); err != nil {
		t.Fatal(err)
	}
	e, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if e.Name != "local" || e.Data.Source != SourceDir || e.Data.Dir != filepath.Join(dir, "idx") || e.Data.TrainLimit != 100 {
		t.Errorf("name %q, data %+v", e.Name, e.Data)
	}
	if e.Data.Seed != 1 {
		// Unused for folders, but set like every other source's.
		t.Errorf("data seed %d", e.Data.Seed)
	}
	if r := e.Runs()[0]; r.Data != e.Data {
		t.Errorf("run data %+v, want the experiment's %+v (the folder made relative to the file's)", r.Data, e.Data)
	}
}

// head is a valid file up to its [data] table; tests append the rest.
const head = `recipe = "loewe"
seeds = 2
master_seed = 1
[data]
source = "mnist"
`

// TestArithmetic checks the arithmetic key: native by default, portable
// when the file says so.
func TestArithmetic(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"", "native"},
		{`arithmetic = "native"` + "\n", "native"},
		{`arithmetic = "portable"` + "\n", "portable"},
	} {
		e, err := Parse("x.toml", []byte(tc.line+head+"[grid]\ndepth = [1]\n"))
		if err != nil {
			t.Fatalf("%q: %v", tc.line, err)
		}
		if e.Arithmetic != tc.want {
			t.Errorf("%q: Arithmetic %q, want %q", tc.line, e.Arithmetic, tc.want)
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unknown top-level key", "colour = 1\n" + head + "[grid]\ndepth = [1]\n",
			`unknown key "colour"`},
		{"key differing in case", "Seeds = 3\n" + head + "[grid]\ndepth = [1]\n",
			`unknown key "Seeds"`},
		{"unknown table", head + "[grid]\ndepth = [1]\n[plot]\nx = 1\n",
			`unknown key "plot"`},
		{"unknown arithmetic", `arithmetic = "exact"` + "\n" + head + "[grid]\ndepth = [1]\n",
			`arithmetic: value "exact": must be one of ["native" "portable"]`},
		{"arithmetic not a string", "arithmetic = true\n" + head + "[grid]\ndepth = [1]\n",
			`arithmetic: want a string, got boolean true`},
		{"unknown key in base", head + "[base]\ndpeth = 2\n[grid]\nwidth = [1]\n",
			`unknown key "dpeth" in [base]`},
		{"unknown key in grid", head + "[grid]\ndpeth = [1, 2]\n",
			`unknown key "dpeth" in [grid]`},
		{"unknown key in data", head + "shuffle = true\n[grid]\ndepth = [1]\n",
			`unknown key "shuffle" in [data]`},
		{"unknown key in evaluate", head + "[grid]\ndepth = [1]\n[evaluate]\nevery = 5\n",
			`unknown key "every" in [evaluate]`},
		{"recipe in base", head + "[base]\nrecipe = \"pezeshki\"\n[grid]\ndepth = [1]\n",
			`base.recipe: set the recipe with the top-level key "recipe", or list recipes in [grid] or [one_at_a_time]`},
		{"unknown recipe in grid", head + "[grid]\nrecipe = [\"loewe\", \"hinton\"]\n",
			`grid.recipe: value "hinton": must be one of ["loewe" "pezeshki"]`},
		{"one at a time: base level differs", head + "[one_at_a_time]\npeer_weight = [0.05, 0]\n",
			`one_at_a_time.peer_weight: value 0.05: the first value is the base level, and the base has 0.03 (set peer_weight in [base] too)`},
		{"one at a time: also in grid", head + "[grid]\ndepth = [1, 2]\n[one_at_a_time]\ndepth = [1, 3]\n",
			`one_at_a_time.depth: also in [grid]; an axis is crossed or varied one at a time, not both`},
		{"one at a time: base level differs from [base]", head + "[base]\ndepth = 2\n[one_at_a_time]\ndepth = [3, 2]\n",
			`one_at_a_time.depth: value 3: the first value is the base level, and the base has 2`},
		{"one at a time: empty", head + "[one_at_a_time]\n",
			`[one_at_a_time] is empty: list at least one field and its values`},
		{"one at a time: bad value", head + "[one_at_a_time]\nschedule = [\"simultaneous\", \"sideways\"]\n",
			`one_at_a_time.schedule: value "sideways": must be one of ["simultaneous" "greedy"]`},

		{"wrong type in base", head + "[base]\nepochs = \"ten\"\n[grid]\ndepth = [1]\n",
			`base.epochs: want an integer, got string "ten"`},
		{"float for an integer", head + "[base]\nepochs = 10.0\n[grid]\ndepth = [1]\n",
			`base.epochs: want an integer, got float 10`},
		{"wrong type for a float", head + "[base]\nlr = \"fast\"\n[grid]\ndepth = [1]\n",
			`base.lr: want a number, got string "fast"`},
		{"wrong type for a bool", head + "[base]\nclassifier = 1\n[grid]\ndepth = [1]\n",
			`base.classifier: want true or false, got integer 1`},
		{"wrong type for widths", head + "[base]\nwidths = [100, \"x\"]\n[grid]\ndepth = [2]\n",
			`base.widths: want an array of integers, got array [100, "x"]`},
		{"table for a value", head + "[base.epochs]\nn = 3\n[grid]\ndepth = [1]\n",
			`base.epochs: want an integer, got table {n = 3}`},
		{"wrong type in grid", head + "[grid]\nwidth = [100, \"big\"]\n",
			`grid.width: want an integer, got string "big"`},
		{"grid value not a list", head + "[grid]\nwidth = 100\n",
			`grid.width: want an array of values, got integer 100`},
		{"wrong type at the top", "recipe = \"loewe\"\nseeds = \"many\"\nmaster_seed = 1\n[data]\nsource = \"mnist\"\n[grid]\ndepth = [1]\n",
			`seeds: want an integer, got string "many"`},
		{"wrong type in data", "recipe = \"loewe\"\nseeds = 2\nmaster_seed = 1\n[data]\nsource = \"mnist\"\ntrain_limit = \"all\"\n[grid]\ndepth = [1]\n",
			`data.train_limit: want an integer, got string "all"`},
		{"data not a table", "recipe = \"loewe\"\nseeds = 2\nmaster_seed = 1\ndata = \"mnist\"\n[grid]\ndepth = [1]\n",
			`data: want a table, got string "mnist"`},
		{"checkpoints not a list", head + "[grid]\ndepth = [1]\n[evaluate]\ncheckpoints = 5\n",
			`evaluate.checkpoints: want an array of epochs, got integer 5`},
		{"checkpoint not an integer", head + "[grid]\ndepth = [1]\n[evaluate]\ncheckpoints = [1, \"final\"]\n",
			`evaluate.checkpoints: want an integer, got string "final"`},

		{"empty grid list", head + "[grid]\ndepth = [1, 2]\nwidth = []\n",
			`grid.width: value []: must list at least one value`},
		{"empty grid table", head + "[grid]\n",
			`[grid] is empty: list at least one field and its values`},
		{"no grid", head,
			`missing key "grid" (or "one_at_a_time")`},
		{"repeated grid value", head + "[grid]\nlr = [0.1, 1e-1]\n",
			`grid.lr: value 0.1: listed twice`},
		{"field in base and grid", head + "[base]\ndepth = 2\n[grid]\ndepth = [1, 2]\n",
			`grid.depth: also set in [base]; set it in one place`},

		{"negative width", head + "[grid]\ndepth = [1, 2]\nwidth = [100, -5]\n",
			`grid.width: value -5: must be at least 1`},
		{"negative width in base", head + "[base]\nwidth = -5\n[grid]\ndepth = [1, 2]\n",
			`base.width: value -5: must be at least 1 (treatment depth=1)`},
		{"bad enum in grid", head + "[grid]\noptimizer = [\"sgd\", \"lbfgs\"]\n",
			`grid.optimizer: value "lbfgs": must be one of ["sgd" "adam"]`},
		{"widths against depth", head + "[base]\nwidths = [100, 200]\n[grid]\ndepth = [2, 3]\n",
			`base.widths: value [100 200]: must have depth = 3 entries (treatment depth=3)`},
		{"zero lr", head + "[base]\nlr = 0.0\n[grid]\ndepth = [1]\n",
			`base.lr: value 0: must be finite and > 0`},

		{"unknown recipe", "recipe = \"hinton\"\nseeds = 2\nmaster_seed = 1\n[data]\nsource = \"mnist\"\n[grid]\ndepth = [1]\n",
			`recipe: value "hinton": must be one of ["loewe" "pezeshki"]`},
		{"no recipe", "seeds = 2\nmaster_seed = 1\n[data]\nsource = \"mnist\"\n[grid]\ndepth = [1]\n",
			`missing key "recipe"`},
		{"zero seeds", "recipe = \"loewe\"\nseeds = 0\nmaster_seed = 1\n[data]\nsource = \"mnist\"\n[grid]\ndepth = [1]\n",
			`seeds: value 0: must be at least 1`},
		{"negative master seed", "recipe = \"loewe\"\nseeds = 1\nmaster_seed = -1\n[data]\nsource = \"mnist\"\n[grid]\ndepth = [1]\n",
			`master_seed: value -1: must be at least 0`},

		{"unknown source", "recipe = \"loewe\"\nseeds = 1\nmaster_seed = 1\n[data]\nsource = \"cifar\"\n[grid]\ndepth = [1]\n",
			`data.source: value "cifar": must be one of ["mnist" "fashion-mnist" "synthetic"]`},
		{"no source", "recipe = \"loewe\"\nseeds = 1\nmaster_seed = 1\n[data]\ntrain_limit = 5\n[grid]\ndepth = [1]\n",
			`[data] needs source = "mnist", "fashion-mnist" or "synthetic", or dir = "<folder>"`},
		{"source and dir", head + "dir = \"mnist\"\n[grid]\ndepth = [1]\n",
			`data.dir: give either source or dir, not both`},
		{"limit beyond MNIST", head + "train_limit = 60000\n[grid]\ndepth = [1]\n",
			`data.train_limit: value 60000: must be at most 50000, the size of the MNIST split`},
		{"limit beyond Fashion-MNIST", "recipe = \"loewe\"\nseeds = 1\nmaster_seed = 1\n[data]\nsource = \"fashion-mnist\"\ntest_limit = 10001\n[grid]\ndepth = [1]\n",
			`data.test_limit: value 10001: must be at most 10000, the size of the Fashion-MNIST split`},
		{"seed for Fashion-MNIST", "recipe = \"loewe\"\nseeds = 1\nmaster_seed = 1\n[data]\nsource = \"fashion-mnist\"\nseed = 3\n[grid]\ndepth = [1]\n",
			`data.seed: only synthetic data has a seed`},
		{"negative limit", head + "val_limit = -1\n[grid]\ndepth = [1]\n",
			`data.val_limit: value -1: must be at least 0`},
		{"synthetic without a size", "recipe = \"loewe\"\nseeds = 1\nmaster_seed = 1\n[data]\nsource = \"synthetic\"\ntrain_limit = 100\nval_limit = 10\n[grid]\ndepth = [1]\n",
			`missing key "test_limit" in [data]: synthetic data needs every split's size`},
		{"seed for MNIST", head + "seed = 3\n[grid]\ndepth = [1]\n",
			`data.seed: only synthetic data has a seed`},

		{"checkpoint beyond epochs", head + "[base]\nepochs = 10\n[grid]\ndepth = [1]\n[evaluate]\ncheckpoints = [5, 20]\n",
			`evaluate.checkpoints: value 20: beyond the 10 epochs of treatment depth=1`},
		{"checkpoint beyond one treatment's epochs", head + "[grid]\nepochs = [20, 10]\n[evaluate]\ncheckpoints = [15]\n",
			`evaluate.checkpoints: value 15: beyond the 10 epochs of treatment epochs=10`},
		{"checkpoints out of order", head + "[grid]\ndepth = [1]\n[evaluate]\ncheckpoints = [10, 5]\n",
			`evaluate.checkpoints: value 5: must be greater than the epoch before it (10)`},
		{"checkpoint zero", head + "[grid]\ndepth = [1]\n[evaluate]\ncheckpoints = [0]\n",
			`evaluate.checkpoints: value 0: must be at least 1`},
		{"unknown split", head + "[grid]\ndepth = [1]\n[evaluate]\nsplit = \"train\"\n",
			`evaluate.split: value "train": must be one of ["test" "val"]`},

		{"name ..", "name = \"..\"\n" + head + "[grid]\ndepth = [1]\n",
			`name: value "..": must be letters, digits, "-", "_" and ".", not starting with "."`},
		{"name .", "name = \".\"\n" + head + "[grid]\ndepth = [1]\n",
			`name: value ".": must be letters, digits, "-", "_" and ".", not starting with "."`},
		{"empty name", "name = \"\"\n" + head + "[grid]\ndepth = [1]\n",
			`name: value "": must not be empty`},
		{"name a/../..", "name = \"a/../..\"\n" + head + "[grid]\ndepth = [1]\n",
			`name: value "a/../..": must be letters, digits, "-", "_" and ".", not starting with "."`},
		{"name with a newline", "name = \"a\\nb\"\n" + head + "[grid]\ndepth = [1]\n",
			`name: value "a\nb": must be letters, digits, "-", "_" and ".", not starting with "."`},
		{"long name", "name = \"" + strings.Repeat("a", 65) + "\"\n" + head + "[grid]\ndepth = [1]\n",
			`name: value "` + strings.Repeat("a", 65) + `": must be at most 64 bytes`},
		{"MaxInt64 width", head + "[grid]\nwidth = [9223372036854775807]\n",
			`grid.width: value 9223372036854775807: must be at most 1048576`},
		{"MaxInt64 epochs", head + "[grid]\nepochs = [9223372036854775807]\n",
			`grid.epochs: value 9223372036854775807: must be at most 1000000`},
		{"MaxInt64 depth", head + "[base]\ndepth = 9223372036854775807\n[grid]\nwidth = [1]\n",
			`base.depth: value 9223372036854775807: must be at most 1000`},
		{"MaxInt64 seeds", "recipe = \"loewe\"\nseeds = 9223372036854775807\nmaster_seed = 1\n[data]\nsource = \"mnist\"\n[grid]\ndepth = [1]\n",
			`seeds: value 9223372036854775807: must be at most 10000`},
		{"too many runs", "recipe = \"loewe\"\nseeds = 10000\nmaster_seed = 1\n[data]\nsource = \"mnist\"\n[grid]\nlr = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1]\n",
			`seeds: value 10000: 11 treatments × 10000 seeds is more than 100000 runs`},
		{"huge synthetic split", "recipe = \"loewe\"\nseeds = 1\nmaster_seed = 1\n[data]\nsource = \"synthetic\"\ntrain_limit = 1000000000\nval_limit = 10\ntest_limit = 10\n[grid]\ndepth = [1]\n",
			`data.train_limit: value 1000000000: must be at most 10000000 for synthetic data`},
		{"batch beyond the training set", "recipe = \"loewe\"\nseeds = 1\nmaster_seed = 1\n[data]\nsource = \"synthetic\"\ntrain_limit = 300\nval_limit = 10\ntest_limit = 10\n[base]\nbatch_size = 500\n[grid]\ndepth = [1, 2]\n",
			`base.batch_size: value 500: must not exceed the 300 training samples (treatment depth=1)`},
		{"batch beyond the MNIST limit", head + "train_limit = 50\n[grid]\nbatch_size = [10, 100]\n",
			`grid.batch_size: value 100: must not exceed the 50 training samples`},

		{"synthetic as a source axis value", "recipe = \"loewe\"\nseeds = 1\nmaster_seed = 1\n[data]\n[grid]\nsource = [\"mnist\", \"synthetic\"]\n",
			`grid.source: value "synthetic": must be one of ["mnist" "fashion-mnist"]; synthetic data and folders are set in [data]`},
		{"dir as a source axis value", "recipe = \"loewe\"\nseeds = 1\nmaster_seed = 1\n[data]\n[grid]\nsource = [\"dir\"]\n",
			`grid.source: value "dir": must be one of ["mnist" "fashion-mnist"]; synthetic data and folders are set in [data]`},
		{"source axis value not a string", "recipe = \"loewe\"\nseeds = 1\nmaster_seed = 1\n[data]\n[grid]\nsource = [1]\n",
			`grid.source: want a string, got integer 1`},
		{"source axis not a list", "recipe = \"loewe\"\nseeds = 1\nmaster_seed = 1\n[data]\n[grid]\nsource = \"mnist\"\n",
			`grid.source: want an array of values, got string "mnist"`},
		{"source axis value twice", "recipe = \"loewe\"\nseeds = 1\nmaster_seed = 1\n[data]\n[grid]\nsource = [\"mnist\", \"mnist\"]\n",
			`grid.source: value "mnist": listed twice`},
		{"source in data and grid", head + "[grid]\nsource = [\"mnist\", \"fashion-mnist\"]\n",
			`grid.source: [data] also sets source; name the data in one place`},
		{"dir in data and source in grid", "recipe = \"loewe\"\nseeds = 1\nmaster_seed = 1\n[data]\ndir = \"idx\"\n[grid]\nsource = [\"mnist\"]\n",
			`grid.source: [data] also sets dir; name the data in one place`},
		{"source in base", head + "[base]\nsource = \"fashion-mnist\"\n[grid]\ndepth = [1]\n",
			`base.source: set the data in [data], or vary it in [grid] or [one_at_a_time]`},
		{"limit beyond a source axis's split", "recipe = \"loewe\"\nseeds = 1\nmaster_seed = 1\n[data]\ntrain_limit = 60000\n[grid]\nsource = [\"mnist\", \"fashion-mnist\"]\n",
			`data.train_limit: value 60000: must be at most 50000, the size of the MNIST and Fashion-MNIST split`},
		{"seed with a source axis", "recipe = \"loewe\"\nseeds = 1\nmaster_seed = 1\n[data]\nseed = 3\n[grid]\nsource = [\"mnist\"]\n",
			`data.seed: only synthetic data has a seed`},
		{"batch beyond a source axis's limit", "recipe = \"loewe\"\nseeds = 1\nmaster_seed = 1\n[data]\ntrain_limit = 50\n[base]\nbatch_size = 100\n[grid]\nsource = [\"mnist\", \"fashion-mnist\"]\n",
			`base.batch_size: value 100: must not exceed the 50 training samples (treatment source=mnist)`},

		{"syntax error", head + "[grid]\ndepth = [1,\n",
			`line 7: unexpected EOF; expected value`},
		{"duplicate key", head + "[grid]\ndepth = [1]\ndepth = [2]\n",
			`line 8: Key 'grid.depth' has already been defined.`},
	}
	for _, tt := range tests {
		_, err := Parse("experiments/bad.toml", []byte(tt.src))
		want := "experiments/bad.toml: " + tt.want
		if got := errString(err); got != want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, want)
		}
		var e *Error
		if err != nil && !errors.As(err, &e) {
			t.Errorf("%s: error is %T, want *Error", tt.name, err)
		}
		if strings.Contains(errString(err), "\n") {
			t.Errorf("%s: error spans lines", tt.name)
		}
	}
}

func TestErrorKey(t *testing.T) {
	_, err := Parse("x.toml", []byte(head+"[grid]\ndepth = [1, 2]\nwidth = [100, -5]\n"))
	var e *Error
	if !errors.As(err, &e) || e.Key != "grid.width" || e.Path != "x.toml" {
		t.Fatalf("error %#v, want key grid.width in x.toml", err)
	}
	var fe *ff.FieldError
	if !errors.As(err, &fe) || fe.Field != "width" {
		t.Errorf("error does not wrap the ff.FieldError")
	}
}

func TestLoadMissing(t *testing.T) {
	p := filepath.Join(t.TempDir(), "missing.toml")
	_, err := Load(p)
	if got, want := errString(err), p+": no such file or directory"; got != want {
		t.Errorf("Load(missing)\n got %s\nwant %s", got, want)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) error does not wrap fs.ErrNotExist")
	}
}

func mustParse(t *testing.T, src string) *Experiment {
	t.Helper()
	e, err := Parse("test.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestNotesArePublishedText(t *testing.T) {
	e, err := Profile("reproduction")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.Notes, "Scaled down from the paper") {
		t.Errorf("reproduction notes: %q", e.Notes)
	}
	if _, err := Parse("x.toml", []byte("notes = 3\n")); err == nil || !strings.Contains(err.Error(), "notes") {
		t.Errorf("notes = 3: error %v, want one naming notes", err)
	}
}

func TestCurvesSplit(t *testing.T) {
	base := "recipe = \"loewe\"\nseeds = 1\nmaster_seed = 1\n[data]\nsource = \"synthetic\"\ntrain_limit = 100\nval_limit = 10\ntest_limit = 10\n[grid]\ndepth = [1]\n"
	e, err := Parse("c.toml", []byte(base))
	if err != nil || e.Evaluate.Curves != SplitVal {
		t.Fatalf("default curves: %v, %+v", err, e)
	}
	e, err = Parse("c.toml", []byte(base+"[evaluate]\ncurves = \"train\"\n"))
	if err != nil || e.Evaluate.Curves != SplitTrain {
		t.Errorf("curves = train: %v, %+v", err, e.Evaluate)
	}
	_, err = Parse("c.toml", []byte(base+"[evaluate]\ncurves = \"test\"\n"))
	if err == nil || err.Error() != `c.toml: evaluate.curves: value "test": must be one of ["val" "train"]` {
		t.Errorf("curves = test: %v", err)
	}
}

func TestFashionMNISTSource(t *testing.T) {
	src := "recipe = \"loewe\"\nseeds = 1\nmaster_seed = 1\n[data]\nsource = \"fashion-mnist\"\nval_limit = 2000\n[grid]\ndepth = [1, 2]\n"
	e, err := Parse("f.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if e.Data.Source != "fashion-mnist" {
		t.Errorf("source %q, want %q", e.Data.Source, "fashion-mnist")
	}
	// Fashion-MNIST has MNIST's split sizes.
	if tr, va, te := e.Data.Sizes(); tr != 50000 || va != 2000 || te != 10000 {
		t.Errorf("sizes %d/%d/%d, want 50000/2000/10000", tr, va, te)
	}
}

// TestOneAtATime: [one_at_a_time] varies each axis around its first value,
// crossed with [grid]; a treatment that does not vary an axis keeps what its
// recipe and [base] give it, and its ID says so (pezeshki's peer_weight is
// its own 0, not the base's 0.03).
func TestOneAtATime(t *testing.T) {
	const src = `recipe = "loewe"
seeds = 2
master_seed = 3
[data]
source = "synthetic"
train_limit = 100
val_limit = 50
test_limit = 10
[base]
batch_size = 10
depth = 3
epochs = 4
[grid]
width = [50, 25]
[one_at_a_time]
epochs = [4, 6]
schedule = ["simultaneous", "greedy"]
peer_weight = [0.03, 0]
recipe = ["loewe", "pezeshki"]
readout = ["skip-first", "all"]
[evaluate]
checkpoints = [2]
`
	e, err := Parse("oat.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.Axes(), []string{"epochs", "peer_weight", "readout", "recipe", "schedule", "width"}; !slices.Equal(got, want) {
		t.Fatalf("axes %q, want %q", got, want)
	}
	var want []string
	for _, w := range []string{"width=50", "width=25"} {
		want = append(want,
			"epochs=4,peer_weight=0.03,readout=skip-first,recipe=loewe,schedule=simultaneous,"+w,
			"epochs=6,peer_weight=0.03,readout=skip-first,recipe=loewe,schedule=simultaneous,"+w,
			"epochs=4,peer_weight=0,readout=skip-first,recipe=loewe,schedule=simultaneous,"+w,
			"epochs=4,peer_weight=0.03,readout=all,recipe=loewe,schedule=simultaneous,"+w,
			"epochs=4,peer_weight=0,readout=skip-first,recipe=pezeshki,schedule=simultaneous,"+w,
			"epochs=4,peer_weight=0.03,readout=skip-first,recipe=loewe,schedule=greedy,"+w)
	}
	ts := e.Treatments()
	var ids, varied []string
	for _, tr := range ts {
		ids = append(ids, tr.ID)
		varied = append(varied, tr.Varied)
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("treatment IDs\n got %q\nwant %q", ids, want)
	}
	if w := []string{"", "epochs", "peer_weight", "readout", "recipe", "schedule"}; !slices.Equal(varied[:6], w) || !slices.Equal(varied[6:], w) {
		t.Errorf("varied axes %q, want %q twice", varied, w)
	}
	pez, err := ff.DefaultConfig(ff.Pezeshki)
	if err != nil {
		t.Fatal(err)
	}
	pez.BatchSize, pez.Depth, pez.Epochs, pez.Width = 10, 3, 4, 50
	if got := ts[4].Config; !reflect.DeepEqual(got, pez) {
		t.Errorf("recipe=pezeshki treatment: config\n%+v\nwant pezeshki's defaults with [base] and the grid\n%+v", got, pez)
	}
	if c := ts[5].Config; c.Schedule != ff.Greedy || c.TotalEpochs() != 12 || !slices.Equal(ts[5].Checkpoints, []int{2, 12}) {
		t.Errorf("greedy treatment: schedule %s, %d epochs, checkpoints %v", c.Schedule, c.TotalEpochs(), ts[5].Checkpoints)
	}
	if c := ts[1].Config; c.Epochs != 6 || c.Recipe != ff.Loewe {
		t.Errorf("epochs=6 treatment: epochs %d, recipe %s", c.Epochs, c.Recipe)
	}
	if c := ts[3].Config; c.Readout != ff.AllLayers || c.Recipe != ff.Loewe || c.PeerWeight != 0.03 {
		t.Errorf("readout=all treatment: readout %s, recipe %s, peer weight %g", c.Readout, c.Recipe, c.PeerWeight)
	}
	if v := ts[4].Values; !slices.Equal(v, []string{"4", "0", "skip-first", "pezeshki", "simultaneous", "50"}) {
		t.Errorf("recipe=pezeshki values %q", v)
	}
	if n := len(e.Runs()); n != 24 {
		t.Errorf("%d runs, want 12 treatments × 2 seeds", n)
	}
}

// [grid] source makes the data set an axis: each treatment's and run's
// Data is the [data] table with the axis's value as its source.
func TestSourceAxis(t *testing.T) {
	src := "recipe = \"loewe\"\nseeds = 2\nmaster_seed = 1\n[data]\ntrain_limit = 1000\nval_limit = 200\n" +
		"[grid]\nwidth = [500]\nsource = [\"mnist\", \"fashion-mnist\"]\ndepth = [3]\n"
	e, err := Parse("d.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if e.Data.Source != "" || !e.HasAxis(SourceAxis) || !slices.Equal(e.Sources(), []string{"mnist", "fashion-mnist"}) {
		t.Errorf("data %+v, sources %q", e.Data, e.Sources())
	}
	want := map[string]DataSpec{
		"depth=3,source=mnist,width=500":         {Source: "mnist", TrainLimit: 1000, ValLimit: 200, Seed: 1},
		"depth=3,source=fashion-mnist,width=500": {Source: "fashion-mnist", TrainLimit: 1000, ValLimit: 200, Seed: 1},
	}
	ts := e.Treatments()
	if len(ts) != 2 || ts[0].ID != "depth=3,source=mnist,width=500" {
		t.Fatalf("treatments %+v", ts)
	}
	for _, tr := range ts {
		if d, ok := want[tr.ID]; !ok || tr.Data != d {
			t.Errorf("treatment %s: data %+v, want %+v", tr.ID, tr.Data, d)
		}
		if tr.Config.Depth != 3 || tr.Config.Width != 500 {
			t.Errorf("treatment %s: config depth %d width %d", tr.ID, tr.Config.Depth, tr.Config.Width)
		}
	}
	runs := e.Runs()
	if len(runs) != 4 {
		t.Fatalf("%d runs, want 4", len(runs))
	}
	for _, r := range runs {
		if r.Data != want[r.TreatmentID] {
			t.Errorf("run %d: data %+v, want %+v", r.Index, r.Data, want[r.TreatmentID])
		}
		if slices.ContainsFunc(r.KeyLines(), func(l string) bool { return strings.Contains(l, "source") }) {
			t.Errorf("run %d: the source is in the train key lines; the prepared data is the key's input", r.Index)
		}
	}

	// Without the axis, every treatment has the [data] table as its data.
	e, err = Parse("m.toml", []byte(head+"train_limit = 1000\n[grid]\ndepth = [1, 2]\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range e.Runs() {
		if r.Data != e.Data || r.Data.Source != "mnist" {
			t.Errorf("run %d: data %+v, want the experiment's %+v", r.Index, r.Data, e.Data)
		}
	}
	if e.HasAxis(SourceAxis) || !slices.Equal(e.Sources(), []string{"mnist"}) {
		t.Errorf("sources %q", e.Sources())
	}
}

// [one_at_a_time] source: the base runs on the first data set listed and
// the varied treatment on the other, and [data] may not name a source.
func TestSourceOneAtATime(t *testing.T) {
	src := "recipe = \"loewe\"\nseeds = 1\nmaster_seed = 1\n[data]\ntrain_limit = 1000\n[base]\ndepth = 2\n" +
		"[one_at_a_time]\nsource = [\"mnist\", \"fashion-mnist\"]\nschedule = [\"simultaneous\", \"greedy\"]\n"
	e, err := Parse("d.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tr := range e.Treatments() {
		got = append(got, tr.ID+" "+tr.Data.Source)
	}
	want := []string{
		"schedule=simultaneous,source=mnist mnist",
		"schedule=greedy,source=mnist mnist",
		"schedule=simultaneous,source=fashion-mnist fashion-mnist",
	}
	if !slices.Equal(got, want) {
		t.Errorf("treatments %q, want %q", got, want)
	}
	if !e.HasAxis(SourceAxis) || !slices.Equal(e.Sources(), []string{"mnist", "fashion-mnist"}) {
		t.Errorf("sources %q", e.Sources())
	}
	_, err = Parse("d.toml", []byte(strings.Replace(src, "train_limit = 1000\n", "source = \"mnist\"\n", 1)))
	if want := "d.toml: one_at_a_time.source: [data] also sets source; name the data in one place"; errString(err) != want {
		t.Errorf("source in [data] and [one_at_a_time]: %v, want %s", err, want)
	}
}
