/* metrics.json, read: one parse into a struct holding every field the
 * commands that read runs use (tables, claims, the methods table, plots,
 * summary, the sweep, tuning, the regression check), and a lookup by dotted
 * key for the places that take keys as data (summary's columns, the
 * regression check's metrics, the sweep's stale check). Layout of the file:
 * docs/results.md.
 *
 * Reading checks every value it knows wherever the file holds it: each
 * metric a finite number in its range (rates in [0, 1], counts non-negative
 * integers, times non-negative), or null (the writer's NaN); a string, a
 * boolean, a list or an object where a number belongs, or a number out of
 * range, fails the read naming the file, the key and what was expected:
 *   "<path>: metrics.euclidean.recall@1 is the string "NaN", expected a number in [0, 1]"
 * A value absent from the file reads as NULL (strings), NaN (metrics) or 0
 * (sizes), as each field says: a command that needs a value requires it
 * (dsml_run_metrics_require), one that needs a run's identity checks it with
 * dsml_run_metrics_check. */
#ifndef DSML_RESULTS_RUN_METRICS_H
#define DSML_RESULTS_RUN_METRICS_H

#include "core/json_parse.h"

/* The K of metrics.*.recall@K, in the order the writer writes them. */
#define DSML_METRICS_RECALL_K 6
extern const int dsml_metrics_recall_k[DSML_METRICS_RECALL_K]; /* 1, 2, 4, 8, 16, 32 */

/* One ranking block, metrics.euclidean or metrics.hamming. NaN: absent. */
typedef struct {
    int present;                          /* the block is in the file */
    double recall[DSML_METRICS_RECALL_K]; /* recall@1 .. recall@32 */
    double map;                           /* map (whole ranking) */
    double map_at_t, f1_at_t;             /* map@t, f1@t */
    double map_at_r, r_precision;         /* map@r, r_precision */
} dsml_ranking_metrics;

typedef struct {
    char *path;                  /* the file read (owned) */
    /* config: strings borrowed from the document, NULL when absent */
    const char *dataset, *protocol, *split, *model, *loss, *distance;
    const char *gpw_mining, *gpw_weighting;
    const char *equations;       /* config.equations: "paper" or "common"; "common" when absent (older runs) */
    int dim, seed;               /* 0 unless whole numbers in range (dsml_run_metrics_check) */
    int epochs;                  /* config.epochs; 0 when absent */
    long map_at, f1_at;          /* config.map_at, config.f1_at; 0 when absent */
    double density;              /* config.density; 0 when absent */
    /* data.split */
    long train;                  /* data.split.train; 0 when absent */
    long eval_queries;           /* data.split.eval_queries, else data.split.query (older files), else 0 */
    long eval_database;          /* data.split.eval_database, else data.split.database, else 0 */
    int evaluated_on_validation; /* 1 when data.split.evaluated_on_validation is true */
    /* metrics */
    dsml_ranking_metrics euclidean, hamming;
    double nmi, cluster_f1;      /* metrics.clustering.nmi, .f1; NaN when absent */
    double vmf_accuracy;         /* metrics.vmf.accuracy; NaN when absent */
    /* training */
    int n_loss;                  /* entries of training.loss_per_epoch; -1 when it is not an array */
    double *loss_per_epoch;      /* n_loss values (owned); a null entry (a NaN loss) is NaN */
    double wall_total;           /* wall_seconds.total; NaN when absent */
    dsml_json_doc doc;           /* the whole document, for dsml_run_metrics_get */
} dsml_run_metrics;

/* Parses path into *m. Fails (naming the file) when the file cannot be read,
 * is not JSON, is not a JSON object, or holds a value of the wrong type or out
 * of range at a key the reader knows (docs/results.md); absent keys are not
 * errors. On
 * success *m owns its memory (dsml_run_metrics_free); on failure *m is
 * empty. */
int dsml_run_metrics_read(dsml_run_metrics *m, const char *path);
void dsml_run_metrics_free(dsml_run_metrics *m);

/* The keys that identify a run: config.dataset, config.loss and
 * config.distance (strings), config.dim (an integer 1..65536) and
 * config.seed (an integer 0..2147483647). DSML_ERR_FORMAT naming the file,
 * the first key that fails and what it holds:
 *   "<path>: config.dim: expected an integer 1..65536, found none" */
int dsml_run_metrics_check(const dsml_run_metrics *m);

/* What the reader requires of the value at key ("a number in [0, 1]", "an
 * integer in 0..2147483647"); NULL for a key it does not check. */
const char *dsml_run_metrics_expected(const char *key);

/* DSML_OK when the file holds a value at key (null counts only when
 * allow_null: the writer's NaN); else DSML_ERR_FORMAT naming the file and key:
 *   "<path>: metrics.euclidean.map@t is missing, expected a number in [0, 1]" */
int dsml_run_metrics_require(const dsml_run_metrics *m, const char *key, int allow_null);

/* DSML_ERR_FORMAT for a value a command cannot use, in the reader's words:
 *   "<path>: config.lr is the string "0.01", expected a number" */
int dsml_run_metrics_refuse(const dsml_run_metrics *m, const char *key, const char *expected);

/* ---- lookup by key ----------------------------------------------------------- */

typedef enum {
    DSML_METRICS_ABSENT,  /* no such key */
    DSML_METRICS_NULL,    /* null (the writer's NaN) */
    DSML_METRICS_BOOL,
    DSML_METRICS_NUMBER,
    DSML_METRICS_STRING,
    DSML_METRICS_LIST,
    DSML_METRICS_OBJECT,
} dsml_metrics_kind;

typedef struct {
    dsml_metrics_kind kind;
    double number;        /* NUMBER; BOOL as 0 or 1; 0 otherwise */
    const char *string;   /* STRING (borrowed from the document); NULL otherwise */
    int count;            /* LIST, OBJECT: elements; 0 otherwise */
} dsml_metrics_value;

/* The value at a dotted key ("metrics.euclidean.map@r", "config.hidden"). */
dsml_metrics_value dsml_run_metrics_get(const dsml_run_metrics *m, const char *key);
/* Element i of the list at key as a number; NaN when there is none or it is
 * not a number. */
double dsml_run_metrics_list_number(const dsml_run_metrics *m, const char *key, int i);

#endif
