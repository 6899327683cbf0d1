/* consensus: normalisation, mean/median/co-association, per-run
 * cophenetic correlation, and the stability measures (split halves,
 * bootstrap support, convergence) on runs with a known answer. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vaesweep/consensus.h"
#include "vaesweep/error.h"
#include "vaesweep/rng.h"

#define N  10
#define NN (N * N)

static const consensus_spec MEAN_COMPLETE = {CONSENSUS_MEAN, LINKAGE_COMPLETE,
                                             0};

/* Euclidean distances of n random 2-D points, shifted by group: classes
 * below `split` sit near (0, 0), the others near (sep, 0). */
static void random_points_matrix(rng_t *r, size_t n, size_t split, double sep,
                                 double *D)
{
    double x[2 * N];
    size_t i, j;

    for (i = 0; i < n; i++) {
        x[2 * i] = rng_normal(r) + (i >= split ? sep : 0.0);
        x[2 * i + 1] = rng_normal(r);
    }
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++)
            D[i * n + j] =
                hypot(x[2 * i] - x[2 * j], x[2 * i + 1] - x[2 * j + 1]);
}

static void test_normalise(void **state)
{
    double D[9] = {0, 1, 2, 1, 0, 3, 2, 3, 0}, out[9];
    const double want[9] = {0, 0.5, 1, 0.5, 0, 1.5, 1, 1.5, 0};

    (void)state;
    assert_int_equal(consensus_normalise(D, 3, out), 0);
    testutil_assert_close("normalised", out, want, 9, 1e-15, 1.0);
    assert_int_equal(consensus_normalise(D, 3, D), 0); /* in place */
    testutil_assert_close("normalised in place", D, want, 9, 1e-15, 1.0);

    memset(D, 0, sizeof D);
    assert_int_equal(consensus_normalise(D, 3, out), -1);
    assert_non_null(strstr(error_text(), "collapsed"));
    D[1] = D[3] = NAN;
    assert_int_equal(consensus_normalise(D, 3, out), -1);
    assert_int_equal(consensus_normalise(D, 1, out), -1);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Mean and median equal their definitions on normalised matrices; a
 * failed run (even one full of NaN) is left out. */
static void test_mean_and_median(void **state)
{
    static double Ds[9 * NN], norm[9 * NN], C[NN], want[NN];
    const uint64_t seed = 77;
    int failed[9] = {0};
    consensus_spec spec = MEAN_COMPLETE;
    size_t runs, r, e;
    rng_t g;

    (void)state;
    print_message("mean/median check, seed %llu\n", (unsigned long long)seed);
    rng_init(&g, seed, 0, RNG_INIT);
    for (r = 0; r < 9; r++) {
        random_points_matrix(&g, N, N, 0.0, Ds + r * NN);
        /* Rounding makes ties, which the median must handle. */
        for (e = 0; e < NN; e++)
            Ds[r * NN + e] = round(Ds[r * NN + e] * 4.0) / 4.0;
        assert_int_equal(consensus_normalise(Ds + r * NN, N, norm + r * NN), 0);
    }
    failed[4] = 1;
    for (e = 0; e < NN; e++)
        Ds[4 * NN + e] = NAN;

    for (runs = 8; runs <= 9; runs++) { /* an even and an odd count */
        for (e = 0; e < NN; e++) {
            double sum = 0.0;
            size_t m = 0;
            for (r = 0; r < runs; r++)
                if (!failed[r]) {
                    sum += norm[r * NN + e];
                    m++;
                }
            want[e] = sum / (double)m;
        }
        spec.kind = CONSENSUS_MEAN;
        assert_int_equal(consensus_build(Ds, runs, failed, N, &spec, C), 0);
        testutil_assert_close("mean", C, want, NN, 1e-14, 1.0);

        for (e = 0; e < NN; e++) {
            double v[9] = {0.0}; /* qsort reads only the m set entries */
            size_t m = 0;
            for (r = 0; r < runs; r++)
                if (!failed[r])
                    v[m++] = norm[r * NN + e];
            qsort(v, m, sizeof v[0], cmp_double);
            want[e] = m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2.0;
        }
        spec.kind = CONSENSUS_MEDIAN;
        assert_int_equal(consensus_build(Ds, runs, failed, N, &spec, C), 0);
        testutil_assert_close("median", C, want, NN, 0.0, 1.0);
    }

    /* The NaN run counts once it is no longer flagged failed. */
    failed[4] = 0;
    assert_int_equal(consensus_build(Ds, 9, failed, N, &spec, C), -1);
    assert_non_null(strstr(error_text(), "run 4"));
    assert_non_null(strstr(error_text(), "finite"));
    for (r = 0; r < 9; r++)
        failed[r] = 1;
    assert_int_equal(consensus_build(Ds, 9, failed, N, &spec, C), -1);
    assert_non_null(strstr(error_text(), "no run"));
}

/* Three runs of 4 classes cut into 2 clusters: {0,1}{2,3} twice and
 * {0}{1,2,3} once. */
static void test_coassociation(void **state)
{
    const double A[16] = {0, 1, 5, 5, 1, 0, 5, 5, 5, 5, 0, 1, 5, 5, 1, 0};
    const double B[16] = {0, 9, 9, 9, 9, 0, 1, 1, 9, 1, 0, 1, 9, 1, 1, 0};
    const double third = 1.0 / 3.0;
    const double want[16] = {0,         third,     1, 1,         third, 0,
                             2 * third, 2 * third, 1, 2 * third, 0,     0,
                             1,         2 * third, 0, 0};
    double Ds[48], C[16];
    consensus_spec spec = {CONSENSUS_COASSOCIATION, LINKAGE_COMPLETE, 2};

    (void)state;
    memcpy(Ds, A, sizeof A);
    memcpy(Ds + 16, B, sizeof B);
    memcpy(Ds + 32, A, sizeof A);
    assert_int_equal(consensus_build(Ds, 3, NULL, 4, &spec, C), 0);
    testutil_assert_close("co-association", C, want, 16, 1e-15, 1.0);

    spec.k = 1;
    assert_int_equal(consensus_build(Ds, 3, NULL, 4, &spec, C), -1);
    assert_non_null(strstr(error_text(), "clusters per run"));
}

/* Per-run correlation is scipy's cophenet(Z, run distances); a run that
 * is exactly the consensus tree's ultrametric gives 1; failed -> NaN. */
static void test_run_cophenetic(void **state)
{
    static double Ds[3 * NN], C[NN], coph[NN];
    double Z[(N - 1) * 4], r[3], want;
    int failed[3] = {0, 0, 1};
    rng_t g;

    (void)state;
    rng_init(&g, 5, 0, RNG_INIT);
    random_points_matrix(&g, N, N, 0.0, Ds);
    random_points_matrix(&g, N, N, 0.0, Ds + 2 * NN);
    assert_int_equal(consensus_build(Ds, 1, NULL, N, &MEAN_COMPLETE, C), 0);
    assert_int_equal(linkage_build(C, N, LINKAGE_COMPLETE, Z), 0);
    assert_int_equal(linkage_cophenetic(Z, N, coph), 0);
    memcpy(Ds + NN, coph, sizeof coph);

    assert_int_equal(consensus_run_cophenetic(Z, Ds, 3, failed, N, r), 0);
    assert_int_equal(linkage_correlation(coph, Ds, N, &want), 0);
    assert_true(r[0] == want && want > 0.5 && want < 1.0);
    assert_true(fabs(r[1] - 1.0) < 1e-14);
    assert_true(isnan(r[2]));
}

/* Copies of one run under several seeds agree with themselves. */
static void test_identical_runs_are_stable(void **state)
{
    static double Ds[12 * NN];
    double Z[(N - 1) * 4], C[NN], corr, support[N - 1], curve[64];
    uint64_t seeds[12];
    size_t n_seeds[64], n_points, r;
    int same[N - 1], i;
    rng_t g;

    (void)state;
    rng_init(&g, 11, 0, RNG_INIT);
    random_points_matrix(&g, N, N, 0.0, Ds);
    for (r = 0; r < 12; r++) {
        memcpy(Ds + r * NN, Ds, NN * sizeof *Ds);
        seeds[r] = 100 + r % 6; /* 6 seeds, two runs each */
    }
    assert_int_equal(consensus_split_half(Ds, seeds, 12, NULL, N,
                                          &MEAN_COMPLETE, &corr, same),
                     0);
    assert_true(fabs(corr - 1.0) < 1e-12);
    for (i = 0; i < N - 1; i++)
        assert_int_equal(same[i], 1);

    assert_int_equal(consensus_build(Ds, 12, NULL, N, &MEAN_COMPLETE, C), 0);
    assert_int_equal(linkage_build(C, N, LINKAGE_COMPLETE, Z), 0);
    assert_int_equal(consensus_support(Ds, seeds, 12, NULL, N, &MEAN_COMPLETE,
                                       Z, 50, 3, support),
                     0);
    for (i = 0; i < N - 1; i++)
        assert_true(support[i] == 1.0);

    /* 6 seeds: 2, 4, then all 6. */
    assert_int_equal(consensus_convergence(Ds, seeds, 12, NULL, N,
                                           &MEAN_COMPLETE, 64, &n_points,
                                           n_seeds, curve),
                     0);
    assert_int_equal(n_points, 3);
    assert_int_equal(n_seeds[0], 2);
    assert_int_equal(n_seeds[1], 4);
    assert_int_equal(n_seeds[2], 6);
    for (r = 0; r < n_points; r++)
        assert_true(fabs(curve[r] - 1.0) < 1e-12);
    assert_int_equal(consensus_convergence(Ds, seeds, 12, NULL, N,
                                           &MEAN_COMPLETE, 2, &n_points,
                                           n_seeds, curve),
                     -1);
    assert_non_null(strstr(error_text(), "larger cap"));
}

/* Index of the row of Z whose leaves are exactly {first..last}, or -1. */
static int find_clade(const double *Z, size_t n, size_t first, size_t last)
{
    size_t i, j;

    for (i = 0; i + 1 < n; i++) {
        int member[2 * N] = {0}, ok = 1;
        member[n + i] = 1;
        /* Walk down: rows below i whose parent is marked. */
        for (j = i + 1; j-- > 0;) {
            if (member[n + j]) {
                member[(size_t)Z[j * 4]] = 1;
                member[(size_t)Z[j * 4 + 1]] = 1;
            }
        }
        for (j = 0; j < n; j++)
            ok &= member[j] == (j >= first && j <= last);
        if (ok)
            return (int)i;
    }
    return -1;
}

/* Two groups far apart ({0..4} near one place, {5..9} near another) are
 * found in every resample; within-group structure is noise. */
static void test_separated_groups_full_support(void **state)
{
    enum { RUNS = 20 };
    static double Ds[RUNS * NN];
    double Z[(N - 1) * 4], C[NN], support[N - 1];
    uint64_t seeds[RUNS];
    size_t r;
    int a, b;
    rng_t g;

    (void)state;
    rng_init(&g, 12, 0, RNG_INIT);
    for (r = 0; r < RUNS; r++) {
        random_points_matrix(&g, N, 5, 20.0, Ds + r * NN);
        seeds[r] = 7 * r;
    }
    assert_int_equal(consensus_build(Ds, RUNS, NULL, N, &MEAN_COMPLETE, C), 0);
    assert_int_equal(linkage_build(C, N, LINKAGE_COMPLETE, Z), 0);
    a = find_clade(Z, N, 0, 4);
    b = find_clade(Z, N, 5, 9);
    assert_true(a >= 0 && b >= 0);
    assert_int_equal(consensus_support(Ds, seeds, RUNS, NULL, N, &MEAN_COMPLETE,
                                       Z, 200, 1, support),
                     0);
    assert_true(support[a] == 1.0);
    assert_true(support[b] == 1.0);
    assert_true(support[N - 2] == 1.0); /* the root, always */
}

/* Runs of pure noise: the consensus tree's inner clades rarely
 * reappear, and a given bootstrap seed gives the same numbers. */
static void test_noise_low_support_and_determinism(void **state)
{
    enum { RUNS = 30 };
    static double Ds[RUNS * NN];
    double Z[(N - 1) * 4], C[NN], s1[N - 1], s2[N - 1], s3[N - 1], mean = 0;
    uint64_t seeds[RUNS];
    size_t r, i;
    int differ = 0;
    rng_t g;

    (void)state;
    rng_init(&g, 13, 0, RNG_INIT);
    for (r = 0; r < RUNS; r++) {
        random_points_matrix(&g, N, N, 0.0, Ds + r * NN);
        seeds[r] = r / 2; /* 15 seeds */
    }
    assert_int_equal(consensus_build(Ds, RUNS, NULL, N, &MEAN_COMPLETE, C), 0);
    assert_int_equal(linkage_build(C, N, LINKAGE_COMPLETE, Z), 0);
    assert_int_equal(consensus_support(Ds, seeds, RUNS, NULL, N, &MEAN_COMPLETE,
                                       Z, 200, 42, s1),
                     0);
    assert_int_equal(consensus_support(Ds, seeds, RUNS, NULL, N, &MEAN_COMPLETE,
                                       Z, 200, 42, s2),
                     0);
    assert_int_equal(consensus_support(Ds, seeds, RUNS, NULL, N, &MEAN_COMPLETE,
                                       Z, 200, 43, s3),
                     0);
    assert_memory_equal(s1, s2, sizeof s1);
    for (i = 0; i + 2 < N; i++) {
        mean += s1[i];
        differ |= s1[i] != s3[i];
    }
    mean /= N - 2;
    print_message("noise: mean support of the inner merges %.3f\n", mean);
    assert_true(mean < 0.5);
    assert_true(differ);
}

/* Seeds 1000, 7, 42, 99 sort to 7, 42, 99, 1000: halves {7, 99} and
 * {42, 1000}.  Seeds 7 and 99 carry matrix P in all their runs, 42 and
 * 1000 matrix Q, so any seed split across halves would mix P and Q. */
static void test_split_half_keeps_seeds_whole(void **state)
{
    static double Ds[8 * NN], P[NN], Q[NN];
    const uint64_t seeds[8] = {1000, 7, 42, 99, 7, 1000, 99, 42};
    double corr, want;
    int same[N - 1];
    size_t r;
    rng_t g;

    (void)state;
    rng_init(&g, 14, 0, RNG_INIT);
    random_points_matrix(&g, N, N, 0.0, P);
    random_points_matrix(&g, N, N, 0.0, Q);
    for (r = 0; r < 8; r++)
        memcpy(Ds + r * NN, seeds[r] == 7 || seeds[r] == 99 ? P : Q, sizeof P);
    assert_int_equal(consensus_split_half(Ds, seeds, 8, NULL, N, &MEAN_COMPLETE,
                                          &corr, same),
                     0);
    assert_int_equal(linkage_correlation(P, Q, N, &want), 0);
    assert_true(fabs(corr - want) < 1e-12);
    assert_true(corr < 0.9);

    /* One seed only: nothing to split. */
    assert_int_equal(consensus_split_half(Ds, seeds, 1, NULL, N, &MEAN_COMPLETE,
                                          &corr, same),
                     -1);
    assert_non_null(strstr(error_text(), "2 distinct seeds"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalise),
        cmocka_unit_test(test_mean_and_median),
        cmocka_unit_test(test_coassociation),
        cmocka_unit_test(test_run_cophenetic),
        cmocka_unit_test(test_identical_runs_are_stable),
        cmocka_unit_test(test_separated_groups_full_support),
        cmocka_unit_test(test_noise_low_support_and_determinism),
        cmocka_unit_test(test_split_half_keeps_seeds_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
