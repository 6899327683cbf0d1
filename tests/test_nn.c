/* nn: every backward against central finite differences of its forward.
 *
 * Layers are checked through the scalar f = sum(r * out) with fixed
 * random weights r (so the backward gets dout = r); losses through the
 * loss itself times a scale.  In double precision a central difference
 * with h = 1e-5 is good to about 1e-9 relative, so 1e-6 leaves room
 * while still catching any wrong term (those are off by O(1)).  Inputs
 * come from rng stream (seed 11, stream <test number>, RNG_INIT). */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vaesweep/nn.h"
#include "vaesweep/rng.h"

#define FD_H   1e-5
#define FD_TOL 1e-6
/* Gradients below this are compared absolutely: near zero a relative
 * gap only measures the finite-difference noise (~1e-11). */
#define FD_FLOOR 1e-4

typedef double (*objective_fn)(void *ctx);

static void fill_normal(rng_t *r, double *x, size_t n, double scale)
{
    size_t i;

    for (i = 0; i < n; i++)
        x[i] = scale * rng_normal(r);
}

/* Compare grad[n] with central differences of f in each x[i]; prints the
 * worst gap so a passing run shows the margin too. */
static void check_fd(const char *label, double *x, const double *grad, size_t n,
                     objective_fn f, void *ctx)
{
    double num[512];
    double worst = 0.0;
    size_t i;

    assert_true(n <= 512);
    for (i = 0; i < n; i++) {
        double keep = x[i], fp, fm, scale, gap;

        x[i] = keep + FD_H;
        fp = f(ctx);
        x[i] = keep - FD_H;
        fm = f(ctx);
        x[i] = keep;
        num[i] = (fp - fm) / (2.0 * FD_H);
        scale = fabs(num[i]) > FD_FLOOR ? fabs(num[i]) : FD_FLOOR;
        gap = fabs(grad[i] - num[i]) / scale;
        if (gap > worst)
            worst = gap;
    }
    print_message("%-28s worst gap %.2e over %zu values\n", label, worst, n);
    testutil_assert_close(label, grad, num, n, FD_TOL, FD_FLOOR);
}

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    size_t i;

    for (i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* ---------------------------------------------------------------- */

enum { LB = 5, LI = 7, LO = 4 };

typedef struct {
    double in[LB * LI], w[LO * LI], b[LO], r[LB * LO], out[LB * LO];
} linear_ctx;

static double linear_f(void *p)
{
    linear_ctx *c = p;

    nn_linear_forward(c->out, c->in, c->w, c->b, LB, LI, LO);
    return dot(c->r, c->out, LB * LO);
}

static void test_linear(void **state)
{
    linear_ctx c;
    double din[LB * LI] = {0}, dw[LO * LI] = {0}, db[LO] = {0};
    rng_t r;

    (void)state;
    rng_init(&r, 11, 1, RNG_INIT);
    fill_normal(&r, c.in, LB * LI, 1.0);
    fill_normal(&r, c.w, LO * LI, 0.5);
    fill_normal(&r, c.b, LO, 0.5);
    fill_normal(&r, c.r, LB * LO, 1.0);
    nn_linear_backward(din, dw, db, c.r, c.in, c.w, LB, LI, LO);
    check_fd("linear d/din", c.in, din, LB * LI, linear_f, &c);
    check_fd("linear d/dw", c.w, dw, LO * LI, linear_f, &c);
    check_fd("linear d/db", c.b, db, LO, linear_f, &c);
}

static void test_linear_accumulates(void **state)
{
    linear_ctx c;
    double din[LB * LI] = {0}, dw[LO * LI] = {0}, db[LO] = {0};
    double din2[LB * LI], dw2[LO * LI], db2[LO];
    size_t i;
    rng_t r;

    (void)state;
    rng_init(&r, 11, 2, RNG_INIT);
    fill_normal(&r, c.in, LB * LI, 1.0);
    fill_normal(&r, c.w, LO * LI, 0.5);
    fill_normal(&r, c.r, LB * LO, 1.0);
    nn_linear_backward(din, dw, db, c.r, c.in, c.w, LB, LI, LO);
    memcpy(din2, din, sizeof din);
    memcpy(dw2, dw, sizeof dw);
    memcpy(db2, db, sizeof db);
    nn_linear_backward(din, dw, db, c.r, c.in, c.w, LB, LI, LO);
    for (i = 0; i < LB * LI; i++)
        din2[i] *= 2.0;
    for (i = 0; i < LO * LI; i++)
        dw2[i] *= 2.0;
    for (i = 0; i < LO; i++)
        db2[i] *= 2.0;
    testutil_assert_close("linear din twice", din, din2, LB * LI, 1e-15, 1e-12);
    testutil_assert_close("linear dw twice", dw, dw2, LO * LI, 1e-15, 1e-12);
    testutil_assert_close("linear db twice", db, db2, LO, 1e-15, 1e-12);
}

/* ---------------------------------------------------------------- */

enum { RN = 40 };

typedef struct {
    double in[RN], r[RN], out[RN];
} relu_ctx;

static double relu_f(void *p)
{
    relu_ctx *c = p;

    nn_relu_forward(c->out, c->in, RN);
    return dot(c->r, c->out, RN);
}

static void test_relu(void **state)
{
    relu_ctx c;
    double din[RN] = {0};
    size_t i;
    rng_t r;

    (void)state;
    /* fill_normal sets every entry; zeroed so cppcheck sees c.in set. */
    memset(&c, 0, sizeof c);
    rng_init(&r, 11, 3, RNG_INIT);
    fill_normal(&r, c.in, RN, 1.0);
    /* Keep every input well away from the kink at 0, where the
     * difference quotient straddles two slopes. */
    for (i = 0; i < RN; i++)
        c.in[i] += c.in[i] < 0.0 ? -0.1 : 0.1;
    fill_normal(&r, c.r, RN, 1.0);
    relu_f(&c);
    nn_relu_backward(din, c.r, c.out, RN);
    check_fd("relu d/din", c.in, din, RN, relu_f, &c);
}

/* ---------------------------------------------------------------- */

enum { BB = 6, BC = 5 };

typedef struct {
    double in[BB * BC], gamma[BC], beta[BC], r[BB * BC], out[BB * BC];
    double mean[BC], rstd[BC], rmean[BC], rvar[BC];
} bn_ctx;

static double bn_f(void *p)
{
    bn_ctx *c = p;

    nn_batchnorm_forward_train(c->out, c->mean, c->rstd, c->rmean, c->rvar,
                               c->in, c->gamma, c->beta, BB, BC, 0.1, 1e-5);
    return dot(c->r, c->out, BB * BC);
}

static void test_batchnorm(void **state)
{
    bn_ctx c;
    double din[BB * BC] = {0}, dg[BC] = {0}, dbeta[BC] = {0};
    rng_t r;

    (void)state;
    rng_init(&r, 11, 4, RNG_INIT);
    fill_normal(&r, c.in, BB * BC, 2.0);
    fill_normal(&r, c.gamma, BC, 1.0);
    fill_normal(&r, c.beta, BC, 1.0);
    fill_normal(&r, c.r, BB * BC, 1.0);
    memset(c.rmean, 0, sizeof c.rmean);
    memset(c.rvar, 0, sizeof c.rvar);
    bn_f(&c);
    nn_batchnorm_backward(din, dg, dbeta, c.r, c.in, c.mean, c.rstd, c.gamma,
                          BB, BC);
    check_fd("batchnorm d/din", c.in, din, BB * BC, bn_f, &c);
    check_fd("batchnorm d/dgamma", c.gamma, dg, BC, bn_f, &c);
    check_fd("batchnorm d/dbeta", c.beta, dbeta, BC, bn_f, &c);
}

static void test_batchnorm_running_and_eval(void **state)
{
    /* Channel 0 = {1, 2, 3, 6}: mean 3, biased variance 3.5, unbiased
     * 14/3.  PyTorch: running_mean = 0.9 * 0 + 0.1 * 3 = 0.3,
     * running_var = 0.9 * 1 + 0.1 * 14/3. */
    double in[8] = {1, 10, 2, 10, 3, 10, 6, 10}, out[8], ev[8];
    double gamma[2] = {1, 2}, beta[2] = {0, 1}, mean[2], rstd[2];
    double rmean[2] = {0, 0}, rvar[2] = {1, 1};
    double want_rv0 = 0.9 + 0.1 * 14.0 / 3.0;

    (void)state;
    nn_batchnorm_forward_train(out, mean, rstd, rmean, rvar, in, gamma, beta, 4,
                               2, 0.1, 1e-5);
    assert_true(fabs(rmean[0] - 0.3) < 1e-15);
    assert_true(fabs(rvar[0] - want_rv0) < 1e-15);
    /* A constant channel has variance 0: output is beta exactly. */
    assert_true(fabs(rvar[1] - 0.9) < 1e-15);
    assert_true(fabs(out[1] - 1.0) < 1e-12);
    assert_true(fabs(out[0] - (1.0 - 3.0) / sqrt(3.5 + 1e-5)) < 1e-14);

    /* Eval mode reads the running stats instead of the batch. */
    nn_batchnorm_forward_eval(ev, in, gamma, beta, rmean, rvar, 4, 2, 1e-5);
    assert_true(fabs(ev[0] - (1.0 - 0.3) / sqrt(want_rv0 + 1e-5)) < 1e-14);
    assert_true(fabs(ev[1] - (2.0 * (10.0 - 1.0) / sqrt(0.9 + 1e-5) + 1.0)) <
                1e-13);
}

/* ---------------------------------------------------------------- */

enum { SN = 12 };

typedef struct {
    double mu[SN], lv[SN], eps[SN], r[SN], z[SN];
} reparam_ctx;

static double reparam_f(void *p)
{
    reparam_ctx *c = p;

    nn_reparam_forward(c->z, c->mu, c->lv, c->eps, SN);
    return dot(c->r, c->z, SN);
}

static void test_reparam(void **state)
{
    reparam_ctx c;
    double dmu[SN] = {0}, dlv[SN] = {0};
    rng_t r;

    (void)state;
    rng_init(&r, 11, 5, RNG_INIT);
    fill_normal(&r, c.mu, SN, 1.0);
    fill_normal(&r, c.lv, SN, 1.0);
    fill_normal(&r, c.eps, SN, 1.0);
    fill_normal(&r, c.r, SN, 1.0);
    nn_reparam_backward(dmu, dlv, c.r, c.lv, c.eps, SN);
    check_fd("reparam d/dmu", c.mu, dmu, SN, reparam_f, &c);
    check_fd("reparam d/dlogvar", c.lv, dlv, SN, reparam_f, &c);
}

/* ---------------------------------------------------------------- */

enum { MN = 30 };
#define LOSS_SCALE 0.37

typedef struct {
    double pred[MN], target[MN];
} mse_ctx;

static double mse_f(void *p)
{
    mse_ctx *c = p;

    return LOSS_SCALE * nn_mse_forward(c->pred, c->target, MN);
}

static void test_mse(void **state)
{
    mse_ctx c;
    double d[MN] = {0};
    rng_t r;

    (void)state;
    rng_init(&r, 11, 6, RNG_INIT);
    fill_normal(&r, c.pred, MN, 1.0);
    fill_normal(&r, c.target, MN, 1.0);
    nn_mse_backward(d, c.pred, c.target, MN, LOSS_SCALE);
    check_fd("mse d/dpred", c.pred, d, MN, mse_f, &c);
}

enum { CB = 6, CC = 4 };

typedef struct {
    double logits[CB * CC], probs[CB * CC];
    int y[CB];
} ce_ctx;

static double ce_f(void *p)
{
    ce_ctx *c = p;

    return LOSS_SCALE *
           nn_crossentropy_forward(c->probs, c->logits, c->y, CB, CC);
}

static void test_crossentropy(void **state)
{
    ce_ctx c;
    double d[CB * CC] = {0};
    double two[2] = {0.0, log(3.0)}, p2[2];
    int y1 = 1, i;
    rng_t r;

    (void)state;
    rng_init(&r, 11, 7, RNG_INIT);
    fill_normal(&r, c.logits, CB * CC, 2.0);
    for (i = 0; i < CB; i++)
        c.y[i] = (int)rng_below(&r, CC);
    ce_f(&c);
    nn_crossentropy_backward(d, c.probs, c.y, CB, CC, LOSS_SCALE);
    check_fd("crossentropy d/dlogits", c.logits, d, CB * CC, ce_f, &c);

    /* Probabilities 1/4, 3/4: the loss of class 1 is -log(3/4). */
    assert_true(fabs(nn_crossentropy_forward(p2, two, &y1, 1, 2) + log(0.75)) <
                1e-15);
    /* Large logits must not overflow (log-sum-exp shift). */
    two[0] = 1000.0;
    two[1] = 1000.0 + log(3.0);
    assert_true(fabs(nn_crossentropy_forward(p2, two, &y1, 1, 2) + log(0.75)) <
                1e-12);
}

enum { KB = 5, KL = 3 };

typedef struct {
    double mu[KB * KL], lv[KB * KL];
} kl_ctx;

static double kl_f(void *p)
{
    kl_ctx *c = p;

    return LOSS_SCALE * nn_kl_forward(c->mu, c->lv, KB, KL);
}

static void test_kl(void **state)
{
    kl_ctx c;
    double dmu[KB * KL] = {0}, dlv[KB * KL] = {0};
    double zero[2] = {0.0, 0.0};
    rng_t r;

    (void)state;
    rng_init(&r, 11, 8, RNG_INIT);
    fill_normal(&r, c.mu, KB * KL, 1.0);
    fill_normal(&r, c.lv, KB * KL, 1.0);
    nn_kl_backward(dmu, dlv, c.mu, c.lv, KB, KL, LOSS_SCALE);
    check_fd("kl d/dmu", c.mu, dmu, KB * KL, kl_f, &c);
    check_fd("kl d/dlogvar", c.lv, dlv, KB * KL, kl_f, &c);

    /* N(0, 1) against itself: zero. */
    assert_true(nn_kl_forward(zero, zero, 1, 2) == 0.0);
}

/* ---------------------------------------------------------------- */

static void test_nadam_first_step(void **state)
{
    /* At step 1 with zero moments: m = 0.1 g, v = 0.001 g^2, so
     * sqrt(v / (1 - 0.999)) = |g| and both terms move by -lr * sign(g)
     * times (1 - mu1) / (1 - mu1) + mu2 * 0.1 / (1 - mu1 mu2)
     * (weight decay 0 here; eps makes it slightly less). */
    nn_nadam_config c = {2e-3, 0.9, 0.999, 1e-8, 4e-3, 0.0};
    double p[2] = {1.0, -2.0}, g[2] = {0.5, -3.0}, m[2] = {0}, v[2] = {0};
    double prod = 1.0;
    double mu1 = 0.9 * (1.0 - 0.5 * pow(0.96, 4e-3));
    double mu2 = 0.9 * (1.0 - 0.5 * pow(0.96, 8e-3));
    double want0, want1;

    (void)state;
    nn_nadam_step(p, m, v, &prod, g, 2, &c, 1);
    want0 = 1.0 -
            2e-3 * (0.5 / (0.5 + 1e-8)) * (1.0 + mu2 * 0.1 / (1.0 - mu1 * mu2));
    want1 = -2.0 +
            2e-3 * (3.0 / (3.0 + 1e-8)) * (1.0 + mu2 * 0.1 / (1.0 - mu1 * mu2));
    assert_true(fabs(prod - mu1) < 1e-16);
    assert_true(fabs(p[0] - want0) < 1e-14);
    assert_true(fabs(p[1] - want1) < 1e-14);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linear),
        cmocka_unit_test(test_linear_accumulates),
        cmocka_unit_test(test_relu),
        cmocka_unit_test(test_batchnorm),
        cmocka_unit_test(test_batchnorm_running_and_eval),
        cmocka_unit_test(test_reparam),
        cmocka_unit_test(test_mse),
        cmocka_unit_test(test_crossentropy),
        cmocka_unit_test(test_kl),
        cmocka_unit_test(test_nadam_first_step),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
