#!/usr/bin/env bash
# The SLURM job scripts, run for real: start a private one-node SLURM
# (munged, slurmctld, slurmd, all on 127.0.0.1, state in a temporary
# folder), then
#   1. submit jobs/sweep-1node.sbatch with config/tiny.ini, wait for it,
#      and check the results file is complete and equals a direct mpirun
#      of the same config;
#   2. submit jobs/sweep-resumable.sbatch with a longer sweep, send its
#      batch shell USR1 (what --signal=B:USR1@300 does near the time
#      limit) once some runs are stored, and check that the job requeued
#      itself, continued the .partial file with --resume and finished;
#   3. submit jobs/sweep-multinode.sbatch shrunk to this node (srun
#      --mpi=pmix starts the ranks) and check its file.
# While jobs run, every socket a SLURM process listens on must be on
# 127.0.0.1.  The daemons are stopped on every exit (trap).  About 20 s.
#
# Usage: tests/slurm/run_slurm_test.sh [VAESWEEP_BINARY]
#        (default build/vaesweep; run as root: installs slurm-wlm and
#        munge from Debian when missing, and the daemons run as root)
# KEEP=1 keeps the temporary folder (logs, slurm.conf) for a look.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bin=$(realpath "${1:-build/vaesweep}")
t_start=$SECONDS

fail() {
    echo "FAIL: $*"
    exit 1
}

[ -x "$bin" ] || fail "no vaesweep binary at $bin: build first " \
    "(bash tools/setup.sh) or pass its path"
[ "$(id -u)" -eq 0 ] || fail "run as root: the private SLURM runs its " \
    "daemons as root (SlurmUser=root)"
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    echo "slurm test: installing slurm-wlm and munge"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge \
        >/dev/null
fi

tmp=$(mktemp -d /tmp/vaesweep-slurm.XXXXXX)
chmod 700 "$tmp"
pids=()
jobs_submitted=()

# The first free TCP port from $1 upwards (another private SLURM may run).
free_port() {
    local p=$1
    while ss -Hltn "sport = :$p" | grep -q .; do
        p=$((p + 1))
    done
    echo "$p"
}

cleanup() {
    local rc=$?
    if [ ${#jobs_submitted[@]} -gt 0 ] && [ -e "$tmp/slurm.conf" ]; then
        scancel "${jobs_submitted[@]}" 2>/dev/null || true
        for _ in $(seq 20); do
            [ -z "$(squeue -h -j "$(
                IFS=,
                echo "${jobs_submitted[*]}"
            )" 2>/dev/null)" ] && break
            sleep 0.5
        done
    fi
    # Stop in reverse order of start: slurmd, slurmctld, munged.
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        kill "${pids[i]}" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ $rc -ne 0 ]; then
        for f in "$tmp"/*.log "$tmp"/*.out; do
            [ -e "$f" ] || continue
            echo "---- $f (last 30 lines)"
            tail -n 30 "$f"
        done
    fi
    if [ "${KEEP:-0}" = 1 ]; then
        echo "kept $tmp"
    else
        rm -rf "$tmp"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# munge: a private key and socket, so the system's munge is not touched.
dd if=/dev/urandom of="$tmp/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge.key"
munged --foreground --force --socket="$tmp/munge.sock" \
    --key-file="$tmp/munge.key" --pid-file="$tmp/munged.pid" \
    --log-file="$tmp/munged.log" --seed-file="$tmp/munged.seed" \
    2>>"$tmp/munged.log" &
pids+=($!)
for _ in $(seq 50); do
    [ -S "$tmp/munge.sock" ] && break
    sleep 0.1
done
[ -S "$tmp/munge.sock" ] || fail "munged did not start"

ctld_port=$(free_port 16817)
slurmd_port=$(free_port $((ctld_port + 1)))
cpus=$(nproc)
mkdir -p "$tmp/state" "$tmp/spool"
: >"$tmp/plugstack.conf"
cat >"$tmp/slurm.conf" <<EOF
ClusterName=vaesweep-test
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
# Bind to the configured address (127.0.0.1), not to every interface.
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge.sock
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
PlugStackConfig=$tmp/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
SchedulerType=sched/backfill
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$tmp/slurm.conf

slurmctld -D -i -f "$SLURM_CONF" 2>>"$tmp/slurmctld.log" &
pids+=($!)
slurmd -D -N localhost -f "$SLURM_CONF" 2>>"$tmp/slurmd.log" &
pids+=($!)
state=
for _ in $(seq 60); do
    state=$(sinfo -h -n localhost -o %t 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.5
done
[ "$state" = idle ] || fail "the node did not become idle (state '$state')"
echo "slurm test: SLURM up in $((SECONDS - t_start)) s" \
    "(ports $ctld_port, $slurmd_port)"

# Every socket our daemons listen on must be on loopback.
listening=$(ss -Hltnp)
for pid in "${pids[@]}"; do
    for addr in $(grep "pid=$pid," <<<"$listening" | awk '{print $4}'); do
        case $addr in
        127.0.0.1:*) ;;
        *) fail "pid $pid listens on $addr, not on loopback only" ;;
        esac
    done
done
echo "slurm test: daemons listen on" \
    "$(grep -E "$(printf 'pid=%s,|' "${pids[@]}")x" <<<"$listening" |
        awk '{print $4}' | tr '\n' ' ')"

# The job scripts do not set the Open MPI root permission or network
# choice: the test exports them and sbatch passes the environment on.
source tools/mpienv.sh
export VAESWEEP_BIN=$bin VAESWEEP_RESULTS=$tmp
ntasks=()
[ "$cpus" -ge 2 ] || ntasks=(--ntasks-per-node=1)

# Fail if a SLURM process of this test (daemons, job steps, srun)
# listens anywhere but on loopback.
check_loopback() {
    local line
    while read -r line; do
        case $line in
        *'"slurm'* | *'"srun"'* | *'"munged"'*)
            case $(awk '{print $4}' <<<"$line") in
            127.0.0.1:*) ;;
            *) fail "not on loopback only: $line" ;;
            esac
            ;;
        esac
    done < <(ss -Hltnp)
}

# Wait until job $1 has left the queue (at most $2 s); print its state.
wait_job() {
    local id=$1 limit=$2 t0=$SECONDS
    while [ -n "$(squeue -h -j "$id" 2>/dev/null)" ]; do
        [ $((SECONDS - t0)) -lt "$limit" ] ||
            fail "job $id still queued or running after $limit s"
        check_loopback
        sleep 0.5
    done
    scontrol show job "$id" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2
}

complete_attr() {
    h5dump -a /complete "$1" 2>/dev/null | grep -q "(0): 1"
}

# 1. One-node job on the tiny config.
t0=$SECONDS
id=$(sbatch --parsable "${ntasks[@]}" --output="$tmp/job-%j.out" \
    jobs/sweep-1node.sbatch config/tiny.ini)
jobs_submitted+=("$id")
st=$(wait_job "$id" 120)
[ "$st" = COMPLETED ] || fail "sweep-1node job $id ended $st:" \
    "$(cat "$tmp/job-$id.out")"
h5=$tmp/vaesweep-$id.h5
[ -e "$h5" ] || fail "sweep-1node wrote no $h5"
[ ! -e "$h5.partial" ] || fail "sweep-1node left $h5.partial"
complete_attr "$h5" || fail "$h5: /complete is not 1"
"${MPIRUN[@]}" -n 1 "$bin" config/tiny.ini --set "output.path=$tmp/direct.h5" \
    >"$tmp/direct.log" 2>&1 || fail "direct run failed: $(cat "$tmp/direct.log")"
for d in /runs/distance /consensus/Z /scores/groups /scores/cv_mean; do
    h5diff "$tmp/direct.h5" "$h5" "$d" "$d" >/dev/null ||
        fail "$d differs between the SLURM job and a direct mpirun"
done
echo "slurm test: sweep-1node job $id COMPLETED in $((SECONDS - t0)) s," \
    "results equal to a direct run"

# 2. Resumable job, interrupted after a few runs.  The tiny config made
# long enough (48 runs of 35 epochs, about 6 s on 2 ranks) for the signal
# to land while it trains.
t0=$SECONDS
nruns=48
# Every sweep key is set here, so edits of tiny.ini do not change the test.
long=(config/tiny.ini --set data.path=data/digits.csv.gz
    --set sweep.seeds=0-$((nruns - 1)) --set sweep.alpha_rec=0.1
    --set sweep.alpha_kl=0.01 --set vae.epochs=35 --set stability.target=0
    --set stability.bootstrap=20 --set score.folds=2)
id=$(sbatch --parsable "${ntasks[@]}" --output="$tmp/job-%j.out" \
    jobs/sweep-resumable.sbatch "${long[@]}")
jobs_submitted+=("$id")
log=$tmp/job-$id.out
runs_logged() {
    local n
    n=$(grep -c '^run [0-9]' "$log" 2>/dev/null) || true
    echo "${n:-0}"
}
for _ in $(seq 240); do
    [ "$(runs_logged)" -ge 5 ] && break
    sleep 0.25
done
[ "$(runs_logged)" -ge 5 ] ||
    fail "the resumable job stored no runs in 60 s: $(cat "$log")"
scancel --batch --signal=USR1 "$id"
for _ in $(seq 120); do
    restarts=$(scontrol show job "$id" | grep -o 'Restarts=[0-9]*' |
        cut -d= -f2)
    [ "${restarts:-0}" -ge 1 ] && break
    sleep 0.25
done
[ "${restarts:-0}" -ge 1 ] || fail "job $id was not requeued: $(cat "$log")"
# A requeued job waits for its begin time; release it now.
scontrol update jobid="$id" starttime=now 2>/dev/null || true
st=$(wait_job "$id" 180)
[ "$st" = COMPLETED ] || fail "resumable job $id ended $st: $(cat "$log")"
h5=$tmp/vaesweep-resumable-$id.h5
[ -e "$h5" ] && [ ! -e "$h5.partial" ] || fail "resumable job: no $h5"
complete_attr "$h5" || fail "$h5: /complete is not 1"
grep -q "requeueing" "$log" || fail "the USR1 trap did not run: $(cat "$log")"
# The first start must be gone before the second opens the file: one
# consensus, one results line, no error.
[ "$(grep -c '^consensus of' "$log")" -eq 1 ] &&
    [ "$(grep -c '^results: ' "$log")" -eq 1 ] &&
    ! grep -q '^vaesweep: .*error:' "$log" ||
    fail "the interrupted start kept running beside the resumed one:" \
        "$(cat "$log")"
stored=$(grep -o '([0-9]* already stored)' "$log" | tail -1 | tr -dc 0-9)
[ "${stored:-0}" -gt 0 ] ||
    fail "the second start did not resume (no runs kept): $(cat "$log")"
echo "slurm test: sweep-resumable job $id requeued after USR1, resumed" \
    "with $stored of $nruns runs kept, COMPLETED in $((SECONDS - t0)) s"
# 3. The multi-node script, shrunk to this one node: srun starts the
# ranks through PMIx instead of mpirun.
t0=$SECONDS
id=$(sbatch --parsable --nodes=1 \
    --ntasks-per-node=$((cpus >= 2 ? 2 : 1)) --output="$tmp/job-%j.out" \
    jobs/sweep-multinode.sbatch config/tiny.ini)
jobs_submitted+=("$id")
st=$(wait_job "$id" 120)
[ "$st" = COMPLETED ] || fail "sweep-multinode job $id ended $st:" \
    "$(cat "$tmp/job-$id.out")"
h5=$tmp/vaesweep-$id.h5
complete_attr "$h5" || fail "$h5: /complete is not 1"
h5diff "$tmp/direct.h5" "$h5" /consensus/Z /consensus/Z >/dev/null ||
    fail "sweep-multinode: /consensus/Z differs from a direct run"
grep -q "on $((cpus >= 2 ? 2 : 1)) ranks" "$tmp/job-$id.out" ||
    fail "sweep-multinode did not run as one MPI job: $(cat "$tmp/job-$id.out")"
echo "slurm test: sweep-multinode job $id (srun --mpi=pmix, 1 node)" \
    "COMPLETED in $((SECONDS - t0)) s"
echo "slurm test: passed in $((SECONDS - t_start)) s"
