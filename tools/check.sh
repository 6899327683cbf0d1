#!/usr/bin/env bash
# Second command of the README: install what is missing, build, and run
# the whole test suite (unit tests, results under MPI, end-to-end at 1, 2 and 3
# ranks, bad inputs, kill and resume, formatting and cppcheck), then the
# unit tests, the end-to-end sweep and the bad inputs again under
# AddressSanitizer + UndefinedBehaviorSanitizer (build-asan), and the
# single-rank unit tests under valgrind.  Arguments go to the first ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh build
source tools/mpienv.sh
ctest --test-dir build --output-on-failure -j2 "$@"

# Sanitizers: any finding fails its test (UBSan does not recover; ASan
# and LeakSanitizer exit non-zero).  Open MPI's own allocations are
# suppressed by library name, never the project's (tools/lsan.supp).
echo "check: AddressSanitizer + UBSan build in build-asan"
cmake -S . -B build-asan -DVAESWEEP_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
    >/dev/null
cmake --build build-asan -j"$(nproc)" >/dev/null
export LSAN_OPTIONS="suppressions=$PWD/tools/lsan.supp:fast_unwind_on_malloc=0:print_suppressions=0"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export OMPI_MCA_mca_base_component_disable_dlclose=1
asan_tests='^(test_.*|mpi_results_.*|e2e_ranks|bad_inputs)$'
ctest --test-dir build-asan --output-on-failure -j2 -R "$asan_tests"
unset LSAN_OPTIONS UBSAN_OPTIONS OMPI_MCA_mca_base_component_disable_dlclose

# valgrind on the single-rank unit tests of the plain build (they call no
# MPI).  test_classify is left to the sanitizers: it fits MLPs and forests
# on digits and takes minutes under valgrind, more than the suite's time.
echo "check: valgrind on the unit tests"
grind=$(ls build/tests/test_* | grep -v -e test_classify -e '\.')
echo "$grind" |
    xargs -P2 -I{} sh -c 'valgrind -q --error-exitcode=1 --leak-check=full \
        {} >{}.valgrind.log 2>&1 ||
        { cat {}.valgrind.log; echo "valgrind: {} failed"; exit 255; }'
echo "check: valgrind clean"

# Any failure above has ended the script (set -e): every stage passed.
plain=$(ctest --test-dir build -N | grep -c "Test *#")
asan=$(ctest --test-dir build-asan -N -R "$asan_tests" | grep -c "Test *#")
echo "check: $((plain + asan + $(echo "$grind" | wc -l))) passed, 0 failed"
