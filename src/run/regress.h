/* Regression checks: the metrics of a small fixed configuration against a
 * committed baseline (results/baseline/regress.json), each within a
 * documented tolerance (docs/regress.md).
 *
 * Baseline format (JSON, written by dsml_regress_write_baseline):
 *   { "format_version": 1, "sweep": "<the sweep file the runs came from>",
 *     "program": "<dsml version that wrote it>",
 *     "runs": [ { "run": "<dataset>/<run id>",
 *                 "metrics": { "euclidean": {"recall@1": x, ...},
 *                              "hamming": {...}, "clustering": {...},
 *                              "training": {"final_loss": x} } }, ... ] }
 * Metric names are the dotted paths of dsml_regress_metrics below. */
#ifndef DSML_RUN_REGRESS_H
#define DSML_RUN_REGRESS_H

#include <stdio.h>

typedef struct {
    const char *name;        /* "euclidean.map@r": path in the baseline's "metrics" */
    const char *source;      /* path in metrics.json ("training.final_loss": last loss_per_epoch) */
    double abs_tol;          /* |now - baseline| <= abs_tol + rel_tol * |baseline| */
    double rel_tol;
} dsml_regress_metric;

extern const dsml_regress_metric dsml_regress_metrics[];
extern const int dsml_regress_n_metrics;

/* One run of the check: its name in the baseline and its metrics.json. */
typedef struct {
    const char *name;
    const char *metrics_path;
} dsml_regress_run;

/* Reads the metrics of each run and writes the baseline atomically. Errors
 * name the metrics.json and the missing key. */
int dsml_regress_write_baseline(const char *path, const char *sweep_path, const dsml_regress_run *runs, int n);

typedef struct {
    char run[256];
    const dsml_regress_metric *metric;
    double baseline, value;  /* NAN when absent */
    int ok;
} dsml_regress_row;

/* Compares every run and metric with the baseline. *rows (malloc'd, caller
 * frees) gets one row per (run, metric) of the baseline and of `runs`;
 * *failures counts rows outside their tolerance, metrics absent on either
 * side, baseline runs not given and runs without a baseline. A baseline that
 * does not parse, or a metrics.json that does not, is an error. */
int dsml_regress_compare(const char *baseline_path, const dsml_regress_run *runs, int n, dsml_regress_row **rows,
                         int *n_rows, int *failures);

/* Prints the rows as a table (all, or only the failing ones). */
void dsml_regress_print(FILE *fp, const dsml_regress_row *rows, int n, int only_failures);

#endif
