"""Shared by alexnet_reference.py and cnnf_reference.py: the command line,
seeding, the seeded input batch, .npy output and the gradient check that the
C side repeats exactly.

Gradient check: the network with a 16-wide embedding head, every Dropout's
p set to 0 (so training mode is deterministic and equal to eval mode for
these networks, which have no batch norm), loss = 0.5 * sum(y^2) over the
N x 16 outputs y, one backward pass; dL/dy = y, so the C side needs no loss
code to reproduce it."""
import argparse
import json
import os
import platform

import numpy as np
import torch
import torch.nn as nn

HEAD_WIDTH = 16


def parse_args(description, size):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--out", required=True, help="folder for the outputs (created; large files: use a temp dir)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--size", type=int, default=size, help="input height and width")
    p.add_argument("--n", type=int, default=4, help="images in the input batch")
    p.add_argument("--threads", type=int, default=2)
    return p


def setup(args):
    os.makedirs(os.path.join(args.out, "grads"), exist_ok=True)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)


def input_batch(args):
    """N x 3 x size x size float32, standard normal, from its own generator
    so it does not depend on how many numbers the initialisation drew."""
    g = torch.Generator().manual_seed(args.seed + 1000)
    return torch.randn(args.n, 3, args.size, args.size, generator=g, dtype=torch.float32)


def save_npy(out, name, tensor):
    np.save(os.path.join(out, name), np.ascontiguousarray(tensor.detach().numpy(), dtype=np.float32))


def logits(model, x):
    model.eval()
    with torch.no_grad():
        return model(x)


def new_head(in_features, seed):
    """The 16-wide embedding head, initialised from `seed` alone."""
    torch.manual_seed(seed)
    return nn.Linear(in_features, HEAD_WIDTH)


def gradient_check(model, x, out):
    """One training-mode forward and backward with dropout off; writes
    embedding.npy (N x 16) and grads/<state-dict key>.npy; returns the loss."""
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0
    model.train()
    model.zero_grad()
    y = model(x)
    loss = 0.5 * (y * y).sum()
    loss.backward()
    save_npy(out, "embedding.npy", y)
    for key, param in model.named_parameters():
        save_npy(os.path.join(out, "grads"), key + ".npy", param.grad)
    return float(loss)


def write_summary(out, args, network, files, loss):
    """reference.json: what was run and what each file holds."""
    import torchvision
    info = {
        "network": network,
        "seed": args.seed,
        "size": args.size,
        "n": args.n,
        "threads": args.threads,
        "head_width": HEAD_WIDTH,
        "loss": "0.5 * sum(y^2) over the 16-wide head's outputs, dropout p = 0, training mode",
        "loss_value": loss,
        "files": files,
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump(info, f, indent=2)
        f.write("\n")
