#!/usr/bin/python3
"""Peer of dsml's SNR distance benchmark: pytorch-metric-learning's
SNRDistance.compute_mat written in plain torch (the package is not in Debian):

    var(h_i - h_j over the N x N x D tensor of pairwise differences, dim 2)
      / var(h_i)[:, None]

on the batch bench_dsml wrote (h.npy), timed as the best of REPS calls after a
warm-up; every entry must agree with dsml's matrix (dist.npy, computed by one
GEMM on centred rows) to 1e-4 relative to the largest distance. Both sides use
the same ratio of variances; PML's unbiased torch.var cancels in the ratio.

  snr_pml.py THREADS REPS WORK"""
import sys
import time

import numpy as np
import torch

import common


def snr_distance(h):
    return torch.var(h.unsqueeze(1) - h.unsqueeze(0), dim=2) / torch.var(h, dim=1).unsqueeze(1)


def main():
    if len(sys.argv) != 4:
        raise SystemExit("usage: snr_pml.py THREADS REPS WORK")
    threads, reps, work = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    torch.set_num_threads(threads)
    h = torch.from_numpy(common.load(work, "h.npy"))
    inputs = common.rss_mib()
    best = float("inf")
    with torch.no_grad():
        for r in range(reps + 1):
            start = time.perf_counter()
            dist = snr_distance(h)
            if r:
                best = min(best, time.perf_counter() - start)
    peak = common.peak_rss_mib()
    ref = common.load(work, "dist.npy")
    diff = float(np.abs(dist.numpy() - ref).max() / np.abs(ref).max())
    common.report({"bench": "snr", "peer": "torch-pml", "threads": threads, "n": h.shape[0], "dim": h.shape[1],
                   "seconds": round(best, 6), "peak_rss_mib": round(peak, 1), "inputs_mib": round(inputs, 1),
                   "rel_diff": diff}, diff <= 1e-4, "snr")


if __name__ == "__main__":
    main()
