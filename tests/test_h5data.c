/* h5data: HDF5 files written here with the HDF5 API, loaded and compared;
 * every bad file the header lists, with the message it must give; the
 * CSV/HDF5 dispatch; and dataset_from_arrays, which both loaders share. */
#include "testutil.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "vaesweep/dataset.h"
#include "vaesweep/error.h"
#include "vaesweep/h5data.h"

static char *tmp;

static int setup(void **state)
{
    (void)state;
    tmp = testutil_tmpdir();
    return tmp ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[600];

    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    free(tmp);
    return system(cmd) == 0 ? 0 : -1;
}

static void path_in_tmp(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", tmp, name);
}

/* One dataset of `rank` dims stored as `file_type` from `mem` values of
 * `mem_type`; groups on the way are created. */
static void put(hid_t file, const char *name, hid_t mem_type, hid_t file_type,
                int rank, const hsize_t *dims, const void *mem)
{
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t dset;

    assert_true(lcpl >= 0 && space >= 0);
    assert_true(H5Pset_create_intermediate_group(lcpl, 1) >= 0);
    dset = H5Dcreate2(file, name, file_type, space, lcpl, H5P_DEFAULT,
                      H5P_DEFAULT);
    assert_true(dset >= 0);
    assert_true(H5Dwrite(dset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, mem) >=
                0);
    H5Dclose(dset);
    H5Sclose(space);
    H5Pclose(lcpl);
}

static hid_t create(const char *path)
{
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);

    assert_true(file >= 0);
    return file;
}

/* The dataset, or the test fails with the loader's message. */
static dataset_t *loaded(dataset_t *ds)
{
    if (!ds)
        fail_msg("%s", error_text());
    return ds;
}

/* 6 rows of 3 features, labels {5, -1, 5, 7, -1, 7}: classes -1, 5, 7. */
static const double X6[18] = {0.5, 1.0,  -2.0, 3.25, 1e-300, 4.0,
                              7.0, -0.1, 0.0,  1e10, 2.0,    3.0,
                              4.5, 5.5,  6.5,  -7.0, -8.0,   -9.0};
static const int Y6[6] = {5, -1, 5, 7, -1, 7};
static const int Y6_MAPPED[6] = {1, 0, 1, 2, 0, 2};

/* A file with the 6-row table under the names given. */
static void write_good(const char *path, const char *features,
                       const char *labels, hid_t ftype, hid_t ltype)
{
    hid_t file = create(path);
    hsize_t fd[2] = {6, 3}, ld[1] = {6};

    put(file, features, H5T_NATIVE_DOUBLE, ftype, 2, fd, X6);
    put(file, labels, H5T_NATIVE_INT, ltype, 1, ld, Y6);
    H5Fclose(file);
}

static void assert_six(const dataset_t *ds)
{
    static const int values[3] = {-1, 5, 7};

    assert_non_null(ds);
    assert_int_equal(ds->n, 6);
    assert_int_equal(ds->d, 3);
    assert_int_equal(ds->n_classes, 3);
    assert_memory_equal(ds->label_values, values, sizeof values);
    assert_memory_equal(ds->y, Y6_MAPPED, sizeof Y6_MAPPED);
}

static void test_load_float64(void **state)
{
    char path[512];
    dataset_t *ds;

    (void)state;
    path_in_tmp(path, sizeof path, "good.h5");
    write_good(path, "features", "labels", H5T_IEEE_F64LE, H5T_STD_I32LE);
    ds = loaded(h5data_load(path, "features", "labels"));
    assert_six(ds);
    /* float64 to double is exact: bit-for-bit equal. */
    assert_memory_equal(ds->x, X6, sizeof X6);
    dataset_free(ds);

    /* Names with a leading slash, big-endian int64 labels. */
    write_good(path, "/features", "/labels", H5T_IEEE_F64BE, H5T_STD_I64BE);
    ds = loaded(h5data_load(path, "/features", "labels"));
    assert_six(ds);
    assert_memory_equal(ds->x, X6, sizeof X6);
    dataset_free(ds);
}

/* float32 features come back as the float32 values; int16 features and
 * uint8 labels convert too; names inside groups. */
static void test_load_other_types(void **state)
{
    char path[512];
    hsize_t fd[2] = {6, 3}, ld[1] = {6};
    short xi[18];
    unsigned char yu[6] = {3, 3, 200, 200, 0, 0};
    dataset_t *ds;
    hid_t file;
    size_t i;

    (void)state;
    path_in_tmp(path, sizeof path, "types.hdf5");
    write_good(path, "grp/sub/x", "/grp/y", H5T_IEEE_F32LE, H5T_STD_I16LE);
    ds = loaded(h5data_load(path, "grp/sub/x", "/grp/y"));
    assert_six(ds);
    for (i = 0; i < 18; i++)
        if (ds->x[i] != (double)(float)X6[i])
            fail_msg("x[%zu] = %.17g, expected %.17g", i, ds->x[i],
                     (double)(float)X6[i]);
    dataset_free(ds);

    for (i = 0; i < 18; i++)
        xi[i] = (short)(i * 7 - 60);
    file = create(path);
    put(file, "features", H5T_NATIVE_SHORT, H5T_STD_I16LE, 2, fd, xi);
    put(file, "labels", H5T_NATIVE_UCHAR, H5T_STD_U8LE, 1, ld, yu);
    H5Fclose(file);
    ds = loaded(h5data_load(path, "features", "labels"));
    assert_int_equal(ds->n_classes, 3);
    assert_int_equal(ds->label_values[2], 200);
    assert_int_equal(ds->y[2], 2);
    assert_int_equal(ds->y[4], 0);
    for (i = 0; i < 18; i++)
        assert_true(ds->x[i] == (double)xi[i]);
    dataset_free(ds);
}

/* The same table from a CSV and from HDF5 gives the same dataset. */
static void test_csv_and_h5_agree(void **state)
{
    char csv[512], h5[512];
    dataset_t *a, *b;
    FILE *f;
    size_t i;

    (void)state;
    path_in_tmp(csv, sizeof csv, "six.csv");
    path_in_tmp(h5, sizeof h5, "six.H5");
    f = fopen(csv, "w");
    assert_non_null(f);
    for (i = 0; i < 6; i++)
        fprintf(f, "%.17g,%.17g,%.17g,%d\n", X6[3 * i], X6[3 * i + 1],
                X6[3 * i + 2], Y6[i]);
    assert_int_equal(fclose(f), 0);
    write_good(h5, "f", "l", H5T_IEEE_F64LE, H5T_STD_I32LE);

    a = loaded(dataset_load(csv, "unused", "unused"));
    b = loaded(dataset_load(h5, "f", "l"));
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->d, b->d);
    assert_int_equal(a->n_classes, b->n_classes);
    assert_memory_equal(a->x, b->x, a->n * (size_t)a->d * sizeof *a->x);
    assert_memory_equal(a->y, b->y, a->n * sizeof *a->y);
    assert_memory_equal(a->label_values, b->label_values,
                        (size_t)a->n_classes * sizeof *a->label_values);
    dataset_free(a);
    dataset_free(b);

    /* A CSV named .h5 is read as HDF5, and says so. */
    rename(csv, h5);
    assert_null(dataset_load(h5, "f", "l"));
    assert_non_null(strstr(error_text(), "not an HDF5 file"));
    assert_non_null(strstr(error_text(), h5));
}

/* The shipped iris table through the dispatcher: 150 x 4, 3 classes of
 * 50, the first row as in scikit-learn's file. */
static void test_shipped_iris(void **state)
{
    static const double row0[4] = {5.1, 3.5, 1.4, 0.2};
    dataset_t *ds = loaded(
        dataset_load(PROJECT_DIR "/data/iris.csv", "features", "labels"));
    size_t counts[3] = {0, 0, 0}, i;

    (void)state;
    assert_int_equal(ds->n, 150);
    assert_int_equal(ds->d, 4);
    assert_int_equal(ds->n_classes, 3);
    assert_int_equal(ds->label_values[0], 0);
    assert_int_equal(ds->label_values[2], 2);
    assert_memory_equal(ds->x, row0, sizeof row0);
    for (i = 0; i < ds->n; i++)
        counts[ds->y[i]]++;
    assert_true(counts[0] == 50 && counts[1] == 50 && counts[2] == 50);
    dataset_free(ds);
}

static void test_is_hdf5_path(void **state)
{
    (void)state;
    assert_true(h5data_is_hdf5_path("a.h5"));
    assert_true(h5data_is_hdf5_path("dir.x/a.hdf5"));
    assert_true(h5data_is_hdf5_path("A.HE5"));
    assert_true(h5data_is_hdf5_path("data/iris.H5"));
    assert_false(h5data_is_hdf5_path(".h5"));
    assert_false(h5data_is_hdf5_path("a.h5.gz"));
    assert_false(h5data_is_hdf5_path("a.csv"));
    assert_false(h5data_is_hdf5_path("a.csv.gz"));
    assert_false(h5data_is_hdf5_path("h5"));
    assert_false(h5data_is_hdf5_path("a.hdf"));
    assert_false(h5data_is_hdf5_path(""));
}

/* Each bad file: written by `make`, loaded with the names given, must
 * fail with every fragment in the message. */
struct bad_case {
    const char *what;
    void (*make)(hid_t file);
    const char *features, *labels;
    const char *fragments[4];
};

static void make_rank1_features(hid_t file)
{
    hsize_t d[1] = {6};

    put(file, "features", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, d, X6);
    put(file, "labels", H5T_NATIVE_INT, H5T_STD_I32LE, 1, d, Y6);
}

static void make_rank3_features(hid_t file)
{
    hsize_t d3[3] = {6, 3, 1}, d[1] = {6};

    put(file, "features", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 3, d3, X6);
    put(file, "labels", H5T_NATIVE_INT, H5T_STD_I32LE, 1, d, Y6);
}

static void make_rank2_labels(hid_t file)
{
    hsize_t fd[2] = {6, 3}, ld[2] = {6, 1};

    put(file, "features", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, fd, X6);
    put(file, "labels", H5T_NATIVE_INT, H5T_STD_I32LE, 2, ld, Y6);
}

static void make_float_labels(hid_t file)
{
    hsize_t fd[2] = {6, 3}, ld[1] = {6};
    const double y[6] = {0, 1, 0, 1, 0, 1};

    put(file, "features", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, fd, X6);
    put(file, "labels", H5T_NATIVE_DOUBLE, H5T_IEEE_F32LE, 1, ld, y);
}

static void make_length_mismatch(hid_t file)
{
    hsize_t fd[2] = {6, 3}, ld[1] = {5};

    put(file, "features", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, fd, X6);
    put(file, "labels", H5T_NATIVE_INT, H5T_STD_I32LE, 1, ld, Y6);
}

static void make_nan(hid_t file)
{
    hsize_t fd[2] = {6, 3}, ld[1] = {6};
    double x[18];

    memcpy(x, X6, sizeof x);
    x[1 * 3 + 2] = NAN; /* row 2, column 3 */
    put(file, "features", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, fd, x);
    put(file, "labels", H5T_NATIVE_INT, H5T_STD_I32LE, 1, ld, Y6);
}

static void make_inf(hid_t file)
{
    hsize_t fd[2] = {6, 3}, ld[1] = {6};
    double x[18];

    memcpy(x, X6, sizeof x);
    x[5 * 3] = -INFINITY; /* row 6, column 1 */
    put(file, "features", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, fd, x);
    put(file, "labels", H5T_NATIVE_INT, H5T_STD_I32LE, 1, ld, Y6);
}

static void make_one_class(hid_t file)
{
    hsize_t fd[2] = {6, 3}, ld[1] = {6};
    const int y[6] = {4, 4, 4, 4, 4, 4};

    put(file, "features", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, fd, X6);
    put(file, "labels", H5T_NATIVE_INT, H5T_STD_I32LE, 1, ld, y);
}

static void make_wide_label(hid_t file)
{
    hsize_t fd[2] = {6, 3}, ld[1] = {6};
    const long long y[6] = {0, 1, 0, 1, 1LL << 40, 1};

    put(file, "features", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, fd, X6);
    put(file, "labels", H5T_NATIVE_LLONG, H5T_STD_I64LE, 1, ld, y);
}

static void make_zero_rows(hid_t file)
{
    hsize_t fd[2] = {0, 3}, ld[1] = {0};

    put(file, "features", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, fd, X6);
    put(file, "labels", H5T_NATIVE_INT, H5T_STD_I32LE, 1, ld, Y6);
}

static void make_string_features(hid_t file)
{
    hsize_t fd[2] = {6, 3}, ld[1] = {6};
    char s[18][4];
    hid_t str = H5Tcopy(H5T_C_S1);
    int i;

    memset(s, 0, sizeof s); /* the padding after each NUL is written too */
    for (i = 0; i < 18; i++)
        snprintf(s[i], sizeof s[i], "%d", i);
    assert_true(H5Tset_size(str, 4) >= 0);
    put(file, "features", str, str, 2, fd, s);
    put(file, "labels", H5T_NATIVE_INT, H5T_STD_I32LE, 1, ld, Y6);
    H5Tclose(str);
}

/* Two members at the root (a dataset and a group), neither named as
 * asked. */
static void make_other_names(hid_t file)
{
    hsize_t fd[2] = {6, 3}, ld[1] = {6};

    put(file, "X", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, fd, X6);
    put(file, "meta/y", H5T_NATIVE_INT, H5T_STD_I32LE, 1, ld, Y6);
}

static void make_empty(hid_t file)
{
    (void)file;
}

static void test_bad_files(void **state)
{
    static const struct bad_case cases[] = {
        {"features 1-D",
         make_rank1_features,
         "features",
         "labels",
         {":/features", "expected a 2-D dataset [samples, features]",
          "got 1-D [6]"}},
        {"features 3-D",
         make_rank3_features,
         "features",
         "labels",
         {":/features", "got 3-D [6 x 3 x 1]"}},
        {"labels 2-D",
         make_rank2_labels,
         "features",
         "labels",
         {":/labels", "expected a 1-D dataset [samples]", "got 2-D [6 x 1]"}},
        {"float labels",
         make_float_labels,
         "features",
         "labels",
         {":/labels", "labels must be an integer dataset", "floating point"}},
        {"length mismatch",
         make_length_mismatch,
         "features",
         "labels",
         {":/features has 6 rows", ":/labels has 5 labels",
          "same first dimension"}},
        {"NaN",
         make_nan,
         "features",
         "labels",
         {":/features: row 2, column 3", "expected a finite number", "nan"}},
        {"inf",
         make_inf,
         "features",
         "labels",
         {":/features: row 6, column 1", "finite", "-inf"}},
        {"one class",
         make_one_class,
         "features",
         "labels",
         {":/features", "all 6 rows have label 4", "at least 2 classes"}},
        {"label beyond int",
         make_wide_label,
         "features",
         "labels",
         {":/labels", "row 5 has label 1099511627776", "32-bit int"}},
        {"zero rows",
         make_zero_rows,
         "features",
         "labels",
         {":/features", "0 rows of 3 features", "at least 1 row"}},
        {"string features",
         make_string_features,
         "features",
         "labels",
         {":/features", "string values", "float or integer dataset"}},
        {"missing features",
         make_other_names,
         "features",
         "meta/y",
         {":/features: no such dataset", "X (dataset), meta (group)",
          "[data] features"}},
        {"missing labels in a missing group",
         make_other_names,
         "X",
         "nogroup/labels",
         {":/nogroup/labels: no such dataset", "X (dataset), meta (group)",
          "[data] labels"}},
        {"a group, not a dataset",
         make_other_names,
         "X",
         "meta",
         {":/meta: not a dataset", "[data] labels"}},
        {"empty file",
         make_empty,
         "features",
         "labels",
         {":/features: no such dataset", "holds nothing"}},
    };
    char path[512];
    size_t i, j;

    (void)state;
    path_in_tmp(path, sizeof path, "bad.h5");
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct bad_case *bc = &cases[i];
        hid_t file = create(path);
        dataset_t *ds;

        bc->make(file);
        assert_true(H5Fclose(file) >= 0);
        error_clear();
        ds = h5data_load(path, bc->features, bc->labels);
        if (ds) {
            dataset_free(ds);
            fail_msg("case '%s' loaded", bc->what);
        }
        if (!strstr(error_text(), path))
            fail_msg("case '%s': the file is not named in: %s", bc->what,
                     error_text());
        for (j = 0; j < 4 && bc->fragments[j]; j++)
            if (!strstr(error_text(), bc->fragments[j]))
                fail_msg("case '%s': '%s' not in: %s", bc->what,
                         bc->fragments[j], error_text());
    }
}

static void test_bad_paths(void **state)
{
    char path[512];
    FILE *f;

    (void)state;
    path_in_tmp(path, sizeof path, "missing.h5");
    assert_null(h5data_load(path, "features", "labels"));
    assert_non_null(strstr(error_text(), path));
    assert_non_null(strstr(error_text(), "No such file or directory"));
    assert_non_null(strstr(error_text(), "[data] path"));

    path_in_tmp(path, sizeof path, "text.h5");
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("1,2,0\n3,4,1\n", f);
    assert_int_equal(fclose(f), 0);
    assert_null(h5data_load(path, "features", "labels"));
    assert_non_null(strstr(error_text(), path));
    assert_non_null(strstr(error_text(), "not an HDF5 file"));

    /* An empty file and a directory are not HDF5 either. */
    f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fclose(f), 0);
    assert_null(h5data_load(path, "features", "labels"));
    assert_non_null(strstr(error_text(), "not an HDF5 file"));
    assert_null(h5data_load(tmp, "features", "labels"));
    assert_non_null(strstr(error_text(), tmp));
}

/* HDF5 prints nothing of its own on a failed load, and the caller's
 * automatic error printing is back afterwards. */
static void test_quiet_and_restored(void **state)
{
    char path[512], log[512];
    H5E_auto2_t before = NULL, after = NULL;
    void *data_before = NULL, *data_after = NULL;
    struct stat st;
    int saved, fd;

    (void)state;
    assert_true(H5Eget_auto2(H5E_DEFAULT, &before, &data_before) >= 0);
    assert_non_null(before); /* HDF5's default printer */
    path_in_tmp(path, sizeof path, "quiet.h5");
    write_good(path, "features", "grp/labels", H5T_IEEE_F64LE, H5T_STD_I32LE);
    path_in_tmp(log, sizeof log, "stderr.txt");

    fflush(stderr);
    saved = dup(STDERR_FILENO);
    fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    assert_true(dup2(fd, STDERR_FILENO) >= 0);
    close(fd);
    /* H5Dopen2 of a group fails inside HDF5, which would print. */
    assert_null(h5data_load(path, "features", "grp"));
    assert_null(h5data_load(path, "features", "a/b/c"));
    fflush(stderr);
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);

    assert_int_equal(stat(log, &st), 0);
    if (st.st_size != 0)
        fail_msg("HDF5 printed %lld bytes to stderr (see %s)",
                 (long long)st.st_size, log);
    assert_true(H5Eget_auto2(H5E_DEFAULT, &after, &data_after) >= 0);
    assert_true(after == before && data_after == data_before);
}

/* dataset_from_arrays: copies, numbers labels, names the source. */
static void test_from_arrays(void **state)
{
    double x[18];
    int y[6];
    dataset_t *ds;

    (void)state;
    memcpy(x, X6, sizeof x);
    memcpy(y, Y6, sizeof y);
    ds = loaded(dataset_from_arrays(x, y, 6, 3, "mem"));
    assert_six(ds);
    x[0] = 99.0; /* the dataset holds its own copy */
    y[0] = 99;
    assert_true(ds->x[0] == X6[0]);
    assert_int_equal(ds->y[0], 1);
    dataset_free(ds);

    memcpy(x, X6, sizeof x);
    memcpy(y, Y6, sizeof y);
    x[2 * 3 + 1] = NAN;
    assert_null(dataset_from_arrays(x, y, 6, 3, "f.h5:/features"));
    assert_non_null(strstr(error_text(),
                           "f.h5:/features: row 3, column 2: expected a "
                           "finite number"));

    x[2 * 3 + 1] = 0.0;
    y[1] = y[2] = y[3] = y[4] = y[5] = y[0];
    assert_null(dataset_from_arrays(x, y, 6, 3, "one"));
    assert_non_null(strstr(error_text(), "one: all 6 rows have label 5"));
    assert_non_null(strstr(error_text(), "at least 2 classes"));

    assert_null(dataset_from_arrays(x, y, 0, 3, "empty"));
    assert_non_null(strstr(error_text(), "empty: 0 rows"));
    assert_null(dataset_from_arrays(x, y, 6, 0, "narrow"));
    assert_non_null(strstr(error_text(), "narrow: 6 rows of 0 features"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_float64),
        cmocka_unit_test(test_load_other_types),
        cmocka_unit_test(test_csv_and_h5_agree),
        cmocka_unit_test(test_shipped_iris),
        cmocka_unit_test(test_is_hdf5_path),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_bad_paths),
        cmocka_unit_test(test_quiet_and_restored),
        cmocka_unit_test(test_from_arrays),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
