/* classify: MLP and random forest on separable sets and on digits,
 * against scikit-learn's accuracies. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vaesweep/classify.h"
#include "vaesweep/dataset.h"
#include "vaesweep/error.h"
#include "vaesweep/rng.h"

#define DIGITS_PATH PROJECT_DIR "/data/digits.csv.gz"

/*
 * Blobs: n samples in d dimensions, class c centred at 6 * e_(c mod d)
 * (scaled by (c / d + 1)), unit normal noise; classes far apart, so
 * any working classifier separates them.
 */
static void make_blobs(double *x, int *y, size_t n, int d, int n_classes,
                       uint64_t seed)
{
    rng_t r;
    size_t i;
    int j;

    rng_init(&r, seed, 99, RNG_NOISE);
    for (i = 0; i < n; i++) {
        int c = (int)(i % (size_t)n_classes);

        y[i] = c;
        for (j = 0; j < d; j++)
            x[i * (size_t)d + j] = rng_normal(&r);
        x[i * (size_t)d + c % d] += 6.0 * (double)(c / d + 1);
    }
}

static double fit_blobs(const classify_params *p, int n_classes,
                        uint64_t stream, int *epochs)
{
    enum { NTR = 300, NTE = 150, D = 4 };
    double xtr[NTR * D], xte[NTE * D];
    int ytr[NTR], yte[NTE], pred[NTE];

    make_blobs(xtr, ytr, NTR, D, n_classes, 1);
    make_blobs(xte, yte, NTE, D, n_classes, 2);
    if (classify_fit_predict(p, xtr, ytr, NTR, D, n_classes, xte, NTE, 5,
                             stream, pred, epochs))
        fail_msg("fit: %s", error_text());
    for (int i = 0; i < NTE; i++)
        assert_true(pred[i] >= 0 && pred[i] < n_classes);
    return classify_accuracy(pred, yte, NTE);
}

static void test_mlp_separable(void **state)
{
    classify_params p;
    int epochs;
    double acc;

    (void)state;
    classify_params_default(&p);
    acc = fit_blobs(&p, 5, 0, &epochs);
    print_message("MLP 5 blobs: accuracy %.4f, %d epochs\n", acc, epochs);
    assert_true(acc >= 0.99);
    assert_true(epochs > 11 && epochs < p.max_epochs);
}

/* Exactly 2 classes: one logistic output unit (scikit-learn's binary
 * path); predictions are 0/1 and right. */
static void test_mlp_binary(void **state)
{
    classify_params p;
    int epochs;
    double acc;

    (void)state;
    classify_params_default(&p);
    acc = fit_blobs(&p, 2, 0, &epochs);
    print_message("MLP 2 blobs: accuracy %.4f, %d epochs\n", acc, epochs);
    assert_true(acc >= 0.99);
    assert_true(epochs > 11);
}

/* max_epochs caps the run (scikit-learn's max_iter). */
static void test_mlp_max_epochs(void **state)
{
    classify_params p;
    int epochs;

    (void)state;
    classify_params_default(&p);
    p.max_epochs = 3;
    fit_blobs(&p, 3, 0, &epochs);
    assert_int_equal(epochs, 3);
}

/* Same stream, same predictions and epochs; another stream, others. */
static void test_deterministic(void **state)
{
    enum { NTR = 200, NTE = 100, D = 4 };
    double xtr[NTR * D], xte[NTE * D];
    int ytr[NTR], a[NTE], b[NTE], ea, eb, kind;
    classify_params p;
    rng_t r;
    size_t i;

    (void)state;
    /* Noise with random labels, so predictions depend on the fit. */
    rng_init(&r, 3, 0, RNG_NOISE);
    for (i = 0; i < NTR * D; i++)
        xtr[i] = rng_normal(&r);
    for (i = 0; i < NTE * D; i++)
        xte[i] = rng_normal(&r);
    for (i = 0; i < NTR; i++)
        ytr[i] = (int)rng_below(&r, 4);
    for (kind = 0; kind < 2; kind++) {
        classify_params_default(&p);
        p.kind = kind ? CLASSIFIER_FOREST : CLASSIFIER_MLP;
        p.max_epochs = 50;
        p.trees = 10;
        assert_int_equal(classify_fit_predict(&p, xtr, ytr, NTR, D, 4, xte, NTE,
                                              1, 7, a, &ea),
                         0);
        assert_int_equal(classify_fit_predict(&p, xtr, ytr, NTR, D, 4, xte, NTE,
                                              1, 7, b, &eb),
                         0);
        assert_memory_equal(a, b, sizeof a);
        assert_int_equal(ea, eb);
        assert_int_equal(classify_fit_predict(&p, xtr, ytr, NTR, D, 4, xte, NTE,
                                              1, 8, b, &eb),
                         0);
        assert_memory_not_equal(a, b, sizeof a);
    }
}

static void test_forest_separable(void **state)
{
    classify_params p;
    int epochs = -1;
    double acc;

    (void)state;
    classify_params_default(&p);
    p.kind = CLASSIFIER_FOREST;
    acc = fit_blobs(&p, 5, 0, &epochs);
    print_message("forest 5 blobs: accuracy %.4f\n", acc);
    assert_true(acc >= 0.99);
    assert_int_equal(epochs, 0);
    acc = fit_blobs(&p, 2, 0, &epochs);
    assert_true(acc >= 0.99);
}

static void test_errors(void **state)
{
    const double x[4] = {0, 1, 2, 3};
    int y[4] = {0, 1, 0, 1}, pred[4];
    classify_params p;

    (void)state;
    classify_params_default(&p);
    assert_int_equal(
        classify_fit_predict(&p, x, y, 4, 1, 1, x, 4, 0, 0, pred, NULL), -1);
    assert_non_null(strstr(error_text(), "at least 2 classes"));
    y[2] = 5;
    assert_int_equal(
        classify_fit_predict(&p, x, y, 4, 1, 2, x, 4, 0, 0, pred, NULL), -1);
    assert_non_null(strstr(error_text(), "sample 2 has label 5"));
    y[2] = 0;
    p.lr = 0.0;
    assert_int_equal(
        classify_fit_predict(&p, x, y, 4, 1, 2, x, 4, 0, 0, pred, NULL), -1);
    assert_non_null(strstr(error_text(), "lr 0 > 0"));
    p.lr = 1e300;
    assert_int_equal(
        classify_fit_predict(&p, x, y, 4, 1, 2, x, 4, 0, 0, pred, NULL), -1);
    assert_non_null(strstr(error_text(), "not finite"));
    classify_params_default(&p);
    p.kind = CLASSIFIER_FOREST;
    p.trees = 0;
    assert_int_equal(
        classify_fit_predict(&p, x, y, 4, 1, 2, x, 4, 0, 0, pred, NULL), -1);
    assert_non_null(strstr(error_text(), "at least 1 tree"));
    assert_true(classify_accuracy(pred, y, 0) == 0.0);
}

/* Digits, raw pixels, our stratified 70/30 split (seed 0). */
typedef struct {
    double *xtr, *xte;
    int *ytr, *yte;
    size_t ntr, nte;
} digits_split;

static void digits_load(digits_split *s)
{
    dataset_t *ds = dataset_load_csv(DIGITS_PATH);
    size_t *tr, *te;

    if (!ds) {
        fail_msg("%s", error_text());
        return; /* fail_msg does not return; this tells cppcheck so */
    }
    tr = calloc(ds->n, sizeof *tr);
    te = calloc(ds->n, sizeof *te);
    s->xtr = calloc(ds->n * 64, sizeof *s->xtr);
    s->xte = calloc(ds->n * 64, sizeof *s->xte);
    s->ytr = calloc(ds->n, sizeof *s->ytr);
    s->yte = calloc(ds->n, sizeof *s->yte);
    assert_true(tr && te && s->xtr && s->xte && s->ytr && s->yte);
    assert_int_equal(dataset_split_stratified(ds->y, ds->n, 10, NULL, 0.3, 0, 0,
                                              tr, &s->ntr, te, &s->nte),
                     0);
    dataset_gather(ds->x, ds->y, 64, tr, s->ntr, s->xtr, s->ytr);
    dataset_gather(ds->x, ds->y, 64, te, s->nte, s->xte, s->yte);
    free(tr);
    free(te);
    dataset_free(ds);
}

static void digits_free(digits_split *s)
{
    free(s->xtr);
    free(s->xte);
    free(s->ytr);
    free(s->yte);
}

static double seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/*
 * scikit-learn 1.2.1 (Debian python3-sklearn, /usr/bin/python3), digits,
 * raw pixels, with
 *   mlp = MLPClassifier(hidden_layer_sizes=(10, 10),
 *                       learning_rate_init=0.002, batch_size=16,
 *                       alpha=1e-4, max_iter=1000, random_state=rs)
 *   rf = RandomForestClassifier(random_state=rs),   rs = 0..4
 * fitted on Xtr, scored on Xte:
 *
 * 1. OUR split (dataset_split_stratified seed 0, stream 0: 1258 training
 *    rows written out and read back as index lists tr / te):
 *      mlp: .9555 .9592 .9666 .9518 .9406   mean .9547
 *      rf:  .9833 .9870 .9833 .9889 .9796   mean .9844
 * 2. scikit-learn's own train_test_split(stratify=y, test_size=0.3,
 *    random_state=s) for s = 0, 1, 2 (mlp n_iter_ 73..125, ~1 s a fit):
 *      mlp mean .9519 / .9544 / .9393;  rf mean .9719 / .9670 / .9663
 *    Ours on those same index sets (streams 0..9 for the MLP, 0..4 for
 *    the forest): mlp .9526 / .9487 / .9507 (58..141 epochs),
 *    forest .9730 / .9667 / .9656.
 *
 * Our split is an easier one than scikit-learn's, so the test compares
 * with (1), which uses the same rows.  Seeds differ from scikit-learn's,
 * so the bands allow for the fit-to-fit spread (std about 0.8 points for
 * the MLP, 0.3 for the forest).
 */
#define SKLEARN_MLP_MEAN    0.9547
#define SKLEARN_FOREST_MEAN 0.9844

/*
 * Same maths as scikit-learn, step for step: our initial weights (seed 0,
 * stream 0) and our per-epoch batch orders were fed to scikit-learn
 * 1.2.1's MLPClassifier (its _init_coef and shuffle monkeypatched to
 * return them; settings as above) on our digits split.  Its loss_curve_
 * equals ours to 1e-15 for the first 50 epochs (rounding then grows to
 * 1e-5 relative by epoch 100), and:
 *   10 classes (softmax):        n_iter_ 117, score .957328 (516 / 539)
 *   digit >= 5 vs < 5 (logistic): n_iter_ 64,  score .970315 (523 / 539)
 * The bands allow a different BLAS to round differently near the end.
 */
static void test_mlp_matches_sklearn(void **state)
{
    digits_split s;
    classify_params p;
    int *pred, epochs;
    size_t i;
    double acc;

    (void)state;
    digits_load(&s);
    pred = calloc(s.nte, sizeof *pred);
    assert_non_null(pred);
    classify_params_default(&p);
    if (classify_fit_predict(&p, s.xtr, s.ytr, s.ntr, 64, 10, s.xte, s.nte, 0,
                             0, pred, &epochs))
        fail_msg("%s", error_text());
    acc = classify_accuracy(pred, s.yte, s.nte);
    print_message("softmax: %d epochs (scikit-learn 117), accuracy %.6f "
                  "(.957328)\n",
                  epochs, acc);
    assert_true(abs(epochs - 117) <= 2);
    assert_true(fabs(acc - 0.957328) <= 0.004);

    for (i = 0; i < s.ntr; i++)
        s.ytr[i] = s.ytr[i] >= 5;
    for (i = 0; i < s.nte; i++)
        s.yte[i] = s.yte[i] >= 5;
    if (classify_fit_predict(&p, s.xtr, s.ytr, s.ntr, 64, 2, s.xte, s.nte, 0, 0,
                             pred, &epochs))
        fail_msg("%s", error_text());
    acc = classify_accuracy(pred, s.yte, s.nte);
    print_message("logistic: %d epochs (scikit-learn 64), accuracy %.6f "
                  "(.970315)\n",
                  epochs, acc);
    assert_true(abs(epochs - 64) <= 2);
    assert_true(fabs(acc - 0.970315) <= 0.004);
    free(pred);
    digits_free(&s);
}

static void test_digits_mlp(void **state)
{
    digits_split s;
    classify_params p;
    int *pred, epochs, k;
    double sum = 0.0;

    (void)state;
    digits_load(&s);
    pred = calloc(s.nte, sizeof *pred);
    assert_non_null(pred);
    classify_params_default(&p);
    for (k = 0; k < 3; k++) {
        double t0 = seconds(), acc;

        if (classify_fit_predict(&p, s.xtr, s.ytr, s.ntr, 64, 10, s.xte, s.nte,
                                 0, (uint64_t)k, pred, &epochs))
            fail_msg("%s", error_text());
        acc = classify_accuracy(pred, s.yte, s.nte);
        print_message("digits MLP stream %d: accuracy %.4f, %d epochs, "
                      "%.3f s\n",
                      k, acc, epochs, seconds() - t0);
        /* scikit-learn stops after 73..125 epochs on these data. */
        assert_true(epochs >= 30 && epochs <= 300);
        sum += acc;
    }
    print_message("digits MLP mean %.4f (scikit-learn %.4f)\n", sum / 3.0,
                  SKLEARN_MLP_MEAN);
    assert_true(fabs(sum / 3.0 - SKLEARN_MLP_MEAN) <= 0.025);
    free(pred);
    digits_free(&s);
}

static void test_digits_forest(void **state)
{
    digits_split s;
    classify_params p;
    int *pred;
    double t0, acc;

    (void)state;
    digits_load(&s);
    pred = calloc(s.nte, sizeof *pred);
    assert_non_null(pred);
    classify_params_default(&p);
    p.kind = CLASSIFIER_FOREST;
    t0 = seconds();
    if (classify_fit_predict(&p, s.xtr, s.ytr, s.ntr, 64, 10, s.xte, s.nte, 0,
                             0, pred, NULL))
        fail_msg("%s", error_text());
    acc = classify_accuracy(pred, s.yte, s.nte);
    print_message("digits forest: accuracy %.4f (scikit-learn %.4f), "
                  "%.3f s\n",
                  acc, SKLEARN_FOREST_MEAN, seconds() - t0);
    assert_true(fabs(acc - SKLEARN_FOREST_MEAN) <= 0.02);
    free(pred);
    digits_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mlp_separable),
        cmocka_unit_test(test_mlp_binary),
        cmocka_unit_test(test_mlp_max_epochs),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_forest_separable),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_mlp_matches_sklearn),
        cmocka_unit_test(test_digits_mlp),
        cmocka_unit_test(test_digits_forest),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
