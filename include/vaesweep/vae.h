/*
 * vae: the variational autoencoder of METHOD.md ("The VAE"), its
 * training and its eval-mode encoding.
 *
 *   encoder     x[n_in] -> Linear(n_in, 32), ReLU, BatchNorm(32)
 *                       -> Linear(32, 16), ReLU, BatchNorm(16)
 *   heads       mu = Linear(16, latent), logvar = Linear(16, latent)
 *   sample      z = mu + eps * exp(logvar / 2)  (training; eval uses mu)
 *   recon       Linear(latent, 32), ReLU, BatchNorm(32), Linear(32, n_in)
 *   classifier  Linear(latent, 10), ReLU, BatchNorm(10),
 *               Linear(10, n_classes) -> logits
 *
 * One vae_t owns everything: parameters, gradients, the two NAdam
 * moments and the BatchNorm running statistics are each ONE contiguous
 * block (so a caller writes or broadcasts one in one call), with the
 * tensors laid out in the order of the PyTorch names below.  All
 * activation buffers are sized for max_batch rows at create time:
 * training and the eval-mode calls never allocate.
 *
 * Plain C: no MPI, no HDF5, no printing.  Failures record one message
 * (error_text) and return -1 or NULL.  A vae_t is not thread-safe (the
 * activation buffers are shared); use one per thread.
 */
#ifndef VAESWEEP_VAE_H
#define VAESWEEP_VAE_H

#include <stddef.h>
#include <stdint.h>

#include "vaesweep/rng.h"

/* Hidden widths of METHOD.md, fixed for every dataset. */
#define VAE_ENC1       32
#define VAE_ENC2       16
#define VAE_REC_HIDDEN 32
#define VAE_CLF_HIDDEN 10

/* The BatchNorm constants of torch.nn.BatchNorm1d's defaults. */
#define VAE_BN_EPS      1e-5
#define VAE_BN_MOMENTUM 0.1

/* Number of parameter tensors and of running-stat tensors. */
#define VAE_N_TENSORS 24
#define VAE_N_RUNNING 8

typedef struct {
    int n_in;      /* input features (64 for digits) */
    int n_classes; /* classes (10) */
    int latent;    /* latent dimensions (2) */
} vae_shape;

typedef struct {
    double a_rec, a_clf, a_kl; /* loss weights: 0.1, 1, 0.01 */
    double lr, weight_decay;   /* NAdam: 2e-3, 1e-3 (L2 on the gradient) */
    int batch, epochs;         /* 16, 35 */
} vae_hparams;

typedef struct vae vae_t;

/* The defaults of METHOD.md.  Never fails. */
void vae_hparams_default(vae_hparams *hp);

/* A model for shape s whose buffers hold up to max_batch rows
 * (max_batch >= 2: train-mode BatchNorm needs two rows).  Parameters
 * are zero until vae_init or vae_param writes them; running stats start
 * at mean 0, variance 1; the optimiser at step 0.  Returns NULL and
 * sets error_text on a bad shape or out of memory.  Free with vae_free.
 */
vae_t *vae_create(const vae_shape *s, int max_batch);

/* Frees everything the model owns.  NULL is a no-op. */
void vae_free(vae_t *m);

/* ---------------------------------------------------------------- */
/* Blocks and named views.  Pointers stay valid until vae_free. */

/* Whole blocks: the parameters have vae_param_count values, the running
 * stats vae_running_count (mean then variance per BatchNorm, in the
 * order of vae_running_name). */
size_t vae_param_count(const vae_t *m);
double *vae_param_block(vae_t *m);
size_t vae_running_count(const vae_t *m);
double *vae_running_block(vae_t *m);

/* PyTorch name of parameter tensor i in block order, i in
 * [0, VAE_N_TENSORS): "enc.0.weight", "enc.0.bias", "enc.2.weight"
 * (BatchNorm gamma), "enc.2.bias" (beta), "enc.3.*", "enc.5.*", "mu.*",
 * "lv.*", "rec.0.*", "rec.2.*", "rec.3.*", "clf.0.*", "clf.2.*",
 * "clf.3.*".  NULL out of range. */
const char *vae_param_name(int i);

/* Name of running-stat tensor i in [0, VAE_N_RUNNING):
 * "enc.2.running_mean", "enc.2.running_var", then enc.5, rec.2, clf.2.
 * NULL out of range. */
const char *vae_running_name(int i);

/* The tensor called name inside the parameter / gradient / running
 * block; *count (if count is not NULL) gets its number of values.
 * Linear weights are [out][in].  Returns NULL and sets error_text for
 * an unknown name. */
double *vae_param(vae_t *m, const char *name, size_t *count);
double *vae_grad(vae_t *m, const char *name, size_t *count);
double *vae_running(vae_t *m, const char *name, size_t *count);

/* Shape of a parameter or running-stat tensor: returns its rank (2 for
 * a Linear weight, dims[0] = out, dims[1] = in; 1 otherwise, dims[1] =
 * 1), or -1 with error_text for an unknown name. */
int vae_tensor_dims(const vae_t *m, const char *name, size_t dims[2]);

/* ---------------------------------------------------------------- */
/* Training */

/* PyTorch's initialisation: every Linear weight and bias uniform on
 * (-1/sqrt(fan_in), 1/sqrt(fan_in)), drawn from init_rng tensor by
 * tensor in block order; BatchNorm gamma 1, beta 0, running mean 0,
 * running variance 1; NAdam moments zero and step count 0. */
void vae_init(vae_t *m, rng_t *init_rng);

/* One train-mode step on one batch: forward with noise eps, the loss
 * a_rec * MSE + a_clf * CE + a_kl * KL, backward (the gradient block
 * holds this batch's gradient afterwards), BatchNorm running stats
 * update, one NAdam step.  x[b][n_in], y[b] in [0, n_classes),
 * eps[b][latent], 2 <= b <= max_batch.  losses[4] gets {total, mse, ce,
 * kl}.  Returns 0, or -1 with error_text on bad arguments or a
 * non-finite loss; in that case the parameters and optimiser are left
 * unchanged (the running stats have seen the batch). */
int vae_train_step(vae_t *m, const vae_hparams *hp, const double *x,
                   const int *y, const double *eps, int b, double losses[4]);

/* Full training from scratch, fully determined by (seed, stream): the
 * model is initialised from rng stream (seed, stream, RNG_INIT), batch
 * order from RNG_SHUFFLE (reshuffled every epoch, last partial batch
 * dropped), the noise from RNG_NOISE.  x[n][n_in], y[n];
 * hp->batch <= max_batch.  curve (NULL allowed) gets
 * curve[epochs][4], the per-epoch mean over the batches of {total, mse,
 * ce, kl}.  Returns 0, or -1 with error_text on bad arguments, out of
 * memory, or divergence (the message names seed, stream, epoch and step,
 * counted from 1). */
int vae_train(vae_t *m, const vae_hparams *hp, const double *x, const int *y,
              size_t n, uint64_t seed, uint64_t stream, double *curve);

/* ---------------------------------------------------------------- */
/* Eval mode (BatchNorm on running stats, z = mu), in chunks of
 * max_batch rows: never allocates. */

/* mu[n][latent] = latent means of x[n][n_in].  Returns 0, or -1 with
 * error_text naming the first sample whose mean is not finite. */
int vae_encode(vae_t *m, const double *x, size_t n, double *mu);

/* pred[n] = argmax of the classifier logits of x[n][n_in] (decoded from
 * the latent mean).  Returns 0, or -1 with error_text naming the first
 * sample with a non-finite logit. */
int vae_predict(vae_t *m, const double *x, size_t n, int *pred);

#endif
