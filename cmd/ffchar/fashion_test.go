package main

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/dataset"
)

// fashion is tiny on Fashion-MNIST.
var fashion = strings.NewReplacer(`name = "tiny"`, `name = "fashion"`, `source = "synthetic"`, `source = "fashion-mnist"`,
	"seeds = 2", "seeds = 1", "depth = [1, 2]", "depth = [1]").Replace(tiny)

func TestFashionMNISTNotInstalled(t *testing.T) {
	workdir(t, map[string]string{"fashion.toml": fashion})
	empty := t.TempDir()
	t.Setenv(dataset.FashionMNIST.DirEnv, empty)
	msg := "dataset: Fashion-MNIST is not installed (no train-images-idx3-ubyte.gz in " + empty + "): apt-get install dataset-fashion-mnist\n"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--data", "fashion-mnist", "--epochs", "1"}, "ffchar: " + msg},
		// The pipeline names the job that failed.
		{[]string{"run", "--profile", "fashion", "--cache", "c", "--until", "prep"}, "ffchar: job fashion/prep: " + msg},
	} {
		_, stderr, code := ffchar(t, c.args...)
		if last := stderr[strings.LastIndex(strings.TrimSuffix(stderr, "\n"), "\n")+1:]; code != 1 || last != c.want {
			t.Errorf("ffchar %s: exit %d, stderr\n%s\nwant exit 1 and a last line\n%s", strings.Join(c.args, " "), code, stderr, c.want)
		}
	}
}

func TestFashionMNISTChecksumRefused(t *testing.T) {
	workdir(t, nil)
	os.Mkdir("synth", 0o755)
	if err := dataset.WriteSynthetic("synth", 300, 50, 1, true); err != nil {
		t.Fatal(err)
	}
	t.Setenv(dataset.FashionMNIST.DirEnv, "synth")
	_, stderr, code := ffchar(t, "train", "--data", "fashion-mnist", "--epochs", "1")
	if want := "ffchar: dataset: synth/train-images-idx3-ubyte.gz: checksum mismatch: md5 of the uncompressed content "; code != 1 ||
		strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, want) {
		t.Errorf("exit %d, stderr %q; want exit 1 and one line starting %q", code, stderr, want)
	}
}

// TestFashionMNISTTrains needs the Debian package.
func TestFashionMNISTTrains(t *testing.T) {
	t.Setenv(dataset.FashionMNIST.DirEnv, "")
	if _, err := dataset.FashionMNIST.Locate(); errors.Is(err, fs.ErrNotExist) {
		t.Skip(err)
	}
	workdir(t, map[string]string{"fashion.toml": fashion})
	stdout, _ := mustRun(t, "train", "--data", "fashion-mnist", "--train-limit", "200", "--val-limit", "100", "--epochs", "1",
		"--depth", "1", "--width", "12", "--batch-size", "50")
	if !strings.Contains(stdout, "; fashion-mnist: 200 train, 100 val samples;") {
		t.Errorf("stdout does not name fashion-mnist:\n%s", stdout)
	}
	// An experiment with source = "fashion-mnist" trains through the
	// pipeline.
	_, stderr := mustRun(t, "run", "--profile", "fashion", "--cache", "c", "--until", "train")
	if ids := computed(stderr); countStage(ids, "prep") != 1 || countStage(ids, "train") != 1 {
		t.Errorf("computed %v, want one prep and one train job", ids)
	}
}
