package stages

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ffchar/ffchar/artifacts"
)

// TestPublishedCSVMatchesParquet reads every CSV table of every
// published results folder (../results) with a strict RFC 4180 reader
// (no lazy quotes, every record as wide as the header) and compares it
// with its Parquet twin: the same columns and rows, strings and integers
// equal, floats equal to the bit after parsing, a missing value an empty
// field exactly where Parquet has NULL. timing.csv, which has no twin, is
// read strictly too; a folder's SCHEMA.md, where there is one, declares
// every column.
func TestPublishedCSVMatchesParquet(t *testing.T) {
	folders, err := filepath.Glob(filepath.Join("..", "results", "*", "data"))
	if err != nil || len(folders) == 0 {
		t.Skipf("no published results (%v)", err)
	}
	for _, data := range folders {
		dir := filepath.Dir(data)
		csvs, _ := filepath.Glob(filepath.Join(dir, "tables", "*.csv"))
		for _, c := range csvs {
			checkCSVTwin(t, c, strings.TrimSuffix(c, ".csv")+".parquet")
		}
		b, err := os.ReadFile(filepath.Join(dir, SchemaFile))
		if err != nil {
			// Published before folders stood alone; redraw repairs its
			// timing.csv (repairTimings) and writes the schema.
			continue
		}
		if strings.Contains(string(b), Undocumented) {
			t.Errorf("%s: a column is undeclared", filepath.Join(dir, SchemaFile))
		}
		if _, err := os.Stat(filepath.Join(data, TimingsFile)); err == nil {
			readStrictCSV(t, filepath.Join(data, TimingsFile))
		}
	}
}

func readStrictCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f) // FieldsPerRecord 0: every record as wide as the first
	recs, err := r.ReadAll()
	if err != nil {
		t.Errorf("%s: %v", path, err)
	}
	return recs
}

func checkCSVTwin(t *testing.T, csvPath, pqPath string) {
	t.Helper()
	recs := readStrictCSV(t, csvPath)
	tab, _, err := artifacts.ReadTable(pqPath)
	if err != nil {
		t.Errorf("%s: %v", pqPath, err)
		return
	}
	if len(recs) == 0 || len(recs)-1 != tab.Rows() || len(recs[0]) != len(tab.Columns) {
		t.Errorf("%s: %d records of %d fields, its Parquet twin %d rows of %d columns", csvPath, len(recs), len(recs[0]), tab.Rows(), len(tab.Columns))
		return
	}
	for j, col := range tab.Columns {
		if recs[0][j] != col.Name {
			t.Errorf("%s: column %d is %q, Parquet %q", csvPath, j, recs[0][j], col.Name)
			return
		}
		for i := 0; i < tab.Rows(); i++ {
			cell := recs[i+1][j]
			ok := true
			switch {
			case col.Strings != nil:
				ok = cell == col.Strings[i]
			case col.Ints != nil:
				v, err := strconv.ParseInt(cell, 10, 64)
				ok = err == nil && v == col.Ints[i]
			case col.Floats != nil:
				want := col.Floats[i]
				if math.IsNaN(want) {
					ok = cell == ""
					break
				}
				v, err := strconv.ParseFloat(cell, 64)
				ok = err == nil && math.Float64bits(v) == math.Float64bits(want)
			}
			if !ok {
				t.Errorf("%s: row %d column %s: CSV %q, Parquet %v", csvPath, i+1, col.Name, cell, col.Cell(i))
				return
			}
		}
	}
}

// Timing files published before IDs were quoted are repaired; a
// well-formed one is kept as it is.
func TestRepairTimings(t *testing.T) {
	old := "run_id,treatment,replicate,seed,train_seconds,epoch_seconds\n" +
		"depth=1,width=100/r10,depth=1,width=100,10,145,5.108,0.623;0.559\n" +
		"x/r0,x,0,7,1.000,1.000\n"
	want := "run_id,treatment,replicate,seed,train_seconds,epoch_seconds\n" +
		"\"depth=1,width=100/r10\",\"depth=1,width=100\",10,145,5.108,0.623;0.559\n" +
		"x/r0,x,0,7,1.000,1.000\n"
	got, err := repairTimings([]byte(old))
	if err != nil || string(got) != want {
		t.Fatalf("repairTimings = %q, %v; want %q", got, err, want)
	}
	if again, err := repairTimings(got); err != nil || string(again) != want {
		t.Errorf("a well-formed file changed: %q, %v", again, err)
	}
	if _, err := repairTimings([]byte("run_id,treatment,replicate,seed,train_seconds,epoch_seconds\na,b/r1,c,1,2,3,4\n")); err == nil {
		t.Error("an ambiguous line was repaired")
	}
}
