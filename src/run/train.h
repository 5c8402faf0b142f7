/* One training run end to end: dataset -> split -> model -> loss -> SGD ->
 * embed queries and database -> evaluate -> metrics.json + embeddings.bin.
 *
 * This is the library half of `dsml train`; the CLI fills the config and
 * prints what goes wrong. Every random choice derives from cfg->seed through
 * separate streams (split, initialisation, sampling, dropout, k-means), so
 * changing one does not shift the others. */
#ifndef DSML_RUN_TRAIN_H
#define DSML_RUN_TRAIN_H

#include <stdint.h>
#include <stdio.h>

#include "nn/model.h"
#include "metric/loss.h"
#include "data/split.h"
#include "run/protocol.h"

typedef struct {
    /* data */
    char dataset[64];          /* "fashion-mnist", "cifar10" */
    dsml_protocol protocol;    /* DSML_PROTOCOL_DML (default) or DSML_PROTOCOL_HASHING */
    dsml_split_kind split;     /* DEFAULT: by dataset (paper for cub200/cars196, per-label queries
                                  for nus-wide) or by protocol; or paper, zero-shot, dml, hashing */
    char data_root[1024];      /* $DSML_DATA or "datasets" */
    char from[1024];           /* source path override, "" for the default */
    char fashion_mnist_dir[1024]; /* fashion-mnist's source folder ($DSML_FASHION_MNIST), "" for the default */
    int queries_per_class;     /* DML protocol: 100 */
    int train_per_class;       /* 500 (taken from the database) */
    int validation_per_class;  /* > 0: train on the rest, evaluate on the held-out validation
                                  images instead of the queries (for tuning) */
    /* model */
    dsml_model_kind model;
    int dim;
    int hidden[8], n_hidden;   /* mlp */
    float dropout;
    /* loss */
    dsml_loss_params loss;
    /* optimisation */
    int epochs;
    int classes_per_batch;     /* P */
    int images_per_class;      /* K (N-pair: 2) */
    float lr, momentum, weight_decay;
    float clip_grad;           /* > 0: rescale the gradient to at most this L2 norm */
    uint64_t seed;
    int threads;
    /* evaluation */
    int map_at;                /* 0 = whole database */
    int f1_at;                 /* paper: 5000 */
    /* output */
    char out_dir[1024];
    int write_embeddings;
    FILE *log;                 /* progress lines; NULL = quiet */
} dsml_train_config;

void dsml_train_config_default(dsml_train_config *cfg);

/* Runs the whole thing and writes cfg->out_dir/metrics.json (and
 * embeddings.bin), each atomically. Returns a dsml_status. */
int dsml_train_run(const dsml_train_config *cfg);

#endif
