#!/usr/bin/python3
"""PyTorch peer of dsml's convnet benchmark: the same network, batch and losses,
timed the same way (random input, forward + loss + backward + SGD step).

  torch_convnet.py train THREADS LOSS DISTANCE [ITERS]
  torch_convnet.py embed THREADS [N]

Prints one JSON object per line, like bench_dsml. The losses follow
pytorch-metric-learning's formulation (contrastive: pos margin 0, neg margin 1,
mean over non-zero terms; triplet: all triplets of the batch, mean over
non-zero), with its SNRDistance (an N x N x D tensor) for the SNR variant."""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


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


def distances(h, distance):
    if distance == "snr":
        # pytorch-metric-learning's SNRDistance: var(h_j - h_i) / var(h_i), through an N x N x D tensor
        return torch.var(h.unsqueeze(0) - h.unsqueeze(1), dim=2) / torch.var(h, dim=1).unsqueeze(1)
    return torch.cdist(h, h)


def mean_nonzero(x):
    nz = x > 0
    return x[nz].mean() if nz.any() else x.sum() * 0


def loss_fn(h, labels, loss, distance):
    d = distances(h, distance)
    same = labels.unsqueeze(0) == labels.unsqueeze(1)
    eye = torch.eye(len(labels), dtype=torch.bool)
    pos, neg = same & ~eye, ~same
    if loss == "contrastive":
        margin = 1.0
        return mean_nonzero(d[pos]) + mean_nonzero(F.relu(margin - d[neg]))
    if loss == "triplet":
        margin = 0.1 if distance != "snr" else 0.1
        t = d.unsqueeze(2) - d.unsqueeze(1) + margin  # anchor a, positive p, negative n
        valid = pos.unsqueeze(2) & neg.unsqueeze(1)
        return mean_nonzero(F.relu(t[valid]))
    raise SystemExit("unknown loss " + loss)


def bench_train(threads, loss, distance, iters):
    torch.manual_seed(1)
    model = ConvNet()
    opt = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(100, 1, 28, 28)
    labels = torch.arange(100) // 10
    start = 0.0
    for it in range(-3, iters):
        if it == 0:
            start = time.perf_counter()
        opt.zero_grad()
        value = loss_fn(model(x), labels, loss, distance)
        value.backward()
        opt.step()
    elapsed = time.perf_counter() - start
    print(json.dumps({"bench": "train", "peer": "torch", "threads": threads, "loss": loss,
                      "distance": distance, "batch": 100, "dim": 32,
                      "images_per_s": round(iters * 100 / elapsed, 1)}))


def bench_embed(threads, n):
    torch.manual_seed(1)
    model = ConvNet().eval()
    x = torch.randn(100, 1, 28, 28)
    with torch.no_grad():
        model(x)
        start = time.perf_counter()
        for done in range(0, n, 100):
            model(x[: min(100, n - done)])
        elapsed = time.perf_counter() - start
    print(json.dumps({"bench": "embed", "peer": "torch", "threads": threads, "images": n,
                      "seconds": round(elapsed, 3), "images_per_s": round(n / elapsed, 1)}))


def main():
    what, threads = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(threads)
    if what == "train":
        bench_train(threads, sys.argv[3], sys.argv[4], int(sys.argv[5]) if len(sys.argv) > 5 else 50)
    elif what == "embed":
        bench_embed(threads, int(sys.argv[3]) if len(sys.argv) > 3 else 70000)
    else:
        raise SystemExit("usage: torch_convnet.py train|embed THREADS ...")


if __name__ == "__main__":
    main()
