package artifacts

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ffchar/ffchar/internal/atomicfile"

	"github.com/apache/arrow-go/v18/arrow"
)

// FileError reports a problem reading or writing one file. Its message is a
// single line: "artifacts: <path>: <problem>".
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string {
	return "artifacts: " + e.Path + ": " + oneLine(e.Err.Error())
}

func (e *FileError) Unwrap() error { return e.Err }

// ErrFormat is wrapped by errors about files that can be read but do not
// hold the expected table: another kind of file, a missing column, a
// column of the wrong type, a value out of range.
var ErrFormat = errors.New("unexpected content")

// formatError returns an error wrapping ErrFormat.
func formatError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(format, args...))
}

// oneLine joins a multi-line message (arrow's errors may print schemas).
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// KindKey is the metadata key under which every file records what it
// holds and the version of its schema, for example "metrics/1". Writers set
// it; callers may not, and readers check it and leave it out of the
// metadata they return.
const KindKey = "ffchar.kind"

// The kinds of file, as recorded under KindKey.
const (
	kindMetrics     = "metrics/1"
	kindEvaluations = "evaluations/1"
	kindConfusion   = "confusion/1"
	kindParams      = "params/1"
	kindDataset     = "dataset/1"
)

// schemaMetadata returns meta plus the file kind, sorted by key so that the
// bytes written do not depend on map iteration order. Keys and values must
// be valid UTF-8 (Parquet requires it, and pqarrow silently drops pairs that
// are not), keys must be non-empty and not reserved.
func schemaMetadata(kind string, meta map[string]string) (arrow.Metadata, error) {
	keys := slices.Sorted(maps.Keys(meta))
	vals := make([]string, 0, len(keys)+1)
	for _, k := range keys {
		v := meta[k]
		switch {
		case k == "":
			return arrow.Metadata{}, errors.New("metadata has an empty key")
		case k == KindKey || strings.HasPrefix(k, "ARROW:"):
			return arrow.Metadata{}, fmt.Errorf("metadata key %q is reserved", k)
		case !utf8.ValidString(k):
			return arrow.Metadata{}, fmt.Errorf("metadata key %q is not valid UTF-8", k)
		case !utf8.ValidString(v):
			return arrow.Metadata{}, fmt.Errorf("metadata value of %q is not valid UTF-8", k)
		}
		vals = append(vals, v)
	}
	keys = append(keys, KindKey)
	vals = append(vals, kind)
	return arrow.NewMetadata(keys, vals), nil
}

// checkKind verifies that file metadata records the wanted kind and returns
// the rest of it as a map.
func checkKind(want string, keys, vals []string) (map[string]string, error) {
	meta := make(map[string]string, len(keys))
	got := ""
	for i, k := range keys {
		if k == KindKey {
			got = vals[i]
			continue
		}
		meta[k] = vals[i]
	}
	switch {
	case got == "":
		return nil, formatError("no %s metadata: not written by this package", KindKey)
	case got != want:
		return nil, formatError("file holds %s, want %s", got, want)
	}
	return meta, nil
}

// writeAtomic writes path as a whole or not at all (see package
// atomicfile), naming path in its error. The directory must exist.
func writeAtomic(path string, fill func(io.Writer) error) error {
	if err := atomicfile.Write(path, 0o666, fill); err != nil {
		return &FileError{Path: path, Err: err}
	}
	return nil
}

// readGuard turns an error or a panic in a reader into a *FileError naming
// path. Arrow's decoders trust lengths and offsets found in the file and
// can panic on garbage; a corrupt file must give an error, not a crash.
// Use as: defer readGuard(path, &err).
func readGuard(path string, err *error) {
	if r := recover(); r != nil {
		*err = &FileError{Path: path, Err: fmt.Errorf("corrupt file: %v", r)}
		return
	}
	if *err != nil {
		var fe *FileError
		if !errors.As(*err, &fe) {
			*err = &FileError{Path: path, Err: dropPath(*err, path)}
		}
	}
}

// dropPath removes path from an *fs.PathError about it: the FileError
// already names the file.
func dropPath(err error, path string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == path {
		return pe.Err
	}
	return err
}
