#!/usr/bin/python3
"""Independent reference values for the related methods' losses (vMF, GPW,
density regulariser) on one fixed batch, written pair by pair in plain
Python (double precision, no dependencies) straight from the formulas of
docs/losses.md. The printed values are pasted into
test_related_match_reference of tests/check_related.c.

Run: /usr/bin/python3 tests/reference/related_losses.py
"""
import math

N, D = 10, 4
LABELS = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]
# Every value a multiple of 1/8, so the C test builds exactly the same floats.
H = [[((i * 37 + k * 17) % 23 - 11) / 8.0 for k in range(D)] for i in range(N)]


def unit(v):
    r = math.sqrt(sum(x * x for x in v))
    return [x / r for x in v]


def cosine(h):
    u = [unit(r) for r in h]
    return [[sum(a * b for a, b in zip(u[i], u[j])) for j in range(N)] for i in range(N)]


# ---------- GPW: stage 1, mining ----------
def mine(s, labels, scheme, eps):
    keep = [[False] * N for _ in range(N)]
    for i in range(N):
        pos = [s[i][j] for j in range(N) if j != i and labels[j] == labels[i]]
        neg = [s[i][j] for j in range(N) if labels[j] != labels[i]]
        for j in range(N):
            if j == i:
                continue
            if scheme == "none":
                keep[i][j] = True
            elif labels[j] == labels[i]:
                keep[i][j] = bool(neg) and s[i][j] < max(neg) + eps
            else:
                keep[i][j] = bool(pos) and s[i][j] > min(pos) - eps
    return keep


# ---------- GPW: stage 2, weighting (the loss of one anchor) ----------
def anchor_loss(s_pos, s_neg, scheme, a, b, lam):
    if scheme == "ms":
        lp = math.log(1 + sum(math.exp(-a * (x - lam)) for x in s_pos)) / a
        ln = math.log(1 + sum(math.exp(b * (x - lam)) for x in s_neg)) / b
        return lp + ln
    if scheme == "contrastive":
        lp = sum(1 - x for x in s_pos) / len(s_pos) if s_pos else 0.0
        ln = sum(max(0.0, x - lam) for x in s_neg) / len(s_neg) if s_neg else 0.0
        return lp + ln
    if scheme == "binomial":
        lp = sum(math.log(1 + math.exp(a * (lam - x))) for x in s_pos) / len(s_pos) if s_pos else 0.0
        ln = sum(math.log(1 + math.exp(b * (x - lam))) for x in s_neg) / len(s_neg) if s_neg else 0.0
        return lp + ln
    if scheme == "lifted":
        if not s_pos or not s_neg:
            return 0.0
        j = math.log(sum(math.exp(lam - x) for x in s_pos)) + math.log(sum(math.exp(x) for x in s_neg))
        return max(0.0, j)
    raise ValueError(scheme)


DEFAULTS = {"ms": (2.0, 50.0, 1.0), "contrastive": (1.0, 1.0, 0.5), "binomial": (2.0, 2.0, 0.5),
            "lifted": (1.0, 1.0, 1.0)}


def gpw(h, labels, mining, weighting, eps=0.1):
    s = cosine(h)
    keep = mine(s, labels, mining, eps)
    a, b, lam = DEFAULTS[weighting]
    total = 0.0
    for i in range(N):
        s_pos = [s[i][j] for j in range(N) if keep[i][j] and labels[j] == labels[i]]
        s_neg = [s[i][j] for j in range(N) if keep[i][j] and labels[j] != labels[i]]
        total += anchor_loss(s_pos, s_neg, weighting, a, b, lam)
    return total / N


# ---------- vMF ----------
MEANS = [[1.0, 0.5, -0.25, 0.0], [-0.5, 1.0, 0.25, -0.75], [0.0, -0.5, 1.0, 0.5]]


def vmf(h, labels, kappa):
    mu = [unit(m) for m in MEANS]
    total = 0.0
    for i in range(N):
        u = unit(h[i])
        z = [kappa * sum(a * b for a, b in zip(m, u)) for m in mu]
        lse = math.log(sum(math.exp(x) for x in z))
        total += lse - z[labels[i]]
    return total / N


# ---------- density regulariser ----------
def var(v):
    m = sum(v) / len(v)
    return sum((x - m) ** 2 for x in v) / len(v)


def dist(kind, hi, hj):
    diff = [b - a for a, b in zip(hi, hj)]
    if kind == "euclidean":
        return math.sqrt(sum(x * x for x in diff) + 1e-12)
    if kind == "sqeuclidean":
        return sum(x * x for x in diff)
    return var(diff) / (var(hi) + 1e-12)


def density(h, labels, kind, weight, ratio):
    gaps = []
    for c in sorted(set(labels)):
        members = [i for i in range(N) if labels[i] == c]
        others = [k for k in range(N) if labels[k] != c]
        intra = [dist(kind, h[i], h[j]) for i in members for j in members if i != j]
        inter = [dist(kind, h[i], h[k]) for i in members for k in others]
        if not intra or not inter:
            continue
        rho, delta = sum(intra) / len(intra), sum(inter) / len(inter)
        gaps.append(max(0.0, ratio - rho / delta))
    return weight * sum(gaps) / len(gaps) if gaps else 0.0


if __name__ == "__main__":
    for mining in ("none", "ms"):
        for weighting in ("ms", "contrastive", "binomial", "lifted"):
            print("gpw %-4s %-11s %.12f" % (mining, weighting, gpw(H, LABELS, mining, weighting)))
    for kappa in (16.0, 4.0):
        print("vmf kappa %-4g %.12f" % (kappa, vmf(H, LABELS, kappa)))
    for kind in ("euclidean", "sqeuclidean", "snr"):
        for ratio in (1.5, 0.5):
            print("density %-11s ratio %-4g %.12f" % (kind, ratio, density(H, LABELS, kind, 0.5, ratio)))
