#!/usr/bin/env python3
"""Independent reference for src/metric: every loss x distance of docs/losses.md
written naively (one pair at a time) in PyTorch float64 with autograd, on the
fixed batch that tests/check_pair_losses.c (test_losses_match_torch_reference)
builds the same way. Prints one C initialiser line per case:

  {loss, distance, variant, value, dL/dh[0][0], dL/dh[3][1], dL/dh[6][4], dL/dh[7][2]},

Run: /usr/bin/python3 tests/reference/losses_torch.py
"""
import math

import torch

torch.set_default_dtype(torch.float64)
D = 5
SQRT_EPS, VAR_EPS, NPAIR_MIN = 1e-12, 1e-12, 1e-2
LAMBDA = 0.05
MARGIN = {"contrastive": {"euclidean": 3.0, "sqeuclidean": 8.0, "snr": 2.0},
          "triplet": {"euclidean": 3.0, "sqeuclidean": 8.0, "snr": 0.5},
          "lifted": {"euclidean": 3.0, "sqeuclidean": 8.0, "snr": 1.0}}


def batch(n):
    # float32 values, exactly as the C test computes them: (float)sin(...)
    rows = [[float(torch.tensor(math.sin(0.37 * (i + 1) * (k + 1)) + 0.3 * math.cos(1.7 * i),
                                dtype=torch.float32)) for k in range(D)] for i in range(n)]
    return torch.tensor(rows, requires_grad=True)


def var(x):
    return ((x - x.mean()) ** 2).mean()


def dist(kind, hi, hj):
    if kind == "euclidean":
        return torch.sqrt(((hi - hj) ** 2).sum() + SQRT_EPS)
    if kind == "sqeuclidean":
        return ((hi - hj) ** 2).sum()
    return var(hj - hi) / (var(hi) + VAR_EPS)  # anchor first


def mean_nonzero(terms):
    active = [t for t in terms if t.item() > 0]
    return sum(active) / len(active) if active else torch.zeros(())


def contrastive(h, y, kind, alpha):
    n = len(y)
    pos = [dist(kind, h[i], h[j]) for i in range(n) for j in range(n) if i != j and y[i] == y[j]]
    neg = [torch.relu(alpha - dist(kind, h[i], h[j])) for i in range(n) for j in range(n) if y[i] != y[j]]
    return mean_nonzero(pos) + mean_nonzero(neg)


def triplet(h, y, kind, alpha):
    n = len(y)
    terms = [torch.relu(dist(kind, h[a], h[p]) - dist(kind, h[a], h[q]) + alpha)
             for a in range(n) for p in range(n) for q in range(n)
             if a != p and y[a] == y[p] and y[q] != y[a]]
    return mean_nonzero(terms)


def lifted(h, y, kind, alpha, beta, hard):
    n = len(y)
    total, pairs = torch.zeros(()), 0
    for i in range(n):
        for j in range(n):
            if i == j or y[i] != y[j]:
                continue
            pairs += 1
            negs = [alpha - beta * dist(kind, h[i], h[k]) for k in range(n) if y[k] != y[i]]
            negs += [alpha - beta * dist(kind, h[j], h[k]) for k in range(n) if y[k] != y[j]]
            negs = torch.stack(negs)
            m = negs.max() if hard else torch.logsumexp(negs, 0)
            total = total + torch.relu(m + beta * dist(kind, h[i], h[j]))
    return total / (2 * pairs)


def npair(h, y, kind, l2):
    anchors, positives = [], []
    for i, c in enumerate(y):
        if c not in y[:i]:
            anchors.append(i)
            positives.append(y.index(c, i + 1))
    N = len(anchors)

    def sim(i, j):
        a, p = h[anchors[i]], h[positives[j]]
        if kind == "euclidean":
            return (a * p).sum()
        if kind == "sqeuclidean":
            return -((a - p) ** 2).sum()
        return 1.0 / torch.clamp(dist("snr", a, p), min=NPAIR_MIN) ** 2

    total = torch.zeros(())
    for i in range(N):
        x = torch.stack([torch.zeros(())] + [sim(i, j) - sim(i, i) for j in range(N) if j != i])
        total = total + torch.logsumexp(x, 0)
    total = total / N
    if l2 > 0:
        sq = (h ** 2).sum(1)
        total = total + l2 * 0.25 * (sq[anchors].mean() + sq[positives].mean())
    return total


def main():
    group = [(i * 5) % 4 for i in range(12)]
    pairs = [4, 4, 1, 1, 9, 9, 2, 2]
    cases = []
    for kind in ("euclidean", "sqeuclidean", "snr"):
        cases.append(("CONTRASTIVE", kind, 0, lambda h, k=kind: contrastive(h, group, k, MARGIN["contrastive"][k])))
        cases.append(("TRIPLET", kind, 0, lambda h, k=kind: triplet(h, group, k, MARGIN["triplet"][k])))
        cases.append(("LIFTED", kind, 0, lambda h, k=kind: lifted(h, group, k, MARGIN["lifted"][k], 1.0, False)))
        cases.append(("LIFTED", kind, 1, lambda h, k=kind: lifted(h, group, k, MARGIN["lifted"][k], 1.0, True)))
        cases.append(("NPAIR", kind, 0, lambda h, k=kind: npair(h, pairs, k, 0.0)))
        cases.append(("NPAIR", kind, 1, lambda h, k=kind: npair(h, pairs, k, 0.1)))
    for loss, kind, variant, f in cases:
        h = batch(8 if loss == "NPAIR" else 12)
        value = f(h) + LAMBDA * h.sum(1).abs().mean()
        value.backward()
        g = h.grad
        print("    {DSML_LOSS_%s, DSML_DIST_%s, %d, %.12g, %.9g, %.9g, %.9g, %.9g}," %
              (loss, kind.upper(), variant, value.item(), g[0, 0], g[3, 1], g[6, 4], g[7, 2]))


if __name__ == "__main__":
    main()
