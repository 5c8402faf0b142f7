#!/usr/bin/python3
"""Turns the JSON lines of bench/run.sh into a Markdown table of dsml against
its peers, as ratios measured in the same run."""
import json
import platform
import sys


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    ours = [r for r in rows if "peer" not in r]
    peers = {(r["bench"], r["threads"], r.get("loss"), r.get("distance")): r for r in rows if "peer" in r}
    sgemm = {r["threads"]: r for r in ours if r["bench"] == "sgemm"}
    print(f"# dsml benchmarks\n\nCPU: {cpu_name()}, {len(sgemm)} thread settings.\n")
    print("## Training throughput (convnet 1x28x28, batch 100, d=32, forward + loss + backward + SGD)\n")
    print("| threads | loss | distance | dsml img/s | PyTorch img/s | ratio | GEMM GFLOP/s | share of SGEMM rate |")
    print("|---|---|---|---|---|---|---|---|")
    for r in ours:
        if r["bench"] != "train":
            continue
        p = peers.get(("train", r["threads"], r["loss"], r["distance"]))
        peak = sgemm[r["threads"]]["gflops_2000"]
        ratio = f"{r['images_per_s'] / p['images_per_s']:.2f}x" if p else "n/a"
        print(f"| {r['threads']} | {r['loss']} | {r['distance']} | {r['images_per_s']:.0f} | "
              f"{p['images_per_s']:.0f} | {ratio} | " if p else
              f"| {r['threads']} | {r['loss']} | {r['distance']} | {r['images_per_s']:.0f} | n/a | n/a | ", end="")
        print(f"{r['gemm_gflops_effective']:.1f} | {r['gemm_gflops_effective'] / peak:.0%} |")
    print("\n## Embedding throughput (forward only)\n")
    print("| threads | images | dsml img/s | PyTorch img/s | ratio |\n|---|---|---|---|---|")
    for r in ours:
        if r["bench"] != "embed":
            continue
        p = peers.get(("embed", r["threads"], None, None))
        pv = f"{p['images_per_s']:.0f}" if p else "n/a"
        ratio = f"{r['images_per_s'] / p['images_per_s']:.2f}x" if p else "n/a"
        print(f"| {r['threads']} | {r['images']} | {r['images_per_s']:.0f} | {pv} | {ratio} |")
    print("\n## Exact evaluation (Recall@K, MAP, MAP@T, F1@5000, MAP@R; Euclidean and Hamming)\n")
    print("| threads | queries x database x d | Euclidean s | Hamming s | total s | peak RSS MiB | inputs MiB |")
    print("|---|---|---|---|---|---|---|")
    for r in ours:
        if r["bench"] == "eval":
            print(f"| {r['threads']} | {r['queries']} x {r['database']} x {r['dim']} | {r['euclidean_s']:.3f} | "
                  f"{r['hamming_s']:.3f} | {r['total_s']:.3f} | {r['peak_rss_mib']:.0f} | {r['inputs_mib']:.0f} |")
    print("\n## SGEMM (BLIS)\n\n| threads | 2000^3 GFLOP/s | conv2 shape GFLOP/s |\n|---|---|---|")
    for t, r in sorted(sgemm.items()):
        print(f"| {t} | {r['gflops_2000']:.1f} | {r['gflops_conv2_shape']:.1f} |")


if __name__ == "__main__":
    main()
