#!/usr/bin/env bash
# A real Slurm test: installs and starts a single-node Slurm on localhost
# from Debian's packages, submits the smoke profile as a job array with
# `ffchar slurm submit`, checks that every published artifact equals a
# local run's byte for byte, and tears Slurm down. Needs root (Debian 12).
#
#   scripts/slurm-localhost.sh [path/to/ffchar]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
ffchar=${1:-$repo/bin/ffchar}
ffchar=$(cd "$(dirname "$ffchar")" && pwd)/$(basename "$ffchar")
[ -x "$ffchar" ] || { echo "slurm-localhost: no ffchar binary at $ffchar (run make build)"; exit 1; }

export DEBIAN_FRONTEND=noninteractive
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
fi

work=$(mktemp -d /tmp/ffchar-slurm.XXXXXX)
teardown() {
	scancel --user=root >/dev/null 2>&1 || true
	pkill -x slurmd >/dev/null 2>&1 || true
	pkill -x slurmctld >/dev/null 2>&1 || true
	pkill -x munged >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap teardown EXIT

# munge authenticates Slurm's daemons and clients to each other.
mkdir -p /run/munge /var/lib/munge /var/log/munge /etc/munge
chown munge:munge /run/munge /var/lib/munge /var/log/munge /etc/munge
chmod 0755 /run/munge
if [ ! -s /etc/munge/munge.key ]; then
	dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
pgrep -x munged >/dev/null || runuser -u munge -- munged

mkdir -p /etc/slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm /run/slurm
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=ffchar-test
SlurmctldHost=localhost
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=/run/slurm/slurmctld.pid
SlurmdPidFile=/run/slurm/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
ReturnToService=2
NodeName=localhost CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
pkill -x slurmd >/dev/null 2>&1 || true
pkill -x slurmctld >/dev/null 2>&1 || true
slurmctld -c
slurmd
for i in $(seq 1 60); do
	if sinfo -h -o %T 2>/dev/null | grep -qx idle; then break; fi
	sleep 1
done
sinfo -h -o %T | grep -qx idle || { echo "slurm-localhost: the node did not become idle"; sinfo || true; tail -20 /var/log/slurm/*.log; exit 1; }
echo "slurm-localhost: single-node Slurm is up"

# The same sweep, locally and as a Slurm array on a (here trivially)
# shared cache. The smoke profile's 4 runs go to 3 array tasks.
cd "$work"
"$ffchar" run --profile smoke --cache "$work/local-cache" --results "$work/local" >/dev/null 2>"$work/local.log"
start=$(date +%s)
timeout 600 "$ffchar" slurm submit --profile smoke --cache "$work/shared-cache" --results "$work/slurm" \
	--array-size 3 --cpus-per-task 1 --wait
echo "slurm-localhost: the array and the analysis job finished in $(( $(date +%s) - start ))s"
for log in "$work"/shared-cache/slurm/smoke/*.log; do
	grep -q "jobs:" "$log" || { echo "slurm-localhost: $log shows no completed pipeline:"; cat "$log"; exit 1; }
done

# Every published file but the wall times in data/timing.csv — the sweep
# tables concatenating each run's metrics
# and evaluations, the analysis tables and the figures — must be identical.
if ! diff -r -x timing.csv "$work/local" "$work/slurm"; then
	echo "slurm-localhost: FAIL: the Slurm run's artifacts differ from the local run's"
	exit 1
fi
files=$(find "$work/slurm" -type f | wc -l)
echo "slurm-localhost: PASS: $files published files identical to a local run's (wall times aside)"
