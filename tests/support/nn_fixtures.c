/* Shared helpers of the nn tests; see nn_fixtures.h. */
#include "nn_fixtures.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"

void nn_fill_normal(dsml_rng *r, float *x, size_t n, float scale)
{
    for (size_t i = 0; i < n; i++) x[i] = scale * (float)dsml_rng_normal(r);
}

float *nn_floats(size_t n)
{
    float *p = calloc(n ? n : 1, sizeof(float));
    ck_assert_ptr_nonnull(p);
    return p;
}

double nn_dot(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

double nn_max_abs(const float *x, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) m = fmax(m, fabs(x[i]));
    return m;
}

double nn_max_diff(const float *a, const float *b, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) m = fmax(m, fabs((double)a[i] - b[i]));
    return m;
}

void nn_expect_pass(const char *what, gradcheck_result r, int min_checked, int max_skipped)
{
    if (r.failed)
        fprintf(stderr, "%s: %d of %d failed, worst index %d numeric %g analytic %g\n", what, r.failed, r.checked,
                r.worst_index, r.worst_numeric, r.worst_analytic);
    ck_assert_int_eq(r.failed, 0);
    ck_assert_int_ge(r.checked, min_checked);
    ck_assert_int_le(r.skipped_kinks, max_skipped);
}

dsml_model *nn_small_convnet(uint64_t seed, int dim)
{
    dsml_model_config cfg = {.kind = DSML_MODEL_CONVNET, .channels = 1, .height = 8, .width = 8, .dim = dim,
                             .max_batch = 4};
    dsml_rng rng;
    dsml_rng_seed(&rng, seed);
    dsml_model *m;
    ck_assert_int_eq(dsml_model_create(&m, &cfg, &rng), DSML_OK);
    return m;
}

double nn_net_objective(void *ctx)
{
    nn_net_ctx *c = ctx;
    dsml_rng rng;
    dsml_rng_seed(&rng, 1234); /* the same dropout mask on every evaluation */
    const float *y;
    ck_assert_int_eq(dsml_network_forward(c->net, c->x, c->n, 1, &rng, &y), DSML_OK);
    return nn_dot(y, c->r, (size_t)c->n * c->out);
}

nn_sampled nn_check_sampled(nn_net_ctx *c, float *x, const float *analytic, int len, int step, double tol)
{
    nn_sampled s = {0};
    for (int i = 0; i < len; i += step) {
        gradcheck_result g = gradcheck(nn_net_objective, c, x + i, analytic + i, 1, 1, 1e-3, tol);
        if (g.skipped_kinks) {
            s.kinks++;
            continue;
        }
        s.checked++;
        if (!g.failed) continue;
        gradcheck_result small = gradcheck(nn_net_objective, c, x + i, analytic + i, 1, 1, 2.5e-4, tol);
        gradcheck_result large = gradcheck(nn_net_objective, c, x + i, analytic + i, 1, 1, 4e-3, tol);
        if ((small.checked && !small.failed) || (large.checked && !large.failed)) {
            s.rescued++;
            continue;
        }
        s.failed++;
    }
    return s;
}

int nn_param_blocks(const dsml_network *net, size_t *blocks, int max)
{
    int n = 0;
    for (int i = 0; i < dsml_network_layer_count(net); i++) {
        const dsml_network_layer *l = dsml_network_layer_at(net, i);
        if (!l->param_count) continue;
        ck_assert_int_le(n + 2, max);
        blocks[n++] = l->param_count - (size_t)l->out_c;
        blocks[n++] = (size_t)l->out_c;
    }
    return n;
}

void nn_check_network_gradients(dsml_network *net, dsml_rng *rng, const size_t *blocks, int n_blocks, int samples,
                                const char *what)
{
    const dsml_network_layer *first = dsml_network_layer_at(net, 0);
    int n = 2, row = first->in_c * first->in_h * first->in_w, out = dsml_network_out_features(net);
    nn_net_ctx c = {net, nn_floats((size_t)n * row), nn_floats((size_t)n * out), n, out};
    nn_fill_normal(rng, c.x, (size_t)n * row, 1.0f);
    nn_fill_normal(rng, c.r, (size_t)n * out, 10.0f); /* gradients of order 1 */
    nn_net_objective(&c);
    dsml_network_zero_grad(net);
    ck_assert_int_eq(dsml_network_backward(net, c.r, n), DSML_OK);
    size_t count;
    float *params = dsml_network_params(net, &count);
    float *grads = dsml_network_grads(net, &count);
    size_t off = 0;
    double largest = 0;
    for (int b = 0; b < n_blocks; b++) {
        int len = (int)blocks[b], step = len / samples > 1 ? len / samples : 1, sampled = (len + step - 1) / step;
        nn_sampled s = nn_check_sampled(&c, params + off, grads + off, len, step, 1e-2);
        if (s.failed)
            fprintf(stderr, "%s tensor %d: %d checked, %d kinks, %d rescued, %d failed\n", what, b, s.checked, s.kinks,
                    s.rescued, s.failed);
        ck_assert_int_eq(s.failed, 0);
        ck_assert_int_le(s.kinks + s.rescued, sampled / 10 + 1); /* kinks stay rare */
        for (int i = 0; i < len; i += step) largest = fmax(largest, fabs(grads[off + i]));
        off += blocks[b];
    }
    ck_assert_uint_eq(off, count);
    ck_assert_double_gt(largest, 1.0); /* so the tolerance is relative where it matters */
    /* A gradient shifted by 0.1 is caught. */
    for (size_t i = 0; i < blocks[0]; i++) grads[i] += 0.1f;
    nn_sampled bad = nn_check_sampled(&c, params, grads, (int)blocks[0], 1, 1e-2);
    ck_assert_int_gt(bad.failed, (int)blocks[0] / 2);
    free(c.x), free(c.r);
}
