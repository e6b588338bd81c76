package artifacts

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/ffchar/ffchar/ff"
)

// DatasetBatchRows is the number of samples per record batch of a dataset
// file: small enough that a reader of another language can stream the
// file, large enough that per-batch overhead does not matter.
const DatasetBatchRows = 10000

// datasetFields are the dataset columns whose type does not depend on the
// number of features.
var datasetFields = []arrow.Field{
	{Name: "split", Type: arrow.BinaryTypes.String},
	{Name: "index", Type: arrow.PrimitiveTypes.Int32},
	{Name: "label", Type: arrow.PrimitiveTypes.Uint8},
}

func pixelsType(features int) arrow.DataType {
	return arrow.FixedSizeListOfNonNullable(int32(features), arrow.PrimitiveTypes.Float32)
}

// WriteDataset writes named splits (for example "train", "val", "test") to
// path as an Arrow IPC file, with meta in the schema metadata (see the
// package documentation). Splits are written in name order, each in
// record batches of at most DatasetBatchRows samples. All splits must have
// the same number of features. The file is replaced atomically.
func WriteDataset(path string, splits map[string]*ff.Data, meta map[string]string) error {
	names := slices.Sorted(maps.Keys(splits))
	features := 0
	if len(names) > 0 && splits[names[0]] != nil {
		features = splits[names[0]].Features
	}
	fields := append(slices.Clone(datasetFields),
		arrow.Field{Name: "pixels", Type: pixelsType(max(features, 1))})
	return writeIPC(path, kindDataset, meta, fields, func(mem memory.Allocator, schema *arrow.Schema, put func(arrow.RecordBatch) error) error {
		if len(names) == 0 {
			return errors.New("no splits")
		}
		for _, name := range names {
			d := splits[name]
			switch {
			case name == "" || !utf8.ValidString(name):
				return fmt.Errorf("split name %q must be non-empty UTF-8", name)
			case d == nil:
				return fmt.Errorf("split %s: no data", name)
			}
			if err := d.Check(); err != nil {
				return fmt.Errorf("split %s: %w", name, err)
			}
			if d.Features != features {
				return fmt.Errorf("split %s has %d features, split %s has %d", name, d.Features, names[0], features)
			}
			if d.N > 1<<31-1 {
				return fmt.Errorf("split %s: %d samples do not fit an int32 index", name, d.N)
			}
		}
		for _, name := range names {
			d := splits[name]
			for lo := 0; lo < d.N; lo += DatasetBatchRows {
				hi := min(lo+DatasetBatchRows, d.N)
				if err := putDatasetBatch(mem, schema, put, name, d, lo, hi); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// putDatasetBatch writes samples [lo, hi) of d. Labels and pixels are
// handed to the writer without copying.
func putDatasetBatch(mem memory.Allocator, schema *arrow.Schema, put func(arrow.RecordBatch) error,
	name string, d *ff.Data, lo, hi int) error {
	n := hi - lo
	sb := array.NewStringBuilder(mem)
	defer sb.Release()
	sb.Reserve(n)
	sb.ReserveData(n * len(name))
	for range n {
		sb.Append(name)
	}
	split := sb.NewArray()
	defer split.Release()

	ib := array.NewInt32Builder(mem)
	defer ib.Release()
	ib.Reserve(n)
	for i := lo; i < hi; i++ {
		ib.UnsafeAppend(int32(i))
	}
	index := ib.NewArray()
	defer index.Release()

	labelData := array.NewData(arrow.PrimitiveTypes.Uint8, n,
		[]*memory.Buffer{nil, memory.NewBufferBytes(d.Labels[lo:hi])}, nil, 0, 0)
	defer labelData.Release()
	label := array.NewUint8Data(labelData)
	defer label.Release()

	x := d.X[lo*d.Features : hi*d.Features]
	valData := array.NewData(arrow.PrimitiveTypes.Float32, len(x),
		[]*memory.Buffer{nil, memory.NewBufferBytes(arrow.Float32Traits.CastToBytes(x))}, nil, 0, 0)
	defer valData.Release()
	pixData := array.NewData(schema.Field(3).Type, n, []*memory.Buffer{nil}, []arrow.ArrayData{valData}, 0, 0)
	defer pixData.Release()
	pixels := array.NewFixedSizeListData(pixData)
	defer pixels.Release()

	rec := array.NewRecordBatch(schema, []arrow.Array{split, index, label, pixels}, int64(n))
	defer rec.Release()
	return put(rec)
}

// ReadDataset reads a file written by WriteDataset, returning its splits
// by name and the schema metadata (without KindKey). Each split's samples
// are in index order; every split is checked with ff.Data.Check.
func ReadDataset(path string) (splits map[string]*ff.Data, meta map[string]string, err error) {
	defer readGuard(path, &err)
	f, err := readIPC(path, kindDataset, datasetFields)
	if err != nil {
		return nil, nil, err
	}
	defer f.close()
	pt, ok := f.r.Schema().FieldIndices("pixels"), false
	var features int
	if len(pt) == 1 {
		var fsl *arrow.FixedSizeListType
		fsl, ok = f.r.Schema().Field(pt[0]).Type.(*arrow.FixedSizeListType)
		ok = ok && arrow.TypeEqual(fsl.Elem(), arrow.PrimitiveTypes.Float32)
		if ok {
			features = int(fsl.Len())
		}
	}
	if !ok {
		return nil, nil, formatError("no column \"pixels\" of type fixed_size_list<float32>")
	}

	// The file is in memory and batches point into it, so holding them
	// all costs nothing; the first pass sizes each split exactly and the
	// second copies each run of samples with one copy per column.
	type batch struct {
		rec   arrow.RecordBatch
		split *array.String
		index []int32
		label []uint8
		x     []float32
	}
	batches := make([]batch, 0, f.r.NumRecords())
	defer func() {
		for _, b := range batches {
			b.rec.Release()
		}
	}()
	counts := make(map[string]int)
	for i := 0; i < f.r.NumRecords(); i++ {
		rec, cols, err := f.batch(i, "split", "index", "label", "pixels")
		if err != nil {
			return nil, nil, err
		}
		pix := cols[3].(*array.FixedSizeList)
		vals := pix.ListValues().(*array.Float32)
		b := batch{rec: rec, split: cols[0].(*array.String), index: cols[1].(*array.Int32).Int32Values(),
			label: cols[2].(*array.Uint8).Uint8Values(), x: vals.Float32Values()}
		batches = append(batches, b)
		if vals.NullN() > 0 {
			return nil, nil, formatError("record batch %d: NULL pixel values", i)
		}
		if len(b.x) != len(b.label)*features {
			return nil, nil, formatError("record batch %d: %d pixel values for %d samples", i, len(b.x), len(b.label))
		}
		for j := 0; j < b.split.Len(); j++ {
			counts[b.split.Value(j)]++
		}
	}

	splits = make(map[string]*ff.Data, len(counts))
	for name, n := range counts {
		splits[name] = &ff.Data{X: make([]float32, n*features), Labels: make([]uint8, n), N: n, Features: features}
	}
	next := make(map[string]int, len(counts))
	for bi, b := range batches {
		for lo := 0; lo < len(b.label); {
			name := b.split.Value(lo)
			hi := lo + 1
			for hi < len(b.label) && b.split.Value(hi) == name {
				hi++
			}
			d, at := splits[name], next[name]
			for j := lo; j < hi; j++ {
				if int(b.index[j]) != at+j-lo {
					return nil, nil, formatError("record batch %d row %d: split %s index %d, want %d",
						bi, j, name, b.index[j], at+j-lo)
				}
			}
			copy(d.Labels[at:], b.label[lo:hi])
			copy(d.X[at*features:], b.x[lo*features:hi*features])
			next[name] = at + hi - lo
			lo = hi
		}
	}
	for _, name := range slices.Sorted(maps.Keys(splits)) {
		if err := splits[name].Check(); err != nil {
			return nil, nil, formatError("split %s: %v", name, err)
		}
	}
	return splits, f.meta, nil
}
