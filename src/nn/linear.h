/* Fully connected layer: y = x W^T + b, PyTorch's nn.Linear.
 *
 * Legend: N = rows (batch), I = input features, O = output features.
 * W is O x I row-major (PyTorch's layout), b has O entries. The layer borrows
 * its parameter and gradient storage from the owner (the model's blocks). */
#ifndef DSML_NN_LINEAR_H
#define DSML_NN_LINEAR_H

#include <stddef.h>

#include "core/rng.h"

typedef struct {
    int in, out;      /* I, O */
    float *w, *b;     /* borrowed: O*I then O floats */
    float *dw, *db;   /* borrowed: same shapes, accumulated by backward */
} dsml_linear;

/* Floats of parameters (and of gradients): O*I + O. */
size_t dsml_linear_param_count(int in, int out);

/* Points the layer at params / grads (each dsml_linear_param_count floats,
 * owned by the caller) and draws W and b from U(-1/sqrt(I), 1/sqrt(I)) in that
 * order, as PyTorch's default (kaiming_uniform with a = sqrt(5)). */
void dsml_linear_init(dsml_linear *l, int in, int out, float *params, float *grads, dsml_rng *rng);

/* y[N x O] = x[N x I] W^T + b. */
void dsml_linear_forward(const dsml_linear *l, float *y, const float *x, int n);

/* dW += dy^T x, db += column sums of dy; dx[N x I] = dy W (overwritten) unless
 * dx is NULL. x is the forward input. */
void dsml_linear_backward(dsml_linear *l, float *dx, const float *dy, const float *x, int n);

/* The layer owns nothing; clears the borrowed pointers. */
void dsml_linear_free(dsml_linear *l);

#endif
