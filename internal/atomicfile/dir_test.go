package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// tree returns "name=content" for every file below dir, sorted.
func tree(t *testing.T, dir string) string {
	t.Helper()
	var files []string
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() && fi.Name() != JournalName {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			files = append(files, rel+"="+string(b))
		}
		return nil
	})
	sort.Strings(files)
	return strings.Join(files, " ")
}

func fillWith(files ...string) func(string) error {
	return func(dir string) error {
		for _, f := range files {
			name, body, _ := strings.Cut(f, "=")
			os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o777)
			if err := WriteBytes(filepath.Join(dir, name), []byte(body)); err != nil {
				return err
			}
		}
		return nil
	}
}

func TestReplaceDir(t *testing.T) {
	for _, fallback := range []bool{false, true} {
		if fallback {
			exchangeNames = func(a, b string) error { return errNoExchange }
			t.Cleanup(func() { exchangeNames = exchange })
		}
		parent := t.TempDir()
		dst := filepath.Join(parent, "exp")
		must(t, ReplaceDir(dst, fillWith("README.md=v1", "data/a=1", "figures/f=1")))
		must(t, ReplaceDir(dst, fillWith("README.md=v2", "data/a=2")))
		if got := tree(t, parent); got != "exp/README.md=v2 exp/data/a=2" {
			t.Errorf("fallback %v: after two replacements: %s", fallback, got)
		}
		fi, err := os.Stat(dst)
		must(t, err)
		if fi.Mode().Perm()&0o755 != 0o755 {
			t.Errorf("published folder mode %v, want 0777 less the umask", fi.Mode())
		}
		// A failing fill leaves the old folder and no temporaries.
		err = ReplaceDir(dst, func(dir string) error {
			fillWith("README.md=v3")(dir)
			return errors.New("disk full")
		})
		if err == nil {
			t.Errorf("failing fill: no error")
		}
		if got := tree(t, parent); got != "exp/README.md=v2 exp/data/a=2" {
			t.Errorf("fallback %v: after a failed replacement: %s", fallback, got)
		}
	}
}

// TestCleanTemps: what a killed write or replacement left, as listed in
// the folder's journal, is removed, a folder moved aside is put back, and
// nothing else is touched: names that look temporary but were not
// recorded (a home folder's ".bashrc.old-2023", ".config.old-ubuntu/")
// stay, and a recorded link is removed, never followed.
func TestCleanTemps(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	must(t, os.WriteFile(filepath.Join(outside, "thesis"), []byte("x"), 0o666))
	for _, f := range []string{".fig1.png.tmp-ABC=partial", ".exp.tmp-XYZ/README.md=new", ".gone.old-Q/gone/README.md=old",
		".hidden=keep", "notes.tmp-1=keep", "keep/.x.tmp-1=inner",
		".bashrc.old-2023=theirs", ".config.old-ubuntu/settings=theirs", ".exp.tmp-THEIRS=theirs"} {
		name, body, _ := strings.Cut(f, "=")
		os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o777)
		must(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o666))
	}
	must(t, os.Symlink(outside, filepath.Join(dir, ".link.tmp-1")))
	for _, name := range []string{".fig1.png.tmp-ABC", ".exp.tmp-XYZ", ".gone.old-Q", ".link.tmp-1", "../escape.tmp-1", "notes.tmp-1"} {
		must(t, record(dir, name))
	}
	must(t, CleanTemps(dir))
	want := ".bashrc.old-2023=theirs .config.old-ubuntu/settings=theirs .exp.tmp-THEIRS=theirs .hidden=keep gone/README.md=old keep/.x.tmp-1=inner notes.tmp-1=keep"
	if got := tree(t, dir); got != want {
		t.Errorf("after CleanTemps: %s, want %s", got, want)
	}
	if _, err := os.Stat(filepath.Join(outside, "thesis")); err != nil {
		t.Errorf("CleanTemps followed a link: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, JournalName)); !os.IsNotExist(err) {
		t.Errorf("CleanTemps left its journal: %v", err)
	}
}

// TestReplaceDirKilledCleaned: the temporaries of a replacement killed
// before it finished are recorded, so CleanTemps removes them.
func TestReplaceDirKilledCleaned(t *testing.T) {
	parent := t.TempDir()
	dst := filepath.Join(parent, "exp")
	must(t, ReplaceDir(dst, fillWith("README.md=v1")))
	var tmp string
	// A fill that leaves its folder behind stands for a process killed
	// while filling: move it aside so ReplaceDir's cleanup cannot see it.
	ReplaceDir(dst, func(dir string) error {
		tmp = dir
		fillWith("README.md=v2")(dir)
		must(t, os.Rename(dir, dir+"-keep"))
		must(t, os.Mkdir(dir, 0o777))
		return errors.New("killed")
	})
	must(t, os.Rename(tmp+"-keep", tmp))
	must(t, WriteRecorded(filepath.Join(parent, "README.md"), 0o666, func(w io.Writer) error { return nil }))
	must(t, CleanTemps(parent))
	if got := tree(t, parent); got != "README.md= exp/README.md=v1" {
		t.Errorf("after CleanTemps: %s", got)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
