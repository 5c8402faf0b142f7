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

/* The same update for elements begin..end-1 only, at lr * lr_mult (layers
 * that learn at another rate than the rest when fine-tuning). */
void dsml_sgd_step_range(dsml_sgd *opt, float *params, const float *grads, size_t begin, size_t end, float lr_mult);

/* Rescales grads (n floats) in place to an L2 norm of at most max_norm, as
 * PyTorch's clip_grad_norm_ before optimizer.step() (so before weight decay);
 * returns the norm before rescaling. The norm is summed serially in double,
 * so the result does not depend on the thread count. */
double dsml_clip_grad_norm(float *grads, size_t n, float max_norm);

void dsml_sgd_free(dsml_sgd *opt);

#endif
