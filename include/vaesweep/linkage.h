/*
 * linkage: class distance matrices, hierarchical clustering in scipy's
 * linkage format, cophenetic distances and flat cuts.
 *
 * Every distance matrix here is square, n x n, row-major, symmetric with
 * a zero diagonal.  A linkage matrix Z has n - 1 rows of 4 doubles, as
 * scipy.cluster.hierarchy.linkage returns it: (cluster a, cluster b,
 * distance, size), a < b, leaves numbered 0..n-1 and the cluster made by
 * row i numbered n + i.  Rows are sorted by distance, so a Z written to a
 * file loads into scipy unchanged.
 *
 * Flat labels are 0-based: label = scipy's fcluster label - 1.
 *
 * Plain C: on failure a function records one message (error_text) and
 * returns -1; outputs are then undefined.  The caller owns every array.
 */
#ifndef VAESWEEP_LINKAGE_H
#define VAESWEEP_LINKAGE_H

#include <stddef.h>

/* Tolerance added to a cut level, as the reference does with
 * fcluster(Z, t + 1e-6, "distance"), so a merge at exactly t is made. */
#define LINKAGE_CUT_TOL 1e-6

enum linkage_method {
    LINKAGE_SINGLE = 0,
    LINKAGE_COMPLETE = 1,
    LINKAGE_AVERAGE = 2,
    LINKAGE_WARD = 3
};

/* scipy's name of a method; "unknown" for a value outside the enum. */
const char *linkage_method_name(enum linkage_method method);

/*
 * Class centroids: centroids[c * latent + d] = mean of mu[i * latent + d]
 * over the samples i with y[i] == c.
 *   mu        [n_samples * latent]  latent means, row-major
 *   y         [n_samples]           class of each sample, 0..n_classes-1
 *   centroids [n_classes * latent]  output
 * Fails when a label is out of range or a class has no samples (named).
 */
int linkage_class_centroids(const double *mu, const int *y, size_t n_samples,
                            size_t latent, size_t n_classes, double *centroids);

/*
 * Euclidean distances between class centroids (as scipy's
 * squareform(pdist(centroids))): D[n_classes * n_classes], zero diagonal,
 * each pair computed once and mirrored so D is exactly symmetric.
 * Same arguments and failures as linkage_class_centroids.
 */
int linkage_centroid_distances(const double *mu, const int *y, size_t n_samples,
                               size_t latent, size_t n_classes, double *D);

/*
 * "Mean pairwise" distances: D[a * n_classes + b] = mean Euclidean
 * distance over all pairs (i, j) with y[i] == a, y[j] == b, a != b
 * (scipy: cdist(mu[y == a], mu[y == b]).mean()); zero diagonal.
 * Same arguments and failures as linkage_class_centroids.
 */
int linkage_pairwise_distances(const double *mu, const int *y, size_t n_samples,
                               size_t latent, size_t n_classes, double *D);

/*
 * Check that D[n * n] can be clustered: n >= 2, every entry finite and
 * non-negative, zero diagonal, exactly symmetric (scipy's
 * squareform(checks=True)).  Returns 0, or -1 naming the first bad entry.
 */
int linkage_check_distances(const double *D, size_t n);

/*
 * Hierarchical clustering of D[n * n] into Z[(n - 1) * 4], equal to
 * scipy 1.10's linkage(squareform(D), method) including the order of
 * tied merges: single uses the minimum-spanning-tree algorithm,
 * complete/average/ward the nearest-neighbour chain, then rows are
 * stably sorted by distance and relabelled by a union-find.
 * D is checked with linkage_check_distances first (a NaN usually comes
 * from an empty class).  Fails on a bad D or out of memory.
 */
int linkage_build(const double *D, size_t n, enum linkage_method method,
                  double *Z);

/*
 * Cophenetic distances: C[i * n + j] = the distance of the merge that
 * first puts i and j in one cluster (scipy's
 * squareform(cophenet(Z))); zero diagonal.  Z[(n - 1) * 4], C[n * n].
 * Fails when Z is not a valid linkage of n leaves.
 */
int linkage_cophenetic(const double *Z, size_t n, double *C);

/*
 * Pearson correlation of the strict upper triangles of A[n * n] and
 * B[n * n] (scipy: cophenet(Z, squareform(D))[0] when A is the
 * cophenetic matrix and B the distances).  Fails when n < 2, a value is
 * not finite, or either triangle is constant (correlation undefined).
 */
int linkage_correlation(const double *A, const double *B, size_t n, double *r);

/*
 * Flat clusters of Z[(n - 1) * 4] at threshold t, criterion "distance":
 * labels[n] equal to scipy's fcluster(Z, t, "distance") - 1 (same
 * numbering: the order in which a depth-first walk from the root meets
 * the clusters).  Returns the number of clusters, or -1 on a bad Z.
 */
int linkage_cut_distance(const double *Z, size_t n, double t, int *labels);

/*
 * At most k flat clusters: labels[n] equal to scipy's
 * fcluster(Z, k, "maxclust") - 1, i.e. the cut at the smallest merge
 * height that leaves <= k clusters (fewer than k when tied merges
 * cannot be separated), or no merge at all for k >= n.  This is current
 * scipy's result; scipy 1.10 never cut below its second merge height, so
 * it differs for k >= n - 1 (checked against both on 3000 random tied
 * matrices).  k >= 1.  Returns the number of clusters, or -1.
 */
int linkage_cut_maxclust(const double *Z, size_t n, size_t k, int *labels);

/*
 * The distinct partitions at the method's cut levels: 0 and every merge
 * distance of Z but the last, each cut with linkage_cut_distance at
 * level + LINKAGE_CUT_TOL.  Tied merge distances give the same partition
 * twice; only its first level is kept.  A level tied with the last merge
 * would leave one cluster and is dropped.  Outputs, for p = 0..*n_levels-1,
 * cluster counts strictly falling from (usually) n down to 2:
 *   levels     [n - 1]        level distance of partition p
 *   n_clusters [n - 1]        its number of clusters
 *   labels     [(n - 1) * n]  labels[p * n + i], 0-based
 * Z[(n - 1) * 4], n >= 2.  Returns 0, or -1 on a bad Z.
 */
int linkage_cut_levels(const double *Z, size_t n, size_t *n_levels,
                       double *levels, int *n_clusters, int *labels);

/*
 * Text listing the groups of labels[n], one bracket per label in label
 * order, members ascending: "[0 5] [8 9] [4 6] [2 3] [7] [1]".  Labels
 * must be 0..k-1.  Member i is written as names[i] (e.g. the original
 * label of class i) or, when names is NULL, as i.  Writes a NUL-terminated
 * string into buf[cap]; fails when it does not fit (about 4 * n + 16 bytes is
 * plenty for n < 1000).
 */
int linkage_format_groups(const int *labels, const int *names, size_t n,
                          char *buf, size_t cap);

#endif
