/* Rectified linear unit, elementwise: y = max(x, 0). */
#ifndef DSML_NN_RELU_H
#define DSML_NN_RELU_H

#include <stddef.h>

/* y = max(x, 0) over count floats; y may equal x (in place). */
void dsml_relu_forward(float *y, const float *x, size_t count);

/* dx = dy where the forward output y > 0, else 0 (the subgradient 0 at the
 * kink, as PyTorch). dx may equal dy (in place). */
void dsml_relu_backward(float *dx, const float *dy, const float *y, size_t count);

#endif
