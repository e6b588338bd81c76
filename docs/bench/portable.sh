#!/bin/sh
# The cost of portable arithmetic: the engine benchmarks with the kernel
# portable arithmetic pins (Haswell) and with every faster kernel this CPU
# can run, one BLAS thread, alternating, three rounds; raw output on stdout.
# Usage: docs/bench/portable.sh [KERNEL...]   (default: Haswell Zen SkylakeX)
# Run it on an idle machine: the kernels are compared by wall-clock rate.
set -e
cd "$(dirname "$0")/../.."
kernels=${*:-Haswell Zen SkylakeX}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -tags openblas -o "$tmp/ff.test" ./ff/
grep -m1 'model name' /proc/cpuinfo
for round in 1 2 3; do
	for k in $kernels; do
		echo "## round $round, OPENBLAS_CORETYPE=$k"
		OPENBLAS_CORETYPE=$k "$tmp/ff.test" -test.run '^$' -test.bench 'Sgemm' -test.benchtime 300x | grep '^Benchmark'
		OPENBLAS_CORETYPE=$k "$tmp/ff.test" -test.run '^$' -test.bench 'Epoch/(loewe|pezeshki)/2x500' -test.benchtime 8x | grep '^Benchmark'
	done
done
