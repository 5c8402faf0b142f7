#!/usr/bin/env bash
# Runs dsml's benchmarks and the peers' in one go, on this machine, and writes
# bench/results/<date>-<host>.json (one object per line) and a Markdown table
# beside it. SMOKE=1: each benchmark once on tiny sizes, nothing written under
# bench/results (CI runs this so the benchmarks cannot rot).
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=build/bench/bench_dsml
PY=/usr/bin/python3
smoke=${SMOKE:-0}
if [ "$smoke" = 1 ]; then
    out=$(mktemp -d)/smoke
    iters=3; embed_n=500; eval_args="50 2000 16"
else
    mkdir -p bench/results
    out=bench/results/$(date -u +%Y-%m-%d)-$(hostname -s)
    iters=60; embed_n=70000; eval_args="1000 69000 32"
fi
json=$out.json
: > "$json"
have_torch=0
if "$PY" -c 'import torch' 2>/dev/null; then have_torch=1; else
    echo "bench: PyTorch is not installed (make bench-deps); reporting dsml's own figures only" >&2; fi

step() { echo "bench: $*" >&2; "$@" | tee -a "$json"; }

for t in 1 2; do
    step "$BENCH" sgemm "$t"
    for loss in contrastive triplet; do
        for dist in euclidean snr; do
            step "$BENCH" train "$t" "$loss" "$dist" "$iters"
            [ $have_torch = 1 ] && step "$PY" bench/peers/torch_convnet.py train "$t" "$loss" "$dist" "$iters"
        done
    done
    step "$BENCH" embed "$t" "$embed_n"
    [ $have_torch = 1 ] && step "$PY" bench/peers/torch_convnet.py embed "$t" "$embed_n"
    # shellcheck disable=SC2086
    step "$BENCH" eval "$t" $eval_args
done
"$PY" bench/report.py "$json" > "$out.md"
cat "$out.md"
[ "$smoke" = 1 ] && rm -rf "$(dirname "$out")"
exit 0
