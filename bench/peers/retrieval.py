#!/usr/bin/python3
"""Peers of dsml's exact Euclidean retrieval benchmark: faiss IndexFlatL2 and
torch brute force, each ranking the whole database for every query of the
inputs bench_dsml wrote, then scoring its own ranking (Recall@K, MAP, MAP@T,
MAP@R, precision and F1@T: common.Metrics) and checking that every metric
agrees with dsml's to 1e-6.

  retrieval.py faiss|torch THREADS WORK

The way a user would write it: one search of all queries against the whole
database (faiss: index.search(queries, k=ndb); torch: cdist then argsort),
so the time and peak memory include the full queries x database result.
Ties: the data are random floats, where exact distance ties have probability
0; items whose distances differ by less than float rounding may swap places
between implementations, which moves MAP by far less than 1e-6."""
import sys
import time

import numpy as np

import common


def rank_faiss(q, db, threads):
    import faiss
    faiss.omp_set_num_threads(threads)
    index = faiss.IndexFlatL2(db.shape[1])
    index.add(db)
    _, order = index.search(q, db.shape[0])
    return order


def rank_torch(q, db, threads):
    import torch
    torch.set_num_threads(threads)
    dist = torch.cdist(torch.from_numpy(q), torch.from_numpy(db))
    return torch.argsort(dist, dim=1).numpy()


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("faiss", "torch"):
        raise SystemExit("usage: retrieval.py faiss|torch THREADS WORK")
    peer, threads, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    ref = common.dsml_result(work)
    q, db = common.load(work, "queries.npy"), common.load(work, "database.npy")
    ql, dl = common.load(work, "query_labels.npy"), common.load(work, "database_labels.npy")
    if peer == "torch":
        import torch  # noqa: F401  (imported before the baseline, like faiss below)
    else:
        import faiss  # noqa: F401
    inputs = common.rss_mib()
    start = time.perf_counter()
    order = (rank_faiss if peer == "faiss" else rank_torch)(q, db, threads)
    ranked = time.perf_counter()
    metrics = common.Metrics(ref["recall_k"], 0, ref["f1_at"])
    for at in range(0, len(q), 100):
        metrics.add(order[at:at + 100], ql[at:at + 100], dl)
    elapsed = time.perf_counter() - start
    ours = metrics.result()
    diff, agree = common.compare_metrics(ours, ref)
    common.report({"bench": "eval", "peer": peer, "threads": threads, "queries": len(q), "database": len(db),
                   "dim": q.shape[1], "seconds": round(elapsed, 4), "rank_seconds": round(ranked - start, 4),
                   "peak_rss_mib": round(common.peak_rss_mib(), 1), "inputs_mib": round(inputs, 1),
                   "max_metric_diff": diff, **ours}, agree, "eval")


if __name__ == "__main__":
    main()
