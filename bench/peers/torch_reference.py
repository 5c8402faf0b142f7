#!/usr/bin/python3
"""PyTorch peer of dsml's accuracy at the reference setting: the same
protocol, trained and evaluated independently in plain torch, so that a
number of dsml's can be set beside what PyTorch reaches with the same loss,
distance and hyper-parameters.

  torch_reference.py train [dsml train options] --out FILE

takes the options of a `dsml train` line as `dsml sweep list` prints them
(reference.sweep), so both sides read the same settings, and appends one JSON
line to FILE. Only the convnet on Fashion-MNIST's DML protocol is supported.

Independent of dsml on purpose: its own split (per class `queries-per-class`
random queries, the rest the database, `train-per-class` of the database for
training, drawn with numpy's generator from the seed), PyTorch's default
initialisation under torch.manual_seed(seed), batches of P classes x K images
(each class's training images in a fresh random order every epoch), inputs
scaled by the training set's mean and standard deviation. What is shared is
the protocol and the formulas of docs/losses.md: contrastive and triplet
(pytorch-metric-learning's, with AvgNonZeroReducer, as torch_convnet.py),
smooth lifted structured (eq. 10 with beta, hinge not squared, mean over
ordered positive pairs / 2), N-pair (eq. 12; inner product or SNR^2 similarity
clamped at an SNR distance of 1e-2, Sohn's L2 penalty), the zero-mean
regulariser, clip_grad_norm_ before the SGD step. Retrieval metrics are
common.Metrics over the full Euclidean ranking of the database (ties by
database index, as dsml)."""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

import common
from torch_convnet import ConvNet, avg_non_zero, fashion_mnist_idx, lp_distance, snr_distance

NPAIR_MIN_SNR_DIST = 1e-2


def split(labels, seed, queries_per_class, train_per_class):
    rng = np.random.default_rng(seed)
    query, database, train = [], [], []
    for c in np.unique(labels):
        idx = rng.permutation(np.nonzero(labels == c)[0])
        query.append(idx[:queries_per_class])
        database.append(idx[queries_per_class:])
        train.append(idx[queries_per_class:queries_per_class + train_per_class])
    return np.sort(np.concatenate(query)), np.sort(np.concatenate(database)), np.concatenate(train)


def lifted(d, same, alpha, beta):
    n = len(same)
    pos = same & ~torch.eye(n, dtype=torch.bool)
    neg_terms = torch.where(~same, alpha - beta * d, torch.full_like(d, -float("inf")))
    row = torch.logsumexp(neg_terms, dim=1)                    # per anchor, over its negatives
    j = torch.logaddexp(row.unsqueeze(1), row.unsqueeze(0)) + beta * d
    return F.relu(j[pos]).sum() / (2 * pos.sum())


def npair(h, labels, distance, l2):
    first = {}
    anchors, positives = [], []
    for i, c in enumerate(labels.tolist()):
        if c in first:
            anchors.append(first[c])
            positives.append(i)
        else:
            first[c] = i
    a, p = h[anchors], h[positives]
    if distance == "snr":
        ac, pc = a - a.mean(1, keepdim=True), p - p.mean(1, keepdim=True)
        diff = pc.unsqueeze(0) - ac.unsqueeze(1)                 # [i, j] = p_j - a_i
        d = diff.pow(2).mean(2) / ac.pow(2).mean(1, keepdim=True)
        s = 1.0 / torch.clamp(d, min=NPAIR_MIN_SNR_DIST) ** 2
    else:
        s = a @ p.t()
    x = s - s.diagonal().unsqueeze(1)                            # diagonal 0: the "1 +" of eq. 12
    value = torch.logsumexp(x, dim=1).mean()
    if l2 > 0:
        value = value + l2 * 0.25 * (a.pow(2).sum(1).mean() + p.pow(2).sum(1).mean())
    return value


def loss_value(h, labels, o):
    same = labels.unsqueeze(0) == labels.unsqueeze(1)
    if o.loss == "npair":
        value = npair(h, labels, o.distance, o.npair_l2)
    else:
        d = snr_distance(h) if o.distance == "snr" else lp_distance(h)
        eye = torch.eye(len(labels), dtype=torch.bool)
        if o.loss == "contrastive":
            value = avg_non_zero(d[same & ~eye]) + avg_non_zero(F.relu(o.margin - d[~same]))
        elif o.loss == "triplet":
            t = d.unsqueeze(2) - d.unsqueeze(1) + o.margin
            value = avg_non_zero(F.relu(t[(same & ~eye).unsqueeze(2) & (~same).unsqueeze(1)]))
        elif o.loss == "lifted":
            value = lifted(d, same, o.margin, o.beta)
        else:
            raise SystemExit("torch_reference.py: unknown loss " + o.loss)
    if o.reg_lambda > 0:
        value = value + o.reg_lambda * torch.abs(h.sum(dim=1)).mean()
    return value


def epoch_batches(rng, train, labels, classes, per_class):
    """One epoch of P x K batches (as many as the training set holds): P
    classes drawn without replacement, the next K images of each from a
    per-class random order, reshuffled when it runs out."""
    pools = {c: rng.permutation(train[labels[train] == c]) for c in np.unique(labels[train])}
    at = dict.fromkeys(pools, 0)
    for _ in range(len(train) // (classes * per_class)):
        rows = []
        for c in rng.choice(sorted(pools), classes, replace=False):
            if at[c] + per_class > len(pools[c]):
                pools[c], at[c] = rng.permutation(pools[c]), 0
            rows.append(pools[c][at[c]:at[c] + per_class])
            at[c] += per_class
        yield np.concatenate(rows)


KEY = ("loss", "distance", "seed", "dim", "epochs", "batch", "images_per_class", "lr", "momentum", "wd",
       "margin", "beta", "reg_lambda", "npair_l2", "clip_grad")


def run_key(d):
    """What identifies a run: its options, floats to 6 significant digits."""
    return tuple(float(f"{d[k]:.6g}") if isinstance(d[k], float) else d[k] for k in KEY)


def append_line(path, line):
    """Appends one line by writing the whole file anew and renaming it over
    the old one, so that a killed run never leaves half a line behind."""
    old = open(path).read() if os.path.exists(path) else ""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(old + line + "\n")
    os.replace(tmp, path)


def options(argv):
    p = argparse.ArgumentParser(prog="torch_reference.py train")
    for name, kind, default in (("dataset", str, "fashion-mnist"), ("model", str, "convnet"),
                                ("loss", str, None), ("distance", str, None), ("dim", int, 32),
                                ("seed", int, 1), ("epochs", int, 10), ("batch", int, 100),
                                ("images-per-class", int, 10), ("lr", float, 0.01), ("momentum", float, 0.9),
                                ("wd", float, 5e-4), ("margin", float, 1.0), ("beta", float, 1.0),
                                ("lambda", float, 0.0), ("npair-l2", float, 0.0), ("clip-grad", float, 0.0),
                                ("queries-per-class", int, 100), ("train-per-class", int, 500),
                                ("threads", int, 2), ("out", str, None)):
        p.add_argument("--" + name, type=kind, default=default, required=default is None,
                       dest=name.replace("-", "_").replace("lambda", "reg_lambda"))
    o = p.parse_args(argv)
    if o.dataset != "fashion-mnist" or o.model != "convnet":
        raise SystemExit("torch_reference.py: only --dataset fashion-mnist --model convnet")
    return o


def main():
    if len(sys.argv) < 2 or sys.argv[1] != "train":
        raise SystemExit("usage: torch_reference.py train [dsml train options] --out FILE")
    o = options(sys.argv[2:])
    key = run_key(vars(o))
    if os.path.exists(o.out):
        with open(o.out) as f:
            if any(run_key(json.loads(line)) == key for line in f if line.strip()):
                print(f"torch_reference.py: {o.loss} {o.distance} seed {o.seed}: already in {o.out}")
                return
    torch.set_num_threads(o.threads)
    torch.manual_seed(o.seed)
    pixels, labels = fashion_mnist_idx("images"), fashion_mnist_idx("labels").astype(np.int64)
    query, database, train = split(labels, o.seed, o.queries_per_class, o.train_per_class)
    mean, std = pixels[train].mean() / 255.0, pixels[train].std() / 255.0
    images = torch.from_numpy(pixels).float().div_(255.0).sub_(mean).div_(std).reshape(-1, 1, 28, 28)
    label_t = torch.from_numpy(labels)

    model = ConvNet(dim=o.dim)
    opt = torch.optim.SGD(model.parameters(), lr=o.lr, momentum=o.momentum, weight_decay=o.wd)
    rng = np.random.default_rng([o.seed, 1])
    start, seen, last = time.perf_counter(), 0, float("nan")
    for _ in range(o.epochs):
        for rows in epoch_batches(rng, train, labels, o.batch // o.images_per_class, o.images_per_class):
            idx = torch.from_numpy(rows)
            opt.zero_grad()
            value = loss_value(model(images[idx]), label_t[idx], o)
            if not torch.isfinite(value):
                raise SystemExit(f"torch_reference.py: the loss became {value.item()} ({o.loss} {o.distance})")
            value.backward()
            if o.clip_grad > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), o.clip_grad)
            opt.step()
            seen, last = seen + len(rows), float(value)
    train_s = time.perf_counter() - start

    with torch.no_grad():
        emb = torch.cat([model(images[at:at + 1000]) for at in range(0, len(images), 1000)])
    q, db = emb[query], emb[database]
    metrics = common.Metrics([1, 2, 4, 8], 0, 5000)
    for at in range(0, len(query), 100):
        dist = torch.cdist(q[at:at + 100], db)
        order = torch.sort(dist, dim=1, stable=True).indices.numpy()   # ties by database index
        metrics.add(order, labels[query[at:at + 100]], labels[database])
    m = metrics.result()
    result = {"peer": "torch", **{k: getattr(o, k) for k in KEY}, "final_loss": last,
              "train_seconds": round(train_s, 2), "images_per_s": round(seen / train_s, 1),
              "recall@1": m["recall"][0], "map": m["map"], "map@r": m["map_at_r"], "f1@5000": m["f1_at_t"]}
    append_line(o.out, json.dumps(result))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
