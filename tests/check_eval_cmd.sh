#!/bin/sh
# dsml eval end to end: (1) its metrics on random .npy files (float32 and
# float64 embeddings, int64 labels, a bool multi-label matrix) against an
# independent NumPy implementation, to 1e-6 (tests/eval/numpy_check.py);
# (2) refusals and their exit status (2: usage, 1: data); (3) `dsml eval --run`
# repeats the metrics of tiny Fashion-MNIST runs exactly (the same printed
# numbers): a Euclidean dml run, a unit-sphere (vmf) run and a hashing run.
# Run by `make check` with DSML set. Without NumPy or Fashion-MNIST the parts
# that need them are skipped with a message, except under CI.
set -u
: "${DSML:?}"
PY=${PY:-/usr/bin/python3}
fail() { echo "FAIL: check_eval_cmd: $*"; exit 1; }
skip() { [ -n "${CI:-}" ] && fail "$* (CI is set: nothing may be skipped)"; echo "SKIP: check_eval_cmd: $*"; }
work=$(mktemp -d) || fail "mktemp"
trap 'rm -rf "$work"' EXIT
here=$(cd "$(dirname "$0")" && pwd)

# status WANT CMD...: runs CMD, requires exit status WANT and a message naming the file in $FRAGMENT.
status() {
    want=$1
    shift
    err=$("$@" 2>&1 >/dev/null)
    got=$?
    [ "$got" = "$want" ] || fail "'$*': exit $got, expected $want ($err)"
    case $err in *"$FRAGMENT"*) ;; *) fail "'$*': message '$err' lacks '$FRAGMENT'" ;; esac
}

if "$PY" -c "import numpy" 2>/dev/null; then
    "$PY" "$here/eval/numpy_check.py" "$DSML" "$work" || fail "dsml eval disagrees with NumPy"
    w=$work
    FRAGMENT="needs --query-labels" status 2 "$DSML" eval --query "$w/q.npy"
    FRAGMENT="--clusters 0: expected" status 2 "$DSML" eval --query "$w/q.npy" --query-labels "$w/ql.npy" --clusters 0
    FRAGMENT="ranking 'l2'" status 2 "$DSML" eval --query "$w/q.npy" --query-labels "$w/ql.npy" --ranking euclidean,l2
    FRAGMENT="--seed has nothing to do" status 2 "$DSML" eval --query "$w/q.npy" --query-labels "$w/ql.npy" \
        --no-clustering --seed 3
    FRAGMENT="qm.npy: multi-label queries have no clustering scores" status 2 "$DSML" eval --query "$w/q.npy" \
        --query-labels "$w/qm.npy" --clusters 5
    FRAGMENT="dl.npy: 600 rows of labels, expected 70 (the rows of $w/q.npy)" status 1 "$DSML" eval \
        --query "$w/q.npy" --query-labels "$w/dl.npy"
    FRAGMENT="ql.npy: an integer array of 1 dimension" status 1 "$DSML" eval --query "$w/ql.npy" --query-labels "$w/ql.npy"
    FRAGMENT="dm.npy: a multi-label matrix, but $w/ql.npy has class ids" status 1 "$DSML" eval --query "$w/q.npy" \
        --query-labels "$w/ql.npy" --database "$w/db.npy" --database-labels "$w/dm.npy"
    "$PY" -c "import numpy as np; np.save('$w/d5.npy', np.zeros((600, 5), np.float32))" || fail "numpy save"
    FRAGMENT="d5.npy: embeddings of size 5, but the queries ($w/q.npy) have 12" status 1 "$DSML" eval \
        --query "$w/q.npy" --query-labels "$w/ql.npy" --database "$w/d5.npy" --database-labels "$w/dl.npy"
    "$PY" -c "import numpy as np; np.savez('$w/x.npz', query=np.load('$w/q.npy'), query_labels=np.load('$w/ql.npy'))" ||
        fail "numpy savez"
    FRAGMENT="x.npz: no member 'database.npy'" status 1 "$DSML" eval --query "$w/x.npz" --database "$w/x.npz"
    "$DSML" eval --query "$w/x.npz" --out "$w/npz.json" && "$DSML" eval --query "$w/q.npy" --query-labels "$w/ql.npy" \
        > "$w/npy.json" && cmp -s "$w/npz.json" "$w/npy.json" || fail "the .npz's members do not score as the .npy files"
    echo "check_eval_cmd: NumPy agreement and refusals: ok"
else
    skip "python3-numpy is not installed: no comparison with NumPy"
fi

# Sanitized (make sanitize), preparing and training take minutes: the evaluator's code ran above;
# the --run reproduction, training code more than evaluation, is left to make check.
if [ -n "${DSML_SANITIZE:-}" ]; then
    echo "check_eval_cmd: sanitized build: the --run reproduction runs in make check only"
    echo "PASS: check_eval_cmd"
    exit 0
fi
fmnist=${DSML_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
if [ ! -r "$fmnist/train-images-idx3-ubyte.gz" ]; then
    skip "$fmnist is absent (apt-get install dataset-fashion-mnist): no --run reproduction"
    echo "PASS: check_eval_cmd"
    exit 0
fi
"$DSML" prepare fashion-mnist --data "$work/data" --quiet || fail "prepare fashion-mnist"
tiny="--data $work/data --model mlp --hidden 32 --dim 8 --epochs 1 --batch 4 --images-per-class 2 --classes 0-1 \
--threads 2 --quiet"
for run in "dml --seed 3 --queries-per-class 20 --train-per-class 20" \
           "vmf --seed 5 --loss vmf --queries-per-class 20 --train-per-class 20" \
           "hashing --seed 6 --protocol hashing --loss dpsh --queries-per-class 10"; do
    name=${run%% *}
    # shellcheck disable=SC2086 # the words are options
    "$DSML" train $tiny --out "$work/$name" ${run#* } || fail "training the $name run"
    "$DSML" eval --run "$work/$name" --out "$work/$name/eval.json" 2>"$work/$name/eval.err" || fail "eval --run $name"
    "$PY" - "$work/$name" <<'PYEOF' || fail "eval --run $name does not repeat its metrics.json"
import json, sys
run = sys.argv[1]
want = json.load(open(run + "/metrics.json"))["metrics"]
got = json.load(open(run + "/eval.json"))
want.pop("vmf", None)  # needs the loss's mean directions, not in embeddings.bin
# the same printed numbers: json gives back the exact doubles dsml printed with %.17g
if json.dumps(want, sort_keys=True) != json.dumps(got, sort_keys=True):
    for k in sorted(set(want) | set(got)):
        if want.get(k) != got.get(k):
            print(f"{run}: metrics.{k}: metrics.json {want.get(k)} vs eval {got.get(k)}")
    sys.exit(1)
print(f"check_eval_cmd: {run}: {len(want)} metric objects repeated exactly")
PYEOF
done
grep -q "metrics.vmf" "$work/vmf/eval.err" || fail "eval --run of a vmf run does not say that metrics.vmf is not repeated"
FRAGMENT="--run takes its inputs" status 2 "$DSML" eval --run "$work/dml" --map-at 5
echo "PASS: check_eval_cmd"
