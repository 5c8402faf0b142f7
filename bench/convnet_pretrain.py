#!/usr/bin/python3
"""Pretrains dsml's `convnet` in PyTorch as a classifier of CIFAR-10's
classes 0-4 (airplane, automobile, bird, cat, deer), for the transfer test:
dsml imports the weights, replaces the last layer and fine-tunes an
embedding on the other classes.

  convnet_pretrain.py --cifar PATH --out DIR [--epochs 2] [--seed 1] [--threads 2]
                      [--batch 128] [--lr 0.02] [--dropout 0.5]

PATH is the official binary version, cifar-10-binary.tar.gz (e.g.
/work/shared/data/cifar10/cifar-10-binary.tar.gz), read in place: records of
1 label byte and 3072 pixel bytes (1024 red, 1024 green, 1024 blue, each
32 x 32 row-major) from data_batch_1..5.bin (training, 25,000 images of
classes 0-4) and test_batch.bin (5,000 test images of classes 0-4).

The network is exactly dsml's `convnet` (src/nn/registry.c, docs/nn.md),
with the module names the state dict's keys carry:
  conv1 Conv2d(3, 32, 5, padding=2), relu1, pool1 MaxPool2d(2),
  conv2 Conv2d(32, 64, 5, padding=2), relu2, pool2 MaxPool2d(2),
  flatten, fc1 Linear(64 * 8 * 8, 256), relu3, dropout, fc2 Linear(256, 5)
fc2 is the classifier; it is saved with the rest, and the importer replaces
it with dsml's embedding layer.

Layouts the importer must convert (PyTorch -> dsml, src/nn/model.h):
  - PyTorch flattens a feature map (channel, y, x); dsml flattens it
    (y, x, channel). fc1.weight's 4096 columns are therefore permuted:
    dsml column (y * 8 + x) * 64 + c = PyTorch column c * 64 + y * 8 + x.
  - conv weights are Cout x Cin x 5 x 5 (OIHW) here, 5 x 5 x Cin x Cout
    (HWIO) in dsml's parameter block.

Inputs are normalised as dsml does (src/run/batch.c): pixel / 255 minus the
channel's mean, over its standard deviation, both from the training images;
they are written to DIR/convnet_norm.json beside DIR/convnet.pth (the
state dict, torch.save). Training: SGD with momentum 0.9, weight decay
5e-4, random horizontal flips, mini-batches in a seeded order; the
initialisation, order, flips and dropout all come from --seed, and
torch.set_num_threads(--threads), so a rerun with the same seed and threads
on the same build gives the same weights. Prints the test accuracy on
classes 0-4 after each epoch.

Measured (seed 1, 2 threads, torch 1.13, on a 2-core machine busy with other
builds): 25 s to read the archive, 261 s and 298 s for the two epochs, 585 s
in all, of which 208 s of user CPU time (an estimated 2 minutes when the cores
are free); test accuracy on classes 0-4 0.644 after epoch 1, 0.725 after 2.
Needs python3-torch and python3-numpy.
"""
import argparse
import collections
import json
import os
import tarfile
import time

import numpy as np
import torch
import torch.nn as nn

CLASSES = 5
RECORD = 1 + 3 * 32 * 32
TRAIN_MEMBERS = [f"cifar-10-batches-bin/data_batch_{i}.bin" for i in range(1, 6)]
TEST_MEMBER = "cifar-10-batches-bin/test_batch.bin"


def read_cifar(path):
    """(train images, train labels, test images, test labels) of classes
    0..CLASSES-1: uint8 N x 3 x 32 x 32 and int64 N."""
    parts = {}
    with tarfile.open(path, "r:gz") as tar:
        for member in tar:
            if member.name in TRAIN_MEMBERS or member.name == TEST_MEMBER:
                raw = tar.extractfile(member).read()
                if len(raw) % RECORD:
                    raise SystemExit(f"{path}: {member.name}: {len(raw)} bytes, not a multiple of {RECORD}")
                parts[member.name] = np.frombuffer(raw, np.uint8).reshape(-1, RECORD)
    missing = [m for m in TRAIN_MEMBERS + [TEST_MEMBER] if m not in parts]
    if missing:
        raise SystemExit(f"{path}: no {', '.join(missing)}")

    def split(records):
        keep = records[records[:, 0] < CLASSES]
        return keep[:, 1:].reshape(-1, 3, 32, 32), keep[:, 0].astype(np.int64)

    train = split(np.concatenate([parts[m] for m in TRAIN_MEMBERS]))
    test = split(parts[TEST_MEMBER])
    return train + test


def convnet(dropout):
    return nn.Sequential(collections.OrderedDict([
        ("conv1", nn.Conv2d(3, 32, 5, padding=2)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
        ("conv2", nn.Conv2d(32, 64, 5, padding=2)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
        ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(64 * 8 * 8, 256)), ("relu3", nn.ReLU()), ("dropout", nn.Dropout(dropout)),
        ("fc2", nn.Linear(256, CLASSES)),
    ]))


def normalise(images, mean, std):
    x = torch.from_numpy(images).float() / 255.0
    return (x - mean.view(1, 3, 1, 1)) / std.view(1, 3, 1, 1)


def accuracy(model, x, labels, batch=500):
    model.eval()
    right = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            right += int((model(x[i:i + batch]).argmax(1) == labels[i:i + batch]).sum())
    return right / len(x)


def main():
    p = argparse.ArgumentParser(description="pretrain dsml's convnet on CIFAR-10 classes 0-4")
    p.add_argument("--cifar", required=True, help="cifar-10-binary.tar.gz")
    p.add_argument("--out", required=True, help="folder for convnet.pth and convnet_norm.json")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.02)
    p.add_argument("--dropout", type=float, default=0.5)
    args = p.parse_args()
    start = time.time()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)

    train_images, train_labels, test_images, test_labels = read_cifar(args.cifar)
    pixels = torch.from_numpy(train_images).float() / 255.0
    mean = pixels.mean(dim=(0, 2, 3))
    std = pixels.std(dim=(0, 2, 3), unbiased=False)
    del pixels
    x_train, y_train = normalise(train_images, mean, std), torch.from_numpy(train_labels)
    x_test, y_test = normalise(test_images, mean, std), torch.from_numpy(test_labels)
    print(f"{len(x_train)} training and {len(x_test)} test images of classes 0-{CLASSES - 1}, "
          f"read in {time.time() - start:.1f} s", flush=True)

    model = convnet(args.dropout)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    loss_fn = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(args.seed + 1)
    for epoch in range(1, args.epochs + 1):
        began = time.time()
        model.train()
        order = torch.randperm(len(x_train), generator=g)
        flips = torch.rand(len(x_train), generator=g) < 0.5
        total = 0.0
        for i in range(0, len(order), args.batch):
            idx = order[i:i + args.batch]
            xb = x_train[idx]
            xb = torch.where(flips[idx].view(-1, 1, 1, 1), xb.flip(3), xb)
            opt.zero_grad()
            loss = loss_fn(model(xb), y_train[idx])
            loss.backward()
            opt.step()
            total += float(loss) * len(idx)
        print(f"epoch {epoch}: training loss {total / len(x_train):.4f}, test accuracy (classes 0-{CLASSES - 1}) "
              f"{accuracy(model, x_test, y_test):.4f}, {time.time() - began:.1f} s", flush=True)

    torch.save(model.state_dict(), os.path.join(args.out, "convnet.pth"))
    norm = {"mean": [float(v) for v in mean], "std": [float(v) for v in std],
            "note": "x = (pixel / 255 - mean[c]) / std[c], from the training images of classes 0-4",
            "seed": args.seed, "epochs": args.epochs, "threads": args.threads, "torch": torch.__version__}
    with open(os.path.join(args.out, "convnet_norm.json"), "w") as f:
        json.dump(norm, f, indent=2)
        f.write("\n")
    print(f"wrote {args.out}/convnet.pth and convnet_norm.json; {time.time() - start:.1f} s in all")


if __name__ == "__main__":
    main()
