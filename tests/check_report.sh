#!/bin/sh
# `dsml report` in a real browser: a page built from the committed results (tables and figures made
# here by `dsml tables` and `dsml plots`, one figure's SVG removed) is loaded by headless Chromium
# with no network; tests/report/check.js checks that no script error happened and nothing was loaded,
# ids are unique and every local reference resolves, every figure renders (non-empty getBBox), the
# missing figure is said, and every table row holds the cells of the Markdown `dsml tables` wrote.
# The same check must fail on a broken page (a script error, duplicate ids, a broken reference, an
# empty figure). Also: the page is the same bytes twice, holds no path, and a table file outside the
# converter's subset fails the command. A screenshot is left in $BUILD/tests/report/report.png.
# Run by `make check` with DSML and BUILD set. Exit 0 on success or skip, 1 naming the failure.
set -u
: "${DSML:?}" "${BUILD:?}"
fail() { echo "FAIL: check_report: $*"; exit 1; }
skip() {
    [ -n "${CI:-}" ] && fail "$* (CI is set: a missing dependency is a failure)"
    echo "SKIP: check_report: $*"; exit 0
}
CHROME=$(command -v chromium-headless-shell || command -v chromium || true)
[ -n "$CHROME" ] || skip "no chromium-headless-shell or chromium (make test-deps installs it)"
command -v gnuplot >/dev/null || skip "no gnuplot to draw the figures (make deps installs gnuplot-nox)"

W=$(pwd)/$BUILD/tests/report
rm -rf "$W" && mkdir -p "$W" || fail "cannot create $W"
here=$(pwd)
"$DSML" tables --results results --out "$W/tables" 2>"$W/tables.log" || fail "dsml tables failed: $(tail -1 "$W/tables.log")"
"$DSML" plots --results results --out "$W/plots" --tsne-points 50 --tsne-iterations 50 2>"$W/plots.log" ||
    fail "dsml plots failed: $(tail -1 "$W/plots.log")"
rm -f "$W/plots/loss_cifar10-hashing.svg" # a figure with data but no image: said missing
figures=$(ls "$W/plots"/*.svg | wc -l)
[ "$figures" -ge 3 ] || fail "dsml plots drew $figures SVG figures, expected 3 or more"

report() { "$DSML" report --results results --tables "$W/tables" --plots "$W/plots" --out "$@"; }
report "$W/good/index.html" 2>"$W/report.log" || fail "dsml report failed: $(cat "$W/report.log")"
page=$W/good/index.html
report "$W/again/index.html" 2>/dev/null && cmp -s "$page" "$W/again/index.html" ||
    fail "two reports from the same inputs differ"
grep -q -e "$here" -e "$W" "$page" && fail "the page holds a path of this machine"
grep -qi -e '<script' -e '<link' -e '<img' -e 'src=' -e '@import' -e 'url(http' "$page" &&
    fail "the page refers to something outside it"
grep -q 'Figure missing: <code>loss_cifar10-hashing.svg' "$page" || fail "the removed figure is not said missing"

# a table file outside the subset is refused, naming file and line
mkdir -p "$W/badtables" && cp "$W/tables"/*.md "$W/badtables/" && printf '\n### deeper\n' >>"$W/badtables/table2.md"
"$DSML" report --results results --tables "$W/badtables" --plots "$W/plots" --out "$W/bad/x.html" 2>"$W/bad.log" &&
    fail "a table file with a level-3 heading was accepted"
grep -q 'table2.md:23: a heading of level 3' "$W/bad.log" || fail "unexpected message: $(cat "$W/bad.log")"
# the page leaves out the tables' "do not edit" line and their repeated title
grep -q 'do not edit' "$page" && fail "the page repeats the tables' 'do not edit' line"
[ "$(grep -c '>Table 1. Results on CARS196<' "$page")" = 1 ] || fail "Table 1's title is not on the page exactly once"
[ -e "$W/bad/x.html" ] && fail "a failed report left a page"

# expected rows: every table line of the Markdown but separators, cells trimmed, ** and ` dropped
rows() {
    awk -v id="$1" 'BEGIN { printf "\"%s\":[", id; n = 0 }
        /^\|/ && !/^\|(-+\|)+ *$/ {
            line = $0; gsub(/\*\*|`/, "", line); sub(/^\| */, "", line); sub(/ *\| *$/, "", line)
            k = split(line, c, / *\| */); s = ""
            for (i = 1; i <= k; i++) s = s (i > 1 ? "\t" : "") c[i]
            gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\t/, "\\t", s)
            printf "%s\"%s\"", n++ ? "," : "", s }
        END { printf "]" }' "$2"
}
expect() {
    printf '<script>window.__expect = {figures: %s, missing: %s, rows: {' "$1" "$2"
    rows table1 "$W/tables/table1.md"; printf ','; rows table2 "$W/tables/table2.md"; printf ','
    rows table3 "$W/tables/table3.md"; printf ','; rows table4 "$W/tables/table4.md"; printf ','
    rows claims "$W/tables/claims.md"; printf ','; rows methods "$W/tables/methods.md"; printf '}};</script>\n'
}
# $1: the page, $2: where the page with the checks goes, $3: expected figures, $4: expected missing
instrument() {
    { sed -n '1,/<head>/p' "$1"; printf '<script>'; cat tests/report/errors.js; printf '</script>\n'
      sed -n '/<head>/,/<\/main>/p' "$1" | sed '1d'; expect "$3" "$4"
      printf '<script>'; cat tests/report/check.js; printf '</script>\n</body>\n</html>\n'; } >"$2"
}
# One headless browser, no network, at most 5 minutes (a hang guard, not a timing check).
browse() {
    timeout 300 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run --allow-file-access-from-files \
        --proxy-server=127.0.0.1:9 --host-resolver-rules='MAP * ~NOTFOUND' --enable-logging=stderr --v=0 \
        --virtual-time-budget=20000 "$@"
}
instrument "$page" "$W/good/check.html" "$figures" 1
browse --dump-dom "file://$W/good/check.html" >"$W/good/dom.html" 2>"$W/good/chrome.log" ||
    fail "chromium failed on the page (log: $W/good/chrome.log)"
result=$(sed -n '/<pre id="report-check">/,/<\/pre>/p' "$W/good/dom.html")
case "$result" in *'>PASS '*) ;; *) fail "the page in chromium: ${result:-no result (log: $W/good/chrome.log)}" ;; esac
grep 'CONSOLE' "$W/good/chrome.log" | grep -qi 'error' && fail "console errors: $(grep CONSOLE "$W/good/chrome.log")"
printf 'check_report: %s\n' "$(printf '%s' "$result" | sed 's/<[^>]*>//g')"

browse --screenshot="$W/report.png" --window-size=1280,3000 "file://$page" >/dev/null 2>"$W/screenshot.log" &&
    [ -s "$W/report.png" ] || fail "no screenshot (log: $W/screenshot.log)"
echo "check_report: screenshot $W/report.png"

# the same check on a broken page: each defect must be found
sed -e 's/<main>/<main><script>undefined_function_of_the_test()<\/script>/' -e 's/id="fig2-/id="fig1-/g' \
    -e "s/href='#fig3-gpPt6'/href='#fig3-nothing'/" \
    -e 's/<figure id="figure-fig1">/<figure id="figure-empty"><svg class="figure" viewBox="0 0 9 9"><\/svg><\/figure>&/' \
    "$page" >"$W/broken.html"
instrument "$W/broken.html" "$W/broken-check.html" "$figures" 1
browse --dump-dom "file://$W/broken-check.html" >"$W/broken-dom.html" 2>"$W/broken-chrome.log" ||
    fail "chromium failed on the broken page (log: $W/broken-chrome.log)"
for defect in 'script error' 'duplicate id fig1-' 'unresolved reference #fig3-nothing' \
              'figure does not render: figure-empty' "$((figures + 1)) figures, expected $figures"; do
    grep -q "FAIL $defect" "$W/broken-dom.html" || fail "the check missed a broken page's defect: $defect"
done
echo "PASS: check_report"
