#!/bin/sh
# `make reproduce` fetches what its runs need and ends with an account (docs/sweep.md, "Fetching",
# "The account"), without network: a local HTTP server on 127.0.0.1 serves the CIFAR-10 archive of
# ../shared/data/cifar10/ (not the official one: the manifest override ($DSML_MANIFESTS) carries its
# own size and checksums), and tests/reproduce/tiny.sweep (one CIFAR-10 run, one Fashion-MNIST run)
# is reproduced with its own data root, results, tables and figures:
#   1. it downloads, prepares and trains; the last lines are the account; account.json says so;
#   2. a second reproduce downloads nothing;
#   3. an unreachable URL: CIFAR-10 skipped with the reason, Fashion-MNIST still runs, exit non-zero;
#   4. a wrong MD5: skipped with the reason, nothing under downloads/ looks finished;
#   5. FETCH=no: nothing requested, skipped with the reason and the command that gets it;
#   6. pretrained weights (a stand-in file) fetched and verified by the same step; a wrong SHA-256 fails.
# Run by `make check` with DSML set; skipped without the archive, python3 or Fashion-MNIST (failing
# where CI is set). The test folder is kept when a check fails.
set -u
: "${DSML:?}"
fail() { echo "FAIL: check_reproduce_fetch: $*"; keep=1; exit 1; }
skip() {
    [ -n "${CI:-}" ] && fail "$* (CI is set: a missing dependency is a failure)"
    echo "SKIP: check_reproduce_fetch: $*"
    exit 0
}
# Sanitized (make sanitize), preparing CIFAR-10 and training take minutes: the fetch step's and the
# account's code runs sanitized in check_sweep_account and check_fetch*; this end-to-end run is
# left to make check.
if [ -n "${DSML_SANITIZE:-}" ]; then
    echo "check_reproduce_fetch: sanitized build: the end-to-end make reproduce runs in make check only"
    echo "PASS: check_reproduce_fetch"
    exit 0
fi
ROOT=$(pwd)
case $DSML in /*) BIN=$DSML ;; *) BIN=$ROOT/$DSML ;; esac
ARCHIVE=$ROOT/../shared/data/cifar10/cifar-10-binary.tar.gz
[ -f "$ARCHIVE" ] || skip "no $ARCHIVE to serve"
command -v python3 >/dev/null 2>&1 || skip "no python3 (its http.server serves the archive)"
[ -n "${DSML_FASHION_MNIST:-}" ] || [ -d /usr/share/datasets/fashion-mnist ] ||
    skip "no Fashion-MNIST (Debian's dataset-fashion-mnist, or DSML_FASHION_MNIST)"

T=$(mktemp -d "${TMPDIR:-/tmp}/check_reproduce_fetch.XXXXXX")
keep=0 server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    if [ "$keep" = 1 ]; then echo "check_reproduce_fetch: kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir -p "$T/www" && ln -s "$ARCHIVE" "$T/www/cifar-10-binary.tar.gz"
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$T/www" >"$T/server.log" 2>&1 &
server=$!
port= tries=0
while [ -z "$port" ] && [ $tries -lt 100 ]; do
    port=$(sed -n 's/.* port \([0-9][0-9]*\).*/\1/p' "$T/server.log" | head -n 1)
    [ -n "$port" ] || { sleep 0.1; tries=$((tries + 1)); }
done
[ -n "$port" ] || fail "the HTTP server did not start: $(cat "$T/server.log")"
requests() { grep -c '"GET /cifar-10-binary.tar.gz' "$T/server.log"; }

# $1: folder; $2: URL; $3: MD5 (the archive's own, or a wrong one)
manifests() {
    mkdir -p "$1" && cp "$ROOT"/datasets/*.manifest "$1"/ || fail "cannot copy the manifests"
    sed -e "s|^file cifar-10-binary.tar.gz .*|file cifar-10-binary.tar.gz size $SIZE sha256 unknown md5 $3|" \
        -e "s|^url .*|url $2|" "$ROOT/datasets/cifar10.manifest" >"$1/cifar10.manifest"
}
SIZE=$(wc -c <"$ARCHIVE" | tr -d ' ')
MD5=$(md5sum "$ARCHIVE" | cut -d' ' -f1)
URL=http://127.0.0.1:$port/cifar-10-binary.tar.gz
manifests "$T/ok" "$URL" "$MD5"
# a port where nothing listens: the server's, once a throwaway one bound it and let it go
dead=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
manifests "$T/dead" "http://127.0.0.1:$dead/cifar-10-binary.tar.gz" "$MD5"
manifests "$T/bad" "$URL" 00000000000000000000000000000000

# $1: case name (its data root, results, output); $2: manifest folder; then make's extra arguments.
# The binary is taken as it is (-o), the caller's make is not inherited. Sets rc.
reproduce() {
    name=$1 dir=$2
    shift 2
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES DSML_MANIFESTS="$dir" DSML_DATA="$T/data-$name" \
        make -C "$ROOT" --no-print-directory MAKE="make -o $BIN" -o "$BIN" reproduce \
        SWEEP="$ROOT/tests/reproduce/tiny.sweep" RESULTS="$T/r-$name" BUILD="$T/b-$name" TABLES="$T/t-$name" \
        PLOTS="$T/plots-$name" DSML="$BIN" THREADS=1 "$@" >"$T/$name.out" 2>&1
    rc=$?
}
# $1: case name; $2: a line that must be among the output's last two (the account), make's own
# "*** Error" line after them aside; $3: its meaning
last_lines() {
    grep -v '^make\(\[[0-9]*\]\)\{0,1\}: \*\*\*' "$T/$1.out" | tail -n 2 | grep -q -- "$2" ||
        fail "$1: $3; the last lines are: $(tail -n 4 "$T/$1.out")"
}
json() { grep -q -- "$2" "$T/r-$1/account.json" || fail "$1: account.json has no $2: $(cat "$T/r-$1/account.json")"; }

# 1. downloaded, prepared, trained
reproduce ok "$T/ok"
[ $rc = 0 ] || fail "ok: make reproduce exited $rc: $(tail -n 30 "$T/ok.out")"
[ "$(requests)" -ge 1 ] || fail "ok: the archive was not requested: $(cat "$T/server.log")"
[ -f "$T/data-ok/cache/cifar10.dsd" ] || fail "ok: no prepared CIFAR-10 cache"
[ -f "$T/r-ok/cifar10/contrastive-euclidean-d8-s1/metrics.json" ] || fail "ok: the CIFAR-10 run did not finish"
last_lines ok '^account: cifar10 .* 1 run: 1 finished$' "no account line for cifar10"
last_lines ok '^account: fashion-mnist .* 1 run: 1 finished$' "no account line for fashion-mnist"
json ok '"status": "complete"'
json ok '"exit_status": 0'
grep -q '"name": "cifar10"' "$T/r-ok/account.json" || fail "ok: account.json has no cifar10"
grep -q '"status": "fetched"' "$T/r-ok/fetch.json" || fail "ok: fetch.json: $(cat "$T/r-ok/fetch.json")"
echo "check_reproduce_fetch: downloaded over HTTP, prepared and trained; the account is last"

# 2. again: nothing to download, nothing to run
before=$(requests)
reproduce ok "$T/ok"
[ $rc = 0 ] || fail "again: make reproduce exited $rc: $(tail -n 30 "$T/ok.out")"
[ "$(requests)" = "$before" ] || fail "again: the archive was requested again: $(cat "$T/server.log")"
grep -q 'sweep fetch' "$T/ok.out" && ! grep -q 'getting it' "$T/ok.out" ||
    fail "again: the fetch step did not find everything there: $(grep 'sweep fetch' "$T/ok.out")"
last_lines ok '^account: fashion-mnist .* 1 finished$' "no account line"
echo "check_reproduce_fetch: a second reproduce downloads nothing"
# a finished run stays finished when its dataset is no longer in the data root
mv "$T/data-ok" "$T/data-ok.kept"
DSML_MANIFESTS="$T/ok" DSML_DATA="$T/data-ok" "$BIN" sweep account --results "$T/r-ok" --out "$T/gone.json" \
    "$ROOT/tests/reproduce/tiny.sweep" >"$T/gone.out" 2>&1 ||
    fail "gone: the account failed with every run finished: $(cat "$T/gone.out")"
grep -q '^account: cifar10 .* 1 run: 1 finished$' "$T/gone.out" || fail "gone: $(cat "$T/gone.out")"
mv "$T/data-ok.kept" "$T/data-ok"

# 3. unreachable: skipped with the reason, the other dataset runs, failure
reproduce dead "$T/dead"
[ $rc != 0 ] || fail "dead: make reproduce exited 0 with CIFAR-10 unavailable"
[ -f "$T/r-dead/fashion-mnist/contrastive-euclidean-d8-s1/metrics.json" ] || fail "dead: the Fashion-MNIST run did not run"
last_lines dead "^account: cifar10 .* 1 run: skipped: not downloaded: .*127.0.0.1:$dead.*; get it: dsml fetch cifar10$" \
    "no reason for the skipped cifar10"
json dead '"status": "skipped"'
json dead '"exit_status": 1'
echo "check_reproduce_fetch: an unreachable URL: skipped with the reason, the rest ran, exit $rc"

# 4. checksum mismatch: nothing half-downloaded looks finished
reproduce bad "$T/bad" ONLY='cifar10/*'
[ $rc != 0 ] || fail "bad: make reproduce ONLY='cifar10/*' exited 0 with a wrong MD5"
last_lines bad '^account: cifar10 .* skipped: not downloaded: .*00000000000000000000000000000000.*; get it: dsml fetch' \
    "no checksum reason"
ls "$T/data-bad/downloads/" 2>/dev/null | grep -q . && fail "bad: left in downloads/: $(ls "$T/data-bad/downloads/")"
[ -e "$T/data-bad/cache/cifar10.dsd" ] && fail "bad: a cache was prepared from a mismatching archive"
echo "check_reproduce_fetch: a checksum mismatch: skipped with the reason, nothing left that looks finished"

# 5. FETCH=no
before=$(requests)
reproduce off "$T/ok" ONLY='cifar10/*' FETCH=no
[ $rc != 0 ] || fail "off: make reproduce FETCH=no exited 0 with CIFAR-10 not there"
[ "$(requests)" = "$before" ] || fail "off: FETCH=no requested the archive"
last_lines off '^account: cifar10 .* skipped: .*FETCH=no.*; get it: dsml fetch cifar10$' "no FETCH=no reason"
echo "check_reproduce_fetch: FETCH=no: nothing requested, skipped with the reason and the command"

# 6. weights the same way: a stand-in for alexnet-owt-7be5be79.pth (random bytes, its own SHA-256
# in the manifest override) fetched and verified by the fetch step; a wrong SHA-256: failed, nothing
# left in downloads/, the account says so and exits 1
head -c 100000 /dev/urandom >"$T/www/alexnet-owt-7be5be79.pth" || fail "cannot write the weights stand-in"
wsha=$(sha256sum "$T/www/alexnet-owt-7be5be79.pth" | cut -d' ' -f1)
printf 'set seed=1 model=mlp hidden=32 dim=8 epochs=1 batch=20 images-per-class=5 weights=alexnet-imagenet\n%s\n' \
    'dml dataset=fashion-mnist loss=contrastive distance=euclidean classes=0-3 queries-per-class=10' >"$T/w.sweep"
for w in good bad; do
    mkdir -p "$T/m-$w" && cp "$ROOT"/datasets/*.manifest "$T/m-$w"/ || fail "cannot copy the manifests"
    sha=$wsha; [ $w = bad ] && sha=$(printf '%064d' 0)
    sed -e "s|^file alexnet-owt-7be5be79.pth .*|file alexnet-owt-7be5be79.pth size 100000 sha256 $sha md5 unknown|" \
        -e "s|^url .*|url http://127.0.0.1:$port/alexnet-owt-7be5be79.pth|" "$ROOT/datasets/alexnet-imagenet.manifest" \
        >"$T/m-$w/alexnet-imagenet.manifest"
    DSML_MANIFESTS="$T/m-$w" DSML_DATA="$T/data-w-$w" "$BIN" sweep fetch --results "$T/r-w-$w" "$T/w.sweep" \
        >"$T/w-$w.out" 2>&1 || fail "weights $w: dsml sweep fetch failed: $(cat "$T/w-$w.out")"
    DSML_MANIFESTS="$T/m-$w" DSML_DATA="$T/data-w-$w" "$BIN" sweep account --results "$T/r-w-$w" "$T/w.sweep" \
        >>"$T/w-$w.out" 2>&1
    rc=$?
done
grep -q '"status": "fetched"' "$T/r-w-good/fetch.json" || fail "weights: not fetched: $(cat "$T/w-good.out")"
cmp -s "$T/www/alexnet-owt-7be5be79.pth" "$T/data-w-good/downloads/alexnet-owt-7be5be79.pth" ||
    fail "weights: the downloaded file differs from the served one"
grep -q '^account: weights alexnet-imagenet  1 run: present$' "$T/w-good.out" || fail "weights: $(cat "$T/w-good.out")"
[ $rc = 1 ] || fail "weights bad: the account exited $rc with the weights failed"
grep -q '^account: weights alexnet-imagenet  1 run: failed: .*; get it: dsml fetch alexnet-imagenet$' "$T/w-bad.out" ||
    fail "weights bad: $(cat "$T/w-bad.out")"
ls "$T/data-w-bad/downloads/" 2>/dev/null | grep -q '\.pth$' && fail "weights bad: left $(ls "$T/data-w-bad/downloads/")"
echo "check_reproduce_fetch: weights fetched and verified by the same step; a wrong SHA-256: failed, nothing kept"
echo "PASS: check_reproduce_fetch"
