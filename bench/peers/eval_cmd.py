#!/usr/bin/python3
"""`dsml eval` (the command a PyTorch or NumPy user runs on saved embeddings)
against what such a user would otherwise write, on the same .npy files:
plain NumPy (blocked float32 distances, a stable argsort, then the metrics)
and faiss (IndexFlatL2 exact search of the whole database, then the metrics
in NumPy); pytorch-metric-learning's AccuracyCalculator when
`import pytorch_metric_learning` works (it is not packaged in Debian: the
line then says it was not available). Each side runs as its own process;
its wall time and peak RSS come from os.wait4. Every peer's Recall@K, MAP,
MAP@T, MAP@R, precision@T and F1@T must agree with dsml's to 1e-6.

  eval_cmd.py DSML THREADS NQ NDB D WORK      (one JSON line per side)
  eval_cmd.py --side numpy|faiss|pml THREADS WORK   (internal: one peer)"""
import json
import os
import subprocess
import sys
import time

import numpy as np

import common

RECALL_K = [1, 2, 4, 8, 16, 32]
F1_AT = 5000
BLOCK = 100


def measured(cmd):
    """Runs cmd; its seconds, peak RSS (MiB) and stdout."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode:
        raise SystemExit(f"eval_cmd.py: {' '.join(cmd)}: exit status {p.returncode}")
    return time.perf_counter() - start, usage.ru_maxrss / 1024.0, out


def side(peer, threads, work):
    """One peer in this process: ranks, scores, prints its metrics as JSON."""
    q, db = common.load(work, "q.npy"), common.load(work, "db.npy")
    ql, dl = common.load(work, "ql.npy"), common.load(work, "dl.npy")
    if peer == "pml":
        from pytorch_metric_learning.utils.accuracy_calculator import AccuracyCalculator
        import torch
        torch.set_num_threads(threads)
        calc = AccuracyCalculator(include=("precision_at_1", "mean_average_precision_at_r", "r_precision"),
                                  exclude=(), k="max_bin_count")
        acc = calc.get_accuracy(torch.from_numpy(q), torch.from_numpy(ql), torch.from_numpy(db),
                                torch.from_numpy(dl), False)
        print(json.dumps({"recall": [acc["precision_at_1"]], "map_at_r": acc["mean_average_precision_at_r"],
                          "r_precision": acc["r_precision"]}))
        return
    metrics = common.Metrics(RECALL_K, 0, F1_AT)
    if peer == "faiss":
        import faiss
        faiss.omp_set_num_threads(threads)
        index = faiss.IndexFlatL2(db.shape[1])
        index.add(db)
    norms = (db * db).sum(axis=1)
    for at in range(0, len(q), BLOCK):
        qb = q[at:at + BLOCK]
        if peer == "faiss":
            _, order = index.search(qb, db.shape[0])
        else:  # |q|^2 + |x|^2 - 2 q.x, as a NumPy user writes it; stable: ties by index
            dist = norms[None, :] - 2 * qb @ db.T
            order = np.argsort(dist, axis=1, kind="stable")
        metrics.add(order, ql[at:at + BLOCK], dl)
    print(json.dumps(metrics.result()))


def ours_metrics(path):
    with open(path) as f:
        e = json.load(f)["euclidean"]
    return {"recall": [e[f"recall@{k}"] for k in RECALL_K], "map": e["map"], "map_at_t": e["map@t"],
            "map_at_r": e["map@r"], "precision_at_t": e[f"precision@{min(F1_AT, e['map_t'])}"],
            "f1_at_t": e["f1@t"], "r_precision": e["r_precision"]}


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--side":
        return side(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    if len(sys.argv) != 7:
        raise SystemExit(__doc__)
    dsml, threads, nq, ndb, d, work = sys.argv[1], int(sys.argv[2]), *map(int, sys.argv[3:6]), sys.argv[6]
    rng = np.random.default_rng(1)
    centers = rng.standard_normal((10, d)).astype(np.float32) * 2
    ql, dl = rng.integers(0, 10, nq), rng.integers(0, 10, ndb)
    np.save(os.path.join(work, "q.npy"), centers[ql] + rng.standard_normal((nq, d), dtype=np.float32))
    np.save(os.path.join(work, "db.npy"), centers[dl] + rng.standard_normal((ndb, d), dtype=np.float32))
    np.save(os.path.join(work, "ql.npy"), ql.astype(np.int64))   # what torch.long labels save as
    np.save(os.path.join(work, "dl.npy"), dl.astype(np.int64))
    line = {"bench": "eval-cmd", "queries": nq, "database": ndb, "dim": d, "threads": threads}
    p = lambda name: os.path.join(work, name)
    secs, rss, _ = measured([dsml, "eval", "--query", p("q.npy"), "--query-labels", p("ql.npy"), "--database",
                             p("db.npy"), "--database-labels", p("dl.npy"), "--ranking", "euclidean",
                             "--no-clustering", "--f1-at", str(F1_AT), "--threads", str(threads), "--out",
                             p("dsml.json")])
    ours = ours_metrics(p("dsml.json"))
    print(json.dumps({**line, "seconds": round(secs, 3), "peak_rss_mib": round(rss, 1)}), flush=True)
    have = lambda mod: subprocess.run([sys.executable, "-c", f"import {mod}"], capture_output=True).returncode == 0
    failed = 0
    for peer, module in (("numpy", "numpy"), ("faiss", "faiss"), ("pytorch-metric-learning", "pytorch_metric_learning")):
        if not have(module):
            print(json.dumps({"bench": "note", "text": f"eval-cmd: {peer} is not available (import {module} "
                                                       "failed): no figure, nothing faked"}), flush=True)
            continue
        secs, rss, out = measured([sys.executable, __file__, "--side", {"pytorch-metric-learning": "pml"}.get(peer, peer),
                                   str(threads), work])
        ref = json.loads(out)
        keys = [k for k in ref if k in ours]
        diff = max(float(np.max(np.abs(np.atleast_1d(ours[k])[:len(np.atleast_1d(ref[k]))] -
                                       np.atleast_1d(ref[k])))) for k in keys)
        agree = diff <= 1e-6
        failed += not agree
        print(json.dumps({**line, "peer": peer, "seconds": round(secs, 3), "peak_rss_mib": round(rss, 1),
                          "max_diff": diff, "agree": agree}), flush=True)
    return 3 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
