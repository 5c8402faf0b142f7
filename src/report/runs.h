/* The runs the paper's tables and claims are made of: every finished run of
 * a results directory (results/scan.h), read with the typed reader
 * (results/run_metrics.h) and grouped by (dataset, loss, distance, dim) over
 * seeds. A run evaluated on the validation carve-out (tuning) or with the
 * density regulariser is left out; a hashing run (config.protocol "hashing",
 * or loss dsnrh, dpsh or dtsh) belongs to Table 4 only. */
#ifndef DSML_REPORT_RUNS_H
#define DSML_REPORT_RUNS_H

#include <stdio.h>

#include "report/paper.h"
#include "report/stats.h"
#include "results/run_metrics.h"
#include "results/scan.h"

typedef struct {
    dsml_run_metrics m;       /* the run's metrics.json */
    const char *dir;          /* the run's folder (borrowed from the set's scan) */
    const char *hash_method;  /* dsml_paper_hash_method(): "" for a DML run */
} dsml_table_run;

typedef struct dsml_run_set {
    dsml_table_run *runs;     /* owned; in scan order (dataset folder, then run folder) */
    int count;
    dsml_results_list scanned;
    char source[1024];        /* the results directory they were read from, for the tables' headers */
} dsml_run_set;

/* Reads every finished run under dir. Unfinished runs, validation-only runs,
 * density variants and repeated seeds of a group (the first by directory
 * name is kept) are skipped, each named on `notes` (NULL: quiet). A missing
 * results directory gives an empty set (noted). A metrics.json that does not
 * parse, or fails dsml_run_metrics_check, fails. */
int dsml_runs_load(dsml_run_set *set, const char *dir, FILE *notes);
void dsml_runs_free(dsml_run_set *set);

/* The values of `metric` over seeds for one DML group (hashing runs
 * excluded; NaN values skipped), seeds ascending. */
void dsml_runs_sample(const dsml_run_set *set, const char *dataset, const char *loss, const char *distance, int dim,
                      dsml_paper_metric metric, dsml_sample *out);
/* The same for a hashing method ("DSNRH", "DPSH", "DTSH"; a trailing '*' is
 * ignored) at `bits`. */
void dsml_runs_sample_hashing(const dsml_run_set *set, const char *dataset, const char *method, int bits,
                              dsml_paper_metric metric, dsml_sample *out);
/* Number of DML (hashing = 0) or hashing (1) runs of a dataset. */
int dsml_runs_count(const dsml_run_set *set, const char *dataset, int hashing);

#endif
