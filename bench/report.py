"""Turn the raw measurements of bench/run.sh into bench/RESULTS.md (and
print the same tables).

Reads, under --dir: core.jsonl (bench_core), torch.json, sklearn.json, and
sweeps/NAME-RANKS-REP/{meta.json, results.h5, rank<N>} (wall time, the
program's /timing attributes, each rank's peak RSS in KiB from GNU time).
"""
import argparse
import datetime
import glob
import json
import os
import platform
import statistics
import subprocess

import h5py


def load_jsonl(path):
    with open(path) as f:
        return {d["bench"]: d for d in map(json.loads, f) if d}


def lscpu_model():
    out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def versions():
    import numpy
    import sklearn
    import torch
    return (f"PyTorch {torch.__version__}, scikit-learn {sklearn.__version__},"
            f" numpy {numpy.__version__}, Python {platform.python_version()}")


def side_by_side(title, ours, theirs, theirs_name, extra):
    rows = [f"### {title}", "",
            "| side | reps | min s | median s | accuracy (mean) |"
            + "".join(f" {h} |" for h, _ in extra),
            "|---|---|---|---|---|" + "---|" * len(extra)]
    for name, d in (("vaesweep", ours), (theirs_name, theirs)):
        rows.append(f"| {name} | {d['reps']} | {d['min']:.4f} | "
                    f"{d['median']:.4f} | {100 * d['acc_mean']:.2f} % |"
                    + "".join(f" {fn(d)} |" for _, fn in extra))
    rows.append(f"| ratio {theirs_name} / vaesweep | | "
                f"**{theirs['min'] / ours['min']:.1f}x** | "
                f"**{theirs['median'] / ours['median']:.1f}x** | "
                f"{100 * (ours['acc_mean'] - theirs['acc_mean']):+.2f} points"
                " |" + " |" * len(extra))
    return rows


def read_sweeps(root):
    runs = []
    for meta_path in sorted(glob.glob(os.path.join(root, "sweeps", "*",
                                                   "meta.json"))):
        d = os.path.dirname(meta_path)
        with open(meta_path) as f:
            meta = json.load(f)
        with h5py.File(os.path.join(d, "results.h5"), "r") as h:
            meta.update({k: float(v) for k, v in h["/timing"].attrs.items()
                         if k != "ranks"})
            meta["runs"] = h["/runs/status"].shape[0]
            meta["samples"] = int(h["/data"].attrs["n_samples"])
            meta["run_wall"] = h["/runs/wall_seconds"][()].tolist()
            meta["tasks"] = h["/scores/fold_acc"].size + \
                h["/scores/val_acc"].size
        rss = []
        for r in range(meta["ranks"]):
            with open(os.path.join(d, f"rank{r}")) as f:
                rss.append(int(f.read().split()[0]) / 1024.0)
        meta["rss"] = rss
        runs.append(meta)
    return runs


def med(xs):
    return statistics.median(xs)


def sweep_tables(sweeps):
    default = [s for s in sweeps if s["name"] == "default"]
    by_ranks = {}
    for s in default:
        by_ranks.setdefault(s["ranks"], []).append(s)
    runs = default[0]["runs"] if default else 0
    tasks = default[0]["tasks"] if default else 0
    rows = [f"### 3. The default sweep ({runs} runs, {tasks} scoring "
            "tasks)", "",
            "Wall: mpirun start to exit.  Phases: the program's own timers "
            "(/timing in the results file; `train` includes the gather on "
            "rank 0, `consensus` the broadcast of the cut levels), medians.",
            "",
            "| ranks | reps | wall min s | wall median s | train s | "
            "consensus s | scoring s | write s | peak RSS per rank MB |",
            "|---|---|---|---|---|---|---|---|---|"]
    for ranks in sorted(by_ranks):
        g = by_ranks[ranks]
        rows.append(
            f"| {ranks} | {len(g)} | {min(s['wall'] for s in g):.2f} | "
            f"{med([s['wall'] for s in g]):.2f} | "
            f"{med([s['train'] for s in g]):.2f} | "
            f"{med([s['consensus'] for s in g]):.3f} | "
            f"{med([s['scoring'] for s in g]):.2f} | "
            f"{med([s['write'] for s in g]):.3f} | "
            + " / ".join(f"{max(s['rss'][r] for s in g):.0f}"
                         for r in range(ranks)) + " |")
    if 1 in by_ranks and 2 in by_ranks:
        def eff(key):
            t1 = min(key(s) for s in by_ranks[1])
            t2 = min(key(s) for s in by_ranks[2])
            return 100.0 * t1 / (2.0 * t2)
        rows += ["", "Parallel efficiency 1 -> 2 ranks, T1 / (2 T2) on the "
                 "minima: wall "
                 f"**{eff(lambda s: s['wall']):.0f} %**, "
                 "train "
                 f"{eff(lambda s: s['train']):.0f} %, scoring "
                 f"{eff(lambda s: s['scoring']):.0f} %, phases summed "
                 f"{eff(lambda s: s['train'] + s['consensus'] + s['scoring'] + s['write']):.0f} %."]
        one = min(by_ranks[1], key=lambda s: s["wall"])
        rows += ["", "Per task (1 rank): one VAE run "
                 f"{1000 * med(one['run_wall']):.0f} ms median "
                 f"({1000 * min(one['run_wall']):.0f}-"
                 f"{1000 * max(one['run_wall']):.0f} ms), one scoring task "
                 f"{1000 * one['scoring'] / one['tasks']:.0f} ms on average "
                 f"({one['tasks']} tasks); the rest of the wall time "
                 f"({one['wall'] - one['train'] - one['consensus'] - one['scoring'] - one['write']:.2f} s) is "
                 "MPI start-up, data loading and file creation."]
    return rows


def growth_table(sweeps):
    order = ["samples-x1", "samples-x4", "samples-x16", "runs-36",
             "runs-72", "runs-144", "default"]
    rows = ["### 4. Growth (2 ranks)", "",
            "| sweep | samples | runs | wall s | train s | consensus s | "
            "scoring s | write s | peak RSS rank 0 MB | rank 1 MB |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for name in order:
        g = [s for s in sweeps if s["name"] == name and s["ranks"] == 2]
        if not g:
            continue
        s = min(g, key=lambda s: s["wall"])
        rows.append(
            f"| {name} | {s['samples']} | {s['runs']} | {s['wall']:.2f} | "
            f"{s['train']:.2f} | {s['consensus']:.3f} | {s['scoring']:.2f} | "
            f"{s['write']:.3f} | {s['rss'][0]:.0f} | {s['rss'][1]:.0f} |")
    return rows


BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def update_readme(path, text):
    """Replace what lies between the markers in path (if both are there)
    with the tables, their headings one level down."""
    if not os.path.exists(path):
        return
    with open(path) as f:
        readme = f.read()
    if BEGIN not in readme or END not in readme:
        return
    body = text.split("\n", 2)[2].replace("\n### ", "\n#### ")
    head, rest = readme.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    with open(path, "w") as f:
        f.write(f"{head}{BEGIN}\n{body}\n{END}{tail}")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--command", default="bash bench/run.sh")
    ap.add_argument("--out", default="bench/RESULTS.md")
    ap.add_argument("--readme", default="bench/README.md",
                    help="file whose text between the results markers is "
                    "replaced by the tables")
    args = ap.parse_args()

    core = load_jsonl(os.path.join(args.dir, "core.jsonl"))
    with open(os.path.join(args.dir, "torch.json")) as f:
        torch_vae = json.load(f)
    with open(os.path.join(args.dir, "sklearn.json")) as f:
        sk = json.load(f)
    sweeps = read_sweeps(args.dir)

    def epochs(d):
        return f"{statistics.mean(d['epochs']):.0f}"

    def per_epoch(d):
        return f"{1000 * d['median'] / statistics.mean(d['epochs']):.2f}"

    lines = ["# Benchmark results", "",
             f"- Machine: {lscpu_model()}, {os.cpu_count()} cores "
             f"(`lscpu`), Linux {platform.release()}",
             f"- Date: {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}",
             f"- Command: `{args.command}`",
             "- Load average (1, 5, 15 min) when the report was written: "
             + ", ".join(f"{x:.2f}" for x in os.getloadavg())
             + " (other work on the machine slows both sides alike in 1-2"
             " but the 2-rank sweeps more than the 1-rank ones)",
             f"- Versions: {versions()}",
             "- One thread per process everywhere (OPENBLAS_NUM_THREADS=1, "
             "OMP_NUM_THREADS=1, torch.set_num_threads(1)).", ""]
    lines += side_by_side(
        "1. One VAE run (digits, 35 epochs, batch 16, default weights, "
        "float64)", core["vae"], torch_vae, "PyTorch", [])
    lines += ["", "Accuracy: the classifier head on the validation split "
              "(eval mode, latent mean), mean over the repetitions (seed = "
              "repetition).", ""]
    lines += side_by_side(
        "2. One MLP fit (digits, 10 classes, (10, 10), Adam, batch 16, "
        "scikit-learn's stopping rule)", core["mlp"], sk, "scikit-learn",
        [("epochs (mean)", epochs), ("ms per epoch", per_epoch)])
    lines += ["", "Accuracy: validation split, raw pixels, mean over the "
              "repetitions (random_state / seed = repetition).", ""]
    lines += sweep_tables(sweeps) + [""]
    lines += growth_table(sweeps) + [""]
    text = "\n".join(lines)
    print(text)
    with open(args.out, "w") as f:
        f.write(text)
    update_readme(args.readme, text)


if __name__ == "__main__":
    main()
