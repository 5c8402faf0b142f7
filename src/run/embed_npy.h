/* `dsml embed`: a network's forward pass in evaluation mode over an
 * N x C x H x W float32 .npy (already normalised), written as an N x K
 * float32 .npy, with weights read from a file (weights/weights.h) so that an
 * import can be checked against any other framework. */
#ifndef DSML_RUN_EMBED_NPY_H
#define DSML_RUN_EMBED_NPY_H

#include <stdio.h>

#include "nn/model.h"
#include "run/pretrained.h"

typedef struct {
    dsml_model_kind model;
    const char *weights;  /* a weights file; NULL: fresh initialisation drawn from seed */
    const char *input;    /* N x C x H x W float32 .npy */
    const char *output;   /* written atomically */
    int dim;              /* K; 0: the weights' last layer width (required without weights) */
    int batch;            /* images per forward (1..4096) */
    int threads;          /* 0: leave OpenMP's default */
    unsigned long long seed;
    FILE *log;            /* progress lines, or NULL */
} dsml_embed_npy_config;

typedef struct {
    long long images;
    int dim, channels, height, width;
    char format[16], sha256[65];   /* the weights file's, "" without one */
    dsml_pretrained_report loaded;
    double seconds;
} dsml_embed_npy_report;

/* Runs it; *report says what was loaded and written. Fails, naming the file,
 * on a bad input (not float32 with 4 dimensions, a non-finite value), a bad
 * weights file or one that does not fit the network, or a non-finite
 * output. Nothing is written on failure. */
int dsml_embed_npy(const dsml_embed_npy_config *c, dsml_embed_npy_report *report);

#endif
