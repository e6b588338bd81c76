#!/usr/bin/env bash
# Interoperability check with readers that share no code with DuckDB or
# arrow-go: polars (nodejs-polars, Rust's parquet reader) reads every
# published Parquet file of an experiment and answers a per-layer query on
# the curves; the Arrow JavaScript implementation (apache-arrow) reads an
# Arrow IPC weights file and dataset.arrow from an ffchar cache, whose
# index entries name each output's content hash.
#
#   scripts/polars-arrow-interop.sh results/quick CACHE_DIR
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=$(cd "${1:-$repo/results/quick}" && pwd)
cache=$(cd "${2:?usage: $0 RESULTS_DIR CACHE_DIR}" && pwd)
work=$(mktemp -d /tmp/ffchar-polars.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
# npm skips nodejs-polars's native build as an optional dependency whose
# engine range excludes this Node; name it, pinned to the same version.
case $(uname -m) in
aarch64 | arm64) native=nodejs-polars-linux-arm64-gnu ;;
*) native=nodejs-polars-linux-x64-gnu ;;
esac
npm install --silent --no-audit --no-fund nodejs-polars@0.25.2 "$native@0.25.2" apache-arrow@21.2.0 >/dev/null 2>&1

# The cache's content path of the first output called $1 (o/<2 hex>/<hex>-d).
output() {
	local id
	id=$(grep -rhE "^[0-9a-f]{64} [0-9]+ $1\$" "$cache/a" | head -1 | cut -d' ' -f1)
	[ -n "$id" ] || { echo "polars-arrow-interop: no $1 in the cache $cache" >&2; exit 1; }
	echo "$cache/o/${id:0:2}/$id-d"
}
weights=$(output 'weights-e[0-9]{3}\.arrow')
dataset=$(output 'dataset\.arrow')

cat > polars.mjs <<'JS'
import pl from 'nodejs-polars';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
const dir = process.argv[2];
let files = 0;
for (const sub of ['data', 'tables']) {
  for (const f of readdirSync(join(dir, sub)).filter((f) => f.endsWith('.parquet'))) {
    const df = pl.readParquet(join(dir, sub, f));
    if (df.width === 0) throw new Error(`${sub}/${f}: no columns`);
    console.log(`${sub}/${f}: ${df.height} rows, ${df.width} columns`);
    files++;
  }
}
const curves = pl.readParquet(join(dir, 'data', 'curves.parquet'));
const byLayer = curves.filter(pl.col('split').eq(pl.lit('val')))
  .groupBy('layer').agg(pl.col('ff_accuracy').mean().alias('ff'), pl.col('classifier_accuracy').mean().alias('model'))
  .sort('layer');
const ff = byLayer.getColumn('ff').toArray();
if (byLayer.height === 0 || ff.some((x) => !(x >= 0 && x <= 1))) throw new Error(`per-layer means: ${byLayer}`);
console.log(`polars: curves columns ${curves.columns.join(', ')}`);
console.log(`polars-interop: PASS: ${files} Parquet files read by polars; mean validation FF accuracy of layers ${byLayer.getColumn('layer').toArray().join(', ')}: ${ff.map((x) => x.toFixed(3)).join(', ')}`);
JS
node polars.mjs "$dir"

cat > arrow.mjs <<'JS'
import { tableFromIPC } from 'apache-arrow';
import { readFileSync } from 'node:fs';
const [weightsPath, datasetPath] = process.argv.slice(2);
const w = tableFromIPC(readFileSync(weightsPath));
for (const col of ['name', 'rows', 'cols', 'data']) {
  if (!w.getChild(col)) throw new Error(`weights: no column ${col} (columns ${w.schema.fields.map((f) => f.name)})`);
}
for (let i = 0; i < w.numRows; i++) {
  const row = w.get(i);
  const n = Number(row.rows) * Number(row.cols);
  if (row.data.length !== n) throw new Error(`weights: tensor ${row.name} has ${row.data.length} values, want ${n}`);
}
const d = tableFromIPC(readFileSync(datasetPath));
const pixels = d.get(0).pixels;
if (d.numRows === 0 || pixels.length !== 784) throw new Error(`dataset: ${d.numRows} rows, ${pixels?.length} pixels in the first`);
const splits = new Set(d.getChild('split').toArray());
console.log(`arrow-js-interop: PASS: weights ${w.numRows} tensors (${Array.from({ length: w.numRows }, (_, i) => w.get(i).name).join(', ')}); dataset ${d.numRows} samples in splits ${[...splits].join(', ')}, 784 pixels each`);
JS
node arrow.mjs "$weights" "$dataset"
