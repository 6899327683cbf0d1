/*
 * consensus: one distance matrix and dendrogram from many runs, and how
 * stable they are.
 *
 * Inputs are the runs' class distance matrices, Ds[runs * n * n], run r's
 * square row-major n x n matrix at Ds + r * n * n (as linkage.h makes
 * them).  failed[runs] flags runs to leave out (non-zero = failed); NULL
 * means none failed.  seeds[runs] is each run's VAE seed: the stability
 * measures treat the runs of one seed (e.g. its loss-weight settings) as
 * one unit, so a seed is never split between halves or resamples.
 *
 * Every matrix a consensus is made of is checked (finite, symmetric,
 * non-negative, zero diagonal) and errors name the run.  All results are
 * deterministic functions of the arguments (the bootstrap of its seed).
 *
 * Plain C: on failure a function records one message (error_text) and
 * returns -1; outputs are then undefined.  The caller owns every array.
 */
#ifndef VAESWEEP_CONSENSUS_H
#define VAESWEEP_CONSENSUS_H

#include <stddef.h>
#include <stdint.h>

#include "vaesweep/linkage.h"

enum consensus_kind {
    CONSENSUS_MEAN = 0,         /* element-wise mean of normalised matrices */
    CONSENSUS_MEDIAN = 1,       /* element-wise median (numpy.median) */
    CONSENSUS_COASSOCIATION = 2 /* 1 - fraction of runs sharing a cluster */
};

/* How to make a consensus matrix and its dendrogram. */
typedef struct {
    enum consensus_kind kind;
    /* Dendrogram of the consensus matrix (and, for co-association, of
     * each run before its cut).  The method uses LINKAGE_COMPLETE. */
    enum linkage_method method;
    /* Co-association only: clusters per run, 2..n, cut as scipy's
     * fcluster(Z, k, "maxclust"). */
    size_t k;
} consensus_spec;

/* The name of a kind; "unknown" for a value outside the enum. */
const char *consensus_kind_name(enum consensus_kind kind);

/*
 * out[n * n] = D[n * n] divided by the mean of its n * (n - 1)
 * off-diagonal entries, so runs whose latent spaces differ in scale
 * weigh the same.  out may be D.  Fails when n < 2 or the mean is 0 or
 * not finite.
 */
int consensus_normalise(const double *D, size_t n, double *out);

/*
 * The consensus matrix C[n * n] of the runs not flagged failed:
 *   CONSENSUS_MEAN / MEDIAN: element-wise mean / median (of an even
 *     count, the mean of the two middle values) of the normalised
 *     matrices;
 *   CONSENSUS_COASSOCIATION: C[i][j] = 1 - (fraction of runs in which
 *     classes i and j share one of the run's spec->k clusters).
 * C is exactly symmetric with a zero diagonal.  Fails when no run is
 * left, a matrix is invalid (error names the run) or spec is bad.
 */
int consensus_build(const double *Ds, size_t runs, const int *failed, size_t n,
                    const consensus_spec *spec, double *C);

/*
 * Per-run agreement with the consensus dendrogram Z[(n - 1) * 4] (from
 * linkage_build of the consensus matrix): r[i] = Pearson correlation of
 * the cophenetic distances of Z with run i's distances, i.e. scipy's
 * cophenet(Z, squareform(D_i))[0], "how well the consensus tree
 * describes this run" (the normalisation does not change it).  r[runs];
 * NaN for a failed run or one whose distances are all equal.  Fails on a
 * bad Z or an invalid matrix of a run not flagged failed.
 */
int consensus_run_cophenetic(const double *Z, const double *Ds, size_t runs,
                             const int *failed, size_t n, double *r);

/*
 * Split-half stability.  The distinct seeds of the runs not flagged
 * failed are sorted ascending; those at even positions (0, 2, ...) form
 * half A, odd positions half B, with all runs of a seed in its half.
 * Each half gets its consensus (spec) and dendrogram (spec->method).
 *   corr            Pearson correlation of the two halves' consensus
 *                   matrices (upper triangles); NaN when one is constant
 *   same_partition  [n - 1]: entry i is 1 when both dendrograms cut into
 *                   n - i clusters (maxclust semantics) give the same
 *                   partition of the classes, else 0; NULL to skip
 * Fails with fewer than 2 distinct seeds.
 */
int consensus_split_half(const double *Ds, const uint64_t *seeds, size_t runs,
                         const int *failed, size_t n,
                         const consensus_spec *spec, double *corr,
                         int *same_partition);

/*
 * Bootstrap support of each merge of the consensus dendrogram
 * Z[(n - 1) * 4] (normally linkage_build of consensus_build with spec on
 * the same runs): support[i] = fraction of n_boot resamples in which the
 * classes under row i of Z form a cluster of the resample's dendrogram.
 * A resample draws as many seeds as there are distinct seeds, uniformly
 * with replacement (a seed drawn twice counts twice), from the stream
 * rng_init(boot_seed, b, RNG_SPLIT) of resample b.  support[n - 1].
 * Fails when n_boot is 0, Z is bad, or no seed is left.
 */
int consensus_support(const double *Ds, const uint64_t *seeds, size_t runs,
                      const int *failed, size_t n, const consensus_spec *spec,
                      const double *Z, size_t n_boot, uint64_t boot_seed,
                      double *support);

/*
 * Convergence curve: the split-half correlation (consensus_split_half)
 * using only the runs of the first m distinct seeds in ascending order,
 * for m = 2, 4, 8, ... below the number of seeds S, then m = S.
 * Writes *n_points <= cap entries of n_seeds[cap] (the m) and
 * corr[cap]; 64 is always enough.  Fails with fewer than 2 seeds or when
 * cap is too small.
 */
int consensus_convergence(const double *Ds, const uint64_t *seeds, size_t runs,
                          const int *failed, size_t n,
                          const consensus_spec *spec, size_t cap,
                          size_t *n_points, size_t *n_seeds, double *corr);

#endif
