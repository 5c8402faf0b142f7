/* The paper's layout, in one place: the eight rows of Tables 1-3 with the
 * loss and distance of each, the tables' datasets, their column groups and
 * sizes, Table 4's datasets, code lengths and hashing methods, and the method
 * labels ("DSML(cont)") every report prints. Tables, claims, the methods
 * table and the figures read these; nothing here reads files. */
#ifndef DSML_REPORT_PAPER_H
#define DSML_REPORT_PAPER_H

#include <stddef.h>

#include "results/run_metrics.h"

/* ---- Tables 1-3 -------------------------------------------------------------- */

/* The paper's eight rows, in order: each of its four losses with the
 * Euclidean distance, then as DSML (the SNR distance). Row 2l is loss l with
 * the Euclidean distance, row 2l + 1 the same loss with SNR. */
typedef struct {
    const char *method;   /* as printed: "contrastive", "DSML(cont)", ... */
    const char *loss;     /* contrastive, triplet, lifted, npair */
    const char *distance; /* euclidean, snr */
} dsml_paper_row;
#define DSML_PAPER_ROWS 8
#define DSML_PAPER_LOSSES (DSML_PAPER_ROWS / 2)
extern const dsml_paper_row dsml_paper_rows[DSML_PAPER_ROWS];

/* The index 0..3 of one of the paper's losses, or -1. */
int dsml_paper_loss(const char *loss);
/* The label of `loss` with the Euclidean (snr 0) or SNR (snr 1) distance:
 * the paper's row name for its four losses ("N-pair", "DSML(N-pair)"), else
 * the loss's name or "DSML(<loss>)". */
void dsml_paper_method_label(const char *loss, int snr, char *buf, size_t size);

/* A published table and its dataset. */
typedef struct {
    int table;            /* 1..4 */
    const char *dataset;  /* our dataset name: "cars196" */
    const char *title;    /* as the paper names it: "CARS196" */
} dsml_paper_dataset;
/* Tables 1, 2 and 3: cars196, cub200, cifar10. */
#define DSML_PAPER_DML_TABLES 3
extern const dsml_paper_dataset dsml_paper_dml_tables[DSML_PAPER_DML_TABLES];
/* The table (1..3) that publishes DML values of `dataset`, or 0. */
int dsml_paper_dml_table(const char *dataset);

/* The metrics Tables 1-3 use, read from metrics.json. */
typedef enum {
    DSML_PM_CLUSTER_F1, /* metrics.clustering.f1 */
    DSML_PM_NMI,        /* metrics.clustering.nmi */
    DSML_PM_RECALL1,    /* metrics.euclidean.recall@1 */
    DSML_PM_RECALL2,    /* metrics.euclidean.recall@2 */
    DSML_PM_EUC_MAP,    /* metrics.euclidean.map@t */
    DSML_PM_EUC_F1,     /* metrics.euclidean.f1@t */
    DSML_PM_HAM_MAP,    /* metrics.hamming.map@t */
    DSML_PM_HAM_F1,     /* metrics.hamming.f1@t */
    DSML_PM_COUNT
} dsml_paper_metric;

/* The metric of one run (a fraction as in metrics.json; NaN when absent). */
double dsml_paper_metric_value(const dsml_run_metrics *m, dsml_paper_metric metric);
/* Our metric for a published metric name ("clustering.nmi",
 * "euclidean.map@59000", "hamming.map@50000"), or -1. */
int dsml_paper_metric_of(const char *published_metric);

/* One column group of Tables 1-3 (three sizes each). */
typedef struct {
    const char *label;     /* header as printed: "F1", "NMI", "Recall@1", "MAP@59000" */
    const char *display;   /* in claims: "Recall@1", "MAP@59000 (Euclidean ranking)" */
    const char *published; /* metric name in published.tsv */
    dsml_paper_metric metric;
} dsml_paper_column;
#define DSML_PAPER_COLUMNS 4
/* The four column groups of Table 1, 2 or 3 (NULL for others). */
const dsml_paper_column *dsml_paper_columns(int table);
#define DSML_PAPER_SIZES 3
extern const int dsml_paper_sizes[DSML_PAPER_SIZES]; /* 16, 32, 64 */

/* ---- Table 4 ------------------------------------------------------------------ */

/* cifar10 ("CIFAR10") and nus-wide ("NUS-WIDE"). */
#define DSML_PAPER_HASH_DATASETS 2
extern const dsml_paper_dataset dsml_paper_hash_datasets[DSML_PAPER_HASH_DATASETS];
int dsml_paper_is_hash_dataset(const char *dataset);
/* Code lengths: 16, 24, 32, 48 bits. */
#define DSML_PAPER_BITS 4
extern const int dsml_paper_bits[DSML_PAPER_BITS];

/* The hashing methods we run, as Table 4 names them: DSNRH, its Euclidean
 * twin (not in the paper), DPSH, DTSH. */
#define DSML_PAPER_EUCLIDEAN_TWIN "Contrastive"
#define DSML_PAPER_OUR_HASHING 4
extern const char *const dsml_paper_our_hashing[DSML_PAPER_OUR_HASHING];

/* The hashing method of a run: "DSNRH", "DPSH", "DTSH" by loss; with
 * protocol "hashing" the contrastive loss is "DSNRH" with the SNR distance,
 * DSML_PAPER_EUCLIDEAN_TWIN with another, and any other loss "other". ""
 * for a DML run. protocol may be NULL. */
const char *dsml_paper_hash_method(const char *loss, const char *distance, const char *protocol);

#endif
