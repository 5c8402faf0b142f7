#!/usr/bin/python3
"""Turns the JSON lines of bench/run.sh into Markdown tables of dsml against
its peers, measured in the same run: absolute figures with the ratios beside
them, and each peer's agreement with dsml.

  report.py RESULTS.json > RESULTS.md"""
import json
import platform
import sys


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def fmt(v, digits=0):
    return "n/a" if v is None else f"{v:,.{digits}f}"


def ratio(ours, theirs, higher_is_better=True):
    """How many times better dsml is: a ratio of speeds, or of times reversed."""
    if ours is None or theirs is None or not ours or not theirs:
        return "n/a"
    return f"{(ours / theirs if higher_is_better else theirs / ours):.2f}x"


def share(ips, gflop_per_image, peak):
    """Images/s x GFLOP per image over the SGEMM rate (GFLOP/s) at the same threads."""
    return f"{ips * gflop_per_image / peak:.0%}" if peak and ips else "n/a"


def agree(p):
    if p is None:
        return "n/a"
    return "yes" if p.get("agree") else "**NO**"


def table(head, rows):
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        print("| " + " | ".join(str(c) for c in r) + " |")
    print()


def mem(r):
    """Peak RSS, and in brackets what the measured call added to its inputs."""
    if r is None:
        return "n/a"
    extra = r["peak_rss_mib"] - r.get("inputs_mib", 0)
    return f"{r['peak_rss_mib']:,.0f} (+{extra:,.0f})" if "inputs_mib" in r else f"{r['peak_rss_mib']:,.0f}"


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    ours = [r for r in rows if "peer" not in r and r["bench"] != "note"]
    peers = [r for r in rows if "peer" in r]

    def peer(name, like, *keys):
        for p in peers:
            if p["peer"] == name and p["bench"] == like["bench"] and all(p.get(k) == like.get(k) for k in keys):
                return p
        return None

    def of(kind):
        return [r for r in ours if r["bench"] == kind]

    sgemm = {r["threads"]: r for r in of("sgemm")}
    print(f"# dsml benchmarks\n\nCPU: {cpu_name()}. Every ratio is dsml against the peer in the same run "
          "(above 1: dsml is faster); \"agrees\": the peer computed the same result (see bench/README.md).\n")
    for r in rows:
        if r["bench"] == "note":
            print(f"- {r['text']}")
    bad = [p for p in peers if not p.get("agree")]
    if bad:
        print(f"- **{len(bad)} peer result(s) disagree with dsml: their times mean nothing until that is fixed.**")
    print()

    if of("train"):
        print("## Training throughput\n\nConvnet 1x28x28, batch 100 = 10 classes x 10 Fashion-MNIST images, d=32: "
              "forward, loss, backward, SGD step. PyTorch: the same network, parameters, batches and losses "
              "(pytorch-metric-learning's formulation). Share of SGEMM: the model's GEMM flops per image as "
              "im2col + GEMM would count them x images/s, over the measured SGEMM rate at the same threads "
              "(dsml's Winograd conv2 does 2.8x fewer multiply-adds, so its share is an equivalent rate).\n")
        out = []
        for r in of("train"):
            p = peer("torch", r, "threads", "loss", "distance")
            peak = sgemm.get(r["threads"], {}).get("gflops_square")
            pv = p["images_per_s"] if p else None
            out.append([r["threads"], r["loss"], r["distance"], fmt(r["images_per_s"]), fmt(pv),
                        ratio(r["images_per_s"], pv), share(r["images_per_s"], r["gflop_per_image"], peak),
                        share(pv, r["gflop_per_image"], peak), agree(p)])
        table(["threads", "loss", "distance", "dsml img/s", "PyTorch img/s", "ratio", "dsml share of SGEMM",
               "PyTorch share of SGEMM", "agrees"], out)

    if of("embed"):
        print("## Embedding throughput\n\nForward only, the convnet over the first N Fashion-MNIST images "
              "(normalisation included), batches of 100.\n")
        out = []
        for r in of("embed"):
            p = peer("torch", r, "threads", "images")
            pv = p["images_per_s"] if p else None
            out.append([r["threads"], fmt(r["images"]), fmt(r["images_per_s"]), fmt(pv), ratio(r["images_per_s"], pv),
                        fmt(r["peak_rss_mib"]), fmt(p["peak_rss_mib"]) if p else "n/a", agree(p)])
        table(["threads", "images", "dsml img/s", "PyTorch img/s", "ratio", "dsml peak MiB", "PyTorch peak MiB",
               "agrees"], out)

    alexnet = of("alexnet-train") + of("alexnet-embed")
    if alexnet:
        print("## AlexNet (227x227)\n\ntorchvision's AlexNet layout with its last layer 4096 -> 32, dropout 0, on one "
              "batch of synthetic standard normal images (10 per class); PyTorch: torchvision's model with the same "
              "parameters and batch. train: forward, loss, backward, SGD step, repeated on the batch; embed: "
              "forward only, eval mode. Share of SGEMM as in the convnet rows: the model's GEMM flops per image "
              "(im2col + GEMM) x images/s over the SGEMM rate at the same threads.\n")
        out = []
        for r in alexnet:
            p = peer("torch", r, "threads", "batch", "loss", "distance")
            peak = sgemm.get(r["threads"], {}).get("gflops_square")
            pv = p["images_per_s"] if p else None
            job = (f"train ({r['loss']} {r['distance']})" if r["bench"] == "alexnet-train" else "embed")
            out.append([job, r["threads"], r["batch"], fmt(r["images_per_s"], 1), fmt(pv, 1),
                        ratio(r["images_per_s"], pv), share(r["images_per_s"], r["gflop_per_image"], peak),
                        share(pv, r["gflop_per_image"], peak), fmt(r["peak_rss_mib"]),
                        fmt(p["peak_rss_mib"]) if p else "n/a", agree(p)])
        table(["job", "threads", "batch", "dsml img/s", "PyTorch img/s", "ratio", "dsml share of SGEMM",
               "PyTorch share of SGEMM", "dsml peak MiB", "PyTorch peak MiB", "agrees"], out)

    if of("eval-cmd"):
        print("## `dsml eval` on saved .npy files\n\nThe whole command (reading the .npy files, float32 inputs and "
              "int64 labels as PyTorch saves them; Euclidean ranking and every metric) against the same job in "
              "plain NumPy and with faiss `IndexFlatL2` (metrics in NumPy), each its own process: wall seconds and "
              "peak RSS in MiB of that process. pytorch-metric-learning's AccuracyCalculator runs only when it can "
              "be imported (a note says when it was not).\n")
        out = []
        for r in of("eval-cmd"):
            ps = [peer(n, r, "threads", "dim", "queries", "database") for n in ("numpy", "faiss",
                                                                               "pytorch-metric-learning")]
            sec = lambda p: p["seconds"] if p else None
            row = [r["threads"], f"{r['queries']:,} x {r['database']:,} x {r['dim']}", fmt(r["seconds"], 2),
                   mem(r)]
            for p in ps:
                row += [fmt(sec(p), 2), mem(p), ratio(r["seconds"], sec(p), False), agree(p)]
            out.append(row)
        head = ["threads", "queries x database x d", "dsml s", "dsml MiB"]
        for n in ("numpy", "faiss", "PML"):
            head += [f"{n} s", f"{n} MiB", f"vs {n}", "agrees"]
        table(head, out)

    if of("eval"):
        print("## Exact retrieval evaluation\n\nEvery query ranks the whole database (Euclidean), then Recall@1..32, "
              "MAP, MAP@R, precision and F1@5000 from that ranking; ten Gaussian clusters. Memory: peak RSS in MiB, "
              "in brackets what the evaluation added to the inputs (and to the imported modules). The peers' "
              "metrics must agree with dsml's to 1e-6.\n")
        out = []
        for r in of("eval"):
            f, t = peer("faiss", r, "threads", "dim", "queries", "database"), peer("torch", r, "threads", "dim",
                                                                                 "queries", "database")
            sec = lambda p: p["seconds"] if p else None
            out.append([r["threads"], f"{r['queries']:,} x {r['database']:,} x {r['dim']}", fmt(r["seconds"], 2),
                        mem(r), fmt(sec(f), 2), mem(f), ratio(r["seconds"], sec(f), False), fmt(sec(t), 2), mem(t),
                        ratio(r["seconds"], sec(t), False), f"{r['recall'][0]:.4f} / {r['map']:.4f}",
                        f"{agree(f)} / {agree(t)}"])
        table(["threads", "queries x database x d", "dsml s", "dsml MiB", "faiss s", "faiss MiB", "vs faiss",
               "torch s", "torch MiB", "vs torch", "R@1 / MAP", "agrees (faiss / torch)"], out)

    if of("hamming"):
        print("## Hamming ranking\n\nPacked binary codes (class prototypes with 30% of the bits flipped); every "
              "query ranks the whole database by Hamming distance, ties by database index, MAP@50000. dsml ranks "
              "all queries; the peers the first 1,000 (compared with dsml's scores of those), so speeds are "
              "queries per second.\n")
        out = []
        for r in of("hamming"):
            npy, f = peer("numpy", r, "threads", "bits"), peer("faiss", r, "threads", "bits")
            qps = lambda p: p["queries_per_s"] if p else None
            out.append([r["bits"], f"{r['queries']:,} x {r['database']:,}", fmt(r["seconds"], 2),
                        fmt(r["queries_per_s"]), mem(r), fmt(qps(npy)), mem(npy), ratio(r["queries_per_s"], qps(npy)),
                        fmt(qps(f)), mem(f), ratio(r["queries_per_s"], qps(f)), f"{r['map_at_t']:.4f}",
                        f"{agree(npy)} / {agree(f)}"])
        table(["bits", "queries x database", "dsml s", "dsml q/s", "dsml MiB", "numpy q/s", "numpy MiB", "vs numpy",
               "faiss q/s", "faiss MiB", "vs faiss", "MAP@50000", "agrees (numpy / faiss)"], out)

    if of("kmeans"):
        print("## k-means\n\nk-means++ then Lloyd iterations on Gaussian clusters with labels (as many clusters "
              "as k). NMI against the labels; agreement: inertia within 1% and NMI within 0.05 of dsml's "
              "(different starts reach different local optima).\n")
        out = []
        for r in of("kmeans"):
            cells = [r["threads"], f"{r['points']:,} x {r['dim']}", r["k"]]
            for p in (r, peer("faiss", r, "threads", "k", "points"), peer("sklearn", r, "threads", "k", "points")):
                cells += ["n/a"] * 3 if p is None else [fmt(p["seconds"], 2), p["iterations"], f"{p['nmi']:.3f}"]
            f, s = peer("faiss", r, "threads", "k", "points"), peer("sklearn", r, "threads", "k", "points")
            cells += [ratio(r["seconds"], f["seconds"] if f else None, False),
                      ratio(r["seconds"], s["seconds"] if s else None, False), f"{agree(f)} / {agree(s)}"]
            out.append(cells)
        table(["threads", "points x d", "k", "dsml s", "iter", "NMI", "faiss s", "iter", "NMI", "sklearn s", "iter",
               "NMI", "vs faiss", "vs sklearn", "agrees (faiss / sklearn)"], out)

    if of("snr"):
        print("## SNR distance matrix\n\nOne batch, N x N from N x D: dsml's one GEMM on centred rows against "
              "pytorch-metric-learning's SNRDistance (an N x N x D tensor of differences), best of several calls; "
              "entries agree to 1e-4 of the largest.\n")
        out = []
        for r in of("snr"):
            p = peer("torch-pml", r, "threads", "n", "dim")
            out.append([r["threads"], f"{r['n']:,} x {r['n']:,} x {r['dim']}", fmt(r["seconds"] * 1e3, 2), mem(r),
                        fmt(p["seconds"] * 1e3, 2) if p else "n/a", mem(p),
                        ratio(r["seconds"], p["seconds"] if p else None, False), agree(p)])
        table(["threads", "N x N x D", "dsml ms", "dsml MiB", "PML ms", "PML MiB", "ratio", "agrees"], out)

    if of("prepare"):
        print("## Prepare\n\n`dsml prepare` from the source files to the cache, through the command line: wall "
              "time and the process's peak RSS (the prepared images must be in memory once; the archive must "
              "not be).\n")
        table(["dataset", "source", "source MiB", "images", "seconds", "images/s", "peak MiB", "prepared MiB"],
              [[r["dataset"], r.get("source", ""), fmt(r.get("source_mib")), fmt(r["images"]), fmt(r["seconds"], 2),
                fmt(r["images_per_s"]), fmt(r["peak_rss_mib"]), fmt(r["dataset_mib"], 1)] for r in of("prepare")])

    if of("run"):
        print("## One full run\n\n`dsml train` on Fashion-MNIST, prepared cache present: load, train, embed the "
              "70,000 images, evaluate (Euclidean, Hamming, k-means), write the results.\n")
        table(["config", "wall s", "load / train / embed / evaluate s", "train img/s", "peak MiB", "R@1", "MAP"],
              [[r["config"], fmt(r["seconds"], 1), " / ".join(fmt(r["wall_seconds"].get(k), 1) for k in
                                                             ("load", "train", "embed", "evaluate")),
                fmt(r["train_images_per_s"]), fmt(r["peak_rss_mib"]), f"{r['recall@1']:.4f}", f"{r['map']:.4f}"]
               for r in of("run")])

    if of("reproduce"):
        print("## make reproduce\n\nThe default sweep (`paper.sweep`, seed 1) from an empty results folder, "
              "through `make -jN reproduce`: every metric-learning and hashing run of the datasets present, "
              "then the summary, tables and figures. Peak MiB: the largest process.\n")
        table(["command", "wall min", "peak MiB"],
              [[r["command"], fmt(r["seconds"] / 60, 1), fmt(r["peak_rss_mib"])]
               for r in of("reproduce")])

    if sgemm:
        print("## SGEMM (BLIS)\n")
        table(["threads", "square size", "square GFLOP/s", "conv2 shape GFLOP/s"],
              [[t, r["size"], fmt(r["gflops_square"], 1), fmt(r["gflops_conv2_shape"], 1)]
               for t, r in sorted(sgemm.items())])


if __name__ == "__main__":
    main()
