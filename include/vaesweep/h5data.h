/*
 * h5data: a labelled dataset from an HDF5 file, and the loader that picks
 * CSV or HDF5 by the file name.
 *
 * A serial, read-only HDF5 read (default file access, no MPI-IO): every
 * MPI rank that needs the data opens and reads the file itself, as with a
 * CSV file.  This module talks to HDF5 only; dataset keeps the checks and
 * the label numbering, so both formats give the same dataset_t.  It never
 * prints, never exits and does not use MPI; on failure it records one
 * message (error.h) naming the file and the dataset, and returns NULL.
 */
#ifndef VAESWEEP_H5DATA_H
#define VAESWEEP_H5DATA_H

#include "vaesweep/dataset.h"

/*
 * Read the HDF5 file at `path`: `features` names a 2-D dataset [n, d] of
 * any float or integer type, converted to double; `labels` names a 1-D
 * dataset [n] of any integer type whose values fit an int (a float label
 * dataset is rejected: labels must be an integer dataset).  Names are
 * paths inside the file, "features" or "/grp/features" alike (config.h's
 * [data] features and labels).  The values then go through
 * dataset_from_arrays: finite features, at least 1 row and 1 feature, at
 * least 2 distinct labels, numbered in ascending order with the originals
 * in label_values.
 *
 * Rejected, with a message naming the file and the dataset: a missing or
 * unreadable file, a file that is not HDF5, a missing dataset (the message
 * lists what the root group holds) or a name that is not a dataset, a
 * features dataset that is not 2-D or not numeric, a labels dataset that
 * is not 1-D or not integer, label values outside int, first dimensions
 * that differ, non-finite features (row and column named), one class.
 *
 * HDF5's automatic error printing is switched off during the call and the
 * previous setting restored.  Returns a new dataset (dataset_free) or NULL.
 */
dataset_t *h5data_load(const char *path, const char *features,
                       const char *labels);

/*
 * Whether `path` names an HDF5 file by its extension: it ends in ".h5",
 * ".hdf5" or ".he5", compared without regard to case.  Returns 1 or 0.
 */
int h5data_is_hdf5_path(const char *path);

/*
 * The data loader of a sweep: h5data_load(path, features, labels) when
 * h5data_is_hdf5_path(path), else dataset_load_csv(path) (plain or .gz CSV;
 * features and labels are then not used).  Returns a new dataset
 * (dataset_free) or NULL with the error recorded.
 */
dataset_t *dataset_load(const char *path, const char *features,
                        const char *labels);

#endif
