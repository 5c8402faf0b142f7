/* metrics.json, written: what a finished run hands the writer, and the writer.
 * Key by key layout: docs/results.md. The file is written atomically (a
 * reader sees the whole file or none), and it is a run's last file: a run
 * directory without one is an unfinished run.
 *
 * The writer knows nothing of the trainer's options: the "config" object is
 * written by a callback the caller supplies; every other value comes in as a
 * plain field of dsml_finished_run. */
#ifndef DSML_RESULTS_METRICS_WRITE_H
#define DSML_RESULTS_METRICS_WRITE_H

#include "core/json.h"
#include "eval/retrieval.h"

#define DSML_MAX_EPOCHS 1000
#define DSML_MAX_PARAM_LAYERS 64 /* as many as a network may have (nn/network.h) */

/* Writes the value of the key "config": one JSON object with the run's
 * options. `config` is the caller's, passed through untouched. */
typedef void (*dsml_config_writer)(dsml_json *j, const void *config);

/* Everything metrics.json records of one finished run. Strings are borrowed
 * and must outlive dsml_metrics_write. */
typedef struct {
    /* config */
    dsml_config_writer write_config;
    const void *config;
    /* data: the prepared dataset */
    const char *dataset;             /* data.name */
    int images, classes;
    int channels, height, width;     /* data.shape */
    const char *source_sha256, *content_sha256;
    int multi_label_eval;            /* relevance = sharing a label (dataset label sets) */
    int multi_label_train;           /* the loss took the batch's label sets (dpsh, dtsh) */
    /* data.split */
    const char *protocol;            /* "dml" or "hashing" */
    const char *split_kind;          /* "dml", "hashing", "paper", "zero-shot", "multi-label" */
    int query_is_database;
    int queries_per_class, train_per_class, validation_per_class; /* as configured */
    int n_query, n_database, n_train, n_validation;
    const char *split_hash;
    int eval_on_validation;          /* 1 when the evaluation used the validation carve-out */
    int n_eval_queries, n_eval_database;
    /* input: written as "input" when write_input is not NULL (how cached images become the network's input) */
    dsml_config_writer write_input;
    const void *input;
    /* model */
    char model_description[256];
    /* pretrained: written as "pretrained" when weights is not NULL */
    const char *weights, *weights_format, *weights_sha256;
    int n_param_layers;              /* the network's layers with parameters, in run order */
    const char *param_layer_source[DSML_MAX_PARAM_LAYERS]; /* each one's tensor prefix in the file, NULL when freshly initialised */
    int frozen_layers;               /* the first N of them were not trained */
    /* training */
    double epoch_loss[DSML_MAX_EPOCHS];
    double epoch_seconds[DSML_MAX_EPOCHS];
    int epochs_done;
    long images_trained;
    double train_images_per_second;
    /* evaluation */
    int not_evaluated;               /* --no-eval: no "metrics" object */
    int map_at;                      /* the configured T of MAP@T (0: whole database) */
    int f1_at;                       /* the configured T of F1@T */
    dsml_retrieval_result euclidean, hamming;
    int euclidean_skipped;           /* hashing protocol: no Euclidean ranking, "euclidean" not written */
    double nmi, pairwise_f1;
    int have_vmf;                    /* vmf loss: nearest-mean-direction classification of the queries */
    double vmf_accuracy;
    /* wall times (s) */
    double load_s, train_s, embed_s, eval_s, total_s;
} dsml_finished_run;

/* The "metrics" object of metrics.json: what `dsml train` writes into the
 * file and `dsml eval` prints, through the same two functions. A NULL
 * ranking is left out. */
typedef struct {
    const dsml_retrieval_result *euclidean, *hamming, *snr, *cosine;
    int map_at, f1_at;      /* the configured T of MAP@T (0: whole database) and of F1@T */
    int n_database;         /* items each query ranked: cut-offs above it become it */
    int have_clustering;
    double nmi, pairwise_f1;
    int have_vmf;
    double vmf_accuracy;
} dsml_metrics_set;

/* Writes the object (its value; the caller writes any key before it). Key
 * order: euclidean, hamming, snr, cosine, clustering, vmf. */
void dsml_metrics_write_object(dsml_json *j, const dsml_metrics_set *m);

/* Writes `key` and one ranking's object: recall@K, map, map@T, f1@T, map@r,
 * r_precision, precision@K and, for Hamming ranking, the radius lookup and
 * the precision-recall curve (docs/results.md). */
void dsml_metrics_write_ranking(dsml_json *j, const char *key, const dsml_retrieval_result *r, int map_at,
                                int f1_at, int ndb);

/* Writes `run` to `path` atomically. The program's version, libraries,
 * thread count and the time are added here. */
int dsml_metrics_write(const dsml_finished_run *run, const char *path);

#endif
