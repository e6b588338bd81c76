#!/bin/sh
# Per-product (BenchmarkFFProducts) and epoch benchmarks with each OpenBLAS
# kernel, back to back, twice, then the gonum backend; raw output on stdout.
# Usage: docs/bench/kernels.sh [KERNEL...]   (default: Zen Haswell Prescott)
set -e
cd "$(dirname "$0")/../.."
kernels=${*:-Zen Haswell Prescott}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -tags openblas -o "$tmp/backend.test" ./backend/
go test -c -tags openblas -o "$tmp/ff.test" ./ff/
go test -c -o "$tmp/backend-gonum.test" ./backend/
for round in 1 2; do
	for k in $kernels; do
		echo "## round $round, OPENBLAS_CORETYPE=$k"
		OPENBLAS_CORETYPE=$k "$tmp/backend.test" -test.run '^$' -test.bench FFProducts -test.benchtime 1s | grep '^Benchmark'
		OPENBLAS_CORETYPE=$k "$tmp/ff.test" -test.run '^$' -test.bench 'Sgemm|Epoch/loewe/2x500' -test.benchtime 3x | grep '^Benchmark'
	done
done
echo "## gonum"
"$tmp/backend-gonum.test" -test.run '^$' -test.bench FFProducts -test.benchtime 1s | grep '^Benchmark'
