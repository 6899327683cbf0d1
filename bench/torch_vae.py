"""One VAE run on digits in PyTorch, timed: the PyTorch side of
benchmark 1 (bench/run.sh).  Run with /usr/bin/python3 (Debian's
python3-torch).

The model, loss and optimiser are those of METHOD.md ("The VAE"), in
float64 on the CPU with one thread: encoder Linear(64, 32), ReLU,
BatchNorm(32), Linear(32, 16), ReLU, BatchNorm(16); heads mu and logvar
Linear(16, 2); z = mu + eps * exp(logvar / 2); reconstruction decoder
Linear(2, 32), ReLU, BatchNorm(32), Linear(32, 64); classifier decoder
Linear(2, 10), ReLU, BatchNorm(10), Linear(10, 10); loss 0.1 * MSE + CE +
0.01 * KL; NAdam lr 2e-3, weight_decay 1e-3; batch 16 reshuffled every
epoch, last partial batch dropped; 35 epochs.  It trains on the
standardised features of the rows bench_core uses (--split, written by
bench_core --split-out) and, like the sweep, predicts the validation rows
in eval mode from the latent mean.  Batches are cut from a torch.randperm
index (cheaper than a DataLoader, so the comparison is kind to PyTorch).

Debian's python3-torch is 1.13, whose NAdam multiplies one extra momentum
factor into its running product (fixed in 2.0; METHOD.md).  That changes
the numbers slightly, not the work per step, so the time compares fairly.
Repetition r uses torch.manual_seed(r).  Prints one JSON line in
bench_core's format.
"""
import argparse
import gzip
import json
import time

import numpy as np
import torch
from torch import nn


class VAE(nn.Module):
    def __init__(self, n_in, n_classes, latent=2):
        super().__init__()
        self.enc = nn.Sequential(
            nn.Linear(n_in, 32), nn.ReLU(), nn.BatchNorm1d(32),
            nn.Linear(32, 16), nn.ReLU(), nn.BatchNorm1d(16))
        self.mu = nn.Linear(16, latent)
        self.lv = nn.Linear(16, latent)
        self.rec = nn.Sequential(
            nn.Linear(latent, 32), nn.ReLU(), nn.BatchNorm1d(32),
            nn.Linear(32, n_in))
        self.clf = nn.Sequential(
            nn.Linear(latent, 10), nn.ReLU(), nn.BatchNorm1d(10),
            nn.Linear(10, n_classes))

    def forward(self, x):
        h = self.enc(x)
        mu, lv = self.mu(h), self.lv(h)
        if self.training:
            z = mu + torch.randn_like(mu) * torch.exp(0.5 * lv)
        else:
            z = mu
        return self.rec(z), self.clf(z), mu, lv


def loss_fn(x, y, recon, logits, mu, lv, a_rec=0.1, a_clf=1.0, a_kl=0.01):
    mse = nn.functional.mse_loss(recon, x)
    ce = nn.functional.cross_entropy(logits, y)
    kl = torch.mean(torch.sum(-0.5 * (1 + lv - lv.exp() - mu * mu), dim=1))
    return a_rec * mse + a_clf * ce + a_kl * kl


def standardise(xtr, xva):
    mean = xtr.mean(axis=0)
    std = xtr.std(axis=0)
    std[std < 1e-12] = 1.0  # scikit-learn keeps constant columns unscaled
    return (xtr - mean) / std, (xva - mean) / std


def run_once(xtr, ytr, xva, yva, seed, epochs, batch=16):
    torch.manual_seed(seed)
    model = VAE(xtr.shape[1], int(ytr.max()) + 1).double()
    opt = torch.optim.NAdam(model.parameters(), lr=2e-3, weight_decay=1e-3)
    n = xtr.shape[0]
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(n)
        for s in range(n // batch):
            rows = perm[s * batch:(s + 1) * batch]
            xb, yb = xtr[rows], ytr[rows]
            recon, logits, mu, lv = model(xb)
            loss = loss_fn(xb, yb, recon, logits, mu, lv)
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        pred = model(xva)[1].argmax(dim=1)
    return float((pred == yva).double().mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", default="data/digits.csv.gz")
    ap.add_argument("--split", required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=35)
    args = ap.parse_args()
    torch.set_num_threads(1)

    with gzip.open(args.data, "rt") as f:
        table = np.loadtxt(f, delimiter=",")
    x, y = table[:, :-1], table[:, -1].astype(int)
    with open(args.split) as f:
        split = json.load(f)
    tr, va = np.array(split["train"]), np.array(split["val"])
    xtr, xva = standardise(x[tr], x[va])
    xtr, xva = torch.from_numpy(xtr), torch.from_numpy(xva)
    ytr, yva = torch.from_numpy(y[tr]), torch.from_numpy(y[va])

    secs, acc = [], []
    for r in range(args.reps):
        t0 = time.perf_counter()
        acc.append(run_once(xtr, ytr, xva, yva, r, args.epochs))
        secs.append(time.perf_counter() - t0)
    print(json.dumps({"bench": "vae", "reps": args.reps, "secs": secs,
                      "acc": acc, "epochs": [args.epochs] * args.reps,
                      "acc_mean": float(np.mean(acc)),
                      "min": float(np.min(secs)),
                      "median": float(np.median(secs))}))


if __name__ == "__main__":
    main()
