/* scores: fold statistics, the support of a level, the recommendation. */
#include "testutil.h"

#include <math.h>

#include "vaesweep/scores.h"

static void test_fold_stats(void **state)
{
    /* 2 levels x (3 folds + validation). */
    const double acc[8] = {0.8, 0.9, 1.0, 0.5, 0.6, 0.6, 0.6, 0.7};
    double fold_acc[6], mean[2], sd[2], val[2];

    (void)state;
    scores_fold_stats(acc, 2, 3, fold_acc, mean, sd, val);
    assert_true(fold_acc[2] == 1.0 && fold_acc[3] == 0.6);
    assert_true(fabs(mean[0] - 0.9) < 1e-15);
    /* Population std of 0.8, 0.9, 1.0: sqrt(0.02 / 3). */
    assert_true(fabs(sd[0] - sqrt(0.02 / 3.0)) < 1e-15);
    assert_true(sd[1] == 0.0);
    assert_true(val[0] == 0.5 && val[1] == 0.7);
}

static void test_level_support(void **state)
{
    /* 5 classes; levels 5, 3 (two tied merges), 2 clusters. */
    const double support[4] = {0.9, 0.4, 0.7, 1.0};
    const int n_clusters[3] = {5, 3, 2};

    (void)state;
    assert_true(isnan(scores_level_support(support, n_clusters, 5, 0)));
    assert_true(scores_level_support(support, n_clusters, 5, 1) == 0.4);
    assert_true(scores_level_support(support, n_clusters, 5, 2) == 0.7);
}

static void test_recommend(void **state)
{
    /* 5 folds: level 1 gains 0.01 with sd 0.02 (se 0.0126: noise),
     * level 2 gains 0.05 (se 0.0089: real), level 3 more still. */
    const double mean[4] = {0.90, 0.91, 0.95, 0.99};
    const double sd[4] = {0.02, 0.02, 0.0, 0.0};
    const double flat[4] = {0.90, 0.90, 0.89, 0.91};

    (void)state;
    assert_int_equal(scores_recommend(mean, sd, 4, 5), 2);

    /* Nothing beats level 0 by 2 standard errors: keep level 0. */
    assert_int_equal(scores_recommend(flat, sd, 4, 5), 0);

    /* One level only. */
    assert_int_equal(scores_recommend(mean, sd, 1, 5), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold_stats),
        cmocka_unit_test(test_level_support),
        cmocka_unit_test(test_recommend),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
