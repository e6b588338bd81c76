#!/usr/bin/env bash
# Tests that scripts/slurm-localhost.sh touches only what it made: with
# stand-ins for a system's slurmd, slurmctld and munged already running
# (copies of sleep under those names) and the system's Slurm and munge
# configuration in place, the script runs its private Slurm to the end,
# and afterwards every stand-in is still running, the system files are
# unchanged, and none of the script's own daemons is left.
#
#   scripts/slurm-localhost-test.sh [path/to/ffchar]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/ffchar-slurm-test.XXXXXX)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

for name in slurmd slurmctld munged; do
	cp /bin/sleep "$tmp/$name"
	"$tmp/$name" 3600 &
	pids+=($!)
done
fingerprint() {
	for f in /etc/slurm/slurm.conf /etc/munge/munge.key; do
		if [ -e "$f" ]; then echo "$f $(sha256sum <"$f")"; else echo "$f absent"; fi
	done
}
before=$(fingerprint)

bash "$here/slurm-localhost.sh" "$@"

fail=0
for i in "${!pids[@]}"; do
	pid=${pids[$i]}
	name=$(basename "$(readlink "/proc/$pid/exe" 2>/dev/null || echo gone)")
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "slurm-localhost-test: FAIL: the stand-in $name (pid $pid) started before the script was stopped"
		fail=1
	fi
done
[ "$(fingerprint)" = "$before" ] || { echo "slurm-localhost-test: FAIL: the system's Slurm or munge files changed"; fail=1; }
for name in slurmd slurmctld munged; do
	for pid in $(pgrep -x "$name" || true); do
		case " ${pids[*]} " in *" $pid "*) continue ;; esac
		# A daemon of the system's own (not started by the test) is fine;
		# one running from the script's private folder is not.
		if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q '/tmp/ffchar-slurm\.'; then
			echo "slurm-localhost-test: FAIL: $name (pid $pid) from the script's private folder still runs"
			fail=1
		fi
	done
done
[ "$fail" = 0 ] || exit 1
echo "slurm-localhost-test: PASS: ${#pids[@]} stand-in daemons survived, system files unchanged, no private daemon left"
