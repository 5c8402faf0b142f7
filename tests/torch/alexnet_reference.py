#!/usr/bin/python3
"""Reference outputs of torchvision's AlexNet for dsml's equivalence check.

  alexnet_reference.py --out DIR [--seed S] [--size 227] [--n 4] [--threads 2]

Writes into DIR (about 500 MB: use a temp dir, never commit them):
  alexnet.pth      torchvision.models.alexnet(weights=None) initialised from
                   --seed, its state_dict() saved with torch.save
  input.npy        N x 3 x size x size float32, standard normal (seed + 1000)
  logits.npy       N x 1000 float32, eval mode (dropout off)
  alexnet16.pth    the same weights with classifier.6 replaced by
                   Linear(4096, 16) initialised from seed + 1
  embedding.npy    N x 16 float32, that network's outputs in training mode
                   with dropout p = 0
  grads/<key>.npy  dL/d<key> for every parameter of alexnet16.pth (key as in
                   its state dict, e.g. grads/features.0.weight.npy), for
                   L = 0.5 * sum(embedding^2)
  reference.json   the run's settings, the loss value and the versions

torchvision 0.14's AlexNet: features = conv 64 11x11/4 pad 2, ReLU, max-pool
3/2, conv 192 5x5 pad 2, ReLU, max-pool 3/2, conv 384 3x3 pad 1, ReLU, conv
256 3x3 pad 1, ReLU, conv 256 3x3 pad 1, ReLU, max-pool 3/2; avgpool =
AdaptiveAvgPool2d(6x6), the identity at 224 and 227 (features give 6x6);
classifier = Dropout, Linear(9216, 4096), ReLU, Dropout, Linear(4096, 4096),
ReLU, Linear(4096, 1000). Linear(9216, ...) reads the features flattened as
(channel, y, x). Needs python3-torch, python3-torchvision, python3-numpy.
"""
import os

import torch
import torchvision

import reference_common as ref


def main():
    args = ref.parse_args("AlexNet reference outputs for dsml", 227).parse_args()
    ref.setup(args)
    model = torchvision.models.alexnet(weights=None)
    torch.save(model.state_dict(), os.path.join(args.out, "alexnet.pth"))
    x = ref.input_batch(args)
    ref.save_npy(args.out, "input.npy", x)
    ref.save_npy(args.out, "logits.npy", ref.logits(model, x))

    model.classifier[6] = ref.new_head(4096, args.seed + 1)
    torch.save(model.state_dict(), os.path.join(args.out, "alexnet16.pth"))
    loss = ref.gradient_check(model, x, args.out)
    files = ["alexnet.pth", "input.npy", "logits.npy", "alexnet16.pth", "embedding.npy", "grads/*.npy"]
    ref.write_summary(args.out, args, "torchvision.models.alexnet", files, loss)
    print(f"alexnet: {args.n} x 3 x {args.size} x {args.size} input, loss {loss:.6g}; files in {args.out}")


if __name__ == "__main__":
    main()
