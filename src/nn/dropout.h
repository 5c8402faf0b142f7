/* Inverted dropout (PyTorch's nn.Dropout): while training each value is
 * zeroed with probability p and the survivors are scaled by 1/(1-p); at
 * inference it is the identity. */
#ifndef DSML_NN_DROPOUT_H
#define DSML_NN_DROPOUT_H

#include <stddef.h>

#include "core/rng.h"

/* y = x * mask, where mask (count floats, caller-owned) receives 0 or
 * 1/(1-p) drawn in index order from rng; 0 <= p < 1. y may equal x. */
void dsml_dropout_forward(float *y, float *mask, const float *x, size_t count, float p, dsml_rng *rng);

/* dx = dy * mask. dx may equal dy. */
void dsml_dropout_backward(float *dx, const float *dy, const float *mask, size_t count);

#endif
