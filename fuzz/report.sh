#!/bin/sh
# The verdict on one libFuzzer run: `sh fuzz/report.sh RC` with FUZZ_NAME, FUZZ_LOG and
# FUZZ_CRASHES (the harness's crash folder) set. Exit status 0 when the run ended cleanly;
# otherwise the harness, the reproducer libFuzzer wrote and the first lines of the report go
# to stderr, and it fails.
rc=$1
stats=$(grep -E '^(Done|stat::number_of_executed_units)' "$FUZZ_LOG" | tail -1)
if [ "$rc" = 0 ]; then
    echo "fuzz: fuzz_$FUZZ_NAME: clean${stats:+ ($stats)}"
    exit 0
fi
repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$FUZZ_LOG" | tail -1)
# (fork mode and some deaths name no file: the newest in the crash folder, then)
[ -n "$repro" ] || repro=$(ls -t "$FUZZ_CRASHES"/* 2>/dev/null | head -1)
{
    echo "fuzz: fuzz_$FUZZ_NAME FAILED (libFuzzer exit status $rc)"
    echo "fuzz:   reproducer: ${repro:-none written (see the log)}"
    echo "fuzz:   reproduce:  build/fuzz/fuzz_$FUZZ_NAME ${repro:-<input>}"
    echo "fuzz:   log:        $FUZZ_LOG"
    # the report's first lines and the frames in dsml's code, not libFuzzer's or libc's
    grep -E 'ERROR: |SUMMARY: |runtime error: |broken promise|^ *#[0-9]+ .* in ' "$FUZZ_LOG" |
        grep -v -E 'fuzzer::|__libc_start|in _start |in main ' | head -n 12 | sed 's/^/fuzz:   | /'
} >&2
exit 1
