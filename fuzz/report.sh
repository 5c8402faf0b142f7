#!/bin/sh
# The verdict on one libFuzzer run: `sh fuzz/report.sh RC` with FUZZ_NAME, FUZZ_LOG and
# FUZZ_CRASHES set. Exit status 0 when the run ended cleanly; otherwise the harness, the
# reproducer libFuzzer wrote and the first lines of the report go to stderr, and it fails.
rc=$1
stats=$(grep -E '^(Done|stat::number_of_executed_units)' "$FUZZ_LOG" | tail -1)
if [ "$rc" = 0 ]; then
    echo "fuzz: fuzz_$FUZZ_NAME: clean${stats:+ ($stats)}"
    exit 0
fi
repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$FUZZ_LOG" | tail -1)
{
    echo "fuzz: fuzz_$FUZZ_NAME FAILED (libFuzzer exit status $rc)"
    echo "fuzz:   reproducer: ${repro:-none written (see the log)}"
    echo "fuzz:   reproduce:  build/fuzz/fuzz_$FUZZ_NAME ${repro:-<input>}"
    echo "fuzz:   log:        $FUZZ_LOG"
    grep -m 12 -E 'ERROR: |SUMMARY: |runtime error: |broken promise|^ *#[0-9]+ .* in ' "$FUZZ_LOG" | sed 's/^/fuzz:   | /'
} >&2
exit 1
