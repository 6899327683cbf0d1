#include "vaesweep/sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vaesweep/classify.h"
#include "vaesweep/consensus.h"
#include "vaesweep/dataset.h"
#include "vaesweep/error.h"
#include "vaesweep/h5data.h"
#include "vaesweep/linkage.h"
#include "vaesweep/log.h"
#include "vaesweep/scores.h"
#include "vaesweep/vae.h"

/* The split is one stream of the data seed; the folds another. */
#define SWEEP_STREAM_SPLIT 0
#define SWEEP_STREAM_FOLDS 1

/* Message tag of the per-run progress notes sent to rank 0. */
#define SWEEP_TAG_PROGRESS 17

/* Data of the sweep, the same on every rank. */
typedef struct {
    dataset_t *data;
    dataset_parts p;                  /* the VAE trains on p.xtr_std */
    const double *xtr_clf, *xval_clf; /* p's raw or standardised rows */
    int *fold; /* [p.n_train] stratified fold of each training sample */
} sweep_data;

/* Everything rank 0 knows about the runs once they are gathered. */
typedef struct {
    size_t runs; /* active: the rows of the results file */
    size_t cap;  /* most runs the sweep may reach (a stability target) */
    int classes, latent, epochs;
    int *status;         /* [runs] */
    unsigned char *mine; /* [runs] trained here, not yet gathered */
    double *val_acc;     /* [runs] */
    double *wall;        /* [runs] */
    double *centroids;   /* [runs * C * L] */
    double *distance;    /* [runs * C * C] */
    double *curves;      /* [runs * E * 4] */
    double *cophenetic;  /* [runs] */
    int64_t *seed;       /* [runs] */
    double *alpha_rec;   /* [runs] */
    double *alpha_clf;   /* [runs] */
    double *alpha_kl;    /* [runs] */
} sweep_runs;

/* The consensus dendrogram and its distinct cut levels. */
typedef struct {
    double *distance; /* [C * C] */
    double *Z;        /* [(C - 1) * 4] */
    double *support;  /* [C - 1] */
    double coph_corr;
    size_t levels;
    double *level_dist; /* [levels] */
    int *n_clusters;    /* [levels] */
    int *groups;        /* [levels * C] */
} sweep_tree;

/* Points of the split-half convergence curve kept at most. */
#define SWEEP_CURVE_MAX 64

/* How much the consensus depends on which seeds were drawn. */
typedef struct {
    double split_half;   /* correlation of two seed halves */
    int *same_partition; /* [C - 1], k = C..2: halves agree */
    size_t points;       /* of the convergence curve */
    size_t n_seeds[SWEEP_CURVE_MAX];
    double curve[SWEEP_CURVE_MAX];
} sweep_stab;

typedef struct {
    MPI_Comm comm;
    int rank, size;
    const config_t *cfg;
    sweep_data d;
    sweep_runs runs;
    sweep_tree tree;
    sweep_stab stab;
    results_grid grid;   /* views of the run tables, for results */
    size_t seeds_active; /* seeds of the active runs */
    results_t *out;
    double t_train, t_consensus, t_scoring, t_write;
} sweep_ctx;

/* Abort every rank after a failure inside one rank's own work, which
 * the others cannot learn of while they compute or wait. */
_Noreturn static void sweep_die(sweep_ctx *s, const char *what)
{
    log_error("%s: %s", what, error_text());
    MPI_Abort(s->comm, 1);
    exit(1); /* MPI_Abort does not return; the compiler cannot know */
}

/* Every rank learns whether any failed; the lowest failing rank prints
 * its message once.  Returns 0 when all succeeded. */
static int sweep_agree(sweep_ctx *s, int status)
{
    int mine = status < 0 ? s->rank : s->size;
    int first;

    if (MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, s->comm) !=
        MPI_SUCCESS) {
        error_set("MPI_Allreduce failed");
        sweep_die(s, "agreeing on an outcome");
    }
    if (first == s->size)
        return 0;
    if (first == s->rank)
        log_error("%s", error_text());
    return -1;
}

static void sweep_data_free(sweep_data *d)
{
    dataset_free(d->data);
    dataset_parts_free(&d->p);
    free(d->fold);
    memset(d, 0, sizeof *d);
}

/* Name the data file in a message from the split or the folds, which
 * only know the labels. */
static int sweep_data_error(const config_t *cfg)
{
    char why[ERROR_TEXT_MAX];

    snprintf(why, sizeof why, "%s", error_text());
    return error_set("%s: %s", cfg->data_path, why);
}

/* Load, split 70/30 (stratified), standardise, assign folds. */
static int sweep_load_data(sweep_ctx *s)
{
    const config_t *cfg = s->cfg;
    sweep_data *d = &s->d;
    dataset_t *ds;

    ds = d->data =
        dataset_load(cfg->data_path, cfg->data_features, cfg->data_labels);
    if (!ds)
        return -1;
    if (cfg->coassoc_clusters > (size_t)ds->n_classes)
        return error_set("[sweep] coassoc_clusters = %zu: expected at most "
                         "the %d classes of %s",
                         cfg->coassoc_clusters, ds->n_classes, cfg->data_path);
    if (dataset_parts_make(ds, cfg->test_size, cfg->split_seed,
                           SWEEP_STREAM_SPLIT, &d->p) < 0)
        return sweep_data_error(cfg);
    if (cfg->batch > d->p.n_train)
        return error_set("[vae] batch = %zu is larger than the %zu training "
                         "samples of %s: lower vae.batch",
                         cfg->batch, d->p.n_train, cfg->data_path);

    /* Scoring uses raw values unless the config asks (METHOD.md). */
    d->xtr_clf = cfg->standardize ? d->p.xtr_std : d->p.xtr;
    d->xval_clf = cfg->standardize ? d->p.xval_std : d->p.xval;
    d->fold = error_calloc(d->p.n_train, sizeof *d->fold, "fold ids");
    if (!d->fold)
        return -1;
    if (dataset_kfold_stratified(
            d->p.ytr, d->p.n_train, ds->n_classes, ds->label_values,
            (int)cfg->folds, cfg->split_seed, SWEEP_STREAM_FOLDS, d->fold) < 0)
        return sweep_data_error(cfg);
    return 0;
}

static void sweep_runs_free(sweep_runs *r)
{
    free(r->status);
    free(r->mine);
    free(r->val_acc);
    free(r->wall);
    free(r->centroids);
    free(r->distance);
    free(r->curves);
    free(r->cophenetic);
    free(r->seed);
    free(r->alpha_rec);
    free(r->alpha_clf);
    free(r->alpha_kl);
    memset(r, 0, sizeof *r);
}

/* Size the run tables for the most runs the sweep may reach and fill in
 * the grid from the config. */
static int sweep_runs_init(sweep_ctx *s)
{
    sweep_runs *r = &s->runs;
    const size_t R = config_run_max(s->cfg);
    const size_t C = (size_t)s->d.data->n_classes;
    const size_t L = s->cfg->latent, E = s->cfg->epochs;
    size_t i;

    r->runs = config_run_count(s->cfg);
    r->cap = R;
    r->classes = (int)C;
    r->latent = (int)L;
    r->epochs = (int)E;
    r->status = error_calloc(R, sizeof *r->status, "run status");
    r->mine = error_calloc(R, sizeof *r->mine, "run owners");
    r->val_acc = error_calloc(R, sizeof *r->val_acc, "run accuracies");
    r->wall = error_calloc(R, sizeof *r->wall, "run times");
    r->centroids = error_calloc(R * C * L, sizeof(double), "centroids");
    r->distance = error_calloc(R * C * C, sizeof(double), "distances");
    r->curves = error_calloc(R * E * 4, sizeof(double), "loss curves");
    r->cophenetic = error_calloc(R, sizeof(double), "cophenetic");
    r->seed = error_calloc(R, sizeof *r->seed, "run seeds");
    r->alpha_rec = error_calloc(R, sizeof(double), "run weights");
    r->alpha_clf = error_calloc(R, sizeof(double), "run weights");
    r->alpha_kl = error_calloc(R, sizeof(double), "run weights");
    if (!r->status || !r->mine || !r->val_acc || !r->wall || !r->centroids ||
        !r->distance || !r->curves || !r->cophenetic || !r->seed ||
        !r->alpha_rec || !r->alpha_clf || !r->alpha_kl)
        return -1;
    for (i = 0; i < R; i++) {
        uint64_t seed;

        config_run(s->cfg, i, &seed, &r->alpha_rec[i], &r->alpha_kl[i]);
        r->seed[i] = (int64_t)seed;
        r->alpha_clf[i] = s->cfg->alpha_clf;
    }
    s->grid.seed = r->seed;
    s->grid.alpha_rec = r->alpha_rec;
    s->grid.alpha_clf = r->alpha_clf;
    s->grid.alpha_kl = r->alpha_kl;
    return 0;
}

/* A view of run i's rows in the tables, as the results module takes. */
static results_run sweep_run_view(const sweep_runs *r, size_t i)
{
    const size_t C = (size_t)r->classes, L = (size_t)r->latent;
    results_run v;

    v.status = r->status[i];
    v.val_acc = r->val_acc[i];
    v.wall_seconds = r->wall[i];
    v.centroids = r->centroids + i * C * L;
    v.distance = r->distance + i * C * C;
    v.loss_curve = r->curves + i * (size_t)r->epochs * 4;
    return v;
}

/* Buffers of one VAE run, allocated once per rank. */
typedef struct {
    vae_t *model;
    double *mu; /* [n_train * latent] */
    int *pred;  /* [n_val] */
} sweep_trainer;

static void sweep_trainer_free(sweep_trainer *t)
{
    vae_free(t->model);
    free(t->mu);
    free(t->pred);
}

static int sweep_trainer_init(sweep_ctx *s, sweep_trainer *t)
{
    const vae_shape shape = {s->d.data->d, s->d.data->n_classes,
                             (int)s->cfg->latent};

    t->model = vae_create(&shape, (int)s->cfg->batch);
    t->mu = error_calloc(s->d.p.n_train * s->cfg->latent, sizeof(double),
                         "latent means");
    t->pred = error_calloc(s->d.p.n_val, sizeof(int), "predictions");
    return t->model && t->mu && t->pred ? 0 : -1;
}

/* Train run i and fill its rows.  A diverged run is marked failed (its
 * rows stay NaN) instead of stopping the sweep. */
static int sweep_train_one(sweep_ctx *s, sweep_trainer *t, size_t i)
{
    sweep_runs *r = &s->runs;
    const config_t *cfg = s->cfg;
    const size_t C = (size_t)r->classes, L = (size_t)r->latent;
    vae_hparams hp;
    double t0 = log_now();
    double *dist = r->distance + i * C * C;

    vae_hparams_default(&hp);
    hp.a_rec = r->alpha_rec[i];
    hp.a_clf = r->alpha_clf[i];
    hp.a_kl = r->alpha_kl[i];
    hp.lr = cfg->lr;
    hp.weight_decay = cfg->weight_decay;
    hp.batch = (int)cfg->batch;
    hp.epochs = (int)cfg->epochs;

    /* Stream 0 of the run's own seed: runs that share a seed share
     * their initial weights and noise, whatever their index. */
    if (vae_train(t->model, &hp, s->d.p.xtr_std, s->d.p.ytr, s->d.p.n_train,
                  (uint64_t)r->seed[i], 0, r->curves + i * r->epochs * 4) < 0) {
        log_error("run %zu (seed %lld, a_rec %g, a_kl %g) failed: %s; "
                  "it is recorded as failed and left out of the consensus",
                  i, (long long)r->seed[i], hp.a_rec, hp.a_kl, error_text());
        r->status[i] = RESULTS_RUN_FAILED;
        r->val_acc[i] = NAN;
        r->wall[i] = log_now() - t0;
        return 0;
    }
    if (vae_encode(t->model, s->d.p.xtr_std, s->d.p.n_train, t->mu) < 0 ||
        vae_predict(t->model, s->d.p.xval_std, s->d.p.n_val, t->pred) < 0 ||
        linkage_class_centroids(t->mu, s->d.p.ytr, s->d.p.n_train, L, C,
                                r->centroids + i * C * L) < 0)
        return -1;
    if (cfg->distance == CONFIG_DISTANCE_MEAN_PAIRWISE) {
        if (linkage_pairwise_distances(t->mu, s->d.p.ytr, s->d.p.n_train, L, C,
                                       dist) < 0)
            return -1;
    } else if (linkage_centroid_distances(t->mu, s->d.p.ytr, s->d.p.n_train, L,
                                          C, dist) < 0) {
        return -1;
    }
    r->val_acc[i] = classify_accuracy(t->pred, s->d.p.yval, s->d.p.n_val);
    r->status[i] = RESULTS_RUN_DONE;
    r->wall[i] = log_now() - t0;
    return 0;
}

static void sweep_print_run(const sweep_ctx *s, size_t i, size_t done,
                            size_t todo)
{
    const sweep_runs *r = &s->runs;

    log_info("run %zu/%zu (#%zu) seed %lld a_rec %g a_kl %g: %s val acc "
             "%.4f, %.2f s",
             done, todo, i, (long long)r->seed[i], r->alpha_rec[i],
             r->alpha_kl[i],
             r->status[i] == RESULTS_RUN_DONE ? "done," : "FAILED,",
             r->val_acc[i], r->wall[i]);
}

/* Rank 0 prints the notes of runs finished elsewhere: those already
 * arrived, or (wait_all) every one still to come. */
static void sweep_drain_progress(sweep_ctx *s, size_t *done, size_t todo,
                                 int wait_all)
{
    sweep_runs *r = &s->runs;
    double note[4];
    int flag = 1;
    MPI_Status st;

    while (*done < todo) {
        if (!wait_all && (MPI_Iprobe(MPI_ANY_SOURCE, SWEEP_TAG_PROGRESS,
                                     s->comm, &flag, &st) != MPI_SUCCESS ||
                          !flag))
            return;
        if (MPI_Recv(note, 4, MPI_DOUBLE, MPI_ANY_SOURCE, SWEEP_TAG_PROGRESS,
                     s->comm, &st) != MPI_SUCCESS) {
            error_set("MPI_Recv of a progress note failed");
            sweep_die(s, "training");
        }
        size_t i = (size_t)note[0];
        r->status[i] = (int)note[1];
        r->val_acc[i] = note[2];
        r->wall[i] = note[3];
        sweep_print_run(s, i, ++*done, todo);
    }
}

/* A shared task counter on rank 0 (MPI-3 one-sided): a rank takes the
 * next task when it is free, so fast ranks take more and a slow task
 * (early stopping makes fit times vary) holds up no one.  Every task
 * draws from its own random stream, so who runs it changes nothing. */
typedef struct {
    MPI_Win win;
    long *counter;
} sweep_queue;

static void sweep_queue_open(sweep_ctx *s, sweep_queue *q)
{
    MPI_Aint size = s->rank == 0 ? (MPI_Aint)sizeof(long) : 0;

    if (MPI_Win_allocate(size, sizeof(long), MPI_INFO_NULL, s->comm,
                         &q->counter, &q->win) != MPI_SUCCESS) {
        error_set("MPI_Win_allocate of the task counter failed");
        sweep_die(s, "sharing tasks");
    }
    if (s->rank == 0)
        *q->counter = 0;

    /* Nobody takes a task before rank 0 has zeroed the counter. */
    if (MPI_Barrier(s->comm) != MPI_SUCCESS ||
        MPI_Win_lock_all(0, q->win) != MPI_SUCCESS) {
        error_set("MPI_Win_lock_all of the task counter failed");
        sweep_die(s, "sharing tasks");
    }
}

/* The next task index (0, 1, ... over all ranks together). */
static size_t sweep_queue_take(sweep_ctx *s, sweep_queue *q)
{
    const long one = 1;
    long got = 0;

    if (MPI_Fetch_and_op(&one, &got, MPI_LONG, 0, 0, MPI_SUM, q->win) !=
            MPI_SUCCESS ||
        MPI_Win_flush(0, q->win) != MPI_SUCCESS) {
        error_set("MPI_Fetch_and_op on the task counter failed");
        sweep_die(s, "sharing tasks");
    }
    return (size_t)got;
}

static void sweep_queue_close(sweep_ctx *s, sweep_queue *q)
{
    if (MPI_Win_unlock_all(q->win) != MPI_SUCCESS ||
        MPI_Win_free(&q->win) != MPI_SUCCESS) {
        error_set("MPI_Win_free of the task counter failed");
        sweep_die(s, "sharing tasks");
    }
}

/* Phase 3: the ranks take the pending runs from a shared queue. */
static void sweep_train(sweep_ctx *s)
{
    sweep_runs *r = &s->runs;
    sweep_trainer t = {0};
    sweep_queue q;
    size_t i, k, todo = 0, done = 0;
    size_t *pending = malloc((r->runs ? r->runs : 1) * sizeof *pending);

    if (!pending) {
        error_set("out of memory listing the pending runs");
        sweep_die(s, "training");
    }
    for (i = 0; i < r->runs; i++)
        if (r->status[i] == RESULTS_RUN_PENDING)
            pending[todo++] = i;
    log_info("training %zu VAE runs on %d ranks (%zu already stored)", todo,
             s->size, r->runs - todo);
    if (sweep_trainer_init(s, &t) < 0)
        sweep_die(s, "allocating the model");

    sweep_queue_open(s, &q);
    while ((k = sweep_queue_take(s, &q)) < todo) {
        results_run view;

        i = pending[k];
        if (sweep_train_one(s, &t, i) < 0)
            sweep_die(s, "training");
        r->mine[i] = 1;
        view = sweep_run_view(r, i);
        if (results_write_run(s->out, i, &view) < 0)
            sweep_die(s, "writing a finished run");
        if (s->rank == 0) {
            sweep_print_run(s, i, ++done, todo);
            sweep_drain_progress(s, &done, todo, 0);
        } else {
            double note[4] = {(double)i, r->status[i], r->val_acc[i],
                              r->wall[i]};

            if (MPI_Send(note, 4, MPI_DOUBLE, 0, SWEEP_TAG_PROGRESS, s->comm) !=
                MPI_SUCCESS) {
                error_set("MPI_Send of a progress note failed");
                sweep_die(s, "training");
            }
        }
    }
    if (s->rank == 0)
        sweep_drain_progress(s, &done, todo, 1);
    sweep_queue_close(s, &q);
    sweep_trainer_free(&t);
    free(pending);
}

/* Every rank learns which runs an interrupted sweep stored; rank 0
 * reads them back. */
static int sweep_read_stored(sweep_ctx *s)
{
    sweep_runs *r = &s->runs;
    size_t i;

    if (results_read_status(s->out, r->status) < 0)
        return -1;
    if (s->rank != 0)
        return 0;
    for (i = 0; i < r->runs; i++) {
        results_run v = sweep_run_view(r, i);

        if (r->status[i] == RESULTS_RUN_PENDING)
            continue;
        if (results_read_run(s->out, i, &v) < 0)
            return -1;
        r->status[i] = v.status;
        r->val_acc[i] = v.val_acc;
        r->wall[i] = v.wall_seconds;
    }
    return 0;
}

/* Phase 4a: the centroids, distances and curves of the runs trained in
 * this session go to rank 0 (one Gatherv; rank 0 got the scalars with
 * the progress notes). */
static void sweep_gather(sweep_ctx *s)
{
    sweep_runs *r = &s->runs;
    const size_t C = (size_t)r->classes, L = (size_t)r->latent;
    const size_t E = (size_t)r->epochs;
    const size_t rec = 1 + C * L + C * C + E * 4;
    double *mine = NULL, *all = NULL;
    int *counts = NULL, *displs = NULL;
    size_t i, n_mine = 0, n_all = 0;
    int count;

    for (i = 0; i < r->runs; i++)
        n_mine += r->mine[i];
    mine = malloc((n_mine ? n_mine : 1) * rec * sizeof *mine);
    counts = calloc((size_t)s->size, sizeof *counts);
    displs = calloc((size_t)s->size, sizeof *displs);
    if (!mine || !counts || !displs) {
        error_set("out of memory packing runs for the gather");
        sweep_die(s, "gathering runs");
    }
    for (i = 0, n_mine = 0; i < r->runs; i++) {
        double *p = mine + n_mine * rec;

        if (!r->mine[i])
            continue;
        r->mine[i] = 0;
        p[0] = (double)i;
        memcpy(p + 1, r->centroids + i * C * L, C * L * sizeof *p);
        memcpy(p + 1 + C * L, r->distance + i * C * C, C * C * sizeof *p);
        memcpy(p + 1 + C * L + C * C, r->curves + i * E * 4, E * 4 * sizeof *p);
        n_mine++;
    }
    count = (int)(n_mine * rec);
    if (MPI_Gather(&count, 1, MPI_INT, counts, 1, MPI_INT, 0, s->comm) !=
        MPI_SUCCESS) {
        error_set("MPI_Gather of record counts failed");
        sweep_die(s, "gathering runs");
    }
    if (s->rank == 0) {
        for (int k = 0; k < s->size; k++) {
            displs[k] = (int)n_all;
            n_all += (size_t)counts[k];
        }
        all = malloc((n_all ? n_all : 1) * sizeof *all);
        if (!all) {
            error_set("out of memory receiving %zu run values", n_all);
            sweep_die(s, "gathering runs");
        }
    }
    if (MPI_Gatherv(mine, count, MPI_DOUBLE, all, counts, displs, MPI_DOUBLE, 0,
                    s->comm) != MPI_SUCCESS) {
        error_set("MPI_Gatherv of run results failed");
        sweep_die(s, "gathering runs");
    }
    for (i = 0; s->rank == 0 && i < n_all / rec; i++) {
        const double *p = all + i * rec;
        size_t run = (size_t)p[0];

        memcpy(r->centroids + run * C * L, p + 1, C * L * sizeof *p);
        memcpy(r->distance + run * C * C, p + 1 + C * L, C * C * sizeof *p);
        memcpy(r->curves + run * E * 4, p + 1 + C * L + C * C,
               E * 4 * sizeof *p);
    }
    free(all);
    free(mine);
    free(counts);
    free(displs);

    /* Rank 0 heard of every run; the next round starts from its view. */
    if (MPI_Bcast(r->status, (int)r->runs, MPI_INT, 0, s->comm) !=
        MPI_SUCCESS) {
        error_set("MPI_Bcast of the run status failed");
        sweep_die(s, "gathering runs");
    }
}

/* Buffers of one scoring task, allocated once per rank. */
typedef struct {
    double *xtr, *xte;
    int *ytr, *yte, *pred;
} sweep_scorer;

static void sweep_scorer_free(sweep_scorer *b)
{
    free(b->xtr);
    free(b->xte);
    free(b->ytr);
    free(b->yte);
    free(b->pred);
}

static int sweep_scorer_init(const sweep_ctx *s, sweep_scorer *b)
{
    const size_t n =
        s->d.p.n_train > s->d.p.n_val ? s->d.p.n_train : s->d.p.n_val;
    const size_t d = (size_t)s->d.data->d;

    b->xtr = error_calloc(s->d.p.n_train * d, sizeof(double), "task data");
    b->xte = error_calloc(n * d, sizeof(double), "task data");
    b->ytr = error_calloc(s->d.p.n_train, sizeof(int), "task labels");
    b->yte = error_calloc(n, sizeof(int), "task labels");
    b->pred = error_calloc(n, sizeof(int), "task predictions");
    return b->xtr && b->xte && b->ytr && b->yte && b->pred ? 0 : -1;
}

/* Score one (level, part) task: part < folds holds fold `part` out of
 * the training split; part == folds trains on the whole training split
 * and tests on the validation split.  Classes are relabelled by their
 * cluster at the level. */
static int sweep_score_one(const sweep_ctx *s, sweep_scorer *b, size_t task,
                           double *acc)
{
    const sweep_data *d = &s->d;
    const size_t folds = s->cfg->folds;
    const size_t level = task / (folds + 1), part = task % (folds + 1);
    const int *group = s->tree.groups + level * (size_t)s->runs.classes;
    const size_t dim = (size_t)d->data->d;
    classify_params p;
    size_t i, ntr = 0, nte = 0;
    int epochs;

    for (i = 0; i < d->p.n_train; i++) {
        int in_test = part < folds && (size_t)d->fold[i] == part;
        double *dst = in_test ? b->xte + nte * dim : b->xtr + ntr * dim;

        memcpy(dst, d->xtr_clf + i * dim, dim * sizeof *dst);
        if (in_test)
            b->yte[nte++] = group[d->p.ytr[i]];
        else
            b->ytr[ntr++] = group[d->p.ytr[i]];
    }
    if (part == folds) {
        memcpy(b->xte, d->xval_clf, d->p.n_val * dim * sizeof *b->xte);
        for (i = 0; i < d->p.n_val; i++)
            b->yte[i] = group[d->p.yval[i]];
        nte = d->p.n_val;
    }

    classify_params_default(&p);
    p.kind = s->cfg->classifier == CONFIG_CLASSIFIER_FOREST ? CLASSIFIER_FOREST
                                                            : CLASSIFIER_MLP;
    p.max_epochs = (int)s->cfg->max_epochs;
    if (classify_fit_predict(&p, b->xtr, b->ytr, ntr, (int)dim,
                             s->tree.n_clusters[level], b->xte, nte,
                             s->cfg->score_seed, task, b->pred, &epochs) < 0)
        return -1;
    *acc = classify_accuracy(b->pred, b->yte, nte);
    return 0;
}

/* Phase 5: the ranks take tasks from a shared queue; rank 0 sums the
 * table (each task's entry is zero on every rank but the one that ran
 * it). */
static void sweep_score(sweep_ctx *s, double *acc)
{
    const size_t tasks = s->tree.levels * (s->cfg->folds + 1);
    double *mine = calloc(tasks, sizeof *mine);
    sweep_scorer b = {0};
    sweep_queue q;
    size_t t, done = 0;

    if (!mine || sweep_scorer_init(s, &b) < 0) {
        error_set("out of memory for the scoring tasks");
        sweep_die(s, "scoring");
    }
    log_info("scoring %zu cut levels x %zu folds + validation = %zu "
             "tasks on %d ranks",
             s->tree.levels, s->cfg->folds, tasks, s->size);
    sweep_queue_open(s, &q);
    while ((t = sweep_queue_take(s, &q)) < tasks) {
        if (sweep_score_one(s, &b, t, &mine[t]) < 0)
            sweep_die(s, "scoring");
        done++;
    }
    sweep_queue_close(s, &q);
    log_detail("rank 0 scored %zu of the tasks", done);
    if (MPI_Reduce(mine, acc, (int)tasks, MPI_DOUBLE, MPI_SUM, 0, s->comm) !=
        MPI_SUCCESS) {
        error_set("MPI_Reduce of task accuracies failed");
        sweep_die(s, "scoring");
    }
    sweep_scorer_free(&b);
    free(mine);
}

/* The consensus settings of the config in the consensus module's terms.
 * Co-association cuts each run into sweep.coassoc_clusters clusters, by
 * default half as many as classes (at least 2). */
static consensus_spec sweep_consensus_spec(const sweep_ctx *s)
{
    static const enum linkage_method methods[] = {
        [CONFIG_LINKAGE_COMPLETE] = LINKAGE_COMPLETE,
        [CONFIG_LINKAGE_AVERAGE] = LINKAGE_AVERAGE,
        [CONFIG_LINKAGE_SINGLE] = LINKAGE_SINGLE,
        [CONFIG_LINKAGE_WARD] = LINKAGE_WARD};
    static const enum consensus_kind kinds[] = {
        [CONFIG_CONSENSUS_MEAN] = CONSENSUS_MEAN,
        [CONFIG_CONSENSUS_MEDIAN] = CONSENSUS_MEDIAN,
        [CONFIG_CONSENSUS_COASSOCIATION] = CONSENSUS_COASSOCIATION};
    consensus_spec spec;
    size_t k = s->cfg->coassoc_clusters ? s->cfg->coassoc_clusters
                                        : (size_t)s->runs.classes / 2;

    spec.kind = kinds[s->cfg->consensus];
    spec.method = methods[s->cfg->linkage];
    spec.k = k < 2 ? 2 : k;
    return spec;
}

/* The consensus module's view of the runs: failed[i] for any run not
 * done, and each run's seed. */
static void sweep_run_flags(const sweep_runs *r, int *failed, uint64_t *seeds)
{
    size_t i;

    for (i = 0; i < r->runs; i++) {
        failed[i] = r->status[i] != RESULTS_RUN_DONE;
        seeds[i] = (uint64_t)r->seed[i];
    }
}

/* Distinct seeds among the runs not failed.  Runs of one seed are
 * contiguous (config_run), so a change of seed starts a new one. */
static size_t sweep_distinct_seeds(const int *failed, const uint64_t *seeds,
                                   size_t runs)
{
    size_t i, n = 0, last = 0;

    for (i = 0; i < runs; i++) {
        if (failed[i] || (n > 0 && seeds[i] == seeds[last]))
            continue;
        n++;
        last = i;
    }
    return n;
}

/* Split-half stability, its convergence over seeds and the bootstrap
 * support of each merge (rank 0). */
static int sweep_stability(sweep_ctx *s, const consensus_spec *spec,
                           const int *failed, const uint64_t *seeds)
{
    sweep_runs *r = &s->runs;
    sweep_stab *st = &s->stab;
    const size_t C = (size_t)r->classes;
    const size_t distinct = sweep_distinct_seeds(failed, seeds, r->runs);
    size_t i;

    st->split_half = NAN;
    for (i = 0; i < C - 1; i++)
        st->same_partition[i] = -1;
    if (distinct >= 2 &&
        (consensus_split_half(r->distance, seeds, r->runs, failed, C, spec,
                              &st->split_half, st->same_partition) < 0 ||
         consensus_convergence(r->distance, seeds, r->runs, failed, C, spec,
                               SWEEP_CURVE_MAX, &st->points, st->n_seeds,
                               st->curve) < 0))
        return -1;
    for (i = 0; i < C - 1; i++)
        s->tree.support[i] = NAN;
    if (s->cfg->bootstrap > 0 && distinct >= 2 &&
        consensus_support(r->distance, seeds, r->runs, failed, C, spec,
                          s->tree.Z, s->cfg->bootstrap, s->cfg->bootstrap_seed,
                          s->tree.support) < 0)
        return -1;
    if (distinct < 2)
        log_info("stability: needs 2 or more seeds (this sweep has %zu)",
                 distinct);
    else
        log_info("stability: split-half correlation %.3f over %zu seeds "
                 "(halves by seed)",
                 st->split_half, distinct);
    return 0;
}

/* Phase 4b (rank 0): consensus matrix, its dendrogram, each run's
 * agreement with it, stability, and the distinct cut levels. */
static int sweep_consensus(sweep_ctx *s)
{
    sweep_runs *r = &s->runs;
    sweep_tree *t = &s->tree;
    const size_t C = (size_t)r->classes;
    const consensus_spec spec = sweep_consensus_spec(s);
    int *failed = calloc(r->runs, sizeof *failed);
    uint64_t *seeds = calloc(r->runs, sizeof *seeds);
    double *coph = calloc(C * C, sizeof *coph);
    size_t i, ok = 0;
    int rc = -1;

    if (!failed || !seeds || !coph) {
        error_set("out of memory building the consensus");
        goto done;
    }
    sweep_run_flags(r, failed, seeds);
    for (i = 0; i < r->runs; i++)
        ok += !failed[i];
    if (ok == 0) {
        error_set("all %zu runs failed: no consensus can be built; lower "
                  "vae.lr or check the data",
                  r->runs);
        goto done;
    }
    if (consensus_build(r->distance, r->runs, failed, C, &spec, t->distance) <
            0 ||
        linkage_build(t->distance, C, spec.method, t->Z) < 0 ||
        linkage_cophenetic(t->Z, C, coph) < 0 ||
        consensus_run_cophenetic(t->Z, r->distance, r->runs, failed, C,
                                 r->cophenetic) < 0 ||
        linkage_cut_levels(t->Z, C, &t->levels, t->level_dist, t->n_clusters,
                           t->groups) < 0)
        goto done;
    /* Undefined for 2 classes (one distance) or equal distances. */
    if (linkage_correlation(coph, t->distance, C, &t->coph_corr) < 0)
        t->coph_corr = NAN;
    log_info("consensus of %zu runs (%s, %s linkage): cophenetic "
             "correlation %.3f",
             ok, consensus_kind_name(spec.kind),
             linkage_method_name(spec.method), t->coph_corr);
    rc = sweep_stability(s, &spec, failed, seeds);
done:
    free(failed);
    free(seeds);
    free(coph);
    return rc;
}

/* Rank 0: split-half correlation of the runs so far (NaN with fewer
 * than two seeds), the quantity a stability target is about. */
static int sweep_split_half_now(const sweep_ctx *s, double *corr)
{
    const sweep_runs *r = &s->runs;
    const consensus_spec spec = sweep_consensus_spec(s);
    int *failed = calloc(r->runs, sizeof *failed);
    uint64_t *seeds = calloc(r->runs, sizeof *seeds);
    int rc = 0;

    if (!failed || !seeds) {
        rc = error_set("out of memory checking stability");
    } else {
        sweep_run_flags(r, failed, seeds);
        *corr = NAN;
        if (sweep_distinct_seeds(failed, seeds, r->runs) >= 2)
            rc = consensus_split_half(r->distance, seeds, r->runs, failed,
                                      (size_t)r->classes, &spec, corr, NULL);
    }
    free(failed);
    free(seeds);
    return rc;
}

/* Rank 0 decides how many runs the next round has: the same as now to
 * stop, more to add seed_batch seeds towards the stability target. */
static size_t sweep_next_round(sweep_ctx *s)
{
    const config_t *cfg = s->cfg;
    const size_t per_seed = s->runs.runs / s->seeds_active;
    size_t add = cfg->seed_batch * per_seed;
    double corr;

    if (sweep_split_half_now(s, &corr) < 0)
        sweep_die(s, "checking stability");
    if (corr >= cfg->target) {
        log_info("stability target reached: split-half %.3f >= %g with "
                 "%zu seeds",
                 corr, cfg->target, s->seeds_active);
        return s->runs.runs;
    }
    if (s->runs.runs == s->runs.cap) {
        log_info("WARNING: stability target %g not reached: split-half "
                 "%.3f with %zu seeds, the most stability.max_seeds allows; "
                 "raise it and run again",
                 cfg->target, corr, s->seeds_active);
        return s->runs.runs;
    }
    if (add > s->runs.cap - s->runs.runs)
        add = s->runs.cap - s->runs.runs;
    log_info("split-half %.3f < target %g with %zu seeds: adding %zu", corr,
             cfg->target, s->seeds_active, add / per_seed);
    return s->runs.runs + add;
}

/* Phase 3: train the pending runs, then, with a stability target, add
 * seeds in rounds until the target or stability.max_seeds is reached.
 * Each round ends with the gather, so rank 0 can judge it.  Returns -1
 * (agreed) when the results file cannot grow. */
static int sweep_train_all(sweep_ctx *s)
{
    sweep_runs *r = &s->runs;
    unsigned long next;

    for (;;) {
        sweep_train(s);
        sweep_gather(s);
        if (s->cfg->target <= 0.0)
            return 0;
        next = s->rank == 0 ? (unsigned long)sweep_next_round(s) : 0;
        if (MPI_Bcast(&next, 1, MPI_UNSIGNED_LONG, 0, s->comm) != MPI_SUCCESS) {
            error_set("MPI_Bcast of the next round failed");
            sweep_die(s, "training");
        }
        if (next == r->runs)
            return 0;
        if (results_grow(s->out, next, &s->grid) < 0) {
            if (s->rank == 0)
                log_error("%s", error_text());
            return -1;
        }
        s->seeds_active = next / (r->runs / s->seeds_active);
        r->runs = next;
    }
}

/* Every rank needs the cut levels to score them; rank 0 made them. */
static void sweep_share_tree(sweep_ctx *s)
{
    sweep_tree *t = &s->tree;
    const size_t C = (size_t)s->runs.classes;
    unsigned long sizes[2] = {(unsigned long)t->levels,
                              (unsigned long)s->stab.points};
    unsigned long levels;

    /* The curve's length too: its dataset is created collectively. */
    if (MPI_Bcast(sizes, 2, MPI_UNSIGNED_LONG, 0, s->comm) != MPI_SUCCESS)
        goto fail;
    levels = sizes[0];
    t->levels = levels;
    s->stab.points = sizes[1];
    if (MPI_Bcast(t->n_clusters, (int)levels, MPI_INT, 0, s->comm) !=
            MPI_SUCCESS ||
        MPI_Bcast(t->level_dist, (int)levels, MPI_DOUBLE, 0, s->comm) !=
            MPI_SUCCESS ||
        MPI_Bcast(t->groups, (int)(levels * C), MPI_INT, 0, s->comm) !=
            MPI_SUCCESS)
        goto fail;
    return;
fail:
    error_set("MPI_Bcast of the cut levels failed");
    sweep_die(s, "sharing the dendrogram");
}

static int sweep_tree_alloc(sweep_tree *t, size_t C)
{
    t->distance = error_calloc(C * C, sizeof(double), "consensus");
    t->Z = error_calloc((C - 1) * 4, sizeof(double), "linkage");
    t->support = error_calloc(C - 1, sizeof(double), "merge support");
    t->level_dist = error_calloc(C - 1, sizeof(double), "cut levels");
    t->n_clusters = error_calloc(C - 1, sizeof(int), "cut levels");
    t->groups = error_calloc((C - 1) * C, sizeof(int), "cut groups");
    return t->distance && t->Z && t->support && t->level_dist &&
                   t->n_clusters && t->groups
               ? 0
               : -1;
}

static void sweep_tree_free(sweep_tree *t)
{
    free(t->distance);
    free(t->Z);
    free(t->support);
    free(t->level_dist);
    free(t->n_clusters);
    free(t->groups);
    memset(t, 0, sizeof *t);
}

static void sweep_print_table(const sweep_ctx *s, const double *cv_mean,
                              const double *cv_std, const double *val_acc)
{
    const sweep_tree *t = &s->tree;
    const size_t C = (size_t)s->runs.classes;
    char groups[1024];
    size_t v;

    log_info("%-8s %-8s %-15s %-8s %-7s %s", "clusters", "distance", "cv acc",
             "val acc", "support", "groups (by original label)");
    for (v = 0; v < t->levels; v++) {
        double support = scores_level_support(t->support, t->n_clusters, C, v);
        char shown[16] = "-";

        if (!isnan(support))
            snprintf(shown, sizeof shown, "%.3f", support);
        if (linkage_format_groups(t->groups + v * C, s->d.data->label_values, C,
                                  groups, sizeof groups) < 0)
            snprintf(groups, sizeof groups, "(too long to show)");
        log_info("%-8d %-8.4f %.4f+-%.4f  %-8.4f %-7s %s", t->n_clusters[v],
                 t->level_dist[v], cv_mean[v], cv_std[v], val_acc[v], shown,
                 groups);
    }
}

/* Rank 0: the closing summary lines. */
static void sweep_print_summary(const sweep_ctx *s, const double *cv_mean,
                                size_t rec)
{
    const sweep_runs *r = &s->runs;
    const size_t C = (size_t)r->classes;
    char groups[1024];
    double sum = 0.0;
    size_t i, ok = 0;

    for (i = 0; i < r->runs; i++)
        if (r->status[i] == RESULTS_RUN_DONE) {
            sum += r->val_acc[i];
            ok++;
        }
    log_info("VAE classifier head: mean validation accuracy %.4f over %zu "
             "runs (%zu failed)",
             ok ? sum / (double)ok : NAN, ok, r->runs - ok);
    if (linkage_format_groups(s->tree.groups + rec * C, s->d.data->label_values,
                              C, groups, sizeof groups) < 0)
        snprintf(groups, sizeof groups, "(too long to show)");
    if (rec == 0)
        log_info("recommended: the finest level, %d clusters %s (no "
                 "coarser level beats it by 2 standard errors of "
                 "cross-validated accuracy)",
                 s->tree.n_clusters[0], groups);
    else
        log_info("recommended: %d clusters %s (cv acc %.4f vs %.4f "
                 "unmerged, the finest level better by 2 standard errors)",
                 s->tree.n_clusters[rec], groups, cv_mean[rec], cv_mean[0]);
}

/* /stability: split-half correlation, agreement of the halves per
 * number of clusters, and the convergence curve.  Collective. */
static int sweep_write_stability(sweep_ctx *s)
{
    const sweep_stab *st = &s->stab;
    const size_t C = (size_t)s->runs.classes;
    const size_t dK[1] = {C - 1}, dP[1] = {st->points};
    double seeds[SWEEP_CURVE_MAX];
    size_t i;

    for (i = 0; i < st->points; i++)
        seeds[i] = (double)st->n_seeds[i];
    if (results_put_attr_double(s->out, "/stability", "split_half_corr",
                                st->split_half) < 0 ||
        results_put_ints(s->out, "/stability/same_partition", 1, dK,
                         st->same_partition) < 0)
        return -1;
    if (st->points == 0)
        return 0;
    if (results_put_doubles(s->out, "/stability/convergence_seeds", 1, dP,
                            seeds) < 0 ||
        results_put_doubles(s->out, "/stability/convergence_corr", 1, dP,
                            st->curve) < 0)
        return -1;
    return 0;
}

/* Phase 6a: the data description, consensus and scores.  Collective;
 * the values are rank 0's. */
static int sweep_write_scores(sweep_ctx *s, const double *acc)
{
    const sweep_tree *t = &s->tree;
    const size_t C = (size_t)s->runs.classes, V = t->levels;
    const size_t K = s->cfg->folds;
    const size_t dC[2] = {C, C}, dZ[2] = {C - 1, 4}, dV[1] = {V};
    const size_t dG[2] = {V, C}, dF[2] = {V, K}, dL[1] = {C};
    double *fold_acc = calloc(V * K + 1, sizeof(double));
    double *stats = calloc(3 * V + 1, sizeof(double));
    results_t *o = s->out;
    unsigned long rec = 0;
    int rc = -1;

    if (!fold_acc || !stats) {
        error_set("out of memory for the score table");
        sweep_die(s, "writing scores");
    }
    if (s->rank == 0) {
        scores_fold_stats(acc, V, K, fold_acc, stats, stats + V, stats + 2 * V);
        sweep_print_table(s, stats, stats + V, stats + 2 * V);
        rec = (unsigned long)scores_recommend(stats, stats + V, V, K);
        sweep_print_summary(s, stats, rec);
    }

    /* Attributes are metadata: every rank writes the same value. */
    if (MPI_Bcast(&rec, 1, MPI_UNSIGNED_LONG, 0, s->comm) != MPI_SUCCESS) {
        error_set("MPI_Bcast of the recommended level failed");
        sweep_die(s, "writing scores");
    }
    if (results_put_attr_text(o, "/data", "path", s->cfg->data_path) < 0 ||
        results_put_attr_int(o, "/data", "n_samples", (int64_t)s->d.data->n) <
            0 ||
        results_put_attr_int(o, "/data", "n_features", s->d.data->d) < 0 ||
        results_put_attr_int(o, "/data", "n_train", (int64_t)s->d.p.n_train) <
            0 ||
        results_put_attr_int(o, "/data", "n_val", (int64_t)s->d.p.n_val) < 0 ||
        results_put_ints(o, "/data/label_values", 1, dL,
                         s->d.data->label_values) < 0 ||
        results_put_doubles(o, "/consensus/distance", 2, dC, t->distance) < 0 ||
        results_put_doubles(o, "/consensus/Z", 2, dZ, t->Z) < 0 ||
        results_put_doubles(o, "/consensus/support", 1, dZ, t->support) < 0 ||
        results_put_attr_double(o, "/consensus", "cophenetic_corr",
                                t->coph_corr) < 0 ||
        results_put_ints(o, "/scores/n_clusters", 1, dV, t->n_clusters) < 0 ||
        results_put_doubles(o, "/scores/level_distance", 1, dV, t->level_dist) <
            0 ||
        results_put_ints(o, "/scores/groups", 2, dG, t->groups) < 0 ||
        results_put_doubles(o, "/scores/fold_acc", 2, dF, fold_acc) < 0 ||
        results_put_doubles(o, "/scores/cv_mean", 1, dV, stats) < 0 ||
        results_put_doubles(o, "/scores/cv_std", 1, dV, stats + V) < 0 ||
        results_put_doubles(o, "/scores/val_acc", 1, dV, stats + 2 * V) < 0 ||
        results_put_attr_int(o, "/scores", "recommended_level", (int64_t)rec) <
            0 ||
        results_put_attr_int(o, "/scores", "recommended_n_clusters",
                             s->tree.n_clusters[rec]) < 0 ||
        results_put_attr_text(o, "/scores", "recommended_rule",
                              "finest level whose cv_mean exceeds level 0's "
                              "by more than 2 standard errors of the "
                              "difference (cv_std / sqrt(folds))") < 0)
        goto done;
    if (sweep_write_stability(s) < 0)
        goto done;
    if (s->rank == 0 &&
        results_write_run_column(o, "cophenetic", s->runs.cophenetic) < 0)
        goto done;
    rc = 0;
done:
    free(fold_acc);
    free(stats);
    return rc;
}

static int sweep_write_timing(sweep_ctx *s)
{
    const char *names[] = {"train", "consensus", "scoring", "write"};
    const double secs[] = {s->t_train, s->t_consensus, s->t_scoring,
                           s->t_write};
    size_t i;

    for (i = 0; i < 4; i++)
        if (results_put_attr_double(s->out, "/timing", names[i], secs[i]) < 0)
            return -1;
    return results_put_attr_int(s->out, "/timing", "ranks", s->size);
}

static void sweep_free(sweep_ctx *s)
{
    sweep_data_free(&s->d);
    sweep_runs_free(&s->runs);
    sweep_tree_free(&s->tree);
    free(s->stab.same_partition);
}

/* The text stored as /config/ini: the resolved config and, as a comment,
 * a print of the data, so --resume refuses a changed config or data
 * file.  Caller frees; NULL with the error set. */
static char *sweep_config_text(const sweep_ctx *s)
{
    const dataset_t *ds = s->d.data;
    char *ini = config_to_ini(s->cfg), *text;
    size_t len;

    if (!ini)
        return NULL;
    len = strlen(ini) + 160;
    text = error_calloc(len, 1, "config text");
    if (text)
        snprintf(text, len,
                 "%s\n; data: %zu samples, %d features, %d classes, "
                 "fnv1a64 %016llx\n",
                 ini, ds->n, ds->d, ds->n_classes,
                 (unsigned long long)dataset_fingerprint(ds));
    free(ini);
    return text;
}

/* Phases 1-2: data, run tables and the results file. */
static int sweep_prepare(sweep_ctx *s, enum results_mode mode)
{
    const config_t *cfg = s->cfg;
    char *ini = NULL;
    results_shape shape;
    int rc;

    if (sweep_agree(s, sweep_load_data(s)) < 0)
        return -1;
    log_info("data %s: %zu samples, %d features, %d classes; %zu train, "
             "%zu validation",
             cfg->data_path, s->d.data->n, s->d.data->d, s->d.data->n_classes,
             s->d.p.n_train, s->d.p.n_val);
    rc = sweep_runs_init(s);
    if (rc == 0)
        rc = sweep_tree_alloc(&s->tree, (size_t)s->runs.classes);
    if (rc == 0 &&
        !(s->stab.same_partition = error_calloc((size_t)s->runs.classes - 1,
                                                sizeof(int), "stability")))
        rc = -1;
    if (rc == 0 && !(ini = sweep_config_text(s)))
        rc = -1;
    if (sweep_agree(s, rc) < 0)
        goto done;

    shape.runs = s->runs.runs;
    shape.classes = s->runs.classes;
    shape.latent = s->runs.latent;
    shape.epochs = s->runs.epochs;
    s->out =
        results_open(s->comm, cfg->output_path, mode, &shape, &s->grid, ini);
    if (!s->out) {
        /* results_open agreed: every rank holds the same message. */
        if (s->rank == 0)
            log_error("%s", error_text());
        rc = -1;
        goto done;
    }

    /* A resumed sweep that added seeds continues with all its rows. */
    s->runs.runs = results_run_count(s->out);
    s->seeds_active = s->runs.runs / (cfg->n_alpha_rec * cfg->n_alpha_kl);
    rc = s->runs.runs > s->runs.cap
             ? error_set("cannot resume: the file holds %zu runs, more "
                         "than stability.max_seeds allows (%zu)",
                         s->runs.runs, s->runs.cap)
             : sweep_read_stored(s);
    rc = sweep_agree(s, rc);
done:
    free(ini);
    return rc;
}

int sweep_run(MPI_Comm comm, const config_t *cfg, enum results_mode mode)
{
    sweep_ctx s;
    double *acc = NULL, t0;
    int rc = -1;

    memset(&s, 0, sizeof s);
    s.comm = comm;
    s.cfg = cfg;
    if (MPI_Comm_rank(comm, &s.rank) != MPI_SUCCESS ||
        MPI_Comm_size(comm, &s.size) != MPI_SUCCESS)
        return 1;
    if (sweep_prepare(&s, mode) < 0)
        goto done;

    t0 = log_now();
    if (sweep_train_all(&s) < 0)
        goto done;
    s.t_train = log_now() - t0;

    t0 = log_now();
    if (sweep_agree(&s, s.rank == 0 ? sweep_consensus(&s) : 0) < 0)
        goto done;
    sweep_share_tree(&s);
    s.t_consensus = log_now() - t0;

    t0 = log_now();
    acc = calloc(s.tree.levels * (cfg->folds + 1), sizeof *acc);
    if (!acc) {
        error_set("out of memory for the score table");
        sweep_die(&s, "scoring");
    }
    sweep_score(&s, acc);
    s.t_scoring = log_now() - t0;

    t0 = log_now();
    if (sweep_agree(&s, sweep_write_scores(&s, acc)) < 0)
        goto done;
    s.t_write = log_now() - t0;
    if (sweep_write_timing(&s) == 0) {
        rc = results_finish(s.out);
        s.out = NULL;
    }
    if (rc < 0) {
        /* Both calls agree across ranks: one message from rank 0. */
        if (s.rank == 0)
            log_error("%s", error_text());
        goto done;
    }
    log_info("time: train %.1f s, consensus %.2f s, scoring %.1f s, "
             "write %.2f s",
             s.t_train, s.t_consensus, s.t_scoring, s.t_write);
    log_info("results: %s", cfg->output_path);
    rc = 0;
done:
    results_close(s.out);
    free(acc);
    sweep_free(&s);
    return rc == 0 ? 0 : 1;
}
