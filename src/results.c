/* flock (BSD): a lock on the open file itself, which other opens and
 * closes of the same file (MPI-IO's) leave alone. */
#define _DEFAULT_SOURCE

#include "vaesweep/results.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>

#include "vaesweep/error.h"
#include "vaesweep/version.h"

struct results {
    MPI_Comm comm;
    int rank;
    hid_t file;
    hid_t dxpl; /* independent transfers: each rank writes at its pace */
    results_shape shape;
    char *path;
    char *partial;
    int lock_fd; /* rank 0: the .partial file, locked while we write it */
};

/* The innermost HDF5 error message, the one that names the cause. */
static herr_t h5_walk(unsigned n, const H5E_error2_t *e, void *data)
{
    char *out = data;

    (void)n;
    if (e->desc && e->desc[0])
        snprintf(out, 256, "%s", e->desc);
    return 0;
}

/* Record a failed HDF5 call with its source line and HDF5's reason.
 * File locking failures on shared filesystems get the known remedy. */
static int h5_fail(const char *file, int line, const char *what)
{
    char cause[256] = "no detail from HDF5";

    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, h5_walk, cause);
    H5Eclear2(H5E_DEFAULT);
    if (strstr(cause, "lock"))
        return error_set("%s:%d: HDF5 %s failed: %s; on a filesystem "
                         "without file locking (NFS, Lustre) run with "
                         "HDF5_USE_FILE_LOCKING=FALSE",
                         file, line, what, cause);
    return error_set("%s:%d: HDF5 %s failed: %s", file, line, what, cause);
}

#define H5_TRY(call, what)                                                     \
    do {                                                                       \
        if ((call) < 0) {                                                      \
            h5_fail(__FILE__, __LINE__, what);                                 \
            goto done;                                                         \
        }                                                                      \
    } while (0)

/* Every rank learns whether any rank failed; the first failing rank's
 * message is sent to all, so every rank reports the same cause. */
static int results_agree(MPI_Comm comm, int rank, int status)
{
    int bad = status < 0 ? rank : INT32_MAX;
    int first;
    char text[ERROR_TEXT_MAX];

    if (MPI_Allreduce(&bad, &first, 1, MPI_INT, MPI_MIN, comm) != MPI_SUCCESS)
        return error_set("MPI_Allreduce failed while agreeing on an "
                         "HDF5 outcome");
    if (first == INT32_MAX)
        return 0;
    snprintf(text, sizeof text, "%s", error_text());
    if (MPI_Bcast(text, sizeof text, MPI_CHAR, first, comm) != MPI_SUCCESS)
        return error_set("MPI_Bcast failed while sharing an HDF5 error");
    return error_set("%s", text);
}

/* The temporary name of path: "<path>.partial"; caller frees. */
static char *results_partial_path(const char *path)
{
    size_t len = strlen(path) + sizeof ".partial";
    char *p = error_calloc(len, 1, "results file name");

    if (p)
        snprintf(p, len, "%s.partial", path);
    return p;
}

/* An existing path must be a regular file: the finished file is renamed
 * over <path>, which would replace a device node, and fails on a
 * directory only after the whole sweep. */
static int results_check_regular(const char *p)
{
    struct stat st;

    if (stat(p, &st) != 0)
        return errno == ENOENT ? 0
                               : error_set("cannot check output '%s': %s", p,
                                           strerror(errno));
    if (!S_ISREG(st.st_mode))
        return error_set("output '%s' exists and is not a regular file (a "
                         "directory or a device): change output.path",
                         p);
    return 0;
}

/* Check on rank 0 what the mode allows before HDF5 touches anything, so
 * the user reads which flag to pass instead of an HDF5 trace. */
static int results_check_paths(const char *path, const char *partial,
                               enum results_mode mode)
{
    char *copy = strdup(path);
    const char *dir;
    int rc = 0;

    if (!copy)
        return error_set("out of memory copying the output path");
    dir = dirname(copy);
    if (access(dir, F_OK) != 0)
        rc = error_set("output directory '%s' does not exist: create it "
                       "or change output.path",
                       dir);
    else if (access(dir, W_OK) != 0)
        rc = error_set("output directory '%s' is not writable (%s): "
                       "change output.path",
                       dir, strerror(errno));
    else if (results_check_regular(path) < 0 ||
             results_check_regular(partial) < 0)
        rc = -1;
    else if (mode == RESULTS_NEW && access(path, F_OK) == 0)
        rc = error_set("results file '%s' already exists: pass "
                       "--overwrite to replace it or change output.path",
                       path);
    else if (mode == RESULTS_NEW && access(partial, F_OK) == 0)
        rc = error_set("an unfinished sweep '%s' exists: pass --resume to "
                       "continue it or --overwrite to start again",
                       partial);
    else if (mode == RESULTS_RESUME && access(partial, F_OK) != 0)
        rc = error_set("nothing to resume: '%s' does not exist%s", partial,
                       access(path, F_OK) == 0
                           ? " (the results file is already complete)"
                           : "; run without --resume");
    free(copy);
    return rc;
}

/* Rank 0 opens (a new sweep: creates) the .partial file and holds an
 * exclusive lock on it until the file is finished or closed, so a
 * second sweep on the same output stops at once instead of mixing its
 * runs into this one's file. */
static int results_claim(results_t *r, enum results_mode mode)
{
    int flags = mode == RESULTS_RESUME ? O_RDWR
                : mode == RESULTS_NEW  ? O_RDWR | O_CREAT | O_EXCL
                                       : O_RDWR | O_CREAT;
    int fd = open(r->partial, flags, 0666);

    if (fd < 0 && errno == EEXIST)
        return error_set("another sweep has just created '%s': wait for "
                         "it or change output.path",
                         r->partial);
    if (fd < 0)
        return error_set("cannot create the results file '%s': %s; expected "
                         "a writable directory: change output.path",
                         r->partial, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return error_set("another sweep is writing '%s' (it holds the "
                         "file's lock): wait for it or change output.path",
                         r->partial);
    }
    r->lock_fd = fd;
    return 0;
}

static hid_t results_text_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);

    if (t < 0)
        return t;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

/* Open group `path`, creating it (and only it) when missing. */
static hid_t results_group(hid_t file, const char *path)
{
    htri_t exists;

    if (strcmp(path, "/") == 0)
        return H5Gopen2(file, "/", H5P_DEFAULT);
    exists = H5Lexists(file, path, H5P_DEFAULT);
    if (exists < 0)
        return -1;
    if (exists)
        return H5Gopen2(file, path, H5P_DEFAULT);
    return H5Gcreate2(file, path, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
}

/* Write one attribute, replacing an existing one of that name. */
static int results_attr(results_t *r, const char *obj, const char *name,
                        hid_t type, const void *value)
{
    hid_t group = -1, space = -1, attr = -1;
    int rc = -1;

    H5_TRY(group = results_group(r->file, obj), "group open");
    H5_TRY(space = H5Screate(H5S_SCALAR), "H5Screate");
    if (H5Aexists(group, name) > 0)
        H5_TRY(H5Adelete(group, name), "H5Adelete");
    H5_TRY(attr =
               H5Acreate2(group, name, type, space, H5P_DEFAULT, H5P_DEFAULT),
           "H5Acreate2");
    H5_TRY(H5Awrite(attr, type, value), "H5Awrite");
    rc = 0;
done:
    if (attr >= 0)
        H5Aclose(attr);
    if (space >= 0)
        H5Sclose(space);
    if (group >= 0)
        H5Gclose(group);
    return rc;
}

/* Parallel HDF5 stores ONE rank's value of a collective attribute write
 * (which one is unspecified), so a figure that only rank 0 computed
 * (the split-half correlation) is sent to all first, as the datasets
 * take rank 0's data. */
int results_put_attr_double(results_t *r, const char *obj, const char *name,
                            double value)
{
    if (MPI_Bcast(&value, 1, MPI_DOUBLE, 0, r->comm) != MPI_SUCCESS)
        return error_set("MPI_Bcast of attribute %s failed", name);
    return results_agree(r->comm, r->rank,
                         results_attr(r, obj, name, H5T_NATIVE_DOUBLE, &value));
}

int results_put_attr_int(results_t *r, const char *obj, const char *name,
                         int64_t value)
{
    if (MPI_Bcast(&value, 1, MPI_INT64_T, 0, r->comm) != MPI_SUCCESS)
        return error_set("MPI_Bcast of attribute %s failed", name);
    return results_agree(r->comm, r->rank,
                         results_attr(r, obj, name, H5T_NATIVE_INT64, &value));
}

int results_put_attr_text(results_t *r, const char *obj, const char *name,
                          const char *value)
{
    hid_t type = results_text_type();
    int rc;

    if (type < 0)
        rc = h5_fail(__FILE__, __LINE__, "string type");
    else
        rc = results_attr(r, obj, name, type, &value);
    if (type >= 0)
        H5Tclose(type);
    return results_agree(r->comm, r->rank, rc);
}

/* Create dataset `path` with its parent group.  Unwritten elements read
 * as `fill` (NaN for floats), so a pending row never looks like data. */
static hid_t results_create_dataset(hid_t file, const char *path, hid_t type,
                                    int rank, const size_t *dims,
                                    const void *fill, int growable)
{
    hsize_t hdims[4], maxdims[4], chunk[4];
    char parent[128];
    const char *slash = strrchr(path, '/');
    hid_t group = -1, space = -1, dcpl = -1, dset = -1;
    int i;

    if (rank < 1 || rank > 4 || !slash ||
        (size_t)(slash - path) >= sizeof parent) {
        error_set("internal error: bad dataset %s", path);
        return -1;
    }
    for (i = 0; i < rank; i++) {
        hdims[i] = maxdims[i] = chunk[i] = dims[i];
    }

    /* A growable table has one chunk per row, so rows written by
     * different ranks never share a chunk. */
    if (growable) {
        maxdims[0] = H5S_UNLIMITED;
        chunk[0] = 1;
    }
    memcpy(parent, path, (size_t)(slash - path));
    parent[slash - path] = '\0';
    H5_TRY(group = results_group(file, parent[0] ? parent : "/"),
           "group create");
    H5_TRY(space = H5Screate_simple(rank, hdims, maxdims), "H5Screate_simple");
    H5_TRY(dcpl = H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate");
    if (growable)
        H5_TRY(H5Pset_chunk(dcpl, rank, chunk), "H5Pset_chunk");
    H5_TRY(H5Pset_fill_value(dcpl, type, fill), "H5Pset_fill_value");
    H5_TRY(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY), "H5Pset_alloc_time");
    H5_TRY(H5Pset_fill_time(dcpl, H5D_FILL_TIME_ALLOC), "H5Pset_fill_time");
    H5_TRY(dset = H5Dcreate2(file, path, type, space, H5P_DEFAULT, dcpl,
                             H5P_DEFAULT),
           "H5Dcreate2");
done:
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    if (group >= 0)
        H5Gclose(group);
    return dset;
}

/* Read or write rows [row, row + count) of dataset `name` (rows are the
 * first dimension), independently of the other ranks. */
static int results_rows_io(results_t *r, const char *name, hid_t type,
                           hsize_t row, hsize_t count, void *buf, int write)
{
    hsize_t dims[4], start[4] = {0}, block[4];
    hid_t dset = -1, fspace = -1, mspace = -1;
    int rank, i, rc = -1;

    H5_TRY(dset = H5Dopen2(r->file, name, H5P_DEFAULT), "H5Dopen2");
    H5_TRY(fspace = H5Dget_space(dset), "H5Dget_space");
    H5_TRY(rank = H5Sget_simple_extent_dims(fspace, dims, NULL),
           "H5Sget_simple_extent_dims");
    for (i = 0; i < rank; i++)
        block[i] = dims[i];
    start[0] = row;
    block[0] = count;
    H5_TRY(
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, block, NULL),
        "H5Sselect_hyperslab");
    H5_TRY(mspace = H5Screate_simple(rank, block, NULL), "H5Screate_simple");
    if (write)
        H5_TRY(H5Dwrite(dset, type, mspace, fspace, r->dxpl, buf), "H5Dwrite");
    else
        H5_TRY(H5Dread(dset, type, mspace, fspace, r->dxpl, buf), "H5Dread");
    rc = 0;
done:
    if (mspace >= 0)
        H5Sclose(mspace);
    if (fspace >= 0)
        H5Sclose(fspace);
    if (dset >= 0)
        H5Dclose(dset);
    return rc;
}

static int results_put(results_t *r, const char *path, hid_t type, int rank,
                       const size_t *dims, const void *data, const void *fill)
{
    hid_t dset =
        results_create_dataset(r->file, path, type, rank, dims, fill, 0);
    int rc = dset < 0 ? -1 : 0;

    if (dset >= 0 && r->rank == 0 && data)
        rc = H5Dwrite(dset, type, H5S_ALL, H5S_ALL, r->dxpl, data) < 0
                 ? h5_fail(__FILE__, __LINE__, "H5Dwrite")
                 : 0;
    if (dset >= 0)
        H5Dclose(dset);
    return results_agree(r->comm, r->rank, rc);
}

int results_put_doubles(results_t *r, const char *path, int rank,
                        const size_t *dims, const double *data)
{
    const double nan = NAN;

    return results_put(r, path, H5T_NATIVE_DOUBLE, rank, dims, data, &nan);
}

int results_put_ints(results_t *r, const char *path, int rank,
                     const size_t *dims, const int *data)
{
    const int zero = 0;

    return results_put(r, path, H5T_NATIVE_INT, rank, dims, data, &zero);
}

/* The per-run tables under /runs: one row per run. */
enum results_kind { KIND_F64, KIND_I32, KIND_I64 };

typedef struct {
    const char *name;
    enum results_kind kind;
    int row_rank; /* dims after the run axis */
} results_column;

static const results_column results_columns[] = {
    {"/runs/seed", KIND_I64, 0},         {"/runs/alpha_rec", KIND_F64, 0},
    {"/runs/alpha_clf", KIND_F64, 0},    {"/runs/alpha_kl", KIND_F64, 0},
    {"/runs/status", KIND_I32, 0},       {"/runs/val_acc", KIND_F64, 0},
    {"/runs/wall_seconds", KIND_F64, 0}, {"/runs/cophenetic", KIND_F64, 0},
    {"/runs/centroids", KIND_F64, 2},    {"/runs/distance", KIND_F64, 2},
    {"/runs/loss_curves", KIND_F64, 2}};

#define RESULTS_N_COLUMNS (sizeof results_columns / sizeof results_columns[0])

static hid_t results_native(enum results_kind kind)
{
    return kind == KIND_F64   ? H5T_NATIVE_DOUBLE
           : kind == KIND_I32 ? H5T_NATIVE_INT
                              : H5T_NATIVE_INT64;
}

/* Full dims of a /runs table with `runs` rows. */
static int results_column_dims(const results_t *r, const results_column *c,
                               size_t runs, size_t *dims)
{
    const results_shape *s = &r->shape;

    dims[0] = runs;
    if (strcmp(c->name, "/runs/centroids") == 0) {
        dims[1] = (size_t)s->classes;
        dims[2] = (size_t)s->latent;
    } else if (strcmp(c->name, "/runs/distance") == 0) {
        dims[1] = dims[2] = (size_t)s->classes;
    } else if (strcmp(c->name, "/runs/loss_curves") == 0) {
        dims[1] = (size_t)s->epochs;
        dims[2] = 4;
    }
    return 1 + c->row_rank;
}

/* Rank 0 writes the run parameters of rows [from, to). */
static int results_write_grid(results_t *r, size_t from, size_t to,
                              const results_grid *grid)
{
    const hsize_t n = to - from;

    if (r->rank != 0 || n == 0)
        return 0;
    if (results_rows_io(r, "/runs/seed", H5T_NATIVE_INT64, from, n,
                        (void *)(grid->seed + from), 1) < 0 ||
        results_rows_io(r, "/runs/alpha_rec", H5T_NATIVE_DOUBLE, from, n,
                        (void *)(grid->alpha_rec + from), 1) < 0 ||
        results_rows_io(r, "/runs/alpha_clf", H5T_NATIVE_DOUBLE, from, n,
                        (void *)(grid->alpha_clf + from), 1) < 0 ||
        results_rows_io(r, "/runs/alpha_kl", H5T_NATIVE_DOUBLE, from, n,
                        (void *)(grid->alpha_kl + from), 1) < 0)
        return -1;
    return 0;
}

/* The /runs tables, created empty: NaN, status pending (0), and
 * growable, so a sweep that adds seeds can add rows. */
static int results_create_runs(results_t *r, const results_grid *grid)
{
    const double nan = NAN;
    const int zero = 0;
    const int64_t zero64 = 0;
    size_t i, dims[3];
    int rc = 0;

    for (i = 0; i < RESULTS_N_COLUMNS && rc == 0; i++) {
        const results_column *c = &results_columns[i];
        const void *fill = c->kind == KIND_F64   ? (const void *)&nan
                           : c->kind == KIND_I32 ? (const void *)&zero
                                                 : (const void *)&zero64;
        int rank = results_column_dims(r, c, r->shape.runs, dims);
        hid_t dset = results_create_dataset(
            r->file, c->name, results_native(c->kind), rank, dims, fill, 1);

        if (dset < 0)
            rc = -1;
        else
            H5Dclose(dset);
    }
    if (rc == 0)
        rc = results_write_grid(r, 0, r->shape.runs, grid);
    return results_agree(r->comm, r->rank, rc);
}

int results_grow(results_t *r, size_t runs, const results_grid *grid)
{
    size_t i, dims[3];
    hsize_t hdims[3];
    hid_t dset = -1;
    size_t old = r->shape.runs;
    int rc = -1, k;

    if (runs < old)
        return error_set("internal error: results cannot shrink");
    for (i = 0; i < RESULTS_N_COLUMNS; i++) {
        int rank = results_column_dims(r, &results_columns[i], runs, dims);

        for (k = 0; k < rank; k++)
            hdims[k] = dims[k];
        H5_TRY(dset = H5Dopen2(r->file, results_columns[i].name, H5P_DEFAULT),
               "H5Dopen2");
        H5_TRY(H5Dset_extent(dset, hdims), "H5Dset_extent");
        H5Dclose(dset);
        dset = -1;
    }
    r->shape.runs = runs;
    rc = results_write_grid(r, old, runs, grid);

    /* The new extent is metadata: on disk now, so runs written into the
     * new rows survive a crash (collective). */
    if (rc == 0 && H5Fflush(r->file, H5F_SCOPE_GLOBAL) < 0)
        rc = h5_fail(__FILE__, __LINE__, "H5Fflush");
done:
    if (dset >= 0)
        H5Dclose(dset);
    return results_agree(r->comm, r->rank, rc);
}

size_t results_run_count(const results_t *r)
{
    return r->shape.runs;
}

int results_read_status(results_t *r, int *status)
{
    return results_rows_io(r, "/runs/status", H5T_NATIVE_INT, 0, r->shape.runs,
                           status, 0);
}

/* Rank 0's current UTC time, the same text on every rank. */
static int results_created_text(results_t *r, char *text, size_t cap)
{
    time_t now = time(NULL);
    struct tm tm;

    if (r->rank == 0)
        strftime(text, cap, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    if (MPI_Bcast(text, (int)cap, MPI_CHAR, 0, r->comm) != MPI_SUCCESS)
        return error_set("MPI_Bcast of the creation time failed");
    return 0;
}

static int results_init_new(results_t *r, const results_grid *grid,
                            const char *config_ini)
{
    char created[32] = "";

    if (results_created_text(r, created, sizeof created) < 0 ||
        results_put_attr_int(r, "/", "complete", 0) < 0 ||
        results_put_attr_text(r, "/", "version", VAESWEEP_VERSION) < 0 ||
        results_put_attr_text(r, "/", "created", created) < 0 ||
        results_put_attr_text(r, "/config", "ini", config_ini) < 0 ||
        results_put_attr_text(r, "/config", "version", VAESWEEP_VERSION) < 0 ||
        results_create_runs(r, grid) < 0)
        return -1;

    /* Commit the metadata now: a sweep killed later leaves a file whose
     * structure is whole and whose finished runs are readable. */
    if (H5Fflush(r->file, H5F_SCOPE_GLOBAL) < 0)
        return results_agree(r->comm, r->rank,
                             h5_fail(__FILE__, __LINE__, "H5Fflush"));
    return 0;
}

/* The first line where texts a and b differ, as was[cap] and now[cap]
 * (cut to fit), so the user sees which setting changed. */
static void results_first_difference(const char *a, const char *b, char *was,
                                     char *now, size_t cap)
{
    size_t la, lb;

    for (;;) {
        la = strcspn(a, "\n");
        lb = strcspn(b, "\n");
        if (la != lb || strncmp(a, b, la) != 0 || !a[la] || !b[lb])
            break;
        a += la + 1;
        b += lb + 1;
    }
    snprintf(was, cap, "%.*s", (int)(la < cap - 1 ? la : cap - 1), a);
    snprintf(now, cap, "%.*s", (int)(lb < cap - 1 ? lb : cap - 1), b);
}

/* The config text stored in the file, compared with the current one so
 * a resume never mixes runs of two different sweeps. */
static int results_check_config(results_t *r, const char *config_ini)
{
    hid_t type = -1, attr = -1;
    char *stored = NULL;
    int rc = -1;

    H5_TRY(type = results_text_type(), "string type");
    H5_TRY(attr = H5Aopen_by_name(r->file, "/config", "ini", H5P_DEFAULT,
                                  H5P_DEFAULT),
           "H5Aopen_by_name /config ini");
    H5_TRY(H5Aread(attr, type, &stored), "H5Aread");
    if (!stored || strcmp(stored, config_ini) != 0) {
        char was[96], now[96];

        results_first_difference(stored ? stored : "", config_ini, was, now,
                                 sizeof was);
        rc = error_set("cannot resume '%s': it was written with a "
                       "different config or data ('%s' there, '%s' now); "
                       "rerun with the same config, --set options and "
                       "data, or use --overwrite",
                       r->partial, was, now);
    } else {
        rc = 0;
    }
done:
    if (stored)
        H5free_memory(stored);
    if (attr >= 0)
        H5Aclose(attr);
    if (type >= 0)
        H5Tclose(type);
    return rc;
}

static int results_check_shape(results_t *r)
{
    hsize_t dims[3] = {0};
    hid_t dset = -1, space = -1;
    int rc = -1;

    H5_TRY(dset = H5Dopen2(r->file, "/runs/distance", H5P_DEFAULT),
           "H5Dopen2 /runs/distance");
    H5_TRY(space = H5Dget_space(dset), "H5Dget_space");
    H5_TRY(H5Sget_simple_extent_dims(space, dims, NULL),
           "H5Sget_simple_extent_dims");
    /* A sweep that adds seeds until stable may have grown the tables
     * past the config's first seeds; it can never hold fewer. */
    if (dims[0] < r->shape.runs || dims[1] != (hsize_t)r->shape.classes) {
        rc = error_set("cannot resume '%s': it holds %llu runs of %llu "
                       "classes, this sweep has %zu runs of %d",
                       r->partial, (unsigned long long)dims[0],
                       (unsigned long long)dims[1], r->shape.runs,
                       r->shape.classes);
    } else {
        r->shape.runs = (size_t)dims[0];
        rc = 0;
    }
done:
    if (space >= 0)
        H5Sclose(space);
    if (dset >= 0)
        H5Dclose(dset);
    return rc;
}

static int results_open_file(results_t *r, enum results_mode mode)
{
    hid_t fapl = -1;
    int rc = -1;

    H5_TRY(fapl = H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate");
    H5_TRY(H5Pset_fapl_mpio(fapl, r->comm, MPI_INFO_NULL), "H5Pset_fapl_mpio");
    if (mode == RESULTS_RESUME)
        H5_TRY(r->file = H5Fopen(r->partial, H5F_ACC_RDWR, fapl),
               "H5Fopen of the unfinished sweep (if it is damaged, start "
               "again with --overwrite)");
    else
        H5_TRY(r->file =
                   H5Fcreate(r->partial, H5F_ACC_TRUNC, H5P_DEFAULT, fapl),
               "H5Fcreate");
    H5_TRY(r->dxpl = H5Pcreate(H5P_DATASET_XFER), "H5Pcreate");
    H5_TRY(H5Pset_dxpl_mpio(r->dxpl, H5FD_MPIO_INDEPENDENT),
           "H5Pset_dxpl_mpio");
    rc = 0;
done:
    if (fapl >= 0)
        H5Pclose(fapl);
    return rc;
}

static void results_free(results_t *r)
{
    if (!r)
        return;
    if (r->dxpl >= 0)
        H5Pclose(r->dxpl);
    if (r->file >= 0)
        H5Fclose(r->file);
    if (r->lock_fd >= 0)
        close(r->lock_fd);
    free(r->path);
    free(r->partial);
    free(r);
}

static results_t *results_alloc(MPI_Comm comm, const char *path,
                                const results_shape *shape)
{
    results_t *r = error_calloc(1, sizeof *r, "results handle");

    if (!r)
        return NULL;
    r->comm = comm;
    r->file = -1;
    r->dxpl = -1;
    r->lock_fd = -1;
    r->shape = *shape;
    r->path = strdup(path);
    r->partial = results_partial_path(path);
    if (MPI_Comm_rank(comm, &r->rank) != MPI_SUCCESS || !r->path ||
        !r->partial) {
        error_set("out of memory or MPI failure opening results");
        results_free(r);
        return NULL;
    }
    return r;
}

/* An HDF5 failure names a source line; add which file it was. */
static void results_blame_file(const results_t *r)
{
    char why[ERROR_TEXT_MAX];

    snprintf(why, sizeof why, "%s", error_text());
    error_set("results file '%s': %s", r->partial, why);
}

results_t *results_open(MPI_Comm comm, const char *path, enum results_mode mode,
                        const results_shape *shape, const results_grid *grid,
                        const char *config_ini)
{
    results_t *r;
    int rc = 0;

    /* HDF5's own stack trace would print once per rank; the messages
     * are collected by h5_fail instead. */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    r = results_alloc(comm, path, shape);
    if (results_agree(comm, r ? r->rank : 0, r ? 0 : -1) < 0)
        goto fail;
    if (r->rank == 0 &&
        (rc = results_check_paths(r->path, r->partial, mode)) == 0)
        rc = results_claim(r, mode);
    if (results_agree(comm, r->rank, rc) < 0)
        goto fail;
    if (results_agree(comm, r->rank, results_open_file(r, mode)) < 0) {
        results_blame_file(r);
        goto fail;
    }
    if (mode != RESULTS_RESUME) {
        if (results_init_new(r, grid, config_ini) < 0)
            goto fail;
        return r;
    }
    rc = results_check_config(r, config_ini);
    if (rc == 0)
        rc = results_check_shape(r);
    if (results_agree(comm, r->rank, rc) < 0)
        goto fail;
    return r;
fail:
    results_free(r);
    return NULL;
}

int results_write_run(results_t *r, size_t run, const results_run *rec)
{
    const hsize_t row = run;

    if (results_rows_io(r, "/runs/val_acc", H5T_NATIVE_DOUBLE, row, 1,
                        (void *)&rec->val_acc, 1) < 0 ||
        results_rows_io(r, "/runs/wall_seconds", H5T_NATIVE_DOUBLE, row, 1,
                        (void *)&rec->wall_seconds, 1) < 0 ||
        results_rows_io(r, "/runs/centroids", H5T_NATIVE_DOUBLE, row, 1,
                        rec->centroids, 1) < 0 ||
        results_rows_io(r, "/runs/distance", H5T_NATIVE_DOUBLE, row, 1,
                        rec->distance, 1) < 0 ||
        results_rows_io(r, "/runs/loss_curves", H5T_NATIVE_DOUBLE, row, 1,
                        rec->loss_curve, 1) < 0)
        return -1;

    /* Status goes last: a run marked done has all its rows on disk. */
    return results_rows_io(r, "/runs/status", H5T_NATIVE_INT, row, 1,
                           (void *)&rec->status, 1);
}

int results_read_run(results_t *r, size_t run, results_run *rec)
{
    const hsize_t row = run;

    if (results_rows_io(r, "/runs/status", H5T_NATIVE_INT, row, 1, &rec->status,
                        0) < 0 ||
        results_rows_io(r, "/runs/val_acc", H5T_NATIVE_DOUBLE, row, 1,
                        &rec->val_acc, 0) < 0 ||
        results_rows_io(r, "/runs/wall_seconds", H5T_NATIVE_DOUBLE, row, 1,
                        &rec->wall_seconds, 0) < 0 ||
        results_rows_io(r, "/runs/centroids", H5T_NATIVE_DOUBLE, row, 1,
                        rec->centroids, 0) < 0 ||
        results_rows_io(r, "/runs/distance", H5T_NATIVE_DOUBLE, row, 1,
                        rec->distance, 0) < 0 ||
        results_rows_io(r, "/runs/loss_curves", H5T_NATIVE_DOUBLE, row, 1,
                        rec->loss_curve, 0) < 0)
        return -1;
    return 0;
}

int results_write_run_column(results_t *r, const char *name,
                             const double *values)
{
    char path[128];

    snprintf(path, sizeof path, "/runs/%s", name);
    return results_rows_io(r, path, H5T_NATIVE_DOUBLE, 0, r->shape.runs,
                           (void *)values, 1);
}

int results_finish(results_t *r)
{
    int rc = results_put_attr_int(r, "/", "complete", 1);
    int closed;

    if (rc == 0 && H5Fflush(r->file, H5F_SCOPE_GLOBAL) < 0)
        rc = h5_fail(__FILE__, __LINE__, "H5Fflush");
    closed = H5Fclose(r->file);
    r->file = -1;
    if (rc == 0 && closed < 0)
        rc = h5_fail(__FILE__, __LINE__, "H5Fclose");
    rc = results_agree(r->comm, r->rank, rc);

    /* Only a whole file gets the final name. */
    if (rc == 0 && r->rank == 0 && rename(r->partial, r->path) != 0)
        rc = error_set("cannot rename '%s' to '%s': %s", r->partial, r->path,
                       strerror(errno));
    rc = results_agree(r->comm, r->rank, rc);
    results_free(r);
    return rc;
}

void results_close(results_t *r)
{
    results_free(r);
}
