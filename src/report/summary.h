/* results/<dataset>/<run>/metrics.json -> one row per run: summary.csv and a
 * Markdown table on a stream. Runs without a metrics.json (unfinished) are
 * not rows. */
#ifndef DSML_REPORT_SUMMARY_H
#define DSML_REPORT_SUMMARY_H

#include <stdio.h>

/* Scans `dir` (one level: dir/<run>/metrics.json, or two: dir/<dataset>/<run>/metrics.json),
 * writes csv_path atomically (NULL: none) and a Markdown table to `table` (NULL: none),
 * and names unfinished runs (leaf directories without metrics.json) on `notes`
 * (NULL: none); the folders dsml_results_foreign names are skipped.
 * *runs receives the number of rows. */
int dsml_summary_build(const char *dir, const char *csv_path, FILE *table, FILE *notes, int *runs);

#endif
