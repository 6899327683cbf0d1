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

#include "vaesweep/classify.h"
#include "vaesweep/dataset.h"
#include "vaesweep/error.h"
#include "vaesweep/log.h"
#include "vaesweep/vae.h"

/* sweep.c's stream of the train/validation split and the default
 * config's data seed and validation fraction. */
#define BENCH_STREAM_SPLIT 0
#define BENCH_SPLIT_SEED   0
#define BENCH_TEST_SIZE    0.3

typedef struct {
    dataset_t *ds;
    dataset_parts p; /* the sweep's split: raw rows for the MLP,
                        standardised ones for the VAE */
} bench_data;

static int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static void bench_data_free(bench_data *d)
{
    dataset_free(d->ds);
    dataset_parts_free(&d->p);
}

/* Load and split as sweep_load_data does. */
static int bench_data_load(bench_data *d, const char *path)
{
    memset(d, 0, sizeof *d);
    d->ds = dataset_load_csv(path);
    if (!d->ds)
        return -1;
    return dataset_parts_make(d->ds, BENCH_TEST_SIZE, BENCH_SPLIT_SEED,
                              BENCH_STREAM_SPLIT, &d->p);
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
    for (i = 0; i < d->p.n_train; i++)
        fprintf(f, "%s%zu", i ? ", " : "", d->p.train_idx[i]);
    fprintf(f, "],\n \"val\": [");
    for (i = 0; i < d->p.n_val; i++)
        fprintf(f, "%s%zu", i ? ", " : "", d->p.val_idx[i]);
    fprintf(f, "]}\n");
    if (fclose(f) != 0)
        return error_set("writing the split to '%s' failed", path);
    return 0;
}

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
    int *pred = calloc(d->p.n_val, sizeof *pred);
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
        double t0 = log_now();

        /* Timed as the sweep times a run: training plus the eval-mode
         * pass over the validation split. */
        if (vae_train(m, &hp, d->p.xtr_std, d->p.ytr, d->p.n_train, (uint64_t)r,
                      0, NULL) < 0 ||
            vae_predict(m, d->p.xval_std, d->p.n_val, pred) < 0)
            goto done;
        secs[r] = log_now() - t0;
        acc[r] = classify_accuracy(pred, d->p.yval, d->p.n_val);
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
    int *pred = calloc(d->p.n_val, sizeof *pred);
    int r, rc = -1;

    classify_params_default(&p);
    if (!secs || !acc || !ep || !pred) {
        error_set("out of memory for the benchmark tables");
        goto done;
    }
    for (r = 0; r < reps; r++) {
        double t0 = log_now();

        if (classify_fit_predict(&p, d->p.xtr, d->p.ytr, d->p.n_train, d->ds->d,
                                 d->ds->n_classes, d->p.xval, d->p.n_val,
                                 (uint64_t)r, 0, pred, &ep[r]) < 0)
            goto done;
        secs[r] = log_now() - t0;
        acc[r] = classify_accuracy(pred, d->p.yval, d->p.n_val);
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
