/* linkage: Z, cophenetic correlation and cuts equal scipy 1.10's on the
 * reference cases (tied case included); merges agree with brute force;
 * bad input is rejected with a message. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vaesweep/error.h"
#include "vaesweep/linkage.h"
#include "vaesweep/rng.h"

#define MAX_N 64

/* Square D[n * n] from scipy's condensed vector (squareform). */
static void square_from_condensed(const double *y, size_t n, double *D)
{
    size_t i, j, k = 0;

    for (i = 0; i < n; i++) {
        D[i * n + i] = 0.0;
        for (j = i + 1; j < n; j++) {
            D[i * n + j] = y[k];
            D[j * n + i] = y[k];
            k++;
        }
    }
}

/* Load case c of linkage.json as a square matrix; returns n. */
static size_t load_case(const cJSON *cases, int c, double *D)
{
    const cJSON *cs = cJSON_GetArrayItem(cases, c);
    double y[MAX_N * MAX_N];
    size_t n = (size_t)testutil_json_get(cs, "n")->valuedouble;

    assert_true(n <= MAX_N);
    assert_int_equal(testutil_json_doubles(testutil_json_get(cs, "condensed"),
                                           y, MAX_N * MAX_N),
                     n * (n - 1) / 2);
    square_from_condensed(y, n, D);
    return n;
}

static void check_method_against_scipy(const char *method_name)
{
    cJSON *root = testutil_load_json("linkage.json");
    const cJSON *cases = testutil_json_get(root, "cases");
    enum linkage_method method = LINKAGE_SINGLE;
    int c;

    /* The reference names the methods as scipy does, and so do we. */
    while (method <= LINKAGE_WARD &&
           strcmp(linkage_method_name(method), method_name) != 0)
        method++;
    assert_string_equal(linkage_method_name(method), method_name);
    for (c = 0; c < cJSON_GetArraySize(cases); c++) {
        static double D[MAX_N * MAX_N], C[MAX_N * MAX_N];
        double Z[MAX_N * 4], want[MAX_N * 4], got_d[MAX_N], want_d[MAX_N];
        double r;
        int labels[MAX_N];
        const cJSON *m, *cut;
        size_t n = load_case(cases, c, D), i;
        char label[96];

        m = testutil_json_get(
            testutil_json_get(cJSON_GetArrayItem(cases, c), "methods"),
            method_name);
        assert_int_equal(linkage_build(D, n, method, Z), 0);
        assert_int_equal(
            testutil_json_doubles(testutil_json_get(m, "Z"), want, MAX_N * 4),
            (n - 1) * 4);

        /* Cluster ids and sizes exactly, distances to 1e-12. */
        for (i = 0; i + 1 < n; i++) {
            if (Z[i * 4] != want[i * 4] || Z[i * 4 + 1] != want[i * 4 + 1] ||
                Z[i * 4 + 3] != want[i * 4 + 3]) {
                print_message("case %d %s row %zu: got (%g %g %g) want "
                              "(%g %g %g)\n",
                              c, method_name, i, Z[i * 4], Z[i * 4 + 1],
                              Z[i * 4 + 3], want[i * 4], want[i * 4 + 1],
                              want[i * 4 + 3]);
                fail();
            }
            got_d[i] = Z[i * 4 + 2];
            want_d[i] = want[i * 4 + 2];
        }
        snprintf(label, sizeof label, "case %d %s Z distances", c, method_name);
        testutil_assert_close(label, got_d, want_d, n - 1, 1e-12, 1e-12);

        assert_int_equal(linkage_cophenetic(Z, n, C), 0);
        assert_int_equal(linkage_correlation(C, D, n, &r), 0);
        want_d[0] = testutil_json_get(m, "cophenetic_corr")->valuedouble;
        snprintf(label, sizeof label, "case %d %s cophenetic corr", c,
                 method_name);
        testutil_assert_close(label, &r, want_d, 1, 1e-12, 1e-12);

        /* Every cut, tied levels included, labelled as fcluster does. */
        cJSON_ArrayForEach(cut, testutil_json_get(m, "cuts"))
        {
            double t = testutil_json_get(cut, "t")->valuedouble;
            double wl[MAX_N];

            assert_int_equal(testutil_json_doubles(
                                 testutil_json_get(cut, "labels"), wl, MAX_N),
                             n);
            assert_true(linkage_cut_distance(Z, n, t + 1e-6, labels) > 0);
            for (i = 0; i < n; i++) {
                if (labels[i] != (int)wl[i]) {
                    print_message("case %d %s cut at %g: class %zu got "
                                  "label %d want %g\n",
                                  c, method_name, t, i, labels[i], wl[i]);
                    fail();
                }
            }
        }
    }
    cJSON_Delete(root);
}

static void test_single_matches_scipy(void **state)
{
    (void)state;
    check_method_against_scipy("single");
}

static void test_complete_matches_scipy(void **state)
{
    (void)state;
    check_method_against_scipy("complete");
}

static void test_average_matches_scipy(void **state)
{
    (void)state;
    check_method_against_scipy("average");
}

static void test_ward_matches_scipy(void **state)
{
    (void)state;
    check_method_against_scipy("ward");
}

/* Leaves of cluster id under Z, marked in member[n]. */
static void mark_members(const double *Z, size_t n, size_t id, int *member)
{
    if (id < n) {
        member[id] = 1;
        return;
    }
    mark_members(Z, n, (size_t)Z[(id - n) * 4], member);
    mark_members(Z, n, (size_t)Z[(id - n) * 4 + 1], member);
}

/* Complete linkage's merge height is the largest distance between the
 * two groups, average's the mean, single's the smallest: redo every
 * merge by brute force on random matrices (with ties from rounding). */
static void test_merges_brute_force(void **state)
{
    const uint64_t seed = 20240611;
    int trial;

    (void)state;
    print_message("brute-force linkage check, seed %llu\n",
                  (unsigned long long)seed);
    for (trial = 0; trial < 60; trial++) {
        static double D[MAX_N * MAX_N];
        double Z[MAX_N * 4];
        size_t n = 2 + (size_t)(trial % 25), i, j, row;
        rng_t r;
        enum linkage_method m;

        rng_init(&r, seed, (uint64_t)trial, RNG_INIT);
        for (i = 0; i < n; i++) {
            D[i * n + i] = 0.0;
            for (j = i + 1; j < n; j++) {
                double d = rng_uniform(&r);
                if (trial % 2)
                    d = round(d * 8.0) / 8.0; /* many ties */
                D[i * n + j] = D[j * n + i] = d;
            }
        }
        for (m = LINKAGE_SINGLE; m <= LINKAGE_AVERAGE; m++) {
            assert_int_equal(linkage_build(D, n, m, Z), 0);
            for (row = 0; row + 1 < n; row++) {
                int a[MAX_N] = {0}, b[MAX_N] = {0};
                double lo = INFINITY, hi = 0.0, sum = 0.0, want;
                size_t pairs = 0;

                mark_members(Z, n, (size_t)Z[row * 4], a);
                mark_members(Z, n, (size_t)Z[row * 4 + 1], b);
                for (i = 0; i < n; i++)
                    for (j = 0; j < n; j++)
                        if (a[i] && b[j]) {
                            double d = D[i * n + j];
                            lo = d < lo ? d : lo;
                            hi = d > hi ? d : hi;
                            sum += d;
                            pairs++;
                        }
                /* The two groups are disjoint and make the new size. */
                for (i = 0, j = 0; i < n; i++) {
                    assert_false(a[i] && b[i]);
                    j += (size_t)(a[i] + b[i]);
                }
                assert_true((double)j == Z[row * 4 + 3]);
                want = m == LINKAGE_SINGLE     ? lo
                       : m == LINKAGE_COMPLETE ? hi
                                               : sum / (double)pairs;
                if (fabs(Z[row * 4 + 2] - want) > 1e-12 * (1.0 + want)) {
                    print_message("seed %llu trial %d %s row %zu: height "
                                  "%.17g, brute force %.17g\n",
                                  (unsigned long long)seed, trial,
                                  linkage_method_name(m), row, Z[row * 4 + 2],
                                  want);
                    fail();
                }
                if (m == LINKAGE_COMPLETE)
                    assert_true(Z[row * 4 + 2] == hi);
            }
        }
    }
}

static void test_bad_input_rejected(void **state)
{
    double D[9] = {0, 1, 2, 1, 0, 3, 2, 3, 0}, Z[8];

    (void)state;
    D[2] = D[6] = NAN;
    assert_int_equal(linkage_build(D, 3, LINKAGE_COMPLETE, Z), -1);
    assert_non_null(strstr(error_text(), "finite"));
    assert_non_null(strstr(error_text(), "empty class"));

    D[2] = 2.0;
    assert_int_equal(linkage_build(D, 3, LINKAGE_COMPLETE, Z), -1);
    assert_non_null(strstr(error_text(), "symmetric"));

    D[6] = 2.0;
    D[1] = D[3] = -1.0;
    assert_int_equal(linkage_build(D, 3, LINKAGE_WARD, Z), -1);
    assert_non_null(strstr(error_text(), ">= 0"));

    D[1] = D[3] = 1.0;
    D[4] = 0.5;
    assert_int_equal(linkage_build(D, 3, LINKAGE_SINGLE, Z), -1);
    assert_non_null(strstr(error_text(), "diagonal"));

    D[4] = 0.0;
    assert_int_equal(linkage_build(D, 1, LINKAGE_SINGLE, Z), -1);
    assert_non_null(strstr(error_text(), "at least 2"));
    assert_int_equal(linkage_build(D, 3, (enum linkage_method)9, Z), -1);

    assert_string_equal(linkage_method_name((enum linkage_method)9), "unknown");

    /* A Z that reuses a cluster is refused by the users of Z. */
    assert_int_equal(linkage_build(D, 3, LINKAGE_SINGLE, Z), 0);
    Z[5] = Z[0];
    assert_int_equal(linkage_cophenetic(Z, 3, D), -1);
}

/* The tied reference case: fcluster(Z, k, "maxclust") - 1 from scipy
 * 1.10 for k = 1..9.  Single linkage's two top merges tie at 1.3, so
 * asking for 2 clusters gives 1.  k >= n gives singletons, as current
 * scipy does (1.10 never cut below its second merge height). */
static void test_maxclust_matches_scipy(void **state)
{
    static const int complete[9][10] = {
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 0, 0, 1, 0, 1, 1},
        {1, 1, 1, 1, 0, 0, 2, 0, 1, 1}, {2, 2, 2, 2, 0, 1, 3, 0, 2, 2},
        {2, 2, 2, 3, 0, 1, 4, 0, 2, 2}, {2, 3, 3, 4, 0, 1, 5, 0, 2, 2},
        {2, 3, 3, 4, 0, 1, 5, 0, 2, 2}, {3, 4, 5, 6, 0, 2, 7, 1, 3, 3},
        {3, 4, 5, 6, 0, 2, 7, 1, 3, 3}};
    static const int single[9][10] = {
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {1, 1, 1, 1, 0, 1, 2, 0, 1, 1}, {1, 1, 1, 1, 0, 2, 3, 0, 1, 1},
        {1, 1, 1, 1, 0, 2, 3, 0, 1, 1}, {1, 1, 1, 1, 0, 2, 3, 0, 1, 1},
        {2, 3, 2, 4, 0, 5, 6, 1, 2, 2}, {2, 4, 3, 5, 0, 6, 7, 1, 2, 2},
        {2, 4, 3, 5, 0, 6, 7, 1, 2, 2}};
    cJSON *root = testutil_load_json("linkage.json");
    static double D[MAX_N * MAX_N];
    double Z[MAX_N * 4];
    int labels[MAX_N];
    size_t n = load_case(testutil_json_get(root, "cases"), 3, D), k, i;

    (void)state;
    assert_int_equal(n, 10);
    assert_int_equal(linkage_build(D, n, LINKAGE_COMPLETE, Z), 0);
    for (k = 1; k <= 9; k++) {
        assert_true(linkage_cut_maxclust(Z, n, k, labels) <= (int)k);
        assert_memory_equal(labels, complete[k - 1], sizeof complete[0]);
    }
    assert_int_equal(linkage_build(D, n, LINKAGE_SINGLE, Z), 0);
    for (k = 1; k <= 9; k++) {
        linkage_cut_maxclust(Z, n, k, labels);
        assert_memory_equal(labels, single[k - 1], sizeof single[0]);
    }
    assert_int_equal(linkage_cut_maxclust(Z, n, 10, labels), 10);
    for (i = 0; i < n; i++)
        assert_int_equal(labels[i], (int)i);
    assert_int_equal(linkage_cut_maxclust(Z, n, 0, labels), -1);
    cJSON_Delete(root);
}

/* Tied case, complete linkage: merge heights 0.3 0.3 0.7 0.7 1.1 1.4
 * 1.7 2.1 4.1 give levels 0, 0.3, 0.7, 1.1, 1.4, 1.7, 2.1 with 10, 8,
 * 6, 5, 4, 3, 2 clusters; each partition equals the reference cut. */
static void test_cut_levels_distinct_on_ties(void **state)
{
    static const double want_levels[] = {0.0, 0.3, 0.7, 1.1, 1.4, 1.7, 2.1};
    static const int want_nc[] = {10, 8, 6, 5, 4, 3, 2};
    cJSON *root = testutil_load_json("linkage.json");
    const cJSON *cases = testutil_json_get(root, "cases"), *cut;
    static double D[MAX_N * MAX_N];
    double Z[MAX_N * 4], levels[MAX_N];
    int n_clusters[MAX_N], labels[MAX_N * MAX_N];
    size_t n = load_case(cases, 3, D), n_levels, p = 0, i;

    (void)state;
    assert_int_equal(linkage_build(D, n, LINKAGE_COMPLETE, Z), 0);
    assert_int_equal(
        linkage_cut_levels(Z, n, &n_levels, levels, n_clusters, labels), 0);
    assert_int_equal(n_levels, 7);
    testutil_assert_close("tied levels", levels, want_levels, 7, 1e-15, 1.0);
    assert_memory_equal(n_clusters, want_nc, sizeof want_nc);

    /* Every reference cut is one of the distinct partitions, in order. */
    cJSON_ArrayForEach(
        cut, testutil_json_get(
                 testutil_json_get(
                     testutil_json_get(cJSON_GetArrayItem(cases, 3), "methods"),
                     "complete"),
                 "cuts"))
    {
        double wl[MAX_N];
        double t = testutil_json_get(cut, "t")->valuedouble;

        testutil_json_doubles(testutil_json_get(cut, "labels"), wl, MAX_N);
        while (p + 1 < n_levels && levels[p + 1] <= t)
            p++;
        for (i = 0; i < n; i++)
            assert_int_equal(labels[p * n + i], (int)wl[i]);
    }
    cJSON_Delete(root);
}

/* Two classes of two samples and one of one, in 2-D. */
static void test_class_distances(void **state)
{
    const double mu[] = {0, 0, 2, 0, 10, 0, 10, 4, 1, 3};
    const int y[] = {0, 0, 1, 1, 2};
    const double want_cent[] = {1, 0, 10, 2, 1, 3};
    double cent[6], D[9];
    int bad[] = {0, 0, 1, 1, 3};

    (void)state;
    assert_int_equal(linkage_class_centroids(mu, y, 5, 2, 3, cent), 0);
    testutil_assert_close("centroids", cent, want_cent, 6, 1e-15, 1.0);

    assert_int_equal(linkage_centroid_distances(mu, y, 5, 2, 3, D), 0);
    assert_true(D[0] == 0.0 && D[4] == 0.0 && D[8] == 0.0);
    assert_true(fabs(D[1] - sqrt(85.0)) < 1e-14 && D[1] == D[3]);
    assert_true(fabs(D[2] - 3.0) < 1e-14 && D[2] == D[6]);
    assert_true(fabs(D[5] - sqrt(82.0)) < 1e-14 && D[5] == D[7]);

    /* Mean over the 4 cross pairs of classes 0 and 1, etc. */
    assert_int_equal(linkage_pairwise_distances(mu, y, 5, 2, 3, D), 0);
    assert_true(fabs(D[1] - (10 + sqrt(116.0) + 8 + sqrt(80.0)) / 4) < 1e-14);
    assert_true(fabs(D[2] - (sqrt(10.0) + sqrt(10.0)) / 2) < 1e-14);
    assert_true(D[1] == D[3] && D[0] == 0.0);

    /* Class 2 has no samples: named in the error. */
    bad[4] = 1;
    assert_int_equal(linkage_centroid_distances(mu, bad, 5, 2, 3, D), -1);
    assert_non_null(strstr(error_text(), "class 2 has no samples"));
    bad[4] = 3;
    assert_int_equal(linkage_pairwise_distances(mu, bad, 5, 2, 3, D), -1);
    assert_non_null(strstr(error_text(), "sample 4 has class 3"));
}

/* Merges tied with the last one would cut to a single cluster: such a
 * level is dropped, so every level has 2 or more clusters. */
static void test_levels_top_tie(void **state)
{
    const double D[16] = {0, 1, 2, 2, 1, 0, 2, 2, 2, 2, 0, 2, 2, 2, 2, 0};
    double Z[12], levels[3];
    int n_clusters[3], labels[12];
    size_t n_levels = 99;

    (void)state;
    assert_int_equal(linkage_build(D, 4, LINKAGE_COMPLETE, Z), 0);
    assert_int_equal(
        linkage_cut_levels(Z, 4, &n_levels, levels, n_clusters, labels), 0);
    assert_int_equal(n_levels, 2);
    assert_int_equal(n_clusters[0], 4);
    assert_int_equal(n_clusters[1], 3);
    assert_true(levels[1] == 1.0);
}

static void test_format_groups(void **state)
{
    /* The reference's 6-cluster partition of the digits. */
    const int labels[] = {0, 5, 3, 3, 2, 0, 2, 4, 1, 1};
    char buf[64];

    (void)state;
    assert_int_equal(linkage_format_groups(labels, NULL, 10, buf, sizeof buf),
                     0);
    assert_string_equal(buf, "[0 5] [8 9] [4 6] [2 3] [7] [1]");
    assert_int_equal(linkage_format_groups(labels, NULL, 10, buf, 12), -1);
    assert_non_null(strstr(error_text(), "larger buffer"));

    /* Members are shown by name when names are given. */
    const int names[] = {10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
    assert_int_equal(linkage_format_groups(labels, names, 10, buf, sizeof buf),
                     0);
    assert_string_equal(buf, "[10 15] [18 19] [14 16] [12 13] [17] [11]");
}

/* Perfectly matching distances give a cophenetic correlation of 1. */
static void test_correlation(void **state)
{
    const double A[9] = {0, 1, 2, 1, 0, 3, 2, 3, 0};
    double B[9], C[9], r;
    size_t i;

    (void)state;
    for (i = 0; i < 9; i++)
        B[i] = 2.0 * A[i] + 1.0;
    assert_int_equal(linkage_correlation(A, B, 3, &r), 0);
    assert_true(fabs(r - 1.0) < 1e-15);
    for (i = 0; i < 9; i++)
        C[i] = i % 4 ? 1.0 : 0.0;
    assert_int_equal(linkage_correlation(A, C, 3, &r), -1);
    assert_non_null(strstr(error_text(), "equal"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_matches_scipy),
        cmocka_unit_test(test_complete_matches_scipy),
        cmocka_unit_test(test_average_matches_scipy),
        cmocka_unit_test(test_ward_matches_scipy),
        cmocka_unit_test(test_merges_brute_force),
        cmocka_unit_test(test_bad_input_rejected),
        cmocka_unit_test(test_maxclust_matches_scipy),
        cmocka_unit_test(test_cut_levels_distinct_on_ties),
        cmocka_unit_test(test_class_distances),
        cmocka_unit_test(test_levels_top_tie),
        cmocka_unit_test(test_format_groups),
        cmocka_unit_test(test_correlation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
