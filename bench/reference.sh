#!/usr/bin/env bash
# PyTorch beside dsml at the reference setting: every run of reference.sweep
# trained again by bench/peers/torch_reference.py with the same options (read
# from `dsml sweep list`), then a table of both sides, mean +- std over seeds
# (bench/reference_report.py). Appends to bench/results/<date>-reference.jsonl
# and skips the runs it already holds, so a killed run resumes. About a minute
# per run on 2 cores (24 runs). Needs dsml's own runs (`make reference`) only
# for the table. Environment: DSML, PY, RESULTS (dsml's reference results,
# default results/reference), ONLY (a shell pattern on the run id, e.g.
# '*/npair-*'), OUT (the file stem, default bench/results/<date>-reference).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
DSML=${DSML:-bin/dsml}
PY=${PY:-/usr/bin/python3}
RESULTS=${RESULTS:-results/reference}
ONLY=${ONLY:-*}
OUT=${OUT:-bench/results/$(date +%F)-reference}
export PYTHONDONTWRITEBYTECODE=1
case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac
mkdir -p "$(dirname "$OUT")"

status=0
runs=$("$DSML" sweep list --kind dml --results "$RESULTS" reference.sweep) || exit 1
while IFS=$'\t' read -r id cmd; do
    # shellcheck disable=SC2254 # ONLY is a pattern on purpose
    case $id in $ONLY) ;; *) continue ;; esac
    opts=${cmd#train }
    opts=${opts% --out *}
    echo "reference: $id (PyTorch)"
    # shellcheck disable=SC2086 # the options are words; dsml sweep never quotes them
    (cd bench/peers && "$PY" torch_reference.py train $opts --out "$OUT.jsonl") || status=1
done <<< "$runs"
"$PY" bench/reference_report.py "$OUT.jsonl" "$RESULTS" > "$OUT.md" || status=1
cat "$OUT.md"
exit $status
