package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ffchar/ffchar/internal/safepath"
)

// An EntryInfo describes one index entry for listing.
type EntryInfo struct {
	Action  ActionID
	Stage   string    // from the first key line; "" if Err is set
	Time    time.Time // when the entry was written
	Outputs int       // number of outputs
	Size    int64     // total size of the outputs in bytes
	// Err is set, to a *MissError, if the index entry cannot be read; gc
	// removes such entries. Output files are not checked.
	Err error
}

// List returns every index entry in the cache, ordered by ActionID.
func (c *Cache) List() ([]EntryInfo, error) {
	var list []EntryInfo
	err := c.walkIDs("a", "-a", func(id [HashSize]byte, path string) error {
		info := EntryInfo{Action: id}
		e, err := c.readEntry(id)
		if err != nil {
			info.Err = err
		} else {
			info.Stage = e.Stage()
			info.Time = e.Time
			info.Outputs = len(e.Outputs)
			info.Size = e.Size()
		}
		list = append(list, info)
		return nil
	}, nil)
	return list, err
}

// DefaultGrace is the age below which gc leaves unreferenced outputs and
// temporary files alone, when GCOptions.Grace is zero. A process that is
// storing a result writes its outputs before its index entry, so a young
// unreferenced output may be about to be referenced.
const DefaultGrace = time.Hour

// GCOptions holds the optional settings of GC.
type GCOptions struct {
	// Grace protects unreferenced outputs and temporary files younger
	// than it. Zero means DefaultGrace; a negative value removes them
	// whatever their age.
	Grace time.Duration
	// DryRun counts what would be removed without removing anything.
	DryRun bool
}

// GCStats counts what GC removed (or, with DryRun, would remove).
type GCStats struct {
	Entries int // index entries not in the keep set, or unreadable
	// Stages counts the removed entries by stage (their key's first
	// line; "" for unreadable ones).
	Stages  map[string]int
	Kept    int   // index entries kept
	Outputs int   // output files no kept entry refers to
	Bytes   int64 // size of the removed outputs
	Temps   int   // abandoned temporary files and job directories
	Locks   int   // idle lock files
	// Skipped lists the cache folders GC left alone because they are
	// symbolic links to folders outside the cache (a tmp/ moved to a
	// local disk, say): there GC cannot tell its own files from others.
	Skipped []string
}

// GC removes every index entry whose action is not in keep (and every
// unreadable one), then every output file that no remaining entry refers
// to, abandoned temporary files and job directories (those left by a
// killed process), idle lock files, and records of previous actions that
// point to removed entries. A nil keep removes everything.
//
// GC is safe to run while other processes use the cache: an entry whose
// lock is held is skipped, job directories are removed only when their
// action's lock is free, and young files are protected by the grace
// period. A run that needs an entry removed by GC recomputes it.
//
// GC deletes only what the cache itself creates, by name: index entries,
// outputs, locks and records under their hash names, temporary files
// named .tmp-*, and job directories named <action>-<digits>. It never
// follows a symbolic link: links inside the cache are left alone, and a
// cache folder that is a link is resolved once and used only if it
// resolves to a folder inside the cache. A tmp/ linked elsewhere is
// skipped (GCStats.Skipped); any other folder linked elsewhere is an
// error, since GC could not then tell which outputs are referenced.
func (c *Cache) GC(keep map[ActionID]bool, opt GCOptions) (GCStats, error) {
	var st GCStats
	grace := opt.Grace
	if grace == 0 {
		grace = DefaultGrace
	}
	dirs, skipped, err := c.gcDirs()
	if err != nil {
		return st, err
	}
	st.Skipped = skipped
	cutoff := c.now().Add(-grace)
	old := func(path string) bool {
		fi, err := os.Lstat(path)
		return err == nil && fi.ModTime().Before(cutoff)
	}
	remove := func(path string) error {
		if opt.DryRun {
			return nil
		}
		fi, err := os.Lstat(path)
		if err == nil && fi.IsDir() {
			// Only a directory with one of the cache's own names gets
			// here; RemoveAll unlinks links inside it without following.
			err = os.RemoveAll(path)
		} else if err == nil {
			err = os.Remove(path)
		}
		if errors.Is(err, fs.ErrNotExist) {
			err = nil
		}
		return err
	}
	// temp removes an old temporary file: a regular file named .tmp-*.
	temp := func(path string) error {
		fi, err := os.Lstat(path)
		if err != nil || !fi.Mode().IsRegular() || !strings.HasPrefix(fi.Name(), tempPrefix) {
			return nil
		}
		if fi.ModTime().Before(cutoff) {
			st.Temps++
			return remove(path)
		}
		return nil
	}

	// Index entries, and the outputs the kept ones refer to.
	referenced := make(map[OutputID]bool)
	err = walkIDs(dirs["a"], "-a", func(id [HashSize]byte, path string) error {
		var e *Entry
		if keep[id] {
			var err error
			if e, err = c.readEntry(id); err == nil {
				st.Kept++
				for _, o := range e.Outputs {
					referenced[o.ID] = true
				}
				return nil
			}
		}
		l, ok, err := c.TryLock(id)
		if err != nil {
			return err
		}
		if !ok {
			return nil // being written; leave it for a later gc
		}
		defer l.Unlock()
		st.Entries++
		stage := ""
		if e, err := c.readEntry(id); err == nil {
			stage = e.Stage()
		}
		if st.Stages == nil {
			st.Stages = map[string]int{}
		}
		st.Stages[stage]++
		return remove(path)
	}, temp)
	if err != nil {
		return st, err
	}

	// Outputs.
	err = walkIDs(dirs["o"], "-d", func(id [HashSize]byte, path string) error {
		if referenced[id] || !old(path) {
			return nil
		}
		if fi, err := os.Lstat(path); err == nil {
			st.Bytes += fi.Size()
		}
		st.Outputs++
		return remove(path)
	}, temp)
	if err != nil {
		return st, err
	}
	if err := removeTemps(dirs["o"], temp); err != nil {
		return st, err
	}

	// Job directories: a directory is in use exactly while its action's
	// lock is held, since the runner creates and removes it under the lock.
	// Only real directories named as the runner names them are touched.
	var des []fs.DirEntry
	if dirs["tmp"] != "" {
		des, err = os.ReadDir(dirs["tmp"])
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return st, err
		}
	}
	for _, de := range des {
		path := filepath.Join(dirs["tmp"], de.Name())
		id, ok := jobDirAction(de.Name())
		if !ok || !de.IsDir() {
			continue
		}
		l, ok, err := c.TryLock(id)
		if err != nil {
			return st, err
		}
		if ok {
			st.Temps++
			err = remove(path)
			l.Unlock()
			if err != nil {
				return st, err
			}
		}
	}

	// Lock files, removed while held (see fileLock). Something other than
	// a regular file under a lock file's name can never be locked; it is
	// removed so that the key can be locked again.
	err = walkIDs(dirs["l"], ".lock", func(id [HashSize]byte, path string) error {
		if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
			st.Locks++
			return remove(path)
		}
		l, ok, err := c.TryLock(id)
		if err != nil || !ok {
			return err
		}
		defer l.Unlock()
		st.Locks++
		return remove(path)
	}, temp)
	if err != nil {
		return st, err
	}

	// Records of previous actions whose entry is gone.
	err = walkIDs(dirs["r"], "-r", func(_ [HashSize]byte, path string) error {
		id, ok := c.refAction(path)
		if ok && keep[id] {
			return nil
		}
		return remove(path)
	}, temp)
	return st, err
}

// refAction reads the action from a ref file without knowing its name.
func (c *Cache) refAction(path string) (ActionID, bool) {
	data, err := readRegular(path, maxEntrySize)
	if err != nil {
		return ActionID{}, false
	}
	s := strings.TrimSuffix(string(data), "\n")
	i := strings.LastIndex(s, "\naction ")
	if !strings.HasPrefix(s, refHeader) || i < 0 {
		return ActionID{}, false
	}
	id, err := ParseActionID(s[i+len("\naction "):])
	return id, err == nil
}

// gcDirs resolves the cache folders once. It returns their resolved
// paths by name, and the folders to skip: a tmp/ that is a link to a
// folder outside the cache. Any other folder linked outside the cache is
// an error.
func (c *Cache) gcDirs() (dirs map[string]string, skipped []string, err error) {
	root, err := filepath.EvalSymlinks(c.dir)
	if err != nil {
		return nil, nil, fmt.Errorf("pipeline: gc: resolving cache directory %s: %w", c.dir, err)
	}
	dirs = map[string]string{}
	for _, kind := range []string{"a", "o", "l", "r", "tmp"} {
		p := filepath.Join(root, kind)
		resolved, err := filepath.EvalSymlinks(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, nil, fmt.Errorf("pipeline: gc: %w", err)
		}
		if fi, err := os.Stat(resolved); err != nil || !fi.IsDir() {
			return nil, nil, fmt.Errorf("pipeline: gc: cache folder %s is not a directory", p)
		}
		if !safepath.Below(root, resolved) {
			if kind == "tmp" {
				skipped = append(skipped, p)
				continue
			}
			return nil, nil, fmt.Errorf("pipeline: gc: cache folder %s is a symbolic link to %s, outside the cache; gc deletes nothing through it (make it a folder)", p, resolved)
		}
		dirs[kind] = resolved
	}
	return dirs, skipped, nil
}

// jobDirAction parses the name the runner gives a job directory,
// <action hex>-<digits> (os.MkdirTemp's pattern), and returns the action.
func jobDirAction(name string) (ActionID, bool) {
	prefix, suffix, ok := strings.Cut(name, "-")
	if !ok || suffix == "" || strings.Trim(suffix, "0123456789") != "" {
		return ActionID{}, false
	}
	id, err := ParseActionID(prefix)
	return id, err == nil
}

// walkIDs calls fn for every file kind/xx/<hex><suffix>, in order, and
// temp for every temporary file found beside them. Other files are
// ignored.
func (c *Cache) walkIDs(kind, suffix string, fn func(id [HashSize]byte, path string) error, temp func(string) error) error {
	return walkIDs(filepath.Join(c.dir, kind), suffix, fn, temp)
}

// walkIDs calls fn for every file top/xx/<hex><suffix> that is not a
// symbolic link, in order, and temp for every temporary file found beside
// them. Other files are ignored. An empty top is an empty folder.
func walkIDs(top, suffix string, fn func(id [HashSize]byte, path string) error, temp func(string) error) error {
	return walkFiles(top, func(path string, de fs.DirEntry) error {
		name := de.Name()
		if strings.HasPrefix(name, tempPrefix) {
			if temp == nil {
				return nil
			}
			return temp(path)
		}
		hexID, ok := strings.CutSuffix(name, suffix)
		if !ok {
			return nil
		}
		var id [HashSize]byte
		if parseHexID(id[:], hexID) != nil || hexID[:2] != filepath.Base(filepath.Dir(path)) {
			return nil
		}
		if de.Type()&fs.ModeSymlink != 0 {
			return nil // a link is never the cache's own file
		}
		return fn(id, path)
	})
}

// walkFiles calls fn for every file in the two-level directory top/xx/,
// with its directory entry. Subfolders that are symbolic links are not
// followed (ReadDir reports entries without following links, and its
// entries' Type says, without a stat, whether a file is a link).
func walkFiles(top string, fn func(path string, de fs.DirEntry) error) error {
	if top == "" {
		return nil
	}
	subs, err := os.ReadDir(top)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	for _, sub := range subs {
		if !sub.IsDir() || len(sub.Name()) != 2 {
			continue
		}
		des, err := os.ReadDir(filepath.Join(top, sub.Name()))
		if err != nil {
			return err
		}
		for _, de := range des {
			if err := fn(filepath.Join(top, sub.Name(), de.Name()), de); err != nil {
				return err
			}
		}
	}
	return nil
}

// removeTemps applies temp to the temporary files directly in dir.
func removeTemps(dir string, temp func(string) error) error {
	if dir == "" {
		return nil
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, de := range des {
		if strings.HasPrefix(de.Name(), tempPrefix) {
			if err := temp(filepath.Join(dir, de.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}
