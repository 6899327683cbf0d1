#!/usr/bin/env bash
# End to end under MPI: the tiny sweep at 1, 2 and 3 ranks must finish,
# write a complete file that h5dump reads, and give bit-identical runs,
# consensus and scores whatever the rank count (3 is odd on purpose:
# uneven shares find more bugs).
# Usage: e2e_ranks.sh VAESWEEP_BINARY   (run from the project root)
set -euo pipefail
bin=$1
source tools/mpienv.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for n in 1 2 3; do
    if ! "${MPIRUN[@]}" -n "$n" "$bin" config/tiny.ini \
        --set "output.path=$tmp/n$n.h5" >"$tmp/log$n" 2>&1; then
        echo "FAIL: the tiny sweep on $n ranks exited non-zero:"
        cat "$tmp/log$n"
        exit 1
    fi
    if ! h5dump -a /complete "$tmp/n$n.h5" | grep -q "(0): 1"; then
        echo "FAIL: $n ranks: /complete is not 1"
        exit 1
    fi
    h5dump "$tmp/n$n.h5" >/dev/null
    [ ! -e "$tmp/n$n.h5.partial" ] || {
        echo "FAIL: $n ranks left a .partial file"
        exit 1
    }
done

compared=0
for n in 2 3; do
    for d in /runs/seed /runs/status /runs/val_acc /runs/centroids \
        /runs/distance /runs/loss_curves /runs/cophenetic \
        /consensus/distance /consensus/Z /consensus/support \
        /scores/n_clusters /scores/groups /scores/fold_acc /scores/val_acc; do
        if ! h5diff "$tmp/n1.h5" "$tmp/n$n.h5" "$d" "$d" >"$tmp/diff"; then
            echo "FAIL: $d differs between 1 and $n ranks:"
            head -20 "$tmp/diff"
            exit 1
        fi
        compared=$((compared + 1))
    done
done
echo "e2e_ranks: $compared datasets identical across 1, 2 and 3 ranks"
