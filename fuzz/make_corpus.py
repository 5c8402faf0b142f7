#!/usr/bin/python3
"""Regenerates the committed seed corpus fuzz/corpus/<reader>/ (python3 only, no
third-party modules). Run from the repository root: python3 fuzz/make_corpus.py

Each reader gets a few small valid files (built here by hand from the formats of
docs/formats.md and docs/weights.md, or copied from tests/fixtures/, datasets/
and the sweep files) and a few broken ones (truncated, a wrong magic, a count
past the end). libFuzzer mutates from there; what it finds grows elsewhere
(build/fuzz/work/), never here unless `make fuzz FUZZ_MERGE=1`."""
import gzip, hashlib, io, os, pickle, shutil, struct, sys, tarfile, types, zipfile, zlib

OUT = "fuzz/corpus"


def put(reader, name, data):
    os.makedirs(os.path.join(OUT, reader), exist_ok=True)
    with open(os.path.join(OUT, reader, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def copy(reader, src, name=None):
    with open(src, "rb") as f:
        put(reader, name or os.path.basename(src), f.read())


def idx():
    images = struct.pack(">IIII", 0x803, 2, 3, 3) + bytes(range(18))
    labels = struct.pack(">II", 0x801, 2) + bytes([3, 9])
    put("idx", "images", images)
    put("idx", "labels", labels)
    put("idx", "images.gz", gzip.compress(images, mtime=0))
    put("idx", "labels.gz", gzip.compress(labels, mtime=0))
    put("idx", "images-truncated", images[:-5])
    put("idx", "images-trailing", images + b"x")
    put("idx", "images-huge-count", struct.pack(">IIII", 0x803, 0x7FFFFFFF, 28, 28) + bytes(16))
    put("idx", "gzip-truncated", gzip.compress(images, mtime=0)[:-9])


CIFAR_FILES = ["data_batch_%d.bin" % i for i in range(1, 6)] + ["test_batch.bin"]
CLASSES = "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n"


def cifar_records(batch, records, label=None):
    out = b""
    for r in range(records):
        lab = (batch + r) % 10 if label is None else label
        out += bytes([lab]) + bytes((batch * 7 + r + i) % 256 for i in range(3072))
    return out


def tar_bytes(members, compress=None):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:" + (compress or "")) as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 0
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def cifar():
    """First byte: bit 0 set = folder (meta, NUL, six equal slices), clear = archive;
    bit 1 set = two records per batch (fuzz_cifar.c)."""
    for records, mode in ((1, 0), (2, 2)):
        members = [("cifar-10-batches-bin/batches.meta.txt", CLASSES.encode())]
        members += [("cifar-10-batches-bin/" + f, cifar_records(b, records)) for b, f in enumerate(CIFAR_FILES)]
        put("cifar", "tar-%d" % records, bytes([mode]) + tar_bytes(members))
        put("cifar", "tar-gz-%d" % records, bytes([mode]) + tar_bytes(members, "gz"))
    folder = CLASSES.encode() + b"\0" + b"".join(cifar_records(b, 1) for b in range(6))
    put("cifar", "folder-1", b"\x01" + folder)
    put("cifar", "folder-bad-label", b"\x01" + CLASSES.encode() + b"\0" + cifar_records(0, 6, label=10))
    put("cifar", "folder-9-classes", b"\x01" + b"a\nb\nc\nd\ne\nf\ng\nh\ni\n\0" + b"".join(cifar_records(b, 1) for b in range(6)))
    members = [("batches.meta.txt", CLASSES.encode())] + [(f, cifar_records(b, 1)) for b, f in enumerate(CIFAR_FILES[:5])]
    put("cifar", "tar-missing-test", b"\0" + tar_bytes(members))


def cache_file(version, n, c, h, w, classes, splits=(), split_of=None, skipped=(), bits=None, ignored=0):
    """A .dsd as src/data/cache.h lays it out, header CRC and content hash included."""
    labels = [i % len(classes) for i in range(n)]
    pixels = bytes((i * 37) % 256 for i in range(n * c * h * w))
    names = b"".join(k.encode().ljust(64, b"\0") for k in classes)
    ext = b""
    if version >= 2:
        skip = b"".join(s.encode() + b"\0" for s in skipped)
        ext = struct.pack("<IIIIQ", ignored, len(skipped), len(splits), len(bits[0]) if bits else 0, len(skip))
        ext += bytes(40) + b"".join(s.encode().ljust(64, b"\0") for s in splits)
        ext += bytes(split_of or []) + skip
        if version == 3:
            end = 1280 + len(names) + len(ext)
            ext += bytes(-end % 8) + b"".join(struct.pack("<Q", b) for b in bits[1])
    end = 1280 + len(names) + len(ext)
    labels_offset = end if version == 1 else end + (-end % 64)
    pixels_offset = labels_offset + 4 * n + (-(labels_offset + 4 * n) % 64)
    size = pixels_offset + len(pixels)
    lab = b"".join(struct.pack("<i", x) for x in labels)
    content = hashlib.sha256(lab + (b"".join(struct.pack("<Q", b) for b in bits[1]) if bits else b"") + pixels)
    head = b"DSMLDSD1" + struct.pack("<IIIIII", version, n, c, h, w, len(classes))
    head += b"fuzz".ljust(64, b"\0") + b"0" * 64 + content.hexdigest().encode()
    head += b"reader=fuzz".ljust(1024, b"\0") + struct.pack("<QQQII", labels_offset, pixels_offset, size, 0, 0)
    body = head + names + ext
    body += bytes(labels_offset - len(body))
    crc = zlib.crc32(body)
    body = body[:1276] + struct.pack("<I", crc) + body[1280:]
    return body + lab + bytes(pixels_offset - labels_offset - 4 * n) + pixels


def cache():
    put("cache", "v1.dsd", cache_file(1, 3, 1, 2, 2, ["a", "b"]))
    put("cache", "v2-splits.dsd", cache_file(2, 3, 1, 2, 2, ["a", "b"], splits=["train", "test"], split_of=[0, 1, 0],
                                             skipped=["x/bad.jpg"], ignored=2))
    put("cache", "v3-bits.dsd", cache_file(3, 2, 3, 1, 1, ["sky", "sea", "sun"], bits=([0] * 3, [5, 2])))
    good = cache_file(1, 3, 1, 2, 2, ["a", "b"])
    put("cache", "truncated.dsd", good[:-3])
    put("cache", "bad-crc.dsd", good[:40] + b"Z" + good[41:])


def mat5():
    for f in ("tests/fixtures/cars_annos_scipy.mat", "tests/fixtures/cars_annos_scipy_raw.mat",
              "tests/fixtures/weights/net.mat", "tests/fixtures/weights/net_old.mat"):
        copy("mat5", f)
    with open("tests/fixtures/cars_annos_scipy_raw.mat", "rb") as f:
        raw = f.read()
    put("mat5", "raw-truncated.mat", raw[:700])
    put("mat5", "header-only.mat", raw[:128])


METRICS = """{
  "config": {"dataset": "fashion-mnist", "protocol": "dml", "split": "paper", "model": "mlp",
             "loss": "contrastive", "distance": "snr", "dim": 32, "seed": 1, "epochs": 3,
             "equations": "paper", "hidden": [256, 128], "lr": 0.01, "map_at": 1000},
  "data": {"split": {"train": 100, "eval_queries": 10, "eval_database": 90, "evaluated_on_validation": false}},
  "metrics": {"euclidean": {"recall@1": 0.5, "recall@2": 0.6, "recall@4": 0.7, "recall@8": 0.8,
                            "recall@16": 0.9, "recall@32": 1.0, "map": 0.4, "map@r": 0.3, "r_precision": 0.35},
              "clustering": {"nmi": 0.5, "f1": 0.25}, "vmf": {"accuracy": null}},
  "training": {"loss_per_epoch": [1.5, 0.75e0, null, -2E-3]},
  "wall_seconds": {"total": 12.5}
}
"""


def json_seeds(reader):
    put(reader, "metrics.json", METRICS)
    put(reader, "escapes.json", '{"s": "a\\"b\\\\c\\n\\t\\u0041\\/", "e": [], "o": {}, "t": true, "f": false, "n": null}')
    put(reader, "deep.json", "[" * 40 + "1" + "]" * 40)
    put(reader, "numbers.json", "[0, -0, 1e308, 1e309, -1.5e-320, 123456789012345678901234567890]")
    put(reader, "truncated.json", METRICS[:200])
    put(reader, "not-object.json", "[1, 2]")


def sweep():
    """First byte: 3 mod 4 replaces the seed lists (fuzz_sweep.c); '\\n' keeps them."""
    for f in ("related.sweep", "paper-alexnet.sweep"):
        with open(f) as fp:
            put("sweep", f, "\n" + fp.read())
    small = ("# a small grid\nset epochs=2 lr=0.01\n"
             "dml dataset=fashion-mnist loss=contrastive,triplet distance=snr,euclidean dim=16,32 seed=1,2\n"
             "hashing dataset=cifar10 loss=dpsh distance=euclidean bits=12 seed=1  # trailing comment\n"
             "tune-set epochs=1 validation-per-class=5\ntune dataset=fashion-mnist loss=lifted distance=snr dim=32 seed=1 lr=0.1,0.01\n"
             "claims equivalence-margin=1.5\n")
    put("sweep", "small.sweep", "\n" + small)
    put("sweep", "small-seeds.sweep", "\x0b" + small)
    put("sweep", "bad-key.sweep", "\ndml dataset=fashion-mnist loss=contrastive distance=snr dim=16 seed=1 bogus=$(x)\n")


def manifest():
    for f in sorted(os.listdir("datasets")):
        if f.endswith(".manifest"):
            copy("manifest", os.path.join("datasets", f))
    put("manifest", "prefix.manifest", "name x\nfile a.bin size unknown sha256 7be5be79... md5 unknown\nmanual ask\n")
    put("manifest", "no-file.manifest", "name x\nhomepage https://example.org/\n")


def npy():
    d = "tests/fixtures/npy"
    for f in sorted(os.listdir(d)):
        if f.endswith(".npy"):
            copy("npy", os.path.join(d, f))
    with open(os.path.join(d, "f4_2d.npy"), "rb") as f:
        put("npy", "f4_2d_truncated.npy", f.read()[:-3])


# ---- PyTorch checkpoints, pickled by Python's own pickle against stand-in torch classes ----

def fake_torch():
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")
    for n in ("FloatStorage", "LongStorage", "HalfStorage"):
        setattr(torch, n, type(n, (), {"__module__": "torch"}))

    def _rebuild_tensor_v2(*a):
        raise RuntimeError("never called")
    _rebuild_tensor_v2.__module__, _rebuild_tensor_v2.__qualname__ = "torch._utils", "_rebuild_tensor_v2"
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2
    torch._utils = utils
    sys.modules["torch"], sys.modules["torch._utils"] = torch, utils
    return torch, utils


class Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, StorageRef):
            return ("storage", obj.cls, obj.key, "cpu", obj.numel)
        return None


class StorageRef:
    def __init__(self, cls, key, numel):
        self.cls, self.key, self.numel = cls, key, numel


def state_pickle(tensors):
    """tensors: (name, storage class, key, numel, size, stride, offset); a protocol-2 OrderedDict."""
    import collections

    class Rebuild:
        def __init__(self, spec):
            self.spec = spec

        def __reduce__(self):
            cls, key, numel, size, stride, offset = self.spec
            return (sys.modules["torch._utils"]._rebuild_tensor_v2,
                    (StorageRef(cls, key, numel), offset, tuple(size), tuple(stride), False, collections.OrderedDict()))
    out = collections.OrderedDict((t[0], Rebuild(t[1:])) for t in tensors)
    buf = io.BytesIO()
    Pickler(buf, protocol=2).dump(out)
    return buf.getvalue()


def floats(n, base=0):
    return b"".join(struct.pack("<f", (base + i) / 4) for i in range(n))


def torch_zip(entries, pkl, prefix="archive", compression=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        z.writestr(prefix + "/data.pkl", pkl)
        z.writestr(prefix + "/byteorder", "little")
        for key, data in entries:
            z.writestr(prefix + "/data/" + key, data)
        z.writestr(prefix + "/version", "3\n")
    return buf.getvalue()


def torch_seeds():
    torch, _ = fake_torch()
    F, L = torch.FloatStorage, torch.LongStorage
    tiny = state_pickle([("conv1.weight", F, "0", 12, (2, 1, 2, 3), (6, 6, 3, 1), 0),
                         ("conv1.bias", F, "1", 2, (2,), (1,), 0),
                         ("fc.weight", F, "2", 6, (3, 2), (2, 1), 0)])
    views = state_pickle([("a", F, "0", 15, (3,), (1,), 2), ("b", F, "0", 15, (2, 5), (5, 1), 5),
                          ("s", F, "0", 15, (), (), 1)])
    int64 = state_pickle([("n", L, "0", 1, (), (), 0)])
    tiny_data = [("0", floats(12)), ("1", floats(2, 100)), ("2", floats(6, 200))]
    put("torch", "tiny.pth", torch_zip(tiny_data, tiny))
    put("torch", "tiny-deflate.pth", torch_zip(tiny_data, tiny, "tiny", zipfile.ZIP_DEFLATED))
    put("torch", "views.pth", torch_zip([("0", floats(15))], views))
    put("torch", "int64.pth", torch_zip([("0", struct.pack("<q", 3))], int64))
    put("torch", "short-storage.pth", torch_zip([("0", floats(11)), ("1", floats(2)), ("2", floats(6))], tiny))
    put("torch", "truncated.pth", torch_zip(tiny_data, tiny)[:300])
    for f in ("global_os_system.pth", "int64.pth", "legacy.pth"):
        copy("torch", "tests/fixtures/weights/" + f, "fixture-" + f)
    for name, pkl in (("tiny.pkl", tiny), ("views.pkl", views), ("int64.pkl", int64)):
        put("pickle", name, pkl)
    wrapped = io.BytesIO()
    Pickler(wrapped, protocol=2).dump({"state_dict": pickle.loads(b"\x80\x02}q\x00."), "epoch": 3, "lr": 0.1,
                                       "names": ["a", "b"], "t": (1, 2.5, None, True)})
    put("pickle", "wrapped.pkl", wrapped.getvalue())
    put("pickle", "truncated.pkl", tiny[:40])


def safetensors_file(tensors, metadata=None):
    import json
    header, at = {}, 0
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [at, at + len(raw)]}
        at += len(raw)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(t[3] for t in tensors)


def safetensors_seeds():
    put("safetensors", "tiny.safetensors", safetensors_file([("w", "F32", [2, 3], floats(6)), ("b", "F32", [3], floats(3)),
                                                             ("s", "F32", [], floats(1))], {"format": "pt"}))
    put("safetensors", "half.safetensors", safetensors_file([("h", "F16", [2, 2], bytes([0, 60, 0, 188, 1, 0, 0, 124])),
                                                             ("b", "BF16", [3], bytes([128, 63, 0, 0, 128, 127]))]))
    for f in ("f64.safetensors", "half.safetensors", "header_past_end.safetensors"):
        copy("safetensors", "tests/fixtures/weights/" + f, "fixture-" + f)


def matconvnet():
    for f in ("net.mat", "net_old.mat"):
        copy("matconvnet", "tests/fixtures/weights/" + f)


def png(w, h, color_type, depth, rows, extra=b""):
    """A PNG by hand: IHDR, optional chunks (PLTE, tRNS), one IDAT of filter-0 rows, IEND."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\0" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, 0)) + extra
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def image():
    """PNGs here; the JPEG seeds come from fuzz/make_seeds.c (libjpeg)."""
    put("image", "rgb.png", png(3, 2, 2, 8, [bytes(range(9)), bytes(range(9, 18))]))
    put("image", "gray16.png", png(2, 2, 0, 16, [b"\x12\x34\xff\xff", b"\x00\x00\x80\x00"]))
    put("image", "rgba.png", png(2, 1, 6, 8, [bytes([255, 0, 0, 128, 0, 255, 0, 255])]))
    plte = struct.pack(">I", 6) + b"PLTE" + bytes([0, 0, 0, 255, 255, 255])
    plte += struct.pack(">I", zlib.crc32(b"PLTE" + bytes([0, 0, 0, 255, 255, 255])))
    put("image", "palette1.png", png(8, 1, 3, 1, [b"\xa5"], plte))
    put("image", "truncated.png", png(3, 2, 2, 8, [bytes(range(9)), bytes(range(9, 18))])[:40])


def published():
    for f in ("paper-tables/published.tsv", "paper-tables/published-methods.tsv"):
        with open(f) as fp:
            lines = fp.read().splitlines(True)
        put("published", os.path.basename(f), "".join(lines[:40]))
    put("published", "bad-table.tsv", "table\tdataset\tmethod\tmetric\tsize\tvalue\tnote\n9\tcub200\tx\ty\t64\t1.5\t\n")


def embeddings():
    """Valid files come from fuzz/make_seeds.c (the library's writer); a broken one here."""
    put("embeddings", "bad-magic.bin", b"NOTEMBED" + struct.pack("<IIII", 1, 4, 1, 1) + bytes(64))


def loss_text():
    put("loss_text", "matrix.txt", "# two rows\n0.5 -1 2e3\n1.25\t0 -0.0  # comment\n\n")
    put("loss_text", "labels.txt", "0\n1\n-2\n# c\n3\n")
    put("loss_text", "ragged.txt", "1 2\n3\n")
    put("loss_text", "specials.txt", "nan inf -inf 1e99999\n0x10 1e-400 +5\n")


def main():
    if not os.path.isdir("fuzz") or not os.path.isdir("tests/fixtures"):
        sys.exit("make_corpus.py: run it from the repository root")
    shutil.rmtree(OUT, ignore_errors=True)
    idx(); cifar(); cache(); mat5(); json_seeds("json"); json_seeds("run_metrics"); sweep(); manifest(); npy()
    torch_seeds(); safetensors_seeds(); matconvnet(); loss_text(); image(); published(); embeddings()


if __name__ == "__main__":
    main()
