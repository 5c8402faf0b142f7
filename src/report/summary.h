/* results/<dataset>/<run>/metrics.json -> one row per run: summary.csv and a
 * Markdown table on a stream. Runs without a metrics.json (unfinished) are
 * not rows. */
#ifndef DSML_REPORT_SUMMARY_H
#define DSML_REPORT_SUMMARY_H

#include <stdio.h>

/* Scans `dir` as results/scan.h says (dir/<dataset>/<run>/metrics.json, or
 * dir/<run>/metrics.json for one dataset's folder), writes csv_path
 * atomically (NULL: none) and a Markdown table to `table` (NULL: none), rows
 * sorted by their name ("<dataset>/<run>"), and names unfinished runs on
 * `notes` (NULL: none). *runs receives the number of rows. */
int dsml_summary_build(const char *dir, const char *csv_path, FILE *table, FILE *notes, int *runs);

#endif
