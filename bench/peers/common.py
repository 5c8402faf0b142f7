"""Helpers shared by the peer scripts: reading what bench_dsml wrote into the
work directory (.npy inputs and its JSON line, dsml.json), peak memory, the
retrieval metrics computed from a ranking exactly as docs/metrics.md defines
them, and the agreement check that every peer runs before it reports a time."""
import json
import os
import resource
import sys

import numpy as np


def load(work, name):
    return np.load(os.path.join(work, name))


def dsml_result(work):
    """The JSON line bench_dsml printed for the same job (run.sh saves it)."""
    with open(os.path.join(work, "dsml.json")) as f:
        return json.loads(f.read())


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return -1.0


class Metrics:
    """Sums of the per-query retrieval metrics over blocks of ranked queries.

    add() takes one block's rankings (rows of database indices, best first, the
    whole database) and the queries' labels; ties must already be ordered as
    dsml orders them (by database index) for the scores to be comparable."""

    def __init__(self, recall_k, map_at, f1_at):
        self.recall_k, self.map_at, self.f1_at = list(recall_k), map_at, f1_at
        self.sums = {"recall": np.zeros(len(self.recall_k)), "map": 0.0, "map_at_t": 0.0,
                     "map_at_r": 0.0, "precision_at_t": 0.0, "f1_at_t": 0.0}
        self.scored = 0

    def add(self, order, query_labels, database_labels):
        rel = database_labels[order] == query_labels[:, None]           # block x n
        n = rel.shape[1]
        rel = rel[rel.any(axis=1)]                                       # queries with R = 0 are left out
        if not len(rel):
            return
        # Work on the relevant items only: row, rank - 1, and i = their count so far - 1.
        rows, cols = np.nonzero(rel)
        r = np.bincount(rows, minlength=len(rel))
        first = np.cumsum(r) - r
        i = np.arange(len(rows)) - first[rows]
        prec = (i + 1) / (cols + 1.0)                                    # P(rank) at each relevant rank
        per_row = lambda w: np.bincount(rows, weights=w, minlength=len(rel))
        s = self.sums
        for k_i, k in enumerate(self.recall_k):
            s["recall"][k_i] += (cols[first] < k).sum()
        s["map"] += (per_row(prec) / r).sum()
        t = n if self.map_at <= 0 or self.map_at >= n else self.map_at
        inside = cols < t
        got = per_row(inside.astype(np.float64))
        s["map_at_t"] += np.where(got > 0, per_row(prec * inside) / np.maximum(got, 1), 0.0).sum()
        s["map_at_r"] += (per_row(prec * (cols < r[rows])) / r).sum()
        t = n if self.f1_at <= 0 or self.f1_at >= n else self.f1_at
        got = per_row((cols < t).astype(np.float64))
        p, rc = got / t, got / r
        s["precision_at_t"] += p.sum()
        s["f1_at_t"] += np.where(p + rc > 0, 2 * p * rc / np.maximum(p + rc, 1e-300), 0.0).sum()
        self.scored += len(rel)

    def result(self):
        m = max(self.scored, 1)
        out = {k: (v / m).tolist() for k, v in self.sums.items()}
        return out


def compare_metrics(ours, ref, tol=1e-6):
    """Largest absolute difference over the metrics both results carry."""
    diff = 0.0
    for key in ("recall", "map", "map_at_t", "map_at_r", "precision_at_t", "f1_at_t"):
        a, b = np.atleast_1d(ours[key]), np.atleast_1d(ref[key])
        diff = max(diff, float(np.max(np.abs(a - b))))
    return diff, diff <= tol


def report(result, agree, what):
    """Prints the peer's JSON line; on disagreement also a line on stderr and
    exit status 3, so that run.sh flags it (after the line is recorded)."""
    result["agree"] = bool(agree)
    print(json.dumps(result), flush=True)
    if not agree:
        print(f"peer {result.get('peer')}: {what}: DISAGREES with dsml: {result}", file=sys.stderr)
        sys.exit(3)
