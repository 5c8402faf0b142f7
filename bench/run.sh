#!/usr/bin/env bash
# Runs dsml's benchmarks and the peers' in one go, on this machine, and writes
# bench/results/<date>-<host>.json (one object per line) and a Markdown table
# beside it (bench/report.py). SMOKE=1: each benchmark once on tiny sizes,
# nothing written under bench/results (CI runs this so the benchmarks cannot
# rot).
#
# Every dsml job writes its inputs and results into a fresh work folder; the
# peers (bench/peers/*.py) read them, compute the same thing, and exit with
# status 3 when their result disagrees with dsml's. A disagreement or a crash
# fails this script (after the table is written); a timing never does.
# Environment: BENCH (the bench_dsml binary), DSML (the dsml binary), PY
# (a Python with the peers' modules; default /usr/bin/python3, Debian's),
# BENCH_TRAIN_THREADS (thread counts of the training jobs, default "1 2"),
# BENCH_THREADS (threads of every other job, default the largest of those),
# CIFAR (the CIFAR-10 archive), BENCH_REPRODUCE=1 (also time `make -j2
# reproduce`) and BENCH_REPRODUCE_RESULTS (a new folder to keep its results in).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
BENCH=${BENCH:-build/bench/bench_dsml}
DSML=${DSML:-bin/dsml}
PY=${PY:-/usr/bin/python3}
export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ in the tree
# CIFAR-10 for the prepare figure: CIFAR=PATH, else the shared data folder beside the clone
CIFAR=${CIFAR:-${DSML_SHARED:-../shared}/data/cifar10/cifar-10-binary.tar.gz}
smoke=${SMOKE:-0}
kept=${BENCH_REPRODUCE_RESULTS:-}
if [ -n "$kept" ] && [ -e "$kept" ]; then
    echo "bench: $kept exists; BENCH_REPRODUCE_RESULTS must name a new folder" >&2
    exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "$smoke" = 1 ]; then
    out=$work/smoke
    threads="1"; sgemm_size=500; iters=2; embed_n=300; train_cfgs="contrastive:euclidean triplet:snr"
    alexnet_train="20 1"; alexnet_embed="20 1"
    eval_size="50 2000"; eval_dims="16"; eval_cmd="50 2000 16"
    ham_size="200 3000"; ham_bits="24"
    km_size="3000 16"; km_ks="10"
    snr_size="200 32"; snr_reps=2
    jpegs="50 48"
    run_args="--model mlp --epochs 1"
else
    mkdir -p bench/results
    out=bench/results/$(date -u +%Y-%m-%d)-$(hostname -s)
    threads=${BENCH_TRAIN_THREADS:-1 2}; sgemm_size=2000; iters=100; embed_n=70000
    train_cfgs="contrastive:euclidean contrastive:snr triplet:euclidean triplet:snr"
    alexnet_train="100 5"; alexnet_embed="100 5"   # BATCH ITERS, BATCH REPS: AlexNet steps take 1.5-6 s
    eval_size="1000 69000"; eval_dims="16 32 64"; eval_cmd="1000 69000 32"
    ham_size="10000 50000"; ham_bits="16 24 32 48"
    km_size="69000 32"; km_ks="10 100"
    snr_size="1000 64"; snr_reps=3
    jpegs="2000 96"
    run_args="--model convnet --epochs 10"
fi
json=$out.json
: > "$json"
failures=0
start=$(date +%s)

note() { echo "bench: $*" >&2; printf '{"bench": "note", "text": "%s"}\n' "$*" >> "$json"; }
fail() { echo "bench: FAILED: $*" >&2; failures=$((failures + 1)); }

# Which peers can run here.
have() { "$PY" -c "import $1" 2>/dev/null; }
numpy=0; torch=0; faiss=0; sklearn=0
if have numpy; then numpy=1; else note "NumPy is not installed (make bench-deps): no peer can run"; fi
if have torch; then torch=1; else note "PyTorch is not installed (make bench-deps): its figures are missing"; fi
if have faiss; then faiss=1; else note "faiss is not installed (make bench-deps): its figures are missing"; fi
if have sklearn; then sklearn=1; else note "scikit-learn is not installed (make bench-deps): its figures are missing"; fi
[ $numpy = 1 ] || { torch=0; faiss=0; sklearn=0; }

# ours CMD...: runs a bench_dsml job in a fresh work folder $jw (passed as the
# last argument) and records its line; the peers of the job read $jw.
n=0
jw=
ours() {
    [ -n "$jw" ] && rm -rf "$jw"
    n=$((n + 1)); jw=$work/job$n; mkdir -p "$jw"
    echo "bench: $*" >&2
    if "$@" "$jw" > "$jw/dsml.json"; then tee -a "$json" < "$jw/dsml.json"; return 0; fi
    fail "$*"; return 1
}
# peer FLAG SCRIPT ARGS...: runs a peer on $jw when FLAG is 1; exit status 3
# is a disagreement with dsml (its line is still recorded).
peer() {
    [ "$1" = 1 ] || return 0
    shift
    echo "bench: peer $*" >&2
    local script=$1
    shift
    "$PY" "bench/peers/$script" "$@" "$jw" | tee -a "$json"
    local rc=${PIPESTATUS[0]}
    if [ "$rc" = 3 ]; then fail "peer $script $*: disagrees with dsml"; elif [ "$rc" != 0 ]; then fail "peer $script $*: exit $rc"; fi
}
# measured KEY=VALUE... [--info ...] [--metrics F] -- CMD...: a dsml command's wall time and peak memory.
measured() {
    echo "bench: measure $*" >&2
    "$PY" bench/measure.py "$@" | tee -a "$json"
    [ "${PIPESTATUS[0]}" = 0 ] || fail "measure $*"
}

for t in $threads; do
    echo "bench: $BENCH sgemm $t $sgemm_size" >&2
    "$BENCH" sgemm "$t" "$sgemm_size" | tee -a "$json" || fail "sgemm $t"
    for cfg in $train_cfgs; do
        loss=${cfg%:*}; dist=${cfg#*:}
        ours "$BENCH" train "$t" "$loss" "$dist" "$iters" &&
            peer $torch torch_convnet.py train "$t" "$loss" "$dist" "$iters"
    done
    # shellcheck disable=SC2086
    ours "$BENCH" alexnet-train "$t" triplet snr $alexnet_train &&
        peer $torch torch_alexnet.py train "$t" triplet snr $alexnet_train
done
# The jobs below run at one thread count: BENCH_THREADS, else the largest above.
t=${BENCH_THREADS:-${threads##* }}
[ "$t" = "${threads##* }" ] || note "embedding, evaluation, k-means, SNR and the full run at $t thread(s) (BENCH_THREADS)"
ours "$BENCH" embed "$t" "$embed_n" && peer $torch torch_convnet.py embed "$t" "$embed_n"
# shellcheck disable=SC2086
ours "$BENCH" alexnet-embed "$t" $alexnet_embed && peer $torch torch_alexnet.py embed "$t" $alexnet_embed
for d in $eval_dims; do
    # shellcheck disable=SC2086
    ours "$BENCH" eval "$t" $eval_size "$d" && { peer $faiss retrieval.py faiss "$t"; peer $torch retrieval.py torch "$t"; }
done
# `dsml eval` on .npy files as a PyTorch user saves them, against NumPy, faiss and (when importable)
# pytorch-metric-learning, each its own process: time, peak RSS, agreement (bench/peers/eval_cmd.py)
if [ $numpy = 1 ]; then
    mkdir -p "$work/eval-cmd"
    echo "bench: peer eval_cmd.py $eval_cmd" >&2
    # shellcheck disable=SC2086
    "$PY" bench/peers/eval_cmd.py "$DSML" "$t" $eval_cmd "$work/eval-cmd" | tee -a "$json"
    rc=${PIPESTATUS[0]}
    [ "$rc" = 0 ] || fail "eval_cmd.py: exit $rc (3: a peer disagrees with dsml eval)"
    rm -rf "$work/eval-cmd"
fi
for b in $ham_bits; do
    # shellcheck disable=SC2086
    ours "$BENCH" hamming "$t" $ham_size "$b" && { peer $numpy hamming.py numpy "$t"; peer $faiss hamming.py faiss "$t"; }
done
for k in $km_ks; do
    # shellcheck disable=SC2086
    ours "$BENCH" kmeans "$t" $km_size "$k" && { peer $faiss kmeans.py faiss "$t"; peer $sklearn kmeans.py sklearn "$t"; }
done
# shellcheck disable=SC2086
ours "$BENCH" snr "$t" $snr_size "$snr_reps" && peer $torch snr_pml.py "$t" "$snr_reps"
# The accuracy peer (bench/reference.sh runs it for real): in the smoke run one
# epoch of lifted structured and of N-pair on 20 images per class, so it cannot rot.
if [ "$smoke" = 1 ] && [ $torch = 1 ]; then
    for cfg in "lifted snr --beta 8" "npair snr --batch 20 --images-per-class 2 --clip-grad 1"; do
        # shellcheck disable=SC2086 # the words of cfg are the options
        set -- $cfg
        echo "bench: peer torch_reference.py $cfg" >&2
        (cd bench/peers && "$PY" torch_reference.py train --loss "$1" --distance "$2" "${@:3}" --lambda 0.01 \
            --epochs 1 --train-per-class 20 --threads "$t" --out "$work/reference.jsonl") ||
            fail "peer torch_reference.py $cfg"
    done
fi
rm -rf "$jw"

# Prepare throughput and one full run, through the command line.
data=$work/data
if [ -f "$CIFAR" ]; then
    measured bench=prepare dataset=cifar10 source="\"$(basename "$CIFAR")\"" \
        source_mib="$(( $(stat -c %s "$CIFAR") / 1048576 ))" --info "$DSML" cifar10 "$data" -- \
        "$DSML" prepare cifar10 --from "$CIFAR" --data "$data" --quiet
    rm -f "$data/cache/cifar10.dsd"
else
    note "CIFAR-10 archive not found at $CIFAR (set CIFAR=PATH): no CIFAR-10 prepare figure"
fi
mkdir -p "$work/jpegs"
# shellcheck disable=SC2086
"$BENCH" jpegs "$work/jpegs" $jpegs || fail "jpegs"
measured bench=prepare dataset=imagefolder source="\"${jpegs% *} JPEGs of ${jpegs#* }x${jpegs#* }\"" \
    source_mib="$(du -sm "$work/jpegs" | cut -f1)" --info "$DSML" jpegbench "$data" -- \
    "$DSML" prepare imagefolder --from "$work/jpegs" --name jpegbench --data "$data" --quiet
rm -rf "$work/jpegs"
fmnist=${DSML_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
measured bench=prepare dataset=fashion-mnist source='"IDX .gz files"' source_mib="$(du -smL "$fmnist" | cut -f1)" \
    --info "$DSML" fashion-mnist "$data" -- "$DSML" prepare fashion-mnist --data "$data" --quiet
# shellcheck disable=SC2086
measured bench=run config="\"triplet snr d32 $run_args --threads $t\"" --metrics "$work/run/metrics.json" -- \
    "$DSML" train --loss triplet --distance snr --dim 32 $run_args --threads "$t" --data "$data" \
    --out "$work/run" --quiet

# BENCH_REPRODUCE=1: also the whole default `make -j2 reproduce` (about 55 minutes on 2 cores) into
# a fresh results folder, with Fashion-MNIST and, when its archive is found, CIFAR-10.
# BENCH_REPRODUCE_RESULTS=DIR keeps those results there (it must not exist yet).
if [ "${BENCH_REPRODUCE:-0}" = 1 ] && [ "$smoke" != 1 ]; then
    from=; [ -f "$CIFAR" ] && from="SWEEP_FROM=cifar10=$CIFAR"
    kept=${kept:-$work/reproduce}
    measured bench=reproduce command="\"make -j2 reproduce $from\"" -- \
        make --no-print-directory -j2 reproduce RESULTS="$kept" TABLES="$work/tables" PLOTS="$work/plots" \
        DSML="$DSML" ${from:+"$from"}
    runs=$(find "$kept" -name metrics.json -not -path '*/tune/*' | wc -l)
    printf '{"bench": "note", "text": "make reproduce: %s runs finished"}\n' "$runs" >> "$json"
fi

echo "bench: done in $(( $(date +%s) - start )) s, $failures failure(s)" >&2
"$PY" bench/report.py "$json" > "$out.md" || fail "report"
cat "$out.md"
[ "$failures" = 0 ]
