package pipeline

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// EnvCache is the environment variable that overrides DefaultDir.
const EnvCache = "FFCHAR_CACHE"

// DefaultDirName is the cache directory used, inside the working
// directory, when EnvCache is not set.
const DefaultDirName = ".ffchar-cache"

// DefaultDir returns the cache directory to use when none is given on the
// command line: $FFCHAR_CACHE if set and non-empty, otherwise
// .ffchar-cache in the working directory. The result is absolute.
func DefaultDir() (string, error) {
	dir := os.Getenv(EnvCache)
	if dir == "" {
		dir = DefaultDirName
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("pipeline: locating cache directory %s: %v", dir, err)
	}
	return abs, nil
}

// A Cache is a content-addressed store of stage outputs in a directory.
// It is safe for concurrent use by several goroutines and by several
// processes, on one machine or on machines sharing the directory over a
// file system with working flock (see the package documentation).
type Cache struct {
	dir  string
	root *os.Root // dir, through which every file below it is opened

	// wrapWriter, when set, wraps every writer through which the cache
	// writes a file; path is the file being written (for an output, its
	// temporary name). Tests use it to simulate a full disk.
	wrapWriter func(path string, w io.Writer) io.Writer
	now        func() time.Time
}

const cacheREADME = `This directory is the ffchar result cache: every stage output, stored by
content hash, and an index from each computation's key to its outputs.
It is safe to delete; "ffchar gc" removes entries no experiment uses.
`

// Open opens the cache in dir, creating the directory if needed. The
// error names the directory if it cannot be created or written.
func Open(dir string) (*Cache, error) {
	if dir == "" {
		return nil, errors.New("pipeline: empty cache directory name")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("pipeline: cache directory %s: %v", dir, err)
	}
	if err := os.MkdirAll(abs, 0o777); err != nil {
		return nil, fmt.Errorf("pipeline: creating cache directory %s: %w", abs, err)
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("pipeline: opening cache directory %s: %w", abs, err)
	}
	c := &Cache{dir: abs, root: root, now: time.Now}
	for _, sub := range []string{"a", "o", "l", "r", "tmp"} {
		p := filepath.Join(abs, sub)
		fi, err := root.Lstat(sub)
		if err == nil && fi.Mode()&fs.ModeSymlink != 0 && sub != "tmp" {
			root.Close()
			return nil, fmt.Errorf("pipeline: cache folder %s %v", p, errLink)
		}
		if err := root.Mkdir(sub, 0o777); err != nil && !errors.Is(err, fs.ErrExist) {
			root.Close()
			return nil, fmt.Errorf("pipeline: creating cache directory %s: %w", p, c.pathErr(err))
		}
	}
	readme := filepath.Join(abs, "README")
	if _, err := root.Lstat("README"); err != nil {
		if err := c.writeAtomic(readme, func(w io.Writer) error {
			_, err := io.WriteString(w, cacheREADME)
			return err
		}); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Dir returns the absolute path of the cache directory.
func (c *Cache) Dir() string { return c.dir }

func (c *Cache) idFile(kind string, id [HashSize]byte, suffix string) string {
	h := fmt.Sprintf("%x", id)
	return filepath.Join(c.dir, kind, h[:2], h+suffix)
}

func (c *Cache) entryFile(id ActionID) string { return c.idFile("a", id, "-a") }
func (c *Cache) lockFile(id ActionID) string  { return c.idFile("l", id, ".lock") }

// OutputFile returns the path of the file holding the output with the
// given ID. The file is shared by every entry with that output and must
// never be modified; copy it before changing it.
func (c *Cache) OutputFile(id OutputID) string { return c.idFile("o", id, "-d") }

// A MissError reports that the cache has no usable entry for an action.
// Reason says why, for example "no index entry", "index entry truncated"
// or "output metrics.parquet: hash mismatch".
type MissError struct {
	Action ActionID
	Reason string
}

func (e *MissError) Error() string {
	return fmt.Sprintf("pipeline: cache miss for action %.12s: %s", e.Action, e.Reason)
}

// IsMiss reports whether err is, or wraps, a *MissError.
func IsMiss(err error) bool {
	var m *MissError
	return errors.As(err, &m)
}

// Get returns the entry for id after checking that every output file is
// present with the recorded size and content hash. Any problem, whether a
// missing, truncated, garbled or mismatched index entry or output file, is
// reported as a *MissError: a caller recomputes and never gets a wrong hit.
func (c *Cache) Get(id ActionID) (*Entry, error) {
	e, err := c.readEntry(id)
	if err != nil {
		return nil, err
	}
	for _, o := range e.Outputs {
		if reason := c.checkOutput(c.OutputFile(o.ID), o); reason != "" {
			return nil, &MissError{Action: id, Reason: "output " + o.Name + ": " + reason}
		}
	}
	return e, nil
}

// Lines returns the key lines recorded for id, without checking the
// entry's outputs. They remain readable when the outputs are damaged, so
// that a later run can still say what changed.
func (c *Cache) Lines(id ActionID) ([]string, error) {
	e, err := c.readEntry(id)
	if err != nil {
		return nil, err
	}
	return e.Lines, nil
}

func (c *Cache) readEntry(id ActionID) (*Entry, error) {
	miss := func(reason string) (*Entry, error) {
		return nil, &MissError{Action: id, Reason: reason}
	}
	data, err := c.readRegular(c.entryFile(id), maxEntrySize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return miss("no index entry")
	case errors.Is(err, errNotRegular):
		return miss("index entry is not a regular file")
	case errors.Is(err, errLink):
		return miss(linkError(err).Error())
	case errors.Is(err, errTooLarge):
		return miss("index entry too large")
	case err != nil:
		return miss(fmt.Sprintf("reading index entry: %v", err))
	}
	e, err := decodeEntry(data)
	if err != nil {
		return miss(err.Error())
	}
	if e.Action != id {
		return miss(fmt.Sprintf("index entry is for action %.12s", e.Action))
	}
	if keyID(e.Lines) != id {
		return miss("index entry key lines do not hash to its action")
	}
	return e, nil
}

// checkOutput returns "" if the file at path holds exactly o, or the
// reason it does not.
func (c *Cache) checkOutput(path string, o Output) string {
	f, fi, err := c.openRegular(path, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return "missing"
	} else if errors.Is(err, errNotRegular) {
		return errNotRegular.Error()
	} else if errors.Is(err, errLink) {
		return linkError(err).Error()
	} else if err != nil {
		return err.Error()
	}
	defer f.Close()
	if fi.Size() != o.Size {
		return fmt.Sprintf("size %d, want %d", fi.Size(), o.Size)
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err.Error()
	}
	var got OutputID
	h.Sum(got[:0])
	if got != o.ID {
		return "hash mismatch"
	}
	return ""
}

// ReadOutput returns the content of the output called name of e,
// checking it against its recorded hash.
func (c *Cache) ReadOutput(e *Entry, name string) ([]byte, error) {
	o, ok := e.Output(name)
	if !ok {
		return nil, fmt.Errorf("pipeline: action %.12s has no output %q", e.Action, name)
	}
	data, err := c.readRegular(c.OutputFile(o.ID), o.Size)
	if err != nil {
		return nil, fmt.Errorf("pipeline: output %s of action %.12s: %w", name, e.Action, err)
	}
	if OutputID(sha256.Sum256(data)) != o.ID {
		return nil, fmt.Errorf("pipeline: output %s of action %.12s: hash mismatch", name, e.Action)
	}
	return data, nil
}

// PutBytes stores outputs, given by name, as the result of key and returns
// the new entry. Names must be plain file names (letters, digits and
// ".+-_", not starting with a dot).
func (c *Cache) PutBytes(key Key, outputs map[string][]byte) (*Entry, error) {
	names := make([]string, 0, len(outputs))
	for name := range outputs {
		names = append(names, name)
	}
	slices.Sort(names)
	return c.put(key, names, func(name string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(outputs[name])), nil
	})
}

// PutDir stores every file in dir as an output of key, named by its file
// name, and returns the new entry. dir must contain only regular files
// with valid output names (see PutBytes); the files are copied, and dir is
// left as it was.
func (c *Cache) PutDir(key Key, dir string) (*Entry, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("pipeline: reading outputs: %w", err)
	}
	var names []string
	for _, de := range des {
		if !de.Type().IsRegular() {
			return nil, fmt.Errorf("pipeline: output %s: not a regular file", filepath.Join(dir, de.Name()))
		}
		names = append(names, de.Name())
	}
	return c.put(key, names, func(name string) (io.ReadCloser, error) {
		return os.Open(filepath.Join(dir, name))
	})
}

// PutStreams stores the outputs called names as the result of key, each
// written by write to a stream that goes straight into the cache (no
// file of its own first), and returns the new entry. An error of write
// stores no entry. Names as for PutBytes.
func (c *Cache) PutStreams(key Key, names []string, write func(name string, w io.Writer) error) (*Entry, error) {
	return c.put(key, names, func(name string) (io.ReadCloser, error) {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(write(name, pw)) }()
		return pr, nil
	})
}

// put stores the named outputs, then the index entry. Outputs go first so
// that an entry never refers to a file that was not completely written; an
// output stored by a put that later fails is complete and merely
// unreferenced until gc.
func (c *Cache) put(key Key, names []string, open func(string) (io.ReadCloser, error)) (*Entry, error) {
	if keyID(key.Lines) != key.ID {
		panic("pipeline: Key.ID is not the hash of Key.Lines")
	}
	for i, name := range names {
		if !validOutputName(name) {
			return nil, fmt.Errorf("pipeline: invalid output name %q: use letters, digits and .+-_, not starting with a dot", name)
		}
		if i > 0 && names[i-1] == name {
			panic("pipeline: duplicate output name")
		}
	}
	e := &Entry{Action: key.ID, Time: c.now(), Lines: slices.Clone(key.Lines)}
	for _, name := range names {
		r, err := open(name)
		if err != nil {
			return nil, fmt.Errorf("pipeline: output %s: %w", name, err)
		}
		id, size, err := c.putOutput(r)
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("pipeline: storing output %s of action %.12s: %w", name, key.ID, err)
		}
		e.Outputs = append(e.Outputs, Output{Name: name, ID: id, Size: size})
	}
	data := encodeEntry(e)
	if err := c.writeAtomic(c.entryFile(key.ID), func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}); err != nil {
		return nil, err
	}
	return e, nil
}

// putOutput copies r into the output store and returns its ID and size.
// The content is hashed while it is copied to a temporary file in o/, so
// it is read once; the temporary file is then renamed to its final
// content-addressed name. An existing file with the right content is kept
// (readers may have it open); a damaged one is replaced.
func (c *Cache) putOutput(r io.Reader) (OutputID, int64, error) {
	var id OutputID
	tmpDir := filepath.Join(c.dir, "o")
	f, err := c.createTemp(tmpDir, tempPrefix+"out-")
	if err != nil {
		return id, 0, fmt.Errorf("creating file in %s: %w", tmpDir, err)
	}
	tmp := f.Name()
	fail := func(err error) (OutputID, int64, error) {
		f.Close()
		c.remove(tmp)
		return OutputID{}, 0, err
	}
	h := sha256.New()
	var w io.Writer = f
	if c.wrapWriter != nil {
		w = c.wrapWriter(tmp, w)
	}
	size, err := io.Copy(io.MultiWriter(w, h), r)
	if err != nil {
		return fail(fmt.Errorf("writing %s: %w", tmp, err))
	}
	if err := f.Sync(); err != nil {
		return fail(fmt.Errorf("writing %s: %w", tmp, err))
	}
	if err := f.Close(); err != nil {
		return fail(fmt.Errorf("writing %s: %w", tmp, err))
	}
	h.Sum(id[:0])
	final := c.OutputFile(id)
	if c.checkOutput(final, Output{ID: id, Size: size}) == "" {
		c.remove(tmp)
		return id, size, nil
	}
	if err := c.mkdirAll(filepath.Dir(final)); err != nil {
		return fail(err)
	}
	if err := c.renameOver(tmp, final); err != nil {
		return fail(err)
	}
	if err := c.syncDir(filepath.Dir(final)); err != nil {
		return id, 0, fmt.Errorf("writing %s: %w", final, err)
	}
	return id, size, nil
}

// tempPrefix starts the name of every temporary file the cache creates.
// Output names cannot start with a dot, so no committed file has it.
const tempPrefix = ".tmp-"

// writeAtomic writes path as a whole or not at all: fill writes into a
// temporary file in the same directory, which is synced, renamed over
// path, and the directory synced. On error the temporary file is removed
// and the error names path.
func (c *Cache) writeAtomic(path string, fill func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	defer func() {
		if err != nil {
			err = fmt.Errorf("pipeline: writing %s: %w", path, err)
		}
	}()
	if err := c.mkdirAll(dir); err != nil {
		return err
	}
	if err := c.checkLinks(path); err != nil {
		return linkError(err)
	}
	f, err := c.createTemp(dir, tempPrefix+filepath.Base(path)+"-")
	if err != nil {
		return err
	}
	tmp := f.Name()
	var w io.Writer = f
	if c.wrapWriter != nil {
		w = c.wrapWriter(path, w)
	}
	err = fill(w)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = c.renameOver(tmp, path)
	}
	if err != nil {
		c.remove(tmp)
		return err
	}
	return c.syncDir(dir)
}

// A ref records the last action run for a job name, so that a later run
// whose key differs can diff the two key lists. Refs live in r/ under the
// hash of the name, which may contain any characters.
const refHeader = formatVersion + " ref\n"

func (c *Cache) refFile(name string) string {
	return c.idFile("r", sha256.Sum256([]byte(name)), "-r")
}

// SetRef records id as the last action of the job called name.
func (c *Cache) SetRef(name string, id ActionID) error {
	if old, err := c.Ref(name); err == nil && old == id {
		return nil
	}
	return c.writeAtomic(c.refFile(name), func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "%sname %q\naction %s\n", refHeader, name, id)
		return err
	})
}

// Ref returns the last action recorded by SetRef for name.
func (c *Cache) Ref(name string) (ActionID, error) {
	data, err := c.readRegular(c.refFile(name), maxEntrySize)
	if err != nil {
		return ActionID{}, fmt.Errorf("pipeline: no previous action recorded for %s: %w", name, err)
	}
	rest, ok := strings.CutPrefix(string(data), refHeader+fmt.Sprintf("name %q\naction ", name))
	hexID, ok2 := strings.CutSuffix(rest, "\n")
	if !ok || !ok2 {
		return ActionID{}, fmt.Errorf("pipeline: previous action for %s: unparsable record %s", name, c.refFile(name))
	}
	id, err := ParseActionID(hexID)
	if err != nil {
		return ActionID{}, fmt.Errorf("pipeline: previous action for %s: %v", name, err)
	}
	return id, nil
}

// Drop removes the entry of id and its output files at once, for the
// partial results a job keeps only while it needs them (a training run's
// state after an epoch that no later job will continue from). Only
// entries whose outputs are theirs alone may be dropped: outputs are
// shared by content, so their bytes must name the entry's own action (a
// state records its key). Dropping a missing entry does nothing.
func (c *Cache) Drop(id ActionID) error {
	e, err := c.readEntry(id)
	if err != nil {
		if IsMiss(err) {
			return nil
		}
		return err
	}
	if err := c.remove(c.entryFile(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, o := range e.Outputs {
		if err := c.remove(c.OutputFile(o.ID)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}
