#!/usr/bin/env python3
"""Exit 0 when two run directories hold the same results, bit for bit: the metrics, config,
data, model and per-epoch training losses of their metrics.json, and the bytes of their
embeddings.bin. Timings, hosts and the program's finishing time are not compared.
Otherwise print the first difference and exit 1 (2 when a file is missing or unreadable).
Usage: tests/slurm/same_run.py EXPECTED_DIR ACTUAL_DIR"""
import json
import os
import sys

COMPARED = ("metrics", "config", "data", "model")


def load(run):
    path = os.path.join(run, "metrics.json")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def canonical(value):
    # as text, so that NaN equals NaN and 0.1 is compared as the digits the file holds
    return json.dumps(value, sort_keys=True)


def first_difference(a, b, where):
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return "%s.%s: present in only one run" % (where, key)
            found = first_difference(a[key], b[key], "%s.%s" % (where, key))
            if found:
                return found
        return None
    if canonical(a) != canonical(b):
        return "%s: expected %s, found %s" % (where, canonical(a)[:200], canonical(b)[:200])
    return None


def main(expected, actual):
    try:
        a, b = load(expected), load(actual)
        with open(os.path.join(expected, "embeddings.bin"), "rb") as f:
            emb_a = f.read()
        with open(os.path.join(actual, "embeddings.bin"), "rb") as f:
            emb_b = f.read()
    except (OSError, ValueError) as e:
        print("same_run: %s" % e)
        return 2
    for key in COMPARED:
        found = first_difference(a.get(key), b.get(key), key)
        if found:
            print("same_run: %s vs %s: %s" % (expected, actual, found))
            return 1
    losses = [run.get("training", {}).get("loss_per_epoch") for run in (a, b)]
    if canonical(losses[0]) != canonical(losses[1]):
        print("same_run: %s vs %s: training.loss_per_epoch differs" % (expected, actual))
        return 1
    if emb_a != emb_b:
        at = next((i for i in range(min(len(emb_a), len(emb_b))) if emb_a[i] != emb_b[i]), min(len(emb_a), len(emb_b)))
        print("same_run: %s vs %s: embeddings.bin differs at byte %d (%d vs %d bytes)"
              % (expected, actual, at, len(emb_a), len(emb_b)))
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-1])
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
