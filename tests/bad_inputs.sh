#!/usr/bin/env bash
# Bad input under MPI: every case of the fault list (issue 4) runs on 2
# ranks and must end with the expected exit status and ONE error message
# (rank 0's, not one per rank) that holds the expected fragments (the
# file, the line or key, what was expected), no core dump and no hang
# (timeout 60).  Bad configs and data files are made in a temp folder.
# Usage: bad_inputs.sh VAESWEEP_BINARY   (run from the project root)
set -uo pipefail
bin=$(realpath "$1")
source tools/mpienv.sh
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
root=$PWD

# ---- inputs ---------------------------------------------------------------
# Config files, each small: the defaults fill in the rest.
cfg() { printf '%b' "$2" >"$tmp/$1.ini"; }
cfg unknown_key '[vae]\nepochs = 2\nlaten = 2\n'
cfg unknown_section '[vae]\nepochs = 2\n[vea]\nlatent = 2\n'
cfg neg_epochs '[data]\npath = x.csv\n[vae]\nepochs = -3\n'
cfg type_epochs '[vae]\nepochs = ten\n'
cfg type_lr '[vae]\nlr = fast\n'
mkdir "$tmp/dir.ini"

# Data files.  csv NAME ROWS... writes one row per argument.
csv() {
    local name=$1
    shift
    printf '%s\n' "$@" >"$tmp/$name.csv"
}
: >"$tmp/empty.csv"
csv ragged 1,2,0 3,4,1 5,6,0 7,1
csv text 1,2,0 3,4,1 5,abc,0
csv nan 1,2,0 3,nan,1 5,6,0
csv inf 1,2,0 3,4,1 -inf,6,0
csv float_label 1,2,0 3,4,1 5,6,0.5
csv text_label 1,2,0 3,4,1 5,6,cat
csv one_class 1,2,3 3,4,3 5,6,3 7,8,3
# Generated tables of 4 features: class sizes as given.
table() {
    local name=$1 c n i
    shift
    : >"$tmp/$name.csv"
    c=0
    for n in "$@"; do
        for ((i = 0; i < n; i++)); do
            echo "$((i % 7)).$c,$((i * 3 % 11)),$((c * 2)).5,$((i % 5)),$c"
        done >>"$tmp/$name.csv"
        c=$((c + 1))
    done
}
# Class 2 keeps 4 of its 6 samples in training: fewer than 5 folds.
table few_for_folds 40 40 6
# 10 classes of 3: a validation fraction of 0.1 gives each class 0
# samples there, i.e. more classes than validation samples.
table tiny_val 3 3 3 3 3 3 3 3 3 3
# 2 classes of 10: 14 training rows, fewer than a batch of 16.
table small_train 10 10
# 2 classes of 40: one distance only, which the sweep must handle.
table two_classes 40 40
# The digits cut short: the gzip stream ends early.
head -c 30000 data/digits.csv.gz >"$tmp/cut.csv.gz"

# Output places.  A read-only folder: chmod is enough for a normal user;
# root writes anywhere chmod allows, so it needs a filesystem that
# refuses new files (sysfs), and the case is skipped when none does.
mkdir "$tmp/ro"
chmod 555 "$tmp/ro"
ro_dir=$tmp/ro
if touch "$ro_dir/probe" 2>/dev/null; then
    rm -f "$ro_dir/probe"
    ro_dir=/sys
    if touch /sys/vaesweep_probe 2>/dev/null; then
        rm -f /sys/vaesweep_probe
        ro_dir=
    fi
fi
mkdir "$tmp/exists"
: >"$tmp/exists/out.h5"
mkdir "$tmp/partial"
: >"$tmp/partial/out.h5.partial"
# Outputs that are not regular files: renaming over them would replace a
# directory or a device node only after the whole sweep.
mkdir "$tmp/dir.h5"
mkfifo "$tmp/fifo.h5"

# ---- the table ------------------------------------------------------------
# name | arguments after the binary | exit status | fragments (';'-split)
# $T is the temp folder, $O a fresh output path in it.  Cases that reach
# the data use config/tiny.ini with data.path set.
T=$tmp
tiny="config/tiny.ini --set output.path=\$O"
cases=$(
    cat <<EOF
missing_config|$T/none.ini|2|$T/none.ini;No such file
unreadable_config|$T/dir.ini|2|$T/dir.ini;cannot read
unknown_key|$T/unknown_key.ini|2|$T/unknown_key.ini:3;unknown key 'laten';known: latent
unknown_section|$T/unknown_section.ini|2|$T/unknown_section.ini:3;unknown section [vea];known:
set_unknown_key|$tiny --set vae.nope=1|2|--set vae.nope;unknown key 'nope'
negative_epochs|$T/neg_epochs.ini|2|$T/neg_epochs.ini:4;epochs = -3;expected an integer >= 1
wrong_type_epochs|$T/type_epochs.ini|2|$T/type_epochs.ini:2;epochs = ten;expected an integer
wrong_type_lr|$T/type_lr.ini|2|$T/type_lr.ini:2;lr = fast;expected a number
batch_zero|$tiny --set vae.batch=0|2|--set vae.batch;batch = 0;expected an integer >= 1
folds_one|$tiny --set score.folds=1|2|--set score.folds;folds = 1;expected an integer >= 2
latent_zero|$tiny --set vae.latent=0|2|--set vae.latent;latent = 0;expected an integer >= 1
empty_seed_range|$tiny --set sweep.seeds=5-3|2|--set sweep.seeds;seeds = 5-3;empty seed range
no_seeds|$tiny --set sweep.seeds=|2|--set sweep.seeds;at least one seed
data_missing|$tiny --set data.path=$T/none.csv|1|$T/none.csv;No such file;[data] path
data_empty|$tiny --set data.path=$T/empty.csv|1|$T/empty.csv;empty;expected rows
data_ragged|$tiny --set data.path=$T/ragged.csv|1|$T/ragged.csv;line 4 has 2 fields;expected 3
data_text|$tiny --set data.path=$T/text.csv|1|$T/text.csv;line 3, column 2;expected a number
data_nan|$tiny --set data.path=$T/nan.csv|1|$T/nan.csv;line 2, column 2;expected a finite number
data_inf|$tiny --set data.path=$T/inf.csv|1|$T/inf.csv;line 3, column 1;expected a finite number
label_float|$tiny --set data.path=$T/float_label.csv|1|$T/float_label.csv;line 3, column 3;must be an integer
label_text|$tiny --set data.path=$T/text_label.csv|1|$T/text_label.csv;line 3, column 3;expected
single_class|$tiny --set data.path=$T/one_class.csv|1|$T/one_class.csv;label 3;at least 2 classes
class_below_folds|$tiny --set data.path=$T/few_for_folds.csv --set score.folds=5|1|$T/few_for_folds.csv;class 2 has 4 samples;5 folds;score.folds
classes_over_val|$tiny --set data.path=$T/tiny_val.csv --set data.test_size=0.1|1|$T/tiny_val.csv;0 in validation;data.test_size
output_no_dir|config/tiny.ini --set output.path=$T/nodir/out.h5|1|$T/nodir;does not exist;output.path
output_read_only|config/tiny.ini --set output.path=$ro_dir/out.h5|1|$ro_dir/out.h5.partial;cannot create;output.path
output_exists|config/tiny.ini --set output.path=$T/exists/out.h5|1|$T/exists/out.h5;already exists;--overwrite
partial_exists|config/tiny.ini --set output.path=$T/partial/out.h5|1|$T/partial/out.h5.partial;--resume;--overwrite
resume_nothing|$tiny --resume|1|.partial' does not exist;run without --resume
output_is_dir|config/tiny.ini --set output.path=$T/dir.h5 --overwrite|1|$T/dir.h5;not a regular file;output.path
output_is_fifo|config/tiny.ini --set output.path=$T/fifo.h5 --overwrite|1|$T/fifo.h5;not a regular file;output.path
batch_over_train|$tiny --set data.path=$T/small_train.csv|1|$T/small_train.csv;batch = 16;14 training;vae.batch
data_truncated_gz|$tiny --set data.path=$T/cut.csv.gz|1|$T/cut.csv.gz;ends early;truncated
all_runs_diverge|$tiny --set vae.lr=1e6|1|all 2 runs failed;vae.lr
EOF
)

# ---- runner ---------------------------------------------------------------
# One case: run it, judge it, write "ok ..." or "FAIL ..." lines to
# $tmp/NAME.res.
run_case() {
    local name=$1 args=$2 want=$3 frags=$4 O got t0 secs err why msgs others
    local msg f
    O=$tmp/out_$name.h5
    eval "set -- ${args//\$O/$O}"
    t0=$(date +%s.%N)
    timeout 60 "${MPIRUN[@]}" -n 2 "$bin" "$@" </dev/null >"$tmp/$name.out" \
        2>"$tmp/$name.err"
    got=$?
    secs=$(echo "$(date +%s.%N) - $t0" | bc)
    err=$tmp/$name.err
    why=
    if [ "$got" -eq 124 ]; then
        why="hung (timeout 60 s)"
    elif [ "$got" -ne "$want" ]; then
        why="exit status $got, expected $want"
    elif grep -qE "core dumped|Segmentation|SIG[A-Z]+|on signal" "$err"; then
        why="crashed"
    fi
    # The message: the error lines, which must come from rank 0 alone
    # (a diverged run's own note comes from the rank that trained it).
    msgs=$(grep "vaesweep: error:" "$err" | grep -vc "failed: VAE run")
    others=$(grep -c "vaesweep: rank [0-9]*: error:" "$err")
    if [ -z "$why" ] && [ "$msgs" -ne 1 ]; then
        why="$msgs error messages from rank 0, expected exactly 1"
    elif [ -z "$why" ] && [ "$others" -ne 0 ] &&
        [ "$name" != all_runs_diverge ]; then
        why="other ranks printed $others error messages"
    fi
    msg=$(grep "vaesweep: error:" "$err" | tail -1)
    if [ -z "$why" ]; then
        IFS=';' read -ra parts <<<"$frags"
        for f in "${parts[@]}"; do
            if [[ "$msg" != *"$f"* ]]; then
                why="message lacks \"$f\""
                break
            fi
        done
    fi
    {
        if [ -n "$why" ]; then
            printf 'FAIL %-20s %5.1fs  %s\n' "$name" "$secs" "$why"
            echo "     $ vaesweep $*"
            sed 's/^/     | /' "$err" | head -15
        else
            printf 'ok   %-20s %5.1fs  %s\n' "$name" "$secs" "${msg#vaesweep: }"
        fi
    } >"$tmp/$name.res"
}

# Four cases at a time: each spends most of its 1-2 s in mpirun's start
# and teardown, not on the CPU.
names=()
skipped=0
while IFS='|' read -r name args want frags; do
    [ -n "$name" ] || continue
    if [ "$name" = output_read_only ] && [ -z "$ro_dir" ]; then
        echo "skip $name: no read-only directory for this user"
        skipped=$((skipped + 1))
        continue
    fi
    names+=("$name")
    while [ "$(jobs -rp | wc -l)" -ge 4 ]; do
        wait -n
    done
    run_case "$name" "$args" "$want" "$frags" &
done <<<"$cases"
wait
failed=0
passed=0
n=$((${#names[@]} + skipped))
for name in "${names[@]}"; do
    cat "$tmp/$name.res" 2>/dev/null || echo "FAIL $name: no result"
    if grep -q '^ok' "$tmp/$name.res" 2>/dev/null; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
done

# ---- divergence of some runs: the sweep finishes, they are failed -------
# alpha_rec = 1e308 overflows the loss of those runs at the first step;
# the others train and make the consensus.
n=$((n + 1))
out=$tmp/diverge.h5
timeout 60 "${MPIRUN[@]}" -n 2 "$bin" config/tiny.ini \
    --set sweep.alpha_rec=0.1,1e308 --set "output.path=$out" \
    >"$tmp/diverge.out" 2>"$tmp/diverge.err"
got=$?
status=$(h5dump -d /runs/status "$out" 2>/dev/null | grep "(0):")
why=
if [ "$got" -ne 0 ]; then
    why="exit status $got, expected 0"
elif [[ "$status" != *"1, 2, 1, 2"* ]]; then
    why="/runs/status is '$status', expected 1, 2, 1, 2"
elif ! h5dump -a /complete "$out" | grep -q "(0): 1"; then
    why="/complete is not 1"
elif [ "$(grep -c 'failed: VAE run' "$tmp/diverge.err")" -ne 2 ]; then
    why="expected one message per diverged run (2)"
elif ! grep -q "run 1 (seed 0, a_rec 1e+308" "$tmp/diverge.err" ||
    ! grep -q "run 3 (seed 1, a_rec 1e+308" "$tmp/diverge.err"; then
    why="the messages do not name each diverged run and its seed"
elif ! grep -q "non-finite loss" "$tmp/diverge.err"; then
    why="the message does not say the loss diverged"
elif ! grep -q "consensus of 2 runs" "$tmp/diverge.out"; then
    why="the consensus did not leave the failed runs out"
fi
if [ -n "$why" ]; then
    echo "FAIL some_runs_diverge       $why"
    sed 's/^/     | /' "$tmp/diverge.err" | head -15
    failed=$((failed + 1))
else
    echo "ok   some_runs_diverge       exit 0, /runs/status 1, 2, 1, 2"
    passed=$((passed + 1))
fi

# ---- two classes: one distance, nothing to correlate; it still works ----
n=$((n + 1))
out=$tmp/two.h5
if timeout 60 "${MPIRUN[@]}" -n 2 "$bin" config/tiny.ini \
    --set "data.path=$tmp/two_classes.csv" --set "output.path=$out" \
    >"$tmp/two.out" 2>"$tmp/two.err" &&
    h5dump -a /complete "$out" | grep -q "(0): 1"; then
    echo "ok   two_classes             exit 0, complete"
    passed=$((passed + 1))
else
    echo "FAIL two_classes             a 2-class sweep did not finish"
    sed 's/^/     | /' "$tmp/two.err" | head -15
    failed=$((failed + 1))
fi

cd "$root" || exit 1
echo "bad_inputs: $passed passed, $failed failed, $skipped skipped of $n"
[ "$failed" -eq 0 ]
