// Package parquettest reads Parquet files in tests with arrow-go's pqarrow,
// independently of ffchar's own readers, so that a test checks what any
// Arrow reader sees.
package parquettest

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// Read returns the whole table of the Parquet file at path and the file's
// metadata; both stay valid until the test ends. Any error fails the test.
func Read(t testing.TB, path string) (arrow.Table, *metadata.FileMetaData) {
	t.Helper()
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdr.Close() })
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tbl.Release)
	return tbl, rdr.MetaData()
}
