#!/usr/bin/env bash
# The transfer test: does fine-tuning from imported weights beat training
# from scratch? The same import and fine-tuning path ImageNet weights take,
# at a size that runs in minutes on 2 cores.
#
#   1. bench/convnet_pretrain.py trains dsml's `convnet` in PyTorch as a
#      classifier of CIFAR-10's classes 0-4 and saves its state dict with
#      torch.save (PyTorch's own layout).
#   2. dsml trains the same network with a metric-learning loss, once from
#      the imported weights (--weights, the classifier replaced by the
#      embedding layer) and once from a fresh initialisation, over SEEDS:
#      MODE=new-classes (default): fine-tuning on classes 5-9, which the
#        pretraining never saw, with a small budget: `--classes 5-9` and the
#        default dml split (per class 100 queries, the rest the database, 500
#        of it the training set), STEPS batches (default 100 of 100 images,
#        4 passes over the 2,500 training images);
#      MODE=zero-shot: training on classes 0-4 (the pretraining's) for
#        EPOCHS epochs and evaluating on classes 5-9 (--split zero-shot, the
#        paper's protocol for CUB and Cars).
#   3. A table of Recall@1 and MAP on classes 5-9, mean and sample std.
#
# Environment: DSML (binary, default bin/dsml), CIFAR (the official binary
# archive; default the shared data folder beside the clone), OUT (a new
# folder for everything, default a temp dir), MODE (new-classes or
# zero-shot), SEEDS (default "1 2 3"), STEPS (new-classes, default 100),
# EPOCHS (zero-shot, default 3), PRETRAIN_EPOCHS (default 2), WEIGHTS (an
# existing convnet.pth to skip step 1), LOSS (default triplet), THREADS (2).
# Runs already finished in OUT are kept, so a rerun only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
DSML=${DSML:-bin/dsml}
CIFAR=${CIFAR:-${DSML_SHARED:-../shared}/data/cifar10/cifar-10-binary.tar.gz}
OUT=${OUT:-$(mktemp -d)}
SEEDS=${SEEDS:-1 2 3}
MODE=${MODE:-new-classes}
STEPS=${STEPS:-100}
EPOCHS=${EPOCHS:-3}
LOSS=${LOSS:-triplet}
THREADS=${THREADS:-2}
[ -f "$CIFAR" ] || { echo "transfer: $CIFAR not found (set CIFAR)" >&2; exit 2; }
case $MODE in
    new-classes) budget=(--classes 5-9 --steps "$STEPS") ;;
    zero-shot) budget=(--split zero-shot --epochs "$EPOCHS") ;;
    *) echo "transfer: MODE=$MODE, expected new-classes or zero-shot" >&2; exit 2 ;;
esac
mkdir -p "$OUT"
weights=${WEIGHTS:-$OUT/pretrain/convnet.pth}
if [ ! -f "$weights" ]; then
    /usr/bin/python3 bench/convnet_pretrain.py --cifar "$CIFAR" --out "$OUT/pretrain" \
        --epochs "${PRETRAIN_EPOCHS:-2}" --threads "$THREADS"
fi
common=(--dataset cifar10 --from "$CIFAR" --data "$OUT/data" "${budget[@]}" --model convnet --loss "$LOSS"
        --distance euclidean --dim 32 --batch 100 --images-per-class 20 --threads "$THREADS" --quiet --no-embeddings)
for seed in $SEEDS; do
    for start in pretrained scratch; do
        dir=$OUT/runs-$MODE/$start-s$seed
        [ -f "$dir/metrics.json" ] && continue
        extra=()
        [ "$start" = pretrained ] && extra=(--weights "$weights")
        echo "transfer: $MODE, $start, seed $seed" >&2
        "$DSML" train "${common[@]}" "${extra[@]}" --seed "$seed" --out "$dir"
    done
done
/usr/bin/python3 - "$OUT/runs-$MODE" <<'PY'
import glob, json, statistics, sys
rows = {}
for path in sorted(glob.glob(sys.argv[1] + "/*/metrics.json")):
    m = json.load(open(path))
    start = path.split("/")[-2].rsplit("-s", 1)[0]
    e = m["metrics"]["euclidean"]
    rows.setdefault(start, []).append((e["recall@1"], e["map"], m["wall_seconds"]["train"]))
    c, s = m["config"], m["data"]["split"]
    setup = (f"classes {c.get('classes', 'all')}, split {s['kind']}: {s['query']} queries, {s['database']} database, "
             f"{s['train']} training images; {m['training']['images']} images trained, {c['threads']} threads")
print(setup + "\n")
print("| start | runs | Recall@1 (%) | MAP (%) | training (s) |\n|---|---|---|---|---|")
for start, v in rows.items():
    def cell(i, scale=100):
        xs = [scale * r[i] for r in v]
        return f"{statistics.mean(xs):.2f} ± {statistics.stdev(xs):.2f}" if len(xs) > 1 else f"{xs[0]:.2f}"
    print(f"| {start} | {len(v)} | {cell(0)} | {cell(1)} | {cell(2, 1)} |")
PY
