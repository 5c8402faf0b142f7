/* `dsml tables`: the paper's Tables 1-4 rebuilt from results/, our mean and
 * sample std over seeds beside each published value, as Markdown and LaTeX,
 * and claims.md (see claims.h). Layout of the outputs: docs/tables.md.
 *
 * Runs are read from <results>/<dataset>/<run>/metrics.json and grouped by
 * (dataset, loss, distance, dim) over seeds. A run evaluated on the
 * validation carve-out (tuning) is left out. A hashing run (config.protocol
 * "hashing", or loss dsnrh, dpsh or dtsh) belongs to Table 4 only. */
#ifndef DSML_REPORT_TABLES_H
#define DSML_REPORT_TABLES_H

#include <stdio.h>

#include "report/claims.h"
#include "report/published.h"

/* The metrics the tables use, read from metrics.json. */
typedef enum {
    DSML_TM_CLUSTER_F1, /* metrics.clustering.f1 */
    DSML_TM_NMI,        /* metrics.clustering.nmi */
    DSML_TM_RECALL1,    /* metrics.euclidean.recall@1 */
    DSML_TM_RECALL2,    /* metrics.euclidean.recall@2 */
    DSML_TM_EUC_MAP,    /* metrics.euclidean.map@t */
    DSML_TM_EUC_F1,     /* metrics.euclidean.f1@t */
    DSML_TM_HAM_MAP,    /* metrics.hamming.map@t */
    DSML_TM_HAM_F1,     /* metrics.hamming.f1@t */
    DSML_TM_COUNT
} dsml_table_metric;

typedef struct {
    char dir[2400];         /* the run's directory */
    char dataset[32], loss[32], distance[32], model[32];
    char hash_method[16];   /* "DSNRH", "DPSH", "DTSH" for hashing runs, else "" */
    int dim, seed, epochs;
    long map_at, f1_at;     /* config.map_at, config.f1_at (0 = whole ranking) */
    long query, database, train; /* data.split.eval_queries, eval_database, train */
    double metric[DSML_TM_COUNT]; /* fractions as in metrics.json; NAN when absent */
} dsml_run_record;

typedef struct dsml_run_set {
    dsml_run_record *runs;  /* owned; sorted by directory */
    int count;
    char source[1024];      /* the results directory they were read from, for the tables' headers */
} dsml_run_set;

/* Reads every <dir>/<dataset>/<run>/metrics.json. Directories without one
 * (unfinished) and validation-only runs are skipped, each named on `notes`
 * (NULL: quiet), as are repeated seeds of a group (the first by directory
 * name is kept). A missing results directory gives an empty set. A file that
 * does not parse, or lacks config.dataset/loss/distance/dim/seed, fails. */
int dsml_runs_load(dsml_run_set *set, const char *dir, FILE *notes);
void dsml_runs_free(dsml_run_set *set);

/* The values of `metric` over seeds for one DML group (hashing runs
 * excluded; NaN values skipped). */
void dsml_runs_sample(const dsml_run_set *set, const char *dataset, const char *loss, const char *distance, int dim,
                      dsml_table_metric metric, dsml_sample *out);
/* The same for a hashing method ("DSNRH", "DPSH", "DTSH"; a trailing '*' is
 * ignored) at `bits`. */
void dsml_runs_sample_hashing(const dsml_run_set *set, const char *dataset, const char *method, int bits,
                              dsml_table_metric metric, dsml_sample *out);
/* Number of DML (hashing = 0) or hashing (1) runs of a dataset. */
int dsml_runs_count(const dsml_run_set *set, const char *dataset, int hashing);

/* The paper's eight rows of Tables 1-3, in order, with the loss and
 * distance that make each. */
typedef struct {
    const char *method;   /* as printed: "contrastive", "DSML(cont)", ... */
    const char *loss;     /* contrastive, triplet, lifted, npair */
    const char *distance; /* euclidean, snr */
} dsml_paper_row;
#define DSML_PAPER_ROWS 8
extern const dsml_paper_row dsml_paper_rows[DSML_PAPER_ROWS];

/* One column group of Tables 1-3 (three sizes each). */
typedef struct {
    const char *label;     /* header as printed: "F1", "NMI", "Recall@1", "MAP@59000" */
    const char *display;   /* in claims: "Recall@1", "MAP@59000 (Euclidean ranking)" */
    const char *published; /* metric name in published.tsv */
    dsml_table_metric metric;
} dsml_table_column;
#define DSML_TABLE_COLUMNS 4
#define DSML_TABLE_SIZES 3
extern const int dsml_table_sizes[DSML_TABLE_SIZES]; /* 16, 32, 64 */
/* The four column groups of Table 1, 2 or 3 (NULL for others). */
const dsml_table_column *dsml_table_columns(int table);

/* Our metric for a published metric name ("clustering.nmi",
 * "euclidean.map@59000", "hamming.map@50000"), or -1. */
int dsml_tables_metric_of(const char *published_metric);

/* The whole command: loads the runs and `published_path`, writes
 * table1..4.md/.tex and claims.md into out_dir (created if needed), each
 * atomically. Notes (skipped runs, files written) go to `notes`. */
int dsml_tables_write(const char *results_dir, const char *out_dir, const char *published_path, FILE *notes);

#endif
