#!/usr/bin/python3
"""The table of bench/reference.sh: for every loss x distance of dsml's
reference runs (RESULTS/<dataset>/<run>/metrics.json), dsml's Recall@1, MAP
and MAP@R beside PyTorch's on the same options (the JSON lines of
torch_reference.py), mean +- sample std over the seeds each side has.

  reference_report.py TORCH.jsonl RESULTS"""
import glob
import json
import os
import statistics
import sys

METRICS = (("recall@1", "Recall@1"), ("map", "MAP"), ("map@r", "MAP@R"))
# The options that matter to each loss (others keep their defaults on both sides)
SETTINGS = {"contrastive": ("margin",), "triplet": ("margin",), "lifted": ("margin", "beta"),
            "npair": ("npair_l2",)}
COMMON = ("lambda", "clip_grad", "lr", "epochs", "dim")


def setting(d):
    keys = SETTINGS.get(d["loss"], ()) + COMMON
    return tuple((k, round(float(d[k]), 6)) for k in keys)


def cell(values):
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: reference_report.py TORCH.jsonl RESULTS")
    torch_runs = {}
    if os.path.exists(sys.argv[1]):
        with open(sys.argv[1]) as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    r["lambda"] = r["reg_lambda"]
                    torch_runs[(r["loss"], r["distance"], setting(r), r["seed"])] = r   # the latest wins
    groups = {}
    for path in sorted(glob.glob(os.path.join(sys.argv[2], "*", "*", "metrics.json"))):
        with open(path) as f:
            m = json.load(f)
        c = m["config"]
        if m["data"]["split"].get("evaluated_on_validation"):
            continue
        c = dict(c, clip_grad=c.get("clip_grad", 0), **{"lambda": c["lambda"]})
        key = (c["loss"], c["distance"], setting(c))
        e = m["metrics"]["euclidean"]
        g = groups.setdefault(key, {"dsml": [], "torch": []})
        g["dsml"].append(e)
        t = torch_runs.get(key + (c["seed"],))
        if t:
            g["torch"].append(t)
    print("| loss | distance | settings | seeds (dsml / PyTorch) | "
          + " | ".join(f"{name} dsml | {name} PyTorch" for _, name in METRICS) + " |")
    print("|" + "---|" * (4 + 2 * len(METRICS)))
    for (loss, distance, s), g in sorted(groups.items()):
        shown = ", ".join(f"{k} {v:g}" for k, v in s if k not in ("lr", "epochs", "dim") and (v or k != "clip_grad"))
        row = [loss, distance, shown, f"{len(g['dsml'])} / {len(g['torch'])}"]
        for key, _ in METRICS:
            row += [cell([r[key] for r in g["dsml"]]), cell([r[key] for r in g["torch"]])]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
