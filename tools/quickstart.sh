#!/usr/bin/env bash
# First command of the README: install what is missing, build, and run
# the default sweep on the shipped digits data with 2 ranks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh build
source tools/mpienv.sh
mkdir -p results
"${MPIRUN[@]}" -n "${RANKS:-2}" build/vaesweep config/digits.ini --overwrite "$@"
