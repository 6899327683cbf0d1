#include "vaesweep/classify.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "vaesweep/error.h"
#include "vaesweep/rng.h"

#define MLP_HIDDEN1      10
#define MLP_HIDDEN2      10
#define MLP_TOL          1e-4 /* scikit-learn's tol */
#define MLP_NO_CHANGE    10   /* scikit-learn's n_iter_no_change */
#define ADAM_BETA1       0.9
#define ADAM_BETA2       0.999
#define ADAM_EPS         1e-8
#define TREE_FEATURE_EPS 1e-7 /* scikit-learn's FEATURE_THRESHOLD */

void classify_params_default(classify_params *p)
{
    p->kind = CLASSIFIER_MLP;
    p->max_epochs = 1000;
    p->lr = 0.002;
    p->alpha = 1e-4;
    p->batch = 16;
    p->trees = 100;
}

double classify_accuracy(const int *pred, const int *y, size_t n)
{
    size_t i, hit = 0;

    if (n == 0)
        return 0.0;
    for (i = 0; i < n; i++)
        hit += pred[i] == y[i];
    return (double)hit / (double)n;
}

/* ------------------------------------------------------------------ */
/* MLP                                                                 */
/* ------------------------------------------------------------------ */

/*
 * The network d -> 10 -> 10 -> k, k = n_classes (softmax) or 1 (logistic,
 * 2 classes).  Weights are stored as scikit-learn's coefs_: fan_in x
 * fan_out row-major, so a layer is out = in @ W + b.  Parameters,
 * gradients and both Adam moments are each one block with the layout
 * w1 b1 w2 b2 w3 b3; the activations are sized for one batch.
 */
typedef struct {
    int d, k;
    size_t rows;     /* batch capacity */
    size_t n_params; /* size of each block below */
    double *params, *grads, *m, *v;
    /* offsets of w1 b1 w2 b2 w3 b3 in every block */
    size_t off[6];
    double *xb;      /* [rows * d] batch inputs */
    int *yb;         /* [rows] batch labels */
    double *a1, *a2; /* [rows * 10] hidden activations (after ReLU) */
    double *a3;      /* [rows * k] output probabilities */
    double *d1, *d2; /* [rows * 10] loss gradients w.r.t. pre-ReLU */
    double *d3;      /* [rows * k] */
    size_t *order;   /* [ntr] sample order, reshuffled every epoch */
    long t;          /* Adam step */
} mlp_t;

static void mlp_free(mlp_t *net)
{
    free(net->params);
    free(net->grads);
    free(net->m);
    free(net->v);
    free(net->xb);
    free(net->yb);
    free(net->a1);
    free(net->a2);
    free(net->a3);
    free(net->d1);
    free(net->d2);
    free(net->d3);
    free(net->order);
}

static int mlp_alloc(mlp_t *net, int d, int k, size_t rows, size_t ntr)
{
    const size_t fan_in[3] = {(size_t)d, MLP_HIDDEN1, MLP_HIDDEN2};
    const size_t fan_out[3] = {MLP_HIDDEN1, MLP_HIDDEN2, (size_t)k};
    size_t n = 0;
    int l;

    memset(net, 0, sizeof *net);
    net->d = d;
    net->k = k;
    net->rows = rows;
    for (l = 0; l < 3; l++) {
        net->off[2 * l] = n;
        n += fan_in[l] * fan_out[l];
        net->off[2 * l + 1] = n;
        n += fan_out[l];
    }
    net->n_params = n;
    net->params = error_calloc(n, sizeof(double), "MLP parameters");
    net->grads = error_calloc(n, sizeof(double), "MLP gradients");
    net->m = error_calloc(n, sizeof(double), "MLP Adam moments");
    net->v = error_calloc(n, sizeof(double), "MLP Adam moments");
    net->xb = error_calloc(rows * (size_t)d, sizeof(double), "MLP batch");
    net->yb = error_calloc(rows, sizeof(int), "MLP batch labels");
    net->a1 = error_calloc(rows * MLP_HIDDEN1, sizeof(double), "MLP layer");
    net->a2 = error_calloc(rows * MLP_HIDDEN2, sizeof(double), "MLP layer");
    net->a3 = error_calloc(rows * (size_t)k, sizeof(double), "MLP output");
    net->d1 = error_calloc(rows * MLP_HIDDEN1, sizeof(double), "MLP layer");
    net->d2 = error_calloc(rows * MLP_HIDDEN2, sizeof(double), "MLP layer");
    net->d3 = error_calloc(rows * (size_t)k, sizeof(double), "MLP output");
    net->order = error_calloc(ntr, sizeof(size_t), "MLP sample order");
    if (!net->params || !net->grads || !net->m || !net->v || !net->xb ||
        !net->yb || !net->a1 || !net->a2 || !net->a3 || !net->d1 || !net->d2 ||
        !net->d3 || !net->order) {
        mlp_free(net);
        return -1;
    }
    return 0;
}

/* Glorot-uniform as scikit-learn's _init_coef for ReLU networks: weights
 * then biases of each layer, all uniform in +-sqrt(6 / (fan_in +
 * fan_out)). */
static void mlp_init(mlp_t *net, rng_t *r)
{
    const int fan_in[3] = {net->d, MLP_HIDDEN1, MLP_HIDDEN2};
    const int fan_out[3] = {MLP_HIDDEN1, MLP_HIDDEN2, net->k};
    int l;
    size_t i;

    for (l = 0; l < 3; l++) {
        double bound = sqrt(6.0 / (double)(fan_in[l] + fan_out[l]));
        size_t end = net->off[2 * l + 1] + (size_t)fan_out[l];

        for (i = net->off[2 * l]; i < end; i++)
            net->params[i] = rng_uniform_range(r, -bound, bound);
    }
}

/* out [rows * n_out] = in [rows * n_in] @ w [n_in * n_out] + b [n_out]. */
static void dense_forward(double *out, const double *in, const double *w,
                          const double *b, size_t rows, int n_in, int n_out)
{
    size_t i;

    for (i = 0; i < rows; i++)
        memcpy(out + i * (size_t)n_out, b, (size_t)n_out * sizeof *b);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, n_out,
                n_in, 1.0, in, n_in, w, n_out, 1.0, out, n_out);
}

static void relu(double *a, size_t n)
{
    size_t i;

    /* A select with an unconditional store, so the loop vectorises
     * instead of branching on a random sign pattern. */
    for (i = 0; i < n; i++) {
        double v = a[i];

        a[i] = v > 0.0 ? v : 0.0;
    }
}

/* Softmax per row (max subtracted, as scikit-learn), or the logistic
 * function for the single binary unit. */
static void output_activation(double *a, size_t rows, int k)
{
    size_t i;
    int c;

    if (k == 1) {
        for (i = 0; i < rows; i++)
            a[i] = 1.0 / (1.0 + exp(-a[i]));
        return;
    }
    for (i = 0; i < rows; i++) {
        double *row = a + i * (size_t)k, mx = row[0], sum = 0.0;

        for (c = 1; c < k; c++)
            mx = row[c] > mx ? row[c] : mx;
        for (c = 0; c < k; c++) {
            row[c] = exp(row[c] - mx);
            sum += row[c];
        }
        for (c = 0; c < k; c++)
            row[c] /= sum;
    }
}

/* Forward pass of rows rows of x [rows * d]; leaves a1, a2, a3 set. */
static void mlp_forward(mlp_t *net, const double *x, size_t rows)
{
    const double *p = net->params;

    dense_forward(net->a1, x, p + net->off[0], p + net->off[1], rows, net->d,
                  MLP_HIDDEN1);
    relu(net->a1, rows * MLP_HIDDEN1);
    dense_forward(net->a2, net->a1, p + net->off[2], p + net->off[3], rows,
                  MLP_HIDDEN1, MLP_HIDDEN2);
    relu(net->a2, rows * MLP_HIDDEN2);
    dense_forward(net->a3, net->a2, p + net->off[4], p + net->off[5], rows,
                  MLP_HIDDEN2, net->k);
    output_activation(net->a3, rows, net->k);
}

/*
 * Weight gradient of one layer as scikit-learn's _compute_loss_grad:
 * gw = (in^T @ delta + alpha * w) / rows, gb = mean of delta over rows.
 */
static void dense_backward(double *gw, double *gb, const double *in,
                           const double *delta, const double *w, size_t rows,
                           int n_in, int n_out, double alpha)
{
    size_t i, nw = (size_t)n_in * (size_t)n_out;
    int c;

    memcpy(gw, w, nw * sizeof *gw);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n_in, n_out, (int)rows,
                1.0 / (double)rows, in, n_in, delta, n_out,
                alpha / (double)rows, gw, n_out);
    for (c = 0; c < n_out; c++)
        gb[c] = 0.0;
    for (i = 0; i < rows; i++)
        for (c = 0; c < n_out; c++)
            gb[c] += delta[i * (size_t)n_out + c];
    for (c = 0; c < n_out; c++)
        gb[c] /= (double)rows;
}

/* delta_in [rows * n_in] = delta [rows * n_out] @ w^T, zeroed where the
 * ReLU output act [rows * n_in] is 0 (scikit-learn's inplace_relu_
 * derivative). */
static void dense_backprop_delta(double *delta_in, const double *delta,
                                 const double *w, const double *act,
                                 size_t rows, int n_in, int n_out)
{
    size_t i, n = rows * (size_t)n_in;

    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, n_in, n_out,
                1.0, delta, n_out, w, n_out, 0.0, delta_in, n_in);
    /* Unconditional store (see relu). */
    for (i = 0; i < n; i++) {
        double v = delta_in[i];

        delta_in[i] = act[i] == 0.0 ? 0.0 : v;
    }
}

/*
 * Loss of the batch in xb/yb (after mlp_forward) as scikit-learn's
 * _backprop: log-loss with probabilities clipped to [eps, 1 - eps], plus
 * 0.5 * alpha * sum(W^2) / rows; fills grads.
 */
static double mlp_backward(mlp_t *net, size_t rows, double alpha)
{
    const double eps = DBL_EPSILON;
    const double *p = net->params;
    double *g = net->grads, loss = 0.0, sq = 0.0;
    int k = net->k, c, l;
    size_t i;

    for (i = 0; i < rows; i++) {
        const double *prob = net->a3 + i * (size_t)k;
        double *delta = net->d3 + i * (size_t)k;

        if (k == 1) {
            double q = fmin(fmax(prob[0], eps), 1.0 - eps);

            loss -= net->yb[i] ? log(q) : log(1.0 - q);
            delta[0] = prob[0] - (double)net->yb[i];
        } else {
            double q = fmin(fmax(prob[net->yb[i]], eps), 1.0 - eps);

            loss -= log(q);
            for (c = 0; c < k; c++)
                delta[c] = prob[c] - (c == net->yb[i] ? 1.0 : 0.0);
        }
    }
    /* scikit-learn sums np.dot(s.ravel(), s.ravel()) over the weight
     * matrices; numpy's dot of two float64 vectors is BLAS ddot. */
    for (l = 0; l < 3; l++) {
        const size_t nw = net->off[2 * l + 1] - net->off[2 * l];

        sq +=
            cblas_ddot((int)nw, p + net->off[2 * l], 1, p + net->off[2 * l], 1);
    }
    loss = loss / (double)rows + 0.5 * alpha * sq / (double)rows;

    dense_backward(g + net->off[4], g + net->off[5], net->a2, net->d3,
                   p + net->off[4], rows, MLP_HIDDEN2, k, alpha);
    dense_backprop_delta(net->d2, net->d3, p + net->off[4], net->a2, rows,
                         MLP_HIDDEN2, k);
    dense_backward(g + net->off[2], g + net->off[3], net->a1, net->d2,
                   p + net->off[2], rows, MLP_HIDDEN1, MLP_HIDDEN2, alpha);
    dense_backprop_delta(net->d1, net->d2, p + net->off[2], net->a1, rows,
                         MLP_HIDDEN1, MLP_HIDDEN2);
    dense_backward(g + net->off[0], g + net->off[1], net->xb, net->d1,
                   p + net->off[0], rows, net->d, MLP_HIDDEN1, alpha);
    return loss;
}

/* Adam as scikit-learn's AdamOptimizer: the bias correction folded into
 * the step, lr * sqrt(1 - beta2^t) / (1 - beta1^t), eps outside the
 * square root. */
static void mlp_adam_step(mlp_t *net, double lr)
{
    double step;
    size_t i;

    net->t++;
    step = lr * sqrt(1.0 - pow(ADAM_BETA2, (double)net->t)) /
           (1.0 - pow(ADAM_BETA1, (double)net->t));
    for (i = 0; i < net->n_params; i++) {
        double g = net->grads[i];

        net->m[i] = ADAM_BETA1 * net->m[i] + (1.0 - ADAM_BETA1) * g;
        net->v[i] = ADAM_BETA2 * net->v[i] + (1.0 - ADAM_BETA2) * g * g;
        net->params[i] -= step * net->m[i] / (sqrt(net->v[i]) + ADAM_EPS);
    }
}

/* Train for up to max_epochs with scikit-learn's stopping rule; returns
 * the epochs run, or -1 on a non-finite loss. */
static int mlp_train(mlp_t *net, const classify_params *p, const double *xtr,
                     const int *ytr, size_t ntr, rng_t *shuffle)
{
    double best = INFINITY;
    int epoch, no_improve = 0;
    size_t i;

    for (i = 0; i < ntr; i++)
        net->order[i] = i;
    for (epoch = 1; epoch <= p->max_epochs; epoch++) {
        double total = 0.0, loss;
        size_t start;

        rng_shuffle(shuffle, net->order, ntr);
        for (start = 0; start < ntr; start += net->rows) {
            size_t rows = ntr - start < net->rows ? ntr - start : net->rows;

            for (i = 0; i < rows; i++) {
                size_t s = net->order[start + i];

                memcpy(net->xb + i * (size_t)net->d, xtr + s * (size_t)net->d,
                       (size_t)net->d * sizeof *xtr);
                net->yb[i] = ytr[s];
            }
            mlp_forward(net, net->xb, rows);
            total += mlp_backward(net, rows, p->alpha) * (double)rows;
            mlp_adam_step(net, p->lr);
        }
        loss = total / (double)ntr;
        if (!isfinite(loss))
            return error_set("MLP training loss is not finite (%g) at epoch "
                             "%d; lower "
                             "the learning rate or standardise the "
                             "features",
                             loss, epoch);

        /* scikit-learn's _update_no_improvement_count without early
         * stopping, then stop once the count exceeds n_iter_no_change. */
        if (loss > best - MLP_TOL)
            no_improve++;
        else
            no_improve = 0;
        if (loss < best)
            best = loss;
        if (no_improve > MLP_NO_CHANGE)
            break;
    }
    return epoch > p->max_epochs ? p->max_epochs : epoch;
}

/* Predict in batch-sized chunks so the training buffers suffice. */
static void mlp_predict(mlp_t *net, const double *xte, size_t nte, int *pred)
{
    size_t start, i;
    int c;

    for (start = 0; start < nte; start += net->rows) {
        size_t rows = nte - start < net->rows ? nte - start : net->rows;

        mlp_forward(net, xte + start * (size_t)net->d, rows);
        for (i = 0; i < rows; i++) {
            const double *prob = net->a3 + i * (size_t)net->k;
            int best = 0;

            /* Binary: scikit-learn's LabelBinarizer threshold p > 0.5;
             * otherwise the first largest probability, as numpy argmax. */
            if (net->k == 1)
                best = prob[0] > 0.5;
            else
                for (c = 1; c < net->k; c++)
                    if (prob[c] > prob[best])
                        best = c;
            pred[start + i] = best;
        }
    }
}

static int mlp_fit_predict(const classify_params *p, const double *xtr,
                           const int *ytr, size_t ntr, int d, int n_classes,
                           const double *xte, size_t nte, uint64_t seed,
                           uint64_t stream, int *pred, int *epochs_run)
{
    mlp_t net;
    rng_t init, shuffle;
    size_t rows = (size_t)p->batch < ntr ? (size_t)p->batch : ntr;
    int epochs;

    /* scikit-learn clips batch_size to the sample count. */
    if (mlp_alloc(&net, d, n_classes == 2 ? 1 : n_classes, rows, ntr))
        return -1;
    rng_init(&init, seed, stream, RNG_INIT);
    rng_init(&shuffle, seed, stream, RNG_SHUFFLE);
    mlp_init(&net, &init);
    epochs = mlp_train(&net, p, xtr, ytr, ntr, &shuffle);
    if (epochs >= 0)
        mlp_predict(&net, xte, nte, pred);
    mlp_free(&net);
    if (epochs < 0)
        return -1;
    if (epochs_run)
        *epochs_run = epochs;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Random forest                                                       */
/* ------------------------------------------------------------------ */

typedef struct {
    int feature; /* -1 at a leaf */
    double threshold;
    int left, right; /* children, or the leaf index at a leaf (left) */
} tree_node;

typedef struct {
    double v;
    size_t s;
} feature_value;

/*
 * Workspace for one tree, reused by all trees: the bootstrap weights,
 * the node sample lists, the nodes and the leaf class probabilities.
 */
typedef struct {
    const double *x;
    const int *y;
    size_t n;
    int d, n_classes, max_features;
    double *weight;      /* [n] bootstrap multiplicity of each sample */
    size_t *samples;     /* [n] samples in the tree, partitioned by node */
    int *features;       /* [d] features in draw order */
    feature_value *xf;   /* [n] one feature's values in a node, sorted */
    double *node_counts; /* [n_classes] */
    double *left_counts; /* [n_classes] */
    tree_node *nodes;    /* [2n] */
    double *leaf_value;  /* [n * n_classes] */
    size_t *stack;       /* [3 * 2n] pending (node, start, end) */
} forest_t;

static void forest_free(forest_t *f)
{
    free(f->weight);
    free(f->samples);
    free(f->features);
    free(f->xf);
    free(f->node_counts);
    free(f->left_counts);
    free(f->nodes);
    free(f->leaf_value);
    free(f->stack);
}

static int forest_alloc(forest_t *f, size_t n, int d, int n_classes)
{
    size_t c = (size_t)n_classes;

    memset(f, 0, sizeof *f);
    f->weight = error_calloc(n, sizeof *f->weight, "forest weights");
    f->samples = error_calloc(n, sizeof *f->samples, "forest samples");
    f->features = error_calloc((size_t)d, sizeof *f->features, "features");
    f->xf = error_calloc(n, sizeof *f->xf, "forest sort buffer");
    f->node_counts = error_calloc(c, sizeof(double), "forest counts");
    f->left_counts = error_calloc(c, sizeof(double), "forest counts");
    f->nodes = error_calloc(2 * n, sizeof *f->nodes, "forest nodes");
    f->leaf_value = error_calloc(n * c, sizeof(double), "forest leaves");
    f->stack = error_calloc(6 * n, sizeof *f->stack, "forest stack");
    if (!f->weight || !f->samples || !f->features || !f->xf ||
        !f->node_counts || !f->left_counts || !f->nodes || !f->leaf_value ||
        !f->stack) {
        forest_free(f);
        return -1;
    }
    return 0;
}

static int cmp_feature_value(const void *a, const void *b)
{
    double x = ((const feature_value *)a)->v;
    double y = ((const feature_value *)b)->v;

    return (x > y) - (x < y);
}

/* sum_c counts[c]^2 / total: the Gini proxy of one side (larger is
 * purer), as -weighted_n * impurity up to a constant. */
static double gini_proxy(const double *counts, double total, int n_classes)
{
    double sq = 0.0;
    int c;

    for (c = 0; c < n_classes; c++)
        sq += counts[c] * counts[c];
    return sq / total;
}

/*
 * Best split of the node holding samples[start..end) as scikit-learn's
 * BestSplitter: features are drawn at random without replacement until
 * max_features have been visited and at least one of them was not
 * constant in the node; each is sorted and every threshold between two
 * distinct neighbouring values is tried, the split maximising the Gini
 * proxy kept (the first one on ties).  Returns 1 and sets *feature and
 * *threshold when a split exists, else 0.
 */
static int forest_best_split(forest_t *f, rng_t *r, size_t start, size_t end,
                             double node_total, int *feature, double *threshold)
{
    size_t m = end - start, i;
    int visited = 0, nonconstant = 0, fi, c;
    double best = -INFINITY;

    for (fi = 0; fi < f->d; fi++)
        f->features[fi] = fi;
    for (fi = 0; fi < f->d; fi++) {
        int pick, feat;
        double left_total = 0.0;

        if (visited >= f->max_features && nonconstant)
            break;
        pick = fi + (int)rng_below(r, (uint64_t)(f->d - fi));
        feat = f->features[pick];
        f->features[pick] = f->features[fi];
        f->features[fi] = feat;
        visited++;
        for (i = 0; i < m; i++) {
            size_t s = f->samples[start + i];

            f->xf[i].v = f->x[s * (size_t)f->d + feat];
            f->xf[i].s = s;
        }
        qsort(f->xf, m, sizeof *f->xf, cmp_feature_value);
        if (f->xf[m - 1].v <= f->xf[0].v + TREE_FEATURE_EPS)
            continue;
        nonconstant++;

        for (c = 0; c < f->n_classes; c++)
            f->left_counts[c] = 0.0;
        for (i = 0; i + 1 < m; i++) {
            size_t s = f->xf[i].s;
            double proxy;

            f->left_counts[f->y[s]] += f->weight[s];
            left_total += f->weight[s];
            if (f->xf[i + 1].v <= f->xf[i].v + TREE_FEATURE_EPS)
                continue;
            proxy = gini_proxy(f->left_counts, left_total, f->n_classes);
            for (c = 0; c < f->n_classes; c++)
                f->node_counts[c] -= f->left_counts[c];
            proxy += gini_proxy(f->node_counts, node_total - left_total,
                                f->n_classes);
            for (c = 0; c < f->n_classes; c++)
                f->node_counts[c] += f->left_counts[c];
            if (proxy > best) {
                best = proxy;
                *feature = feat;
                /* The midpoint, as scikit-learn; if rounding puts it on
                 * the upper value, the lower value keeps sides right. */
                *threshold = f->xf[i].v / 2.0 + f->xf[i + 1].v / 2.0;
                if (*threshold == f->xf[i + 1].v || isinf(*threshold))
                    *threshold = f->xf[i].v;
            }
        }
    }
    return nonconstant > 0;
}

/* Grow one tree on the bootstrap sample in f->weight, depth first. */
static void forest_grow(forest_t *f, rng_t *r, size_t n_in_tree)
{
    size_t top = 0, n_nodes = 1, n_leaves = 0;
    int c;

    f->stack[top++] = 0;
    f->stack[top++] = 0;
    f->stack[top++] = n_in_tree;
    while (top > 0) {
        size_t end = f->stack[--top], start = f->stack[--top];
        size_t id = f->stack[--top], i, mid;
        double total = 0.0, gini;
        int feature = -1;
        double threshold = 0.0;

        for (c = 0; c < f->n_classes; c++)
            f->node_counts[c] = 0.0;
        for (i = start; i < end; i++) {
            size_t s = f->samples[i];

            f->node_counts[f->y[s]] += f->weight[s];
            total += f->weight[s];
        }
        gini = 1.0 - gini_proxy(f->node_counts, total, f->n_classes) / total;

        /* Leaves: fewer than 2 distinct samples, pure (scikit-learn's
         * impurity <= EPSILON), or no feature varies in the node. */
        if (end - start < 2 || gini <= DBL_EPSILON ||
            !forest_best_split(f, r, start, end, total, &feature, &threshold)) {
            double *value = f->leaf_value + n_leaves * (size_t)f->n_classes;

            for (c = 0; c < f->n_classes; c++)
                value[c] = f->node_counts[c] / total;
            f->nodes[id].feature = -1;
            f->nodes[id].left = (int)n_leaves++;
            continue;
        }

        /* Partition: x <= threshold goes left, as scikit-learn. */
        mid = start;
        for (i = start; i < end; i++) {
            size_t s = f->samples[i];

            if (f->x[s * (size_t)f->d + feature] <= threshold) {
                f->samples[i] = f->samples[mid];
                f->samples[mid++] = s;
            }
        }
        f->nodes[id].feature = feature;
        f->nodes[id].threshold = threshold;
        f->nodes[id].left = (int)n_nodes;
        f->nodes[id].right = (int)n_nodes + 1;
        f->stack[top++] = n_nodes + 1;
        f->stack[top++] = mid;
        f->stack[top++] = end;
        f->stack[top++] = n_nodes;
        f->stack[top++] = start;
        f->stack[top++] = mid;
        n_nodes += 2;
    }
}

/* Add the tree's class probabilities for each row of xte to proba. */
static void forest_accumulate(const forest_t *f, const double *xte, size_t nte,
                              double *proba)
{
    size_t i;
    int c;

    for (i = 0; i < nte; i++) {
        const double *row = xte + i * (size_t)f->d;
        const tree_node *node = f->nodes;
        const double *value;

        while (node->feature >= 0)
            node = f->nodes + (row[node->feature] <= node->threshold
                                   ? node->left
                                   : node->right);
        value = f->leaf_value + (size_t)node->left * (size_t)f->n_classes;
        for (c = 0; c < f->n_classes; c++)
            proba[i * (size_t)f->n_classes + c] += value[c];
    }
}

static int forest_fit_predict(const classify_params *p, const double *xtr,
                              const int *ytr, size_t ntr, int d, int n_classes,
                              const double *xte, size_t nte, uint64_t seed,
                              uint64_t stream, int *pred)
{
    forest_t f;
    rng_t r;
    double *proba = NULL;
    size_t i;
    int t, c;

    if (forest_alloc(&f, ntr, d, n_classes))
        return -1;
    if (nte > 0) {
        proba = error_calloc(nte * (size_t)n_classes, sizeof *proba,
                             "forest probabilities");
        if (!proba) {
            forest_free(&f);
            return -1;
        }
    }
    f.x = xtr;
    f.y = ytr;
    f.n = ntr;
    f.d = d;
    f.n_classes = n_classes;
    /* scikit-learn's max_features="sqrt": max(1, int(sqrt(d))). */
    f.max_features = (int)sqrt((double)d);
    if (f.max_features < 1)
        f.max_features = 1;
    rng_init(&r, seed, stream, RNG_TREES);

    for (t = 0; t < p->trees; t++) {
        size_t n_in_tree = 0;

        /* Bootstrap of ntr draws with replacement, kept as per-sample
         * weights as scikit-learn does. */
        for (i = 0; i < ntr; i++)
            f.weight[i] = 0.0;
        for (i = 0; i < ntr; i++)
            f.weight[rng_below(&r, ntr)] += 1.0;
        for (i = 0; i < ntr; i++)
            if (f.weight[i] > 0.0)
                f.samples[n_in_tree++] = i;
        forest_grow(&f, &r, n_in_tree);
        forest_accumulate(&f, xte, nte, proba);
    }

    for (i = 0; i < nte; i++) {
        const double *row = proba + i * (size_t)n_classes;
        int best = 0;

        for (c = 1; c < n_classes; c++)
            if (row[c] > row[best])
                best = c;
        pred[i] = best;
    }
    free(proba);
    forest_free(&f);
    return 0;
}

/* ------------------------------------------------------------------ */

int classify_fit_predict(const classify_params *p, const double *xtr,
                         const int *ytr, size_t ntr, int d, int n_classes,
                         const double *xte, size_t nte, uint64_t seed,
                         uint64_t stream, int *pred, int *epochs_run)
{
    size_t i;

    if (epochs_run)
        *epochs_run = 0;
    if (ntr == 0 || d < 1)
        return error_set("cannot fit a classifier on %zu samples of %d "
                         "features; expected at least 1 of each",
                         ntr, d);
    if (n_classes < 2)
        return error_set("a classifier needs at least 2 classes, got %d",
                         n_classes);
    for (i = 0; i < ntr; i++)
        if (ytr[i] < 0 || ytr[i] >= n_classes)
            return error_set("training sample %zu has label %d, expected "
                             "0..%d",
                             i, ytr[i], n_classes - 1);
    if (p->kind == CLASSIFIER_FOREST) {
        if (p->trees < 1)
            return error_set("a random forest needs at least 1 tree, got "
                             "%d",
                             p->trees);
        return forest_fit_predict(p, xtr, ytr, ntr, d, n_classes, xte, nte,
                                  seed, stream, pred);
    }
    if (p->kind != CLASSIFIER_MLP)
        return error_set("unknown classifier kind %d; expected MLP or "
                         "forest",
                         (int)p->kind);
    if (p->max_epochs < 1 || p->batch < 1 || !(p->lr > 0.0) ||
        !(p->alpha >= 0.0) || !isfinite(p->lr) || !isfinite(p->alpha))
        return error_set("MLP settings out of range: max_epochs %d and "
                         "batch %d must be >= 1, lr %g > 0, alpha %g >= 0",
                         p->max_epochs, p->batch, p->lr, p->alpha);
    return mlp_fit_predict(p, xtr, ytr, ntr, d, n_classes, xte, nte, seed,
                           stream, pred, epochs_run);
}
