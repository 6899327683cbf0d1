#!/usr/bin/env bash
# Run a sweep on this machine with mpirun (no SLURM).
# Usage: jobs/local.sh [RANKS] [CONFIG] [vaesweep options...]
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/mpienv.sh
ranks=${1:-2}
config=${2:-config/digits.ini}
shift $(($# < 2 ? $# : 2))
"${MPIRUN[@]}" -n "$ranks" build/vaesweep "$config" "$@"
