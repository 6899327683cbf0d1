#include "vaesweep/nn.h"

#include <math.h>
#include <string.h>

#include <cblas.h>

/* The element-wise loops below are compiled once per instruction set and
 * picked at load time (GCC function multiversioning), so a portable
 * binary still runs them 8 doubles wide on AVX-512 machines.  Each
 * element's arithmetic is the same in every clone (no reassociation, and
 * -std=c11 keeps GCC from contracting into FMAs), so the numbers do not
 * depend on the machine. */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define NN_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define NN_CLONES
#endif

/* ---------------------------------------------------------------- */
/* Linear */

void nn_linear_forward(double *out, const double *in, const double *w,
                       const double *b, int B, int n_in, int n_out)
{
    int r;

    /* Start from the bias, then one GEMM adds in W^T on top (beta = 1),
     * as torch.addmm does. */
    for (r = 0; r < B; r++)
        memcpy(out + (size_t)r * n_out, b, (size_t)n_out * sizeof *out);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, n_out, n_in, 1.0,
                in, n_in, w, n_in, 1.0, out, n_out);
}

void nn_linear_backward(double *din, double *dw, double *db, const double *dout,
                        const double *in, const double *w, int B, int n_in,
                        int n_out)
{
    int r, o;

    /* din[B][n_in] += dout[B][n_out] W[n_out][n_in] */
    if (din)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, n_in, n_out,
                    1.0, dout, n_out, w, n_in, 1.0, din, n_in);

    /* dW[n_out][n_in] += dout^T[n_out][B] in[B][n_in] */
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n_out, n_in, B, 1.0,
                dout, n_out, in, n_in, 1.0, dw, n_in);

    for (r = 0; r < B; r++) {
        const double *d = dout + (size_t)r * n_out;

        for (o = 0; o < n_out; o++)
            db[o] += d[o];
    }
}

/* ---------------------------------------------------------------- */
/* ReLU */

NN_CLONES void nn_relu_forward(double *out, const double *in, size_t n)
{
    size_t i;

    /* NaN stays NaN (as torch.relu), so a bad input reaches the loss. */
    for (i = 0; i < n; i++)
        out[i] = in[i] < 0.0 ? 0.0 : in[i];
}

NN_CLONES void nn_relu_backward(double *din, const double *dout,
                                const double *out, size_t n)
{
    size_t i;

    /* A select, not a branch: the sign pattern is random, and the
     * select vectorises. */
    for (i = 0; i < n; i++) {
        double d = dout[i];

        din[i] += out[i] > 0.0 ? d : 0.0;
    }
}

/* ---------------------------------------------------------------- */
/* BatchNorm1d */

/* Channels per pass of the BatchNorm loops: the per-channel sums live in
 * arrays of this size on the stack. */
#define NN_BN_CHUNK 64

/* The loops run over rows outside and channels inside, so the inner loop
 * is contiguous and vectorises; each channel's sums still add the rows
 * in order 0..B-1, as the column-by-column form did. */
NN_CLONES void nn_batchnorm_forward_train(double *out, double *mean,
                                          double *rstd, double *running_mean,
                                          double *running_var, const double *in,
                                          const double *gamma,
                                          const double *beta, int B, int C,
                                          double momentum, double eps)
{
    double ss[NN_BN_CHUNK], k[NN_BN_CHUNK];
    int r, c, c0;

    for (c0 = 0; c0 < C; c0 += NN_BN_CHUNK) {
        const int w = C - c0 < NN_BN_CHUNK ? C - c0 : NN_BN_CHUNK;
        double *mu = mean + c0;

        /* Two passes (mean, then squared deviations), as PyTorch's CPU
         * batch_norm_cpu_collect_stats does. */
        for (c = 0; c < w; c++) {
            mu[c] = 0.0;
            ss[c] = 0.0;
        }
        for (r = 0; r < B; r++) {
            const double *x = in + (size_t)r * C + c0;

            for (c = 0; c < w; c++)
                mu[c] += x[c];
        }
        for (c = 0; c < w; c++)
            mu[c] /= B;
        for (r = 0; r < B; r++) {
            const double *x = in + (size_t)r * C + c0;

            for (c = 0; c < w; c++) {
                double d = x[c] - mu[c];

                ss[c] += d * d;
            }
        }
        for (c = 0; c < w; c++) {
            const int j = c0 + c;
            double var = ss[c] / B;

            rstd[j] = 1.0 / sqrt(var + eps);
            k[c] = rstd[j] * gamma[j];

            /* Running variance from the unbiased estimate (torch
             * BatchNorm1d; the normalisation itself uses the biased
             * one). */
            running_mean[j] =
                momentum * mu[c] + (1.0 - momentum) * running_mean[j];
            running_var[j] = momentum * (ss[c] / (B - 1)) +
                             (1.0 - momentum) * running_var[j];
        }
        for (r = 0; r < B; r++) {
            const double *x = in + (size_t)r * C + c0;
            double *o = out + (size_t)r * C + c0;

            for (c = 0; c < w; c++)
                o[c] = (x[c] - mu[c]) * k[c] + beta[c0 + c];
        }
    }
}

NN_CLONES void
nn_batchnorm_forward_eval(double *out, const double *in, const double *gamma,
                          const double *beta, const double *running_mean,
                          const double *running_var, int B, int C, double eps)
{
    double rs[NN_BN_CHUNK];
    int r, c, c0;

    for (c0 = 0; c0 < C; c0 += NN_BN_CHUNK) {
        const int w = C - c0 < NN_BN_CHUNK ? C - c0 : NN_BN_CHUNK;

        for (c = 0; c < w; c++)
            rs[c] = 1.0 / sqrt(running_var[c0 + c] + eps);
        for (r = 0; r < B; r++) {
            const double *x = in + (size_t)r * C + c0;
            double *o = out + (size_t)r * C + c0;

            for (c = 0; c < w; c++) {
                const int j = c0 + c;

                o[c] = (x[c] - running_mean[j]) * rs[c] * gamma[j] + beta[j];
            }
        }
    }
}

NN_CLONES void nn_batchnorm_backward(double *din, double *dgamma, double *dbeta,
                                     const double *dout, const double *in,
                                     const double *mean, const double *rstd,
                                     const double *gamma, int B, int C)
{
    double sd[NN_BN_CHUNK], sdx[NN_BN_CHUNK], k[NN_BN_CHUNK];
    int r, c, c0;

    for (c0 = 0; c0 < C; c0 += NN_BN_CHUNK) {
        const int w = C - c0 < NN_BN_CHUNK ? C - c0 : NN_BN_CHUNK;
        const double *mu = mean + c0, *rs = rstd + c0;

        for (c = 0; c < w; c++) {
            sd[c] = 0.0;
            sdx[c] = 0.0;
        }
        for (r = 0; r < B; r++) {
            const double *x = in + (size_t)r * C + c0;
            const double *d = dout + (size_t)r * C + c0;

            for (c = 0; c < w; c++) {
                sd[c] += d[c];
                sdx[c] += d[c] * (x[c] - mu[c]) * rs[c];
            }
        }
        for (c = 0; c < w; c++) {
            dbeta[c0 + c] += sd[c];
            dgamma[c0 + c] += sdx[c];
            k[c] = gamma[c0 + c] * rs[c];
        }

        /* d/dx of the normalised output through the batch mean and
         * variance: gamma*rstd*(dout - mean(dout) - xhat*mean(dout*xhat)).
         */
        for (r = 0; r < B; r++) {
            const double *x = in + (size_t)r * C + c0;
            const double *d = dout + (size_t)r * C + c0;
            double *g = din + (size_t)r * C + c0;

            for (c = 0; c < w; c++) {
                double xhat = (x[c] - mu[c]) * rs[c];

                g[c] += k[c] * (d[c] - sd[c] / B - xhat * (sdx[c] / B));
            }
        }
    }
}

/* ---------------------------------------------------------------- */
/* Reparameterisation */

void nn_reparam_forward(double *z, const double *mu, const double *logvar,
                        const double *eps, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        z[i] = mu[i] + eps[i] * exp(0.5 * logvar[i]);
}

void nn_reparam_backward(double *dmu, double *dlogvar, const double *dz,
                         const double *logvar, const double *eps, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        dmu[i] += dz[i];
        dlogvar[i] += dz[i] * eps[i] * 0.5 * exp(0.5 * logvar[i]);
    }
}

/* ---------------------------------------------------------------- */
/* Losses */

double nn_mse_forward(const double *pred, const double *target, size_t n)
{
    double s = 0.0;
    size_t i;

    for (i = 0; i < n; i++) {
        double d = pred[i] - target[i];

        s += d * d;
    }
    return s / (double)n;
}

NN_CLONES void nn_mse_backward(double *dpred, const double *pred,
                               const double *target, size_t n, double scale)
{
    double k = 2.0 * scale / (double)n;
    size_t i;

    for (i = 0; i < n; i++)
        dpred[i] += k * (pred[i] - target[i]);
}

double nn_crossentropy_forward(double *probs, const double *logits,
                               const int *y, int B, int C)
{
    double loss = 0.0;
    int r, c;

    for (r = 0; r < B; r++) {
        const double *l = logits + (size_t)r * C;
        double *p = probs + (size_t)r * C;
        double mx = l[0], s;

        /* log-sum-exp shifted by the row maximum (log_softmax). */
        for (c = 1; c < C; c++)
            if (l[c] > mx)
                mx = l[c];
        p[0] = exp(l[0] - mx);
        s = p[0];
        for (c = 1; c < C; c++) {
            p[c] = exp(l[c] - mx);
            s += p[c];
        }
        for (c = 0; c < C; c++)
            p[c] /= s;
        loss += mx + log(s) - l[y[r]];
    }
    return loss / B;
}

void nn_crossentropy_backward(double *dlogits, const double *probs,
                              const int *y, int B, int C, double scale)
{
    double k = scale / B;
    int r, c;

    for (r = 0; r < B; r++) {
        double *d = dlogits + (size_t)r * C;
        const double *p = probs + (size_t)r * C;

        for (c = 0; c < C; c++)
            d[c] += k * p[c];
        d[y[r]] -= k;
    }
}

double nn_kl_forward(const double *mu, const double *logvar, int B, int L)
{
    size_t i, n = (size_t)B * L;
    double s = 0.0;

    for (i = 0; i < n; i++)
        s += -0.5 * (1.0 + logvar[i] - exp(logvar[i]) - mu[i] * mu[i]);
    return s / B;
}

void nn_kl_backward(double *dmu, double *dlogvar, const double *mu,
                    const double *logvar, int B, int L, double scale)
{
    size_t i, n = (size_t)B * L;
    double k = scale / B;

    for (i = 0; i < n; i++) {
        dmu[i] += k * mu[i];
        dlogvar[i] += k * 0.5 * expm1(logvar[i]);
    }
}

/* ---------------------------------------------------------------- */
/* NAdam */

NN_CLONES void nn_nadam_step(double *param, double *m, double *v,
                             double *mu_product, const double *grad, size_t n,
                             const nn_nadam_config *c, long step)
{
    double t = (double)step;
    double mu = c->beta1 * (1.0 - 0.5 * pow(0.96, t * c->momentum_decay));
    double mu_next =
        c->beta1 * (1.0 - 0.5 * pow(0.96, (t + 1.0) * c->momentum_decay));
    /* 1 / (1 - beta2^t): a multiply in the loop instead of PyTorch's
     * division, which costs as much as the sqrt. */
    double ibc2 = 1.0 / (1.0 - pow(c->beta2, t));
    double kg, km;
    size_t i;

    /* PyTorch 2.x _single_tensor_nadam: the product includes mu_t only
     * once (1.13's extra factor was a bug, see METHOD.md). */
    *mu_product *= mu;
    kg = -c->lr * (1.0 - mu) / (1.0 - *mu_product);
    km = -c->lr * mu_next / (1.0 - *mu_product * mu_next);

    for (i = 0; i < n; i++) {
        double g = grad[i] + c->weight_decay * param[i];
        double inv;

        /* exp_avg.lerp_(grad, 1 - beta1): weight < 0.5, so PyTorch
         * computes self + w * (end - self). */
        m[i] += (1.0 - c->beta1) * (g - m[i]);
        v[i] = v[i] * c->beta2 + (1.0 - c->beta2) * g * g;

        /* PyTorch's two addcdiv_ calls share one reciprocal here: the
         * division is most of this loop's time, and the result moves by
         * an ulp of the update only. */
        inv = 1.0 / (sqrt(v[i] * ibc2) + c->eps);
        param[i] += (kg * g + km * m[i]) * inv;
    }
}
