/* What one training run is told: the configuration `dsml train` builds from
 * its options (src/run/train_options.h has the table of them, their ranges
 * and defaults) and `dsml_train_run` executes. A plain struct: the options
 * module fills it, the run reads it, nothing else writes it. */
#ifndef DSML_RUN_TRAIN_CONFIG_H
#define DSML_RUN_TRAIN_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "data/split.h"
#include "metric/loss.h"
#include "nn/model.h"
#include "run/protocol.h"

typedef struct {
    /* data */
    char dataset[64];          /* "fashion-mnist", "cifar10" */
    dsml_protocol protocol;    /* DSML_PROTOCOL_DML (default) or DSML_PROTOCOL_HASHING */
    dsml_split_kind split;     /* DEFAULT: by dataset (paper for cub200/cars196, per-label queries
                                  for nus-wide) or by protocol; or paper, zero-shot, dml, hashing */
    char data_root[1024];      /* the data root ("datasets" unless given) */
    char from[1024];           /* source path override, "" for the default */
    char fashion_mnist_dir[1024]; /* Fashion-MNIST's system folder, "" for Debian's */
    int queries_per_class;     /* DML protocol: 100; hashing: 1000 */
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
    int batch;                 /* images per batch, P x K */
    int classes_per_batch;     /* P = batch / images_per_class */
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
    int no_embeddings;         /* 1: no embeddings.bin */
    int quiet;                 /* no progress lines */
    FILE *log;                 /* progress lines; NULL = quiet */
} dsml_train_config;

#endif
