#!/usr/bin/env bash
# Interoperability check: DuckDB (through its Node.js package from the npm
# registry) reads every published Parquet file of an experiment directly,
# with its key-value metadata, and answers the per-layer correlation query
# the README shows. With MIN_FIRST_EPOCH_STEPS=N it also checks the step
# resolution of the curves: every run has a step-0 probe row and at least N
# distinct probe steps inside its first epoch. With AXES=a,b,... every
# named axis is a column of the curves holding at least two values, and
# with MIN_SEEDS=N every treatment has at least N runs. With HALVES=1 every
# run has probe_a and probe_b rows (the split-half probe) at every step
# and layer of its probe rows, and with DEPTHS=1,2,... the curves hold
# exactly those depths.
#
#   scripts/duckdb-interop.sh [results/quick]
#   MIN_FIRST_EPOCH_STEPS=30 scripts/duckdb-interop.sh results/reproduction
#   AXES=epochs,schedule MIN_SEEDS=8 scripts/duckdb-interop.sh results/beyond
#   MIN_FIRST_EPOCH_STEPS=30 MIN_SEEDS=30 HALVES=1 DEPTHS=1,2,3,4 scripts/duckdb-interop.sh results/paper-epoch1
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=$(cd "${1:-$repo/results/quick}" && pwd)
work=$(mktemp -d /tmp/ffchar-duckdb.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm install --silent --no-audit --no-fund @duckdb/node-api@1.5.6-r.1 >/dev/null
cat > check.mjs <<'JS'
import { DuckDBInstance } from '@duckdb/node-api';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
const dir = process.argv[2];
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const q = async (sql) => (await c.runAndReadAll(sql)).getRowObjectsJS();
let files = 0;
for (const sub of ['data', 'tables']) {
  for (const f of readdirSync(join(dir, sub)).filter((f) => f.endsWith('.parquet'))) {
    const p = join(dir, sub, f);
    const [{ n }] = await q(`SELECT count(*) AS n FROM read_parquet('${p}')`);
    const kind = await q(`SELECT value::VARCHAR AS v FROM parquet_kv_metadata('${p}') WHERE key::VARCHAR = 'ffchar.kind'`);
    if (kind.length !== 1) throw new Error(`${p}: no ffchar.kind metadata`);
    console.log(`${sub}/${f}: ${n} rows, kind ${kind[0].v}`);
    files++;
  }
}
const rows = await q(`SELECT layer, corr(ff_accuracy, classifier_accuracy) AS r FROM read_parquet('${join(dir, 'data', 'curves.parquet')}') WHERE split = 'val' GROUP BY layer ORDER BY layer`);
// A layer whose accuracy never moves (a tiny smoke network's layer 2) has no
// correlation (NULL or NaN); every defined one must be a correlation.
const undef = (r) => r === null || Number.isNaN(r);
if (rows.length === 0 || rows.every((x) => undef(x.r)) || rows.some((x) => !undef(x.r) && !(Math.abs(x.r) <= 1))) throw new Error(`correlation query: ${JSON.stringify(rows, (k, v) => typeof v === 'bigint' ? Number(v) : v)}`);
const minSteps = Number(process.env.MIN_FIRST_EPOCH_STEPS || 0);
if (minSteps > 0) {
  const curves = join(dir, 'data', 'curves.parquet');
  const bad = await q(`WITH epoch1 AS (SELECT run_id, max(step) AS s FROM read_parquet('${curves}') WHERE split = 'val' AND epoch = 1 GROUP BY run_id),
    probe AS (SELECT c.run_id, count(DISTINCT c.step) AS n, min(c.step) AS first FROM read_parquet('${curves}') c JOIN epoch1 e USING (run_id)
      WHERE c.split = 'probe' AND c.step <= e.s GROUP BY c.run_id)
    SELECT e.run_id, coalesce(p.n, 0) AS n, p.first FROM epoch1 e LEFT JOIN probe p USING (run_id) WHERE coalesce(p.n, 0) < ${minSteps} OR p.first <> 0`);
  if (bad.length > 0) throw new Error(`step resolution: ${bad.length} runs without a step-0 row or with fewer than ${minSteps} probe steps in their first epoch, e.g. ${JSON.stringify(bad[0], (k, v) => typeof v === 'bigint' ? Number(v) : v)}`);
  const [{ runs }] = await q(`SELECT count(DISTINCT run_id) AS runs FROM read_parquet('${curves}')`);
  console.log(`duckdb-interop: every one of ${runs} runs has a step-0 row and at least ${minSteps} probe steps in its first epoch`);
}
const axes = (process.env.AXES || '').split(',').filter((a) => a !== '');
if (axes.length > 0) {
  const curves = join(dir, 'data', 'curves.parquet');
  for (const a of axes) {
    const [{ n }] = await q(`SELECT count(DISTINCT "${a}") AS n FROM read_parquet('${curves}')`);
    if (Number(n) < 2) throw new Error(`axis ${a}: ${n} distinct values in the curves, want at least 2`);
  }
  console.log(`duckdb-interop: axes ${axes.join(', ')} are columns of the curves, each with at least 2 values`);
}
const minSeeds = Number(process.env.MIN_SEEDS || 0);
if (minSeeds > 0) {
  const curves = join(dir, 'data', 'curves.parquet');
  const few = await q(`SELECT treatment, count(DISTINCT run_id) AS n FROM read_parquet('${curves}') GROUP BY treatment HAVING count(DISTINCT run_id) < ${minSeeds}`);
  if (few.length > 0) throw new Error(`seeds: ${few.length} treatments with fewer than ${minSeeds} runs, e.g. ${JSON.stringify(few[0], (k, v) => typeof v === 'bigint' ? Number(v) : v)}`);
  const [{ t }] = await q(`SELECT count(DISTINCT treatment) AS t FROM read_parquet('${curves}')`);
  console.log(`duckdb-interop: each of ${t} treatments has at least ${minSeeds} runs`);
}
if (process.env.HALVES === '1') {
  const curves = join(dir, 'data', 'curves.parquet');
  const bad = await q(`WITH p AS (SELECT run_id, step, layer FROM read_parquet('${curves}') WHERE split = 'probe'),
    h AS (SELECT run_id, step, layer, count(DISTINCT split) AS n FROM read_parquet('${curves}') WHERE split IN ('probe_a', 'probe_b') GROUP BY ALL)
    SELECT p.run_id, p.step, p.layer, coalesce(h.n, 0) AS n FROM p LEFT JOIN h USING (run_id, step, layer) WHERE coalesce(h.n, 0) <> 2`);
  if (bad.length > 0) throw new Error(`probe halves: ${bad.length} probe rows without both halves, e.g. ${JSON.stringify(bad[0], (k, v) => typeof v === 'bigint' ? Number(v) : v)}`);
  const [{ n }] = await q(`SELECT count(*) AS n FROM read_parquet('${curves}') WHERE split = 'probe'`);
  console.log(`duckdb-interop: each of ${n} probe rows has both probe halves`);
}
const depths = (process.env.DEPTHS || '').split(',').filter((d) => d !== '').map(Number);
if (depths.length > 0) {
  const got = (await q(`SELECT DISTINCT depth FROM read_parquet('${join(dir, 'data', 'curves.parquet')}') ORDER BY depth`)).map((x) => Number(x.depth));
  if (got.join(',') !== depths.join(',')) throw new Error(`depths ${got.join(',')}, want ${depths.join(',')}`);
  console.log(`duckdb-interop: depths ${got.join(', ')}`);
}
console.log(`duckdb-interop: PASS: ${files} Parquet files read by DuckDB; per-layer corr(ff_accuracy, classifier_accuracy) for layers ${rows.map((x) => x.layer).join(', ')}`);
JS
node check.mjs "$dir"
