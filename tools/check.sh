#!/usr/bin/env bash
# Second command of the README: install what is missing, build, and run
# the whole test suite (unit tests, MPI end-to-end tests at 1, 2 and 3
# ranks, formatting and cppcheck).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh build
source tools/mpienv.sh
ctest --test-dir build --output-on-failure -j2 "$@"
