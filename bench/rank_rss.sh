#!/usr/bin/env bash
# Run under mpirun in front of the program: each rank runs it under
# /usr/bin/time and writes its own peak resident set size (KiB, GNU time's
# %M) and wall seconds to $RSS_DIR/rank<N>, N = the MPI rank.
set -euo pipefail
rank=${OMPI_COMM_WORLD_RANK:-${PMIX_RANK:-0}}
exec /usr/bin/time -f "%M %e" -o "$RSS_DIR/rank$rank" "$@"
