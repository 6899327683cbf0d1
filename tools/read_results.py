#!/usr/bin/python3
"""Read a vaesweep results file with h5py and pandas: an example.

Usage: tools/read_results.py results.h5

Prints the cut levels (one row per number of clusters: its dendrogram
height, cross-validated and validation accuracy, and which cluster each
class falls in) and the runs (one row per VAE: its seed and loss weights,
status, validation accuracy, time and agreement with the consensus).
The schema is the comment at the top of include/vaesweep/results.h.
"""

import sys

import h5py
import pandas as pd


def read_levels(f):
    """/scores as a DataFrame indexed by the number of clusters; the
    column `groups` holds the classes of each cluster, by original
    label."""
    s = f["scores"]
    labels = f["data/label_values"][()]
    levels = pd.DataFrame({
        name: s[name][()]
        for name in ("n_clusters", "level_distance", "cv_mean", "cv_std",
                     "val_acc")
    }).set_index("n_clusters")
    levels["groups"] = [
        " ".join(str(sorted(labels[row == g].tolist()))
                 for g in sorted(set(row.tolist())))
        for row in s["groups"][()]
    ]
    return levels


def read_runs(f):
    """/runs as a DataFrame, one row per run (the per-run arrays such as
    centroids and loss curves stay in f["runs/..."])."""
    r = f["runs"]
    return pd.DataFrame({
        name: r[name][()]
        for name in ("seed", "alpha_rec", "alpha_clf", "alpha_kl", "status",
                     "val_acc", "wall_seconds", "cophenetic")
    })


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: read_results.py results.h5")
    path = sys.argv[1]
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        sys.exit("read_results.py: cannot open %s as HDF5: %s" % (path, exc))
    with f:
        if f.attrs.get("complete", 0) != 1:
            sys.exit("read_results.py: %s is not a complete results file: "
                     "/scores is written at the end of a sweep" % path)
        try:
            levels = read_levels(f)
            runs = read_runs(f)
        except KeyError as exc:
            sys.exit("read_results.py: %s is not a vaesweep results file "
                     "(%s)" % (path, exc))
    pd.set_option("display.width", 120)
    print(levels.to_string(float_format="%.4f"))
    print()
    print(runs.to_string(float_format="%.4f", max_rows=20))
    print()
    # Typical questions, answered with pandas:
    print("mean val_acc per (alpha_rec, alpha_kl):")
    print(runs.groupby(["alpha_rec", "alpha_kl"])["val_acc"].mean()
          .to_string(float_format="%.4f"))


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        # `read_results.py FILE | head` closed the pipe: not an error.
        sys.stderr.close()
