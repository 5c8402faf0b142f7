#!/usr/bin/python3
"""PyTorch peer of dsml's convnet benchmarks: the same network, the same
parameters (read from dsml's params.npy), the same Fashion-MNIST batches and
the same losses, timed the same way.

  torch_convnet.py train THREADS LOSS DISTANCE ITERS WORK
  torch_convnet.py embed THREADS N WORK

train: repeats dsml's first three SGD steps from the same parameters and
checks the embeddings of the first batch and the three losses against dsml's
(agreement), then times ITERS steps (forward, loss, backward, SGD step).
embed: embeds the first N Fashion-MNIST images (train then test, read from the
IDX files here) and checks every embedding against dsml's.
Prints one JSON line like bench_dsml.

The losses are pytorch-metric-learning's formulation written in plain torch
(the package is not in Debian), with the margins and regulariser weight that
dsml used (from its JSON line):
  contrastive: ContrastiveLoss(pos_margin=0, neg_margin=margin) with
    AvgNonZeroReducer; with SNR, SignalToNoiseRatioContrastiveLoss.
  triplet: TripletMarginLoss(margin, triplets_per_anchor="all") with
    AvgNonZeroReducer.
  distances: LpDistance(normalize_embeddings=False, p=2) and SNRDistance
    (which builds the N x N x D tensor of differences).
  SNR variants add ZeroMeanRegularizer (mean over rows of |sum of the row|)
    with embedding_reg_weight = lambda."""
import gzip
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import common


class ConvNet(nn.Module):
    def __init__(self, channels=1, size=28, dim=32):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 32, 5, padding=2)
        self.conv2 = nn.Conv2d(32, 64, 5, padding=2)
        self.fc1 = nn.Linear(64 * (size // 4) ** 2, 256)
        self.fc2 = nn.Linear(256, dim)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc2(x)


def load_dsml_params(model, flat):
    """dsml's parameter block (src/nn/model.h): conv weights k x k x C x F
    (HWIO) then bias; fc1's inputs ordered (y, x, channel); linear weights
    O x I as torch's."""
    at = 0

    def take(count):
        nonlocal at
        at += count
        return flat[at - count:at]

    with torch.no_grad():
        for conv in (model.conv1, model.conv2):
            f, c, k, _ = conv.weight.shape
            conv.weight.copy_(torch.from_numpy(take(k * k * c * f).reshape(k, k, c, f).transpose(3, 2, 0, 1).copy()))
            conv.bias.copy_(torch.from_numpy(take(f)))
        o, i = model.fc1.weight.shape
        side = int(round((i // 64) ** 0.5))
        w = take(o * i).reshape(o, side, side, 64).transpose(0, 3, 1, 2).reshape(o, i)
        model.fc1.weight.copy_(torch.from_numpy(w.copy()))
        model.fc1.bias.copy_(torch.from_numpy(take(o)))
        o, i = model.fc2.weight.shape
        model.fc2.weight.copy_(torch.from_numpy(take(o * i).reshape(o, i)))
        model.fc2.bias.copy_(torch.from_numpy(take(o)))
    if at != len(flat):
        raise SystemExit(f"params.npy: {len(flat)} values, the convnet has {at}")


def snr_distance(h):
    # SNRDistance.compute_mat: var of every pairwise difference (N x N x D) over the anchor's variance
    return torch.var(h.unsqueeze(1) - h.unsqueeze(0), dim=2) / torch.var(h, dim=1).unsqueeze(1)


def lp_distance(h):
    # LpDistance(normalize_embeddings=False, p=2, power=1)
    return torch.cdist(h, h)


def avg_non_zero(x):
    # AvgNonZeroReducer: the mean over the entries that are > 0, 0 when there is none
    nz = x > 0
    return x[nz].mean() if nz.any() else x.sum() * 0


def loss_fn(h, labels, loss, distance, margin, lam):
    d = snr_distance(h) if distance == "snr" else lp_distance(h)
    same = labels.unsqueeze(0) == labels.unsqueeze(1)
    eye = torch.eye(len(labels), dtype=torch.bool)
    pos, neg = same & ~eye, ~same
    if loss == "contrastive":
        value = avg_non_zero(F.relu(d[pos] - 0.0)) + avg_non_zero(F.relu(margin - d[neg]))
    elif loss == "triplet":
        t = d.unsqueeze(2) - d.unsqueeze(1) + margin  # [a, p, n] = d(a, p) - d(a, n) + margin
        value = avg_non_zero(F.relu(t[pos.unsqueeze(2) & neg.unsqueeze(1)]))
    else:
        raise SystemExit("torch_convnet.py: unknown loss " + loss)
    if lam > 0:
        value = value + lam * torch.abs(h.sum(dim=1)).mean()
    return value


def sgd_step(model, opt, x, labels, loss, distance, ref):
    """One training step on a batch with the margin and lambda of dsml's JSON
    line `ref`: the embeddings (detached) and the loss."""
    opt.zero_grad()
    h = model(x)
    value = loss_fn(h, labels, loss, distance, ref["margin"], ref["lambda"])
    value.backward()
    opt.step()
    return h.detach(), float(value)


def bench_train(threads, loss, distance, iters, work):
    ref = common.dsml_result(work)
    model = ConvNet()
    load_dsml_params(model, common.load(work, "params.npy"))
    x = torch.from_numpy(common.load(work, "x.npy")).reshape(-1, 1, 28, 28)
    labels = torch.from_numpy(common.load(work, "labels.npy")).long()
    batch, batches = 100, x.shape[0] // 100
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)

    def step(b):
        xb, lb = x[b * batch:(b + 1) * batch], labels[b * batch:(b + 1) * batch]
        return sgd_step(model, opt, xb, lb, loss, distance, ref)

    # Agreement: dsml's first three steps (also the warm-up).
    h0, losses = None, []
    for b in range(3):
        h, value = step(b)
        h0 = h if b == 0 else h0
        losses.append(value)
    dh0 = common.load(work, "h0.npy")
    h_diff = float(np.abs(h0.numpy() - dh0).max() / max(np.abs(dh0).max(), 1e-12))
    dl = common.load(work, "losses.npy").astype(np.float64)
    loss_diff = float(np.max(np.abs(np.array(losses) - dl) / np.maximum(np.abs(dl), 1e-3)))
    agree = h_diff <= 1e-4 and loss_diff <= 1e-3
    start = time.perf_counter()
    for it in range(iters):
        step((it + 3) % batches)
    elapsed = time.perf_counter() - start
    common.report({"bench": "train", "peer": "torch", "threads": threads, "loss": loss, "distance": distance,
                   "batch": batch, "iters": iters, "images_per_s": round(iters * batch / elapsed, 1),
                   "losses": losses, "embedding_rel_diff": h_diff, "loss_rel_diff": loss_diff,
                   "peak_rss_mib": round(common.peak_rss_mib(), 1)}, agree, f"train {loss} {distance}")


def fashion_mnist_idx(kind):
    """The training then test IDX file of `kind` ("images" or "labels"), as
    one array: images n x 784 (uint8), labels n. Reads the .gz file where it
    exists (Debian's package), else the plain one."""
    root = os.environ.get("DSML_FASHION_MNIST") or "/usr/share/datasets/fashion-mnist"
    suffix, header = ("idx3-ubyte", 16) if kind == "images" else ("idx1-ubyte", 8)
    parts = []
    for part in ("train", "t10k"):
        path = os.path.join(root, f"{part}-{kind}-{suffix}")
        path = path + ".gz" if os.path.exists(path + ".gz") else path
        with (gzip.open(path) if path.endswith(".gz") else open(path, "rb")) as f:
            data = f.read()
        values = np.frombuffer(data, np.uint8, offset=header)
        parts.append(values.reshape(-1, 28 * 28) if kind == "images" else values)
    return np.concatenate(parts)


def fashion_mnist_pixels():
    return fashion_mnist_idx("images")


def bench_embed(threads, n, work):
    model = ConvNet().eval()
    load_dsml_params(model, common.load(work, "params.npy"))
    scale, shift = (np.float32(v) for v in common.load(work, "norm.npy"))
    pixels = torch.from_numpy(fashion_mnist_pixels()[:n])
    out = torch.empty(n, 32)

    def embed(count):
        for at in range(0, count, 100):
            xb = pixels[at:at + 100].float().mul_(float(scale)).add_(float(shift))
            out[at:at + len(xb)] = model(xb.reshape(-1, 1, 28, 28))

    with torch.no_grad():
        embed(min(n, 100))  # warm-up
        start = time.perf_counter()
        embed(n)
        elapsed = time.perf_counter() - start
    ref = common.load(work, "embeddings.npy")
    diff = float(np.abs(out.numpy() - ref).max() / max(np.abs(ref).max(), 1e-12))
    common.report({"bench": "embed", "peer": "torch", "threads": threads, "images": n,
                   "seconds": round(elapsed, 3), "images_per_s": round(n / elapsed, 1), "rel_diff": diff,
                   "peak_rss_mib": round(common.peak_rss_mib(), 1)}, diff <= 1e-4, "embed")


def main():
    if len(sys.argv) < 4:
        raise SystemExit("usage: torch_convnet.py train THREADS LOSS DISTANCE ITERS WORK | embed THREADS N WORK")
    what, threads = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(threads)
    if what == "train" and len(sys.argv) == 7:
        bench_train(threads, sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6])
    elif what == "embed" and len(sys.argv) == 5:
        bench_embed(threads, int(sys.argv[3]), sys.argv[4])
    else:
        raise SystemExit("usage: torch_convnet.py train THREADS LOSS DISTANCE ITERS WORK | embed THREADS N WORK")


if __name__ == "__main__":
    main()
