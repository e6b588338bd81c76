#!/usr/bin/env bash
# pandas reads every CSV of a results folder with read_csv's defaults and
# gets the table an RFC 4180 reader (Python's csv module, strict) gets:
# the same columns and rows, numbers equal to the fields' values (within
# 1e-12 relative: pandas' default float parser is not round-trip exact),
# missing values where fields are empty. The Parquet twins are compared
# with the CSV files by stages.TestPublishedCSVMatchesParquet (Debian has
# no Parquet engine for pandas). Uses Debian's python3-pandas.
#
#   scripts/pandas-interop.sh results/NAME
set -euo pipefail
dir=${1:?usage: pandas-interop.sh results/NAME}
/usr/bin/python3 - "$dir" <<'PY'
import csv, glob, math, os, sys
import pandas as pd

d = sys.argv[1]
files = sorted(glob.glob(os.path.join(d, "tables", "*.csv")) + glob.glob(os.path.join(d, "data", "*.csv")))
for path in files:
    with open(path, newline="") as f:
        rows = list(csv.reader(f, strict=True))
    head, body = rows[0], rows[1:]
    df = pd.read_csv(path)
    if list(df.columns) != head or len(df) != len(body):
        sys.exit(f"pandas-interop: FAIL: {path}: pandas reads {df.shape[1]} columns × {len(df)} rows, the CSV has {len(head)} × {len(body)}")
    for j, c in enumerate(head):
        col = df[c]
        numeric = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
        for i, r in enumerate(body):
            field, v = r[j], col.iloc[i]
            if field == "" or field == "NaN":
                ok = pd.isna(v)
            elif numeric:
                x = float(field)
                ok = (math.isinf(x) and x == v) or math.isclose(x, float(v), rel_tol=1e-12, abs_tol=0)
            else:
                ok = str(v).lower() == field.lower()
            if not ok:
                sys.exit(f"pandas-interop: FAIL: {path}: row {i+1}, column {c}: pandas {v!r}, field {field!r}")
print(f"pandas-interop: PASS: {len(files)} CSV files of {d} read alike by pandas {pd.__version__} (read_csv defaults) and a strict RFC 4180 reader")
PY
