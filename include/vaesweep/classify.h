/*
 * classify: the classifiers that score a cut level, fitted on one split
 * and predicting another.
 *
 * - MLP as scikit-learn's MLPClassifier(hidden_layer_sizes=(10, 10),
 *   solver="adam", learning_rate_init=0.002, batch_size=16, alpha=1e-4,
 *   max_iter=1000): ReLU hidden layers, softmax output (one logistic unit
 *   with binary log-loss when there are exactly 2 classes), Glorot-uniform
 *   init, Adam with scikit-learn's bias-corrected step, L2 penalty scaled
 *   by 1 / batch size, batches reshuffled every epoch with the last partial
 *   batch kept, stopping after more than 10 epochs in a row whose mean
 *   training loss is not below the best so far minus 1e-4.
 * - Random forest as scikit-learn's RandomForestClassifier() defaults: 100
 *   trees, Gini, int(sqrt(d)) candidate features per split (drawing on
 *   past that until one varies in the node, as scikit-learn's splitter),
 *   bootstrap samples of n kept as sample weights, grown until leaves are
 *   pure, prediction by averaging the trees' class probabilities.
 *
 * Plain C on arrays: no MPI, no HDF5, never prints.  Failures record one
 * message with error_set() and return -1.  All randomness comes from the
 * Random123 streams (seed, stream, RNG_INIT / RNG_SHUFFLE / RNG_TREES),
 * so a scoring task gives the same result on whichever rank runs it.
 */
#ifndef VAESWEEP_CLASSIFY_H
#define VAESWEEP_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

enum classifier_kind { CLASSIFIER_MLP, CLASSIFIER_FOREST };

typedef struct {
    enum classifier_kind kind;
    int max_epochs; /* MLP: epochs at most (scikit-learn's max_iter) */
    double lr;      /* MLP: Adam learning rate */
    double alpha;   /* MLP: L2 penalty on the weights (not the biases) */
    int batch;      /* MLP: mini-batch size, clipped to the sample count */
    int trees;      /* forest: number of trees */
} classify_params;

/* MLP, 1000 epochs, lr 0.002, alpha 1e-4, batch 16, 100 trees. */
void classify_params_default(classify_params *p);

/*
 * Fit the classifier p->kind on xtr [ntr * d] (row-major) with labels ytr
 * [ntr] in 0..n_classes-1 (n_classes >= 2), then write the predicted class
 * of each row of xte [nte * d] to pred [nte] (caller-allocated).  A class
 * without training samples can still be predicted by the MLP (its output
 * unit exists) but never by the forest.  *epochs_run (may be NULL) gets
 * the MLP's epoch count, 0 for the forest.
 *
 * Returns 0, or -1 with error_text() set for invalid parameters, labels
 * out of range, ntr == 0, a non-finite training loss, or out of memory.
 * All memory is freed before returning.
 */
int classify_fit_predict(const classify_params *p, const double *xtr,
                         const int *ytr, size_t ntr, int d, int n_classes,
                         const double *xte, size_t nte, uint64_t seed,
                         uint64_t stream, int *pred, int *epochs_run);

/* Fraction of i < n with pred[i] == y[i]; 0 when n == 0. */
double classify_accuracy(const int *pred, const int *y, size_t n);

#endif
