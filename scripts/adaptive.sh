#!/bin/sh
# Adaptive seeds (docs/tables.md, "Adaptive seeds"; `make reproduce-adaptive` runs it after the
# 3-seed sweep): look at the claims, give every cell still undecided one more seed, look again,
# until every claim is decided, K = MAX_SEEDS - 2 looks are spent, the undecided cells reached
# MAX_SEEDS, or BUDGET_MIN minutes have passed. Every look tests at 0.05 / K (Bonferroni over the
# looks), which RESULTS/adaptive.txt records so that every later `dsml tables` does the same.
#
# Environment (the Makefile sets it): DSML, MAKE (a make whose makefile includes SWEEP_MK and has
# the goals sweep-dml-runs, sweep-hashing-runs, tables, plots), SWEEP, RESULTS, BUILD, PUBLISHED,
# MAX_SEEDS, BUDGET_MIN, SWEEP_ARGS (more `dsml sweep` options: --threads, --from).
set -u
set -f # the --only patterns are globs for dsml, not for this shell
: "${DSML:?}" "${MAKE:?}" "${SWEEP:?}" "${RESULTS:?}" "${BUILD:?}" "${PUBLISHED:?}" "${MAX_SEEDS:?}" "${BUDGET_MIN:?}"
SWEEP_ARGS=${SWEEP_ARGS:-}
K=$((MAX_SEEDS - 2))
[ "$K" -ge 1 ] || { echo "adaptive: MAX_SEEDS=$MAX_SEEDS: expected at least 3"; exit 2; }
work=$BUILD/adaptive
mkdir -p "$work" "$RESULTS" || exit 1
printf 'looks %d\n' "$K" > "$RESULTS/adaptive.txt.tmp" && mv -f "$RESULTS/adaptive.txt.tmp" "$RESULTS/adaptive.txt" || exit 1

# The --only patterns of the cells of undecided.txt ("dataset loss size arm seeds") that get seed
# count $1: both sides of each. DML: <loss>-euclidean and <loss>-snr; Table 4: our DSNRH
# (contrastive-snr) and the other method's runs (<loss>-euclidean), as paper.sweep names them.
patterns() {
    awk -v n="$1" '$5 + 1 == n {
        v = $4 == "paper" ? "-paper" : ""
        if ($1 ~ /-hashing$/) printf " --only %s/contrastive-snr%s-%db-s* --only %s/%s-euclidean%s-%db-s*", $1, v, $3, $1, $2, v, $3
        else printf " --only %s/%s-euclidean%s-d%d-s* --only %s/%s-snr%s-d%d-s*", $1, $2, v, $3, $1, $2, v, $3
    }' "$work/undecided.txt"
}

claims=$("$DSML" sweep claims-options "$SWEEP") || exit 1 # the sweep's equivalence margin, as make tables
start=$(date +%s)
: > "$work/extended.txt"
looks=0 why=""
while :; do
    looks=$((looks + 1))
    # shellcheck disable=SC2086 # $claims is options
    "$DSML" tables --results "$RESULTS" --out "$work/tables" --published "$PUBLISHED" --looks "$K" $claims \
        --undecided "$work/undecided.txt" 2> "$work/tables.log" || { cat "$work/tables.log"; exit 1; }
    left=$(grep -c . "$work/undecided.txt")
    [ "$left" -gt 0 ] || { why="every claim decided"; break; }
    [ "$looks" -lt "$K" ] || { why="$left still undecided after $K looks"; break; }
    [ $(( $(date +%s) - start )) -lt $((BUDGET_MIN * 60)) ] || { why="budget spent, $left still undecided"; break; }
    counts=$(awk -v m="$MAX_SEEDS" '$5 < m { print $5 + 1 }' "$work/undecided.txt" | sort -un)
    [ -n "$counts" ] || { why="$left still undecided at $MAX_SEEDS seeds"; break; }
    awk -v m="$MAX_SEEDS" '$5 < m { print $1, $2, $3, $4, $5 + 1 }' "$work/undecided.txt" >> "$work/extended.txt"
    for n in $counts; do
        echo "adaptive: look $looks of $K: seed $n for $(awk -v n="$n" '$5 + 1 == n' "$work/undecided.txt" | grep -c .) cells"
        # shellcheck disable=SC2046,SC2086 # word splitting of the options is wanted (globbing is off)
        "$DSML" sweep makefile --results "$RESULTS" $SWEEP_ARGS --kind runs --seeds "$n" $(patterns "$n") \
            --out "$work/sweep.mk" "$SWEEP" || exit 1
        $MAKE --no-print-directory SWEEP_MK="$work/sweep.mk" -k sweep-dml-runs sweep-hashing-runs ||
            echo "adaptive: some runs failed (above); their cells are looked at with the seeds they have"
    done
done
$MAKE --no-print-directory tables plots || exit 1
cells=$(cut -d' ' -f1-4 "$work/extended.txt" | sort -u | grep -c .)
seeds=$(cut -d' ' -f5 "$work/extended.txt" | sort -n | sed -n '1p;$p' | uniq | paste -sd- -)
echo "adaptive: $looks looks, $cells cells got seeds${seeds:+ $seeds}, $why"
