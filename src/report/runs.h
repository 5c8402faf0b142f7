/* The runs the paper's tables and claims are made of: every finished run of
 * a results directory (results/scan.h), read with the typed reader
 * (results/run_metrics.h) and grouped by (dataset, loss, distance, dim) over
 * seeds. A run evaluated on the validation carve-out (tuning) or with the
 * density regulariser is left out; a hashing run (config.protocol "hashing",
 * or loss dsnrh, dpsh or dtsh) belongs to Table 4 only.
 *
 * Runs belong to one of two arms by config.equations: the paper's equations
 * as printed ("paper") or common conventions ("common", also when absent).
 * The tables show the common arm; claims.md has a section per arm. An arm
 * view (dsml_runs_arm_view) is a run set holding one arm's runs, the paper
 * arm's borrowing the triplet runs of the common arm where it has none of its
 * own (eq. 9 is computed the same under both). */
#ifndef DSML_REPORT_RUNS_H
#define DSML_REPORT_RUNS_H

#include <stdio.h>

#include "report/paper.h"
#include "report/stats.h"
#include "results/run_metrics.h"
#include "results/scan.h"

typedef enum {
    DSML_ARM_COMMON, /* config.equations "common" or absent */
    DSML_ARM_PAPER,  /* config.equations "paper" */
    DSML_ARM_COUNT
} dsml_arm;

typedef struct {
    dsml_run_metrics m;       /* the run's metrics.json */
    dsml_arm arm;
    int borrowed;             /* in an arm view: a common-arm run counted for the paper arm */
    const char *source_sha256; /* data.source_sha256 (borrowed from m), "" when absent */
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
 * results directory gives an empty set (noted). The whole set fails, so that
 * no table is built from the runs that happened to read, when a metrics.json
 * does not parse, holds a value of the wrong type or out of range
 * (results/run_metrics.h) or fails dsml_run_metrics_check, or when a group
 * (dataset, loss, distance, dim, arm, hashing method) has a metric of the
 * tables in some of its runs but not in others (absent, or null: not
 * computed), which would build its cell from fewer seeds than it has:
 *   "<path>: metrics.euclidean.map@t is missing, expected a number in [0, 1]
 *    (seed 1 of cifar10 triplet-snr d32 has it, in <dir>)"
 * A metric absent from every run of a group leaves its cells "not run". */
int dsml_runs_load(dsml_run_set *set, const char *dir, FILE *notes);
void dsml_runs_free(dsml_run_set *set);

/* The values of `metric` over seeds for one DML group (hashing runs
 * excluded; a metric no run of the group has gives none), seeds ascending. */
void dsml_runs_sample(const dsml_run_set *set, const char *dataset, const char *loss, const char *distance, int dim,
                      dsml_paper_metric metric, dsml_sample *out);
/* The same for a hashing method ("DSNRH", "DPSH", "DTSH"; a trailing '*' is
 * ignored) at `bits`. */
void dsml_runs_sample_hashing(const dsml_run_set *set, const char *dataset, const char *method, int bits,
                              dsml_paper_metric metric, dsml_sample *out);
/* Number of DML (hashing = 0) or hashing (1) runs of a dataset. */
int dsml_runs_count(const dsml_run_set *set, const char *dataset, int hashing);
/* The same, counting only the runs of the set's own arm (not borrowed ones). */
int dsml_runs_count_own(const dsml_run_set *set, const char *dataset, int hashing);

/* The losses computed the same under both arms ("triplet"). */
int dsml_runs_arm_neutral(const char *loss);
/* "common" / "paper". */
const char *dsml_arm_name(dsml_arm arm);

/* A view of one arm: view->runs are copies of set's runs of that arm (their
 * metrics still owned by `set`, which must outlive the view), in scan order.
 * For DSML_ARM_PAPER, a common-arm run of an arm-neutral loss is added (marked
 * borrowed) when its group (dataset, loss, distance, dim, hashing method) has
 * no paper-arm run. Release with dsml_runs_view_free, never dsml_runs_free. */
int dsml_runs_arm_view(const dsml_run_set *set, dsml_arm arm, dsml_run_set *view);
void dsml_runs_view_free(dsml_run_set *view);

#endif
