/* Turning prepared uint8 images into the float batches the model reads:
 * x = (pixel / 255 - mean_c) / std_c, with per-channel statistics of the
 * training set, so that every dataset enters the network on the same scale.
 * At the cache's size only; resized, cropped, flipped or otherwise normalised
 * batches come from run/input_pipeline.h (docs/input.md). */
#ifndef DSML_RUN_BATCH_H
#define DSML_RUN_BATCH_H

#include "data/dataset.h"

#define DSML_MAX_CHANNELS 4

typedef struct {
    int channels;
    float mean[DSML_MAX_CHANNELS];
    float inv_std[DSML_MAX_CHANNELS];
} dsml_input_norm;

/* Channel means and standard deviations over the images `indices` (n of them). */
int dsml_input_norm_fit(dsml_input_norm *norm, const dsml_dataset *ds, const int *indices, int n);

/* Writes n normalised images (rows of C*H*W floats) into out. Allocates nothing. */
void dsml_batch_fill(const dsml_dataset *ds, const dsml_input_norm *norm, const int *indices, int n, float *out);

#endif
