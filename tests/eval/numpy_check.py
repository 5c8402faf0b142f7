#!/usr/bin/python3
"""`dsml eval` against plain NumPy: writes random .npy files as PyTorch and
NumPy users save them (float32 and float64 embeddings, int64 labels, a bool
multi-label matrix), ranks every query in NumPy (float64 distances; ties by
database index through a stable sort), computes the metrics of
docs/metrics.md independently, and compares each with dsml's output to 1e-6.

  numpy_check.py DSML WORKDIR     exit 0: all agree; 1: a difference (printed)"""
import json
import os
import subprocess
import sys

import numpy as np

TOL = 1e-6


def distances(kind, q, db):
    if kind == "cosine":
        q = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-6)
        db = db / np.maximum(np.linalg.norm(db, axis=1, keepdims=True), 1e-6)
    if kind == "hamming":
        return ((q[:, None, :] >= 0) != (db[None, :, :] >= 0)).sum(axis=2).astype(np.float64)
    if kind == "snr":  # the paper's d_S(q, x) = var(x - q) / var(q)
        return (db[None, :, :] - q[:, None, :]).var(axis=2) / q.var(axis=1)[:, None]
    return ((q[:, None, :] - db[None, :, :]) ** 2).sum(axis=2)


def metrics(kind, q, ql, db, dl, self_excluded, map_at, f1_at):
    dist = distances(kind, q.astype(np.float64), db.astype(np.float64))
    sums = {}
    scored = 0
    ks = [1, 2, 4, 8, 16, 32]
    for i in range(len(q)):
        order = np.argsort(dist[i], kind="stable")
        if self_excluded:
            order = order[order != i]
        if ql.ndim == 1:
            rel = (dl[order] == ql[i]).astype(np.float64)
        else:
            rel = (dl[order] & ql[i]).any(axis=1).astype(np.float64)
        n, r = len(order), rel.sum()
        if r == 0:
            continue
        scored += 1
        hits = np.cumsum(rel)
        prec = hits / np.arange(1, n + 1)
        t = map_at if 0 < map_at < n else n
        tf = min(f1_at, n)
        p_t, r_t = hits[tf - 1] / tf, hits[tf - 1] / r
        rr = int(r)
        one = {"map": (prec * rel).sum() / r,
               "map@t": (prec[:t] * rel[:t]).sum() / hits[t - 1] if hits[t - 1] else 0.0,
               "f1@t": 2 * p_t * r_t / (p_t + r_t) if p_t + r_t else 0.0,
               "map@r": (prec[:rr] * rel[:rr]).sum() / r, "r_precision": hits[rr - 1] / r}
        for k in ks:
            one[f"recall@{k}"] = float(rel[:min(k, n)].any())
        for k in (100, 500, 1000):
            kk = min(k, n)  # the key names the cut-off against the database (with the query itself)
            one[f"precision@{min(k, len(db))}"] = hits[kk - 1] / kk
        for key, v in one.items():
            sums[key] = sums.get(key, 0.0) + v
    return {k: v / scored for k, v in sums.items()}


def compare(name, ours, ref):
    bad = 0
    for key, want in ref.items():
        got = ours.get(key)
        if got is None or abs(got - want) > TOL:
            print(f"FAIL: {name}: {key}: dsml {got}, numpy {want}")
            bad += 1
    return bad


def main():
    dsml, work = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(11)
    p = lambda name: os.path.join(work, name)
    nq, ndb, d, labels = 70, 600, 12, 20
    centers = rng.standard_normal((5, d))
    qc, dc = rng.integers(0, 5, nq), rng.integers(0, 5, ndb)
    q = (centers[qc] + rng.standard_normal((nq, d))).astype(np.float32)
    db = centers[dc] + rng.standard_normal((ndb, d))          # float64, narrowed to float32 by dsml
    np.save(p("q.npy"), q)
    np.save(p("db.npy"), db)
    np.save(p("ql.npy"), qc.astype(np.int64))
    np.save(p("dl.npy"), dc.astype(np.int64))
    qm, dm = rng.random((nq, labels)) < 0.1, rng.random((ndb, labels)) < 0.1
    np.save(p("qm.npy"), qm)
    np.save(p("dm.npy"), dm)
    dbf = db.astype(np.float32)                                # what dsml ranks
    rankings = ["euclidean", "cosine", "snr", "hamming"]
    cases = [
        ("database", ["--query", p("q.npy"), "--query-labels", p("ql.npy"), "--database", p("db.npy"),
                      "--database-labels", p("dl.npy")], q, qc, dbf, dc, False),
        ("leave-one-out", ["--query", p("db.npy"), "--query-labels", p("dl.npy")], dbf, dc, dbf, dc, True),
        ("multi-label", ["--query", p("q.npy"), "--query-labels", p("qm.npy"), "--database", p("db.npy"),
                         "--database-labels", p("dm.npy")], q, qm, dbf, dm, False),
    ]
    bad = 0
    for name, args, cq, cql, cdb, cdl, self_excluded in cases:
        for map_at, f1_at in ((0, 5000), (50, 30)):
            cmd = [dsml, "eval", *args, "--ranking", ",".join(rankings), "--map-at", str(map_at), "--f1-at",
                   str(f1_at), "--threads", "2"]
            out = subprocess.run(cmd, capture_output=True, text=True)
            if out.returncode:
                print(f"FAIL: {' '.join(cmd)}: exit {out.returncode}: {out.stderr}")
                return 1
            got = json.loads(out.stdout)
            for kind in rankings:
                ref = metrics(kind, cq, cql, cdb, cdl, self_excluded, map_at, f1_at)
                bad += compare(f"{name} {kind} map_at={map_at} f1_at={f1_at}", got[kind], ref)
    print(f"numpy_check: {len(cases) * 2 * len(rankings)} rankings compared with NumPy, {bad} difference(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
