/* dataset: CSV loading and its errors, stratified split, scaling, folds. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "vaesweep/dataset.h"
#include "vaesweep/error.h"
#include "vaesweep/rng.h"

#define DIGITS_PATH PROJECT_DIR "/data/digits.csv.gz"

/* Class counts of load_digits, digits 0..9. */
static const size_t digit_counts[10] = {178, 182, 177, 183, 181,
                                        182, 181, 179, 174, 180};

static dataset_t *load_digits(void)
{
    dataset_t *ds = dataset_load_csv(DIGITS_PATH);

    if (!ds)
        fail_msg("loading %s: %s", DIGITS_PATH, error_text());
    return ds;
}

static void test_load_digits(void **state)
{
    dataset_t *ds = load_digits();
    size_t counts[10] = {0}, i;
    int c;

    (void)state;
    assert_int_equal(ds->n, 1797);
    assert_int_equal(ds->d, 64);
    assert_int_equal(ds->n_classes, 10);
    for (c = 0; c < 10; c++)
        assert_int_equal(ds->label_values[c], c);
    for (i = 0; i < ds->n; i++)
        counts[ds->y[i]]++;
    for (c = 0; c < 10; c++)
        assert_int_equal(counts[c], digit_counts[c]);
    /* First row of the file: 0,0,5,13,9,1,... label 0. */
    assert_true(ds->x[2] == 5.0 && ds->x[3] == 13.0 && ds->y[0] == 0);
    /* Pixels are integers 0..16. */
    for (i = 0; i < ds->n * 64; i++)
        assert_true(ds->x[i] >= 0.0 && ds->x[i] <= 16.0);
    dataset_free(ds);
    dataset_free(NULL);
}

/* Splits digits 70/30 with (seed 0, stream 0); caller frees. */
static void split_digits(const dataset_t *ds, size_t **tr, size_t *ntr,
                         size_t **va, size_t *nva)
{
    *tr = calloc(ds->n, sizeof **tr);
    *va = calloc(ds->n, sizeof **va);
    assert_non_null(*tr);
    assert_non_null(*va);
    if (dataset_split_stratified(ds->y, ds->n, ds->n_classes, NULL, 0.3, 0, 0,
                                 *tr, ntr, *va, nva))
        fail_msg("split: %s", error_text());
}

static void test_split(void **state)
{
    dataset_t *ds = load_digits();
    size_t *tr, *va, *tr2, *va2, ntr, nva, ntr2, nva2, i;
    size_t seen[1797] = {0}, vcount[10] = {0};
    int c;

    (void)state;
    split_digits(ds, &tr, &ntr, &va, &nva);
    assert_int_equal(ntr + nva, ds->n);
    /* Each class: round(0.3 * count) in validation, within 1 of 30 %. */
    for (i = 0; i < nva; i++)
        vcount[ds->y[va[i]]]++;
    for (c = 0; c < 10; c++) {
        assert_int_equal(vcount[c], (size_t)round(0.3 * digit_counts[c]));
        assert_true(fabs((double)vcount[c] - 0.3 * digit_counts[c]) <= 1.0);
    }
    /* Disjoint and complete; ascending. */
    for (i = 0; i < ntr; i++)
        seen[tr[i]]++;
    for (i = 0; i < nva; i++)
        seen[va[i]]++;
    for (i = 0; i < ds->n; i++)
        assert_int_equal(seen[i], 1);
    for (i = 1; i < ntr; i++)
        assert_true(tr[i - 1] < tr[i]);
    for (i = 1; i < nva; i++)
        assert_true(va[i - 1] < va[i]);

    /* Deterministic for the same seed, different for another. */
    split_digits(ds, &tr2, &ntr2, &va2, &nva2);
    assert_int_equal(nva2, nva);
    assert_memory_equal(va, va2, nva * sizeof *va);
    assert_int_equal(dataset_split_stratified(ds->y, ds->n, 10, NULL, 0.3, 1, 0,
                                              tr2, &ntr2, va2, &nva2),
                     0);
    assert_int_equal(nva2, nva);
    assert_memory_not_equal(va, va2, nva * sizeof *va);
    free(tr);
    free(va);
    free(tr2);
    free(va2);
    dataset_free(ds);
}

static void test_split_errors(void **state)
{
    /* Class 1 has a single sample: round(0.3) = 0 in validation. */
    const int y[6] = {0, 0, 0, 0, 1, 0};
    size_t tr[6], va[6], ntr, nva;

    (void)state;
    assert_int_equal(
        dataset_split_stratified(y, 6, 2, NULL, 0.3, 0, 0, tr, &ntr, va, &nva),
        -1);
    assert_non_null(strstr(error_text(), "class 1 has 1 sample:"));

    /* With names, the message gives the class's original label. */
    {
        const int names[2] = {4, 9};

        assert_int_equal(dataset_split_stratified(y, 6, 2, names, 0.3, 0, 0, tr,
                                                  &ntr, va, &nva),
                         -1);
        assert_non_null(strstr(error_text(), "class 9 has 1 sample:"));
    }
    assert_int_equal(
        dataset_split_stratified(y, 6, 2, NULL, 1.0, 0, 0, tr, &ntr, va, &nva),
        -1);
    assert_non_null(strstr(error_text(), "between 0 and 1"));
    assert_int_equal(
        dataset_split_stratified(y, 6, 1, NULL, 0.3, 0, 0, tr, &ntr, va, &nva),
        -1);
    assert_non_null(strstr(error_text(), "expected 0..0"));
}

/* Is column j of the n x 64 rows x constant? */
static int column_constant(const double *x, size_t n, int j)
{
    size_t i;

    for (i = 1; i < n; i++)
        if (x[i * 64 + j] != x[j])
            return 0;
    return 1;
}

static void test_standardize(void **state)
{
    dataset_t *ds = load_digits();
    size_t *tr, *va, ntr, nva, i;
    double *xtr, *xva, mean[64], scale[64];
    int j;

    (void)state;
    split_digits(ds, &tr, &ntr, &va, &nva);
    xtr = calloc(ntr * 64, sizeof *xtr);
    xva = calloc(nva * 64, sizeof *xva);
    assert_non_null(xtr);
    assert_non_null(xva);
    dataset_gather(ds->x, NULL, 64, tr, ntr, xtr, NULL);
    dataset_gather(ds->x, NULL, 64, va, nva, xva, NULL);
    assert_int_equal(dataset_standardize_fit(xtr, ntr, 64, mean, scale), 0);

    /* Columns 0, 32 and 39 are zero in every digit.  Column 24 is non-zero
     * only in rows 87 and 1264: scikit-learn's split (random_state 0) puts
     * both in validation, ours (seed 0) puts one in training, so there
     * column 24 is scaled.  Scale 1 exactly where the training column is
     * constant, as scikit-learn's StandardScaler. */
    for (j = 0; j < 64; j++) {
        if (column_constant(xtr, ntr, j))
            assert_true(scale[j] == 1.0);
        else
            assert_true(scale[j] != 1.0 && scale[j] > 0.0);
    }
    assert_true(scale[0] == 1.0 && scale[32] == 1.0 && scale[39] == 1.0);
    dataset_standardize_apply(xtr, ntr, 64, mean, scale);
    dataset_standardize_apply(xva, nva, 64, mean, scale);
    /* Training columns: mean 0, population std 1 (or 0 when constant). */
    for (j = 0; j < 64; j++) {
        double m = 0.0, s = 0.0;

        for (i = 0; i < ntr; i++)
            m += xtr[i * 64 + j];
        m /= (double)ntr;
        for (i = 0; i < ntr; i++)
            s += (xtr[i * 64 + j] - m) * (xtr[i * 64 + j] - m);
        s = sqrt(s / (double)ntr);
        assert_true(fabs(m) < 1e-12);
        assert_true(fabs(s - (scale[j] == 1.0 ? 0.0 : 1.0)) < 1e-12);
    }
    free(xtr);
    free(xva);
    free(tr);
    free(va);
    dataset_free(ds);
}

/* METHOD.md's case: training rows without 87 and 1264 have the four
 * constant columns 0, 24, 32, 39; they keep scale 1 and mean 0, so the
 * validation rows' non-zero column-24 values pass through unchanged. */
static void test_standardize_constant_columns(void **state)
{
    dataset_t *ds = load_digits();
    size_t *tr = calloc(ds->n, sizeof *tr), ntr = 0, i;
    const size_t va[2] = {87, 1264};
    double *xtr = calloc(ds->n * 64, sizeof *xtr), xva[2 * 64];
    double mean[64], scale[64];
    int j;

    (void)state;
    assert_non_null(tr);
    assert_non_null(xtr);
    for (i = 0; i < ds->n; i++)
        if (i != 87 && i != 1264)
            tr[ntr++] = i;
    dataset_gather(ds->x, NULL, 64, tr, ntr, xtr, NULL);
    dataset_gather(ds->x, NULL, 64, va, 2, xva, NULL);
    assert_true(xva[24] != 0.0 && xva[64 + 24] != 0.0);
    assert_int_equal(dataset_standardize_fit(xtr, ntr, 64, mean, scale), 0);
    for (j = 0; j < 64; j++) {
        int constant = j == 0 || j == 24 || j == 32 || j == 39;

        assert_int_equal(scale[j] == 1.0, constant);
        if (constant)
            assert_true(mean[j] == 0.0);
    }
    dataset_standardize_apply(xva, 2, 64, mean, scale);
    assert_true(xva[24] == ds->x[87 * 64 + 24]);
    assert_true(xva[64 + 24] == ds->x[1264 * 64 + 24]);

    /* Gather copies labels too. */
    {
        int yg[3];
        double xg[3 * 64];
        size_t idx[3] = {5, 0, 1796};

        dataset_gather(ds->x, ds->y, 64, idx, 3, xg, yg);
        assert_int_equal(yg[0], ds->y[5]);
        assert_int_equal(yg[2], ds->y[1796]);
        assert_memory_equal(xg + 64, ds->x, 64 * sizeof *xg);
    }
    free(tr);
    free(xtr);
    dataset_free(ds);
}

static void test_kfold(void **state)
{
    dataset_t *ds = load_digits();
    int fold[1797], fold2[1797], f, c;
    size_t per[10][5] = {{0}}, size[5] = {0}, i;

    (void)state;
    assert_int_equal(
        dataset_kfold_stratified(ds->y, ds->n, 10, NULL, 5, 3, 1, fold), 0);
    for (i = 0; i < ds->n; i++) {
        assert_true(fold[i] >= 0 && fold[i] < 5);
        per[ds->y[i]][fold[i]]++;
        size[fold[i]]++;
    }
    for (c = 0; c < 10; c++) {
        size_t lo = per[c][0], hi = per[c][0];

        for (f = 1; f < 5; f++) {
            lo = per[c][f] < lo ? per[c][f] : lo;
            hi = per[c][f] > hi ? per[c][f] : hi;
        }
        assert_true(hi - lo <= 1);
    }
    for (f = 0; f < 5; f++)
        assert_true(size[f] == 359 || size[f] == 360);

    assert_int_equal(
        dataset_kfold_stratified(ds->y, ds->n, 10, NULL, 5, 3, 1, fold2), 0);
    assert_memory_equal(fold, fold2, sizeof fold);
    assert_int_equal(
        dataset_kfold_stratified(ds->y, ds->n, 10, NULL, 5, 4, 1, fold2), 0);
    assert_memory_not_equal(fold, fold2, sizeof fold);
    dataset_free(ds);
}

static void test_kfold_errors(void **state)
{
    const int y[8] = {0, 0, 0, 0, 0, 1, 1, 1};
    int fold[8];

    (void)state;
    assert_int_equal(dataset_kfold_stratified(y, 8, 2, NULL, 4, 0, 0, fold),
                     -1);
    assert_non_null(strstr(error_text(), "class 1 has 3 samples"));
    assert_non_null(strstr(error_text(), "4 folds"));
    assert_int_equal(dataset_kfold_stratified(y, 8, 2, NULL, 1, 0, 0, fold),
                     -1);
    assert_non_null(strstr(error_text(), "at least 2 folds"));
    assert_int_equal(dataset_kfold_stratified(y, 8, 2, NULL, 3, 0, 0, fold), 0);
}

static char *write_file(const char *dir, const char *name, const char *text)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);
    FILE *f;

    assert_non_null(path);
    snprintf(path, len, "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_header_and_labels(void **state)
{
    char *dir = testutil_tmpdir();
    char *path;
    dataset_t *ds;

    (void)state;
    /* A header, CRLF ends, blanks, a trailing blank line, and labels that
     * are not 0..C-1: they are numbered in ascending order. */
    path = write_file(dir, "ok.csv",
                      "px1, px2 ,label\r\n"
                      "1.5, 2,7\r\n"
                      "\r\n"
                      "-3,4e1, -2\r\n"
                      "0,0,7\r\n"
                      "\n");
    ds = dataset_load_csv(path);
    if (!ds) {
        fail_msg("%s", error_text());
        return; /* fail_msg does not return; this tells cppcheck so */
    }
    assert_int_equal(ds->n, 3);
    assert_int_equal(ds->d, 2);
    assert_int_equal(ds->n_classes, 2);
    assert_int_equal(ds->label_values[0], -2);
    assert_int_equal(ds->label_values[1], 7);
    assert_int_equal(ds->y[0], 1);
    assert_int_equal(ds->y[1], 0);
    assert_true(ds->x[0] == 1.5 && ds->x[3] == 40.0);
    dataset_free(ds);
    remove(path);
    free(path);
    remove(dir);
    free(dir);
}

static void test_bad_csv(void **state)
{
    static const struct {
        const char *text;
        const char *words[3];
    } cases[] = {
        {"", {"empty", NULL, NULL}},
        {"\n  \n", {"empty", NULL, NULL}},
        {"a,b,c\n", {"header (line 1) but no data rows", NULL, NULL}},
        {"1,2,0\n3,4,1\n5,6\n",
         {"line 3 has 2 fields", "expected 3", "like line 1"}},
        {"1,2,0\n3,4,1,9\n", {"line 2 has 4 fields", "expected 3", NULL}},
        {"1,2,0\n3,x,1\n", {"line 2, column 2", "expected a number", "\"x\""}},
        {"a,2,0\n3,4,1\n", {"line 1, column 1", "expected a number", NULL}},
        {"1,2,0\n3,,1\n", {"line 2, column 2", "expected a number", NULL}},
        {"1,2,0\n3,nan,1\n", {"line 2, column 2", "finite", NULL}},
        {"1,2,0\ninf,4,1\n", {"line 2, column 1", "finite", NULL}},
        {"1,2,0\n3,4,1.5\n", {"line 2, column 3", "must be an integer", NULL}},
        {"1,2,0\n3,4,1e12\n", {"line 2, column 3", "integer", NULL}},
        {"1,2,4\n3,4,4\n", {"at least 2 classes", NULL, NULL}},
        {"1\n2\n", {"line 1 has 1 field", "at least 2", NULL}},
    };
    char *dir = testutil_tmpdir();
    size_t i;
    int w;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *path = write_file(dir, "dataset_bad.csv", cases[i].text);
        dataset_t *ds = dataset_load_csv(path);

        if (ds)
            fail_msg("case %zu loaded, expected an error", i);
        assert_non_null(strstr(error_text(), path));
        for (w = 0; w < 3 && cases[i].words[w]; w++)
            if (!strstr(error_text(), cases[i].words[w]))
                fail_msg("case %zu: \"%s\" lacks \"%s\"", i, error_text(),
                         cases[i].words[w]);
        remove(path);
        free(path);
    }

    /* A missing file names the path and the system's reason. */
    {
        char *path = write_file(dir, "gone.csv", "");

        remove(path);
        assert_null(dataset_load_csv(path));
        assert_non_null(strstr(error_text(), path));
        assert_non_null(strstr(error_text(), "No such file"));
        free(path);
    }
    remove(dir);
    free(dir);
}

/* A loaded table must hold what the header promises. */
static void check_loaded(const dataset_t *ds, size_t iter)
{
    size_t i;

    if (ds->n < 1 || ds->d < 1 || ds->n_classes < 2)
        fail_msg("mutant %zu loaded as n %zu, d %d, %d classes", iter, ds->n,
                 ds->d, ds->n_classes);
    for (i = 0; i < ds->n * (size_t)ds->d; i++)
        if (!isfinite(ds->x[i]))
            fail_msg("mutant %zu loaded a non-finite value", iter);
    for (i = 0; i < ds->n; i++)
        if (ds->y[i] < 0 || ds->y[i] >= ds->n_classes)
            fail_msg("mutant %zu: label %d out of 0..%d", iter, ds->y[i],
                     ds->n_classes - 1);
    for (i = 1; i < (size_t)ds->n_classes; i++)
        if (ds->label_values[i - 1] >= ds->label_values[i])
            fail_msg("mutant %zu: label values not ascending", iter);
}

/* Fuzz: 3000 mutated copies of a small CSV (bytes replaced, inserted,
 * deleted, lines duplicated, the tail cut) from a fixed seed.  Each
 * either loads a table that keeps the header's promises or fails with a
 * message naming the file; none crashes (run it under ASan/valgrind). */
/* The parts of a split: raw rows are the data's rows, the standardised
 * training rows have mean 0 per feature, and the validation rows use the
 * training statistics (so their mean is not 0). */
static void test_parts(void **state)
{
    dataset_t *ds = dataset_load_csv(PROJECT_DIR "/data/digits.csv.gz");
    dataset_parts p;
    double mean_tr = 0.0, mean_val = 0.0;
    size_t i;

    (void)state;
    if (!ds) {
        fail_msg("%s", error_text());
        return;
    }
    assert_int_equal(dataset_parts_make(ds, 0.3, 0, 0, &p), 0);
    assert_int_equal(p.n_train + p.n_val, ds->n);
    for (i = 0; i < 64; i++)
        assert_true(p.xval[i] == ds->x[p.val_idx[0] * 64 + i]);
    assert_int_equal(p.ytr[3], ds->y[p.train_idx[3]]);
    for (i = 0; i < p.n_train; i++)
        mean_tr += p.xtr_std[i * 64 + 20];
    for (i = 0; i < p.n_val; i++)
        mean_val += p.xval_std[i * 64 + 20];
    assert_true(fabs(mean_tr / (double)p.n_train) < 1e-12);
    assert_true(fabs(mean_val / (double)p.n_val) > 1e-6);
    dataset_parts_free(&p);
    dataset_parts_free(&p); /* harmless twice */

    /* A failed split leaves nothing allocated. */
    assert_int_equal(dataset_parts_make(ds, 1.5, 0, 0, &p), -1);
    assert_null(p.xtr);
    dataset_free(ds);
}

/* A gzip file cut short is an error, not fewer rows; whole it loads. */
static void test_truncated_gzip(void **state)
{
    char *dir = testutil_tmpdir();
    char path[512];
    dataset_t *ds;
    gzFile g;
    int i;

    (void)state;
    snprintf(path, sizeof path, "%s/cut.csv.gz", dir);
    g = gzopen(path, "wb");
    assert_non_null(g);
    for (i = 0; i < 2000; i++)
        gzprintf(g, "%d.25,%d,%d\n", i, i % 17, i % 3);
    assert_int_equal(gzclose(g), Z_OK);
    ds = dataset_load_csv(path);
    assert_non_null(ds);
    assert_int_equal(ds->n, 2000);
    dataset_free(ds);

    /* Drop the end: the last rows and the gzip trailer. */
    assert_int_equal(truncate(path, 2000), 0);
    assert_null(dataset_load_csv(path));
    assert_non_null(strstr(error_text(), path));
    assert_non_null(strstr(error_text(), "truncated"));
    unlink(path);
    rmdir(dir);
    free(dir);
}

static void test_csv_fuzz(void **state)
{
    static const char seed_text[] = "f1,f2,f3,label\n"
                                    "1.5,2,-3e1,0\n"
                                    "0.25, 4 ,7,1\r\n"
                                    "\n"
                                    "-1,0,1e-3,2\n"
                                    "8,9,10,1\n";
    /* Bytes that matter to the parser, then any byte at all. */
    static const char alphabet[] = "0123456789,.,-+eE \t\r\n\nnaifxNI#\"";
    enum { MUTANTS = 3000, CAP = 512 };
    char *dir = testutil_tmpdir();
    size_t len = strlen(dir) + sizeof "/fuzz.csv";
    char *path = malloc(len);
    char buf[CAP];
    size_t iter, loaded = 0;
    rng_t rng;

    (void)state;
    assert_non_null(path);
    snprintf(path, len, "%s/fuzz.csv", dir);
    rng_init(&rng, 2024, 0, RNG_SHUFFLE);
    for (iter = 0; iter < MUTANTS; iter++) {
        size_t n = sizeof seed_text - 1, edits = 1 + rng_below(&rng, 4), e;
        dataset_t *ds;
        FILE *f;

        memcpy(buf, seed_text, n);
        for (e = 0; e < edits; e++) {
            size_t at = n ? rng_below(&rng, n) : 0;
            char c = rng_below(&rng, 4) == 0
                         ? (char)rng_below(&rng, 256)
                         : alphabet[rng_below(&rng, sizeof alphabet - 1)];

            switch (rng_below(&rng, 5)) {
            case 0: /* replace */
                if (n)
                    buf[at] = c;
                break;
            case 1: /* insert */
                if (n < CAP) {
                    memmove(buf + at + 1, buf + at, n - at);
                    buf[at] = c;
                    n++;
                }
                break;
            case 2: /* delete */
                if (n) {
                    memmove(buf + at, buf + at + 1, n - at - 1);
                    n--;
                }
                break;
            case 3: { /* repeat the text from `at` on, up to the cap */
                size_t k = n - at < CAP - n ? n - at : CAP - n;

                memcpy(buf + n, buf + at, k);
                n += k;
                break;
            }
            default: /* cut the tail */
                n = at;
                break;
            }
        }
        f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(buf, 1, n, f), n);
        fclose(f);
        error_clear();
        ds = dataset_load_csv(path);
        if (ds) {
            check_loaded(ds, iter);
            loaded++;
        } else if (!strstr(error_text(), path)) {
            fail_msg("mutant %zu failed without naming the file: \"%s\"", iter,
                     error_text());
        }
        dataset_free(ds);
    }
    /* Both outcomes must be exercised, or the mutations are too mild or
     * too wild to test anything. */
    print_message("csv fuzz: %zu of %d mutants loaded\n", loaded, MUTANTS);
    assert_true(loaded > MUTANTS / 20 && loaded < MUTANTS - MUTANTS / 20);
    remove(path);
    free(path);
    remove(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_digits),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_split_errors),
        cmocka_unit_test(test_standardize),
        cmocka_unit_test(test_standardize_constant_columns),
        cmocka_unit_test(test_kfold),
        cmocka_unit_test(test_kfold_errors),
        cmocka_unit_test(test_header_and_labels),
        cmocka_unit_test(test_bad_csv),
        cmocka_unit_test(test_parts),
        cmocka_unit_test(test_truncated_gzip),
        cmocka_unit_test(test_csv_fuzz),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
