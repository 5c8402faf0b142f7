/* Stochastic gradient descent with momentum and weight decay, with PyTorch's
 * torch.optim.SGD semantics (dampening 0, no Nesterov):
 *
 *   g = grad + weight_decay * p
 *   v = momentum * v + g        (v starts at 0, so the first step has v = g)
 *   p = p - lr * v
 */
#ifndef DSML_NN_SGD_H
#define DSML_NN_SGD_H

#include <stddef.h>

typedef struct {
    float lr, momentum, weight_decay;
    float *velocity; /* owned: n floats, allocated by init, released by free */
    size_t n;
} dsml_sgd;

/* Allocates a zeroed velocity for n parameters. DSML_ERR_ARG for a negative
 * lr, momentum or weight decay; DSML_ERR_NOMEM. */
int dsml_sgd_init(dsml_sgd *opt, size_t n, float lr, float momentum, float weight_decay);

/* One update of params (n floats) from grads (n floats; not modified). */
void dsml_sgd_step(dsml_sgd *opt, float *params, const float *grads);

void dsml_sgd_free(dsml_sgd *opt);

#endif
