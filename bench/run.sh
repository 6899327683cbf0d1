#!/usr/bin/env bash
# The benchmarks of the README in one command:
#
#   bash bench/run.sh
#
# 1. one VAE run (digits, 35 epochs, batch 16, default weights, one
#    thread): bench_core against bench/torch_vae.py (PyTorch, CPU, float64);
# 2. one MLP fit (digits, 10 classes, (10, 10), Adam, batch 16,
#    scikit-learn's stopping rule): bench_core against
#    bench/sklearn_mlp.py (MLPClassifier), accuracies side by side;
# 3. the default sweep (config/digits.ini) at 1 and 2 ranks: wall time,
#    parallel efficiency and the program's own phase timers (/timing in
#    the results file);
# 4. growth: samples (digits replicated with noise to 4x and 16x, 18 runs)
#    and runs (18, 36, 72, 144 seeds of the default weights), each with
#    the peak resident memory per rank.
#
# Installs python3-torch, python3-sklearn and python3-h5py from Debian
# when /usr/bin/python3 lacks them, builds into $BUILD (default build),
# and writes bench/RESULTS.md.  Repetitions: REPS (default 5) for the C
# side and scikit-learn, TORCH_REPS (3) for PyTorch, SWEEP_REPS (3) for
# the sweeps at 1 and 2 ranks, GROWTH_REPS (1) for the growth sweeps.
# KEEP=1 keeps the raw measurements (the directory is printed).  About
# 6 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-5}
TORCH_REPS=${TORCH_REPS:-3}
SWEEP_REPS=${SWEEP_REPS:-3}
GROWTH_REPS=${GROWTH_REPS:-1}
BUILD=${BUILD:-build}
PY=/usr/bin/python3

# Debian's packages, not pip: the versions the README quotes.
missing=()
"$PY" -c 'import torch' 2>/dev/null || missing+=(python3-torch)
"$PY" -c 'import sklearn' 2>/dev/null || missing+=(python3-sklearn)
"$PY" -c 'import h5py' 2>/dev/null || missing+=(python3-h5py)
if ((${#missing[@]})); then
    echo "== installing ${missing[*]}"
    sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y "${missing[@]}"
fi

echo "== building into $BUILD"
# The project's own setup: its Debian packages, configure and build.
bash tools/setup.sh "$BUILD" >/dev/null

# shellcheck source=tools/mpienv.sh
source tools/mpienv.sh
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
out=$(mktemp -d /tmp/vaesweep-bench.XXXXXX)
if [ "${KEEP:-0}" = 1 ]; then
    echo "== raw measurements kept in $out"
else
    trap 'rm -rf "$out"' EXIT
fi

echo "== 1-2: one VAE run and one MLP fit, $REPS repetitions (PyTorch" \
     "$TORCH_REPS)"
"$BUILD/bench/bench_core" --reps "$REPS" --split-out "$out/split.json" \
    >"$out/core.jsonl"
"$PY" bench/torch_vae.py --split "$out/split.json" --reps "$TORCH_REPS" \
    >"$out/torch.json"
"$PY" bench/sklearn_mlp.py --split "$out/split.json" --reps "$REPS" \
    >"$out/sklearn.json"

# sweep NAME RANKS REPS [--set KEY=VALUE ...]: run the default config with
# the overrides, keep the results file, the log, the wall time and each
# rank's peak memory under $out/sweeps/NAME-RANKS-REP.
sweep() {
    local name=$1 ranks=$2 reps=$3 r dir t0 t1
    shift 3
    for ((r = 0; r < reps; r++)); do
        dir="$out/sweeps/$name-$ranks-$r"
        mkdir -p "$dir"
        echo "   $name, $ranks rank(s), repetition $((r + 1))/$reps"
        t0=$(date +%s.%N)
        RSS_DIR=$dir "${MPIRUN[@]}" -x RSS_DIR -n "$ranks" bench/rank_rss.sh \
            "$BUILD/vaesweep" config/digits.ini --overwrite \
            --set "output.path=$dir/results.h5" "$@" >"$dir/log" 2>&1 || {
            echo "bench/run.sh: the sweep $name at $ranks rank(s) failed:" >&2
            tail -n 20 "$dir/log" >&2
            exit 1
        }
        t1=$(date +%s.%N)
        printf '{"name": "%s", "ranks": %d, "rep": %d, "wall": %s}\n' \
            "$name" "$ranks" "$r" "$(echo "$t1 - $t0" | bc)" >"$dir/meta.json"
    done
}

echo "== 3: the default sweep (config/digits.ini) at 1 and 2 ranks"
sweep default 1 "$SWEEP_REPS"
sweep default 2 "$SWEEP_REPS"

echo "== 4: growth in samples (18 runs) and in runs, 2 ranks"
"$PY" bench/replicate.py --times 4 --out "$out/digits-x4.csv"
"$PY" bench/replicate.py --times 16 --out "$out/digits-x16.csv"
sweep samples-x1 2 "$GROWTH_REPS" --set sweep.seeds=0-17
sweep samples-x4 2 "$GROWTH_REPS" --set sweep.seeds=0-17 \
    --set "data.path=$out/digits-x4.csv"
sweep samples-x16 2 "$GROWTH_REPS" --set sweep.seeds=0-17 \
    --set "data.path=$out/digits-x16.csv"
sweep runs-36 2 "$GROWTH_REPS" --set sweep.seeds=0-35
sweep runs-72 2 "$GROWTH_REPS" --set sweep.seeds=0-71
sweep runs-144 2 "$GROWTH_REPS" --set sweep.seeds=0-143

"$PY" bench/report.py --dir "$out" --command "bash bench/run.sh" \
    --out bench/RESULTS.md
echo "== wrote bench/RESULTS.md"
