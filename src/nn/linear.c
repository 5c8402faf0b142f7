/* Fully connected layer; see linear.h. */
#include "nn/linear.h"
#include "core/gemm.h"

#include <math.h>
#include <string.h>

size_t dsml_linear_param_count(int in, int out) { return (size_t)out * in + (size_t)out; }

void dsml_linear_init(dsml_linear *l, int in, int out, float *params, float *grads, dsml_rng *rng)
{
    l->in = in;
    l->out = out;
    l->w = params;
    l->b = params + (size_t)out * in;
    l->dw = grads;
    l->db = grads + (size_t)out * in;
    float bound = 1.0f / sqrtf((float)in);
    for (size_t i = 0; i < (size_t)out * in; i++) l->w[i] = dsml_rng_uniform_range(rng, -bound, bound);
    for (int i = 0; i < out; i++) l->b[i] = dsml_rng_uniform_range(rng, -bound, bound);
}

void dsml_linear_forward(const dsml_linear *l, float *y, const float *x, int n)
{
    for (int r = 0; r < n; r++) memcpy(y + (size_t)r * l->out, l->b, sizeof(float) * (size_t)l->out);
    /* y[N x O] += x[N x I] * (W[O x I])^T */
    dsml_gemm(DSML_NO_TRANS, DSML_TRANS, n, l->out, l->in, 1.0f, x, l->in, l->w, l->in, 1.0f, y, l->out);
}

void dsml_linear_backward(dsml_linear *l, float *dx, const float *dy, const float *x, int n)
{
    /* dW[O x I] += (dy[N x O])^T * x[N x I] */
    dsml_gemm(DSML_TRANS, DSML_NO_TRANS, l->out, l->in, n, 1.0f, dy, l->out, x, l->in, 1.0f, l->dw, l->in);
    for (int r = 0; r < n; r++) {
        const float *row = dy + (size_t)r * l->out;
        for (int o = 0; o < l->out; o++) l->db[o] += row[o];
    }
    /* dx[N x I] = dy[N x O] * W[O x I] */
    if (dx) dsml_gemm(DSML_NO_TRANS, DSML_NO_TRANS, n, l->in, l->out, 1.0f, dy, l->out, l->w, l->in, 0.0f, dx, l->in);
}

void dsml_linear_free(dsml_linear *l) { memset(l, 0, sizeof *l); }
