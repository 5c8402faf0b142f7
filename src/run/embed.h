/* Embedding a list of images with a trained model, in inference mode. */
#ifndef DSML_RUN_EMBED_H
#define DSML_RUN_EMBED_H

#include "data/dataset.h"
#include "nn/model.h"
#include "run/input_pipeline.h"

/* Embeds images `indices` (n) into out (n x dim), `batch` at a time (at most
 * the pipeline's max_batch), through the pipeline's evaluation fill, using
 * xbuf (batch x dsml_input_pipeline_row floats, borrowed) as the input
 * buffer. Fails with DSML_ERR_NUMERIC if an embedding is not finite. */
int dsml_embed(dsml_model *model, int dim, const dsml_dataset *ds, dsml_input_pipeline *pipe, const int *indices,
               int n, int batch, float *xbuf, float *out);

#endif
