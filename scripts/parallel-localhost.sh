#!/usr/bin/env bash
# Runs the smoke profile as shards under GNU parallel (each shard's index
# comes from $PARALLEL_SEQ), then the merge check and the analysis, and
# checks that every published artifact equals a single local run's.
# Several machines work the same way with `parallel -S host1,host2` and a
# shared --cache.
#
#   scripts/parallel-localhost.sh [path/to/ffchar]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
ffchar=${1:-$repo/bin/ffchar}
ffchar=$(cd "$(dirname "$ffchar")" && pwd)/$(basename "$ffchar")
[ -x "$ffchar" ] || { echo "parallel-localhost: no ffchar binary at $ffchar (run make build)"; exit 1; }
if ! command -v parallel >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends parallel >/dev/null \
		|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends parallel >/dev/null; }
fi
work=$(mktemp -d /tmp/ffchar-parallel.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$ffchar" run --profile smoke --cache local-cache --results local >/dev/null 2>&1
parallel --will-cite -j 3 "$ffchar" run --profile smoke --cache shared-cache --shard-count 3 --jobs 1 '2>' shard-{}.log ::: a b c
"$ffchar" check --profile smoke --cache shared-cache
"$ffchar" run --profile smoke --cache shared-cache --results sharded >/dev/null 2>&1
# Wall times (timing.csv) and the dates of the runs (the runs_ lines of
# provenance.json) differ between two sweeps; everything else must not.
{ diff -r -x timing.csv -x provenance.json local sharded &&
	diff <(grep -v '"runs_' local/smoke/provenance.json) <(grep -v '"runs_' sharded/smoke/provenance.json); } || { echo "parallel-localhost: FAIL: sharded artifacts differ from the local run's"; exit 1; }
echo "parallel-localhost: PASS: 3 shards under GNU parallel, $(find sharded -type f | wc -l) published files identical to a local run's (wall times aside)"
