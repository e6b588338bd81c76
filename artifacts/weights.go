package artifacts

import (
	"fmt"
	"io"
	"math"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/ffchar/ffchar/ff"
)

var paramFields = []arrow.Field{
	{Name: "name", Type: arrow.BinaryTypes.String},
	{Name: "rows", Type: arrow.PrimitiveTypes.Int32},
	{Name: "cols", Type: arrow.PrimitiveTypes.Int32},
	{Name: "data", Type: arrow.ListOfNonNullable(arrow.PrimitiveTypes.Float32)},
}

// WriteParams writes parameter tensors to path as an Arrow IPC file with
// one row per tensor, in order, and meta in the schema metadata (see the
// package documentation). Values are stored as their bits, so NaN payloads
// and signed zeros survive. The file is replaced atomically.
func WriteParams(path string, params []ff.Param, meta map[string]string) error {
	return writeAtomic(path, func(w io.Writer) error { return EncodeParams(w, params, meta) })
}

// EncodeParams writes the file of WriteParams to w, for a caller that
// stores it elsewhere than in a file of its own (a cache entry).
func EncodeParams(w io.Writer, params []ff.Param, meta map[string]string) error {
	return encodeIPC(w, kindParams, meta, paramFields, func(mem memory.Allocator, schema *arrow.Schema, put func(arrow.RecordBatch) error) error {
		total := 0
		for i, p := range params {
			switch {
			case !utf8.ValidString(p.Name):
				return fmt.Errorf("parameter %d: name %q is not valid UTF-8", i, p.Name)
			case p.Rows < 0 || p.Cols < 0 || p.Rows > math.MaxInt32 || p.Cols > math.MaxInt32:
				return fmt.Errorf("parameter %s: shape %d×%d out of range", p.Name, p.Rows, p.Cols)
			case len(p.Data) != p.Rows*p.Cols:
				return fmt.Errorf("parameter %s: %d values for %d×%d", p.Name, len(p.Data), p.Rows, p.Cols)
			}
			total += len(p.Data)
		}
		if total > math.MaxInt32 {
			return fmt.Errorf("%d parameter values; a file holds at most %d", total, math.MaxInt32)
		}
		b := array.NewRecordBuilder(mem, schema)
		defer b.Release()
		name := b.Field(0).(*array.StringBuilder)
		rows := b.Field(1).(*array.Int32Builder)
		cols := b.Field(2).(*array.Int32Builder)
		data := b.Field(3).(*array.ListBuilder)
		vals := data.ValueBuilder().(*array.Float32Builder)
		vals.Reserve(total)
		for _, p := range params {
			name.Append(p.Name)
			rows.Append(int32(p.Rows))
			cols.Append(int32(p.Cols))
			data.Append(true)
			vals.AppendValues(p.Data, nil)
		}
		rec := b.NewRecordBatch()
		defer rec.Release()
		return put(rec)
	})
}

// ReadParams reads a file written by WriteParams, returning the tensors in
// order and the schema metadata (without KindKey).
func ReadParams(path string) (params []ff.Param, meta map[string]string, err error) {
	defer readGuard(path, &err)
	f, err := readIPC(path, kindParams, paramFields)
	if err != nil {
		return nil, nil, err
	}
	defer f.close()
	for i := 0; i < f.r.NumRecords(); i++ {
		rec, cols, err := f.batch(i, "name", "rows", "cols", "data")
		if err != nil {
			return nil, nil, err
		}
		name, rows, ncols, data := cols[0].(*array.String), cols[1].(*array.Int32), cols[2].(*array.Int32), cols[3].(*array.List)
		vals := data.ListValues().(*array.Float32)
		if vals.NullN() > 0 {
			rec.Release()
			return nil, nil, formatError("record batch %d: NULL parameter values", i)
		}
		v := vals.Float32Values()
		for j := 0; j < int(rec.NumRows()); j++ {
			lo, hi := data.ValueOffsets(j)
			p := ff.Param{Name: name.Value(j), Rows: int(rows.Value(j)), Cols: int(ncols.Value(j))}
			if p.Rows < 0 || p.Cols < 0 || int64(p.Rows)*int64(p.Cols) != hi-lo {
				rec.Release()
				return nil, nil, formatError("parameter %s: %d values for %d×%d", p.Name, hi-lo, p.Rows, p.Cols)
			}
			p.Data = make([]float32, hi-lo)
			copy(p.Data, v[lo:hi])
			params = append(params, p)
		}
		rec.Release()
	}
	return params, f.meta, nil
}
