/*
 * sweep: the distributed sweep, the one module that organises the ranks
 * (results uses the communicator only to open the file and to agree on
 * HDF5 outcomes; main only starts and ends MPI).
 *
 * Phases, every rank taking part in each:
 *   1. load and split the data (every rank reads the file itself);
 *   2. open the results file (collective);
 *   3. train the VAE runs: a free rank takes the next pending run from a
 *      shared counter (MPI-3 one-sided); each run's numbers come from its
 *      own seed alone, so they do not depend on which rank trains it or
 *      on the rank count; each finished run is written to the file at
 *      once; with a stability target, rounds of seeds follow;
 *   4. gather every run's class centroids and distances on rank 0, which
 *      builds the consensus linkage and its stability figures;
 *   5. score every cut level by cross-validation: (level, fold) tasks
 *      taken from the shared counter, the accuracies reduced to rank 0;
 *   6. write consensus and scores, mark the file complete, rename it.
 *
 * Errors that every rank sees alike (bad data, an existing output) are
 * decided collectively and printed once by rank 0.  A failure inside
 * one rank's work aborts the whole job with that rank's message, so no
 * rank waits forever on a collective call.
 */
#ifndef VAESWEEP_SWEEP_H
#define VAESWEEP_SWEEP_H

#include <mpi.h>

#include "vaesweep/config.h"
#include "vaesweep/results.h"

/*
 * Collective.  Run the sweep of a validated config; mode says what to do
 * with an existing results file.  Prints progress (rank 0) and errors;
 * returns 0 on success, 1 on a failure that every rank agrees on.
 */
int sweep_run(MPI_Comm comm, const config_t *cfg, enum results_mode mode);

#endif
