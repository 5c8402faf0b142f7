#!/usr/bin/python3
"""Runs one dsml command and prints one JSON line with its wall time and peak
memory (the child's maximum resident set, from getrusage(RUSAGE_CHILDREN)),
for the prepare and full-run benchmarks of bench/run.sh.

  measure.py [KEY=VALUE ...] [--info DSML NAME DATA] [--metrics FILE] -- CMD ARGS...

KEY=VALUE pairs go into the line as they are (VALUE parsed as JSON when it
can be). --info: afterwards, `DSML data info NAME --data DATA` must succeed
and its image count goes into the line with images per second. --metrics:
the metrics.json a training run wrote must exist; its wall times, training
images per second and Recall@1 / MAP go into the line. A command that fails
fails this script (exit status 1), so the bench reports it."""
import json
import os
import resource
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    if "--" not in args:
        raise SystemExit(__doc__)
    cut = args.index("--")
    opts, cmd = args[:cut], args[cut + 1:]
    line, info, metrics = {}, None, None
    i = 0
    while i < len(opts):
        if opts[i] == "--info":
            info, i = opts[i + 1:i + 4], i + 4
        elif opts[i] == "--metrics":
            metrics, i = opts[i + 1], i + 2
        else:
            key, _, value = opts[i].partition("=")
            try:
                line[key] = json.loads(value)
            except ValueError:
                line[key] = value
            i += 1
    start = time.perf_counter()
    rc = subprocess.run(cmd, stdout=subprocess.DEVNULL).returncode
    elapsed = time.perf_counter() - start
    if rc:
        raise SystemExit(f"measure.py: {' '.join(cmd)}: exit status {rc}")
    line["seconds"] = round(elapsed, 3)
    line["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0, 1)
    if info:
        out = subprocess.run([info[0], "data", "info", info[1], "--data", info[2]], capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(f"measure.py: data info {info[1]}: {out.stderr.strip()}")
        d = json.loads(out.stdout)
        line["images"] = d["images"]
        line["images_per_s"] = round(d["images"] / elapsed, 1)
        line["dataset_mib"] = round(d["images"] * d["shape"][0] * d["shape"][1] * d["shape"][2] / 2**20, 1)
    if metrics:
        with open(metrics) as f:
            m = json.load(f)
        line["wall_seconds"] = {k: round(v, 3) for k, v in m["wall_seconds"].items()}
        line["train_images_per_s"] = round(m["training"]["images_per_second"], 1)
        e = m["metrics"]["euclidean"]
        line["recall@1"], line["map"] = e["recall@1"], e["map"]
    print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
