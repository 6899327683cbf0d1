#!/usr/bin/python3
"""Turn a vaesweep results file into PNG plots.

Usage: tools/vaesweep_plot.py results.h5 --out DIR [--run R] [--cut K]

Writes six figures into DIR:

  dendrogram.png   the consensus dendrogram (scipy's drawing of
                   /consensus/Z, leaves named by the original class label),
                   each merge annotated with its bootstrap support
                   (/consensus/support, in %) and the chosen cut drawn as a
                   dashed line, the clusters below it coloured.
  accuracy.png     cross-validated accuracy (mean +/- std over the folds)
                   and validation accuracy against the number of clusters
                   (/scores), the chosen cut marked.
  latent.png       the class centroids of one run in its latent space
                   (/runs/centroids: the mean latent mu of each class over
                   the training split; per-sample means are not stored),
                   coloured by cluster at the chosen cut.
  loss_curves.png  the per-epoch losses of every finished run (total,
                   reconstruction MSE, cross-entropy, KL), one colour per
                   loss-weight setting, the chosen run drawn thick.
  agreement.png    each run's cophenetic correlation with the consensus
                   as a seed x weight-setting heat map, and the run-by-run
                   correlation of the normalised distance matrices.
  stability.png    the split-half convergence curve (/stability) and
                   whether the two seed-halves agree at each number of
                   clusters.

The chosen cut is --cut K, else the root attribute recommended_n_clusters
of /scores when the file has one; without either no cut is drawn.  The
chosen run is --run R (0-based row of /runs), else the finished run whose
dendrogram agrees best with the consensus.

A file whose root attribute `complete` is not 1 (a sweep still running or
killed: "<path>.partial") is plotted as far as it goes, with a warning.
Exit status: 0 on success, 1 when the file cannot be used, 2 for bad
arguments.
"""

import argparse
import configparser
import os
import sys

import numpy as np

try:
    import h5py
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import patheffects
    from scipy.cluster import hierarchy
except ImportError as exc:
    sys.exit(
        "vaesweep_plot: error: %s; install the Debian packages "
        "python3-h5py, python3-matplotlib and python3-scipy "
        "(bash tools/setup.sh does)" % exc
    )

PROG = "vaesweep_plot"
LOSS_NAMES = ("total", "reconstruction (MSE)", "cross-entropy", "KL")
RUN_DONE = 1


class PlotError(Exception):
    """A file or argument problem, reported as one line to the user."""


def warn(msg):
    print("%s: warning: %s" % (PROG, msg), file=sys.stderr)


def read(f, path):
    """Dataset `path` as a numpy array, or None when the file lacks it."""
    obj = f.get(path)
    if obj is None or not isinstance(obj, h5py.Dataset):
        return None
    return obj[()]


def load(path):
    """Read what the plots need into a dict; raise PlotError if unusable."""
    if not os.path.exists(path):
        hint = ""
        if os.path.exists(path + ".partial"):
            hint = (
                "; the sweep is unfinished: plot %s.partial or continue "
                "it with --resume" % path
            )
        raise PlotError("no such file: %s%s" % (path, hint))
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise PlotError(
            "%s is not an HDF5 file (%s); expected a vaesweep results "
            "file" % (path, exc)
        ) from exc
    with f:
        # A .partial file has /config and /runs from the start; `complete`
        # and the other groups come at the end of the sweep.
        if "config" not in f or "runs/seed" not in f or \
                "runs/status" not in f:
            raise PlotError(
                "%s is HDF5 but not a vaesweep results file (no /config, "
                "/runs/seed or /runs/status)" % path
            )
        d = {"path": path, "complete": int(f.attrs.get("complete", 0)) == 1}
        d["version"] = f.attrs.get("version", b"?")
        for key, ds in (
            ("labels", "data/label_values"),
            ("seed", "runs/seed"),
            ("alpha_rec", "runs/alpha_rec"),
            ("alpha_clf", "runs/alpha_clf"),
            ("alpha_kl", "runs/alpha_kl"),
            ("status", "runs/status"),
            ("run_val_acc", "runs/val_acc"),
            ("centroids", "runs/centroids"),
            ("distance", "runs/distance"),
            ("loss", "runs/loss_curves"),
            ("cophenetic", "runs/cophenetic"),
            ("Z", "consensus/Z"),
            ("support", "consensus/support"),
            ("n_clusters", "scores/n_clusters"),
            ("cv_mean", "scores/cv_mean"),
            ("cv_std", "scores/cv_std"),
            ("val_acc", "scores/val_acc"),
            ("groups", "scores/groups"),
            ("conv_seeds", "stability/convergence_seeds"),
            ("conv_corr", "stability/convergence_corr"),
            ("same_partition", "stability/same_partition"),
        ):
            d[key] = read(f, ds)
        d["config"] = parse_ini(f["config"].attrs.get("ini", "")
                                if "config" in f else "")
        d["consensus_corr"] = None
        if "consensus" in f:
            d["consensus_corr"] = f["consensus"].attrs.get("cophenetic_corr")
        d["split_half"] = None
        if "stability" in f:
            d["split_half"] = f["stability"].attrs.get("split_half_corr")
        d["recommended"] = None
        if "scores" in f and "recommended_n_clusters" in f["scores"].attrs:
            d["recommended"] = int(f["scores"].attrs["recommended_n_clusters"])
    if d["labels"] is None:
        nclass = d["centroids"].shape[1] if d["centroids"] is not None else 0
        d["labels"] = np.arange(nclass)
    if not d["complete"]:
        warn(
            "%s is not complete (root attribute complete != 1): the sweep "
            "is unfinished or was killed; plotting what is there (class "
            "labels are shown as indices when /data is missing)" % path
        )
    d["done"] = d["status"] == RUN_DONE
    return d


def parse_ini(text):
    """The stored config (/config attr ini) as {"section.key": "value"}."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    cp = configparser.ConfigParser(inline_comment_prefixes=(";", "#"))
    try:
        cp.read_string(text)
    except configparser.Error:
        return {}
    return {"%s.%s" % (sec, k): v for sec in cp.sections()
            for k, v in cp[sec].items()}


def settings_of(d):
    """Index of each run's loss-weight setting, in first-seen order, and
    the list of settings as (alpha_rec, alpha_clf, alpha_kl)."""
    keys = list(zip(d["alpha_rec"], d["alpha_clf"], d["alpha_kl"]))
    order = list(dict.fromkeys(keys))
    return np.array([order.index(k) for k in keys]), order


def setting_label(s):
    return "rec %g, kl %g" % (s[0], s[2])


def cut_height(Z, k):
    """A height that cuts the dendrogram into k clusters: halfway between
    the merge that leaves k clusters and the next one."""
    n = Z.shape[0] + 1
    below = Z[n - k - 1, 2] if k < n else 0.0
    above = Z[n - k, 2]
    return 0.5 * (below + above)


def node_positions(Z, leaves):
    """x of every node as scipy's dendrogram draws it (leaf i of the
    drawing at 5 + 10 i, a merge halfway between its two children)."""
    n = Z.shape[0] + 1
    x = np.empty(2 * n - 1)
    x[np.asarray(leaves)] = 5.0 + 10.0 * np.arange(n)
    for i in range(n - 1):
        x[n + i] = 0.5 * (x[int(Z[i, 0])] + x[int(Z[i, 1])])
    return x[n:]


def plot_dendrogram(d, cut, out):
    Z = d["Z"]
    labels = [str(v) for v in d["labels"]]
    n = Z.shape[0] + 1
    fig, ax = plt.subplots(figsize=(8, 5))
    thr = cut_height(Z, cut) if cut else 0.0
    groups = groups_at(d, cut)
    # A merge below the cut joins classes of one cluster: draw it in that
    # cluster's colour (the latent plot uses the same colours).
    first_leaf = list(range(n))
    for i in range(n - 1):
        first_leaf.append(first_leaf[int(Z[i, 0])])

    def link_color(node):
        if groups is None or Z[node - n, 2] > thr:
            return "0.35"
        return matplotlib.colors.to_hex(
            cluster_color(groups[first_leaf[node]]))

    dn = hierarchy.dendrogram(Z, labels=labels, ax=ax,
                              link_color_func=link_color)
    if groups is not None:
        for tick in ax.get_xticklabels():
            c = labels.index(tick.get_text())
            tick.set_color(cluster_color(groups[c]))
    support = d["support"]
    if support is not None and np.isfinite(support).any():
        xs = node_positions(Z, dn["leaves"])
        for x, h, s in zip(xs, Z[:, 2], support):
            if np.isfinite(s):
                ax.annotate(
                    "%.0f" % (100.0 * s),
                    (x, h),
                    xytext=(0, 3),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=8,
                    color="tab:red" if s < 0.5 else "black",
                    bbox=dict(boxstyle="square,pad=0.1", fc="w", ec="none"),
                )
    if cut:
        ax.axhline(thr, ls="--", color="tab:red", lw=1)
        ax.text(
            ax.get_xlim()[1],
            thr,
            " cut: %d clusters" % cut,
            va="center",
            ha="left",
            color="tab:red",
            fontsize=9,
        )
    ax.set_xlabel("class (original label)")
    cfg = d["config"]
    how = cfg.get("sweep.consensus", "?")
    ax.set_ylabel("consensus distance (%s of normalised runs)" % how
                  if how in ("mean", "median") else
                  "consensus distance (1 - co-association)"
                  if how == "coassociation" else "consensus distance")
    title = "Consensus dendrogram, %s linkage" % cfg.get("sweep.linkage",
                                                          "?")
    if d["consensus_corr"] is not None:
        title += " (cophenetic corr. %.3f)" % d["consensus_corr"]
    if support is not None and np.isfinite(support).any():
        title += ("\nnumbers: bootstrap support of each merge, % "
                  "(red below 50)")
    if not cut:
        title += "\nno cut chosen: pass --cut K"
    ax.set_title(title, fontsize=10)
    ax.set_ylim(0, Z[:, 2].max() * 1.1)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "dendrogram.png"), dpi=120)
    plt.close(fig)


def plot_accuracy(d, cut, out):
    k = d["n_clusters"]
    order = np.argsort(k)
    k = k[order]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.errorbar(
        k,
        d["cv_mean"][order],
        yerr=d["cv_std"][order],
        marker="o",
        capsize=3,
        label="cross-validation (mean +/- std over folds)",
    )
    ax.plot(k, d["val_acc"][order], "s--", label="validation split")
    if cut:
        ax.axvspan(cut - 0.4, cut + 0.4, color="tab:red", alpha=0.12,
                   label="cut: %d clusters" % cut)
    ax.set_xticks(k)
    ax.set_xlabel("number of clusters (classes merged by the dendrogram)")
    ax.set_ylabel("accuracy")
    ax.set_title(
        "Classifier accuracy on the merged classes\n"
        "(fewer clusters make an easier task: read the gain between steps)",
        fontsize=10,
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "accuracy.png"), dpi=120)
    plt.close(fig)


def groups_at(d, cut):
    """Cluster id of each class at the chosen cut (the file's /scores/groups
    row when that level was scored, else scipy's fcluster at the cut
    height), or None without a cut."""
    if not cut:
        return None
    if d["groups"] is not None and d["n_clusters"] is not None:
        hit = np.flatnonzero(d["n_clusters"] == cut)
        if hit.size:
            return d["groups"][hit[0]]
    if d["Z"] is None:
        return None
    return hierarchy.fcluster(d["Z"], cut_height(d["Z"], cut),
                              criterion="distance") - 1


def cluster_color(g):
    """One colour per cluster id, the same in every figure."""
    return plt.get_cmap("tab10")(int(g) % 10)


def plot_latent(d, run, cut, out):
    cen = d["centroids"][run]
    labels = d["labels"]
    groups = groups_at(d, cut)
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    colors = ["tab:blue"] * len(labels)
    if groups is not None:
        colors = [cluster_color(g) for g in groups]
    ax.scatter(cen[:, 0], cen[:, 1], c=colors, s=120, edgecolors="k")
    for c, lab in enumerate(labels):
        ax.annotate(
            str(lab),
            (cen[c, 0], cen[c, 1]),
            xytext=(7, 5),
            textcoords="offset points",
            fontsize=11,
        )
    dims = cen.shape[1]
    ax.set_xlabel("latent dim 1")
    ax.set_ylabel("latent dim 2")
    if dims > 2:
        ax.set_xlabel("latent dim 1 (of %d)" % dims)
    ax.set_aspect("equal", adjustable="datalim")
    coph = d["cophenetic"][run] if d["cophenetic"] is not None else np.nan
    title = (
        "Run %d: seed %d, alpha_rec %g, alpha_kl %g\n"
        "class centroids of the latent mean (training split); "
        "val acc %.3f, agreement %.3f"
        % (
            run,
            d["seed"][run],
            d["alpha_rec"][run],
            d["alpha_kl"][run],
            d["run_val_acc"][run],
            coph,
        )
    )
    if groups is not None:
        title += "\ncolour: cluster at the %d-cluster cut" % cut
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "latent.png"), dpi=120)
    plt.close(fig)


def plot_loss(d, run, out):
    loss = d["loss"]
    setting, settings = settings_of(d)
    epochs = np.arange(1, loss.shape[1] + 1)
    many = len(settings) > 10
    cmap = plt.get_cmap("viridis" if many else "tab10")

    def color_of(i):
        return cmap(i / max(len(settings) - 1, 1) if many else i)

    done = np.flatnonzero(d["done"])
    # Hundreds of runs of one setting would paint a solid band: fade the
    # single runs as their number grows and draw each setting's median.
    alpha = min(0.6, 30.0 / max(done.size / len(settings), 1.0))
    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True)
    for j, ax in enumerate(axes.flat):
        for r in done:
            ax.plot(epochs, loss[r, :, j], color=color_of(setting[r]),
                    lw=0.6, alpha=alpha)
        for i in range(len(settings)):
            sel = done[setting[done] == i]
            if sel.size >= 5:
                ax.plot(epochs, np.median(loss[sel, :, j], axis=0),
                        color=color_of(i), lw=1.6, ls="--",
                        path_effects=[patheffects.withStroke(
                            linewidth=3.2, foreground="w")])
        ax.plot(epochs, loss[run, :, j], color="k", lw=1.8)
        ax.set_title(LOSS_NAMES[j], fontsize=10)
        ax.grid(alpha=0.3)
        if j >= 2:
            ax.set_xlabel("epoch")
    handles = [
        plt.Line2D([], [], color=color_of(i), label=setting_label(s))
        for i, s in enumerate(settings)
    ]
    handles.append(plt.Line2D([], [], color="0.4", lw=1.6, ls="--",
                              label="median of a setting"))
    handles.append(plt.Line2D([], [], color="k", lw=1.8,
                              label="run %d (seed %d)" % (run,
                                                          d["seed"][run])))
    fig.legend(handles=handles, loc="center right", fontsize=8,
               title="loss weights", title_fontsize=8)
    fig.suptitle(
        "Per-epoch training losses of %d finished runs (total = "
        "alpha_rec MSE + alpha_clf CE + alpha_kl KL)" % d["done"].sum(),
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0, 0.8, 0.96))
    fig.savefig(os.path.join(out, "loss_curves.png"), dpi=120)
    plt.close(fig)


def normalised_distances(d):
    """Each run's condensed distance divided by its mean, as the
    consensus does (METHOD.md); rows of unfinished runs are NaN."""
    dist = d["distance"]
    iu = np.triu_indices(dist.shape[1], 1)
    v = dist[:, iu[0], iu[1]].astype(float)
    v[~d["done"]] = np.nan
    return v / v.mean(axis=1, keepdims=True)


# Above this many seeds the per-seed heat map and per-seed ticks are
# unreadable: the plots switch to distributions and a clustered order.
MAX_SEED_ROWS = 24


def agreement_heat(ax, fig, d, setting, settings, seeds):
    """Seed x weight-setting heat map of the per-run cophenetic
    correlation, values written in the cells."""
    heat = np.full((len(seeds), len(settings)), np.nan)
    if d["cophenetic"] is not None:
        for r in np.flatnonzero(d["done"]):
            i = np.searchsorted(seeds, d["seed"][r])
            heat[i, setting[r]] = d["cophenetic"][r]
    finite = np.isfinite(heat).any()
    im = ax.imshow(heat, cmap="viridis", aspect="auto",
                   vmin=np.nanmin(heat) if finite else 0, vmax=1)
    for i in range(heat.shape[0]):
        for j in range(heat.shape[1]):
            txt = "%.2f" % heat[i, j] if np.isfinite(heat[i, j]) else "-"
            ax.text(j, i, txt, ha="center", va="center", fontsize=7,
                    color="w" if heat[i, j] < 0.75 else "k")
    ax.set_xticks(range(len(settings)))
    ax.set_xticklabels([setting_label(s) for s in settings], rotation=45,
                       ha="right", fontsize=8)
    ax.set_yticks(range(len(seeds)))
    ax.set_yticklabels(["seed %d" % s for s in seeds], fontsize=8)
    ax.set_title("Cophenetic correlation of each run with the consensus\n"
                 "(- : run unfinished or no consensus yet)", fontsize=10)
    fig.colorbar(im, ax=ax, shrink=0.8)


def agreement_spread(ax, d, setting, settings):
    """Per weight setting, every run's cophenetic correlation (jittered
    points) over a box plot: readable for any number of seeds."""
    coph = d["cophenetic"]
    groups = []
    for j in range(len(settings)):
        sel = d["done"] & (setting == j)
        v = coph[sel] if coph is not None else np.array([])
        groups.append(v[np.isfinite(v)])
    jitter = np.random.default_rng(0)
    for j, v in enumerate(groups):
        if v.size:
            ax.boxplot(v, positions=[j], widths=0.6, showfliers=False)
            ax.scatter(j + jitter.uniform(-0.2, 0.2, v.size), v, s=6,
                       alpha=0.5, color="tab:blue")
    ax.set_xticks(range(len(settings)))
    ax.set_xticklabels([setting_label(s) for s in settings], rotation=45,
                       ha="right", fontsize=8)
    ax.set_xlim(-0.7, len(settings) - 0.3)
    ax.set_ylabel("cophenetic correlation with the consensus")
    n = sum(v.size for v in groups)
    ax.set_title("Agreement of each run with the consensus (%d runs)\n"
                 "points: runs; box: quartiles" % n, fontsize=10)
    ax.grid(alpha=0.3, axis="y")


def plot_agreement(d, out):
    setting, settings = settings_of(d)
    seeds = np.unique(d["seed"])
    few = len(seeds) <= MAX_SEED_ROWS
    fig, (a1, a2) = plt.subplots(
        1, 2, figsize=(13, 5.8), gridspec_kw={"width_ratios": [1, 1.25]}
    )
    if few:
        agreement_heat(a1, fig, d, setting, settings, seeds)
    else:
        agreement_spread(a1, d, setting, settings)

    v_all = normalised_distances(d)
    ok_all = np.isfinite(v_all).all(axis=1)
    if few:
        # Seed blocks, the weight settings inside: in the digits sweep the
        # seed, not the weights, decides the latent layout, so the blocks
        # show where runs agree.
        order = np.lexsort((setting, d["seed"]))
    else:
        # Too many seeds for blocks: order the finished runs by average
        # linkage on 1 - correlation, so families of similar runs show
        # as squares on the diagonal.
        fin = np.flatnonzero(ok_all)
        order = fin
        if fin.size >= 3:
            c = np.clip(np.corrcoef(v_all[fin]), -1.0, 1.0)
            dist = 1.0 - c[np.triu_indices(fin.size, 1)]
            zz = hierarchy.linkage(np.maximum(dist, 0.0), "average")
            order = fin[hierarchy.leaves_list(zz)]
    v = v_all[order]
    ok = ok_all[order]
    corr = np.full((len(order), len(order)), np.nan)
    if ok.sum() >= 2:
        corr[np.ix_(ok, ok)] = np.corrcoef(v[ok])
    finite = np.isfinite(corr).any()
    im2 = a2.imshow(corr, cmap="magma", vmin=np.nanmin(corr) if finite else 0,
                    vmax=1, interpolation="nearest")
    if few:
        seed_o = d["seed"][order]
        bounds = np.flatnonzero(np.diff(seed_o)) + 0.5
        if len(order) > len(seeds):
            for b in bounds:
                a2.axhline(b, color="w", lw=0.6)
                a2.axvline(b, color="w", lw=0.6)
        starts = np.concatenate(([0], np.ceil(bounds).astype(int)))
        ends = np.concatenate((np.ceil(bounds).astype(int), [len(order)]))
        mids = 0.5 * (starts + ends - 1)
        names = ["seed %d" % seed_o[i] for i in starts]
        a2.set_xticks(mids)
        a2.set_xticklabels(names, rotation=45, ha="right", fontsize=7)
        a2.set_yticks(mids)
        a2.set_yticklabels(names, fontsize=7)
        how = "blocks: seeds, the weight settings inside"
    else:
        a2.set_xlabel("runs (finished), in cluster order")
        a2.set_ylabel("runs (finished), in cluster order")
        a2.set_xticks([])
        a2.set_yticks([])
        how = "%d runs, average-linkage order" % len(order)
    a2.set_title("Run-by-run Pearson correlation of the normalised class\n"
                 "distances (%s)" % how, fontsize=10)
    fig.colorbar(im2, ax=a2, shrink=0.8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "agreement.png"), dpi=120)
    plt.close(fig)


def choose_run(d, run):
    nruns = len(d["seed"])
    if run is not None:
        if not 0 <= run < nruns:
            raise PlotError("--run %d is out of range: the file has runs "
                            "0..%d" % (run, nruns - 1))
        if not d["done"][run]:
            raise PlotError("run %d is not finished (status %d); pick a "
                            "finished run" % (run, d["status"][run]))
        return run
    done = np.flatnonzero(d["done"])
    if done.size == 0:
        return None
    if d["cophenetic"] is not None and np.isfinite(
            d["cophenetic"][done]).any():
        return int(done[np.nanargmax(d["cophenetic"][done])])
    return int(done[0])


def choose_cut(d, cut):
    nclass = len(d["labels"])
    if cut is not None:
        if not 2 <= cut <= nclass:
            raise PlotError("--cut %d is out of range: expected 2..%d "
                            "clusters" % (cut, nclass))
        return cut
    return d["recommended"]


def plot_stability(d, out):
    """Split-half correlation against the number of seeds (would more
    seeds still change the consensus?) and, per number of clusters,
    whether the two seed-halves' dendrograms give the same partition."""
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 4),
                                 gridspec_kw={"width_ratios": [3, 2]})
    seeds, corr = d["conv_seeds"], d["conv_corr"]
    ax.plot(seeds, corr, "o-", color="tab:blue")
    ax.set_xscale("log", base=2)
    ax.set_xticks(seeds)
    ax.set_xticklabels(["%d" % s for s in seeds])
    ax.set_ylim(min(0.0, float(np.nanmin(corr))) if len(corr) else 0.0, 1.0)
    for level in (0.95, 0.98):
        ax.axhline(level, color="grey", lw=0.8, ls=":")
    ax.set_xlabel("seeds used (first m, ascending)")
    ax.set_ylabel("split-half correlation of the consensus")
    ax.set_title("Convergence: do more seeds still change the answer?")
    ax.grid(alpha=0.3)
    same = d["same_partition"]
    if same is not None:
        n = len(same) + 1
        ks = np.arange(n, 1, -1)
        colors = ["tab:green" if v == 1 else
                  "tab:red" if v == 0 else "lightgrey" for v in same]
        bx.bar(ks, np.ones_like(ks), color=colors)
        bx.set_xticks(ks)
        bx.set_yticks([])
        bx.set_xlabel("number of clusters")
        bx.set_title("halves agree (green) or differ (red)")
        bx.invert_xaxis()
    sh = d.get("split_half")
    fig.suptitle("Stability of the consensus%s" %
                 ("" if sh is None else
                  " (split-half correlation %.3f)" % sh))
    fig.tight_layout()
    fig.savefig(os.path.join(out, "stability.png"), dpi=100)
    plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog=PROG,
        description="Plot a vaesweep results file: dendrogram.png, "
        "accuracy.png, latent.png, loss_curves.png, agreement.png and "
        "stability.png.",
    )
    ap.add_argument("results", help="results file written by vaesweep "
                    "(a .partial file is plotted as far as it goes)")
    ap.add_argument("--out", required=True, help="folder for the PNG "
                    "files (made if missing)")
    ap.add_argument("--run", type=int, help="row of /runs for latent.png "
                    "and the thick loss curve (default: the finished run "
                    "that agrees best with the consensus)")
    ap.add_argument("--cut", type=int, help="number of clusters to mark "
                    "(default: /scores attribute recommended_n_clusters "
                    "when the file has it, else none)")
    args = ap.parse_args(argv)
    try:
        d = load(args.results)
        cut = choose_cut(d, args.cut)
        run = choose_run(d, args.run)
        os.makedirs(args.out, exist_ok=True)
    except PlotError as exc:
        print("%s: error: %s" % (PROG, exc), file=sys.stderr)
        return 1
    except OSError as exc:
        print("%s: error: cannot make --out %s: %s" %
              (PROG, args.out, exc.strerror), file=sys.stderr)
        return 1

    written, skipped = [], []

    def attempt(name, needs, fn, *fargs):
        missing = [k for k in needs if d.get(k) is None]
        if missing:
            skipped.append("%s (file lacks %s)" % (name, ", ".join(missing)))
            return
        fn(*fargs)
        written.append(name)

    attempt("dendrogram.png", ["Z"], plot_dendrogram, d, cut, args.out)
    attempt("accuracy.png", ["n_clusters", "cv_mean", "cv_std", "val_acc"],
            plot_accuracy, d, cut, args.out)
    if run is None:
        skipped += ["latent.png (no finished run)",
                    "loss_curves.png (no finished run)"]
    else:
        attempt("latent.png", ["centroids"], plot_latent, d, run, cut,
                args.out)
        attempt("loss_curves.png", ["loss"], plot_loss, d, run, args.out)
    attempt("agreement.png", ["distance"], plot_agreement, d, args.out)
    attempt("stability.png", ["conv_seeds", "conv_corr"], plot_stability, d,
            args.out)
    for s in skipped:
        warn("skipped " + s)
    print("%s: wrote %s in %s" % (PROG, ", ".join(written) or "nothing",
                                  args.out))
    return 0 if written else 1


if __name__ == "__main__":
    sys.exit(main())
