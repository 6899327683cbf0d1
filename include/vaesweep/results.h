/*
 * results: the one HDF5 file a sweep writes, through parallel HDF5
 * (MPI-IO).  This header is the file's schema; it is the only module
 * that calls HDF5.
 *
 * Layout (R runs, C classes, L latent dims, E epochs, V cut levels,
 * K folds):
 *
 *   /                      attrs: complete (int, 1 once finished),
 *                                 version (str), created (str, UTC)
 *   /config                attrs: ini (str, the resolved config),
 *                                 version (str)
 *   /data                  attrs: path (str), n_samples, n_features,
 *                                 n_train, n_val (int64)
 *   /data/label_values     [C] int32, original label of class c
 *   /runs/seed             [R] int64
 *   /runs/alpha_rec        [R] float64 (and alpha_clf, alpha_kl)
 *   /runs/status           [R] int32, 0 pending, 1 done, 2 failed
 *   /runs/val_acc          [R] float64, VAE classifier head, val split
 *   /runs/wall_seconds     [R] float64
 *   /runs/centroids        [R, C, L] float64, class means of mu (train)
 *   /runs/distance         [R, C, C] float64, raw (not normalised)
 *   /runs/loss_curves      [R, E, 4] float64, per-epoch mean of
 *                                 total, mse, cross-entropy, kl
 *   /runs/cophenetic       [R] float64, agreement with the consensus
 *   /consensus/distance    [C, C] float64
 *   /consensus/Z           [C-1, 4] float64, scipy linkage format
 *   /consensus/support     [C-1] float64, bootstrap support per merge
 *   /scores/...            per cut level: n_clusters [V] int32,
 *                          level_distance [V], groups [V, C] int32
 *                          (cluster of class c), fold_acc [V, K],
 *                          cv_mean [V], cv_std [V], val_acc [V]
 *   /stability/...         split-half figures (see sweep.c)
 *   /timing                attrs: seconds per phase
 *
 * Fault rules: the file is written as "<path>.partial" and renamed to
 * <path> only by results_finish, after `complete` is set.  The run rows
 * are created before training (one chunk per row, growable) and each run
 * is written as soon as it finishes, its status last, so a killed sweep
 * leaves a .partial file that a RESULTS_RESUME open can continue.
 *
 * Collective calls (every rank of the communicator, same arguments) are
 * marked; the others are independent.  Every function returns 0 or -1
 * with a message in error_text().
 */
#ifndef VAESWEEP_RESULTS_H
#define VAESWEEP_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include <mpi.h>

enum results_status {
    RESULTS_RUN_PENDING = 0,
    RESULTS_RUN_DONE = 1,
    RESULTS_RUN_FAILED = 2
};

typedef struct results results_t;

typedef struct {
    size_t runs;
    int classes, latent, epochs;
} results_shape;

/* The parameters that name each run (arrays of shape.runs). */
typedef struct {
    const int64_t *seed;
    const double *alpha_rec, *alpha_clf, *alpha_kl;
} results_grid;

/* One finished run, as stored under /runs. */
typedef struct {
    int status;
    double val_acc, wall_seconds;
    double *centroids;  /* [C * L] */
    double *distance;   /* [C * C] */
    double *loss_curve; /* [E * 4] */
} results_run;

/* How to treat an existing file at the path. */
enum results_mode {
    RESULTS_NEW,       /* refuse if <path> or <path>.partial exists */
    RESULTS_OVERWRITE, /* replace both */
    RESULTS_RESUME     /* continue <path>.partial */
};

/*
 * Collective.  Open the results file for a sweep: create
 * "<path>.partial" with every /runs table sized for shape.runs and the
 * grid and /config written (RESULTS_NEW, RESULTS_OVERWRITE), or reopen
 * it (RESULTS_RESUME) after checking that its config text equals
 * config_ini; a resumed file may hold more runs than shape.runs (a sweep
 * that added seeds), never fewer: results_run_count tells.  Returns NULL
 * with a message on failure, identically on every rank.
 */
results_t *results_open(MPI_Comm comm, const char *path, enum results_mode mode,
                        const results_shape *shape, const results_grid *grid,
                        const char *config_ini);

/* Rows of the /runs tables now. */
size_t results_run_count(const results_t *r);

/* Independent.  status[results_run_count] = each run's stored status. */
int results_read_status(results_t *r, int *status);

/* Collective.  Add rows to the /runs tables up to `runs` (pending, NaN)
 * and write their parameters from grid (arrays of at least `runs`). */
int results_grow(results_t *r, size_t runs, const results_grid *grid);

/* Independent.  Store one run (its rows in every /runs dataset, status
 * last).  Any rank may write any run; each run once. */
int results_write_run(results_t *r, size_t run, const results_run *run_rec);

/* Independent.  Read a stored run into caller-allocated buffers. */
int results_read_run(results_t *r, size_t run, results_run *run_rec);

/* Collective.  Create dataset `path` ("/group/name"; the group is made
 * when missing) of float64 with `rank` dims and write rank 0's data
 * (other ranks may pass NULL; NULL on rank 0 leaves it all NaN or 0). */
int results_put_doubles(results_t *r, const char *path, int rank,
                        const size_t *dims, const double *data);

/* Collective.  Same for int32. */
int results_put_ints(results_t *r, const char *path, int rank,
                     const size_t *dims, const int *data);

/* Collective.  A float64, int64 or string attribute on object `obj`
 * (a group path, made when missing).  The numbers stored are rank 0's
 * (sent to all ranks first: parallel HDF5 keeps any one rank's value);
 * a string must be the same on every rank. */
int results_put_attr_double(results_t *r, const char *obj, const char *name,
                            double value);
int results_put_attr_int(results_t *r, const char *obj, const char *name,
                         int64_t value);
int results_put_attr_text(results_t *r, const char *obj, const char *name,
                          const char *value);

/* Independent.  Write values[R] into /runs/<name> (rank 0 alone, as a
 * rule: e.g. the cophenetic correlations, known only there). */
int results_write_run_column(results_t *r, const char *name,
                             const double *values);

/* Collective.  Mark the file complete, close it and (rank 0) rename
 * "<path>.partial" to <path>.  Frees r, also on failure. */
int results_finish(results_t *r);

/* Collective.  Close without marking complete; the .partial file stays
 * for --resume.  NULL-safe.  Frees r. */
void results_close(results_t *r);

#endif
