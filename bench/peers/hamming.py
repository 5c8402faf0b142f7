#!/usr/bin/python3
"""Peers of dsml's Hamming ranking benchmark: numpy (XOR and a bit-trick
popcount on the packed uint64 codes, then a stable sort of the distances) and
faiss IndexBinaryFlat, each ranking the whole database for every query and
scoring its ranking with common.Metrics; every metric must agree with dsml's
to 1e-6. The peers rank the first `check_queries` queries only (1,000 of the
10,000: they are an order of magnitude slower), against dsml's scores of the
same queries; speeds compare as queries per second.

  hamming.py numpy|faiss THREADS WORK

Ties (the rule with Hamming distances) are broken by database index, as dsml
does (docs/metrics.md): numpy's stable sort keeps index order within a
distance; faiss's result is re-sorted by (distance, index), a counting step
included in its time. Queries go in blocks of 500 so that neither peer holds
a 10,000 x 50,000 result at once. NumPy runs these operations on one thread
whatever THREADS says."""
import sys
import time

import numpy as np

import common

BLOCK = 500


def popcount64(x):
    """Bits set in each uint64 of x (x is overwritten): the SWAR bit trick."""
    m1, m2, m4 = np.uint64(0x5555555555555555), np.uint64(0x3333333333333333), np.uint64(0x0F0F0F0F0F0F0F0F)
    x -= (x >> np.uint64(1)) & m1
    x[...] = (x & m2) + ((x >> np.uint64(2)) & m2)
    x += x >> np.uint64(4)
    x &= m4
    x *= np.uint64(0x0101010101010101)
    return (x >> np.uint64(56)).astype(np.uint8)


def rank_numpy(q, db):
    dist = popcount64(q[:, None] ^ db[None, :])
    return np.argsort(dist, axis=1, kind="stable")


def rank_faiss(index, q_bytes, ndb):
    dist, order = index.search(q_bytes, ndb)
    by_index = np.empty_like(dist)
    np.put_along_axis(by_index, order, dist, axis=1)
    return np.argsort(by_index, axis=1, kind="stable")


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("numpy", "faiss"):
        raise SystemExit("usage: hamming.py numpy|faiss THREADS WORK")
    peer, threads, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    ref = common.dsml_result(work)
    nq, bits = ref["check_queries"], ref["bits"]
    codes, labels = common.load(work, "codes.npy")[:, 0].copy(), common.load(work, "labels.npy")
    q, db, ql, dl = codes[:nq], codes[ref["queries"]:], labels[:nq], labels[ref["queries"]:]
    if peer == "faiss":
        import faiss
        faiss.omp_set_num_threads(threads)
        if bits % 8:
            raise SystemExit(f"hamming.py: faiss needs a multiple of 8 bits, got {bits}")
        as_bytes = lambda c: np.ascontiguousarray(c.view(np.uint8).reshape(-1, 8)[:, :bits // 8])
    inputs = common.rss_mib()
    metrics = common.Metrics(ref["recall_k"], ref["map_at"], ref["f1_at"])
    start = time.perf_counter()
    if peer == "faiss":
        index = faiss.IndexBinaryFlat(bits)
        index.use_heap = False  # faiss's counting search, 3-4x faster than its heap when k is the database
        index.add(as_bytes(db))
        qb = as_bytes(q)
    for at in range(0, nq, BLOCK):
        if peer == "numpy":
            order = rank_numpy(q[at:at + BLOCK], db)
        else:
            order = rank_faiss(index, qb[at:at + BLOCK], len(db))
        metrics.add(order, ql[at:at + BLOCK], dl)
    elapsed = time.perf_counter() - start
    ours = metrics.result()
    diff, agree = common.compare_metrics(ours, ref["check"])
    common.report({"bench": "hamming", "peer": peer, "threads": threads, "queries": nq, "database": len(db),
                   "bits": bits, "seconds": round(elapsed, 4), "queries_per_s": round(nq / elapsed, 1),
                   "peak_rss_mib": round(common.peak_rss_mib(), 1),
                   "inputs_mib": round(inputs, 1), "max_metric_diff": diff, **ours}, agree, f"hamming {bits} bits")


if __name__ == "__main__":
    main()
