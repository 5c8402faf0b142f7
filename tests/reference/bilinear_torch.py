#!/usr/bin/env python3
"""Independent reference for src/data/bilinear.c and the input pipeline's
resize and crop (src/run/input_pipeline.c), in PyTorch and torchvision.

1. F.interpolate(mode='bilinear', align_corners=False, antialias off) of the
   5x6 float32 image x[r][c] = (r * 37 + c * 11) % 23 * 10 + c to 9x4 (up
   along y, down along x), printed as the C initialiser of
   torch_5x6_to_9x4 in tests/check_input_pipeline.c.
2. The hand-computed cases of that test (2x2 -> 4x4, 4x4 -> 2x2, 1x5 -> 1x3)
   and torchvision's CenterCrop offsets, checked here with assertions.

Run: /usr/bin/python3 tests/reference/bilinear_torch.py
"""
import torch
import torch.nn.functional as F
import torchvision.transforms.functional as TF


def resize(rows, h, w):
    x = torch.tensor(rows, dtype=torch.float32)[None, None]
    return F.interpolate(x, size=(h, w), mode="bilinear", align_corners=False)[0, 0]


src = [[float((r * 37 + c * 11) % 23 * 10 + c) for c in range(6)] for r in range(5)]
out = resize(src, 9, 4).flatten().tolist()
print("static const float torch_5x6_to_9x4[36] = {")
for k in range(0, 36, 6):
    print("    " + ", ".join("%.9gf" % v for v in out[k:k + 6]) + ",")
print("};")

up = resize([[10, 20], [30, 40]], 4, 4).flatten().tolist()
assert up == [10, 12.5, 17.5, 20, 15, 17.5, 22.5, 25, 25, 27.5, 32.5, 35, 30, 32.5, 37.5, 40], up
sq = [[float((r * 4 + c) ** 2) for c in range(4)] for r in range(4)]
down = resize(sq, 2, 2).flatten().tolist()
assert down == [(0 + 1 + 16 + 25) / 4, (4 + 9 + 36 + 49) / 4, (64 + 81 + 144 + 169) / 4,
                (100 + 121 + 196 + 225) / 4], down
row = resize([[0, 10, 20, 30, 40]], 1, 3).flatten().tolist()
assert all(abs(a - b) < 1e-4 for a, b in zip(row, [10 / 3, 20, 110 / 3])), row

# CenterCrop: int(round((H - h) / 2.0)), Python's round (halves to even)
for size, crop, top in [(256, 227, 14), (257, 224, 16), (259, 224, 18), (5, 2, 2), (6, 3, 2), (4, 3, 0),
                        (256, 224, 16), (227, 227, 0)]:
    img = torch.arange(size, dtype=torch.float32)[None, :, None].expand(1, size, 1)
    got = int(TF.center_crop(img, [crop, 1])[0, 0, 0])
    assert got == top, (size, crop, got, top)
print("/* hand-computed cases and CenterCrop offsets agree with torch %s, torchvision */" % torch.__version__)
