/* dsml regress: compare the runs of the regression sweep with the committed
 * baseline (check), or write the baseline again on purpose (baseline). See
 * src/run/regress.h and docs/regress.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/error.h"
#include "run/regress.h"
#include "run/sweep.h"

static void usage(FILE *fp)
{
    fprintf(fp,
"usage: dsml regress check|baseline [--sweep FILE] [--results DIR] [--baseline FILE] [--all]\n"
"\n"
"The runs of the regression sweep (default results/baseline/regress.sweep), trained under\n"
"--results DIR (default build/regress) by `make regress`:\n"
"  check     compares every metric with --baseline (default results/baseline/regress.json)\n"
"            within its tolerance (docs/regress.md); prints the differences, exits 1 when any\n"
"            metric is outside its tolerance or missing (--all: print every row)\n"
"  baseline  writes --baseline from the runs' metrics.json (after a deliberate change)\n");
}

int cmd_regress(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "check") && strcmp(argv[1], "baseline"))) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            usage(stdout);
            return 0;
        }
        usage(stderr);
        return 2;
    }
    const char *sweep_path = "results/baseline/regress.sweep", *results = "build/regress";
    const char *baseline = "results/baseline/regress.json";
    int all = 0;
    for (int i = 2; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--all")) all = 1;
        else if (!strcmp(argv[i], "--sweep") && v) sweep_path = argv[++i];
        else if (!strcmp(argv[i], "--results") && v) results = argv[++i];
        else if (!strcmp(argv[i], "--baseline") && v) baseline = argv[++i];
        else {
            fprintf(stderr, "dsml regress: unknown or incomplete option '%s' (see dsml regress --help)\n", argv[i]);
            return 2;
        }
    }
    dsml_sweep sw;
    if (dsml_sweep_load(&sw, sweep_path, results)) {
        fprintf(stderr, "dsml regress: %s\n", dsml_last_error());
        return 1;
    }
    dsml_regress_run *runs = calloc((size_t)(sw.n_runs ? sw.n_runs : 1), sizeof *runs);
    char (*paths)[DSML_SWEEP_PATH + 32] = calloc((size_t)(sw.n_runs ? sw.n_runs : 1), sizeof *paths);
    if (!runs || !paths) {
        fprintf(stderr, "dsml regress: out of memory\n");
        free(runs);
        free(paths);
        dsml_sweep_free(&sw);
        return 1;
    }
    size_t root_len = strlen(results);
    for (int i = 0; i < sw.n_runs; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/metrics.json", sw.runs[i].dir);
        runs[i].metrics_path = paths[i];
        runs[i].name = sw.runs[i].dir + root_len + 1; /* "<dataset>/<run id>" */
    }
    int rc = 0;
    if (!strcmp(argv[1], "baseline")) {
        if (dsml_regress_write_baseline(baseline, sweep_path, runs, sw.n_runs)) {
            fprintf(stderr, "dsml regress: %s\n", dsml_last_error());
            rc = 1;
        } else
            fprintf(stderr, "regress: wrote %s from %d runs\n", baseline, sw.n_runs);
    } else {
        dsml_regress_row *rows = NULL;
        int n_rows = 0, failures = 0;
        if (dsml_regress_compare(baseline, runs, sw.n_runs, &rows, &n_rows, &failures)) {
            fprintf(stderr, "dsml regress: %s\n", dsml_last_error());
            rc = 1;
        } else {
            if (all || failures) dsml_regress_print(stdout, rows, n_rows, !all);
            printf("regress: %d of %d metrics of %d runs within tolerance of %s%s\n", n_rows - failures, n_rows,
                   sw.n_runs, baseline, failures ? "; FAILED (see docs/regress.md; `make regress-baseline` after a "
                                                   "deliberate change)" : "");
            rc = failures ? 1 : 0;
        }
        free(rows);
    }
    free(runs);
    free(paths);
    dsml_sweep_free(&sw);
    return rc;
}
