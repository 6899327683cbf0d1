#!/usr/bin/env bash
# The plot tool on a real results file: the tiny sweep on 2 ranks, then
# tools/vaesweep_plot.py must write its 5 PNGs (real PNG images, not
# empty); an unfinished file (complete = 0) must still plot, with a
# warning; a missing file, a non-HDF5 file and an HDF5 file that is not
# a vaesweep results file must each fail with one clear message; and
# tools/read_results.py must print the level and run tables.
# Usage: plot_tool.sh VAESWEEP_BINARY   (run from the project root)
set -euo pipefail
bin=$(realpath "$1")
source tools/mpienv.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
py=/usr/bin/python3
plot=tools/vaesweep_plot.py
pngs=(dendrogram accuracy latent loss_curves agreement stability)

fail() {
    echo "FAIL: $*"
    exit 1
}

"${MPIRUN[@]}" -n 2 "$bin" config/tiny.ini --set "output.path=$tmp/t.h5" \
    >"$tmp/sweep.log" 2>&1 || fail "the tiny sweep failed: $(cat "$tmp/sweep.log")"

"$plot" "$tmp/t.h5" --out "$tmp/png" --cut 4 >"$tmp/plot.log" 2>&1 ||
    fail "the plot tool failed: $(cat "$tmp/plot.log")"
for p in "${pngs[@]}"; do
    f=$tmp/png/$p.png
    [ -s "$f" ] || fail "$p.png missing or empty"
    [ "$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
        fail "$p.png is not a PNG file"
done

# Unfinished file: complete = 0, no /scores: warn, plot the rest.
cp "$tmp/t.h5" "$tmp/u.h5"
"$py" -c "import h5py, sys
with h5py.File(sys.argv[1], 'a') as f:
    f.attrs['complete'] = 0
    del f['scores']" "$tmp/u.h5"
"$plot" "$tmp/u.h5" --out "$tmp/u" >"$tmp/u.log" 2>&1 ||
    fail "an unfinished file was not plotted: $(cat "$tmp/u.log")"
grep -q "warning: .*not complete" "$tmp/u.log" ||
    fail "no warning for an unfinished file: $(cat "$tmp/u.log")"
grep -q "skipped accuracy.png" "$tmp/u.log" ||
    fail "accuracy.png not reported as skipped: $(cat "$tmp/u.log")"
[ -s "$tmp/u/dendrogram.png" ] && [ -s "$tmp/u/latent.png" ] ||
    fail "the unfinished file's remaining plots are missing"

# Unusable inputs: exit status 1 and one message naming the problem.
expect_error() {
    local what=$1 pattern=$2
    shift 2
    if "$plot" "$@" --out "$tmp/bad" >"$tmp/bad.log" 2>&1; then
        fail "$what: the plot tool succeeded"
    fi
    grep -q "$pattern" "$tmp/bad.log" ||
        fail "$what: no message matching '$pattern': $(cat "$tmp/bad.log")"
}
expect_error "missing file" "no such file" "$tmp/none.h5"
echo "not hdf5" >"$tmp/text.h5"
expect_error "text file" "not an HDF5 file" "$tmp/text.h5"
"$py" -c "import h5py, sys; h5py.File(sys.argv[1], 'w')['x'] = [1]" \
    "$tmp/other.h5"
expect_error "other HDF5 file" "not a vaesweep results file" "$tmp/other.h5"
expect_error "run out of range" "out of range" "$tmp/t.h5" --run 99

tools/read_results.py "$tmp/t.h5" >"$tmp/read.log" 2>&1 ||
    fail "read_results.py failed: $(cat "$tmp/read.log")"
grep -q "cv_mean" "$tmp/read.log" && grep -q "val_acc" "$tmp/read.log" ||
    fail "read_results.py printed no tables: $(cat "$tmp/read.log")"
echo "plot_tool: ${#pngs[@]} PNGs written; unfinished and bad files handled"
