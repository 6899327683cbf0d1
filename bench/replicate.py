"""Write digits replicated k times with Gaussian pixel noise as a CSV
(features..., label; no header) for the growth benchmark of bench/run.sh.

Each copy after the first adds N(0, sigma^2) noise (sigma 1 pixel level of
the 0..16 scale) to every feature, so the copies are new samples of the
same classes rather than duplicates.  Fixed seed: the same file each time.
"""
import argparse

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", default="data/digits.csv.gz")
    ap.add_argument("--times", type=int, required=True)
    ap.add_argument("--sigma", type=float, default=1.0)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    table = np.loadtxt(args.data, delimiter=",")
    x, y = table[:, :-1], table[:, -1:]
    rng = np.random.default_rng(0)
    parts = [table]
    for _ in range(args.times - 1):
        parts.append(np.hstack([x + rng.normal(0.0, args.sigma, x.shape), y]))
    np.savetxt(args.out, np.vstack(parts), delimiter=",", fmt="%.6g")


if __name__ == "__main__":
    main()
