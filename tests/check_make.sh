#!/bin/sh
# The build never breaks what runs from it: after a build, make has nothing to do (no relink
# with nothing changed), and relinking bin/dsml or rebuilding libdsml.a while programs start
# from them (a `make sweep-status` during `make reproduce`) never exposes a half-written file.
# Run by `make check` with MAKE, DSML and LIB set (command-line variables reach make through
# MAKEFLAGS). Exit 0 on success, 1 naming the failure.
set -u
: "${MAKE:?}" "${DSML:?}" "${LIB:?}"
fail() { echo "FAIL: check_make: $*"; exit 1; }

$MAKE --no-print-directory -q "$DSML" "$LIB" || fail "make would rebuild $DSML or $LIB with nothing changed"

# $1: a file to pretend changed; $2: the target; $3...: a command that must keep working meanwhile.
while_rebuilding() {
    changed=$1 target=$2
    shift 2
    $MAKE --no-print-directory -s -W "$changed" "$target" >/dev/null 2>&1 &
    build=$!
    tries=0 failures=0 last=""
    while kill -0 $build 2>/dev/null; do
        tries=$((tries + 1))
        out=$("$@" 2>&1 >/dev/null) || { failures=$((failures + 1)); last=$out; }
    done
    wait $build || fail "rebuilding $target failed"
    [ $failures = 0 ] || fail "$failures of $tries runs of '$*' failed while $target was rebuilt: $last"
    ls "$target".tmp.* >/dev/null 2>&1 && fail "a temp file of $target was left behind"
    echo "check_make: $tries runs of '$*' while $target was rebuilt: all succeeded"
}
while_rebuilding src/core/error.c "$LIB" ar t "$LIB"
while_rebuilding src/cli/main.c "$DSML" "$DSML" version
$MAKE --no-print-directory -q "$DSML" "$LIB" || fail "make would rebuild $DSML or $LIB after the rebuild"
echo "PASS: check_make"
