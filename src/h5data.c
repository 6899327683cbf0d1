/*
 * h5data: serial HDF5 reads of a features and a labels dataset, handed to
 * dataset_from_arrays, and the CSV/HDF5 dispatch by extension.
 *
 * Every HDF5 call is checked; the identifiers opened are closed on every
 * path through one cleanup block.  Messages name the file and, where one
 * applies, the dataset as "file.h5:/name" (h5py's and h5dump's spelling).
 */
#include "vaesweep/h5data.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "vaesweep/error.h"

/* Longest dataset name quoted, and longest list of the root's members. */
#define NAME_MAX_SHOWN 200
#define ROOT_LIST_MAX  400

/* "file.h5:/name" for messages: the name as an absolute path. */
static void where_text(char *buf, size_t cap, const char *path,
                       const char *name)
{
    snprintf(buf, cap, "%s:%s%.*s", path, name[0] == '/' ? "" : "/",
             NAME_MAX_SHOWN, name);
}

struct root_list {
    char text[ROOT_LIST_MAX];
    size_t len;
    int count, full;
};

/* H5Literate callback: append "name (dataset)" or "name (group)"; a list
 * too long for the message ends in "...". */
static herr_t root_member(hid_t group, const char *name, const H5L_info_t *info,
                          void *data)
{
    struct root_list *l = data;
    const char *kind = "link";
    char item[NAME_MAX_SHOWN + 32];
    hid_t obj;
    size_t n;

    (void)info;
    l->count++;
    if (l->full)
        return 0;
    obj = H5Oopen(group, name, H5P_DEFAULT);
    if (obj >= 0) {
        H5I_type_t t = H5Iget_type(obj);

        kind = t == H5I_DATASET    ? "dataset"
               : t == H5I_GROUP    ? "group"
               : t == H5I_DATATYPE ? "datatype"
                                   : "object";
        H5Oclose(obj);
    }
    snprintf(item, sizeof item, "%s%.*s (%s)", l->len ? ", " : "",
             NAME_MAX_SHOWN, name, kind);
    n = strlen(item);
    if (l->len + n + 6 > sizeof l->text) {
        memcpy(l->text + l->len, ", ...", 6);
        l->len += 5;
        l->full = 1;
        return 0;
    }
    memcpy(l->text + l->len, item, n + 1);
    l->len += n;
    return 0;
}

/* Does every prefix of `name` ("a", "a/b", "a/b/c") exist as a link?
 * H5Lexists fails, rather than says no, when a middle group is missing. */
static int name_exists(hid_t file, const char *name)
{
    char buf[NAME_MAX_SHOWN + 1];
    size_t len = strlen(name), i;

    if (len == 0 || len > NAME_MAX_SHOWN)
        return 0;
    memcpy(buf, name, len + 1);
    for (i = 1; i <= len; i++) {
        if (i < len && buf[i] != '/')
            continue;
        if (i < len)
            buf[i] = '\0';
        if (!(buf[0] == '/' && buf[1] == '\0') &&
            H5Lexists(file, buf, H5P_DEFAULT) <= 0)
            return 0;
        if (i < len)
            buf[i] = '/';
    }
    return 1;
}

/* Open dataset `name`, or record why not: missing (listing the root) or
 * not a dataset. */
static hid_t open_dataset(hid_t file, const char *path, const char *name,
                          const char *key)
{
    char where[NAME_MAX_SHOWN + 600];
    struct root_list l;
    hsize_t idx = 0;
    hid_t dset;

    where_text(where, sizeof where, path, name);
    if (name_exists(file, name)) {
        dset = H5Dopen2(file, name, H5P_DEFAULT);
        if (dset >= 0)
            return dset;
        error_set("%s: not a dataset (a group?); expected [data] %s to "
                  "name a dataset in the file",
                  where, key);
        return -1;
    }
    memset(&l, 0, sizeof l);
    if (H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, &idx, root_member, &l) <
        0) {
        error_set("%s: no such dataset, and the root group of %s cannot be "
                  "listed; expected [data] %s to name a dataset in the file",
                  where, path, key);
        return -1;
    }
    error_set("%s: no such dataset; the root group holds %s%s; set [data] "
              "%s to the name of the dataset",
              where, l.count ? "" : "nothing", l.text, key);
    return -1;
}

/* "150 x 4" for a message: the extent of a dataspace of rank `rank`. */
static void dims_text(hid_t space, int rank, char *text, size_t cap)
{
    hsize_t got[H5S_MAX_RANK];
    size_t len = 0;
    int i;

    text[0] = '\0';
    if (rank < 1 || rank > H5S_MAX_RANK ||
        H5Sget_simple_extent_dims(space, got, NULL) != rank)
        return;
    for (i = 0; i < rank && len < cap; i++)
        len += (size_t)snprintf(text + len, cap - len, "%s%llu", i ? " x " : "",
                                (unsigned long long)got[i]);
}

/* The dims of a simple dataspace of rank `want`, or a message. */
static int dataset_dims(hid_t dset, const char *where, int want,
                        const char *shape, hsize_t *dims)
{
    hid_t space = H5Dget_space(dset);
    int rank, rc = -1;

    if (space < 0)
        return error_set("%s: cannot read the dataset's shape", where);
    rank = H5Sget_simple_extent_ndims(space);
    if (rank < 0) {
        error_set("%s: cannot read the dataset's shape", where);
    } else if (rank != want) {
        char text[160];

        dims_text(space, rank, text, sizeof text);
        error_set("%s: expected a %d-D dataset %s, got %d-D%s%s%s", where, want,
                  shape, rank, rank ? " [" : " (scalar)", text,
                  rank ? "]" : "");
    } else if (H5Sget_simple_extent_dims(space, dims, NULL) != want) {
        error_set("%s: cannot read the dataset's shape", where);
    } else {
        rc = 0;
    }
    H5Sclose(space);
    return rc;
}

/* The class of the dataset's element type, or H5T_NO_CLASS on failure. */
static H5T_class_t dataset_class(hid_t dset)
{
    hid_t type = H5Dget_type(dset);
    H5T_class_t cls;

    if (type < 0)
        return H5T_NO_CLASS;
    cls = H5Tget_class(type);
    H5Tclose(type);
    return cls;
}

static const char *class_name(H5T_class_t cls)
{
    switch (cls) {
    case H5T_INTEGER:
        return "integer";
    case H5T_FLOAT:
        return "floating point";
    case H5T_STRING:
        return "string";
    case H5T_COMPOUND:
        return "compound";
    case H5T_ENUM:
        return "enum";
    case H5T_ARRAY:
        return "array";
    default:
        return "non-numeric";
    }
}

/* Raw labels as int: read as long long so that any integer type converts
 * exactly, then checked to fit. */
static int read_labels(hid_t dset, const char *where, size_t n, int *out)
{
    long long *v = error_calloc(n, sizeof *v, "labels");
    size_t i;
    int rc = -1;

    if (!v)
        return -1;
    if (H5Dread(dset, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
        error_set("%s: cannot read the labels (damaged file?)", where);
        goto done;
    }
    for (i = 0; i < n; i++) {
        if (v[i] < INT_MIN || v[i] > INT_MAX) {
            error_set("%s: row %zu has label %lld; expected labels that "
                      "fit a 32-bit int",
                      where, i + 1, v[i]);
            goto done;
        }
        out[i] = (int)v[i];
    }
    rc = 0;

done:
    free(v);
    return rc;
}

/* The read itself, once the error printing is off. */
static dataset_t *load(const char *path, const char *features,
                       const char *labels)
{
    char fwhere[NAME_MAX_SHOWN + 600], lwhere[NAME_MAX_SHOWN + 600];
    hid_t file = -1, fset = -1, lset = -1;
    hsize_t fdims[2], ldims[1];
    H5T_class_t cls;
    double *x = NULL;
    int *raw = NULL;
    dataset_t *ds = NULL;
    htri_t is_h5;
    FILE *probe;

    /* fopen first: HDF5 says "unable to open" for a missing file, a
     * directory and a file it cannot parse alike. */
    errno = 0;
    probe = fopen(path, "rb");
    if (!probe) {
        error_set("cannot open %s: %s; expected a readable HDF5 file at "
                  "[data] path in the config",
                  path, errno ? strerror(errno) : "unknown error");
        return NULL;
    }
    fclose(probe);
    is_h5 = H5Fis_hdf5(path);
    if (is_h5 <= 0) {
        error_set("%s: not an HDF5 file (a [data] path ending in .h5, .hdf5 "
                  "or .he5 is read as HDF5); expected an HDF5 file with a "
                  "features and a labels dataset, or a CSV file named "
                  "otherwise",
                  path);
        return NULL;
    }
    file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) {
        error_set("cannot open %s as HDF5 (damaged, or locked by a writer?); "
                  "expected a readable HDF5 file at [data] path",
                  path);
        return NULL;
    }
    where_text(fwhere, sizeof fwhere, path, features);
    where_text(lwhere, sizeof lwhere, path, labels);
    fset = open_dataset(file, path, features, "features");
    if (fset < 0)
        goto done;
    lset = open_dataset(file, path, labels, "labels");
    if (lset < 0)
        goto done;

    cls = dataset_class(fset);
    if (cls != H5T_FLOAT && cls != H5T_INTEGER) {
        error_set("%s: the features are %s values; expected a float or "
                  "integer dataset",
                  fwhere, class_name(cls));
        goto done;
    }
    cls = dataset_class(lset);
    if (cls != H5T_INTEGER) {
        error_set("%s: labels must be an integer dataset, got %s values "
                  "(write them as integers, e.g. h5py's y.astype('int32'))",
                  lwhere, class_name(cls));
        goto done;
    }
    if (dataset_dims(fset, fwhere, 2, "[samples, features]", fdims) < 0 ||
        dataset_dims(lset, lwhere, 1, "[samples]", ldims) < 0)
        goto done;
    if (fdims[0] != ldims[0]) {
        error_set("%s has %llu rows but %s has %llu labels; expected one "
                  "label per row (the same first dimension)",
                  fwhere, (unsigned long long)fdims[0], lwhere,
                  (unsigned long long)ldims[0]);
        goto done;
    }
    if (fdims[0] == 0 || fdims[1] == 0) {
        error_set("%s: %llu rows of %llu features; expected at least 1 row "
                  "and 1 feature",
                  fwhere, (unsigned long long)fdims[0],
                  (unsigned long long)fdims[1]);
        goto done;
    }
    if (fdims[1] > INT_MAX || fdims[0] > SIZE_MAX / sizeof *x / fdims[1]) {
        error_set("%s: %llu x %llu values are too many to hold in memory",
                  fwhere, (unsigned long long)fdims[0],
                  (unsigned long long)fdims[1]);
        goto done;
    }
    x = error_calloc((size_t)(fdims[0] * fdims[1]), sizeof *x, "features");
    raw = error_calloc((size_t)fdims[0], sizeof *raw, "labels");
    if (!x || !raw)
        goto done;
    /* HDF5 converts any integer or float type to native double. */
    if (H5Dread(fset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) <
        0) {
        error_set("%s: cannot read the features (damaged file?)", fwhere);
        goto done;
    }
    if (read_labels(lset, lwhere, (size_t)fdims[0], raw) < 0)
        goto done;
    ds = dataset_from_arrays(x, raw, (size_t)fdims[0], (int)fdims[1], fwhere);

done:
    free(x);
    free(raw);
    if (lset >= 0)
        H5Dclose(lset);
    if (fset >= 0)
        H5Dclose(fset);
    if (file >= 0 && H5Fclose(file) < 0 && ds) {
        dataset_free(ds);
        ds = NULL;
        error_set("cannot close %s after reading it", path);
    }
    return ds;
}

dataset_t *h5data_load(const char *path, const char *features,
                       const char *labels)
{
    H5E_auto2_t func = NULL;
    void *data = NULL;
    int saved;
    dataset_t *ds;

    /* Our messages replace HDF5's stack dumps on stderr. */
    saved = H5Eget_auto2(H5E_DEFAULT, &func, &data) >= 0;
    if (H5Eset_auto2(H5E_DEFAULT, NULL, NULL) < 0) {
        error_set("cannot initialise the HDF5 library to read %s", path);
        return NULL;
    }
    ds = load(path, features, labels);
    if (saved)
        H5Eset_auto2(H5E_DEFAULT, func, data);
    return ds;
}

int h5data_is_hdf5_path(const char *path)
{
    static const char *const ext[] = {".h5", ".hdf5", ".he5"};
    size_t len = strlen(path), i, j;

    for (i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t n = strlen(ext[i]);

        if (len <= n)
            continue;
        for (j = 0; j < n; j++)
            if (tolower((unsigned char)path[len - n + j]) != ext[i][j])
                break;
        if (j == n)
            return 1;
    }
    return 0;
}

dataset_t *dataset_load(const char *path, const char *features,
                        const char *labels)
{
    if (h5data_is_hdf5_path(path))
        return h5data_load(path, features, labels);
    return dataset_load_csv(path);
}
