/*
 * dataset: loading a labelled table, the stratified train/validation
 * split, standardisation and stratified k-fold assignment.
 *
 * Plain C on arrays: no MPI, no HDF5, never prints.  Every function that
 * can fail records one message with error_set() and returns -1 (or NULL).
 * Features are stored row-major, n rows of d doubles; labels are mapped to
 * 0..n_classes-1 so the other modules can index arrays with them.
 */
#ifndef VAESWEEP_DATASET_H
#define VAESWEEP_DATASET_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    size_t n;          /* samples (rows) */
    int d;             /* features per sample */
    int n_classes;     /* distinct labels, >= 2 */
    double *x;         /* [n * d], row-major features */
    int *y;            /* [n], labels mapped to 0..n_classes-1 */
    int *label_values; /* [n_classes], original labels, ascending:
                          y[i] == c means the file said label_values[c] */
} dataset_t;

/*
 * Read a CSV file (plain or gzip-compressed; zlib reads both) where each
 * row is "feature,...,feature,label".  Fields are separated by commas and
 * may carry surrounding blanks; lines that are blank are skipped; CRLF
 * line ends are accepted.  The first non-blank line is a header, and is
 * skipped, only when EVERY one of its fields is non-numeric; a line that
 * mixes numbers and text is an error, not a header.
 *
 * Rejected, with a message naming the file, the line (and the column where
 * one applies) and what was expected: an unreadable file, a file without
 * data rows, fewer than 2 columns, rows whose field count differs from the
 * first row's, a non-numeric or non-finite (NaN, inf) field, a label that
 * is not an integer in the range of int, fewer than 2 distinct labels.
 *
 * Labels may be any integers; they are numbered in ascending order
 * (scikit-learn's LabelEncoder order) and the originals are kept in
 * label_values.  Returns a new dataset (free with dataset_free) or NULL.
 */
dataset_t *dataset_load_csv(const char *path);

/*
 * A dataset from arrays already in memory (e.g. read from an HDF5 file):
 * the features x [n * d] (row-major) and the labels [n], any integers,
 * are copied, so the caller keeps and frees its arrays.  The same checks
 * and label numbering as dataset_load_csv: every feature finite (a NaN or
 * inf is named by its 1-based row and column), at least 1 row and 1
 * feature, at least 2 distinct labels, numbered in ascending order with
 * the originals in label_values.  Messages start with `source`, the place
 * the values came from (e.g. "file.h5:/features").  Returns a new dataset
 * (free with dataset_free) or NULL with the error recorded.
 */
dataset_t *dataset_from_arrays(const double *x, const int *labels, size_t n,
                               int d, const char *source);

/* Free a dataset from dataset_load_csv, dataset_from_arrays or
 * h5data_load, and its arrays.  NULL-safe. */
void dataset_free(dataset_t *ds);

/*
 * The two parts of a stratified split (dataset_split_stratified), each
 * as raw features and standardised with the training part's statistics
 * (METHOD.md, Data): the VAE trains on the standardised values, the
 * scoring classifier on the raw ones unless asked otherwise.
 */
typedef struct {
    size_t n_train, n_val;
    size_t *train_idx, *val_idx; /* [n_train], [n_val] rows, ascending */
    double *xtr, *xval;          /* raw features [n_train * d], [n_val * d] */
    double *xtr_std, *xval_std;  /* standardised, same shapes */
    int *ytr, *yval;             /* labels 0..n_classes-1 */
} dataset_parts;

/* Split ds (test_size in (0, 1), Random123 stream (seed, stream)) and
 * fill p.  Returns 0, or -1 with the error recorded and p holding no
 * allocations. */
int dataset_parts_make(const dataset_t *ds, double test_size, uint64_t seed,
                       uint64_t stream, dataset_parts *p);

/* Free what dataset_parts_make allocated; NULL-safe fields, idempotent. */
void dataset_parts_free(dataset_parts *p);

/* A 64-bit FNV-1a hash of the shape, features and labels: equal data
 * give equal prints, so a resumed sweep can tell that its data file
 * changed.  Never fails. */
uint64_t dataset_fingerprint(const dataset_t *ds);

/*
 * Stratified train/validation split.  For each class c (ascending), the
 * class's sample indices are shuffled with the stream (seed, stream,
 * RNG_SPLIT) and the first round(test_size * count_c) of them go to
 * validation, the rest to training.  round() is C's: halves go away from
 * zero, so 0.3 * 45 = 13.5 puts 14 samples in validation.  This is
 * stratified and deterministic like scikit-learn's
 * train_test_split(stratify=y), but not its exact permutation (which also
 * allocates the rounding remainder across classes globally).
 *
 * y: [n] labels in 0..n_classes-1; names: [n_classes] how messages name
 * class c (its original label, dataset_t.label_values) or NULL for c.
 * train_idx, val_idx: caller-allocated,
 * room for n each; on success they hold the indices in ascending order,
 * *n_train and *n_val of them (n_train + n_val == n).
 * Fails (-1) when test_size is not in (0, 1), a label is out of range, or
 * a class would be missing from either part (it has too few samples).
 */
int dataset_split_stratified(const int *y, size_t n, int n_classes,
                             const int *names, double test_size, uint64_t seed,
                             uint64_t stream, size_t *train_idx,
                             size_t *n_train, size_t *val_idx, size_t *n_val);

/*
 * Stratified k-fold assignment.  Each class's sample indices (classes in
 * ascending order) are shuffled with (seed, stream, RNG_SPLIT) and dealt
 * round-robin over the folds, the deal continuing from class to class, so
 * every fold holds each class within one sample and all folds are within
 * one sample of each other in size (the same guarantees as
 * scikit-learn's StratifiedKFold, not its exact assignment).
 *
 * y: [n] labels in 0..n_classes-1; names as for the split.
 * fold: caller-allocated [n]; on success
 * fold[i] in 0..k-1 is the fold that holds sample i out.
 * Fails (-1) when k < 2, a label is out of range, or a class that occurs
 * has fewer than k samples (the message names the class and the counts).
 */
int dataset_kfold_stratified(const int *y, size_t n, int n_classes,
                             const int *names, int k, uint64_t seed,
                             uint64_t stream, int *fold);

/*
 * Per-feature mean and scale from the rows x [n * d] (the training split),
 * as scikit-learn's StandardScaler: the population standard deviation
 * (divisor n), and scale 1 for a feature whose variance is within the
 * rounding error of zero (its test: var <= n*eps*var + (n*mean*eps)^2),
 * so constant columns pass through centred but unscaled.
 * mean, scale: caller-allocated [d].  Fails (-1) when n == 0 or d < 1.
 */
int dataset_standardize_fit(const double *x, size_t n, int d, double *mean,
                            double *scale);

/* x[i*d + j] = (x[i*d + j] - mean[j]) / scale[j] in place for n rows of x
 * [n * d]; mean, scale [d] from dataset_standardize_fit.  Never fails. */
void dataset_standardize_apply(double *x, size_t n, int d, const double *mean,
                               const double *scale);

/*
 * Copy the rows idx[0..m) of x [* d] into xout [m * d] and, when y and
 * yout are both non-NULL, their labels into yout [m].  Indices are not
 * checked: they must be rows of x.  Never fails.
 */
void dataset_gather(const double *x, const int *y, int d, const size_t *idx,
                    size_t m, double *xout, int *yout);

#endif
