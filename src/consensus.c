/*
 * consensus: combine the runs' class distance matrices, score each run
 * against the result, and measure how stable the result is (split
 * halves, bootstrap support of each merge, convergence with the number
 * of seeds).
 *
 * All measures work on the unit "seed": the runs of one seed share a
 * VAE initialisation stream, so they are resampled and split together.
 * The runs are prepared once (normalised matrices, or each run's flat
 * cut for the co-association), after which any multiset of runs is
 * combined cheaply; that keeps a 1000-resample bootstrap fast.
 */
#include "vaesweep/consensus.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vaesweep/error.h"
#include "vaesweep/rng.h"

static const char *const kind_names[] = {"mean", "median", "coassociation"};
#define N_KINDS (sizeof kind_names / sizeof kind_names[0])

const char *consensus_kind_name(enum consensus_kind kind)
{
    if ((size_t)kind >= N_KINDS)
        return "unknown";
    return kind_names[kind];
}

int consensus_normalise(const double *D, size_t n, double *out)
{
    double sum = 0.0, mean;
    size_t i, j;

    if (n < 2)
        return error_set("normalising a distance matrix needs n >= 2, got "
                         "%zu",
                         n);
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++)
            if (i != j)
                sum += D[i * n + j];
    mean = sum / (double)(n * (n - 1));
    if (!isfinite(mean) || mean == 0.0)
        return error_set("the mean off-diagonal distance is %g, expected "
                         "a finite non-zero value: the run's classes "
                         "collapsed or diverged",
                         mean);
    for (i = 0; i < n * n; i++)
        out[i] = D[i] / mean;
    return 0;
}

/* Prefix the recorded message with the run it is about. */
static int run_error(size_t run)
{
    char msg[ERROR_TEXT_MAX];

    snprintf(msg, sizeof msg, "%s", error_text());
    return error_set("run %zu: %s", run, msg);
}

static int check_spec(const consensus_spec *spec, size_t n)
{
    if ((size_t)spec->kind >= N_KINDS)
        return error_set("unknown consensus kind %d: expected mean, "
                         "median or coassociation",
                         (int)spec->kind);
    if (strcmp(linkage_method_name(spec->method), "unknown") == 0)
        return error_set("unknown linkage method %d for the consensus",
                         (int)spec->method);
    if (spec->kind == CONSENSUS_COASSOCIATION && (spec->k < 2 || spec->k > n))
        return error_set("co-association needs 2..%zu clusters per run, "
                         "got %zu",
                         n, spec->k);
    return 0;
}

/* The usable runs, prepared for combining, and grouped by seed. */
typedef struct {
    size_t n;        /* classes */
    size_t n_ok;     /* runs not flagged failed */
    size_t *run;     /* [n_ok] index of the run in the caller's arrays */
    double *norm;    /* [n_ok * n * n] normalised (mean, median) */
    int *labels;     /* [n_ok * n] flat cut of each run (co-association) */
    size_t n_seeds;  /* distinct seeds */
    uint64_t *seed;  /* [n_seeds] ascending */
    size_t *first;   /* [n_seeds + 1] runs of seed s: members[first[s]..] */
    size_t *members; /* [n_ok] positions in 0..n_ok-1, by seed */
    double *values;  /* [n_ok] scratch for the median, grown on demand */
    size_t n_values;
} prepared;

static void prepared_free(prepared *p)
{
    free(p->run);
    free(p->norm);
    free(p->labels);
    free(p->seed);
    free(p->first);
    free(p->members);
    free(p->values);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

static size_t seed_position(const prepared *p, uint64_t s)
{
    size_t lo = 0, hi = p->n_seeds;

    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (p->seed[mid] <= s)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Group the usable runs by distinct seed, seeds ascending, runs in
 * their original order within a seed. */
static int group_by_seed(prepared *p, const uint64_t *seeds)
{
    size_t i, s, *fill;

    p->seed = error_calloc(p->n_ok, sizeof *p->seed, "seeds");
    p->first = error_calloc(p->n_ok + 1, sizeof *p->first, "seed groups");
    p->members = error_calloc(p->n_ok, sizeof *p->members, "seed groups");
    fill = error_calloc(p->n_ok + 1, sizeof *fill, "seed groups");
    if (!p->seed || !p->first || !p->members || !fill) {
        free(fill);
        return -1;
    }
    for (i = 0; i < p->n_ok; i++)
        p->seed[i] = seeds[p->run[i]];
    qsort(p->seed, p->n_ok, sizeof *p->seed, cmp_u64);
    p->n_seeds = 0;
    for (i = 0; i < p->n_ok; i++)
        if (i == 0 || p->seed[i] != p->seed[p->n_seeds - 1])
            p->seed[p->n_seeds++] = p->seed[i];

    for (i = 0; i < p->n_ok; i++)
        p->first[seed_position(p, seeds[p->run[i]]) + 1]++;
    for (s = 0; s < p->n_seeds; s++)
        p->first[s + 1] += p->first[s];
    memcpy(fill, p->first, (p->n_seeds + 1) * sizeof *fill);
    for (i = 0; i < p->n_ok; i++)
        p->members[fill[seed_position(p, seeds[p->run[i]])]++] = i;
    free(fill);
    return 0;
}

/* Check and prepare the runs not flagged failed; seeds may be NULL when
 * no grouping is needed. */
static int prepare(const double *Ds, const uint64_t *seeds, size_t runs,
                   const int *failed, size_t n, const consensus_spec *spec,
                   prepared *p)
{
    size_t r, i, nn = n * n;
    double *Z = NULL;

    memset(p, 0, sizeof *p);
    p->n = n;
    if (n < 2)
        return error_set("a consensus needs at least 2 classes, got %zu", n);
    if (check_spec(spec, n) != 0)
        return -1;
    for (r = 0; r < runs; r++)
        p->n_ok += !(failed && failed[r]);
    if (p->n_ok == 0)
        return error_set("no run is left for the consensus (%zu runs, all "
                         "failed); check the runs' logs",
                         runs);

    p->run = error_calloc(p->n_ok, sizeof *p->run, "consensus runs");
    p->values = error_calloc(p->n_ok, sizeof *p->values, "median values");
    if (!p->run || !p->values)
        goto fail;
    p->n_values = p->n_ok;
    for (r = 0, i = 0; r < runs; r++)
        if (!(failed && failed[r]))
            p->run[i++] = r;

    if (spec->kind == CONSENSUS_COASSOCIATION) {
        p->labels = error_calloc(p->n_ok * n, sizeof *p->labels,
                                 "co-association labels");
        Z = error_calloc((n - 1) * 4, sizeof *Z, "run linkage");
        if (!p->labels || !Z)
            goto fail;
        for (i = 0; i < p->n_ok; i++) {
            if (linkage_build(Ds + p->run[i] * nn, n, spec->method, Z) != 0 ||
                linkage_cut_maxclust(Z, n, spec->k, p->labels + i * n) < 0) {
                run_error(p->run[i]);
                goto fail;
            }
        }
        free(Z);
        Z = NULL;
    } else {
        p->norm =
            error_calloc(p->n_ok * nn, sizeof *p->norm, "normalised matrices");
        if (!p->norm)
            goto fail;
        for (i = 0; i < p->n_ok; i++) {
            const double *D = Ds + p->run[i] * nn;
            if (linkage_check_distances(D, n) != 0 ||
                consensus_normalise(D, n, p->norm + i * nn) != 0) {
                run_error(p->run[i]);
                goto fail;
            }
        }
    }
    if (seeds && group_by_seed(p, seeds) != 0)
        goto fail;
    return 0;
fail:
    free(Z);
    prepared_free(p);
    return -1;
}

/* k-th smallest of a[0..m) (Wirth's selection, after Hoare's FIND):
 * partially reorders a so that a[0..k) <= a[k] <= a[k+1..m). */
static double select_kth(double *a, size_t m, size_t k)
{
    ptrdiff_t l = 0, r = (ptrdiff_t)m - 1, kk = (ptrdiff_t)k;

    while (l < r) {
        double x = a[kk];
        ptrdiff_t i = l, j = r;
        do {
            while (a[i] < x)
                i++;
            while (x < a[j])
                j--;
            if (i <= j) {
                double t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        } while (i <= j);
        if (j < kk)
            l = i;
        if (kk < i)
            r = j;
    }
    return a[k];
}

/* numpy.median of a[0..m): the middle value, or the mean of the two
 * middle values of an even count. */
static double median(double *a, size_t m)
{
    double hi = select_kth(a, m, m / 2), lo;
    size_t i;

    if (m % 2)
        return hi;
    lo = a[0];
    for (i = 1; i < m / 2; i++)
        if (a[i] > lo)
            lo = a[i];
    return (lo + hi) / 2.0;
}

/* Consensus C[n * n] of the multiset list[0..m) of prepared runs
 * (positions 0..n_ok-1; a run may appear more than once).  Upper
 * triangle computed, mirrored: C is exactly symmetric. */
static void combine(prepared *p, const consensus_spec *spec, const size_t *list,
                    size_t m, double *C)
{
    size_t n = p->n, nn = n * n, i, j, q;

    for (i = 0; i < n; i++) {
        C[i * n + i] = 0.0;
        for (j = i + 1; j < n; j++) {
            double v = 0.0;

            if (spec->kind == CONSENSUS_COASSOCIATION) {
                size_t shared = 0;
                for (q = 0; q < m; q++) {
                    const int *lab = p->labels + list[q] * n;
                    shared += lab[i] == lab[j];
                }
                v = 1.0 - (double)shared / (double)m;
            } else if (spec->kind == CONSENSUS_MEDIAN) {
                for (q = 0; q < m; q++)
                    p->values[q] = p->norm[list[q] * nn + i * n + j];
                v = median(p->values, m);
            } else {
                for (q = 0; q < m; q++)
                    v += p->norm[list[q] * nn + i * n + j];
                v /= (double)m;
            }
            C[i * n + j] = v;
            C[j * n + i] = v;
        }
    }
}

/* Make sure the median scratch holds m values. */
static int reserve_values(prepared *p, size_t m)
{
    double *v;

    if (m <= p->n_values)
        return 0;
    v = realloc(p->values, m * sizeof *v);
    if (!v)
        return error_set("out of memory for %zu median values", m);
    p->values = v;
    p->n_values = m;
    return 0;
}

int consensus_build(const double *Ds, size_t runs, const int *failed, size_t n,
                    const consensus_spec *spec, double *C)
{
    prepared p;
    size_t *list, i;

    if (prepare(Ds, NULL, runs, failed, n, spec, &p) != 0)
        return -1;
    list = error_calloc(p.n_ok, sizeof *list, "consensus run list");
    if (!list) {
        prepared_free(&p);
        return -1;
    }
    for (i = 0; i < p.n_ok; i++)
        list[i] = i;
    combine(&p, spec, list, p.n_ok, C);
    free(list);
    prepared_free(&p);
    return 0;
}

int consensus_run_cophenetic(const double *Z, const double *Ds, size_t runs,
                             const int *failed, size_t n, double *r)
{
    double *coph;
    size_t i;

    coph =
        error_calloc(n >= 2 ? n * n : 1, sizeof *coph, "cophenetic distances");
    if (!coph)
        return -1;
    if (linkage_cophenetic(Z, n, coph) != 0) {
        free(coph);
        return -1;
    }
    for (i = 0; i < runs; i++) {
        const double *D = Ds + i * n * n;

        r[i] = NAN;
        if (failed && failed[i])
            continue;
        if (linkage_check_distances(D, n) != 0) {
            free(coph);
            return run_error(i);
        }
        /* Inputs are valid, so a failure means a constant triangle:
         * the correlation is undefined and reported as NaN. */
        if (linkage_correlation(coph, D, n, &r[i]) != 0) {
            r[i] = NAN;
            error_clear();
        }
    }
    free(coph);
    return 0;
}

/* Scratch of the stability measures. */
typedef struct {
    size_t *list_a, *list_b; /* [n_ok * n_seeds] run multisets */
    double *ca, *cb;         /* [n * n] consensus matrices */
    double *za, *zb;         /* [(n - 1) * 4] their dendrograms */
    int *la, *lb;            /* [n] cut labels */
} work;

static void work_free(work *w)
{
    free(w->list_a);
    free(w->list_b);
    free(w->ca);
    free(w->cb);
    free(w->za);
    free(w->zb);
    free(w->la);
    free(w->lb);
}

static int work_alloc(work *w, const prepared *p)
{
    size_t n = p->n, lists = p->n_ok * p->n_seeds;

    w->list_a = error_calloc(lists, sizeof *w->list_a, "run lists");
    w->list_b = error_calloc(lists, sizeof *w->list_b, "run lists");
    w->ca = error_calloc(n * n, sizeof *w->ca, "consensus matrix");
    w->cb = error_calloc(n * n, sizeof *w->cb, "consensus matrix");
    w->za = error_calloc((n - 1) * 4, sizeof *w->za, "dendrogram");
    w->zb = error_calloc((n - 1) * 4, sizeof *w->zb, "dendrogram");
    w->la = error_calloc(n, sizeof *w->la, "cut labels");
    w->lb = error_calloc(n, sizeof *w->lb, "cut labels");
    if (!w->list_a || !w->list_b || !w->ca || !w->cb || !w->za || !w->zb ||
        !w->la || !w->lb) {
        work_free(w);
        return -1;
    }
    return 0;
}

/* Renumber labels[n] by first appearance, so equal partitions have
 * equal label arrays whatever the dendrogram's numbering. */
static void canonical_labels(int *labels, size_t n, int *map)
{
    size_t i;
    int next = 0;

    for (i = 0; i < n; i++)
        map[i] = -1;
    for (i = 0; i < n; i++) {
        if (map[labels[i]] < 0)
            map[labels[i]] = next++;
        labels[i] = map[labels[i]];
    }
}

/* Split-half on the first n_used seeds: even positions to A, odd to B. */
static int split_half(prepared *p, const consensus_spec *spec, work *w,
                      size_t n_used, double *corr, int *same_partition)
{
    size_t n = p->n, ma = 0, mb = 0, s, q, i;
    int *map;

    for (s = 0; s < n_used; s++) {
        for (q = p->first[s]; q < p->first[s + 1]; q++) {
            if (s % 2 == 0)
                w->list_a[ma++] = p->members[q];
            else
                w->list_b[mb++] = p->members[q];
        }
    }
    combine(p, spec, w->list_a, ma, w->ca);
    combine(p, spec, w->list_b, mb, w->cb);
    if (linkage_correlation(w->ca, w->cb, n, corr) != 0) {
        *corr = NAN; /* a constant consensus: correlation undefined */
        error_clear();
    }
    if (!same_partition)
        return 0;

    if (linkage_build(w->ca, n, spec->method, w->za) != 0 ||
        linkage_build(w->cb, n, spec->method, w->zb) != 0)
        return -1;
    map = error_calloc(n, sizeof *map, "label map");
    if (!map)
        return -1;
    for (i = 0; i + 1 < n; i++) {
        size_t k = n - i;
        if (linkage_cut_maxclust(w->za, n, k, w->la) < 0 ||
            linkage_cut_maxclust(w->zb, n, k, w->lb) < 0) {
            free(map);
            return -1;
        }
        canonical_labels(w->la, n, map);
        canonical_labels(w->lb, n, map);
        same_partition[i] = memcmp(w->la, w->lb, n * sizeof *w->la) == 0;
    }
    free(map);
    return 0;
}

static int prepare_stability(const double *Ds, const uint64_t *seeds,
                             size_t runs, const int *failed, size_t n,
                             const consensus_spec *spec, prepared *p, work *w)
{
    if (!seeds)
        return error_set("stability measures need each run's seed");
    if (prepare(Ds, seeds, runs, failed, n, spec, p) != 0)
        return -1;
    if (p->n_seeds < 2) {
        prepared_free(p);
        return error_set("stability measures need runs of at least 2 "
                         "distinct seeds, got %zu; add seeds to the sweep",
                         p->n_seeds);
    }
    if (reserve_values(p, p->n_ok * p->n_seeds) != 0 || work_alloc(w, p) != 0) {
        prepared_free(p);
        return -1;
    }
    return 0;
}

int consensus_split_half(const double *Ds, const uint64_t *seeds, size_t runs,
                         const int *failed, size_t n,
                         const consensus_spec *spec, double *corr,
                         int *same_partition)
{
    prepared p;
    work w;
    int rc;

    if (prepare_stability(Ds, seeds, runs, failed, n, spec, &p, &w) != 0)
        return -1;
    rc = split_half(&p, spec, &w, p.n_seeds, corr, same_partition);
    work_free(&w);
    prepared_free(&p);
    return rc;
}

int consensus_convergence(const double *Ds, const uint64_t *seeds, size_t runs,
                          const int *failed, size_t n,
                          const consensus_spec *spec, size_t cap,
                          size_t *n_points, size_t *n_seeds, double *corr)
{
    prepared p;
    work w;
    size_t m, count = 0;
    int rc = 0;

    if (prepare_stability(Ds, seeds, runs, failed, n, spec, &p, &w) != 0)
        return -1;
    for (m = 2;; m *= 2) {
        size_t used = m < p.n_seeds ? m : p.n_seeds;

        if (count == cap) {
            rc = error_set("convergence curve: %zu points are too few for "
                           "%zu seeds; pass a larger cap (64 is enough)",
                           cap, p.n_seeds);
            break;
        }
        n_seeds[count] = used;
        if (split_half(&p, spec, &w, used, &corr[count], NULL) != 0) {
            rc = -1;
            break;
        }
        count++;
        if (used == p.n_seeds)
            break;
    }
    *n_points = count;
    work_free(&w);
    prepared_free(&p);
    return rc;
}

/* Leaf sets of the clusters of Z as bitsets, bits[row * words ..] for
 * row 0..n-2 (cluster n + row).  A row's children come before it in Z,
 * so one pass ORs finished child sets into each row. */
static void cluster_bits(const double *Z, size_t n, size_t words,
                         uint64_t *bits)
{
    size_t i, c, w;

    memset(bits, 0, (n - 1) * words * sizeof *bits);
    for (i = 0; i + 1 < n; i++) {
        uint64_t *row = bits + i * words;
        for (c = 0; c < 2; c++) {
            size_t id = (size_t)Z[i * 4 + c];
            if (id < n) {
                row[id / 64] |= (uint64_t)1 << (id % 64);
            } else {
                const uint64_t *child = bits + (id - n) * words;
                for (w = 0; w < words; w++)
                    row[w] |= child[w];
            }
        }
    }
}

int consensus_support(const double *Ds, const uint64_t *seeds, size_t runs,
                      const int *failed, size_t n, const consensus_spec *spec,
                      const double *Z, size_t n_boot, uint64_t boot_seed,
                      double *support)
{
    prepared p;
    work w;
    uint64_t *ref = NULL, *res = NULL;
    size_t *hits = NULL, words = (n + 63) / 64, b, d, i, j;
    int rc = -1;

    if (n_boot == 0)
        return error_set("bootstrap support needs at least 1 resample");
    if (prepare_stability(Ds, seeds, runs, failed, n, spec, &p, &w) != 0)
        return -1;
    /* The cophenetic matrix is not needed, but computing it checks Z. */
    if (linkage_cophenetic(Z, n, w.cb) != 0)
        goto done;
    ref = error_calloc((n - 1) * words, sizeof *ref, "clade bits");
    res = error_calloc((n - 1) * words, sizeof *res, "clade bits");
    hits = error_calloc(n - 1, sizeof *hits, "support counts");
    if (!ref || !res || !hits)
        goto done;
    cluster_bits(Z, n, words, ref);

    for (b = 0; b < n_boot; b++) {
        rng_t r;
        size_t m = 0;

        /* Resample seeds with replacement; all runs of a drawn seed come
         * along, once per draw. */
        rng_init(&r, boot_seed, (uint64_t)b, RNG_SPLIT);
        for (d = 0; d < p.n_seeds; d++) {
            size_t s = (size_t)rng_below(&r, p.n_seeds), q;
            for (q = p.first[s]; q < p.first[s + 1]; q++)
                w.list_a[m++] = p.members[q];
        }
        combine(&p, spec, w.list_a, m, w.ca);
        if (linkage_build(w.ca, n, spec->method, w.za) != 0)
            goto done;
        cluster_bits(w.za, n, words, res);

        for (i = 0; i + 1 < n; i++) {
            for (j = 0; j + 1 < n; j++) {
                if (w.za[j * 4 + 3] == Z[i * 4 + 3] &&
                    memcmp(ref + i * words, res + j * words,
                           words * sizeof *ref) == 0) {
                    hits[i]++;
                    break;
                }
            }
        }
    }
    for (i = 0; i + 1 < n; i++)
        support[i] = (double)hits[i] / (double)n_boot;
    rc = 0;
done:
    free(ref);
    free(res);
    free(hits);
    work_free(&w);
    prepared_free(&p);
    return rc;
}
