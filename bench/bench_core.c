/*
 * bench_core: times the two kernels of a sweep in one process, one
 * thread: one VAE run (vae_train, then eval-mode prediction of the
 * validation split) and one MLP fit (classify_fit_predict on all classes,
 * scored on the validation split).  The data are loaded, split and
 * standardised exactly as sweep.c does for the default config (split seed
 * 0, stream 0, 30 % validation; the VAE on standardised features, the
 * MLP on raw pixel values), so the times are those of one sweep task.
 *
 *   bench_core [--data PATH] [--reps N] [--what vae|mlp|all]
 *              [--epochs E] [--split-out FILE]
 *
 * Prints one JSON object per benchmark on stdout: the wall time of every
 * repetition, their minimum and median, and the validation accuracy and
 * epochs of each.  Repetition r uses seed r, so the accuracies are a
 * sample over seeds, as the PyTorch and scikit-learn scripts draw them.
 * --split-out writes the split (0-based row indices of the CSV) as JSON
 * so bench/torch_vae.py and bench/sklearn_mlp.py train on the same rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vaesweep/classify.h"
#include "vaesweep/dataset.h"
#include "vaesweep/error.h"
#include "vaesweep/vae.h"

/* sweep.c's stream of the train/validation split and the default
 * config's data seed and validation fraction. */
#define BENCH_STREAM_SPLIT 0
#define BENCH_SPLIT_SEED   0
#define BENCH_TEST_SIZE    0.3

typedef struct {
    dataset_t *ds;
    size_t n_train, n_val;
    size_t *train_idx, *val_idx;
    double *xtr_std, *xval_std; /* standardised (VAE) */
    double *xtr_raw, *xval_raw; /* raw pixels (MLP) */
    int *ytr, *yval;
} bench_data;

static double bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static void bench_data_free(bench_data *d)
{
    dataset_free(d->ds);
    free(d->train_idx);
    free(d->val_idx);
    free(d->xtr_std);
    free(d->xval_std);
    free(d->xtr_raw);
    free(d->xval_raw);
    free(d->ytr);
    free(d->yval);
}

/* Load, split and standardise as sweep_load_data does. */
static int bench_data_load(bench_data *d, const char *path)
{
    dataset_t *ds;
    double *mean = NULL, *scale = NULL;
    size_t dim;
    int rc = -1;

    memset(d, 0, sizeof *d);
    ds = d->ds = dataset_load_csv(path);
    if (!ds)
        return -1;
    dim = (size_t)ds->d;
    d->train_idx = error_calloc(ds->n, sizeof(size_t), "split indices");
    d->val_idx = error_calloc(ds->n, sizeof(size_t), "split indices");
    d->xtr_std = error_calloc(ds->n * dim, sizeof(double), "features");
    d->xval_std = error_calloc(ds->n * dim, sizeof(double), "features");
    d->xtr_raw = error_calloc(ds->n * dim, sizeof(double), "features");
    d->xval_raw = error_calloc(ds->n * dim, sizeof(double), "features");
    d->ytr = error_calloc(ds->n, sizeof(int), "labels");
    d->yval = error_calloc(ds->n, sizeof(int), "labels");
    mean = error_calloc(dim, sizeof *mean, "feature means");
    scale = error_calloc(dim, sizeof *scale, "feature scales");
    if (!d->train_idx || !d->val_idx || !d->xtr_std || !d->xval_std ||
        !d->xtr_raw || !d->xval_raw || !d->ytr || !d->yval || !mean || !scale)
        goto done;
    if (dataset_split_stratified(ds->y, ds->n, ds->n_classes, BENCH_TEST_SIZE,
                                 BENCH_SPLIT_SEED, BENCH_STREAM_SPLIT,
                                 d->train_idx, &d->n_train, d->val_idx,
                                 &d->n_val) < 0)
        goto done;
    dataset_gather(ds->x, ds->y, ds->d, d->train_idx, d->n_train, d->xtr_raw,
                   d->ytr);
    dataset_gather(ds->x, ds->y, ds->d, d->val_idx, d->n_val, d->xval_raw,
                   d->yval);
    memcpy(d->xtr_std, d->xtr_raw, d->n_train * dim * sizeof(double));
    memcpy(d->xval_std, d->xval_raw, d->n_val * dim * sizeof(double));
    if (dataset_standardize_fit(d->xtr_std, d->n_train, ds->d, mean, scale) < 0)
        goto done;
    dataset_standardize_apply(d->xtr_std, d->n_train, ds->d, mean, scale);
    dataset_standardize_apply(d->xval_std, d->n_val, ds->d, mean, scale);
    rc = 0;
done:
    free(mean);
    free(scale);
    return rc;
}

static int bench_write_split(const bench_data *d, const char *path)
{
    FILE *f = fopen(path, "w");
    size_t i;

    if (!f)
        return error_set("cannot write the split to '%s'; check the "
                         "directory exists and is writable",
                         path);
    fprintf(f, "{\"train\": [");
    for (i = 0; i < d->n_train; i++)
        fprintf(f, "%s%zu", i ? ", " : "", d->train_idx[i]);
    fprintf(f, "],\n \"val\": [");
    for (i = 0; i < d->n_val; i++)
        fprintf(f, "%s%zu", i ? ", " : "", d->val_idx[i]);
    fprintf(f, "]}\n");
    if (fclose(f) != 0)
        return error_set("writing the split to '%s' failed", path);
    return 0;
}

static double bench_accuracy(const int *pred, const int *y, size_t n)
{
    size_t i, hit = 0;

    for (i = 0; i < n; i++)
        hit += pred[i] == y[i];
    return n ? (double)hit / (double)n : 0.0;
}

/* The JSON line of one benchmark: times, accuracies, epochs per rep. */
static void bench_print(const char *name, const double *secs, const double *acc,
                        const int *epochs, int reps)
{
    double *sorted = malloc((size_t)reps * sizeof *sorted);
    double acc_mean = 0.0;
    int r;

    printf("{\"bench\": \"%s\", \"reps\": %d, \"secs\": [", name, reps);
    for (r = 0; r < reps; r++)
        printf("%s%.6f", r ? ", " : "", secs[r]);
    printf("], \"acc\": [");
    for (r = 0; r < reps; r++) {
        printf("%s%.6f", r ? ", " : "", acc[r]);
        acc_mean += acc[r] / reps;
    }
    printf("], \"epochs\": [");
    for (r = 0; r < reps; r++)
        printf("%s%d", r ? ", " : "", epochs[r]);
    printf("], \"acc_mean\": %.6f", acc_mean);
    if (sorted) {
        memcpy(sorted, secs, (size_t)reps * sizeof *sorted);
        qsort(sorted, (size_t)reps, sizeof *sorted, bench_cmp_double);
        printf(", \"min\": %.6f, \"median\": %.6f", sorted[0],
               reps % 2 ? sorted[reps / 2]
                        : 0.5 * (sorted[reps / 2 - 1] + sorted[reps / 2]));
    }
    printf("}\n");
    fflush(stdout);
    free(sorted);
}

/* One VAE run of the default hyperparameters per repetition, seed r. */
static int bench_vae(const bench_data *d, int reps, int epochs)
{
    const vae_shape shape = {d->ds->d, d->ds->n_classes, 2};
    vae_hparams hp;
    vae_t *m;
    double *secs = calloc((size_t)reps, sizeof *secs);
    double *acc = calloc((size_t)reps, sizeof *acc);
    int *ep = calloc((size_t)reps, sizeof *ep);
    int *pred = calloc(d->n_val, sizeof *pred);
    int r, rc = -1;

    vae_hparams_default(&hp);
    if (epochs > 0)
        hp.epochs = epochs;
    m = vae_create(&shape, hp.batch);
    if (!m || !secs || !acc || !ep || !pred) {
        if (m)
            error_set("out of memory for the benchmark tables");
        goto done;
    }
    for (r = 0; r < reps; r++) {
        double t0 = bench_now();

        /* Timed as the sweep times a run: training plus the eval-mode
         * pass over the validation split. */
        if (vae_train(m, &hp, d->xtr_std, d->ytr, d->n_train, (uint64_t)r, 0,
                      NULL) < 0 ||
            vae_predict(m, d->xval_std, d->n_val, pred) < 0)
            goto done;
        secs[r] = bench_now() - t0;
        acc[r] = bench_accuracy(pred, d->yval, d->n_val);
        ep[r] = hp.epochs;
    }
    bench_print("vae", secs, acc, ep, reps);
    rc = 0;
done:
    vae_free(m);
    free(secs);
    free(acc);
    free(ep);
    free(pred);
    return rc;
}

/* One MLP fit on all classes per repetition, seed r. */
static int bench_mlp(const bench_data *d, int reps)
{
    classify_params p;
    double *secs = calloc((size_t)reps, sizeof *secs);
    double *acc = calloc((size_t)reps, sizeof *acc);
    int *ep = calloc((size_t)reps, sizeof *ep);
    int *pred = calloc(d->n_val, sizeof *pred);
    int r, rc = -1;

    classify_params_default(&p);
    if (!secs || !acc || !ep || !pred) {
        error_set("out of memory for the benchmark tables");
        goto done;
    }
    for (r = 0; r < reps; r++) {
        double t0 = bench_now();

        if (classify_fit_predict(&p, d->xtr_raw, d->ytr, d->n_train, d->ds->d,
                                 d->ds->n_classes, d->xval_raw, d->n_val,
                                 (uint64_t)r, 0, pred, &ep[r]) < 0)
            goto done;
        secs[r] = bench_now() - t0;
        acc[r] = bench_accuracy(pred, d->yval, d->n_val);
    }
    bench_print("mlp", secs, acc, ep, reps);
    rc = 0;
done:
    free(secs);
    free(acc);
    free(ep);
    free(pred);
    return rc;
}

static void bench_usage(FILE *f)
{
    fprintf(f, "usage: bench_core [--data PATH] [--reps N] "
               "[--what vae|mlp|all] [--epochs E] [--split-out FILE]\n");
}

int main(int argc, char **argv)
{
    const char *data = "data/digits.csv.gz", *what = "all", *split = NULL;
    bench_data d;
    int reps = 5, epochs = 0, i, rc = 0;

    for (i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (!strcmp(argv[i], "--help")) {
            bench_usage(stdout);
            return 0;
        }
        if (!v) {
            bench_usage(stderr);
            return 2;
        }
        if (!strcmp(argv[i], "--data"))
            data = v;
        else if (!strcmp(argv[i], "--reps"))
            reps = atoi(v);
        else if (!strcmp(argv[i], "--what"))
            what = v;
        else if (!strcmp(argv[i], "--epochs"))
            epochs = atoi(v);
        else if (!strcmp(argv[i], "--split-out"))
            split = v;
        else {
            bench_usage(stderr);
            return 2;
        }
        i++;
    }
    if (reps < 1 || epochs < 0 ||
        (strcmp(what, "vae") && strcmp(what, "mlp") && strcmp(what, "all"))) {
        fprintf(stderr, "bench_core: expected --reps >= 1, --epochs >= 0 "
                        "and --what vae, mlp or all\n");
        return 2;
    }
    if (bench_data_load(&d, data) < 0 ||
        (split && bench_write_split(&d, split) < 0) ||
        (strcmp(what, "mlp") && bench_vae(&d, reps, epochs) < 0) ||
        (strcmp(what, "vae") && bench_mlp(&d, reps) < 0)) {
        fprintf(stderr, "bench_core: %s\n", error_text());
        rc = 1;
    }
    bench_data_free(&d);
    return rc;
}
