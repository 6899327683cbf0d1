/*
 * results under MPI (run with 2 and 3 ranks): every rank writes its own
 * runs, rank 0 the rest; the finished file is read back with plain HDF5
 * dataset by dataset.  Also: the refusals of an existing file, resume of
 * a closed .partial file, and growing the run tables.
 */
#include "testutil.h"

#include <hdf5.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vaesweep/error.h"
#include "vaesweep/results.h"

#define RUNS    7
#define CLASSES 3
#define LATENT  2
#define EPOCHS  4

static int rank, size;
static char dir[256];

/* The value every test writes at element k of run r's row of a table:
 * distinct across runs, tables and elements. */
static double cell(size_t r, int table, size_t k)
{
    return (double)r * 1000.0 + table * 100.0 + (double)k + 0.5;
}

static int64_t grid_seed[RUNS + 2];
static double grid_rec[RUNS + 2], grid_clf[RUNS + 2], grid_kl[RUNS + 2];

static results_grid grid_make(void)
{
    results_grid g = {grid_seed, grid_rec, grid_clf, grid_kl};
    size_t r;

    for (r = 0; r < RUNS + 2; r++) {
        grid_seed[r] = (int64_t)(10 + r);
        grid_rec[r] = 0.1 * (double)r;
        grid_clf[r] = 1.0;
        grid_kl[r] = 0.01 * (double)r;
    }
    return g;
}

static const results_shape shape = {RUNS, CLASSES, LATENT, EPOCHS};

/* Write run r with the values of cell(). */
static void write_run(results_t *out, size_t r)
{
    double cen[CLASSES * LATENT], dist[CLASSES * CLASSES], curve[EPOCHS * 4];
    results_run v;
    size_t k;

    for (k = 0; k < CLASSES * LATENT; k++)
        cen[k] = cell(r, 2, k);
    for (k = 0; k < CLASSES * CLASSES; k++)
        dist[k] = cell(r, 3, k);
    for (k = 0; k < EPOCHS * 4; k++)
        curve[k] = cell(r, 4, k);
    v.status = r == 3 ? RESULTS_RUN_FAILED : RESULTS_RUN_DONE;
    v.val_acc = cell(r, 0, 0);
    v.wall_seconds = cell(r, 1, 0);
    v.centroids = cen;
    v.distance = dist;
    v.loss_curve = curve;
    assert_int_equal(results_write_run(out, r, &v), 0);
}

static void path_of(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
}

/* Read dataset `name` of file f as doubles into out (n values). */
static void read_doubles(hid_t f, const char *name, double *out, size_t n)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    hid_t s;
    hssize_t count;

    if (d < 0) {
        fail_msg("dataset %s missing", name);
        return;
    }
    s = H5Dget_space(d);
    count = H5Sget_simple_extent_npoints(s);
    if (count != (hssize_t)n)
        fail_msg("%s: %lld values, expected %zu", name, (long long)count, n);
    assert_true(
        H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0);
    H5Sclose(s);
    H5Dclose(d);
}

static double read_attr_double(hid_t f, const char *obj, const char *name)
{
    double v = NAN;
    hid_t a = H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);

    if (a < 0) {
        fail_msg("attribute %s of %s missing", name, obj);
        return v;
    }
    assert_true(H5Aread(a, H5T_NATIVE_DOUBLE, &v) >= 0);
    H5Aclose(a);
    return v;
}

static void fill_z_coph(double *z, double *coph)
{
    size_t k;

    for (k = 0; k < (CLASSES - 1) * 4; k++)
        z[k] = 0.25 * (double)k;
    for (k = 0; k < RUNS; k++)
        coph[k] = 0.5 + 0.01 * (double)k;
}

/* Everything a sweep writes (collective; rank 0 reads it back later). */
static void test_write(void **state)
{
    const results_grid g = grid_make();
    const size_t dz[2] = {CLASSES - 1, 4}, dl[1] = {CLASSES};
    double z[(CLASSES - 1) * 4], coph[RUNS];
    int labels[CLASSES] = {3, 7, 9};
    char path[300], partial[320];
    results_t *out;
    size_t r;

    (void)state;
    fill_z_coph(z, coph);
    path_of(path, sizeof path, "full.h5");
    out = results_open(MPI_COMM_WORLD, path, RESULTS_NEW, &shape, &g,
                       "[x]\nk = 1\n");
    if (!out) {
        fail_msg("results_open: %s", error_text());
        return;
    }
    assert_int_equal(results_run_count(out), RUNS);

    /* Independent writes: each rank its own runs, in its own order. */
    for (r = (size_t)rank; r < RUNS; r += (size_t)size)
        write_run(out, r);
    assert_int_equal(
        results_put_doubles(out, "/consensus/Z", 2, dz, rank == 0 ? z : NULL),
        0);
    assert_int_equal(results_put_ints(out, "/data/label_values", 1, dl,
                                      rank == 0 ? labels : NULL),
                     0);

    /* Only rank 0's value counts, whatever the others pass. */
    assert_int_equal(results_put_attr_double(out, "/stability", "corr",
                                             rank == 0 ? 0.75 : -1.0),
                     0);
    assert_int_equal(results_put_attr_text(out, "/data", "path", "x.csv"), 0);
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0)
        assert_int_equal(results_write_run_column(out, "cophenetic", coph), 0);
    assert_int_equal(results_finish(out), 0);
    snprintf(partial, sizeof partial, "%s.partial", path);
    assert_int_equal(access(partial, F_OK), -1);

    /* The finished file is never replaced without --overwrite. */
    out = results_open(MPI_COMM_WORLD, path, RESULTS_NEW, &shape, &g, "x");
    assert_null(out);
    assert_non_null(strstr(error_text(), "--overwrite"));
    out = results_open(MPI_COMM_WORLD, path, RESULTS_RESUME, &shape, &g, "x");
    assert_null(out);
    assert_non_null(strstr(error_text(), "already complete"));
}

/* The per-run table `name` of file f against cell(run, table, k). */
static void check_table(hid_t f, const char *name, int table, size_t per_run)
{
    static double got[RUNS * EPOCHS * 4], want[RUNS * EPOCHS * 4];
    size_t r, k;

    read_doubles(f, name, got, RUNS * per_run);
    for (r = 0; r < RUNS; r++)
        for (k = 0; k < per_run; k++)
            want[r * per_run + k] = cell(r, table, k);
    testutil_assert_close(name, got, want, RUNS * per_run, 0.0, 1.0);
}

/* Rank 0 alone, after every collective test: the file of test_write,
 * read with plain HDF5 dataset by dataset. */
static void test_read_back(void **state)
{
    double z[(CLASSES - 1) * 4], coph[RUNS], got[RUNS + (CLASSES - 1) * 4];
    int status[RUNS];
    char path[300];
    hid_t f, d;
    size_t r;

    (void)state;
    fill_z_coph(z, coph);
    path_of(path, sizeof path, "full.h5");
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    assert_true(read_attr_double(f, "/", "complete") == 1.0);
    assert_true(read_attr_double(f, "/stability", "corr") == 0.75);

    read_doubles(f, "/runs/seed", got, RUNS);
    for (r = 0; r < RUNS; r++)
        assert_true(got[r] == (double)grid_seed[r]);
    read_doubles(f, "/runs/alpha_kl", got, RUNS);
    for (r = 0; r < RUNS; r++)
        assert_true(got[r] == grid_kl[r]);
    check_table(f, "/runs/val_acc", 0, 1);
    check_table(f, "/runs/wall_seconds", 1, 1);
    check_table(f, "/runs/centroids", 2, CLASSES * LATENT);
    check_table(f, "/runs/distance", 3, CLASSES * CLASSES);
    check_table(f, "/runs/loss_curves", 4, EPOCHS * 4);
    read_doubles(f, "/runs/cophenetic", got, RUNS);
    testutil_assert_close("cophenetic", got, coph, RUNS, 0.0, 1.0);
    read_doubles(f, "/consensus/Z", got, (CLASSES - 1) * 4);
    testutil_assert_close("Z", got, z, (CLASSES - 1) * 4, 0.0, 1.0);
    read_doubles(f, "/data/label_values", got, CLASSES);
    assert_true(got[0] == 3.0 && got[2] == 9.0);

    d = H5Dopen2(f, "/runs/status", H5P_DEFAULT);
    assert_true(
        H5Dread(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, status) >= 0);
    H5Dclose(d);
    for (r = 0; r < RUNS; r++)
        assert_int_equal(status[r],
                         r == 3 ? RESULTS_RUN_FAILED : RESULTS_RUN_DONE);
    H5Fclose(f);
}

/* A closed, unfinished file resumes with its runs; it can grow. */
static void test_resume_and_grow(void **state)
{
    const results_grid g = grid_make();
    double cen[CLASSES * LATENT], dist[CLASSES * CLASSES], curve[EPOCHS * 4];
    results_run back;
    int status[RUNS + 2];
    char path[300];
    results_t *out;
    size_t r;

    (void)state;
    path_of(path, sizeof path, "resume.h5");
    out = results_open(MPI_COMM_WORLD, path, RESULTS_NEW, &shape, &g, "cfg");
    assert_non_null(out);
    if (rank == 0) {
        write_run(out, 1);
        write_run(out, 5);
    }
    results_close(out);
    MPI_Barrier(MPI_COMM_WORLD);

    /* Another config is refused; the same one resumes. */
    out =
        results_open(MPI_COMM_WORLD, path, RESULTS_RESUME, &shape, &g, "other");
    assert_null(out);
    assert_non_null(strstr(error_text(), "different config"));
    out = results_open(MPI_COMM_WORLD, path, RESULTS_NEW, &shape, &g, "cfg");
    assert_null(out);
    assert_non_null(strstr(error_text(), "--resume"));
    out = results_open(MPI_COMM_WORLD, path, RESULTS_RESUME, &shape, &g, "cfg");
    if (!out) {
        fail_msg("resume: %s", error_text());
        return;
    }
    assert_int_equal(results_read_status(out, status), 0);
    for (r = 0; r < RUNS; r++)
        assert_int_equal(status[r], r == 1 || r == 5 ? RESULTS_RUN_DONE
                                                     : RESULTS_RUN_PENDING);
    back.centroids = cen;
    back.distance = dist;
    back.loss_curve = curve;
    assert_int_equal(results_read_run(out, 5, &back), 0);
    assert_true(back.val_acc == cell(5, 0, 0));
    assert_true(cen[0] == cell(5, 2, 0));
    assert_true(dist[CLASSES * CLASSES - 1] ==
                cell(5, 3, CLASSES * CLASSES - 1));
    assert_true(curve[EPOCHS * 4 - 1] == cell(5, 4, EPOCHS * 4 - 1));

    /* Two more runs, one written by the last rank. */
    assert_int_equal(results_grow(out, RUNS + 2, &g), 0);
    assert_int_equal(results_run_count(out), RUNS + 2);
    if (rank == size - 1)
        write_run(out, RUNS + 1);
    MPI_Barrier(MPI_COMM_WORLD);
    assert_int_equal(results_read_status(out, status), 0);
    assert_int_equal(status[RUNS + 1], RESULTS_RUN_DONE);
    assert_int_equal(status[RUNS], RESULTS_RUN_PENDING);
    assert_int_equal(results_finish(out), 0);
}

int main(int argc, char **argv)
{
    /* Every rank runs the collective tests, whose checks come out alike
     * on all ranks; rank 0's own checks come after them, so a failure
     * there cannot leave the other ranks waiting in a collective call. */
    const struct CMUnitTest collective[] = {
        cmocka_unit_test(test_write),
        cmocka_unit_test(test_resume_and_grow),
    };
    const struct CMUnitTest rank0[] = {
        cmocka_unit_test(test_read_back),
    };
    int rc;

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (rank == 0) {
        char *tmp = testutil_tmpdir();

        snprintf(dir, sizeof dir, "%s", tmp);
        free(tmp);
    }
    MPI_Bcast(dir, sizeof dir, MPI_CHAR, 0, MPI_COMM_WORLD);

    rc = cmocka_run_group_tests(collective, NULL, NULL);
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0)
        rc |= cmocka_run_group_tests(rank0, NULL, NULL);
    MPI_Allreduce(MPI_IN_PLACE, &rc, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    MPI_Finalize();
    return rc;
}
