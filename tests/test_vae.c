/* vae: three training steps against PyTorch, determinism of a whole run,
 * divergence reporting, and eval-mode chunking.
 *
 * tests/data/vae_steps.json is a float64 PyTorch reference (see its
 * "about"): from given initial parameters, three train-mode steps on
 * given batches and noise, each with the loss terms, every gradient, every
 * parameter after the NAdam step and the BatchNorm running stats; then
 * eval-mode latent means.  The same arithmetic in another order differs
 * by a few ulps per operation, so 1e-9 relative is tight yet safe. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vaesweep/error.h"
#include "vaesweep/vae.h"

#define REF_TOL 1e-9
/* Values are compared relative to max(|want|, REF_FLOOR).  The floor
 * matters only for entries that are near zero through cancellation, e.g.
 * the bias gradient of a Linear whose ReLU is active on the whole batch
 * before a BatchNorm: exactly 0 in exact arithmetic, a few 1e-16 here and
 * in PyTorch.  Their rounding error is absolute, ulps of the O(0.1) terms
 * that cancel, so below 1e-6 we ask for 1e-15 absolute instead. */
#define REF_FLOOR 1e-6

#define REF_MAX 4096

static const vae_shape digits_shape = {64, 10, 2};

/* Worst relative gap seen against the reference, printed at the end so
 * a passing run shows its margin. */
static double worst_seen;

static void note_gap(const double *got, const double *want, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        double scale = fabs(want[i]) > REF_FLOOR ? fabs(want[i]) : REF_FLOOR;
        double gap = fabs(got[i] - want[i]) / scale;

        if (gap > worst_seen)
            worst_seen = gap;
    }
}

/* Load ref[key] (nested numbers) into a fresh array; *n gets the count. */
static double *json_array(const cJSON *obj, const char *key, size_t *n)
{
    const cJSON *arr = testutil_json_get(obj, key);
    double *v = malloc(REF_MAX * sizeof *v);

    assert_non_null(v);
    *n = testutil_json_doubles(arr, v, REF_MAX);
    return v;
}

/* Compare every tensor of `views` (vae_param, vae_grad or vae_running)
 * with the same-named entries of ref; label says which step and what. */
static void compare_named(vae_t *m, const cJSON *ref, const char *what,
                          int step,
                          double *(*view)(vae_t *, const char *, size_t *),
                          const char *(*name_of)(int), int count)
{
    int i;

    for (i = 0; i < count; i++) {
        const char *name = name_of(i);
        size_t n, want_n;
        double *got = view(m, name, &n);
        double *want = json_array(ref, name, &want_n);
        char label[128];

        assert_non_null(got);
        assert_int_equal(n, want_n);
        snprintf(label, sizeof label, "step %d %s %s", step, what, name);
        note_gap(got, want, n);
        testutil_assert_close(label, got, want, n, REF_TOL, REF_FLOOR);
        free(want);
    }
}

static void set_reference_init(vae_t *m, const cJSON *ref)
{
    const cJSON *init = testutil_json_get(ref, "init");
    int i;

    for (i = 0; i < VAE_N_TENSORS; i++) {
        const char *name = vae_param_name(i);
        size_t n, want_n;
        double *p = vae_param(m, name, &n);
        double *v = json_array(init, name, &want_n);

        assert_non_null(p);
        assert_int_equal(n, want_n);
        memcpy(p, v, n * sizeof *p);
        free(v);
    }
}

static void test_matches_pytorch_steps(void **state)
{
    cJSON *ref = testutil_load_json("vae_steps.json");
    const cJSON *steps = testutil_json_get(ref, "steps");
    const cJSON *names = testutil_json_get(ref, "param_names");
    vae_t *m = vae_create(&digits_shape, 16);
    vae_hparams hp;
    double alphas[3];
    size_t n, nx;
    int s, i;

    (void)state;
    assert_non_null(m);
    assert_int_equal(vae_param_count(m), 5204);

    /* Our block order is the reference's parameter order. */
    assert_int_equal(cJSON_GetArraySize(names), VAE_N_TENSORS);
    for (i = 0; i < VAE_N_TENSORS; i++)
        assert_string_equal(cJSON_GetArrayItem(names, i)->valuestring,
                            vae_param_name(i));

    vae_hparams_default(&hp);
    assert_int_equal(
        testutil_json_doubles(testutil_json_get(ref, "alphas"), alphas, 3), 3);
    assert_true(hp.a_rec == alphas[0] && hp.a_clf == alphas[1] &&
                hp.a_kl == alphas[2]);
    set_reference_init(m, ref);

    for (s = 0; s < cJSON_GetArraySize(steps); s++) {
        const cJSON *st = cJSON_GetArrayItem(steps, s);
        double *x = json_array(st, "x", &nx);
        double *yd = json_array(st, "y", &n);
        double *eps = json_array(st, "eps", &n);
        double losses[4], want[4];
        int y[16], b = (int)(nx / 64);
        char label[64];

        assert_int_equal(b, 16);
        for (i = 0; i < b; i++)
            y[i] = (int)yd[i];
        assert_int_equal(vae_train_step(m, &hp, x, y, eps, b, losses), 0);

        want[0] = testutil_json_get(st, "loss")->valuedouble;
        want[1] = testutil_json_get(st, "mse")->valuedouble;
        want[2] = testutil_json_get(st, "ce")->valuedouble;
        want[3] = testutil_json_get(st, "kl")->valuedouble;
        snprintf(label, sizeof label, "step %d losses", s + 1);
        note_gap(losses, want, 4);
        testutil_assert_close(label, losses, want, 4, REF_TOL, REF_FLOOR);

        compare_named(m, testutil_json_get(st, "grads"), "grad", s + 1,
                      vae_grad, vae_param_name, VAE_N_TENSORS);
        compare_named(m, testutil_json_get(st, "params_after"), "param", s + 1,
                      vae_param, vae_param_name, VAE_N_TENSORS);
        compare_named(m, testutil_json_get(st, "bn_running"), "running", s + 1,
                      vae_running, vae_running_name, VAE_N_RUNNING);
        free(x);
        free(yd);
        free(eps);
    }

    {
        double *ex = json_array(ref, "eval_x", &nx);
        double *emu = json_array(ref, "eval_mu", &n);
        double mu[8], mu_small[8];
        vae_t *small;

        assert_int_equal(nx, 4 * 64);
        assert_int_equal(n, 8);
        assert_int_equal(vae_encode(m, ex, 4, mu), 0);
        note_gap(mu, emu, 8);
        testutil_assert_close("eval mu", mu, emu, 8, REF_TOL, REF_FLOOR);
        print_message("worst relative gap to PyTorch: %.2e\n", worst_seen);

        /* The blocks carry the whole model: copied into a model with
         * max_batch 3, encoding in chunks of 3 + 1 gives the same means,
         * up to an ulp or two (BLAS may pick another kernel for another
         * row count; under valgrind it does). */
        small = vae_create(&digits_shape, 3);
        assert_non_null(small);
        memcpy(vae_param_block(small), vae_param_block(m),
               vae_param_count(m) * sizeof(double));
        memcpy(vae_running_block(small), vae_running_block(m),
               vae_running_count(m) * sizeof(double));
        assert_int_equal(vae_encode(small, ex, 4, mu_small), 0);
        testutil_assert_close("chunked eval mu", mu_small, mu, 8, 1e-14, 1e-12);
        vae_free(small);
        free(ex);
        free(emu);
    }
    vae_free(m);
    cJSON_Delete(ref);
}

/* ---------------------------------------------------------------- */
/* A small synthetic problem: 3 classes in 8 features, class c shifted by
 * +2 in feature c (plus noise), 120 samples. */

enum { SN = 120, SD = 8, SC = 3 };

static const vae_shape synth_shape = {SD, SC, 2};

static void synth_data(double *x, int *y)
{
    rng_t r;
    int i, j;

    rng_init(&r, 99, 0, RNG_SPLIT);
    for (i = 0; i < SN; i++) {
        y[i] = i % SC;
        for (j = 0; j < SD; j++)
            x[i * SD + j] = rng_normal(&r) * 0.5 + (j == y[i] ? 2.0 : 0.0);
    }
}

static void test_train_deterministic(void **state)
{
    static double x[SN * SD];
    static int y[SN], pred[SN];
    vae_t *m = vae_create(&synth_shape, 16);
    vae_hparams hp;
    double c1[10 * 4], c2[10 * 4], c3[10 * 4];
    double *p1;
    size_t np;
    int i, right = 0;

    (void)state;
    assert_non_null(m);
    synth_data(x, y);
    vae_hparams_default(&hp);
    hp.epochs = 10;
    np = vae_param_count(m);
    p1 = malloc(np * sizeof *p1);
    assert_non_null(p1);

    assert_int_equal(vae_train(m, &hp, x, y, SN, 5, 2, c1), 0);
    memcpy(p1, vae_param_block(m), np * sizeof *p1);
    /* Training again on the same model restarts from scratch. */
    assert_int_equal(vae_train(m, &hp, x, y, SN, 5, 2, c2), 0);
    assert_memory_equal(c1, c2, sizeof c1);
    assert_memory_equal(p1, vae_param_block(m), np * sizeof *p1);

    /* Another stream is another run. */
    assert_int_equal(vae_train(m, &hp, x, y, SN, 5, 3, c3), 0);
    assert_true(memcmp(c1, c3, sizeof c1) != 0);

    /* It learns: the loss falls and the classes are separable. */
    for (i = 0; i < 10 * 4; i++)
        assert_true(isfinite(c1[i]));
    assert_true(c1[9 * 4] < 0.8 * c1[0]);
    assert_int_equal(vae_predict(m, x, SN, pred), 0);
    for (i = 0; i < SN; i++)
        right += pred[i] == y[i];
    print_message("synthetic training accuracy %d / %d\n", right, SN);
    assert_true(right >= 0.9 * SN);

    free(p1);
    vae_free(m);
}

static void test_nan_input_names_epoch(void **state)
{
    static double x[SN * SD];
    static int y[SN];
    vae_t *m = vae_create(&synth_shape, 16);
    vae_hparams hp;
    int i;

    (void)state;
    assert_non_null(m);
    synth_data(x, y);
    /* Every row, so the first batch of epoch 1 already holds one. */
    for (i = 0; i < SN; i++)
        x[i * SD + 3] = NAN;
    vae_hparams_default(&hp);
    error_clear();
    assert_int_equal(vae_train(m, &hp, x, y, SN, 5, 2, NULL), -1);
    print_message("message: %s\n", error_text());
    assert_non_null(strstr(error_text(), "epoch 1, step 1"));
    assert_non_null(strstr(error_text(), "seed 5, stream 2"));
    assert_non_null(strstr(error_text(), "non-finite loss"));
    vae_free(m);
}

static void test_bad_arguments(void **state)
{
    static double x[SN * SD];
    static int y[SN];
    vae_shape bad = {SD, 1, 2};
    vae_t *m = vae_create(&synth_shape, 8);
    vae_hparams hp;
    size_t dims[2];

    (void)state;
    assert_non_null(m);
    synth_data(x, y);
    vae_hparams_default(&hp);

    assert_null(vae_create(&bad, 16));
    assert_non_null(strstr(error_text(), "n_classes >= 2"));
    assert_null(vae_create(&synth_shape, 1));

    /* Batch 16 does not fit buffers for 8 rows. */
    assert_int_equal(vae_train(m, &hp, x, y, SN, 0, 0, NULL), -1);
    assert_non_null(strstr(error_text(), "batch size 16"));
    hp.batch = 8;
    y[7] = SC;
    assert_int_equal(vae_train(m, &hp, x, y, SN, 0, 0, NULL), -1);
    assert_non_null(strstr(error_text(), "sample 7"));
    y[7] = 1;
    assert_int_equal(vae_train(m, &hp, x, y, 5, 0, 0, NULL), -1);
    assert_non_null(strstr(error_text(), "smaller than one batch"));

    assert_null(vae_param(m, "enc.1.weight", NULL));
    assert_null(vae_running(m, "enc.0.running_mean", NULL));
    assert_int_equal(vae_tensor_dims(m, "enc.0.weight", dims), 2);
    assert_true(dims[0] == 32 && dims[1] == SD);
    assert_int_equal(vae_tensor_dims(m, "clf.3.bias", dims), 1);
    assert_true(dims[0] == SC);
    assert_int_equal(vae_tensor_dims(m, "rec.2.running_var", dims), 1);
    assert_true(dims[0] == 32);
    assert_int_equal(vae_tensor_dims(m, "nope", dims), -1);
    vae_free(m);
    vae_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_pytorch_steps),
        cmocka_unit_test(test_train_deterministic),
        cmocka_unit_test(test_nan_input_names_epoch),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
