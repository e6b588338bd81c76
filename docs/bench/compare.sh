#!/usr/bin/env bash
# Times one loewe 2x500 training epoch (50,000 MNIST samples) in ffchar and
# in PyTorch (Debian's python3-torch, CPU) running the same recipe, on 1 and
# 2 threads, one after the other on an otherwise idle machine, and prints the
# ratio. PyTorch is configured as a careful user would: a fixed thread count
# and OMP_WAIT_POLICY=passive, so that idle OpenMP threads do not spin.
#
#   docs/bench/compare.sh [path/to/ffchar]    (build it with make build)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
ffchar=${1:-$repo/bin/ffchar}
mnist=$(go env GOMODCACHE)/github.com/petar/!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63/data
for threads in 1 2; do
	# Epoch 2's time: epoch 1 includes warm-up in both programs.
	ff=$(OPENBLAS_NUM_THREADS=$threads "$ffchar" train --depth 2 --width 500 --epochs 2 --seed 1 --threads "$threads" 2>/dev/null |
		awk '/^epoch 2\/2/ { print $NF }' | tr -d s)
	pt=$(OMP_WAIT_POLICY=passive OMP_NUM_THREADS=$threads /usr/bin/python3 "$repo/docs/bench/pytorch_loewe_epoch.py" "$mnist" "$threads" |
		awk '/^epoch 2:/ { print $3 }')
	echo "threads $threads: ffchar ${ff}s, pytorch ${pt}s, speed-up $(echo "scale=2; $pt / $ff" | bc)x"
done
