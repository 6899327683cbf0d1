/*
 * nn: the layers, losses and optimiser the VAE and the MLP are built
 * from, as forward/backward pairs on plain row-major arrays.
 *
 * Conventions (llm.c style):
 * - Arguments: outputs first, then inputs, then sizes.
 * - Activations are row-major [B][C]: B samples of C features.
 * - Linear weights are [out][in], as PyTorch's nn.Linear stores them.
 * - Every backward ADDS into the gradients it is given (parameter and
 *   input gradients alike); zeroing them is the caller's step.  A loss
 *   backward takes the weight `scale` the loss has in the total.
 * - A forward keeps what its backward reads (BatchNorm: mean, 1/std).
 * - Nothing here allocates, prints or fails: sizes are the caller's
 *   contract, and non-finite numbers propagate to the loss, where the
 *   caller checks them.
 */
#ifndef VAESWEEP_NN_H
#define VAESWEEP_NN_H

#include <stddef.h>

/* ---------------------------------------------------------------- */
/* Linear: out = in W^T + b (torch.nn.Linear). */

/* out[B][n_out]; in[B][n_in], w[n_out][n_in], b[n_out].  out must not
 * overlap in. */
void nn_linear_forward(double *out, const double *in, const double *w,
                       const double *b, int B, int n_in, int n_out);

/* din[B][n_in] (NULL when the input needs no gradient), dw[n_out][n_in],
 * db[n_out] += the gradients of out[B][n_out] given dout; in and w as in
 * forward. */
void nn_linear_backward(double *din, double *dw, double *db, const double *dout,
                        const double *in, const double *w, int B, int n_in,
                        int n_out);

/* ---------------------------------------------------------------- */
/* ReLU: out = max(in, 0); out may equal in (in place). */

void nn_relu_forward(double *out, const double *in, size_t n);

/* din[n] += dout where the forward output out[n] was positive, as
 * PyTorch's threshold_backward does (from the result).  din must not
 * overlap dout. */
void nn_relu_backward(double *din, const double *dout, const double *out,
                      size_t n);

/* ---------------------------------------------------------------- */
/* BatchNorm1d over C channels (torch.nn.BatchNorm1d, affine). */

/* Train mode: normalise with the batch mean and the biased batch
 * variance, out = (in - mean) * rstd * gamma + beta, and update the
 * running stats with the unbiased batch variance:
 *   running = (1 - momentum) * running + momentum * batch statistic.
 * out[B][C] (must not overlap in), mean[C] and rstd[C] = 1/sqrt(var +
 * eps) kept for the backward; in[B][C], gamma[C], beta[C];
 * running_mean[C] and running_var[C] updated in place.  B >= 2 (the
 * unbiased variance divides by B - 1; PyTorch refuses B = 1 too). */
void nn_batchnorm_forward_train(double *out, double *mean, double *rstd,
                                double *running_mean, double *running_var,
                                const double *in, const double *gamma,
                                const double *beta, int B, int C,
                                double momentum, double eps);

/* Eval mode: out = (in - running_mean) / sqrt(running_var + eps) * gamma
 * + beta.  out[B][C] may equal in. */
void nn_batchnorm_forward_eval(double *out, const double *in,
                               const double *gamma, const double *beta,
                               const double *running_mean,
                               const double *running_var, int B, int C,
                               double eps);

/* Backward of the train-mode forward: din[B][C], dgamma[C], dbeta[C] +=
 * gradients given dout[B][C]; in, mean, rstd, gamma as in the forward.
 * din must not overlap dout. */
void nn_batchnorm_backward(double *din, double *dgamma, double *dbeta,
                           const double *dout, const double *in,
                           const double *mean, const double *rstd,
                           const double *gamma, int B, int C);

/* ---------------------------------------------------------------- */
/* Reparameterisation: z = mu + eps * exp(logvar / 2), all [n]. */

void nn_reparam_forward(double *z, const double *mu, const double *logvar,
                        const double *eps, size_t n);

/* dmu[n], dlogvar[n] += gradients given dz[n]. */
void nn_reparam_backward(double *dmu, double *dlogvar, const double *dz,
                         const double *logvar, const double *eps, size_t n);

/* ---------------------------------------------------------------- */
/* Losses: each forward returns the loss value. */

/* MSE, mean over all n elements (torch.nn.functional.mse_loss). */
double nn_mse_forward(const double *pred, const double *target, size_t n);

/* dpred[n] += scale * d(mse)/d(pred). */
void nn_mse_backward(double *dpred, const double *pred, const double *target,
                     size_t n, double scale);

/* Softmax cross-entropy, mean over the batch
 * (torch.nn.functional.cross_entropy).  probs[B][C] receives the
 * softmax for the backward; logits[B][C]; y[B] class indices in [0, C),
 * checked by the caller. */
double nn_crossentropy_forward(double *probs, const double *logits,
                               const int *y, int B, int C);

/* dlogits[B][C] += scale * (probs - onehot(y)) / B. */
void nn_crossentropy_backward(double *dlogits, const double *probs,
                              const int *y, int B, int C, double scale);

/* KL divergence of N(mu, exp(logvar)) from N(0, 1): mean over the batch
 * of the sum over the L latent dims of
 * -0.5 * (1 + logvar - exp(logvar) - mu^2).  mu[B][L], logvar[B][L]. */
double nn_kl_forward(const double *mu, const double *logvar, int B, int L);

/* dmu[B][L], dlogvar[B][L] += scale * gradients. */
void nn_kl_backward(double *dmu, double *dlogvar, const double *mu,
                    const double *logvar, int B, int L, double scale);

/* ---------------------------------------------------------------- */
/* NAdam (torch.optim.NAdam, PyTorch >= 2.0 algorithm). */

typedef struct {
    double lr;             /* 2e-3 */
    double beta1, beta2;   /* 0.9, 0.999 */
    double eps;            /* 1e-8 */
    double momentum_decay; /* 4e-3 */
    double weight_decay;   /* L2 added to the gradient (not AdamW) */
} nn_nadam_config;

/* One step over a contiguous parameter buffer of n values.  step is the
 * 1-based step number t; *mu_product carries mu_1 * ... * mu_{t-1} in
 * (1.0 before the first step) and mu_1 * ... * mu_t out.  param, m, v
 * updated in place (m, v zero before the first step); grad read only
 * (the weight decay term is added to a copy, as PyTorch does). */
void nn_nadam_step(double *param, double *m, double *v, double *mu_product,
                   const double *grad, size_t n, const nn_nadam_config *c,
                   long step);

#endif
