/* The runs of a results directory: where every command that reads runs
 * (summary, tables, the methods table, plots) finds them.
 *
 * Layout: <results>/<dataset>/<run>/metrics.json, one folder per run under
 * its dataset folder (named by the sweep: "cifar10", "cifar10-hashing",
 * "tune"). A run folder without metrics.json is an unfinished run
 * (metrics.json is a run's last file). A folder directly under <results>
 * that holds metrics.json, or no subfolder at all, is a run of its own (so
 * one dataset's folder can be given as <results>).
 *
 * Left out: names starting with '.', files, and the folders directly under
 * <results> that dsml_results_foreign names. Each level is read in name order
 * (strcmp), so the runs come sorted by dataset folder, then run folder. */
#ifndef DSML_RESULTS_SCAN_H
#define DSML_RESULTS_SCAN_H

#include <stdio.h>

/* 1 when the folder `name` directly under a results directory holds none of
 * its runs: baseline/ (the regression baseline), slurm/ (job logs) and
 * reference/ (the reference grid, a results directory of its own). */
int dsml_results_foreign(const char *name);

typedef struct {
    char *dataset;   /* the dataset folder's name; "" for a run directly under <results> */
    char *name;      /* the run folder's name */
    char *dir;       /* <results>/<dataset>/<name>, or <results>/<name> */
    char *metrics;   /* <dir>/metrics.json */
    int finished;    /* 1 when metrics.json is there */
} dsml_results_run;

typedef struct {
    dsml_results_run *runs;   /* owned; in scan order */
    int count, cap;
} dsml_results_list;

/* Every run folder under root, finished or not, into *list (emptied first;
 * free with dsml_results_list_free). On failure *list is empty; DSML_ERR_IO
 * names a folder that cannot be read:
 *   "<root>: cannot open directory: No such file or directory" */
int dsml_results_scan(const char *root, dsml_results_list *list);
void dsml_results_list_free(dsml_results_list *list);

/* The one note for an unfinished run, a line on `notes` (NULL: none):
 *   "<dir>: no metrics.json (unfinished run), skipped" */
void dsml_results_note_unfinished(FILE *notes, const dsml_results_run *run);
/* The note for a run directly under the results directory (dataset ""),
 * which the paper's tables and figures leave out (only `dsml summary` lists
 * it; `dsml train` without --out writes results/run):
 *   "<dir>: not in a dataset folder (<results>/<dataset>/<run>), skipped" */
void dsml_results_note_outside(FILE *notes, const dsml_results_run *run);

#endif
