#include "vaesweep/scores.h"

#include <math.h>

void scores_fold_stats(const double *acc, size_t levels, size_t folds,
                       double *fold_acc, double *cv_mean, double *cv_std,
                       double *val_acc)
{
    size_t v, f;

    for (v = 0; v < levels; v++) {
        const double *a = acc + v * (folds + 1);
        double sum = 0.0, sq = 0.0;

        for (f = 0; f < folds; f++) {
            fold_acc[v * folds + f] = a[f];
            sum += a[f];
        }
        cv_mean[v] = sum / (double)folds;

        /* Two passes: the spread of values around their mean. */
        for (f = 0; f < folds; f++)
            sq += (a[f] - cv_mean[v]) * (a[f] - cv_mean[v]);
        cv_std[v] = sqrt(sq / (double)folds);
        val_acc[v] = a[folds];
    }
}

double scores_level_support(const double *support, const int *n_clusters,
                            size_t n, size_t v)
{
    size_t first, last, m;
    double least = NAN;

    if (v == 0)
        return NAN;
    first = n - (size_t)n_clusters[v - 1];
    last = n - (size_t)n_clusters[v] - 1;
    for (m = first; m <= last; m++)
        if (!(support[m] >= least))
            least = support[m];
    return least;
}

size_t scores_recommend(const double *cv_mean, const double *cv_std,
                        size_t levels, size_t folds)
{
    size_t v;

    for (v = 1; v < levels; v++) {
        double se = sqrt((cv_std[v] * cv_std[v] + cv_std[0] * cv_std[0]) /
                         (double)folds);

        if (cv_mean[v] - cv_mean[0] > 2.0 * se)
            return v;
    }
    return 0;
}
