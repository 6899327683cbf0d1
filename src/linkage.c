/*
 * linkage: distances between classes, scipy-compatible hierarchical
 * clustering, cophenetic distances and flat cuts.
 *
 * The clustering reproduces scipy 1.10 (scipy/cluster/hierarchy.py and
 * _hierarchy.pyx) step for step, because tied distances are common here
 * (co-association matrices hold multiples of 1/runs) and the order in
 * which ties are broken decides Z:
 *   - single: Prim's minimum spanning tree (scipy's mst_single_linkage),
 *   - complete, average, ward: the nearest-neighbour chain (Murtagh 1983;
 *     Muellner, arXiv:1109.2378, as scipy's nn_chain) with the
 *     Lance-Williams updates of scipy's _hierarchy_distance_update.pxi,
 *   - then a stable sort of the merges by distance and a union-find
 *     relabelling (scipy's label()).
 * The flat cuts follow scipy's cluster_dist / cluster_monocrit and
 * cluster_maxclust_monocrit, so labels match fcluster's numbering.
 */
#include "vaesweep/linkage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vaesweep/error.h"

static const char *const method_names[] = {"single", "complete", "average",
                                           "ward"};
#define N_METHODS (sizeof method_names / sizeof method_names[0])

const char *linkage_method_name(enum linkage_method method)
{
    if ((size_t)method >= N_METHODS)
        return "unknown";
    return method_names[method];
}

/* ------------------------------------------------------------------ */
/* Class distances                                                     */

/* Count the samples of each class; fail on an out-of-range label or an
 * empty class, which would give a NaN centroid downstream. */
static int count_classes(const int *y, size_t n_samples, size_t n_classes,
                         size_t *count)
{
    size_t i, c;

    if (n_classes < 2)
        return error_set("class distances need at least 2 classes, got "
                         "%zu",
                         n_classes);
    memset(count, 0, n_classes * sizeof *count);
    for (i = 0; i < n_samples; i++) {
        if (y[i] < 0 || (size_t)y[i] >= n_classes)
            return error_set("sample %zu has class %d, expected 0..%zu: "
                             "check the labels against the class count",
                             i, y[i], n_classes - 1);
        count[y[i]]++;
    }
    for (c = 0; c < n_classes; c++) {
        if (count[c] == 0)
            return error_set("class %zu has no samples: its centroid and "
                             "distances are undefined; check the split "
                             "or drop the class",
                             c);
    }
    return 0;
}

static double euclidean(const double *a, const double *b, size_t dim)
{
    double s = 0.0;
    size_t d;

    for (d = 0; d < dim; d++) {
        double t = a[d] - b[d];
        s += t * t;
    }
    return sqrt(s);
}

int linkage_class_centroids(const double *mu, const int *y, size_t n_samples,
                            size_t latent, size_t n_classes, double *centroids)
{
    size_t *count;
    size_t i, c, d;

    if (latent == 0)
        return error_set("class centroids need a latent size >= 1");
    count =
        error_calloc(n_classes ? n_classes : 1, sizeof *count, "class counts");
    if (!count)
        return -1;
    if (count_classes(y, n_samples, n_classes, count) != 0) {
        free(count);
        return -1;
    }

    memset(centroids, 0, n_classes * latent * sizeof *centroids);
    for (i = 0; i < n_samples; i++)
        for (d = 0; d < latent; d++)
            centroids[(size_t)y[i] * latent + d] += mu[i * latent + d];
    for (c = 0; c < n_classes; c++)
        for (d = 0; d < latent; d++)
            centroids[c * latent + d] /= (double)count[c];
    free(count);
    return 0;
}

int linkage_centroid_distances(const double *mu, const int *y, size_t n_samples,
                               size_t latent, size_t n_classes, double *D)
{
    double *cent;
    size_t a, b;

    if (latent == 0)
        return error_set("class centroids need a latent size >= 1");
    cent = error_calloc(n_classes ? n_classes * latent : 1, sizeof *cent,
                        "class centroids");
    if (!cent)
        return -1;
    if (linkage_class_centroids(mu, y, n_samples, latent, n_classes, cent) !=
        0) {
        free(cent);
        return -1;
    }

    /* One computation per pair, mirrored: D is exactly symmetric. */
    for (a = 0; a < n_classes; a++) {
        D[a * n_classes + a] = 0.0;
        for (b = a + 1; b < n_classes; b++) {
            double d = euclidean(cent + a * latent, cent + b * latent, latent);
            D[a * n_classes + b] = d;
            D[b * n_classes + a] = d;
        }
    }
    free(cent);
    return 0;
}

int linkage_pairwise_distances(const double *mu, const int *y, size_t n_samples,
                               size_t latent, size_t n_classes, double *D)
{
    size_t *count, *start, *order, *fill;
    size_t i, a, b, p, q;
    int rc = -1;

    if (latent == 0)
        return error_set("class distances need a latent size >= 1");
    count = error_calloc(3 * n_classes + 1, sizeof *count, "class counts");
    order = error_calloc(n_samples ? n_samples : 1, sizeof *order,
                         "class sample order");
    if (!count || !order)
        goto done;
    start = count + n_classes;
    fill = start + n_classes + 1;
    if (count_classes(y, n_samples, n_classes, count) != 0)
        goto done;

    /* Counting sort of the samples by class, so each class is a run. */
    start[0] = 0;
    for (a = 0; a < n_classes; a++)
        start[a + 1] = start[a] + count[a];
    memcpy(fill, start, n_classes * sizeof *fill);
    for (i = 0; i < n_samples; i++)
        order[fill[y[i]]++] = i;

    for (a = 0; a < n_classes; a++) {
        D[a * n_classes + a] = 0.0;
        for (b = a + 1; b < n_classes; b++) {
            double s = 0.0;
            for (p = start[a]; p < start[a + 1]; p++)
                for (q = start[b]; q < start[b + 1]; q++)
                    s += euclidean(mu + order[p] * latent,
                                   mu + order[q] * latent, latent);
            s /= (double)count[a] * (double)count[b];
            D[a * n_classes + b] = s;
            D[b * n_classes + a] = s;
        }
    }
    rc = 0;
done:
    free(count);
    free(order);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Clustering                                                          */

int linkage_check_distances(const double *D, size_t n)
{
    size_t i, j;

    if (n < 2)
        return error_set("clustering needs at least 2 classes, got %zu", n);
    for (i = 0; i < n; i++) {
        for (j = 0; j < n; j++) {
            double d = D[i * n + j];
            if (!isfinite(d))
                return error_set("distance (%zu, %zu) is %g, expected a "
                                 "finite value: an empty class or a "
                                 "diverged run gives NaN; check the "
                                 "runs feeding this matrix",
                                 i, j, d);
            if (d < 0.0)
                return error_set("distance (%zu, %zu) is %g, expected "
                                 ">= 0",
                                 i, j, d);
        }
        if (D[i * n + i] != 0.0)
            return error_set("distance (%zu, %zu) is %g, expected a zero "
                             "diagonal",
                             i, i, D[i * n + i]);
        for (j = i + 1; j < n; j++) {
            if (D[i * n + j] != D[j * n + i])
                return error_set("distances (%zu, %zu) = %.17g and "
                                 "(%zu, %zu) = %.17g differ, expected a "
                                 "symmetric matrix",
                                 i, j, D[i * n + j], j, i, D[j * n + i]);
        }
    }
    return 0;
}

/* Position of (i, j), i != j, in scipy's condensed (upper-triangle,
 * row-major) vector of n points. */
static size_t condensed(size_t n, size_t i, size_t j)
{
    if (i > j) {
        size_t t = i;
        i = j;
        j = t;
    }
    return n * i - i * (i + 1) / 2 + (j - i - 1);
}

/* Lance-Williams update of scipy's _hierarchy_distance_update.pxi: the
 * distance from cluster i to the union of x and y.  The operations keep
 * scipy's order so the doubles, and hence tie-breaks, are identical. */
static double merged_distance(enum linkage_method method, double d_xi,
                              double d_yi, double d_xy, size_t nx, size_t ny,
                              size_t ni)
{
    double t;

    switch (method) {
    case LINKAGE_SINGLE:
        return d_yi < d_xi ? d_yi : d_xi;
    case LINKAGE_COMPLETE:
        return d_yi > d_xi ? d_yi : d_xi;
    case LINKAGE_AVERAGE:
        return ((double)nx * d_xi + (double)ny * d_yi) / (double)(nx + ny);
    case LINKAGE_WARD:
        t = 1.0 / (double)(nx + ny + ni);
        return sqrt((double)(ni + nx) * t * d_xi * d_xi +
                    (double)(ni + ny) * t * d_yi * d_yi -
                    (double)ni * t * d_xy * d_xy);
    }
    return NAN;
}

/* scipy's nn_chain: follow nearest neighbours until two clusters are
 * each other's nearest, merge them, keep the rest of the chain.  Rows of
 * Z hold (x, y) as positions, x < y; the merged cluster lives at y.  A
 * strict '<' keeps the first minimum in index order, and the previous
 * chain element wins ties so the chain never cycles. */
static int nn_chain(double *dist, size_t n, enum linkage_method method,
                    double *Z)
{
    size_t *size, *chain;
    size_t len = 0, k, i, x = 0, y = 0;

    size = error_calloc(2 * n, sizeof *size, "linkage cluster sizes");
    if (!size)
        return -1;
    chain = size + n;
    for (i = 0; i < n; i++)
        size[i] = 1;

    for (k = 0; k + 1 < n; k++) {
        double current;

        if (len == 0) {
            for (i = 0; i < n && size[i] == 0; i++)
                ;
            chain[0] = i;
            len = 1;
        }
        for (;;) {
            int found = 0;

            x = chain[len - 1];
            current = INFINITY;
            if (len > 1) {
                y = chain[len - 2];
                current = dist[condensed(n, x, y)];
                found = 1;
            }
            for (i = 0; i < n; i++) {
                if (size[i] == 0 || i == x)
                    continue;
                if (dist[condensed(n, x, i)] < current) {
                    current = dist[condensed(n, x, i)];
                    y = i;
                    found = 1;
                }
            }
            if (!found) {
                free(size);
                return error_set("linkage: merged distances overflowed "
                                 "to infinity; rescale the distance "
                                 "matrix");
            }
            if (len > 1 && y == chain[len - 2])
                break;
            chain[len++] = y;
        }
        len -= 2;

        if (x > y) {
            size_t t = x;
            x = y;
            y = t;
        }
        Z[k * 4 + 0] = (double)x;
        Z[k * 4 + 1] = (double)y;
        Z[k * 4 + 2] = current;
        Z[k * 4 + 3] = (double)(size[x] + size[y]);

        for (i = 0; i < n; i++) {
            if (size[i] == 0 || i == x || i == y)
                continue;
            dist[condensed(n, i, y)] = merged_distance(
                method, dist[condensed(n, i, x)], dist[condensed(n, i, y)],
                current, size[x], size[y], size[i]);
        }
        size[y] += size[x];
        size[x] = 0;
    }
    free(size);
    return 0;
}

/* scipy's mst_single_linkage: Prim's algorithm from point 0; each step
 * links the nearest outside point (first in index order on ties) to the
 * tree and records the edge (x, y) it came through. */
static int mst_single(const double *dist, size_t n, double *Z)
{
    double *near;
    unsigned char *merged;
    size_t k, i, x = 0, y = 0;

    near = error_calloc(n, sizeof *near, "single linkage distances");
    merged = error_calloc(n, 1, "single linkage flags");
    if (!near || !merged) {
        free(near);
        free(merged);
        return -1;
    }
    for (i = 0; i < n; i++)
        near[i] = INFINITY;

    for (k = 0; k + 1 < n; k++) {
        double current = INFINITY;

        merged[x] = 1;
        for (i = 0; i < n; i++) {
            if (merged[i])
                continue;
            if (near[i] > dist[condensed(n, x, i)])
                near[i] = dist[condensed(n, x, i)];
            if (near[i] < current) {
                y = i;
                current = near[i];
            }
        }
        Z[k * 4 + 0] = (double)x;
        Z[k * 4 + 1] = (double)y;
        Z[k * 4 + 2] = current;
        x = y;
    }
    free(near);
    free(merged);
    return 0;
}

/* Stable sort of the rows of Z by distance: numpy's argsort with
 * kind='mergesort'.  Insertion sort is stable and n is small. */
static void sort_rows(double *Z, size_t rows)
{
    size_t i, j;

    for (i = 1; i < rows; i++) {
        double row[4];
        memcpy(row, Z + i * 4, sizeof row);
        for (j = i; j > 0 && Z[(j - 1) * 4 + 2] > row[2]; j--)
            memcpy(Z + j * 4, Z + (j - 1) * 4, sizeof row);
        memcpy(Z + j * 4, row, sizeof row);
    }
}

static size_t uf_find(size_t *parent, size_t x)
{
    size_t root = x;

    while (parent[root] != root)
        root = parent[root];
    while (parent[x] != root) {
        size_t next = parent[x];
        parent[x] = root;
        x = next;
    }
    return root;
}

/* scipy's label(): replace the positions in the sorted rows by the ids
 * of the clusters that contain them (smaller id first) and fill in the
 * sizes; the cluster of row i gets id n + i. */
static int relabel(double *Z, size_t n)
{
    size_t *parent, *size;
    size_t i;

    parent = error_calloc(2 * (2 * n - 1), sizeof *parent, "union-find");
    if (!parent)
        return -1;
    size = parent + (2 * n - 1);
    for (i = 0; i < 2 * n - 1; i++) {
        parent[i] = i;
        size[i] = 1;
    }
    for (i = 0; i + 1 < n; i++) {
        size_t a = uf_find(parent, (size_t)Z[i * 4 + 0]);
        size_t b = uf_find(parent, (size_t)Z[i * 4 + 1]);
        size_t id = n + i;

        Z[i * 4 + 0] = (double)(a < b ? a : b);
        Z[i * 4 + 1] = (double)(a < b ? b : a);
        parent[a] = id;
        parent[b] = id;
        size[id] = size[a] + size[b];
        Z[i * 4 + 3] = (double)size[id];
    }
    free(parent);
    return 0;
}

int linkage_build(const double *D, size_t n, enum linkage_method method,
                  double *Z)
{
    double *dist;
    size_t i, j;
    int rc;

    if ((size_t)method >= N_METHODS)
        return error_set("unknown linkage method %d: expected single, "
                         "complete, average or ward",
                         (int)method);
    if (linkage_check_distances(D, n) != 0)
        return -1;

    dist = error_calloc(n * (n - 1) / 2, sizeof *dist, "condensed distances");
    if (!dist)
        return -1;
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++)
            dist[condensed(n, i, j)] = D[i * n + j];

    if (method == LINKAGE_SINGLE)
        rc = mst_single(dist, n, Z);
    else
        rc = nn_chain(dist, n, method, Z);
    free(dist);
    if (rc != 0)
        return -1;

    sort_rows(Z, n - 1);
    return relabel(Z, n);
}

/* ------------------------------------------------------------------ */
/* Using a dendrogram                                                  */

/* Check that Z is a linkage of n leaves as scipy's is_valid_linkage
 * would (children exist, are used once, sizes add up) and that merge
 * distances are finite and non-decreasing, which every method here
 * produces and the maxclust search relies on. */
static int check_z(const double *Z, size_t n)
{
    unsigned char *used;
    size_t i, c;

    if (n < 2)
        return error_set("a linkage needs at least 2 leaves, got %zu", n);
    used = error_calloc(2 * n - 1, 1, "linkage check");
    if (!used)
        return -1;
    for (i = 0; i + 1 < n; i++) {
        const double *row = Z + i * 4;
        double sizes = 0.0;

        for (c = 0; c < 2; c++) {
            double v = row[c];
            size_t id = (size_t)v;
            if (!(v >= 0.0) || v != (double)id || id >= n + i || used[id]) {
                free(used);
                return error_set("linkage row %zu: child %g is not a free "
                                 "cluster id below %zu; expected a Z "
                                 "from linkage_build or scipy",
                                 i, v, n + i);
            }
            used[id] = 1;
            sizes += id < n ? 1.0 : Z[(id - n) * 4 + 3];
        }
        if (!isfinite(row[2]) || row[2] < 0.0 ||
            (i > 0 && row[2] < Z[(i - 1) * 4 + 2]) || row[3] != sizes) {
            free(used);
            return error_set("linkage row %zu: distance %g or size %g is "
                             "invalid; expected finite non-decreasing "
                             "distances and sizes that add up",
                             i, row[2], row[3]);
        }
    }
    free(used);
    return 0;
}

int linkage_cophenetic(const double *Z, size_t n, double *C)
{
    size_t *head, *tail, *next;
    size_t i, p, q;

    if (check_z(Z, n) != 0)
        return -1;
    head = error_calloc(2 * (2 * n - 1) + n, sizeof *head, "leaf lists");
    if (!head)
        return -1;
    tail = head + (2 * n - 1);
    next = tail + (2 * n - 1);

    /* Each cluster is a linked list of its leaves; a merge sets the
     * cophenetic distance of every pair across the two lists once. */
    for (i = 0; i < n; i++) {
        head[i] = tail[i] = i;
        next[i] = n;
        C[i * n + i] = 0.0;
    }
    for (i = 0; i + 1 < n; i++) {
        size_t a = (size_t)Z[i * 4 + 0], b = (size_t)Z[i * 4 + 1];
        double d = Z[i * 4 + 2];

        for (p = head[a]; p != n; p = next[p])
            for (q = head[b]; q != n; q = next[q]) {
                C[p * n + q] = d;
                C[q * n + p] = d;
            }
        next[tail[a]] = head[b];
        head[n + i] = head[a];
        tail[n + i] = tail[b];
    }
    free(head);
    return 0;
}

int linkage_correlation(const double *A, const double *B, size_t n, double *r)
{
    double ma = 0.0, mb = 0.0, sab = 0.0, saa = 0.0, sbb = 0.0, m;
    size_t i, j;

    if (n < 2)
        return error_set("a correlation of distance matrices needs n >= 2, "
                         "got %zu",
                         n);
    m = (double)(n * (n - 1) / 2);
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++) {
            if (!isfinite(A[i * n + j]) || !isfinite(B[i * n + j]))
                return error_set("correlation: entry (%zu, %zu) is not "
                                 "finite; expected finite distances",
                                 i, j);
            ma += A[i * n + j];
            mb += B[i * n + j];
        }
    ma /= m;
    mb /= m;

    /* Centred sums, as scipy's cophenet computes the coefficient. */
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++) {
            double a = A[i * n + j] - ma, b = B[i * n + j] - mb;
            sab += a * b;
            saa += a * a;
            sbb += b * b;
        }
    if (saa == 0.0 || sbb == 0.0)
        return error_set("correlation undefined: all %s distances are "
                         "equal; expected varying distances",
                         saa == 0.0 ? "first" : "second");
    *r = sab / sqrt(saa * sbb);
    return 0;
}

/* Largest merge distance in the subtree of each non-leaf node (scipy's
 * get_max_dist_for_each_cluster); children come before parents in Z. */
static void max_dists(const double *Z, size_t n, double *md)
{
    size_t i, c;

    for (i = 0; i + 1 < n; i++) {
        md[i] = Z[i * 4 + 2];
        for (c = 0; c < 2; c++) {
            size_t id = (size_t)Z[i * 4 + c];
            if (id >= n && md[id - n] > md[i])
                md[i] = md[id - n];
        }
    }
}

/* scipy's cluster_monocrit: depth-first from the root, non-leaf children
 * first (left, then right), leaves labelled on the way back up.  The
 * first node met with mc <= cutoff leads a cluster; a leaf met outside
 * any leader is a cluster of its own.  Labels are 0-based.  stack[n],
 * visited[2n - 1] are scratch. */
static int monocrit(const double *Z, size_t n, const double *mc, double cutoff,
                    int *labels, size_t *stack, unsigned char *visited)
{
    size_t k = 1, leader = n; /* n: no leader */
    int n_cluster = 0;

    memset(visited, 0, 2 * n - 1);
    stack[0] = 2 * n - 2;
    while (k > 0) {
        size_t root = stack[k - 1] - n;
        size_t lc = (size_t)Z[root * 4 + 0], rc = (size_t)Z[root * 4 + 1];

        if (leader == n && mc[root] <= cutoff) {
            leader = root;
            n_cluster++;
        }
        if (lc >= n && !visited[lc]) {
            visited[lc] = 1;
            stack[k++] = lc;
            continue;
        }
        if (rc >= n && !visited[rc]) {
            visited[rc] = 1;
            stack[k++] = rc;
            continue;
        }
        if (lc < n) {
            if (leader == n)
                n_cluster++;
            labels[lc] = n_cluster - 1;
        }
        if (rc < n) {
            if (leader == n)
                n_cluster++;
            labels[rc] = n_cluster - 1;
        }
        if (leader == root)
            leader = n;
        k--;
    }
    return n_cluster;
}

/* Scratch for the cuts: md[n - 1], stack[n], visited[2n - 1]. */
struct cut_work {
    double *md;
    size_t *stack;
    unsigned char *visited;
};

static int cut_work_alloc(struct cut_work *w, const double *Z, size_t n)
{
    w->md = error_calloc(n - 1, sizeof *w->md, "cut distances");
    w->stack = error_calloc(n, sizeof *w->stack, "cut stack");
    w->visited = error_calloc(2 * n - 1, 1, "cut flags");
    if (!w->md || !w->stack || !w->visited) {
        free(w->md);
        free(w->stack);
        free(w->visited);
        return -1;
    }
    max_dists(Z, n, w->md);
    return 0;
}

static void cut_work_free(struct cut_work *w)
{
    free(w->md);
    free(w->stack);
    free(w->visited);
}

int linkage_cut_distance(const double *Z, size_t n, double t, int *labels)
{
    struct cut_work w;
    int nc;

    if (check_z(Z, n) != 0 || cut_work_alloc(&w, Z, n) != 0)
        return -1;
    nc = monocrit(Z, n, w.md, t, labels, w.stack, w.visited);
    cut_work_free(&w);
    return nc;
}

/* Number of clusters a cut at md[thresh_idx] gives, stopping early once
 * it exceeds max_nc (scipy's counting walk in cluster_maxclust_monocrit:
 * a subtree under the threshold counts once, else its leaf children
 * count one each). */
static size_t count_clusters(const double *Z, size_t n, const double *md,
                             double thresh, size_t max_nc, size_t *stack,
                             unsigned char *visited)
{
    size_t k = 1, nc = 0;

    memset(visited, 0, 2 * n - 1);
    stack[0] = 2 * n - 2;
    while (k > 0) {
        size_t root = stack[k - 1] - n;
        size_t lc = (size_t)Z[root * 4 + 0], rc = (size_t)Z[root * 4 + 1];

        if (md[root] <= thresh) {
            if (++nc > max_nc)
                return nc;
            k--;
            visited[lc] = 1;
            visited[rc] = 1;
            continue;
        }
        if (!visited[lc]) {
            visited[lc] = 1;
            if (lc >= n) {
                stack[k++] = lc;
                continue;
            }
            if (++nc > max_nc)
                return nc;
        }
        if (!visited[rc]) {
            visited[rc] = 1;
            if (rc >= n) {
                stack[k++] = rc;
                continue;
            }
            if (++nc > max_nc)
                return nc;
        }
        k--;
    }
    return nc;
}

int linkage_cut_maxclust(const double *Z, size_t n, size_t k, int *labels)
{
    struct cut_work w;
    size_t lower, upper;
    int nc;

    if (k == 0)
        return error_set("maxclust cut: expected at least 1 cluster, got 0");
    if (check_z(Z, n) != 0)
        return -1;
    if (k >= n) {
        for (size_t i = 0; i < n; i++)
            labels[i] = (int)i;
        return (int)n;
    }
    if (cut_work_alloc(&w, Z, n) != 0)
        return -1;

    /* Binary search over the (non-decreasing) merge heights for the
     * first one whose cut leaves <= k clusters; lower = "index -1" means
     * minus infinity.  The root's height always qualifies. */
    lower = 0;
    upper = n - 1;
    while (upper - lower > 1) {
        size_t mid = (lower + upper) / 2;
        if (count_clusters(Z, n, w.md, w.md[mid - 1], k, w.stack, w.visited) >
            k)
            lower = mid;
        else
            upper = mid;
    }
    nc = monocrit(Z, n, w.md, w.md[upper - 1], labels, w.stack, w.visited);
    cut_work_free(&w);
    return nc;
}

int linkage_cut_levels(const double *Z, size_t n, size_t *n_levels,
                       double *levels, int *n_clusters, int *labels)
{
    struct cut_work w;
    size_t p, kept = 0;

    if (check_z(Z, n) != 0 || cut_work_alloc(&w, Z, n) != 0)
        return -1;

    /* Level 0, then the merge distances of rows 0..n-3.  Cuts at rising
     * levels are nested, so an unchanged cluster count means an
     * unchanged partition. */
    for (p = 0; p + 1 < n; p++) {
        double t = p == 0 ? 0.0 : Z[(p - 1) * 4 + 2];
        int *out = labels + kept * n;
        int nc =
            monocrit(Z, n, w.md, t + LINKAGE_CUT_TOL, out, w.stack, w.visited);

        /* A tie with the last merge would leave one cluster: nothing to
         * classify. */
        if (nc < 2 || (kept > 0 && nc == n_clusters[kept - 1]))
            continue;
        levels[kept] = t;
        n_clusters[kept] = nc;
        kept++;
    }
    *n_levels = kept;
    cut_work_free(&w);
    return 0;
}

int linkage_format_groups(const int *labels, const int *names, size_t n,
                          char *buf, size_t cap)
{
    size_t used = 0, i;
    int label, max_label = -1;

    if (cap == 0)
        return error_set("group text: expected a buffer, got 0 bytes");
    buf[0] = '\0';
    for (i = 0; i < n; i++) {
        if (labels[i] < 0 || (size_t)labels[i] >= n)
            return error_set("group text: label %d of class %zu is "
                             "outside 0..%zu",
                             labels[i], i, n ? n - 1 : 0);
        if (labels[i] > max_label)
            max_label = labels[i];
    }
    for (label = 0; label <= max_label; label++) {
        const char *sep = used ? " [" : "[";
        int any = 0;

        for (i = 0; i < n; i++) {
            int w;
            if (labels[i] != label)
                continue;
            w = names ? snprintf(buf + used, cap - used, "%s%d",
                                 any ? " " : sep, names[i])
                      : snprintf(buf + used, cap - used, "%s%zu",
                                 any ? " " : sep, i);
            if (w < 0 || (size_t)w >= cap - used)
                goto full;
            used += (size_t)w;
            any = 1;
        }
        if (any) {
            if (used + 1 >= cap)
                goto full;
            buf[used++] = ']';
            buf[used] = '\0';
        }
    }
    return 0;
full:
    buf[cap - 1] = '\0';
    return error_set("group text: %zu bytes are too few for %zu classes; "
                     "pass a larger buffer",
                     cap, n);
}
