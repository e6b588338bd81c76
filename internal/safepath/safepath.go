// Package safepath builds paths from user input that must stay below a
// root folder: an experiment's results folder below results/, its Slurm
// scripts below the cache. Names are checked where they are parsed (see
// experiments.CheckName); this is the second, independent check at the
// point where a path is built, so that no later change to a parser can
// make ffchar write outside its folders.
package safepath

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Join joins root and the elements and returns the result if it is a
// folder strictly below root, lexically (after cleaning, without
// resolving links). Otherwise the error names the path and the root.
func Join(root string, elem ...string) (string, error) {
	p := filepath.Join(append([]string{root}, elem...)...)
	if !Below(root, p) {
		return "", fmt.Errorf("%s is not below %s", filepath.Join(elem...), root)
	}
	return p, nil
}

// Below reports whether path is strictly below root, lexically.
func Below(root, path string) bool {
	rel, err := filepath.Rel(filepath.Clean(root), filepath.Clean(path))
	if err != nil || rel == "." || filepath.IsAbs(rel) {
		return false
	}
	return rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
