/* rng: streams are reproducible, distinct, and roughly right. */
#include "testutil.h"

#include <math.h>

#include "vaesweep/rng.h"

static void test_same_stream_same_numbers(void **state)
{
    rng_t a, b;
    int i;

    (void)state;
    rng_init(&a, 7, 3, RNG_NOISE);
    rng_init(&b, 7, 3, RNG_NOISE);
    for (i = 0; i < 100; i++)
        assert_true(rng_u64(&a) == rng_u64(&b));
}

static void test_streams_differ(void **state)
{
    rng_t a, b, c;

    (void)state;
    rng_init(&a, 7, 3, RNG_NOISE);
    rng_init(&b, 7, 4, RNG_NOISE);
    rng_init(&c, 7, 3, RNG_INIT);
    uint64_t x = rng_u64(&a);
    assert_true(x != rng_u64(&b));
    assert_true(x != rng_u64(&c));
}

static void test_normal_moments(void **state)
{
    rng_t r;
    double sum = 0.0, sq = 0.0;
    int i, n = 200000;

    (void)state;
    rng_init(&r, 1, 0, RNG_NOISE);
    for (i = 0; i < n; i++) {
        double z = rng_normal(&r);
        sum += z;
        sq += z * z;
    }
    /* Standard errors are 1/sqrt(n) ~ 0.0022 and sqrt(2/n) ~ 0.0032. */
    assert_true(fabs(sum / n) < 0.01);
    assert_true(fabs(sq / n - 1.0) < 0.015);
}

static void test_below_and_shuffle(void **state)
{
    rng_t r;
    size_t idx[50], seen[50] = {0};
    size_t i;

    (void)state;
    rng_init(&r, 2, 0, RNG_SHUFFLE);
    for (i = 0; i < 1000; i++)
        assert_true(rng_below(&r, 13) < 13);
    for (i = 0; i < 50; i++)
        idx[i] = i;
    rng_shuffle(&r, idx, 50);
    for (i = 0; i < 50; i++)
        seen[idx[i]]++;
    for (i = 0; i < 50; i++)
        assert_int_equal(seen[i], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_stream_same_numbers),
        cmocka_unit_test(test_streams_differ),
        cmocka_unit_test(test_normal_moments),
        cmocka_unit_test(test_below_and_shuffle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
