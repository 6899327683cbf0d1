#include "vaesweep/dataset.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "vaesweep/error.h"
#include "vaesweep/rng.h"

/* A growable array of doubles: the parsed values, row after row. */
typedef struct {
    double *v;
    size_t len, cap;
} dbuf_t;

static int dbuf_push(dbuf_t *b, double x)
{
    if (b->len == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 4096;
        double *v = realloc(b->v, cap * sizeof *v);

        if (!v)
            return error_set("out of memory reading a CSV file (%zu values)",
                             cap);
        b->v = v;
        b->cap = cap;
    }
    b->v[b->len++] = x;
    return 0;
}

/*
 * Read one whole line of any length into *buf (growing it), without the
 * line end.  Returns 1 for a line, 0 at end of file, -1 on a read error.
 */
static int read_line(gzFile f, char **buf, size_t *cap, const char *path)
{
    size_t len = 0;

    for (;;) {
        if (*cap - len < 2) {
            size_t ncap = *cap ? 2 * *cap : 1024;
            char *nb = realloc(*buf, ncap);

            if (!nb)
                return error_set("out of memory reading %s", path);
            *buf = nb;
            *cap = ncap;
        }
        if (!gzgets(f, *buf + len, (int)(*cap - len))) {
            int zerr;
            const char *msg = gzerror(f, &zerr);

            /* zlib reports a gzip stream cut short as Z_BUF_ERROR at
             * the end: rows would silently be missing. */
            if (zerr == Z_BUF_ERROR)
                return error_set("cannot read %s: the compressed data ends "
                                 "early (%s); the file is truncated or "
                                 "damaged (gzip -t tells): copy it again",
                                 path, msg);
            if (zerr != Z_OK)
                return error_set("cannot read %s: %s", path, msg);
            if (len == 0)
                return 0;
            break;
        }
        len += strlen(*buf + len);
        if (len > 0 && (*buf)[len - 1] == '\n')
            break;
    }
    while (len > 0 && ((*buf)[len - 1] == '\n' || (*buf)[len - 1] == '\r'))
        len--;
    (*buf)[len] = '\0';
    return 1;
}

static int is_blank(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

/*
 * Parse the comma-separated field starting at s as a double.  On return
 * *end points at the comma or the terminating NUL after the field.
 * Returns 1 when the whole field (blanks aside) is a number, else 0.
 */
static int parse_field(const char *s, double *out, const char **end)
{
    const char *p = s, *stop;
    char *num_end;

    while (*p == ' ' || *p == '\t')
        p++;
    *out = strtod(p, &num_end);
    stop = num_end;
    while (*stop == ' ' || *stop == '\t')
        stop++;
    *end = strchr(s, ',');
    if (!*end)
        *end = s + strlen(s);
    return num_end != p && stop == *end;
}

static int count_fields(const char *s)
{
    int n = 1;

    for (; *s; s++)
        n += *s == ',';
    return n;
}

/* Copy the field at s (up to 40 characters) for an error message. */
static void field_text(const char *s, char *out, size_t cap)
{
    size_t i = 0;

    while (*s == ' ' || *s == '\t')
        s++;
    while (s[i] && s[i] != ',' && i + 1 < cap && i < 40) {
        out[i] = s[i];
        i++;
    }
    out[i] = '\0';
}

/* Is every field of the line non-numeric?  Then it is a header. */
static int line_is_header(const char *s)
{
    const char *end;
    double v;

    for (;;) {
        if (parse_field(s, &v, &end))
            return 0;
        if (!*end)
            return 1;
        s = end + 1;
    }
}

/* Parse one data line of ncols fields onto b. */
static int parse_row(const char *s, const char *path, size_t line, int ncols,
                     size_t first_line, dbuf_t *b)
{
    int nf = count_fields(s), col;
    const char *end;
    double v;
    char text[48];

    if (nf != ncols)
        return error_set("%s: line %zu has %d fields, expected %d like line "
                         "%zu",
                         path, line, nf, ncols, first_line);
    for (col = 1; col <= ncols; col++) {
        if (!parse_field(s, &v, &end)) {
            field_text(s, text, sizeof text);
            return error_set("%s: line %zu, column %d: expected a number, "
                             "got \"%s\"",
                             path, line, col, text);
        }
        if (!isfinite(v)) {
            field_text(s, text, sizeof text);
            return error_set("%s: line %zu, column %d: expected a finite "
                             "number, got \"%s\"; remove or impute missing "
                             "values first",
                             path, line, col, text);
        }
        if (col == ncols && (v != floor(v) || v < INT_MIN || v > INT_MAX)) {
            field_text(s, text, sizeof text);
            return error_set("%s: line %zu, column %d: the label (last "
                             "column) must be an integer that fits a 32-bit "
                             "int, got \"%s\"",
                             path, line, col, text);
        }
        if (dbuf_push(b, v))
            return -1;
        s = end + 1;
    }
    return 0;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;

    return (x > y) - (x < y);
}

/* Number the labels 0..C-1 in ascending order of their values. */
static int map_labels(dataset_t *ds, const int *raw, const char *source)
{
    int *sorted = error_calloc(ds->n, sizeof *sorted, "labels");
    size_t i;
    int c = 0;

    if (!sorted)
        return -1;
    memcpy(sorted, raw, ds->n * sizeof *sorted);
    qsort(sorted, ds->n, sizeof *sorted, cmp_int);
    for (i = 0; i < ds->n; i++)
        if (i == 0 || sorted[i] != sorted[i - 1])
            sorted[c++] = sorted[i];
    if (c < 2) {
        free(sorted);
        return error_set("%s: all %zu rows have label %d; a classification "
                         "needs at least 2 classes (distinct labels)",
                         source, ds->n, raw[0]);
    }
    ds->n_classes = c;
    ds->label_values =
        error_calloc((size_t)c, sizeof *ds->label_values, "label values");
    if (!ds->label_values) {
        free(sorted);
        return -1;
    }
    memcpy(ds->label_values, sorted, (size_t)c * sizeof *sorted);
    for (i = 0; i < ds->n; i++) {
        const int *hit =
            bsearch(&raw[i], sorted, (size_t)c, sizeof *sorted, cmp_int);
        ds->y[i] = (int)(hit - sorted);
    }
    free(sorted);
    return 0;
}

/*
 * The shared end of every loader: take ownership of the features x
 * [n * d] (freed here on failure too), check them, number the raw labels
 * [n] and return the dataset.
 */
static dataset_t *dataset_adopt(double *x, const int *raw, size_t n, int d,
                                const char *source)
{
    dataset_t *ds;
    size_t i;

    if (n == 0 || d < 1) {
        free(x);
        error_set("%s: %zu rows of %d features; expected at least 1 row "
                  "and 1 feature",
                  source, n, d);
        return NULL;
    }
    for (i = 0; i < n * (size_t)d; i++)
        if (!isfinite(x[i])) {
            error_set("%s: row %zu, column %zu: expected a finite number, "
                      "got %g; remove or impute missing values first",
                      source, i / (size_t)d + 1, i % (size_t)d + 1, x[i]);
            free(x);
            return NULL;
        }
    ds = error_calloc(1, sizeof *ds, "dataset");
    if (!ds) {
        free(x);
        return NULL;
    }
    ds->n = n;
    ds->d = d;
    ds->x = x;
    ds->y = error_calloc(n, sizeof *ds->y, "labels");
    if (!ds->y || map_labels(ds, raw, source)) {
        dataset_free(ds);
        return NULL;
    }
    return ds;
}

dataset_t *dataset_from_arrays(const double *x, const int *labels, size_t n,
                               int d, const char *source)
{
    double *copy;

    if (n == 0 || d < 1)
        return dataset_adopt(NULL, labels, n, d, source);
    if (n > SIZE_MAX / sizeof *copy / (size_t)d) {
        error_set("%s: %zu rows of %d features do not fit in memory", source, n,
                  d);
        return NULL;
    }
    copy = error_calloc(n * (size_t)d, sizeof *copy, "features");
    if (!copy)
        return NULL;
    memcpy(copy, x, n * (size_t)d * sizeof *copy);
    return dataset_adopt(copy, labels, n, d, source);
}

/* Split the parsed values into features and labels. */
static dataset_t *build_dataset(const dbuf_t *b, int ncols, const char *path)
{
    size_t n = b->len / (size_t)ncols, i;
    int d = ncols - 1;
    double *x = error_calloc(n * (size_t)d, sizeof *x, "features");
    int *raw = error_calloc(n, sizeof *raw, "labels");
    dataset_t *ds = NULL;

    if (!x || !raw) {
        free(x);
        free(raw);
        return NULL;
    }
    for (i = 0; i < n; i++) {
        const double *row = b->v + i * (size_t)ncols;

        memcpy(x + i * (size_t)d, row, (size_t)d * sizeof *row);
        raw[i] = (int)row[d];
    }
    ds = dataset_adopt(x, raw, n, d, path);
    free(raw);
    return ds;
}

dataset_t *dataset_load_csv(const char *path)
{
    gzFile f;
    char *line = NULL;
    size_t cap = 0, lineno = 0, first_line = 0;
    int ncols = 0, got, header = 0;
    dbuf_t b = {NULL, 0, 0};
    dataset_t *ds = NULL;

    errno = 0;
    f = gzopen(path, "rb");
    if (!f) {
        error_set("cannot open %s: %s; expected a readable CSV file at "
                  "[data] path in the config",
                  path, errno ? strerror(errno) : "out of memory");
        return NULL;
    }
    while ((got = read_line(f, &line, &cap, path)) == 1) {
        lineno++;
        if (is_blank(line))
            continue;
        if (ncols == 0) {
            ncols = count_fields(line);
            first_line = lineno;
            if (ncols < 2) {
                error_set("%s: line %zu has 1 field, expected at least 2 "
                          "(features..., label)",
                          path, lineno);
                goto done;
            }
            if (line_is_header(line)) {
                header = 1;
                continue;
            }
        }
        if (parse_row(line, path, lineno, ncols, first_line, &b))
            goto done;
    }
    if (got < 0)
        goto done;
    if (b.len == 0) {
        if (header)
            error_set("%s: has a header (line %zu) but no data rows", path,
                      first_line);
        else
            error_set("%s: the file is empty; expected rows of "
                      "features..., label",
                      path);
        goto done;
    }
    ds = build_dataset(&b, ncols, path);

done:
    gzclose(f);
    free(line);
    free(b.v);
    return ds;
}

void dataset_free(dataset_t *ds)
{
    if (!ds)
        return;
    free(ds->x);
    free(ds->y);
    free(ds->label_values);
    free(ds);
}

/* How a message names class c: its original label when known. */
#define CLASS_NAME(names, c) ((names) ? (names)[c] : (c))

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t i;

    for (i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

void dataset_parts_free(dataset_parts *p)
{
    free(p->train_idx);
    free(p->val_idx);
    free(p->xtr);
    free(p->xval);
    free(p->xtr_std);
    free(p->xval_std);
    free(p->ytr);
    free(p->yval);
    memset(p, 0, sizeof *p);
}

/* A standardised copy of x[n * d]; NULL when out of memory. */
static double *standardised_copy(const double *x, size_t n, int d,
                                 const double *mean, const double *scale)
{
    double *out = error_calloc(n * (size_t)d, sizeof *out, "scaled data");

    if (out) {
        memcpy(out, x, n * (size_t)d * sizeof *out);
        dataset_standardize_apply(out, n, d, mean, scale);
    }
    return out;
}

int dataset_parts_make(const dataset_t *ds, double test_size, uint64_t seed,
                       uint64_t stream, dataset_parts *p)
{
    const size_t dim = (size_t)ds->d;
    double *mean = error_calloc(dim, sizeof *mean, "feature means");
    double *scale = error_calloc(dim, sizeof *scale, "feature scales");
    int rc = -1;

    memset(p, 0, sizeof *p);
    p->train_idx = error_calloc(ds->n, sizeof *p->train_idx, "split rows");
    p->val_idx = error_calloc(ds->n, sizeof *p->val_idx, "split rows");
    if (!mean || !scale || !p->train_idx || !p->val_idx ||
        dataset_split_stratified(ds->y, ds->n, ds->n_classes, ds->label_values,
                                 test_size, seed, stream, p->train_idx,
                                 &p->n_train, p->val_idx, &p->n_val) < 0)
        goto done;
    p->xtr = error_calloc(p->n_train * dim, sizeof *p->xtr, "training rows");
    p->xval = error_calloc(p->n_val * dim, sizeof *p->xval, "validation rows");
    p->ytr = error_calloc(p->n_train, sizeof *p->ytr, "training labels");
    p->yval = error_calloc(p->n_val, sizeof *p->yval, "validation labels");
    if (!p->xtr || !p->xval || !p->ytr || !p->yval)
        goto done;
    dataset_gather(ds->x, ds->y, ds->d, p->train_idx, p->n_train, p->xtr,
                   p->ytr);
    dataset_gather(ds->x, ds->y, ds->d, p->val_idx, p->n_val, p->xval, p->yval);

    /* The training part's statistics scale both parts. */
    if (dataset_standardize_fit(p->xtr, p->n_train, ds->d, mean, scale) < 0 ||
        !(p->xtr_std =
              standardised_copy(p->xtr, p->n_train, ds->d, mean, scale)) ||
        !(p->xval_std =
              standardised_copy(p->xval, p->n_val, ds->d, mean, scale)))
        goto done;
    rc = 0;
done:
    if (rc < 0)
        dataset_parts_free(p);
    free(mean);
    free(scale);
    return rc;
}

uint64_t dataset_fingerprint(const dataset_t *ds)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    h = fnv1a(h, &ds->n, sizeof ds->n);
    h = fnv1a(h, &ds->d, sizeof ds->d);
    h = fnv1a(h, ds->x, ds->n * (size_t)ds->d * sizeof *ds->x);
    return fnv1a(h, ds->y, ds->n * sizeof *ds->y);
}

static int check_labels(const int *y, size_t n, int n_classes, size_t *counts)
{
    size_t i;

    if (n_classes < 1)
        return error_set("expected at least 1 class, got %d", n_classes);
    memset(counts, 0, (size_t)n_classes * sizeof *counts);
    for (i = 0; i < n; i++) {
        if (y[i] < 0 || y[i] >= n_classes)
            return error_set("sample %zu has label %d, expected 0..%d", i, y[i],
                             n_classes - 1);
        counts[y[i]]++;
    }
    return 0;
}

/*
 * Indices grouped by class, classes ascending, each group in ascending
 * order of sample index, then each group shuffled with the stream: what
 * the split and the folds deal from.  The group of class c is
 * order[start[c] .. start[c] + counts[c]).
 */
typedef struct {
    size_t *counts, *start, *order;
} class_order;

static void class_order_free(class_order *o)
{
    free(o->counts);
    free(o->start);
    free(o->order);
}

/* Fails (error set, o freed) on a bad label or out of memory. */
static int class_order_make(class_order *o, const int *y, size_t n,
                            int n_classes, uint64_t seed, uint64_t stream)
{
    const size_t nc = (size_t)(n_classes > 0 ? n_classes : 1);
    size_t *fill = error_calloc(nc, sizeof *fill, "class fill");
    rng_t r;
    size_t i;
    int c;

    o->counts = error_calloc(nc, sizeof *o->counts, "class counts");
    o->start = error_calloc(nc, sizeof *o->start, "class starts");
    o->order = error_calloc(n, sizeof *o->order, "class order");
    if (!fill || !o->counts || !o->start || !o->order ||
        check_labels(y, n, n_classes, o->counts)) {
        free(fill);
        class_order_free(o);
        return -1;
    }
    for (c = 1; c < n_classes; c++)
        o->start[c] = o->start[c - 1] + o->counts[c - 1];
    memcpy(fill, o->start, nc * sizeof *fill);
    for (i = 0; i < n; i++)
        o->order[fill[y[i]]++] = i;
    rng_init(&r, seed, stream, RNG_SPLIT);
    for (c = 0; c < n_classes; c++)
        rng_shuffle(&r, o->order + o->start[c], o->counts[c]);
    free(fill);
    return 0;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return (x > y) - (x < y);
}

int dataset_split_stratified(const int *y, size_t n, int n_classes,
                             const int *names, double test_size, uint64_t seed,
                             uint64_t stream, size_t *train_idx,
                             size_t *n_train, size_t *val_idx, size_t *n_val)
{
    class_order o;
    size_t ntr = 0, nva = 0, i;
    int c, rc = -1;

    if (!(test_size > 0.0 && test_size < 1.0))
        return error_set("validation fraction ([data] test_size) must be "
                         "between 0 and 1 (exclusive), got %g",
                         test_size);
    if (n == 0)
        return error_set("cannot split an empty dataset");
    if (class_order_make(&o, y, n, n_classes, seed, stream) < 0)
        return -1;
    for (c = 0; c < n_classes; c++) {
        const size_t *counts = o.counts;
        size_t nv = (size_t)round(test_size * (double)counts[c]);

        if (counts[c] > 0 && (nv == 0 || nv == counts[c])) {
            error_set("class %d has %zu sample%s: a validation fraction "
                      "([data] test_size) of %g leaves it %zu in validation "
                      "and %zu in training; expected samples of each class "
                      "in both parts (add data, drop the class or change "
                      "data.test_size)",
                      CLASS_NAME(names, c), counts[c],
                      counts[c] == 1 ? "" : "s", test_size, nv, counts[c] - nv);
            goto done;
        }
    }
    for (c = 0; c < n_classes; c++) {
        size_t nv = (size_t)round(test_size * (double)o.counts[c]);

        for (i = 0; i < o.counts[c]; i++) {
            if (i < nv)
                val_idx[nva++] = o.order[o.start[c] + i];
            else
                train_idx[ntr++] = o.order[o.start[c] + i];
        }
    }
    qsort(train_idx, ntr, sizeof *train_idx, cmp_size);
    qsort(val_idx, nva, sizeof *val_idx, cmp_size);
    *n_train = ntr;
    *n_val = nva;
    rc = 0;

done:
    class_order_free(&o);
    return rc;
}

int dataset_kfold_stratified(const int *y, size_t n, int n_classes,
                             const int *names, int k, uint64_t seed,
                             uint64_t stream, int *fold)
{
    class_order o;
    size_t i, deal = 0;
    int c, rc = -1;

    if (k < 2)
        return error_set("cross-validation needs at least 2 folds, got %d", k);
    if (n == 0)
        return error_set("cannot make folds of an empty dataset");
    if (class_order_make(&o, y, n, n_classes, seed, stream) < 0)
        return -1;
    for (c = 0; c < n_classes; c++) {
        const size_t *counts = o.counts;

        /* A class of one sample cannot be cross-validated at any fold
         * count, so lowering the fold count is no advice there. */
        if (counts[c] == 1) {
            error_set("class %d has 1 sample, fewer than the %d folds "
                      "([score] folds): expected at least 2 samples of "
                      "each class for cross-validation; add data or drop "
                      "the class",
                      CLASS_NAME(names, c), k);
            goto done;
        }
        if (counts[c] > 0 && counts[c] < (size_t)k) {
            error_set("class %d has %zu samples, fewer than the %d folds "
                      "([score] folds): expected at least as many samples "
                      "as folds; set score.folds to at most %zu",
                      CLASS_NAME(names, c), counts[c], k, counts[c]);
            goto done;
        }
    }
    /* One deal over all classes in turn: per-class counts per fold differ
     * by at most one, and so do the fold sizes. */
    for (c = 0; c < n_classes; c++)
        for (i = 0; i < o.counts[c]; i++)
            fold[o.order[o.start[c] + i]] = (int)(deal++ % (size_t)k);
    rc = 0;

done:
    class_order_free(&o);
    return rc;
}

int dataset_standardize_fit(const double *x, size_t n, int d, double *mean,
                            double *scale)
{
    size_t i;
    int j;

    if (n == 0 || d < 1)
        return error_set("cannot standardise %zu rows of %d features; "
                         "expected at least 1 row and 1 feature",
                         n, d);
    for (j = 0; j < d; j++) {
        mean[j] = 0.0;
        scale[j] = 0.0;
    }
    for (i = 0; i < n; i++)
        for (j = 0; j < d; j++)
            mean[j] += x[i * (size_t)d + j];
    for (j = 0; j < d; j++)
        mean[j] /= (double)n;
    /* Two passes, as scikit-learn: the variance of the centred values. */
    for (i = 0; i < n; i++)
        for (j = 0; j < d; j++) {
            double t = x[i * (size_t)d + j] - mean[j];
            scale[j] += t * t;
        }
    for (j = 0; j < d; j++) {
        double var = scale[j] / (double)n;
        double bound = (double)n * DBL_EPSILON * var +
                       pow((double)n * mean[j] * DBL_EPSILON, 2.0);

        scale[j] = var <= bound ? 1.0 : sqrt(var);
    }
    return 0;
}

void dataset_standardize_apply(double *x, size_t n, int d, const double *mean,
                               const double *scale)
{
    size_t i;
    int j;

    for (i = 0; i < n; i++)
        for (j = 0; j < d; j++)
            x[i * (size_t)d + j] = (x[i * (size_t)d + j] - mean[j]) / scale[j];
}

void dataset_gather(const double *x, const int *y, int d, const size_t *idx,
                    size_t m, double *xout, int *yout)
{
    size_t i;

    for (i = 0; i < m; i++) {
        memcpy(xout + i * (size_t)d, x + idx[i] * (size_t)d,
               (size_t)d * sizeof *x);
        if (y && yout)
            yout[i] = y[idx[i]];
    }
}
