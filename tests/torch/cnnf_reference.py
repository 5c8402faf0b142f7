#!/usr/bin/python3
"""Reference outputs of CNN-F (Chatfield et al. 2014, MatConvNet's
imagenet-vgg-f) as a PyTorch nn.Sequential, for dsml's equivalence check,
and the same weights in MatConvNet's layout for dsml's .mat reader.

  cnnf_reference.py --out DIR [--seed S] [--size 224] [--n 4] [--classes 1000] [--threads 2]

The network (module names are the state-dict prefixes and MatConvNet's layer
names):
  conv1 64 11x11/4 pad 0, relu1, norm1 = LocalResponseNorm(5, alpha=5e-4,
  beta=0.75, k=2), pool1 = MaxPool2d(3, 2, ceil_mode=True),
  conv2 256 5x5 pad 2, relu2, norm2, pool2, conv3 256 3x3 pad 1, relu3,
  conv4 256 3x3 pad 1, relu4, conv5 256 3x3 pad 1, relu5, pool5, flatten,
  fc6 Linear(9216, 4096), relu6, drop6, fc7 Linear(4096, 4096), relu7,
  drop7, fc8 Linear(4096, K). At 224: 54, 27, 27, 13, 13, 6 pixels a side.

Writes into DIR (about 750 MB with K = 1000: use a temp dir, never commit):
  cnnf.pth, input.npy, logits.npy, cnnf16.pth, embedding.npy,
  grads/<key>.npy, reference.json   as alexnet_reference.py (fc8 is the
                   16-wide head of cnnf16.pth, from seed + 1)
  cnnf.mat         cnnf.pth in imagenet-vgg-f's layout (scipy.io.savemat,
                   MAT v5, uncompressed):
    layers   1 x L cell of structs, one per layer (dropout and flatten
             dropped, a final softmax `prob` added, as in the deploy model):
      conv   name, type 'conv', weights = {filters H x W x Cin x Cout single,
             biases Cout x 1 single}, size [H W Cin Cout], pad [top bottom
             left right], stride [sy sx], dilate [1 1]
      relu   name, type 'relu', leak 0
      lrn    name, type 'lrn', param [5 2 1e-4 0.75]: MatConvNet divides by
             (kappa + alpha * sum of squares)^beta, PyTorch by (k + alpha/n *
             sum)^beta, so MatConvNet's alpha is PyTorch's 5e-4 / 5
      pool   name, type 'pool', method 'max', pool [3 3], stride [2 2],
             pad [0 b 0 b] with b the bottom/right padding that makes
             MatConvNet's floor rule give PyTorch's ceil_mode size (1 for
             pool1 at 224, else 0)
      fc6..fc8 are 'conv' layers: fc6's filters are 6 x 6 x 256 x 4096 with
             filters(y, x, c, o) = fc6.weight[o, c*36 + y*6 + x] (PyTorch
             flattens (c, y, x)); fc7, fc8 are 1 x 1 x Cin x Cout
    meta.normalization  averageImage size x size x 3 single (ImageNet's
             channel means plus a small ramp, so that a reader's element
             order shows), imageSize [size size 3 1], interpolation
             'bilinear', keepAspect 1, border [32 32]
  average_image.npy  meta.normalization.averageImage as 3 x H x W float32
input.npy is what enters conv1: the average image is not applied to it.
The script checks the fc6 element order on a small case, and reads cnnf.mat
back into a fresh model whose logits must equal logits.npy exactly.
Needs python3-torch, python3-numpy, python3-scipy.
"""
import collections
import os

import numpy as np
import scipy.io
import torch
import torch.nn as nn

import reference_common as ref

LRN = dict(size=5, alpha=5e-4, beta=0.75, k=2.0)
IMAGENET_MEAN = (123.68, 116.779, 103.939)


def conv(cin, cout, k, stride=1, pad=0):
    return nn.Conv2d(cin, cout, k, stride=stride, padding=pad)


def pool():
    return nn.MaxPool2d(3, 2, ceil_mode=True)


def cnnf(classes):
    layers = [
        ("conv1", conv(3, 64, 11, stride=4)), ("relu1", nn.ReLU()), ("norm1", nn.LocalResponseNorm(**LRN)),
        ("pool1", pool()),
        ("conv2", conv(64, 256, 5, pad=2)), ("relu2", nn.ReLU()), ("norm2", nn.LocalResponseNorm(**LRN)),
        ("pool2", pool()),
        ("conv3", conv(256, 256, 3, pad=1)), ("relu3", nn.ReLU()),
        ("conv4", conv(256, 256, 3, pad=1)), ("relu4", nn.ReLU()),
        ("conv5", conv(256, 256, 3, pad=1)), ("relu5", nn.ReLU()), ("pool5", pool()),
        ("flatten", nn.Flatten()),
        ("fc6", nn.Linear(9216, 4096)), ("relu6", nn.ReLU()), ("drop6", nn.Dropout()),
        ("fc7", nn.Linear(4096, 4096)), ("relu7", nn.ReLU()), ("drop7", nn.Dropout()),
        ("fc8", nn.Linear(4096, classes)),
    ]
    return nn.Sequential(collections.OrderedDict(layers))


def row(*values):
    return np.array([values], dtype=np.float64)


def cell(*items):
    c = np.empty((1, len(items)), dtype=object)
    for i, item in enumerate(items):
        c[0, i] = item
    return c


def fc_filters(weight, side):
    """Linear(C*side*side, O).weight, inputs ordered (c, y, x), as a
    side x side x C x O MatConvNet filter bank."""
    o = weight.shape[0]
    return weight.reshape(o, -1, side, side).permute(2, 3, 1, 0)


def check_fc_layout():
    """fc_filters on a 2-channel 3x3 input: the MatConvNet convolution
    (filters(y, x, c, o) times the H x W x C image, summed) equals the
    PyTorch linear layer on the (c, y, x)-flattened image, and the element
    savemat stores at MATLAB's column-major position of (y, x, c, o) is
    filters[y, x, c, o]."""
    torch.manual_seed(0)
    lin, image = nn.Linear(18, 4, bias=False), torch.randn(2, 3, 3)
    f = fc_filters(lin.weight.detach(), 3)
    hwc = image.permute(1, 2, 0)
    mcn = torch.einsum("yxco,yxc->o", f, hwc)
    assert torch.allclose(mcn, lin(image.reshape(1, -1))[0].detach(), atol=1e-6), "fc filter element order"
    column_major = f.numpy().ravel(order="F")
    y, x, c, o = 2, 1, 1, 3
    assert column_major[y + 3 * (x + 3 * (c + 2 * o))] == lin.weight[o, c * 9 + y * 3 + x]


def pool_pad(side):
    """(output side, bottom/right pad) of a 3/2 max-pool in ceil mode."""
    out = -(-(side - 3) // 2) + 1
    return out, max(0, (out - 1) * 2 + 3 - side)


def matconvnet_layers(model, size):
    """imagenet-vgg-f's `layers` cell for the model, tracking the side."""
    layers, side = [], size
    for name, m in model.named_children():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            if isinstance(m, nn.Conv2d):
                filters = m.weight.detach().permute(2, 3, 1, 0)
                k, stride, pad = m.kernel_size[0], m.stride[0], m.padding[0]
                side = (side + 2 * pad - k) // stride + 1
            else:
                filters, stride, pad = fc_filters(m.weight.detach(), side), 1, 0
                side = 1
            h, w, cin, cout = filters.shape
            weights = cell(np.ascontiguousarray(filters.numpy()), m.bias.detach().numpy().reshape(cout, 1))
            layers.append({"name": name, "type": "conv", "weights": weights, "size": row(h, w, cin, cout),
                           "pad": row(pad, pad, pad, pad), "stride": row(stride, stride), "dilate": row(1, 1)})
        elif isinstance(m, nn.ReLU):
            layers.append({"name": name, "type": "relu", "leak": row(0)})
        elif isinstance(m, nn.LocalResponseNorm):
            layers.append({"name": name, "type": "lrn", "param": row(m.size, m.k, m.alpha / m.size, m.beta)})
        elif isinstance(m, nn.MaxPool2d):
            side, b = pool_pad(side)
            layers.append({"name": name, "type": "pool", "method": "max", "pool": row(3, 3), "stride": row(2, 2),
                           "pad": row(0, b, 0, b)})
    layers.append({"name": "prob", "type": "softmax"})
    return cell(*layers)


def average_image(size):
    y, x = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    return np.stack([m + 0.01 * y - 0.001 * x for m in IMAGENET_MEAN], axis=2).astype(np.float32)


def write_mat(path, model, size):
    avg = average_image(size)
    meta = {"normalization": {"averageImage": avg, "imageSize": row(size, size, 3, 1),
                              "interpolation": "bilinear", "keepAspect": row(1), "border": row(32, 32)}}
    scipy.io.savemat(path, {"layers": matconvnet_layers(model, size), "meta": meta}, do_compression=False)
    return avg


def model_from_mat(path, classes):
    """A fresh model with the weights read back from the .mat file."""
    model = cnnf(classes)
    layers = scipy.io.loadmat(path, squeeze_me=False)["layers"][0]
    params = {}
    for layer in layers:
        if layer["type"][0, 0][0] != "conv":
            continue
        name = layer["name"][0, 0][0]
        filters, biases = layer["weights"][0, 0][0, 0], layer["weights"][0, 0][0, 1]
        w = torch.from_numpy(np.ascontiguousarray(filters.transpose(3, 2, 0, 1)))
        if isinstance(getattr(model, name), nn.Linear):
            w = w.reshape(w.shape[0], -1)
        params[name + ".weight"], params[name + ".bias"] = w, torch.from_numpy(biases.reshape(-1))
    model.load_state_dict(params)
    return model


def main():
    p = ref.parse_args("CNN-F reference outputs for dsml", 224)
    p.add_argument("--classes", type=int, default=1000, help="K, fc8's outputs")
    args = p.parse_args()
    check_fc_layout()
    ref.setup(args)
    model = cnnf(args.classes)
    torch.save(model.state_dict(), os.path.join(args.out, "cnnf.pth"))
    x = ref.input_batch(args)
    ref.save_npy(args.out, "input.npy", x)
    logits = ref.logits(model, x)
    ref.save_npy(args.out, "logits.npy", logits)

    mat = os.path.join(args.out, "cnnf.mat")
    avg = write_mat(mat, model, args.size)
    ref.save_npy(args.out, "average_image.npy", torch.from_numpy(avg).permute(2, 0, 1))
    again = ref.logits(model_from_mat(mat, args.classes), x)
    assert torch.equal(again, logits), "cnnf.mat does not give logits.npy back"

    model.fc8 = ref.new_head(4096, args.seed + 1)
    torch.save(model.state_dict(), os.path.join(args.out, "cnnf16.pth"))
    loss = ref.gradient_check(model, x, args.out)
    files = ["cnnf.pth", "input.npy", "logits.npy", "cnnf.mat", "average_image.npy", "cnnf16.pth",
             "embedding.npy", "grads/*.npy"]
    ref.write_summary(args.out, args, "CNN-F (nn.Sequential)", files, loss)
    print(f"cnnf: {args.n} x 3 x {args.size} x {args.size} input, {args.classes} classes, loss {loss:.6g}; "
          f"cnnf.mat gives the same logits; files in {args.out}")


if __name__ == "__main__":
    main()
