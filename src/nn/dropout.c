/* Inverted dropout; see dropout.h. The mask is drawn serially so that it
 * depends on the rng state only, never on the thread count. */
#include "nn/dropout.h"

void dsml_dropout_forward(float *y, float *mask, const float *x, size_t count, float p, dsml_rng *rng)
{
    float scale = 1.0f / (1.0f - p);
    for (size_t i = 0; i < count; i++) {
        mask[i] = dsml_rng_uniform(rng) < (double)p ? 0.0f : scale;
        y[i] = x[i] * mask[i];
    }
}

void dsml_dropout_backward(float *dx, const float *dy, const float *mask, size_t count)
{
    for (size_t i = 0; i < count; i++) dx[i] = dy[i] * mask[i];
}
