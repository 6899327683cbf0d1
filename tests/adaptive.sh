#!/usr/bin/env bash
# The run-until-stable rule (stability.target) on a tiny sweep:
# - an unreachable target adds seed_batch seeds per round up to max_seeds
#   and says the target was not reached;
# - a reachable one stops at the first round that meets it;
# - the result depends only on the final seeds, not on the rank count or
#   the batch size (seeds 0-1 + 2 rounds of 2 == seeds 0-1 + 1 round of 4).
# Usage: adaptive.sh VAESWEEP_BINARY   (run from the project root)
set -euo pipefail
bin=$1
source tools/mpienv.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
    echo "FAIL: $*"
    exit 1
}

sweep() { # NAME RANKS ARGS...
    local name=$1 n=$2
    shift 2
    "${MPIRUN[@]}" -n "$n" "$bin" config/tiny.ini \
        --set "output.path=$tmp/$name.h5" --set stability.bootstrap=10 "$@" \
        >"$tmp/$name.log" 2>&1 || {
        cat "$tmp/$name.log"
        fail "$name exited non-zero"
    }
}
runs() { h5dump -H -d /runs/seed "$1" | grep -o 'DATASPACE  SIMPLE { ( [0-9]*' |
    grep -o '[0-9]*$'; }

# Unreachable: 2 seeds, then +2, +2 up to max_seeds 6.
sweep high 2 --set stability.target=0.999999 --set stability.max_seeds=6 \
    --set stability.seed_batch=2
[ "$(runs "$tmp/high.h5")" = 6 ] || fail "expected 6 runs, got $(runs "$tmp/high.h5")"
grep -q "target 0.999999 not reached" "$tmp/high.log" ||
    fail "no 'not reached' message: $(cat "$tmp/high.log")"
[ "$(grep -c '^training ' "$tmp/high.log")" = 3 ] ||
    fail "expected 3 training rounds: $(grep '^training' "$tmp/high.log")"

# Reachable at once: 2 seeds already beat a target of 0.01, or stop at
# the first round that does.
sweep low 2 --set stability.target=0.01 --set stability.max_seeds=6 \
    --set stability.seed_batch=2
grep -q "stability target reached" "$tmp/low.log" ||
    fail "no 'target reached' message: $(cat "$tmp/low.log")"

# Same final seeds by other roads: 3 ranks, batches of 4.
sweep high3 3 --set stability.target=0.999999 --set stability.max_seeds=6 \
    --set stability.seed_batch=4
[ "$(runs "$tmp/high3.h5")" = 6 ] || fail "batch 4: expected 6 runs"
for d in /runs/seed /runs/distance /runs/loss_curves /consensus/distance \
    /consensus/Z /consensus/support /scores/fold_acc; do
    h5diff "$tmp/high.h5" "$tmp/high3.h5" "$d" "$d" >/dev/null ||
        fail "$d differs between 2 ranks/batch 2 and 3 ranks/batch 4"
done
echo "adaptive: target rule, messages and rank/batch independence hold"
