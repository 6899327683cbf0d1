#!/usr/bin/python3
"""Convert a vaesweep CSV (features..., integer label) to its HDF5 input.

Usage: tools/csv_to_h5.py IN.csv[.gz] OUT.h5 [--features NAME]
                          [--labels NAME]

Writes the features as a 2-D float64 dataset [n, d] and the labels as a
1-D int32 dataset [n], named "features" and "labels" unless told (the
defaults of [data] features and [data] labels in the config).  A first
line whose fields are all non-numeric is a header and is skipped, as
vaesweep's CSV loader does; anything else that is not a number fails.
"""

import argparse
import gzip
import sys

import h5py
import numpy as np


def is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_csv(path):
    """(features [n, d] float64, labels [n] int32) of a CSV file."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        rows = [line.strip() for line in f]
    rows = [r for r in rows if r]
    if rows and not any(is_number(t) for t in rows[0].split(",")):
        rows = rows[1:]
    if not rows:
        sys.exit(f"{path}: no data rows")
    table = np.array([[float(t) for t in r.split(",")] for r in rows])
    labels = table[:, -1]
    if not np.all(labels == np.round(labels)):
        sys.exit(f"{path}: the last column (labels) must hold integers")
    return table[:, :-1], labels.astype(np.int32)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("csv")
    ap.add_argument("h5")
    ap.add_argument("--features", default="features")
    ap.add_argument("--labels", default="labels")
    args = ap.parse_args()
    x, y = read_csv(args.csv)
    with h5py.File(args.h5, "w") as f:
        f.create_dataset(args.features, data=x.astype(np.float64))
        f.create_dataset(args.labels, data=y)
    print(f"{args.h5}: {args.features} {x.shape[0]} x {x.shape[1]} float64, "
          f"{args.labels} {y.shape[0]} int32, {len(np.unique(y))} classes")


if __name__ == "__main__":
    main()
