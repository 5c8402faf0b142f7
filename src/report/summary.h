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
 * `notes` (NULL: none). *runs receives the number of rows.
 *
 * Every run is checked before anything is written: a metrics.json the reader
 * refuses (a value of the wrong type or out of range), a column of the wrong
 * type, or a column missing from an object the file holds (the writer writes
 * each object whole) fails, naming the file and the key. A column of an
 * absent object (a hashing run's metrics.euclidean) or an absent config key
 * is an empty cell, as is null (the writer's NaN). */
int dsml_summary_build(const char *dir, const char *csv_path, FILE *table, FILE *notes, int *runs);

#endif
