package artifacts

import (
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// writeIPC writes an uncompressed Arrow IPC file of schema to path
// atomically. batches is called inside the write with a function that
// writes one record batch.
func writeIPC(path, kind string, meta map[string]string, fields []arrow.Field,
	batches func(mem memory.Allocator, schema *arrow.Schema, put func(arrow.RecordBatch) error) error) error {
	return writeAtomic(path, func(w io.Writer) error { return encodeIPC(w, kind, meta, fields, batches) })
}

// encodeIPC writes the Arrow IPC file of writeIPC to w.
func encodeIPC(w io.Writer, kind string, meta map[string]string, fields []arrow.Field,
	batches func(mem memory.Allocator, schema *arrow.Schema, put func(arrow.RecordBatch) error) error) error {
	md, err := schemaMetadata(kind, meta)
	if err != nil {
		return err
	}
	schema := arrow.NewSchema(fields, &md)
	mem := memory.DefaultAllocator
	fw, err := ipc.NewFileWriter(w, ipc.WithSchema(schema), ipc.WithAllocator(mem))
	if err != nil {
		return err
	}
	if err := batches(mem, schema, fw.Write); err != nil {
		fw.Close()
		return err
	}
	return fw.Close()
}

// ipcFile is an Arrow IPC file read whole into memory. Record batches
// point into the file's bytes, so a column is copied out once, by the
// caller, into the slices it returns.
type ipcFile struct {
	r    *ipc.FileReader
	meta map[string]string
}

// readIPC opens an Arrow IPC file written by writeIPC, checks its kind and
// that its schema has the wanted fields (by name and type; extra fields
// are allowed).
func readIPC(path, kind string, want []arrow.Field) (*ipcFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := verifyIPC(data); err != nil {
		return nil, err
	}
	// A body can be as large as the file; the library's default limit
	// (256 MiB) would refuse a legitimate data set.
	r, err := ipc.NewMappedFileReader(data, ipc.WithAllocator(memory.DefaultAllocator),
		ipc.WithBodySizeLimit(int64(len(data))+1))
	if err != nil {
		return nil, fmt.Errorf("not a readable Arrow IPC file: %w", err)
	}
	md := r.Schema().Metadata()
	meta, err := checkKind(kind, md.Keys(), md.Values())
	if err != nil {
		r.Close()
		return nil, err
	}
	for _, f := range want {
		idx := r.Schema().FieldIndices(f.Name)
		if len(idx) != 1 {
			r.Close()
			return nil, formatError("no column %q", f.Name)
		}
		if got := r.Schema().Field(idx[0]).Type; !arrow.TypeEqual(got, f.Type) {
			r.Close()
			return nil, formatError("column %q is %s, want %s", f.Name, got, f.Type)
		}
	}
	return &ipcFile{r: r, meta: meta}, nil
}

func (f *ipcFile) close() { f.r.Close() }

// batch returns record batch i, validated, and its columns in the order of
// names. The caller releases the batch.
func (f *ipcFile) batch(i int, names ...string) (arrow.RecordBatch, []arrow.Array, error) {
	rec, err := f.r.RecordBatchAt(i)
	if err != nil {
		return nil, nil, fmt.Errorf("record batch %d: %w", i, err)
	}
	cols := make([]arrow.Array, len(names))
	for j, name := range names {
		cols[j] = rec.Column(rec.Schema().FieldIndices(name)[0])
		// Offsets and lengths come from the file: check them before
		// any value is read.
		if err := array.ValidateFull(cols[j]); err != nil {
			rec.Release()
			return nil, nil, formatError("record batch %d, column %q: %v", i, name, err)
		}
		if cols[j].NullN() > 0 {
			rec.Release()
			return nil, nil, formatError("record batch %d, column %q has NULL values", i, name)
		}
	}
	return rec, cols, nil
}
