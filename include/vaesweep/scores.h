/*
 * scores: what a sweep concludes from its scoring tasks (plain C).
 *
 * A sweep scores V cut levels; each level has K fold tasks and one
 * validation task, stored level-major: acc[v * (K + 1) + part], part K
 * being the validation split.  Nothing here fails.
 */
#ifndef VAESWEEP_SCORES_H
#define VAESWEEP_SCORES_H

#include <stddef.h>

/*
 * Per level: fold_acc[V * K] (the fold accuracies), cv_mean[V] and
 * cv_std[V] (mean and population standard deviation over the K folds,
 * numpy's defaults) and val_acc[V], from acc[V * (K + 1)].
 */
void scores_fold_stats(const double *acc, size_t levels, size_t folds,
                       double *fold_acc, double *cv_mean, double *cv_std,
                       double *val_acc);

/*
 * Bootstrap support of the groups level v adds: the least support[m]
 * over the rows m of Z merged between level v - 1 and level v (row m of
 * a Z of n leaves leaves n - 1 - m clusters).  n_clusters[V] are the
 * levels' cluster counts, support[n - 1] the per-row support.  NaN for
 * level 0, which adds no group.
 */
double scores_level_support(const double *support, const int *n_clusters,
                            size_t n, size_t v);

/*
 * The level vaesweep recommends: the finest level (most clusters, lowest
 * v > 0) whose cross-validated accuracy beats level 0's by more than two
 * standard errors of the difference of the two fold means,
 * sqrt((cv_std[v]^2 + cv_std[0]^2) / folds); 0 when none does.  It keeps
 * as many classes as it can while the gain is unlikely to be fold noise.
 */
size_t scores_recommend(const double *cv_mean, const double *cv_std,
                        size_t levels, size_t folds);

#endif
