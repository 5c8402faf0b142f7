/* The committed tables and figure data are what the committed runs give:
 * the last commit's results/, paper-tables/, plots/ and datasets/ (its
 * manifests) are exported into a temporary folder, `dsml summary`, `dsml
 * tables` and `dsml plots` run there as `make tables plots` runs them (and
 * the reference grid's tables as `make reference` does), and
 * every file must come out byte for byte as committed. Images (gnuplot's
 * PNG, SVG and PDF) and the rendering log are not compared. Needs git and a
 * clone (skipped with a message otherwise, e.g. in a release tarball). */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "support/run_cmd.h"
#include "support/suite_run.h"
#include "support/testdir.h"

static cmd_result r;

START_TEST(test_committed_tables_and_figure_data_rebuild_byte_for_byte)
{
    run_shell(&r, "git rev-parse --verify --quiet HEAD:results >/dev/null 2>&1");
    if (r.status != 0) {
        fprintf(stderr, "check_committed_tables: skipped: not a git clone with committed results/\n");
        return;
    }
    ck_assert_ptr_nonnull(testdir_make("committed-tables"));
    char cmd[16384];
    snprintf(cmd, sizeof cmd,
             "set -e; mkdir -p %s %s; git archive --format=tar HEAD results paper-tables plots datasets "
             "paper.sweep reference.sweep | tar -x -C %s; cp -a %s/. %s/", testdir_path("committed"), testdir_path("rebuilt"),
             testdir_path("committed"), testdir_path("committed"), testdir_path("rebuilt"));
    run_shell(&r, cmd);
    ck_assert_msg(r.status == 0, "exporting the last commit: %s", r.err);
    snprintf(cmd, sizeof cmd,
             "cd %s && $DSML_BIN summary results >/dev/null && "
             "$DSML_BIN tables --results results --out paper-tables --published paper-tables/published.tsv "
             "$($DSML_BIN sweep claims-options paper.sweep) && "
             "$DSML_BIN plots --results results --out plots && "
             "if [ -d results/reference ]; then $DSML_BIN summary results/reference >/dev/null && "
             "$DSML_BIN tables --results results/reference --out paper-tables/reference "
             "--published paper-tables/published.tsv $($DSML_BIN sweep claims-options reference.sweep); fi",
             testdir_path("rebuilt"));
    run_shell(&r, cmd);
    ck_assert_msg(r.status == 0, "make tables plots in the export: %s", r.err);
    snprintf(cmd, sizeof cmd,
             "diff -r -x '*.png' -x '*.svg' -x '*.pdf' -x render.sh -x gnuplot.log -x summary.csv %s %s",
             testdir_path("committed"), testdir_path("rebuilt"));
    run_shell(&r, cmd);
    ck_assert_msg(r.status == 0,
                  "the committed tables or figure data differ from what the committed runs give "
                  "(run `make tables plots` and commit the result):\n%.1500s", r.out);
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"rebuild", 600, (const TTest *[]){test_committed_tables_and_figure_data_rebuild_byte_for_byte, NULL}},
    };
    return suite_run_cases("committed_tables", cases, SUITE_CASES(cases));
}
