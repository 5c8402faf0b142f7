/* What a finished run knows about itself, and the two files it leaves:
 *
 *   metrics.json    every metric, the configuration, seed, split, data
 *                   checksums, wall times and versions (docs/results.md)
 *   embeddings.bin  query and database embeddings with their labels
 *                   (format in docs/results.md)
 *
 * Both are written atomically: a reader sees the whole file or none. */
#ifndef DSML_RUN_RECORD_H
#define DSML_RUN_RECORD_H

#include "data/dataset.h"
#include "data/split.h"
#include "eval/retrieval.h"
#include "run/train.h"

#define DSML_MAX_EPOCHS 1000

typedef struct {
    const dsml_train_config *cfg;
    const dsml_dataset *ds;
    const dsml_split *split;
    char model_description[256];
    int eval_on_validation;        /* 1 when the evaluation used the validation carve-out */
    int n_eval_queries, n_eval_database;
    /* training */
    double epoch_loss[DSML_MAX_EPOCHS];
    double epoch_seconds[DSML_MAX_EPOCHS];
    int epochs_done;
    long images_trained;
    double train_images_per_second;
    /* evaluation */
    dsml_retrieval_result euclidean, hamming;
    int euclidean_skipped;         /* hashing protocol: no Euclidean ranking, "euclidean" not written */
    int multi_label_eval;          /* relevance = sharing a label (dataset label sets) */
    int multi_label_train;         /* the loss took the batch's label sets (dpsh, dtsh) */
    double nmi, pairwise_f1;
    int have_vmf;                  /* vmf loss: nearest-mean-direction classification of the queries */
    double vmf_accuracy;
    /* wall times (s) */
    double load_s, train_s, embed_s, eval_s, total_s;
} dsml_run_record;

int dsml_record_write_metrics(const dsml_run_record *rec, const char *path);

/* queries: nq x d, database: ndb x d, with labels and dataset indices. */
int dsml_record_write_embeddings(const char *path, int d, const float *queries, const int *query_labels,
                                 const int *query_index, int nq, const float *database,
                                 const int *database_labels, const int *database_index, int ndb);

#endif
