#!/usr/bin/env bash
# A real Slurm test: starts a private single-node Slurm on localhost from
# Debian's packages, submits the smoke profile as a job array with
# `ffchar slurm submit`, checks that every published artifact equals a
# local run's byte for byte, and tears its Slurm down. Needs root (Debian
# 12) to install the packages and to run slurmd.
#
#   scripts/slurm-localhost.sh [path/to/ffchar]
#
# It touches only what it makes. munge and Slurm run from one private
# folder (mktemp): their own key, configuration, sockets, state, spool,
# logs and pidfiles, on ports nobody was listening on. The system's
# /etc/slurm, /etc/munge, state and daemons are never read, written or
# signalled: a system slurmd, slurmctld or munged keeps running. Teardown
# cancels the jobs it submitted, by ID, on its own controller, and stops
# the daemons it started, by the PIDs in their pidfiles.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
ffchar=${1:-$repo/bin/ffchar}
ffchar=$(cd "$(dirname "$ffchar")" && pwd)/$(basename "$ffchar")
[ -x "$ffchar" ] || { echo "slurm-localhost: no ffchar binary at $ffchar (run make build)"; exit 1; }

export DEBIAN_FRONTEND=noninteractive
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null || ! command -v sbatch >/dev/null; then
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
fi

# stop_pidfile NAME PIDFILE: stops the process whose PID the pidfile
# holds, only if it is still NAME (a PID can be reused), and waits for it.
stop_pidfile() {
	local name=$1 pidfile=$2 pid comm
	[ -s "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	case $pid in '' | *[!0-9]*) return 0 ;; esac
	comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 0
	[ "$comm" = "$name" ] || return 0
	kill "$pid" 2>/dev/null || return 0
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

work= jobs_file=
teardown() {
	[ -n "$work" ] || return 0
	# Only the jobs this script submitted, on its own controller.
	if [ -s "$jobs_file" ] && [ -s "$work/run/slurmctld.pid" ]; then
		# shellcheck disable=SC2046
		scancel $(sort -u "$jobs_file") >/dev/null 2>&1 || true
	fi
	stop_pidfile slurmd "$work/run/slurmd.pid"
	stop_pidfile slurmctld "$work/run/slurmctld.pid"
	stop_pidfile munged "$work/munge/munged.pid"
	rm -rf "$work"
}
trap teardown EXIT
work=$(mktemp -d /tmp/ffchar-slurm.XXXXXX)
chmod 0700 "$work"
mkdir -p "$work/munge" "$work/etc" "$work/state" "$work/spool" "$work/log" "$work/run"
export SLURM_CONF=$work/etc/slurm.conf
jobs_file=$work/jobs

# free_port: a TCP port nothing listens on: one the kernel gives a bind to
# port 0 or, without python3, a random high port no listener in
# /proc/net/tcp holds.
free_port() {
	if command -v python3 >/dev/null; then
		python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
		return
	fi
	local p
	while :; do
		p=$((20000 + RANDOM % 30000))
		grep -qi ":$(printf %04X "$p") 00000000:0000 0A" /proc/net/tcp /proc/net/tcp6 2>/dev/null || { echo "$p"; return; }
	done
}

# munge authenticates Slurm's daemons and clients to each other: a key and
# a socket of our own, so the system's munged (if any) is not involved.
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$work/munge/munge.key"
munged --force --socket="$work/munge/munge.socket" --key-file="$work/munge/munge.key" \
	--pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" \
	--seed-file="$work/munge/munged.seed"

ctld_port=$(free_port)
slurmd_port=$(free_port)
while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(free_port); done
cat > "$SLURM_CONF" <<CONF
ClusterName=ffchar-private
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
AuthType=auth/munge
# cred_expire also sets how long a requeued job waits before it starts again
# (120 s by default): 10 s keeps the requeue test short.
AuthInfo=socket=$work/munge/munge.socket,cred_expire=10
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/run/slurmctld.pid
SlurmdPidFile=$work/run/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
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
# A fresh state folder: -c clears only ours.
slurmctld -f "$SLURM_CONF" -c
slurmd -f "$SLURM_CONF"
for _ in $(seq 1 60); do
	if sinfo -h -o %T 2>/dev/null | grep -qx idle; then break; fi
	sleep 1
done
sinfo -h -o %T | grep -qx idle || { echo "slurm-localhost: the node did not become idle"; sinfo || true; tail -20 "$work"/log/*.log; exit 1; }
echo "slurm-localhost: private single-node Slurm is up (ports $ctld_port and $slurmd_port, config in $work)"

# The same sweep, locally and as a Slurm array on a (here trivially)
# shared cache. The smoke profile's 4 runs go to 3 array tasks.
cd "$work"
"$ffchar" run --profile smoke --cache "$work/local-cache" --results "$work/local" >/dev/null 2>"$work/local.log"
# record_jobs echoes submit's output and records each job ID as soon as
# submit prints it, so teardown can cancel exactly these even if the wait is
# interrupted.
record_jobs() {
	while IFS= read -r line; do
		echo "$line"
		case $line in "submitted "*" job "*)
			id=${line#submitted * job }
			echo "${id%%[!0-9]*}" >>"$jobs_file" ;;
		esac
	done
}
start=$(date +%s)
timeout 600 "$ffchar" slurm submit --profile smoke --cache "$work/shared-cache" --results "$work/slurm" \
	--array-size 3 --cpus-per-task 1 --wait | record_jobs
echo "slurm-localhost: the array and the analysis job finished in $(( $(date +%s) - start ))s"
for log in "$work"/shared-cache/slurm/smoke/*.log; do
	grep -q "jobs:" "$log" || { echo "slurm-localhost: $log shows no completed pipeline:"; cat "$log"; exit 1; }
done

# Every published file but the wall times in data/timing.csv — the sweep
# tables concatenating each run's metrics
# and evaluations, the analysis tables and the figures — must be identical;
# provenance.json too, but for the dates of the runs (runs_first,
# runs_last), which differ between two sweeps of one experiment.
sameprov() { diff <(grep -v '"runs_' "$1/provenance.json") <(grep -v '"runs_' "$2/provenance.json"); }
if ! diff -r -x timing.csv -x provenance.json "$work/local" "$work/slurm" || ! sameprov "$work/local/smoke" "$work/slurm/smoke"; then
	echo "slurm-localhost: FAIL: the Slurm run's artifacts differ from the local run's"
	exit 1
fi
files=$(find "$work/slurm" -type f | wc -l)
echo "slurm-localhost: PASS: $files published files identical to a local run's (wall times aside)"

# Requeue: one run that needs longer than its task's two-minute time limit.
# Slurm sends SIGTERM before the limit (slurm submit's --signal; it may come
# up to 60 s early, so 30 s before a 2-minute limit is 30 to 90 s in), ffchar
# stores the run's state at its next batch and exits 75, the task requeues
# itself and continues from the state, as often as it takes. The published
# outputs must equal a local, uninterrupted run's.
mkdir -p "$work/experiments"
cat >"$work/experiments/requeue.toml" <<'TOML'
name = "requeue"
description = "One run longer than its Slurm time limit: stopped, requeued and continued from its state."
recipe = "loewe"
seeds = 1
master_seed = 11
[data]
source = "synthetic"
train_limit = 6000
val_limit = 500
test_limit = 500
[base]
batch_size = 50
epochs = ${REQUEUE_EPOCHS:-90}
[grid]
depth = [3]
width = [800]
[evaluate]
checkpoints = [4]
TOML
sed -i "s/\${REQUEUE_EPOCHS:-90}/${REQUEUE_EPOCHS:-90}/" "$work/experiments/requeue.toml"
start=$(date +%s)
"$ffchar" run --profile requeue --cache "$work/requeue-local-cache" --results "$work/requeue-local" --jobs 1 >/dev/null 2>"$work/requeue-local.log"
took=$(( $(date +%s) - start ))
echo "slurm-localhost: the requeue run takes ${took}s uninterrupted"
start=$(date +%s)
timeout 1500 "$ffchar" slurm submit --profile requeue --cache "$work/requeue-cache" --results "$work/requeue-slurm" \
	--array-size 1 --cpus-per-task 1 --time 2 --stop-before 30 --wait | record_jobs
echo "slurm-localhost: the requeued task and the analysis job finished in $(( $(date +%s) - start ))s"
log=$(ls "$work"/requeue-cache/slurm/requeue/train-*.log)
requeues=$(grep -c "requeueing task" $log || true)
[ "$requeues" -ge 1 ] || { echo "slurm-localhost: FAIL: the task was never stopped and requeued:"; cat $log; exit 1; }
if ! diff -r -x timing.csv -x provenance.json "$work/requeue-local" "$work/requeue-slurm" ||
	! sameprov "$work/requeue-local/requeue" "$work/requeue-slurm/requeue"; then
	echo "slurm-localhost: FAIL: the requeued run's artifacts differ from the local run's"
	exit 1
fi
echo "slurm-localhost: PASS: a run stopped $requeues times at its time limit and requeued gives the local run's artifacts"
