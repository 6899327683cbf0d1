#include "vaesweep/vae.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vaesweep/error.h"
#include "vaesweep/nn.h"

/* The twelve modules in PyTorch's registration order; module k owns
 * parameter tensors 2k (weight, or BatchNorm gamma) and 2k + 1 (bias, or
 * beta). */
enum {
    ENC0,
    ENC2,
    ENC3,
    ENC5,
    MU,
    LV,
    REC0,
    REC2,
    REC3,
    CLF0,
    CLF2,
    CLF3,
    N_MODULES
};

/* The four BatchNorms; BatchNorm k owns running tensors 2k (mean) and
 * 2k + 1 (variance). */
enum { BN_ENC2, BN_ENC5, BN_REC2, BN_CLF2, N_BN };

static const char *const param_names[VAE_N_TENSORS] = {
    "enc.0.weight", "enc.0.bias", "enc.2.weight", "enc.2.bias",
    "enc.3.weight", "enc.3.bias", "enc.5.weight", "enc.5.bias",
    "mu.weight",    "mu.bias",    "lv.weight",    "lv.bias",
    "rec.0.weight", "rec.0.bias", "rec.2.weight", "rec.2.bias",
    "rec.3.weight", "rec.3.bias", "clf.0.weight", "clf.0.bias",
    "clf.2.weight", "clf.2.bias", "clf.3.weight", "clf.3.bias"};

static const char *const running_names[VAE_N_RUNNING] = {
    "enc.2.running_mean", "enc.2.running_var",  "enc.5.running_mean",
    "enc.5.running_var",  "rec.2.running_mean", "rec.2.running_var",
    "clf.2.running_mean", "clf.2.running_var"};

/* Which module each BatchNorm is. */
static const int bn_module[N_BN] = {ENC2, ENC5, REC2, CLF2};

typedef struct {
    int in, out; /* Linear: fan in and out; BatchNorm: in = out = width */
    int is_bn;
} vae_module;

/* Activations of one batch, each [max_batch][width]; d* are their
 * gradients, [B][width] packed for the batch at hand (carve_grads).  h =
 * pre-ReLU, a = post-ReLU (the ReLU runs in place, so a buffer holds h until
 * the ReLU and a after), n = post-BatchNorm. */
typedef struct {
    double *x;               /* [B][n_in] gathered batch (vae_train) */
    double *eps;             /* [B][latent] noise */
    double *a1, *n1;         /* [B][32] encoder layer 1 */
    double *a2, *n2;         /* [B][16] encoder layer 2 */
    double *mu, *lv, *z;     /* [B][latent] */
    double *ra, *rn;         /* [B][32] recon hidden */
    double *recon;           /* [B][n_in] */
    double *ca, *cn;         /* [B][10] classifier hidden */
    double *logits, *probs;  /* [B][n_classes] */
    double *bn_mean[N_BN];   /* [width] batch mean, for backward */
    double *bn_rstd[N_BN];   /* [width] 1/sqrt(var + eps) */
    double *dh1, *da1, *dn1; /* [B][32] */
    double *dh2, *da2, *dn2; /* [B][16] */
    double *dmu, *dlv, *dz;  /* [B][latent] */
    double *dr1, *dra, *drn; /* [B][32] */
    double *drecon;          /* [B][n_in] */
    double *dc1, *dca, *dcn; /* [B][10] */
    double *dlogits;         /* [B][n_classes] */
    double *grad_first; /* room for the d* above, [max_batch][grad_width] */
} vae_acts;

struct vae {
    vae_shape s;
    int max_batch;
    vae_module mod[N_MODULES];

    size_t n_params;
    double *params;  /* [n_params] one block, tensors in param_names order */
    double *grads;   /* [n_params] */
    double *m1, *m2; /* [n_params] NAdam first and second moments */
    double *p[VAE_N_TENSORS]; /* views into params */
    double *g[VAE_N_TENSORS]; /* views into grads */
    size_t tensor_size[VAE_N_TENSORS];

    size_t n_running;
    double *running;          /* [n_running] mean, var per BatchNorm */
    double *r[VAE_N_RUNNING]; /* views into running */
    long step;                /* NAdam steps taken */
    double mu_product;        /* NAdam product of momentum factors */

    double *act_block; /* every activation buffer, one allocation */
    int *yb;           /* [max_batch] gathered labels (vae_train) */
    vae_acts a;
};

void vae_hparams_default(vae_hparams *hp)
{
    hp->a_rec = 0.1;
    hp->a_clf = 1.0;
    hp->a_kl = 0.01;
    hp->lr = 2e-3;
    hp->weight_decay = 1e-3;
    hp->batch = 16;
    hp->epochs = 35;
}

/* ---------------------------------------------------------------- */
/* Create and free */

static void set_modules(vae_t *m)
{
    const vae_shape *s = &m->s;
    const int lin[N_MODULES][2] = {
        [ENC0] = {s->n_in, VAE_ENC1},
        [ENC2] = {VAE_ENC1, VAE_ENC1},
        [ENC3] = {VAE_ENC1, VAE_ENC2},
        [ENC5] = {VAE_ENC2, VAE_ENC2},
        [MU] = {VAE_ENC2, s->latent},
        [LV] = {VAE_ENC2, s->latent},
        [REC0] = {s->latent, VAE_REC_HIDDEN},
        [REC2] = {VAE_REC_HIDDEN, VAE_REC_HIDDEN},
        [REC3] = {VAE_REC_HIDDEN, s->n_in},
        [CLF0] = {s->latent, VAE_CLF_HIDDEN},
        [CLF2] = {VAE_CLF_HIDDEN, VAE_CLF_HIDDEN},
        [CLF3] = {VAE_CLF_HIDDEN, s->n_classes},
    };
    int k;

    for (k = 0; k < N_MODULES; k++) {
        m->mod[k].in = lin[k][0];
        m->mod[k].out = lin[k][1];
        m->mod[k].is_bn = k == ENC2 || k == ENC5 || k == REC2 || k == CLF2;
        m->tensor_size[2 * k] = m->mod[k].is_bn
                                    ? (size_t)m->mod[k].out
                                    : (size_t)m->mod[k].out * m->mod[k].in;
        m->tensor_size[2 * k + 1] = (size_t)m->mod[k].out;
    }
}

/* Hand out the next `count` doubles of a block. */
static double *carve(double **next, size_t count)
{
    double *p = *next;

    *next += count;
    return p;
}

/* Sum of the widths of the activation gradients (doubles per row). */
static size_t grad_width(const vae_t *m)
{
    return 3 * VAE_ENC1 + 3 * VAE_ENC2 + 3 * (size_t)m->s.latent +
           3 * VAE_REC_HIDDEN + (size_t)m->s.n_in + 3 * VAE_CLF_HIDDEN +
           (size_t)m->s.n_classes;
}

/* Point the activation gradients at B-row buffers packed from
 * grad_first and zero them: the backward accumulates into them. */
static void carve_grads(vae_t *m, int B)
{
    vae_acts *a = &m->a;
    const size_t R = (size_t)B, D = (size_t)m->s.n_in;
    const size_t L = (size_t)m->s.latent, C = (size_t)m->s.n_classes;
    double *next = a->grad_first;

    memset(next, 0, R * grad_width(m) * sizeof(double));
    a->dh1 = carve(&next, R * VAE_ENC1);
    a->da1 = carve(&next, R * VAE_ENC1);
    a->dn1 = carve(&next, R * VAE_ENC1);
    a->dh2 = carve(&next, R * VAE_ENC2);
    a->da2 = carve(&next, R * VAE_ENC2);
    a->dn2 = carve(&next, R * VAE_ENC2);
    a->dmu = carve(&next, R * L);
    a->dlv = carve(&next, R * L);
    a->dz = carve(&next, R * L);
    a->dr1 = carve(&next, R * VAE_REC_HIDDEN);
    a->dra = carve(&next, R * VAE_REC_HIDDEN);
    a->drn = carve(&next, R * VAE_REC_HIDDEN);
    a->drecon = carve(&next, R * D);
    a->dc1 = carve(&next, R * VAE_CLF_HIDDEN);
    a->dca = carve(&next, R * VAE_CLF_HIDDEN);
    a->dcn = carve(&next, R * VAE_CLF_HIDDEN);
    a->dlogits = carve(&next, R * C);
}

/* Lay the activation buffers out in act_block (or, with base NULL, just
 * count them); returns the number of doubles used. */
static size_t layout_acts(vae_t *m, double *base)
{
    vae_acts *a = &m->a;
    const size_t B = (size_t)m->max_batch;
    const size_t D = (size_t)m->s.n_in, L = (size_t)m->s.latent;
    const size_t C = (size_t)m->s.n_classes;
    double *next = base;
    int k;

    a->x = carve(&next, B * D);
    a->eps = carve(&next, B * L);
    a->a1 = carve(&next, B * VAE_ENC1);
    a->n1 = carve(&next, B * VAE_ENC1);
    a->a2 = carve(&next, B * VAE_ENC2);
    a->n2 = carve(&next, B * VAE_ENC2);
    a->mu = carve(&next, B * L);
    a->lv = carve(&next, B * L);
    a->z = carve(&next, B * L);
    a->ra = carve(&next, B * VAE_REC_HIDDEN);
    a->rn = carve(&next, B * VAE_REC_HIDDEN);
    a->recon = carve(&next, B * D);
    a->ca = carve(&next, B * VAE_CLF_HIDDEN);
    a->cn = carve(&next, B * VAE_CLF_HIDDEN);
    a->logits = carve(&next, B * C);
    a->probs = carve(&next, B * C);
    for (k = 0; k < N_BN; k++) {
        a->bn_mean[k] = carve(&next, (size_t)m->mod[bn_module[k]].out);
        a->bn_rstd[k] = carve(&next, (size_t)m->mod[bn_module[k]].out);
    }

    /* The gradients last: carve_grads lays them out for the batch at
     * hand, so they are contiguous and one memset of B rows clears them. */
    a->grad_first = next;
    next += B * grad_width(m);
    return (size_t)(next - base);
}

vae_t *vae_create(const vae_shape *s, int max_batch)
{
    vae_t *m;
    size_t off, n_acts;
    int i;

    if (s->n_in < 1 || s->n_classes < 2 || s->latent < 1) {
        error_set("VAE shape needs n_in >= 1, n_classes >= 2 and latent "
                  ">= 1; got n_in %d, n_classes %d, latent %d",
                  s->n_in, s->n_classes, s->latent);
        return NULL;
    }
    if (max_batch < 2) {
        error_set("VAE max_batch must be at least 2 (train-mode BatchNorm "
                  "needs two rows); got %d",
                  max_batch);
        return NULL;
    }

    m = error_calloc(1, sizeof *m, "the VAE model");
    if (!m)
        return NULL;
    m->s = *s;
    m->max_batch = max_batch;
    set_modules(m);

    m->n_params = 0;
    for (i = 0; i < VAE_N_TENSORS; i++)
        m->n_params += m->tensor_size[i];
    m->n_running = 0;
    for (i = 0; i < N_BN; i++)
        m->n_running += 2 * (size_t)m->mod[bn_module[i]].out;

    /* A zero-sized dry run counts the activation doubles. */
    n_acts = layout_acts(m, NULL);

    m->params = error_calloc(m->n_params, sizeof(double), "VAE parameters");
    m->grads = error_calloc(m->n_params, sizeof(double), "VAE gradients");
    m->m1 = error_calloc(m->n_params, sizeof(double), "VAE NAdam moments");
    m->m2 = error_calloc(m->n_params, sizeof(double), "VAE NAdam moments");
    m->running =
        error_calloc(m->n_running, sizeof(double), "VAE BatchNorm stats");
    m->act_block = error_calloc(n_acts, sizeof(double), "VAE activations");
    m->yb = error_calloc((size_t)max_batch, sizeof(int), "VAE batch labels");
    if (!m->params || !m->grads || !m->m1 || !m->m2 || !m->running ||
        !m->act_block || !m->yb) {
        vae_free(m);
        return NULL;
    }
    layout_acts(m, m->act_block);

    off = 0;
    for (i = 0; i < VAE_N_TENSORS; i++) {
        m->p[i] = m->params + off;
        m->g[i] = m->grads + off;
        off += m->tensor_size[i];
    }
    off = 0;
    for (i = 0; i < N_BN; i++) {
        size_t w = (size_t)m->mod[bn_module[i]].out;
        size_t j;

        m->r[2 * i] = m->running + off;
        m->r[2 * i + 1] = m->running + off + w;
        for (j = 0; j < w; j++)
            m->r[2 * i + 1][j] = 1.0;
        off += 2 * w;
    }
    m->step = 0;
    m->mu_product = 1.0;
    return m;
}

void vae_free(vae_t *m)
{
    if (!m)
        return;
    free(m->params);
    free(m->grads);
    free(m->m1);
    free(m->m2);
    free(m->running);
    free(m->act_block);
    free(m->yb);
    free(m);
}

/* ---------------------------------------------------------------- */
/* Blocks and named views */

size_t vae_param_count(const vae_t *m)
{
    return m->n_params;
}

double *vae_param_block(vae_t *m)
{
    return m->params;
}

size_t vae_running_count(const vae_t *m)
{
    return m->n_running;
}

double *vae_running_block(vae_t *m)
{
    return m->running;
}

const char *vae_param_name(int i)
{
    return i >= 0 && i < VAE_N_TENSORS ? param_names[i] : NULL;
}

const char *vae_running_name(int i)
{
    return i >= 0 && i < VAE_N_RUNNING ? running_names[i] : NULL;
}

static int find_name(const char *const *names, int n, const char *name)
{
    int i;

    for (i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

static double *named_view(double *const *views, const vae_t *m,
                          const char *name, size_t *count)
{
    int i = find_name(param_names, VAE_N_TENSORS, name);

    if (i < 0) {
        error_set("no VAE parameter called '%s'; expected a PyTorch name "
                  "such as 'enc.0.weight'",
                  name);
        return NULL;
    }
    if (count)
        *count = m->tensor_size[i];
    return views[i];
}

double *vae_param(vae_t *m, const char *name, size_t *count)
{
    return named_view(m->p, m, name, count);
}

double *vae_grad(vae_t *m, const char *name, size_t *count)
{
    return named_view(m->g, m, name, count);
}

double *vae_running(vae_t *m, const char *name, size_t *count)
{
    int i = find_name(running_names, VAE_N_RUNNING, name);

    if (i < 0) {
        error_set("no VAE running statistic called '%s'; expected a name "
                  "such as 'enc.2.running_mean'",
                  name);
        return NULL;
    }
    if (count)
        *count = (size_t)m->mod[bn_module[i / 2]].out;
    return m->r[i];
}

int vae_tensor_dims(const vae_t *m, const char *name, size_t dims[2])
{
    int i = find_name(param_names, VAE_N_TENSORS, name);

    if (i >= 0) {
        const vae_module *mod = &m->mod[i / 2];

        dims[0] = (size_t)mod->out;
        dims[1] = 1;
        if (i % 2 == 1 || mod->is_bn)
            return 1;
        dims[1] = (size_t)mod->in;
        return 2;
    }
    i = find_name(running_names, VAE_N_RUNNING, name);
    if (i < 0)
        return error_set("no VAE tensor called '%s'; expected a name of "
                         "vae_param_name or vae_running_name",
                         name);
    dims[0] = (size_t)m->mod[bn_module[i / 2]].out;
    dims[1] = 1;
    return 1;
}

/* ---------------------------------------------------------------- */
/* Initialisation */

void vae_init(vae_t *m, rng_t *init_rng)
{
    int k, i;

    for (k = 0; k < N_MODULES; k++) {
        const vae_module *mod = &m->mod[k];
        double *w = m->p[2 * k], *b = m->p[2 * k + 1];

        if (mod->is_bn) {
            for (i = 0; i < mod->out; i++) {
                w[i] = 1.0;
                b[i] = 0.0;
            }
        } else {
            /* torch.nn.Linear.reset_parameters: kaiming_uniform_ with
             * a = sqrt(5) gives the bound 1/sqrt(fan_in) for the weight,
             * and the bias uses the same bound. */
            double bound = 1.0 / sqrt((double)mod->in);
            size_t j;

            for (j = 0; j < m->tensor_size[2 * k]; j++)
                w[j] = rng_uniform_range(init_rng, -bound, bound);
            for (i = 0; i < mod->out; i++)
                b[i] = rng_uniform_range(init_rng, -bound, bound);
        }
    }
    for (k = 0; k < N_BN; k++) {
        int w = m->mod[bn_module[k]].out;

        for (i = 0; i < w; i++) {
            m->r[2 * k][i] = 0.0;
            m->r[2 * k + 1][i] = 1.0;
        }
    }
    memset(m->grads, 0, m->n_params * sizeof(double));
    memset(m->m1, 0, m->n_params * sizeof(double));
    memset(m->m2, 0, m->n_params * sizeof(double));
    m->step = 0;
    m->mu_product = 1.0;
}

/* ---------------------------------------------------------------- */
/* Layers of this model, by module index */

static void linear_fwd(vae_t *m, int k, double *out, const double *in, int B)
{
    nn_linear_forward(out, in, m->p[2 * k], m->p[2 * k + 1], B, m->mod[k].in,
                      m->mod[k].out);
}

static void linear_bwd(vae_t *m, int k, double *din, const double *dout,
                       const double *in, int B)
{
    nn_linear_backward(din, m->g[2 * k], m->g[2 * k + 1], dout, in, m->p[2 * k],
                       B, m->mod[k].in, m->mod[k].out);
}

static void bn_fwd_train(vae_t *m, int bn, double *out, const double *in, int B)
{
    int k = bn_module[bn];

    nn_batchnorm_forward_train(out, m->a.bn_mean[bn], m->a.bn_rstd[bn],
                               m->r[2 * bn], m->r[2 * bn + 1], in, m->p[2 * k],
                               m->p[2 * k + 1], B, m->mod[k].out,
                               VAE_BN_MOMENTUM, VAE_BN_EPS);
}

static void bn_fwd_eval(vae_t *m, int bn, double *out, const double *in, int B)
{
    int k = bn_module[bn];

    nn_batchnorm_forward_eval(out, in, m->p[2 * k], m->p[2 * k + 1],
                              m->r[2 * bn], m->r[2 * bn + 1], B, m->mod[k].out,
                              VAE_BN_EPS);
}

static void bn_bwd(vae_t *m, int bn, double *din, const double *dout,
                   const double *in, int B)
{
    int k = bn_module[bn];

    nn_batchnorm_backward(din, m->g[2 * k], m->g[2 * k + 1], dout, in,
                          m->a.bn_mean[bn], m->a.bn_rstd[bn], m->p[2 * k], B,
                          m->mod[k].out);
}

/* Linear, ReLU (in place), then BatchNorm in train or eval mode. */
static void block_fwd(vae_t *m, int lin, int bn, double *a, double *n,
                      const double *in, int B, int train)
{
    size_t count = (size_t)B * m->mod[lin].out;

    linear_fwd(m, lin, a, in, B);
    nn_relu_forward(a, a, count);
    if (train)
        bn_fwd_train(m, bn, n, a, B);
    else
        bn_fwd_eval(m, bn, n, a, B);
}

/* Backward of block_fwd in train mode: dn -> da -> dh -> din. */
static void block_bwd(vae_t *m, int lin, int bn, double *din, double *dh,
                      double *da, const double *dn, const double *a,
                      const double *in, int B)
{
    bn_bwd(m, bn, da, dn, a, B);
    nn_relu_backward(dh, da, a, (size_t)B * m->mod[lin].out);
    linear_bwd(m, lin, din, dh, in, B);
}

/* ---------------------------------------------------------------- */
/* Training */

static void forward_train(vae_t *m, const double *x, const double *eps, int B)
{
    vae_acts *a = &m->a;

    block_fwd(m, ENC0, BN_ENC2, a->a1, a->n1, x, B, 1);
    block_fwd(m, ENC3, BN_ENC5, a->a2, a->n2, a->n1, B, 1);
    linear_fwd(m, MU, a->mu, a->n2, B);
    linear_fwd(m, LV, a->lv, a->n2, B);
    nn_reparam_forward(a->z, a->mu, a->lv, eps, (size_t)B * m->s.latent);

    block_fwd(m, REC0, BN_REC2, a->ra, a->rn, a->z, B, 1);
    linear_fwd(m, REC3, a->recon, a->rn, B);

    block_fwd(m, CLF0, BN_CLF2, a->ca, a->cn, a->z, B, 1);
    linear_fwd(m, CLF3, a->logits, a->cn, B);
}

static void backward(vae_t *m, const vae_hparams *hp, const double *x,
                     const int *y, const double *eps, int B)
{
    vae_acts *a = &m->a;
    const int D = m->s.n_in, L = m->s.latent, C = m->s.n_classes;

    memset(m->grads, 0, m->n_params * sizeof(double));
    carve_grads(m, B);

    /* Classifier decoder. */
    nn_crossentropy_backward(a->dlogits, a->probs, y, B, C, hp->a_clf);
    linear_bwd(m, CLF3, a->dcn, a->dlogits, a->cn, B);
    block_bwd(m, CLF0, BN_CLF2, a->dz, a->dc1, a->dca, a->dcn, a->ca, a->z, B);

    /* Reconstruction decoder. */
    nn_mse_backward(a->drecon, a->recon, x, (size_t)B * D, hp->a_rec);
    linear_bwd(m, REC3, a->drn, a->drecon, a->rn, B);
    block_bwd(m, REC0, BN_REC2, a->dz, a->dr1, a->dra, a->drn, a->ra, a->z, B);

    /* Sample and KL term, both into the heads. */
    nn_reparam_backward(a->dmu, a->dlv, a->dz, a->lv, eps, (size_t)B * L);
    nn_kl_backward(a->dmu, a->dlv, a->mu, a->lv, B, L, hp->a_kl);
    linear_bwd(m, MU, a->dn2, a->dmu, a->n2, B);
    linear_bwd(m, LV, a->dn2, a->dlv, a->n2, B);

    /* Encoder; the input x needs no gradient. */
    block_bwd(m, ENC3, BN_ENC5, a->dn1, a->dh2, a->da2, a->dn2, a->a2, a->n1,
              B);
    block_bwd(m, ENC0, BN_ENC2, NULL, a->dh1, a->da1, a->dn1, a->a1, x, B);
}

int vae_train_step(vae_t *m, const vae_hparams *hp, const double *x,
                   const int *y, const double *eps, int b, double losses[4])
{
    vae_acts *a = &m->a;
    nn_nadam_config opt = {hp->lr, 0.9, 0.999, 1e-8, 4e-3, hp->weight_decay};
    double mse, ce, kl, total;
    int i;

    if (b < 2 || b > m->max_batch)
        return error_set("VAE batch of %d rows; expected 2 to %d (the "
                         "max_batch given to vae_create)",
                         b, m->max_batch);
    for (i = 0; i < b; i++)
        if (y[i] < 0 || y[i] >= m->s.n_classes)
            return error_set("label %d in row %d of the batch is outside "
                             "0..%d; labels must be class indices",
                             y[i], i, m->s.n_classes - 1);

    forward_train(m, x, eps, b);
    mse = nn_mse_forward(a->recon, x, (size_t)b * m->s.n_in);
    ce = nn_crossentropy_forward(a->probs, a->logits, y, b, m->s.n_classes);
    kl = nn_kl_forward(a->mu, a->lv, b, m->s.latent);
    total = hp->a_rec * mse + hp->a_clf * ce + hp->a_kl * kl;
    losses[0] = total;
    losses[1] = mse;
    losses[2] = ce;
    losses[3] = kl;
    if (!isfinite(total))
        return error_set("non-finite loss %g (mse %g, ce %g, kl %g); check "
                         "the input for NaN or Inf, or lower the learning "
                         "rate",
                         total, mse, ce, kl);

    backward(m, hp, x, y, eps, b);
    m->step++;
    nn_nadam_step(m->params, m->m1, m->m2, &m->mu_product, m->grads,
                  m->n_params, &opt, m->step);
    return 0;
}

static int check_hparams(const vae_t *m, const vae_hparams *hp, size_t n)
{
    if (hp->batch < 2 || hp->batch > m->max_batch)
        return error_set("VAE batch size %d; expected 2 to %d (max_batch "
                         "of vae_create)",
                         hp->batch, m->max_batch);
    if (hp->epochs < 1)
        return error_set("VAE epochs %d; expected at least 1", hp->epochs);
    if (!(isfinite(hp->lr) && hp->lr > 0.0 && isfinite(hp->weight_decay) &&
          hp->weight_decay >= 0.0))
        return error_set("VAE lr %g and weight_decay %g; expected a finite "
                         "lr > 0 and a finite weight_decay >= 0",
                         hp->lr, hp->weight_decay);
    if (!(isfinite(hp->a_rec) && hp->a_rec >= 0.0 && isfinite(hp->a_clf) &&
          hp->a_clf >= 0.0 && isfinite(hp->a_kl) && hp->a_kl >= 0.0))
        return error_set("VAE loss weights (%g, %g, %g); expected finite "
                         "values >= 0",
                         hp->a_rec, hp->a_clf, hp->a_kl);
    if (n < (size_t)hp->batch)
        return error_set("training set of %zu samples is smaller than one "
                         "batch of %d; use more data or a smaller batch",
                         n, hp->batch);
    return 0;
}

int vae_train(vae_t *m, const vae_hparams *hp, const double *x, const int *y,
              size_t n, uint64_t seed, uint64_t stream, double *curve)
{
    vae_acts *a = &m->a;
    const size_t D = (size_t)m->s.n_in, L = (size_t)m->s.latent;
    const size_t B = (size_t)hp->batch;
    size_t *idx, i, steps;
    rng_t r_init, r_shuffle, r_noise;
    int epoch;

    if (check_hparams(m, hp, n))
        return -1;
    for (i = 0; i < n; i++)
        if (y[i] < 0 || y[i] >= m->s.n_classes)
            return error_set("label %d of training sample %zu is outside "
                             "0..%d; labels must be class indices",
                             y[i], i, m->s.n_classes - 1);
    idx = error_calloc(n, sizeof *idx, "VAE batch order");
    if (!idx)
        return -1;

    rng_init(&r_init, seed, stream, RNG_INIT);
    rng_init(&r_shuffle, seed, stream, RNG_SHUFFLE);
    rng_init(&r_noise, seed, stream, RNG_NOISE);
    vae_init(m, &r_init);

    /* torch DataLoader(drop_last=True): n / B full batches per epoch. */
    steps = n / B;
    for (epoch = 0; epoch < hp->epochs; epoch++) {
        double sum[4] = {0.0, 0.0, 0.0, 0.0};
        size_t step;
        int k;

        /* A fresh permutation each epoch, as DataLoader(shuffle=True). */
        for (i = 0; i < n; i++)
            idx[i] = i;
        rng_shuffle(&r_shuffle, idx, n);

        for (step = 0; step < steps; step++) {
            const size_t *rows = idx + step * B;
            double losses[4];

            for (i = 0; i < B; i++) {
                memcpy(a->x + i * D, x + rows[i] * D, D * sizeof(double));
                m->yb[i] = y[rows[i]];
            }
            for (i = 0; i < B * L; i++)
                a->eps[i] = rng_normal(&r_noise);

            if (vae_train_step(m, hp, a->x, m->yb, a->eps, (int)B, losses)) {
                char why[ERROR_TEXT_MAX];

                /* error_text() is the buffer error_set writes: copy. */
                snprintf(why, sizeof why, "%s", error_text());
                free(idx);
                return error_set("VAE run (seed %llu, stream %llu) failed "
                                 "at epoch %d, step %zu of %zu: %s",
                                 (unsigned long long)seed,
                                 (unsigned long long)stream, epoch + 1,
                                 step + 1, steps, why);
            }
            for (k = 0; k < 4; k++)
                sum[k] += losses[k];
        }
        if (curve)
            for (k = 0; k < 4; k++)
                curve[(size_t)epoch * 4 + k] = sum[k] / (double)steps;
    }
    free(idx);
    return 0;
}

/* ---------------------------------------------------------------- */
/* Eval mode */

/* Latent means of B rows of x into a->mu. */
static void forward_encode(vae_t *m, const double *x, int B)
{
    vae_acts *a = &m->a;

    block_fwd(m, ENC0, BN_ENC2, a->a1, a->n1, x, B, 0);
    block_fwd(m, ENC3, BN_ENC5, a->a2, a->n2, a->n1, B, 0);
    linear_fwd(m, MU, a->mu, a->n2, B);
}

int vae_encode(vae_t *m, const double *x, size_t n, double *mu)
{
    const size_t D = (size_t)m->s.n_in, L = (size_t)m->s.latent;
    size_t at, i;

    for (at = 0; at < n; at += (size_t)m->max_batch) {
        size_t B =
            n - at < (size_t)m->max_batch ? n - at : (size_t)m->max_batch;

        forward_encode(m, x + at * D, (int)B);
        memcpy(mu + at * L, m->a.mu, B * L * sizeof(double));
    }
    for (i = 0; i < n * L; i++)
        if (!isfinite(mu[i]))
            return error_set("latent mean of sample %zu is not finite; "
                             "check that row of the input for NaN or Inf",
                             i / L);
    return 0;
}

int vae_predict(vae_t *m, const double *x, size_t n, int *pred)
{
    vae_acts *a = &m->a;
    const size_t D = (size_t)m->s.n_in;
    const int C = m->s.n_classes;
    size_t at, r;

    for (at = 0; at < n; at += (size_t)m->max_batch) {
        size_t B =
            n - at < (size_t)m->max_batch ? n - at : (size_t)m->max_batch;

        /* METHOD.md: the classifier head on the latent mean, eval mode. */
        forward_encode(m, x + at * D, (int)B);
        block_fwd(m, CLF0, BN_CLF2, a->ca, a->cn, a->mu, (int)B, 0);
        linear_fwd(m, CLF3, a->logits, a->cn, (int)B);

        for (r = 0; r < B; r++) {
            const double *l = a->logits + r * (size_t)C;
            int c, best = 0;

            for (c = 0; c < C; c++) {
                if (!isfinite(l[c]))
                    return error_set("classifier logit of sample %zu is "
                                     "not finite; check that row of the "
                                     "input for NaN or Inf",
                                     at + r);
                /* First maximum wins, as torch.argmax. */
                if (l[c] > l[best])
                    best = c;
            }
            pred[at + r] = best;
        }
    }
    return 0;
}
