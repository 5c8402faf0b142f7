/* SGD with momentum and weight decay; see sgd.h. Elementwise, so the OpenMP
 * split cannot change results. */
#include "nn/sgd.h"
#include "core/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int dsml_sgd_init(dsml_sgd *opt, size_t n, float lr, float momentum, float weight_decay)
{
    memset(opt, 0, sizeof *opt);
    if (!(lr >= 0.0f) || !isfinite(lr))
        return dsml_fail(DSML_ERR_ARG, "sgd: learning rate %g, expected a finite value >= 0", (double)lr);
    if (!(momentum >= 0.0f) || !isfinite(momentum))
        return dsml_fail(DSML_ERR_ARG, "sgd: momentum %g, expected a finite value >= 0", (double)momentum);
    if (!(weight_decay >= 0.0f) || !isfinite(weight_decay))
        return dsml_fail(DSML_ERR_ARG, "sgd: weight decay %g, expected a finite value >= 0", (double)weight_decay);
    opt->velocity = calloc(n ? n : 1, sizeof(float));
    if (!opt->velocity) return dsml_fail(DSML_ERR_NOMEM, "sgd: velocity for %zu parameters", n);
    opt->lr = lr;
    opt->momentum = momentum;
    opt->weight_decay = weight_decay;
    opt->n = n;
    return DSML_OK;
}

void dsml_sgd_step(dsml_sgd *opt, float *params, const float *grads)
{
    dsml_sgd_step_range(opt, params, grads, 0, opt->n, 1.0f);
}

void dsml_sgd_step_range(dsml_sgd *opt, float *params, const float *grads, size_t begin, size_t end, float lr_mult)
{
    long n = (long)(end - begin);
    float lr = opt->lr * lr_mult, mu = opt->momentum, wd = opt->weight_decay;
    float *v = opt->velocity + begin;
    params += begin;
    grads += begin;
#pragma omp parallel for simd schedule(static) if (n > 65536)
    for (long i = 0; i < n; i++) {
        float g = grads[i] + wd * params[i];
        v[i] = mu * v[i] + g;
        params[i] -= lr * v[i];
    }
}

double dsml_clip_grad_norm(float *grads, size_t n, float max_norm)
{
    double sq = 0;
    for (size_t i = 0; i < n; i++) sq += (double)grads[i] * grads[i];
    double norm = sqrt(sq);
    if (!(norm > max_norm)) return norm;
    float scale = (float)(max_norm / norm);
    for (size_t i = 0; i < n; i++) grads[i] *= scale;
    return norm;
}

void dsml_sgd_free(dsml_sgd *opt)
{
    free(opt->velocity);
    memset(opt, 0, sizeof *opt);
}
