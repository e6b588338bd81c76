#!/usr/bin/env bash
# Sweep throughput: how many runs at once (ffchar run --jobs) and how many
# BLAS threads per run give the most training per second on this machine.
# Trains 4 seeds of a loewe 3×500 network for one epoch on all 50,000 MNIST
# training images (no step recording, 500 validation images), from an empty
# cache each time, with --jobs 1, 2 and 3 (one BLAS thread per run, as
# ffchar run always uses), and the same networks one after another with 1
# and with 2 BLAS threads each (ffchar train --threads).
#
#   docs/bench/throughput.sh [bin/ffchar]
set -euo pipefail
bin=$(realpath "${1:-bin/ffchar}")
work=$(mktemp -d /tmp/ffchar-throughput.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
cat > tp.toml <<'TOML'
name = "tp"
recipe = "loewe"
seeds = 4
master_seed = 1
[data]
source = "mnist"
val_limit = 500
test_limit = 500
[base]
batch_size = 100
depth = 3
width = 500
epochs = 1
[grid]
schedule = ["simultaneous"]
[record]
every = 0
TOML
"$bin" --version | head -3
nproc | sed 's/^/cores: /'
"$bin" run --profile tp.toml --cache warm --until prep >/dev/null 2>&1   # MNIST into the module cache
for j in 1 2 3; do
	rm -rf cache results
	s=$(date +%s.%N)
	"$bin" run --profile tp.toml --cache cache --jobs "$j" --until train >/dev/null 2>&1
	e=$(date +%s.%N)
	echo "run --jobs $j, 1 thread per run: 4 runs in $(echo "$e - $s" | bc) s"
done
for t in 1 2; do
	s=$(date +%s.%N)
	for seed in 1 2 3 4; do
		"$bin" train --recipe loewe --depth 3 --width 500 --epochs 1 --seed "$seed" --val-limit 500 --threads "$t" >/dev/null 2>&1
	done
	e=$(date +%s.%N)
	echo "train --threads $t, one run at a time: 4 runs in $(echo "$e - $s" | bc) s"
done
