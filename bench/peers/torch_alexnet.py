#!/usr/bin/python3
"""PyTorch peer of dsml's AlexNet benchmarks: torchvision's AlexNet with
classifier[6] = Linear(4096, 32) and dropout p = 0, the parameters read from
dsml's params.npy, the same synthetic batch (x.npy) and losses, timed the
same way.

  torch_alexnet.py train THREADS LOSS DISTANCE BATCH ITERS WORK
  torch_alexnet.py embed THREADS BATCH REPS WORK

train: repeats dsml's first three SGD steps on the batch from the same
parameters and checks the embeddings of the first step (within 1e-4 of the
largest) and the three losses (1e-3 relative) against dsml's, then times ITERS
steps (forward, loss, backward, SGD step) on the same batch.
embed: one warm-up then REPS forward passes in eval mode; the batch's
embeddings within 1e-4 of the largest of dsml's.
Prints one JSON line like bench_dsml's, with "peer": "torch"; exits 3 on a
disagreement (common.report). The losses and the step are torch_convnet.py's."""
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torchvision

import common
from torch_convnet import sgd_step

DIM = 32


def alexnet():
    model = torchvision.models.alexnet(weights=None)
    model.classifier[6] = nn.Linear(4096, DIM)
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0  # dsml's bench runs without dropout, so both sides take the same steps
    return model


def load_dsml_params(model, flat):
    """dsml's parameter block (src/nn/model.h), layer by layer from the input:
    conv weights kH x kW x I x O then the bias; the first linear layer after
    the flatten reads features in (y, x, channel) order (torch: (channel, y,
    x)); the other linear weights O x I as torch's."""
    at = 0

    def take(count):
        nonlocal at
        if at + count > len(flat):
            raise SystemExit(f"params.npy: {len(flat)} values, AlexNet needs more (at {at}, {count} more)")
        at += count
        return flat[at - count:at]

    channels = 0  # of the last convolution: the flatten's depth
    flattened = False
    with torch.no_grad():
        for m in list(model.features) + list(model.classifier):
            if isinstance(m, nn.Conv2d):
                o, i, k, _ = m.weight.shape
                w = take(k * k * i * o).reshape(k, k, i, o).transpose(3, 2, 0, 1)
                channels = o
            elif isinstance(m, nn.Linear):
                o, i = m.weight.shape
                w = take(o * i).reshape(o, i)
                if not flattened:
                    side = int(round((i // channels) ** 0.5))
                    w = w.reshape(o, side, side, channels).transpose(0, 3, 1, 2).reshape(o, i)
                    flattened = True
            else:
                continue
            m.weight.copy_(torch.from_numpy(np.ascontiguousarray(w)))
            m.bias.copy_(torch.from_numpy(take(m.bias.numel())))
    if at != len(flat):
        raise SystemExit(f"params.npy: {len(flat)} values, AlexNet has {at}")


def max_rel_diff(ours, ref):
    """Largest |difference| over the largest |value| of dsml's."""
    return float(np.abs(ours - ref).max() / max(np.abs(ref).max(), 1e-12))


def bench_train(threads, loss, distance, batch, iters, work):
    ref = common.dsml_result(work)
    model = alexnet()
    load_dsml_params(model, common.load(work, "params.npy"))
    x = torch.from_numpy(common.load(work, "x.npy"))
    labels = torch.from_numpy(common.load(work, "labels.npy")).long()
    if x.shape != (batch, 3, 227, 227) or labels.shape != (batch,):
        raise SystemExit(f"x.npy {tuple(x.shape)}, labels.npy {tuple(labels.shape)}: expected batch {batch}")
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)

    def step():
        return sgd_step(model, opt, x, labels, loss, distance, ref)

    # Agreement: dsml's first three steps (also the warm-up).
    steps = [step() for _ in range(3)]
    losses = [value for _, value in steps]
    h_diff = max_rel_diff(steps[0][0].numpy(), common.load(work, "h0.npy"))
    dl = common.load(work, "losses.npy").astype(np.float64)
    loss_diff = float(np.max(np.abs(np.array(losses) - dl) / np.maximum(np.abs(dl), 1e-3)))
    agree = h_diff <= 1e-4 and loss_diff <= 1e-3
    start = time.perf_counter()
    for _ in range(iters):
        step()
    elapsed = time.perf_counter() - start
    common.report({"bench": "alexnet-train", "peer": "torch", "threads": threads, "loss": loss,
                   "distance": distance, "batch": batch, "dim": DIM, "margin": ref["margin"],
                   "lambda": ref["lambda"], "iters": iters, "images_per_s": round(iters * batch / elapsed, 2),
                   "gflop_per_image": ref["gflop_per_image"], "losses": losses, "embedding_rel_diff": h_diff,
                   "loss_rel_diff": loss_diff, "peak_rss_mib": round(common.peak_rss_mib(), 1)},
                  agree, f"alexnet-train {loss} {distance}")


def bench_embed(threads, batch, reps, work):
    ref = common.dsml_result(work)
    model = alexnet().eval()
    load_dsml_params(model, common.load(work, "params.npy"))
    x = torch.from_numpy(common.load(work, "x.npy"))
    if x.shape != (batch, 3, 227, 227):
        raise SystemExit(f"x.npy {tuple(x.shape)}: expected {batch} x 3 x 227 x 227")
    with torch.no_grad():
        out = model(x)  # warm-up, and the embeddings compared
        start = time.perf_counter()
        for _ in range(reps):
            model(x)
        elapsed = time.perf_counter() - start
    diff = max_rel_diff(out.numpy(), common.load(work, "embeddings.npy"))
    common.report({"bench": "alexnet-embed", "peer": "torch", "threads": threads, "batch": batch,
                   "images": batch * reps, "seconds": round(elapsed, 3),
                   "images_per_s": round(batch * reps / elapsed, 2), "gflop_per_image": ref["gflop_per_image"],
                   "rel_diff": diff, "peak_rss_mib": round(common.peak_rss_mib(), 1)}, diff <= 1e-4, "alexnet-embed")


USAGE = "usage: torch_alexnet.py train THREADS LOSS DISTANCE BATCH ITERS WORK | embed THREADS BATCH REPS WORK"


def main():
    if len(sys.argv) < 3:
        raise SystemExit(USAGE)
    what, threads = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(threads)
    if what == "train" and len(sys.argv) == 8:
        bench_train(threads, sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), sys.argv[7])
    elif what == "embed" and len(sys.argv) == 6:
        bench_embed(threads, int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    else:
        raise SystemExit(USAGE)


if __name__ == "__main__":
    main()
