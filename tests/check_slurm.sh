#!/bin/sh
# A live test of `dsml sweep slurm` and `make reproduce ENGINE=slurm` (docs/sweep.md, "SLURM").
# Starts munged, slurmctld and slurmd as a one-node cluster on this machine (tests/slurm/slurm.conf.in)
# in a temporary directory, then checks that
#   1. the job array `dsml sweep slurm` writes for tests/slurm/tiny.sweep (two metric-learning and two
#      hashing runs) runs every run, and that each run's results are bit-identical to the same run
#      made locally by `dsml sweep makefile` and make, one thread in both (tests/slurm/same_run.py:
#      metrics.json's metrics, config, data and losses, and embeddings.bin's bytes);
#   2. a second script for the finished sweep has no task left;
#   3. `make reproduce ENGINE=slurm` (when MAKE_ARGS names the build, as `make check-slurm` does)
#      submits every run, dml and hashing, with its own results and script, says how to follow the
#      job, and its runs finish with the same results.
# Every daemon is stopped and the directory removed on exit, on a failure and on Ctrl-C; a failure
# (exit 1) prints the daemons' and tasks' logs first (KEEP_SLURM_DIR=1 keeps the directory).
# Exit 0 on success, 1 on a failure, 77 with a SKIP line naming the reason where SLURM cannot run
# here (it needs root for slurmd, slurm-wlm, munge, python3 and Fashion-MNIST); where CI is set to a
# non-empty value or REQUIRE_SLURM=1, such a skip is a failure. About 30 s.
# Usage: DSML_BIN=bin/dsml tests/check_slurm.sh   (from the repository root)
set -u
DSML=${DSML_BIN:-bin/dsml}
case "$DSML" in /*) ;; *) DSML="$(pwd)/$DSML" ;; esac
SWEEP=tests/slurm/tiny.sweep
RUNS=4 # the runs of $SWEEP: 2 dml, 2 hashing
DIR=""
ctld_pid=""
slurmd_pid=""

skip() {
    if [ -n "${CI:-}" ] || [ "${REQUIRE_SLURM:-}" = 1 ]; then
        echo "FAIL: check_slurm: cannot run SLURM here, and CI or REQUIRE_SLURM=1 is set: $*"
        exit 1
    fi
    echo "SKIP: check_slurm: $*"
    exit 77
}
fail() { echo "FAIL: check_slurm: $*"; exit 1; }

# Whether process $1 runs (a zombie, a daemon that ended but is not yet reaped, does not).
running() { [ -n "$1" ] && [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null; }

# Waits up to $2 half-seconds for process $1 to end; 0 when it did.
await_exit() {
    n=0
    while running "$1"; do
        n=$((n + 1))
        [ $n -le "$2" ] || return 1
        sleep 0.5
    done
    return 0
}

show_logs() {
    for f in "$DIR/munge/munged.log" "$DIR/slurmctld.log" "$DIR/slurmd.log" "$DIR"/logs/* "$DIR"/reproduce/slurm/*; do
        [ -s "$f" ] || continue
        echo "---- $f (last lines)"
        tail -n 15 "$f"
    done
}

# Cancels what is still queued or running, stops slurmd, slurmctld and munged (all started here, by
# their process ids), then removes the directory.
cleanup() {
    rc=$?
    trap - EXIT INT TERM HUP
    [ -n "$DIR" ] || exit $rc
    if running "$ctld_pid"; then
        timeout 5 scancel --quiet --user="$(id -un)" 2>/dev/null
        n=0
        while running "$ctld_pid" && [ -n "$(timeout 5 squeue -h -o %i 2>/dev/null)" ] && [ $n -lt 20 ]; do
            n=$((n + 1))
            sleep 0.5
        done
    fi
    for p in $slurmd_pid $ctld_pid; do kill "$p" 2>/dev/null; done
    for p in $slurmd_pid $ctld_pid; do
        await_exit "$p" 10 || kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    if [ -f "$DIR/munge/munged.pid" ]; then
        p=$(cat "$DIR/munge/munged.pid")
        running "$p" && kill "$p" 2>/dev/null && { await_exit "$p" 10 || kill -9 "$p" 2>/dev/null; }
    fi
    [ $rc != 1 ] || show_logs
    if [ "${KEEP_SLURM_DIR:-}" = 1 ]; then echo "check_slurm: kept $DIR"; else rm -rf "$DIR"; fi
    exit $rc
}

for p in munged slurmctld slurmd sbatch squeue scancel sinfo setsid python3 timeout; do
    command -v $p >/dev/null 2>&1 || skip "$p is not installed (make slurm-deps: apt-get install slurm-wlm munge)"
done
# slurmd needs root: a user with password-less sudo (as CI may be) runs this script under sudo.
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null ||
        skip "slurmd needs root here (running as uid $(id -u), no password-less sudo)"
    exec sudo -n --preserve-env=CI,REQUIRE_SLURM,DSML_BIN,MAKE_ARGS,DSML_FASHION_MNIST,KEEP_SLURM_DIR,PATH sh "$0" "$@"
fi
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || [ -n "${DSML_FASHION_MNIST:-}" ] ||
    skip "Fashion-MNIST is absent (apt-get install dataset-fashion-mnist)"
[ -x "$DSML" ] || fail "$DSML is not an executable"
[ -f tests/slurm/slurm.conf.in ] || fail "run from the repository root (tests/slurm/slurm.conf.in not found)"

DIR=$(mktemp -d /tmp/dsml-slurm.XXXXXX) || fail "mktemp"
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---- the cluster: munged on its own socket, slurmctld and slurmd in the foreground (-D) ----
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
# In sessions of their own, so that Ctrl-C reaches only this script, whose cleanup cancels the jobs
# before it stops the daemons. setsid execs in place here (a background job leads no process group).
setsid slurmctld -D -f "$SLURM_CONF" >"$DIR/slurmctld.out" 2>&1 &
ctld_pid=$!
setsid slurmd -D -f "$SLURM_CONF" >"$DIR/slurmd.out" 2>&1 &
slurmd_pid=$!
# Waits for process $1 to be daemon $2. The limits below only end a hang: generous enough that a
# busy machine never trips them.
await_daemon() {
    n=0
    until [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]; do
        n=$((n + 1))
        [ $n -le 600 ] || skip "$2 (process $1) did not start: $(cat "$DIR/$2.out")"
        sleep 0.1
    done
}
await_daemon "$ctld_pid" slurmctld
await_daemon "$slurmd_pid" slurmd
i=0
until sinfo -h -o %t 2>/dev/null | grep -q idle; do
    i=$((i + 1))
    if [ $i -gt 300 ]; then
        skip "the one-node cluster did not come up in 300 s: $(tail -n 3 "$DIR/slurmctld.log" "$DIR/slurmd.log" \
            2>/dev/null | tr '\n' ' ')"
    fi
    sleep 1
done

# An array is done when squeue lists none of its tasks (sbatch --wait would poll every 10 s).
wait_job() {
    n=0
    while [ -n "$(squeue -h -j "$1" -o %i 2>/dev/null)" ]; do
        n=$((n + 1))
        [ $n -le 3600 ] || fail "job $1 still queued or running after 30 minutes"
        sleep 0.5
    done
}

# Every run of $SWEEP under $1 has finished, with the results of the local run of the same id.
check_runs() {
    "$DSML" sweep status --line --results "$1" --kind runs "$SWEEP" >"$DIR/status.out" 2>&1 ||
        fail "$2: dsml sweep status: $(cat "$DIR/status.out")"
    grep -q "^sweep: $RUNS/$RUNS runs finished" "$DIR/status.out" ||
        fail "$2: expected $RUNS/$RUNS runs finished, got: $(cat "$DIR/status.out")"
    for r in $ids; do
        python3 tests/slurm/same_run.py "$DIR/local/$r" "$1/$r" >"$DIR/same.out" 2>&1 ||
            fail "$2: $r differs from the local run: $(cat "$DIR/same.out")"
    done
}

# ---- the same runs made locally, as `make reproduce` makes them, one thread ----
"$DSML" sweep list --results "$DIR/local" "$SWEEP" >"$DIR/list.out" 2>&1 ||
    fail "dsml sweep list: $(cat "$DIR/list.out")"
ids=$(cut -f1 "$DIR/list.out" | sed "s|^$DIR/local/||")
if [ "$(echo "$ids" | grep -c '^fashion-mnist/')" != 2 ] || [ "$(echo "$ids" | grep -c -- '-hashing/')" != 2 ]; then
    fail "expected 2 dml and 2 hashing runs in $SWEEP, found: $ids"
fi
"$DSML" sweep makefile --results "$DIR/local" --threads 1 --out "$DIR/local.mk" "$SWEEP" 2>"$DIR/local.err" ||
    fail "dsml sweep makefile: $(cat "$DIR/local.err")"
targets=$(for r in $ids; do printf '%s ' "$DIR/local/$r/metrics.json"; done)
# shellcheck disable=SC2086
make -s -f "$DIR/local.mk" DSML="$DSML" $targets >"$DIR/local.out" 2>&1 ||
    fail "local runs: $(tail -n 20 "$DIR/local.out")"

# ---- 1, 2: dsml sweep slurm, submitted by hand ----
"$DSML" sweep slurm --results "$DIR/slurm" --cpus-per-task 1 --log-dir "$DIR/logs" --out "$DIR/job.sbatch" \
    "$SWEEP" 2>"$DIR/sweep.err" || fail "dsml sweep slurm: $(cat "$DIR/sweep.err")"
grep -q -- "--array=0-$((RUNS - 1))\$" "$DIR/job.sbatch" || fail "expected --array=0-$((RUNS - 1)) in $DIR/job.sbatch"
grep -q -- '--protocol hashing' "$DIR/job.sbatch" || fail "no hashing run in $DIR/job.sbatch"
job=$(sbatch --parsable "$DIR/job.sbatch" 2>"$DIR/sbatch.err") || fail "sbatch: $(cat "$DIR/sbatch.err")"
wait_job "${job%%;*}"
check_runs "$DIR/slurm" "dsml sweep slurm"
"$DSML" sweep slurm --results "$DIR/slurm" --out "$DIR/again.sbatch" "$SWEEP" 2>"$DIR/again.err" ||
    fail "second dsml sweep slurm failed: $(cat "$DIR/again.err")"
[ ! -e "$DIR/again.sbatch" ] || fail "a script was written although every run is finished"
grep -q "0 array tasks" "$DIR/again.err" || fail "expected '0 array tasks', got: $(cat "$DIR/again.err")"
echo "PASS: check_slurm: a $RUNS-task array (dml and hashing) ran on a one-node SLURM cluster, results as local"

# ---- 3: make reproduce ENGINE=slurm, with its own results and script ----
if [ -z "${MAKE_ARGS:-}" ]; then
    echo "check_slurm: MAKE_ARGS is not set: make reproduce ENGINE=slurm not tested (make check-slurm tests it)"
    exit 0
fi
# shellcheck disable=SC2086
make -s $MAKE_ARGS reproduce ENGINE=slurm SWEEP="$SWEEP" RESULTS="$DIR/reproduce" \
    SLURM_SCRIPT="$DIR/build/sweep.sbatch" SLURM_CPUS=1 >"$DIR/make.out" 2>&1 ||
    fail "make reproduce ENGINE=slurm: $(cat "$DIR/make.out")"
job=$(sed -n 's/^reproduce: submitted job array \([0-9][0-9]*\) .*/\1/p' "$DIR/make.out")
[ -n "$job" ] || fail "make reproduce ENGINE=slurm named no job array: $(cat "$DIR/make.out")"
for says in "squeue -j $job" "sweep status" "make tables plots"; do
    grep -q "$says" "$DIR/make.out" ||
        fail "make reproduce ENGINE=slurm did not say '$says' (how to follow the job): $(cat "$DIR/make.out")"
done
grep -q -- "--array=0-$((RUNS - 1))\$" "$DIR/build/sweep.sbatch" ||
    fail "make reproduce ENGINE=slurm: expected --array=0-$((RUNS - 1)) in its script"
wait_job "$job"
check_runs "$DIR/reproduce" "make reproduce ENGINE=slurm"
# shellcheck disable=SC2086
make -s $MAKE_ARGS reproduce ENGINE=slurm SWEEP="$SWEEP" RESULTS="$DIR/reproduce" \
    SLURM_SCRIPT="$DIR/build/sweep.sbatch" SLURM_CPUS=1 >"$DIR/again.out" 2>&1 ||
    fail "make reproduce ENGINE=slurm, again: $(cat "$DIR/again.out")"
if ! grep -q "nothing submitted" "$DIR/again.out" || [ -e "$DIR/build/sweep.sbatch" ]; then
    fail "make reproduce ENGINE=slurm submitted again although every run is finished: $(cat "$DIR/again.out")"
fi
echo "PASS: check_slurm: make reproduce ENGINE=slurm ran every run of its sweep (dml and hashing), results as local"
