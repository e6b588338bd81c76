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
	"strings"
	"syscall"
	"testing"
)

func testKey(stage string, depth int) Key {
	h := NewHash(stage)
	h.Param("depth", depth)
	return h.Key()
}

func openTest(t *testing.T) *Cache {
	t.Helper()
	c, err := Open(filepath.Join(t.TempDir(), "cache"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var testOutputs = map[string][]byte{
	"metrics.parquet": []byte("metrics bytes"),
	"weights.arrow":   bytes.Repeat([]byte{1, 2, 3}, 1000),
	"run.json":        []byte(`{"seed":1}`),
}

func TestPutGet(t *testing.T) {
	c := openTest(t)
	key := testKey("train", 3)
	if _, err := c.Get(key.ID); !IsMiss(err) {
		t.Fatalf("Get on empty cache: %v, want a miss", err)
	}
	put, err := c.PutBytes(key, testOutputs)
	if err != nil {
		t.Fatal(err)
	}
	// A second Cache on the same directory sees the entry.
	c2, err := Open(c.Dir())
	if err != nil {
		t.Fatal(err)
	}
	e, err := c2.Get(key.ID)
	if err != nil {
		t.Fatalf("Get after Put: %v", err)
	}
	var names []string
	for _, o := range e.Outputs {
		names = append(names, o.Name)
	}
	if strings.Join(names, " ") != "metrics.parquet run.json weights.arrow" {
		t.Errorf("outputs %v, want sorted names", names)
	}
	if e.Stage() != "train" || strings.Join(e.Lines, "\n") != strings.Join(key.Lines, "\n") {
		t.Errorf("entry stage %q lines %q, want train %q", e.Stage(), e.Lines, key.Lines)
	}
	if !e.Time.Equal(put.Time) || e.Size() != put.Size() {
		t.Errorf("read entry %+v differs from written %+v", e, put)
	}
	for name, want := range testOutputs {
		got, err := c2.ReadOutput(e, name)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("ReadOutput(%s) = %q, %v", name, got, err)
		}
	}
	if lines, err := c.Lines(key.ID); err != nil || len(lines) != 2 {
		t.Errorf("Lines = %q, %v", lines, err)
	}

	// Equal bytes from another action share one output file.
	e2, err := c.PutBytes(testKey("train", 4), map[string][]byte{"copy": testOutputs["run.json"]})
	if err != nil {
		t.Fatal(err)
	}
	o1, _ := e.Output("run.json")
	o2, _ := e2.Output("copy")
	if o1.ID != o2.ID {
		t.Errorf("same bytes, different OutputIDs %v, %v", o1.ID, o2.ID)
	}
}

func TestPutInvalidOutputs(t *testing.T) {
	c := openTest(t)
	key := testKey("s", 1)
	for _, name := range []string{"", ".hidden", "a/b", "a b", "a:b"} {
		if _, err := c.PutBytes(key, map[string][]byte{name: nil}); err == nil {
			t.Errorf("PutBytes with output name %q succeeded", name)
		}
	}
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "sub"), 0o777)
	if _, err := c.PutDir(key, dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("PutDir with a subdirectory: %v", err)
	}
	if _, err := c.Get(key.ID); !IsMiss(err) {
		t.Errorf("failed puts left an entry: %v", err)
	}
}

// TestMissReasons damages a good entry in every way a crash, a full disk
// or a stray program could, and checks that each is a miss with the right
// reason, and that storing the result again repairs it.
func TestMissReasons(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, c *Cache, e *Entry)
		reason string
	}{
		{"missing", func(t *testing.T, c *Cache, e *Entry) {
			must(t, os.Remove(c.entryFile(e.Action)))
		}, "no index entry"},
		{"empty", func(t *testing.T, c *Cache, e *Entry) {
			must(t, os.Truncate(c.entryFile(e.Action), 0))
		}, "index entry empty"},
		{"truncated", func(t *testing.T, c *Cache, e *Entry) {
			fi, err := os.Stat(c.entryFile(e.Action))
			must(t, err)
			must(t, os.Truncate(c.entryFile(e.Action), fi.Size()/2))
		}, "index entry truncated"},
		{"truncated header", func(t *testing.T, c *Cache, e *Entry) {
			must(t, os.Truncate(c.entryFile(e.Action), 5))
		}, "index entry truncated"},
		{"last newline lost", func(t *testing.T, c *Cache, e *Entry) {
			fi, err := os.Stat(c.entryFile(e.Action))
			must(t, err)
			must(t, os.Truncate(c.entryFile(e.Action), fi.Size()-1))
		}, "index entry truncated"},
		{"garbage", func(t *testing.T, c *Cache, e *Entry) {
			must(t, os.WriteFile(c.entryFile(e.Action), []byte("\x00\x01garbage\xff\n"), 0o666))
		}, "index entry unparsable"},
		{"header and checksum only", func(t *testing.T, c *Cache, e *Entry) {
			data := fmt.Appendf(nil, "%ssum %x\n", entryHeader, sha256.Sum256([]byte(entryHeader)))
			must(t, os.WriteFile(c.entryFile(e.Action), data, 0o666))
		}, "index entry truncated"},
		{"flipped byte", func(t *testing.T, c *Cache, e *Entry) {
			flipByte(t, c.entryFile(e.Action), 60)
		}, "index entry checksum mismatch"},
		{"other action", func(t *testing.T, c *Cache, e *Entry) {
			other, err := c.PutBytes(testKey("other", 1), nil)
			must(t, err)
			data, err := os.ReadFile(c.entryFile(other.Action))
			must(t, err)
			must(t, os.WriteFile(c.entryFile(e.Action), data, 0o666))
		}, "index entry is for action"},
		{"output missing", func(t *testing.T, c *Cache, e *Entry) {
			o, _ := e.Output("metrics.parquet")
			must(t, os.Remove(c.OutputFile(o.ID)))
		}, "output metrics.parquet: missing"},
		{"output truncated", func(t *testing.T, c *Cache, e *Entry) {
			o, _ := e.Output("weights.arrow")
			must(t, os.Truncate(c.OutputFile(o.ID), 10))
		}, "output weights.arrow: size 10, want 3000"},
		{"output hash mismatch", func(t *testing.T, c *Cache, e *Entry) {
			o, _ := e.Output("metrics.parquet")
			flipByte(t, c.OutputFile(o.ID), 3)
		}, "output metrics.parquet: hash mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := openTest(t)
			key := testKey("train", 3)
			e, err := c.PutBytes(key, testOutputs)
			must(t, err)
			tt.damage(t, c, e)
			got, err := c.Get(key.ID)
			var m *MissError
			if !errors.As(err, &m) {
				t.Fatalf("Get = %v, %v; want a *MissError", got, err)
			}
			if m.Action != key.ID || !strings.Contains(m.Reason, tt.reason) {
				t.Errorf("miss reason %q, want %q", m.Reason, tt.reason)
			}
			if _, err := c.PutBytes(key, testOutputs); err != nil {
				t.Fatalf("storing again: %v", err)
			}
			if _, err := c.Get(key.ID); err != nil {
				t.Errorf("Get after storing again: %v", err)
			}
		})
	}
}

// TestMissNeverWrongHit writes every prefix of a valid entry and checks
// that none is a hit.
func TestMissNeverWrongHit(t *testing.T) {
	c := openTest(t)
	key := testKey("train", 3)
	_, err := c.PutBytes(key, testOutputs)
	must(t, err)
	full, err := os.ReadFile(c.entryFile(key.ID))
	must(t, err)
	for n := 0; n < len(full); n++ {
		must(t, os.WriteFile(c.entryFile(key.ID), full[:n], 0o666))
		if _, err := c.Get(key.ID); !IsMiss(err) {
			t.Fatalf("entry cut at %d of %d bytes: Get = %v, want a miss", n, len(full), err)
		}
	}
}

// FuzzDecodeEntry checks that no input makes decodeEntry panic, and that
// whatever it accepts encodes back to the same bytes.
func FuzzDecodeEntry(f *testing.F) {
	h := NewHash("train")
	h.Param("depth", 3)
	f.Add(encodeEntry(&Entry{Action: h.Sum(), Lines: h.Lines(),
		Outputs: []Output{{Name: "a", Size: 1}, {Name: "b.txt", Size: 2}}}))
	f.Add(encodeEntry(&Entry{}))
	f.Add([]byte(entryHeader))
	f.Add(fmt.Appendf(nil, "%ssum %x\n", entryHeader, sha256.Sum256([]byte(entryHeader))))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := decodeEntry(data)
		if err != nil {
			return
		}
		if got := encodeEntry(e); !bytes.Equal(got, data) {
			t.Errorf("decode then encode changed the entry:\n%q\n%q", data, got)
		}
	})
}

func flipByte(t *testing.T, path string, off int) {
	t.Helper()
	data, err := os.ReadFile(path)
	must(t, err)
	data[off] ^= 0x20
	must(t, os.WriteFile(path, data, 0o666))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// fullDisk is a writer that fails with ENOSPC after limit bytes, as a
// write to a full disk does.
type fullDisk struct {
	w     io.Writer
	limit int
}

func (d *fullDisk) Write(p []byte) (int, error) {
	if len(p) <= d.limit {
		d.limit -= len(p)
		return d.w.Write(p)
	}
	n, _ := d.w.Write(p[:d.limit])
	d.limit = 0
	return n, &fs.PathError{Op: "write", Path: "(injected)", Err: syscall.ENOSPC}
}

// TestWriteFailure fills the disk while an output, and then while the
// index entry, is being written: the error must say what and where, no
// temporary or partial file may remain, and the entry must be a miss.
func TestWriteFailure(t *testing.T) {
	tests := []struct {
		name     string
		target   string // path element of the files that fail
		wantPath string
	}{
		{"output", string(filepath.Separator) + "o" + string(filepath.Separator), "o"},
		{"index", string(filepath.Separator) + "a" + string(filepath.Separator), "-a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := openTest(t)
			c.wrapWriter = func(path string, w io.Writer) io.Writer {
				if strings.Contains(path, tt.target) {
					return &fullDisk{w: w, limit: 100}
				}
				return w
			}
			key := testKey("train", 3)
			_, err := c.PutBytes(key, testOutputs)
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("Put on a full disk: %v, want ENOSPC", err)
			}
			t.Logf("error: %v", err)
			if !strings.Contains(err.Error(), c.Dir()) || !strings.Contains(err.Error(), tt.wantPath) {
				t.Errorf("error %q does not name the file", err)
			}
			if _, err := c.Get(key.ID); !IsMiss(err) {
				t.Errorf("Get after failed Put: %v, want a miss", err)
			}
			checkNoTemps(t, c)
			// Every output file present is complete.
			c.walkIDs("o", "-d", func(id [HashSize]byte, path string) error {
				if got, err := hashFile(path); err != nil || got != id {
					t.Errorf("partial output file %s", path)
				}
				return nil
			}, nil)

			c.wrapWriter = nil
			if _, err := c.PutBytes(key, testOutputs); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Get(key.ID); err != nil {
				t.Errorf("Get after successful Put: %v", err)
			}
		})
	}
}

func checkNoTemps(t *testing.T, c *Cache) {
	t.Helper()
	filepath.WalkDir(c.Dir(), func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), tempPrefix) {
			t.Errorf("temporary file left behind: %s", path)
		}
		return nil
	})
}

func TestOpenUnwritable(t *testing.T) {
	// A path below a regular file cannot be created, even by root.
	file := filepath.Join(t.TempDir(), "file")
	must(t, os.WriteFile(file, nil, 0o666))
	dir := filepath.Join(file, "cache")
	_, err := Open(dir)
	if err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("Open(%s) = %v, want an error naming the directory", dir, err)
	}
}

func TestDefaultDir(t *testing.T) {
	wd, err := os.Getwd()
	must(t, err)
	t.Setenv(EnvCache, "")
	if got, err := DefaultDir(); err != nil || got != filepath.Join(wd, ".ffchar-cache") {
		t.Errorf("DefaultDir() = %q, %v without %s", got, err, EnvCache)
	}
	t.Setenv(EnvCache, "/scratch/c")
	if got, err := DefaultDir(); err != nil || got != "/scratch/c" {
		t.Errorf("DefaultDir() = %q, %v with %s=/scratch/c", got, err, EnvCache)
	}
}

func TestRef(t *testing.T) {
	c := openTest(t)
	if _, err := c.Ref("train/seed=1"); err == nil {
		t.Error("Ref of an unknown name succeeded")
	}
	a, b := testKey("s", 1).ID, testKey("s", 2).ID
	must(t, c.SetRef("train/seed=1", a))
	must(t, c.SetRef("train/seed=2", b))
	if got, err := c.Ref("train/seed=1"); err != nil || got != a {
		t.Errorf("Ref = %v, %v, want %v", got, err, a)
	}
	must(t, c.SetRef("train/seed=1", b))
	if got, err := c.Ref("train/seed=1"); err != nil || got != b {
		t.Errorf("Ref after update = %v, %v, want %v", got, err, b)
	}
}

// TestPutStreams: outputs written to streams are stored as PutBytes
// stores the same bytes (same entry outputs); a stream that fails after
// writing part of its output stores no entry and leaves no temporary file.
func TestPutStreams(t *testing.T) {
	c := openTest(t)
	names := []string{"metrics.parquet", "run.json", "weights.arrow"}
	write := func(name string, w io.Writer) error {
		data := testOutputs[name]
		for len(data) > 0 { // in pieces, as an encoder writes
			n := min(len(data), 7)
			if _, err := w.Write(data[:n]); err != nil {
				return err
			}
			data = data[n:]
		}
		return nil
	}
	e, err := c.PutStreams(testKey("train", 3), names, write)
	if err != nil {
		t.Fatal(err)
	}
	want, err := c.PutBytes(testKey("train", 4), testOutputs)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(e.Outputs) != fmt.Sprint(want.Outputs) {
		t.Errorf("streamed outputs %v, want %v", e.Outputs, want.Outputs)
	}
	for _, name := range names {
		if got, err := c.ReadOutput(e, name); err != nil || !bytes.Equal(got, testOutputs[name]) {
			t.Errorf("ReadOutput(%s) = %q, %v", name, got, err)
		}
	}

	broken := errors.New("encoder failed")
	key := testKey("train", 5)
	_, err = c.PutStreams(key, names, func(name string, w io.Writer) error {
		if name == "run.json" {
			w.Write([]byte("half"))
			return broken
		}
		return write(name, w)
	})
	if !errors.Is(err, broken) {
		t.Errorf("PutStreams with a failing stream: %v, want it to wrap %v", err, broken)
	}
	if _, err := c.Get(key.ID); !IsMiss(err) {
		t.Errorf("Get after a failed PutStreams: %v, want a miss", err)
	}
	tmp, _ := filepath.Glob(filepath.Join(c.Dir(), "o", tempPrefix+"*"))
	if len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}
