#!/bin/sh
# A live test of `dsml sweep slurm`: starts munge and a one-node SLURM cluster
# (tests/slurm/slurm.conf.in) in a temporary directory, submits the job-array
# script generated for a tiny two-run sweep, waits for it, and checks that
# both runs finished (and that a second script has no task left). Exit 0 on
# success, 1 on a failure, 77 (with a SKIP line naming the reason) where SLURM
# cannot start here. Needs root (slurmd), slurm-wlm, munge, Fashion-MNIST.
# Usage: DSML_BIN=bin/dsml tests/check_slurm.sh   (from the repository root)
set -u
DSML=${DSML_BIN:-bin/dsml}
case "$DSML" in /*) ;; *) DSML="$(pwd)/$DSML" ;; esac
skip() { echo "SKIP: check_slurm: $*"; exit 77; }
fail() { echo "FAIL: check_slurm: $*"; keep=1; exit 1; }

for p in munged slurmctld slurmd sbatch sinfo; do
    command -v $p >/dev/null 2>&1 || skip "$p is not installed (apt-get install slurm-wlm munge)"
done
[ "$(id -u)" = 0 ] || skip "slurmd needs root here (running as uid $(id -u))"
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || skip "Fashion-MNIST is absent"
[ -x "$DSML" ] || fail "$DSML is not an executable"
[ -f tests/slurm/slurm.conf.in ] || fail "run from the repository root (tests/slurm/slurm.conf.in not found)"

DIR=$(mktemp -d /tmp/dsml-slurm.XXXXXX) || fail "mktemp"
keep=0
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    [ -f "$DIR/munge/munged.pid" ] && kill "$(cat "$DIR/munge/munged.pid")" 2>/dev/null
    sleep 1
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    if [ "$keep" = 1 ]; then echo "check_slurm: kept $DIR (logs: slurmctld.log, slurmd.log, logs/)"
    else rm -rf "$DIR"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir -p "$DIR/state" "$DIR/spool" "$DIR/munge" "$DIR/logs" && chmod 700 "$DIR/munge"
dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 2>/dev/null && chmod 400 "$DIR/munge/munge.key"
munged --socket="$DIR/munge/sock" --key-file="$DIR/munge/munge.key" --pid-file="$DIR/munge/munged.pid" \
    --log-file="$DIR/munge/munged.log" --seed-file="$DIR/munge/seed" --force >"$DIR/munge/start.log" 2>&1 ||
    skip "munged did not start: $(cat "$DIR/munge/start.log")"

HOST=$(hostname -s)
CPUS=$(nproc)
PORT=$((20000 + $$ % 20000))
sed -e "s|@DIR@|$DIR|g" -e "s|@HOST@|$HOST|g" -e "s|@CPUS@|$CPUS|g" -e "s|@USER@|$(id -un)|g" \
    -e "s|@CTLD_PORT@|$PORT|g" -e "s|@SLURMD_PORT@|$((PORT + 1))|g" -e "s|@MUNGE_SOCKET@|$DIR/munge/sock|g" \
    tests/slurm/slurm.conf.in > "$DIR/slurm.conf"
SLURM_CONF="$DIR/slurm.conf"
export SLURM_CONF
slurmctld -D -f "$SLURM_CONF" >"$DIR/slurmctld.out" 2>&1 &
pids="$pids $!"
slurmd -D -f "$SLURM_CONF" >"$DIR/slurmd.out" 2>&1 &
pids="$pids $!"
i=0
until sinfo -h -o %t 2>/dev/null | grep -q idle; do
    i=$((i + 1))
    if [ $i -gt 30 ]; then
        skip "the one-node cluster did not come up in 30 s: $(tail -n 3 "$DIR/slurmctld.log" "$DIR/slurmd.log" 2>/dev/null | tr '\n' ' ')"
    fi
    sleep 1
done

# Polls (sbatch --wait polls every 10 s): an array is done when squeue lists none of its tasks.
wait_job() {
    i=0
    while [ -n "$(squeue -h -j "$1" -o %i 2>/dev/null)" ]; do
        i=$((i + 1))
        [ $i -le 600 ] || fail "job $1 still queued or running after 300 s"
        sleep 0.5
    done
}

cat > "$DIR/tiny.sweep" <<'SWEEP'
set dataset=fashion-mnist dim=8 seed=1 model=mlp hidden=32 epochs=1 queries-per-class=10 train-per-class=20
set batch=20 images-per-class=2
dml loss=contrastive distance=euclidean,snr
SWEEP
"$DSML" sweep slurm --results "$DIR/results" --cpus-per-task 1 --log-dir "$DIR/logs" --out "$DIR/job.sbatch" \
    "$DIR/tiny.sweep" || fail "dsml sweep slurm failed"
grep -q -- '--array=0-1$' "$DIR/job.sbatch" || fail "expected --array=0-1 in $DIR/job.sbatch"
job=$(sbatch --parsable "$DIR/job.sbatch" 2>"$DIR/sbatch.err") || fail "sbatch: $(cat "$DIR/sbatch.err")"
wait_job "$job"
for r in contrastive-euclidean-d8-s1 contrastive-snr-d8-s1; do
    [ -f "$DIR/results/fashion-mnist/$r/metrics.json" ] || fail "no metrics.json for $r: $(cat "$DIR"/logs/* 2>/dev/null)"
done
"$DSML" sweep slurm --results "$DIR/results" --out "$DIR/again.sbatch" "$DIR/tiny.sweep" 2>"$DIR/again.err" ||
    fail "second dsml sweep slurm failed"
[ ! -e "$DIR/again.sbatch" ] || fail "a script was written although every run is finished"
grep -q "0 array tasks" "$DIR/again.err" || fail "expected '0 array tasks', got: $(cat "$DIR/again.err")"

# the same through `make reproduce ENGINE=slurm` (when MAKE_ARGS names the build, as `make check-slurm` does)
if [ -n "${MAKE_ARGS:-}" ]; then
    sed 's/seed=1/seed=2/' "$DIR/tiny.sweep" > "$DIR/tiny2.sweep"
    # shellcheck disable=SC2086
    make -s $MAKE_ARGS reproduce ENGINE=slurm SWEEP="$DIR/tiny2.sweep" RESULTS="$DIR/results" \
        SLURM_CPUS=1 SBATCH_FLAGS=--parsable >"$DIR/make.out" 2>&1 || fail "make reproduce ENGINE=slurm: $(cat "$DIR/make.out")"
    job=$(grep -E '^[0-9]+(;.*)?$' "$DIR/make.out" | head -n 1 | cut -d';' -f1)
    [ -n "$job" ] || fail "make reproduce ENGINE=slurm printed no job id: $(cat "$DIR/make.out")"
    wait_job "$job"
    for r in contrastive-euclidean-d8-s2 contrastive-snr-d8-s2; do
        [ -f "$DIR/results/fashion-mnist/$r/metrics.json" ] ||
            fail "make reproduce ENGINE=slurm: no metrics.json for $r: $(cat "$DIR"/results/slurm/* 2>/dev/null)"
    done
    echo "PASS: check_slurm: make reproduce ENGINE=slurm ran its 2-task array"
fi
echo "PASS: check_slurm: a 2-task array ran on a one-node SLURM cluster, both runs finished"
