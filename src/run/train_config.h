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

/* How input images are normalised (--norm). */
typedef enum {
    DSML_NORM_FIT,      /* the training set's per-channel mean and standard deviation */
    DSML_NORM_IMAGENET, /* torchvision's ImageNet mean and standard deviation */
    DSML_NORM_WEIGHTS,  /* the weights file's average image, subtracted in pixel units (MatConvNet) */
    DSML_NORM_KINDS
} dsml_train_norm;

typedef struct {
    /* data */
    char dataset[64];          /* "fashion-mnist", "cifar10" */
    dsml_protocol protocol;    /* DSML_PROTOCOL_DML (default) or DSML_PROTOCOL_HASHING */
    dsml_split_kind split;     /* DEFAULT: by dataset (paper for cub200/cars196, per-label queries
                                  for nus-wide) or by protocol; or paper, zero-shot, dml, hashing */
    char data_root[1024];      /* the data root ("datasets" unless given) */
    char from[1024];           /* source path override, "" for the default */
    char fashion_mnist_dir[1024]; /* Fashion-MNIST's system folder, "" for Debian's */
    char classes[256];         /* "5-9": only these classes, relabelled 0..k-1 before the split
                                  (data/class_subset.h); "" for all */
    int queries_per_class;     /* DML protocol: 100; hashing: 1000 */
    int train_per_class;       /* 500 (taken from the database) */
    int validation_per_class;  /* > 0: train on the rest, evaluate on the held-out validation
                                  images instead of the queries (for tuning) */
    /* input (run/input_pipeline.h) */
    int resize;                /* > 0: cached images resized to resize x resize */
    int input_size;            /* > 0: the network's input side; 0: the network's own, else the resized size */
    int augment;               /* 1: random crop and horizontal flip while training */
    dsml_train_norm norm;
    /* model */
    dsml_model_kind model;
    int dim;
    int hidden[8], n_hidden;   /* mlp */
    float dropout;
    char weights[1024];        /* pretrained weights: a file or a manifest's name ("alexnet-imagenet"), "" for none */
    char weights_file[1024];   /* the file `weights` names (the CLI resolves names); "": weights is the file */
    int freeze;                /* the first N layers with parameters keep their loaded values */
    /* loss */
    dsml_loss_params loss;
    /* optimisation */
    int epochs;
    int batch;                 /* images per batch, P x K */
    int classes_per_batch;     /* P = batch / images_per_class */
    int images_per_class;      /* K (N-pair: 2) */
    float lr, momentum, weight_decay;
    float lr_new_layer_mult;   /* with weights: the freshly initialised layers learn this much faster */
    int steps;                 /* > 0: train this many batches instead of whole epochs */
    float clip_grad;           /* > 0: rescale the gradient to at most this L2 norm */
    uint64_t seed;
    int threads;
    /* evaluation */
    int map_at;                /* 0 = whole database */
    int f1_at;                 /* paper: 5000 */
    int no_eval;               /* 1: no evaluation, metrics.json has the training figures only */
    /* output */
    char out_dir[1024];
    int no_embeddings;         /* 1: no embeddings.bin */
    int quiet;                 /* no progress lines */
    FILE *log;                 /* progress lines; NULL = quiet */
} dsml_train_config;

#endif
