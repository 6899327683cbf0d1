#!/usr/bin/env bash
# Kill and resume under MPI: a sweep on 2 ranks loses one rank to
# kill -9 after some runs are stored.  The job must end within seconds
# with a non-zero status and leave its .partial file; --resume must then
# finish it, and every stored value must equal an uninterrupted sweep's
# (all of /runs but wall_seconds, /consensus, /scores, /stability).
# Usage: kill_resume.sh VAESWEEP_BINARY   (run from the project root)
set -euo pipefail
bin=$(realpath "$1")
source tools/mpienv.sh
tmp=$(mktemp -d)
job=
trap '[ -z "$job" ] || kill -9 "$job" 2>/dev/null; rm -rf "$tmp"' EXIT

# 12 runs of about 0.4 s each on this kind of machine: long enough to
# kill between runs, short enough for the suite.  Every sweep key is set
# here, so edits of tiny.ini do not change what is tested.
args=(config/tiny.ini --set data.path=data/digits.csv.gz
    --set sweep.seeds=0-3 --set sweep.alpha_rec=0.05,0.1,0.2
    --set sweep.alpha_kl=0.01 --set vae.epochs=150 --set stability.target=0
    --set stability.bootstrap=20 --set score.folds=2)
# h5dump reads the .partial while the sweep holds it open.
export HDF5_USE_FILE_LOCKING=FALSE

fail() {
    echo "FAIL: $*"
    for f in "$tmp"/*.log; do
        echo "--- $f"
        tail -20 "$f"
    done
    exit 1
}

# Runs marked done or failed in the /runs/status of file $1.
stored_runs() {
    h5dump -d /runs/status "$1" 2>/dev/null |
        sed -n '/DATA {/,/}/p' | grep -o '[0-9]*' | sed 1d |
        grep -c '[12]' || true
}

t0=$(date +%s)
"${MPIRUN[@]}" -n 2 "$bin" "${args[@]}" --set "output.path=$tmp/ref.h5" \
    </dev/null >"$tmp/ref.log" 2>&1 || fail "the reference sweep failed"
t_ref=$(($(date +%s) - t0))

# The sweep to kill.  Its rank 1 is the child of mpirun whose
# environment says so.
"${MPIRUN[@]}" -n 2 "$bin" "${args[@]}" --set "output.path=$tmp/out.h5" \
    </dev/null >"$tmp/killed.log" 2>&1 &
job=$!
partial=$tmp/out.h5.partial
stored=0
for _ in $(seq 600); do
    sleep 0.1
    kill -0 "$job" 2>/dev/null || fail "the sweep ended before the kill"
    [ -e "$partial" ] || continue
    stored=$(stored_runs "$partial")
    [ "$stored" -lt 2 ] || break
done
[ "$stored" -ge 2 ] || fail "no runs were stored within 60 s"
victim=
for pid in $(ps -o pid= --ppid "$job"); do
    if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null |
        grep -qx OMPI_COMM_WORLD_RANK=1; then
        victim=$pid
    fi
done
[ -n "$victim" ] || fail "rank 1's process not found under mpirun $job"
kill -9 "$victim"
t_kill=$(date +%s.%N)
status=0
timeout 15 tail --pid="$job" -f /dev/null || fail "no exit 15 s after kill -9"
wait "$job" || status=$?
job=
t_end=$(echo "$(date +%s.%N) - $t_kill" | bc)
[ "$status" -ne 0 ] || fail "the killed sweep exited 0"
grep -q "rank 1 .*signal 9" "$tmp/killed.log" ||
    fail "no message names the rank that died"
[ -e "$partial" ] || fail "the killed sweep left no .partial file"
[ ! -e "$tmp/out.h5" ] || fail "the killed sweep left a final file"
left=$(stored_runs "$partial")
echo "killed rank 1 (pid $victim) with $stored runs stored; the job" \
    "ended in ${t_end} s with status $status; $left runs in the .partial"
[ "$left" -lt 12 ] || fail "all 12 runs were stored before the kill"

t0=$(date +%s)
"${MPIRUN[@]}" -n 2 "$bin" "${args[@]}" --set "output.path=$tmp/out.h5" \
    --resume </dev/null >"$tmp/resume.log" 2>&1 || fail "--resume failed"
t_resume=$(($(date +%s) - t0))
grep -q "($left already stored)" "$tmp/resume.log" ||
    fail "--resume did not skip the $left stored runs"
[ ! -e "$partial" ] || fail "--resume left the .partial file"
h5dump -a /complete "$tmp/out.h5" | grep -q "(0): 1" ||
    fail "the resumed file's /complete is not 1"

compared=0
for d in /runs/seed /runs/alpha_rec /runs/alpha_clf /runs/alpha_kl \
    /runs/status /runs/val_acc /runs/centroids /runs/distance \
    /runs/loss_curves /runs/cophenetic /consensus/distance /consensus/Z \
    /consensus/support /scores/n_clusters /scores/level_distance \
    /scores/groups /scores/fold_acc /scores/cv_mean /scores/cv_std \
    /scores/val_acc /stability/same_partition /stability/convergence_seeds \
    /stability/convergence_corr; do
    if ! h5diff "$tmp/ref.h5" "$tmp/out.h5" "$d" "$d" >"$tmp/diff.log" 2>&1; then
        fail "$d differs between the uninterrupted and the resumed sweep"
    fi
    compared=$((compared + 1))
done
for a in /consensus:cophenetic_corr /stability:split_half_corr; do
    want=$(h5dump -a "${a/://}" "$tmp/ref.h5" | grep "(0)")
    got=$(h5dump -a "${a/://}" "$tmp/out.h5" | grep "(0)")
    [ "$want" = "$got" ] || fail "attribute $a: $got, expected $want"
    compared=$((compared + 1))
done
echo "kill_resume: $compared datasets and attributes identical after" \
    "kill -9 and --resume (reference ${t_ref} s, resume ${t_resume} s)"
