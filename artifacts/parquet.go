package artifacts

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/klauspost/compress/zstd"
)

// table collects the columns of a Parquet file as Go slices before they
// are written, so that each table's schema is spelled out column by column
// in one function.
type table struct {
	mem    memory.Allocator
	fields []arrow.Field
	cols   []arrow.Array
	rows   int
	// meta is key-value metadata the table adds to the file's.
	meta map[string]string
}

func newTable(rows int) *table {
	return &table{mem: memory.DefaultAllocator, rows: rows}
}

func (t *table) add(name string, nullable bool, a arrow.Array) {
	if a.Len() != t.rows {
		panic("artifacts: column length mismatch")
	}
	t.fields = append(t.fields, arrow.Field{Name: name, Type: a.DataType(), Nullable: nullable})
	t.cols = append(t.cols, a)
}

func (t *table) strings(name string, v []string) {
	b := array.NewStringBuilder(t.mem)
	defer b.Release()
	b.AppendValues(v, nil)
	t.add(name, false, b.NewArray())
}

func (t *table) int32s(name string, v []int32) {
	b := array.NewInt32Builder(t.mem)
	defer b.Release()
	b.AppendValues(v, nil)
	t.add(name, false, b.NewArray())
}

func (t *table) int64s(name string, v []int64) {
	b := array.NewInt64Builder(t.mem)
	defer b.Release()
	b.AppendValues(v, nil)
	t.add(name, false, b.NewArray())
}

func (t *table) uint64s(name string, v []uint64) {
	b := array.NewUint64Builder(t.mem)
	defer b.Release()
	b.AppendValues(v, nil)
	t.add(name, false, b.NewArray())
}

func (t *table) float64s(name string, v []float64) {
	b := array.NewFloat64Builder(t.mem)
	defer b.Release()
	b.AppendValues(v, nil)
	t.add(name, false, b.NewArray())
}

// column writes a Column of a Table: integers, floats (NaN as NULL) or
// strings.
func (t *table) column(c Column) {
	switch {
	case c.int32():
		v := make([]int32, len(c.Ints))
		for i, x := range c.Ints {
			v[i] = int32(x) // in range: Table.check
		}
		t.int32s(c.Name, v)
	case c.Ints != nil:
		t.int64s(c.Name, c.Ints)
	case c.Floats != nil:
		t.nullableFloat64s(c.Name, c.Floats)
	default:
		s := c.Strings
		if s == nil {
			s = make([]string, t.rows)
		}
		t.strings(c.Name, s)
	}
}

// nullableFloat64s writes NaN as NULL: in the engine NaN means "not
// computed", and SQL aggregates skip NULL where NaN would poison them.
func (t *table) nullableFloat64s(name string, v []float64) {
	b := array.NewFloat64Builder(t.mem)
	defer b.Release()
	b.Reserve(len(v))
	for _, x := range v {
		if math.IsNaN(x) {
			b.UnsafeAppendBoolToBitmap(false)
		} else {
			b.UnsafeAppend(x)
		}
	}
	t.add(name, true, b.NewArray())
}

func (t *table) release() {
	for _, c := range t.cols {
		c.Release()
	}
	t.cols = nil
}

// writeParquet writes t to w as a zstd-compressed Parquet file of one row
// group, with md as the footer's key-value metadata.
//
// The output depends only on t and md: the writer records no time or
// random identifier (its created_by is the library version), and zstd
// compresses each page independently and deterministically.
func (t *table) writeParquet(w io.Writer, md arrow.Metadata) error {
	schema := arrow.NewSchema(t.fields, &md)
	rec := array.NewRecordBatch(schema, t.cols, int64(t.rows))
	defer rec.Release()
	props := parquet.NewWriterProperties(
		parquet.WithAllocator(t.mem),
		parquet.WithCompression(compress.Codecs.Zstd),
	)
	// Schema metadata becomes the footer's key-value metadata. The
	// serialised Arrow schema (WithStoreSchema) is not stored: every
	// column has a native Parquet type, and it would repeat the metadata.
	fw, err := pqarrow.NewFileWriter(schema, w, props, pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(t.mem)))
	if err != nil {
		return err
	}
	if err := fw.Write(rec); err != nil {
		fw.Close()
		return err
	}
	return fw.Close()
}

// writeParquetFile writes a Parquet file atomically; build is called
// inside the write so that its errors also leave no file behind.
func writeParquetFile(path, kind string, meta map[string]string, build func() (*table, error)) error {
	return writeAtomic(path, func(w io.Writer) error {
		t, err := build()
		if err != nil {
			return err
		}
		defer t.release()
		if len(t.meta) > 0 {
			m := make(map[string]string, len(meta)+len(t.meta))
			maps.Copy(m, meta)
			maps.Copy(m, t.meta)
			meta = m
		}
		md, err := schemaMetadata(kind, meta)
		if err != nil {
			return err
		}
		return t.writeParquet(w, md)
	})
}

// columns reads the columns of a Parquet file by name into Go slices. The
// first problem is kept in err and later calls return nil, so a reader
// asks for all its columns and checks err once.
type columns struct {
	tbl  arrow.Table
	rows int
	err  error
}

// readParquet reads a whole Parquet file written by writeParquet and
// checks that it holds the wanted kind. The caller must not use the
// result after a panic; callers recover with readGuard.
func readParquet(path, kind string) (*columns, map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	mem := memory.DefaultAllocator
	props := parquet.NewReaderProperties(mem)
	// Column chunk and page sizes come from the file. Unbuffered, the
	// reader allocates a whole column chunk at the size the metadata
	// claims; buffered, a corrupt size ends in a short read instead.
	props.BufferedStreamEnabled = true
	props.MaxCompressedPageSize = max(fi.Size(), 1)
	rdr, err := file.NewParquetReader(f, file.WithReadProps(props))
	if err != nil {
		return nil, nil, fmt.Errorf("not a readable Parquet file: %w", err)
	}
	defer rdr.Close()
	kv := rdr.MetaData().KeyValueMetadata()
	meta, err := checkKind(kind, kv.Keys(), kv.Values())
	if err != nil {
		return nil, nil, err
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, mem)
	if err != nil {
		return nil, nil, err
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		return nil, nil, err
	}
	return &columns{tbl: tbl, rows: int(tbl.NumRows())}, meta, nil
}

func (c *columns) release() { c.tbl.Release() }

// chunks returns the chunks of the named column after checking its type.
func (c *columns) chunks(name string, want arrow.DataType) []arrow.Array {
	if c.err != nil {
		return nil
	}
	idx := c.tbl.Schema().FieldIndices(name)
	if len(idx) != 1 {
		c.err = formatError("no column %q", name)
		return nil
	}
	col := c.tbl.Column(idx[0])
	if !arrow.TypeEqual(col.DataType(), want) {
		c.err = formatError("column %q is %s, want %s", name, col.DataType(), want)
		return nil
	}
	if col.Len() != c.rows {
		c.err = formatError("column %q has %d rows, want %d", name, col.Len(), c.rows)
		return nil
	}
	return col.Data().Chunks()
}

// has reports whether the table has a column called name.
func (c *columns) has(name string) bool { return len(c.tbl.Schema().FieldIndices(name)) == 1 }

// optionalInt32s reads the int32 column name, or zeros when the table
// predates it.
func (c *columns) optionalInt32s(name string) []int32 {
	if !c.has(name) {
		return make([]int32, c.rows)
	}
	return c.int32s(name)
}

// optionalNaNs reads the float64 column name, or NaNs when the table has
// none (a sweep table's seconds).
func (c *columns) optionalNaNs(name string) []float64 {
	if !c.has(name) {
		out := make([]float64, c.rows)
		for i := range out {
			out[i] = math.NaN()
		}
		return out
	}
	return c.float64s(name)
}

// noNulls records an error if a required column holds a NULL.
func (c *columns) noNulls(name string, a arrow.Array) bool {
	if a.NullN() > 0 {
		c.err = formatError("column %q has NULL values", name)
		return false
	}
	return true
}

func (c *columns) strings(name string) []string {
	out := make([]string, 0, c.rows)
	for _, ch := range c.chunks(name, arrow.BinaryTypes.String) {
		a := ch.(*array.String)
		if !c.noNulls(name, a) {
			return nil
		}
		for i := 0; i < a.Len(); i++ {
			out = append(out, a.Value(i))
		}
	}
	return out
}

func (c *columns) int32s(name string) []int32 {
	out := make([]int32, 0, c.rows)
	for _, ch := range c.chunks(name, arrow.PrimitiveTypes.Int32) {
		a := ch.(*array.Int32)
		if !c.noNulls(name, a) {
			return nil
		}
		out = append(out, a.Int32Values()...)
	}
	return out
}

func (c *columns) int64s(name string) []int64 {
	out := make([]int64, 0, c.rows)
	for _, ch := range c.chunks(name, arrow.PrimitiveTypes.Int64) {
		a := ch.(*array.Int64)
		if !c.noNulls(name, a) {
			return nil
		}
		out = append(out, a.Int64Values()...)
	}
	return out
}

func (c *columns) uint64s(name string) []uint64 {
	out := make([]uint64, 0, c.rows)
	for _, ch := range c.chunks(name, arrow.PrimitiveTypes.Uint64) {
		a := ch.(*array.Uint64)
		if !c.noNulls(name, a) {
			return nil
		}
		out = append(out, a.Uint64Values()...)
	}
	return out
}

// float64s reads a float64 column, NULL as NaN.
func (c *columns) float64s(name string) []float64 {
	out := make([]float64, 0, c.rows)
	for _, ch := range c.chunks(name, arrow.PrimitiveTypes.Float64) {
		a := ch.(*array.Float64)
		v := a.Float64Values()
		if a.NullN() == 0 {
			out = append(out, v...)
			continue
		}
		for i, x := range v {
			if a.IsNull(i) {
				x = math.NaN()
			}
			out = append(out, x)
		}
	}
	return out
}

// boundedZstd is the zstd codec with a decoder that never allocates more
// than the page size the page header declares. The library's decoder
// sizes its output from the frame header, so a corrupt header could make
// it allocate gigabytes, which fails fatally rather than with an error.
// Encoding is left to the library's codec, so files are byte-identical.
// Registering it replaces zstd for every Parquet reader in the program;
// it decodes every valid file the same way.
type boundedZstd struct {
	compress.Codec
	dec *zstd.Decoder
}

func (c boundedZstd) DecodeWithError(dst, src []byte) ([]byte, error) {
	// The page reader passes dst with the declared uncompressed size as
	// capacity, which WithDecodeAllCapLimit makes a hard limit.
	return c.dec.DecodeAll(src, dst[:0])
}

func (c boundedZstd) Decode(dst, src []byte) []byte {
	out, err := c.DecodeWithError(dst, src)
	if err != nil {
		panic(err)
	}
	return out
}

func init() {
	enc, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		panic("artifacts: " + err.Error())
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecodeAllCapLimit(true),
		zstd.WithDecoderMaxMemory(uint64(parquet.DefaultMaxUncompressedPageSize)))
	if err != nil {
		panic("artifacts: " + err.Error())
	}
	compress.RegisterCodec(compress.Codecs.Zstd, boundedZstd{Codec: enc, dec: dec})
}
