"""One MLPClassifier fit on digits, timed: the scikit-learn side of
benchmark 2 (bench/run.sh).  Run with /usr/bin/python3 (Debian's
python3-sklearn).

The model is the one classify.c matches: hidden layers (10, 10), ReLU,
Adam lr 0.002, batch 16, alpha 1e-4, max_iter 1000, stopping after
n_iter_no_change=10 epochs without a tol=1e-4 improvement of the training
loss (scikit-learn's default rule, not early_stopping=True).  It trains on
the raw pixel values of the same rows bench_core uses (--split, written
by bench_core --split-out) and scores the validation rows.  Repetition r
uses random_state=r.  Prints one JSON line in bench_core's format.
"""
import argparse
import json
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", default="data/digits.csv.gz")
    ap.add_argument("--split", required=True)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()

    table = np.loadtxt(args.data, delimiter=",")
    x, y = table[:, :-1], table[:, -1].astype(int)
    with open(args.split) as f:
        split = json.load(f)
    tr, va = np.array(split["train"]), np.array(split["val"])

    secs, acc, epochs = [], [], []
    for r in range(args.reps):
        clf = MLPClassifier(hidden_layer_sizes=(10, 10), solver="adam",
                            learning_rate_init=0.002, batch_size=16,
                            alpha=1e-4, max_iter=1000, random_state=r)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(x[tr], y[tr])
        pred = clf.predict(x[va])
        secs.append(time.perf_counter() - t0)
        acc.append(float(np.mean(pred == y[va])))
        epochs.append(int(clf.n_iter_))
    print(json.dumps({"bench": "mlp", "reps": args.reps, "secs": secs,
                      "acc": acc, "epochs": epochs,
                      "acc_mean": float(np.mean(acc)),
                      "min": float(np.min(secs)),
                      "median": float(np.median(secs))}))


if __name__ == "__main__":
    main()
