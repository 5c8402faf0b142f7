/* Tests of the sequential executor (src/nn/network.c, net_layer.c): a
 * description's forward against plain loops and its backward against the
 * layers composed by hand over the whole batch, finite differences through
 * whole networks, the plan (shapes, run order, kernels, parameter order),
 * frozen layers (backward from a given layer), thread-count independence, the caller's buffers left alone, and the
 * descriptions it refuses. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/gemm.h"
#include "core/rng.h"
#include "nn/conv2d.h"
#include "nn/dropout.h"
#include "nn/layer_spec.h"
#include "nn/linear.h"
#include "nn/maxpool2d.h"
#include "nn/model.h"
#include "nn/network.h"
#include "nn/relu.h"
#include "nn/sgd.h"
#include "support/nn_fixtures.h"
#include "support/suite_run.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- the reference network ----
 * 3 x 8 x 12 images (non-square, several channels: converted to NHWC), in
 * PyTorch's order: conv1 3x3 (3 -> 8 channels: im2col), ReLU, pool, conv2
 * 5x5 (8 -> 8: Winograd), ReLU, pool, flatten (2 x 3 x 8 = 48), fc 10, ReLU,
 * dropout, fc 5. 90 images make three trunk chunks (42 per chunk: 1024 / 24
 * conv2 output pixels). */
enum { RC = 3, RH = 8, RW = 12, RN = 90, ROUT = 5, RROW = RC * RH * RW };

static const int ref_layers = 11;

static void ref_description(dsml_layer_spec *s, float p)
{
    const dsml_layer_spec d[] = {
        dsml_layer_conv(8, 3, 1, 1), dsml_layer_relu(),    dsml_layer_maxpool(2, 2),
        dsml_layer_conv(8, 5, 1, 2), dsml_layer_relu(),    dsml_layer_maxpool(2, 2),
        dsml_layer_flatten(),        dsml_layer_linear(10), dsml_layer_relu(),
        dsml_layer_dropout(p),       dsml_layer_linear(ROUT),
    };
    ck_assert_int_eq(COUNT(d), ref_layers);
    memcpy(s, d, sizeof d);
}

static dsml_network *ref_network(uint64_t seed, float p, int max_batch)
{
    dsml_layer_spec s[16];
    ref_description(s, p);
    dsml_rng rng;
    dsml_rng_seed(&rng, seed);
    dsml_network *net;
    ck_assert_int_eq(dsml_network_create(&net, s, ref_layers, RC, RH, RW, max_batch, &rng), DSML_OK);
    return net;
}

/* CHW rows -> NHWC, by the definition. */
static void to_nhwc(float *dst, const float *src, int n, int c, int h, int w)
{
    for (int b = 0; b < n; b++)
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    dst[(((size_t)b * h + y) * w + x) * c + ch] = src[(((size_t)b * c + ch) * h + y) * w + x];
}

/* The network's conv and linear layers as the plain layer structs, reading
 * its parameters and accumulating into grads (same layout). */
static dsml_conv2d conv_at(dsml_network *net, int layer, float *grads)
{
    const dsml_network_layer *l = dsml_network_layer_at(net, layer);
    float *p = dsml_network_params(net, NULL) + l->param_offset;
    size_t nw = l->param_count - (size_t)l->out_c;
    return (dsml_conv2d){.cin = l->in_c, .cout = l->out_c, .k = l->spec.k, .stride = l->spec.stride,
                         .pad = l->spec.pad, .w = p, .b = p + nw, .dw = grads + l->param_offset,
                         .db = grads + l->param_offset + nw};
}

static dsml_linear linear_at(dsml_network *net, int layer, float *grads)
{
    const dsml_network_layer *l = dsml_network_layer_at(net, layer);
    float *p = dsml_network_params(net, NULL) + l->param_offset;
    size_t nw = (size_t)l->in_c * l->out_c;
    return (dsml_linear){.in = l->in_c, .out = l->out_c, .w = p, .b = p + nw, .dw = grads + l->param_offset,
                         .db = grads + l->param_offset + nw};
}

static void relu_loops(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

/* 2 x 2 / 2 max pooling of NHWC images by the definition. */
static void pool_loops(float *y, const float *x, int n, int h, int w, int c)
{
    for (int b = 0; b < n; b++)
        for (int oy = 0; oy < h / 2; oy++)
            for (int ox = 0; ox < w / 2; ox++)
                for (int ch = 0; ch < c; ch++) {
                    float m = -INFINITY;
                    for (int dy = 0; dy < 2; dy++)
                        for (int dx = 0; dx < 2; dx++)
                            m = fmaxf(m, x[(((size_t)b * h + 2 * oy + dy) * w + 2 * ox + dx) * c + ch]);
                    y[(((size_t)b * (h / 2) + oy) * (w / 2) + ox) * c + ch] = m;
                }
}

static void linear_loops(float *y, const float *x, const dsml_linear *l, int n)
{
    for (int b = 0; b < n; b++)
        for (int o = 0; o < l->out; o++) {
            double s = l->b[o];
            for (int i = 0; i < l->in; i++) s += (double)l->w[(size_t)o * l->in + i] * x[(size_t)b * l->in + i];
            y[(size_t)b * l->out + o] = (float)s;
        }
}

/* The reference network's forward by plain loops, layer after layer over the
 * whole batch, with dropout's mask drawn from a generator seeded 1234 (none
 * when p is 0 or not training). */
static void ref_forward_loops(dsml_network *net, const float *x, int n, float p, float *out)
{
    float *a = nn_floats((size_t)n * RROW), *c1 = nn_floats((size_t)n * 8 * RH * RW);
    float *p1 = nn_floats((size_t)n * 8 * 4 * 6), *c2 = nn_floats((size_t)n * 8 * 4 * 6);
    float *p2 = nn_floats((size_t)n * 48), *h = nn_floats((size_t)n * 10), *mask = nn_floats((size_t)n * 10);
    to_nhwc(a, x, n, RC, RH, RW);
    dsml_conv2d conv1 = conv_at(net, 0, dsml_network_grads(net, NULL));
    dsml_conv2d_forward_naive(&conv1, c1, a, n, RH, RW);
    relu_loops(c1, (size_t)n * 8 * RH * RW);
    pool_loops(p1, c1, n, RH, RW, 8);
    dsml_conv2d conv2 = conv_at(net, 3, dsml_network_grads(net, NULL));
    dsml_conv2d_forward_naive(&conv2, c2, p1, n, 4, 6);
    relu_loops(c2, (size_t)n * 8 * 4 * 6);
    pool_loops(p2, c2, n, 4, 6, 8);
    dsml_linear fc1 = linear_at(net, 7, dsml_network_grads(net, NULL));
    linear_loops(h, p2, &fc1, n);
    relu_loops(h, (size_t)n * 10);
    if (p > 0.0f) {
        dsml_rng rng;
        dsml_rng_seed(&rng, 1234);
        dsml_dropout_forward(h, mask, h, (size_t)n * 10, p, &rng);
    }
    dsml_linear fc2 = linear_at(net, 10, dsml_network_grads(net, NULL));
    linear_loops(out, h, &fc2, n);
    free(a), free(c1), free(p1), free(c2), free(p2), free(h), free(mask);
}

/* The reference network's parameter gradients for output gradient dy: the
 * layers' own whole-batch functions composed by hand in the description's
 * order (ReLU before pooling, im2col for both convs, one thread), training
 * forward with dropout p, into grads (overwritten). */
static void ref_backward_composed(dsml_network *net, const float *x, const float *dy, int n, float p, float *grads)
{
    size_t count;
    dsml_network_params(net, &count);
    memset(grads, 0, count * sizeof(float));
    dsml_conv2d conv1 = conv_at(net, 0, grads), conv2 = conv_at(net, 3, grads);
    dsml_linear fc1 = linear_at(net, 7, grads), fc2 = linear_at(net, 10, grads);
    size_t s1 = (size_t)n * 8 * RH * RW, s2 = (size_t)n * 8 * 4 * 6;
    float *a = nn_floats((size_t)n * RROW), *col1 = nn_floats(dsml_conv2d_col_size(&conv1, n, RH, RW));
    float *c1 = nn_floats(s1), *r1 = nn_floats(s1), *p1 = nn_floats(s1 / 4);
    float *col2 = nn_floats(dsml_conv2d_col_size(&conv2, n, 4, 6)), *c2 = nn_floats(s2), *r2 = nn_floats(s2);
    float *p2 = nn_floats(s2 / 4), *h = nn_floats((size_t)n * 10), *r3 = nn_floats((size_t)n * 10);
    float *d = nn_floats((size_t)n * 10), *mask = nn_floats((size_t)n * 10), *out = nn_floats((size_t)n * ROUT);
    unsigned char *w1 = malloc(s1 / 4), *w2 = malloc(s2 / 4);
    to_nhwc(a, x, n, RC, RH, RW);
    dsml_conv2d_forward(&conv1, c1, col1, a, n, RH, RW);
    dsml_relu_forward(r1, c1, s1);
    dsml_maxpool2d_forward(p1, w1, r1, n, RH, RW, 8);
    dsml_conv2d_forward(&conv2, c2, col2, p1, n, 4, 6);
    dsml_relu_forward(r2, c2, s2);
    dsml_maxpool2d_forward(p2, w2, r2, n, 4, 6, 8);
    dsml_linear_forward(&fc1, h, p2, n);
    dsml_relu_forward(r3, h, (size_t)n * 10);
    dsml_rng rng;
    dsml_rng_seed(&rng, 1234);
    if (p > 0.0f) dsml_dropout_forward(d, mask, r3, (size_t)n * 10, p, &rng);
    else memcpy(d, r3, sizeof(float) * (size_t)n * 10);
    dsml_linear_forward(&fc2, out, d, n);

    float *g10 = nn_floats((size_t)n * 10), *g48 = nn_floats((size_t)n * 48), *gs2 = nn_floats(s2);
    float *gp1 = nn_floats(s1 / 4), *gs1 = nn_floats(s1);
    dsml_linear_backward(&fc2, g10, dy, d, n);
    if (p > 0.0f) dsml_dropout_backward(g10, g10, mask, (size_t)n * 10);
    dsml_relu_backward(g10, g10, r3, (size_t)n * 10);
    dsml_linear_backward(&fc1, g48, g10, p2, n);
    dsml_maxpool2d_backward(gs2, g48, w2, n, 4, 6, 8);
    dsml_relu_backward(gs2, gs2, r2, s2);
    dsml_conv2d_backward(&conv2, gp1, gs2, col2, n, 4, 6);
    dsml_maxpool2d_backward(gs1, gp1, w1, n, RH, RW, 8);
    dsml_relu_backward(gs1, gs1, r1, s1);
    dsml_conv2d_backward(&conv1, NULL, gs1, col1, n, RH, RW);
    free(a), free(col1), free(c1), free(r1), free(p1), free(col2), free(c2), free(r2), free(p2), free(h), free(r3);
    free(d), free(mask), free(out), free(w1), free(w2), free(g10), free(g48), free(gs2), free(gp1), free(gs1);
}

/* The reference network (parameters from seed, dropout p) with RN random
 * images x and output gradients dy. */
typedef struct {
    dsml_network *net;
    float *x, *dy;
} ref_case;

static ref_case ref_case_make(uint64_t seed, float p)
{
    ref_case c = {ref_network(seed, p, RN), nn_floats((size_t)RN * RROW), nn_floats((size_t)RN * ROUT)};
    dsml_rng rng;
    dsml_rng_seed(&rng, seed + 1);
    nn_fill_normal(&rng, c.x, (size_t)RN * RROW, 1.0f);
    nn_fill_normal(&rng, c.dy, (size_t)RN * ROUT, 1.0f);
    return c;
}

static void ref_case_free(ref_case *c)
{
    dsml_network_free(c->net);
    free(c->x), free(c->dy);
}

/* The forward as the tests run it: dropout's mask from a generator seeded 1234. */
static const float *ref_forward(ref_case *c, int training)
{
    dsml_rng drop;
    dsml_rng_seed(&drop, 1234);
    const float *y;
    ck_assert_int_eq(dsml_network_forward(c->net, c->x, RN, training, &drop, &y), DSML_OK);
    return y;
}

START_TEST(test_forward_matches_plain_loops)
{
    float ps[2] = {0.0f, 0.4f};
    for (int t = 0; t < 2; t++) {
        ref_case c = ref_case_make(31, ps[t]);
        float *want = nn_floats((size_t)RN * ROUT);
        for (int training = 0; training < 2; training++) {
            const float *y = ref_forward(&c, training);
            ref_forward_loops(c.net, c.x, RN, training ? ps[t] : 0.0f, want);
            double largest = nn_max_abs(want, (size_t)RN * ROUT), err = nn_max_diff(y, want, (size_t)RN * ROUT);
            ck_assert_double_gt(largest, 0.1);
            if (err > 1e-5 * largest) fprintf(stderr, "p %g training %d: error %g of %g\n", ps[t], training, err, largest);
            ck_assert_double_le(err, 1e-5 * largest);
        }
        free(want);
        ref_case_free(&c);
    }
}
END_TEST

START_TEST(test_backward_matches_composed_layers)
{
    float ps[2] = {0.0f, 0.4f};
    for (int t = 0; t < 2; t++) {
        ref_case c = ref_case_make(33, ps[t]);
        size_t count;
        dsml_network_params(c.net, &count);
        float *want = nn_floats(count);
        ref_forward(&c, 1);
        ck_assert_int_eq(dsml_network_backward(c.net, c.dy, RN), DSML_OK);
        ref_backward_composed(c.net, c.x, c.dy, RN, ps[t], want);
        const float *got = dsml_network_grads(c.net, NULL);
        /* Tensor by tensor, relative to each one's largest value: Winograd
         * (conv2) rounds a little differently from im2col. */
        size_t blocks[16], off = 0;
        int n_blocks = nn_param_blocks(c.net, blocks, 16);
        ck_assert_int_eq(n_blocks, 8);
        for (int b = 0; b < n_blocks; b++) {
            double largest = nn_max_abs(want + off, blocks[b]), err = nn_max_diff(got + off, want + off, blocks[b]);
            ck_assert_double_gt(largest, 1e-3);
            if (err > 3e-5 * largest) fprintf(stderr, "p %g tensor %d: error %g of %g\n", ps[t], b, err, largest);
            ck_assert_double_le(err, 3e-5 * largest);
            off += blocks[b];
        }
        ck_assert_uint_eq(off, count);
        free(want);
        ref_case_free(&c);
    }
}
END_TEST

START_TEST(test_plan_shapes_order_and_parameters)
{
    dsml_network *net = ref_network(35, 0.5f, 4);
    /* Run order: each ReLU before a pool runs after it; the indexes say where
     * each layer stands in the description. */
    struct {
        dsml_layer_kind kind;
        int index, out_c, out_h, out_w, spatial, winograd;
        size_t offset, count;
    } want[] = {
        {DSML_LAYER_CONV, 0, 8, 8, 12, 1, 0, 0, 3 * 3 * 3 * 8 + 8},
        {DSML_LAYER_MAXPOOL, 2, 8, 4, 6, 1, 0, 224, 0},
        {DSML_LAYER_RELU, 1, 8, 4, 6, 1, 0, 224, 0},
        {DSML_LAYER_CONV, 3, 8, 4, 6, 1, 1, 224, 5 * 5 * 8 * 8 + 8},
        {DSML_LAYER_MAXPOOL, 5, 8, 2, 3, 1, 0, 1832, 0},
        {DSML_LAYER_RELU, 4, 8, 2, 3, 1, 0, 1832, 0},
        {DSML_LAYER_FLATTEN, 6, 48, 1, 1, 0, 0, 1832, 0},
        {DSML_LAYER_LINEAR, 7, 10, 1, 1, 0, 0, 1832, 48 * 10 + 10},
        {DSML_LAYER_RELU, 8, 10, 1, 1, 0, 0, 2322, 0},
        {DSML_LAYER_DROPOUT, 9, 10, 1, 1, 0, 0, 2322, 0},
        {DSML_LAYER_LINEAR, 10, 5, 1, 1, 0, 0, 2322, 10 * 5 + 5},
    };
    ck_assert_int_eq(dsml_network_layer_count(net), COUNT(want));
    ck_assert_ptr_null(dsml_network_layer_at(net, COUNT(want)));
    ck_assert_ptr_null(dsml_network_layer_at(net, -1));
    for (int i = 0; i < COUNT(want); i++) {
        const dsml_network_layer *l = dsml_network_layer_at(net, i);
        ck_assert_int_eq(l->spec.kind, want[i].kind);
        ck_assert_int_eq(l->index, want[i].index);
        ck_assert_int_eq(l->out_c, want[i].out_c);
        ck_assert_int_eq(l->out_h, want[i].out_h);
        ck_assert_int_eq(l->out_w, want[i].out_w);
        ck_assert_int_eq(l->spatial, want[i].spatial);
        ck_assert_int_eq(l->winograd, want[i].winograd);
        if (want[i].count) ck_assert_uint_eq(l->param_offset, want[i].offset);
        ck_assert_uint_eq(l->param_count, want[i].count);
        if (i) { /* each layer's input is the previous one's output */
            const dsml_network_layer *prev = dsml_network_layer_at(net, i - 1);
            ck_assert_int_eq(l->in_c, prev->out_c);
            ck_assert_int_eq(l->in_h, prev->out_h);
            ck_assert_int_eq(l->in_w, prev->out_w);
        }
    }
    ck_assert_int_eq(dsml_network_layer_at(net, 0)->in_c, RC);
    ck_assert_int_eq(dsml_network_out_features(net), ROUT);
    size_t count;
    const float *p = dsml_network_params(net, &count);
    ck_assert_uint_eq(count, 2322 + 55);
    /* Weight then bias: conv1's weight and bias share PyTorch's bound
     * 1/sqrt(fan_in = 27); fc2's bias, at the very end, 1/sqrt(10). */
    for (int i = 0; i < 224; i++) ck_assert_float_le(fabsf(p[i]), 1.0f / sqrtf(27.0f));
    for (int i = 0; i < 5; i++) ck_assert_float_le(fabsf(p[count - 5 + i]), 1.0f / sqrtf(10.0f));
    /* GEMM flops: conv1 2*96*8*27, conv2 2*24*8*200, fc1 2*48*10, fc2 2*10*5;
     * training adds twice that but conv1's input gradient. */
    double fwd = 41472.0 + 76800.0 + 960.0 + 100.0;
    ck_assert_double_eq_tol(dsml_network_flops_per_image(net, 0), fwd, 0.5);
    ck_assert_double_eq_tol(dsml_network_flops_per_image(net, 1), 3 * fwd - 41472.0, 0.5);
    dsml_network_free(net);
}
END_TEST

START_TEST(test_layer_spec_format)
{
    char buf[64];
    dsml_layer_spec specs[] = {dsml_layer_conv(32, 5, 1, 2), dsml_layer_maxpool(2, 2), dsml_layer_relu(),
                               dsml_layer_flatten(), dsml_layer_linear(256), dsml_layer_dropout(0.5f),
                               dsml_layer_conv(64, 11, 4, 0), dsml_layer_maxpool_ceil(3, 2),
                               dsml_layer_lrn(5, 5e-4f, 0.75f, 2.0f), dsml_layer_avgpool(6, 6)};
    const char *want[] = {"conv 5x5/1 pad 2 -> 32", "maxpool 2x2/2", "relu", "flatten", "linear -> 256",
                          "dropout 0.5", "conv 11x11/4 pad 0 -> 64", "maxpool 3x3/2 ceil",
                          "lrn 5 alpha 0.0005 beta 0.75 k 2", "avgpool -> 6x6"};
    for (int i = 0; i < COUNT(specs); i++) {
        dsml_layer_spec_format(&specs[i], buf, sizeof buf);
        ck_assert_str_eq(buf, want[i]);
    }
    dsml_layer_spec grouped = dsml_layer_conv(256, 5, 1, 2);
    grouped.groups = 2;
    dsml_layer_spec_format(&grouped, buf, sizeof buf);
    ck_assert_str_eq(buf, "conv 5x5/1 pad 2 groups 2 -> 256");
    dsml_layer_spec_format(&grouped, buf, 8); /* cut to fit */
    ck_assert_str_eq(buf, "conv 5x");
}
END_TEST

/* ---- finite differences through whole networks ---- */

/* The parameter tensors are `want` in order, and every one passes finite differences; frees net. */
static void check_blocks_and_gradients(dsml_network *net, dsml_rng *rng, const size_t *want, int count,
                                       const char *what)
{
    size_t blocks[16];
    int n_blocks = nn_param_blocks(net, blocks, 16);
    ck_assert_int_eq(n_blocks, count);
    for (int i = 0; i < n_blocks; i++) ck_assert_uint_eq(blocks[i], want[i]);
    nn_check_network_gradients(net, rng, blocks, n_blocks, 100, what);
    dsml_network_free(net);
}

START_TEST(test_description_gradients)
{
    /* Two 2x4x6 images: conv 3x3 (2 -> 8, im2col), pool, ReLU, conv 5x5
     * (8 -> 8, Winograd), ReLU, flatten (2 x 3 x 8), fc 6, ReLU, dropout,
     * fc 3. */
    const dsml_layer_spec s[] = {
        dsml_layer_conv(8, 3, 1, 1), dsml_layer_maxpool(2, 2), dsml_layer_relu(),
        dsml_layer_conv(8, 5, 1, 2), dsml_layer_relu(),        dsml_layer_flatten(),
        dsml_layer_linear(6),        dsml_layer_relu(),        dsml_layer_dropout(0.3f),
        dsml_layer_linear(3),
    };
    dsml_rng rng;
    /* A seed whose network has no unit within ~1e-4 of a kink (see nn_check_sampled). */
    dsml_rng_seed(&rng, 7);
    dsml_network *net;
    ck_assert_int_eq(dsml_network_create(&net, s, COUNT(s), 2, 4, 6, 2, &rng), DSML_OK);
    ck_assert(dsml_network_layer_at(net, 3)->winograd);
    const size_t want[] = {3 * 3 * 2 * 8, 8, 5 * 5 * 8 * 8, 8, 48 * 6, 6, 6 * 3, 3};
    check_blocks_and_gradients(net, &rng, want, COUNT(want), "description");
}
END_TEST

START_TEST(test_new_kinds_gradients)
{
    /* Two 2x17x17 images through every kind AlexNet and CNN-F add: conv 5x5/2
     * pad 1 (8x8), ReLU, LRN 3, max pool 3x3/2 ceil (4x4), conv 3x3/1 pad 1,
     * ReLU, max pool 2x2/1 (3x3), adaptive average pool 2x2 (overlapping
     * bins), flatten, dropout, fc 6, ReLU, dropout, fc 3. */
    const dsml_layer_spec s[] = {
        dsml_layer_conv(6, 5, 2, 1),   dsml_layer_relu(),           dsml_layer_lrn(3, 0.5f, 0.75f, 1.0f),
        dsml_layer_maxpool_ceil(3, 2), dsml_layer_conv(5, 3, 1, 1), dsml_layer_relu(),
        dsml_layer_maxpool(2, 1),      dsml_layer_avgpool(2, 2),    dsml_layer_flatten(),
        dsml_layer_dropout(0.3f),      dsml_layer_linear(6),        dsml_layer_relu(),
        dsml_layer_dropout(0.3f),      dsml_layer_linear(3),
    };
    dsml_rng rng;
    dsml_rng_seed(&rng, 7);
    dsml_network *net;
    ck_assert_int_eq(dsml_network_create(&net, s, COUNT(s), 2, 17, 17, 2, &rng), DSML_OK);
    int want[][3] = {{6, 8, 8}, {6, 8, 8}, {6, 8, 8}, {6, 4, 4}, {5, 4, 4},
                     {5, 3, 3}, {5, 3, 3}, {5, 2, 2}, {20, 1, 1}};
    for (int i = 0; i < COUNT(want); i++) {
        const dsml_network_layer *l = dsml_network_layer_at(net, i);
        ck_assert_int_eq(l->out_c, want[i][0]);
        ck_assert_int_eq(l->out_h, want[i][1]);
        ck_assert_int_eq(l->out_w, want[i][2]);
    }
    /* The fc after the flatten (behind a dropout) reads 5x2x2 NHWC. */
    const dsml_network_layer *fc = dsml_network_layer_at(net, 10);
    ck_assert_int_eq(fc->flat_c * 100 + fc->flat_h * 10 + fc->flat_w, 522);
    ck_assert_int_eq(dsml_network_layer_at(net, 13)->flat_c, 0);
    ck_assert_int_eq(dsml_network_flat_feature(fc, 1 * 4 + 1 * 2 + 1), (1 * 2 + 1) * 5 + 1); /* c 1, y 1, x 1 */
    const size_t blocks[] = {5 * 5 * 2 * 6, 6, 3 * 3 * 6 * 5, 5, 20 * 6, 6, 6 * 3, 3};
    check_blocks_and_gradients(net, &rng, blocks, COUNT(blocks), "new kinds");
}
END_TEST

START_TEST(test_winograd_3x3_gradients)
{
    /* Two 2x5x7 images: conv 3x3 (2 -> 64, im2col), conv 3x3 (64 -> 8,
     * Winograd F(2x2, 3x3)), ReLU, flatten (5 x 7 x 8), fc 3. No ReLU
     * between the convolutions: 64 channels of kinks there would leave a
     * few sampled coordinates within a step of one, whichever the kernel. */
    const dsml_layer_spec s[] = {
        dsml_layer_conv(64, 3, 1, 1), dsml_layer_conv(8, 3, 1, 1), dsml_layer_relu(),
        dsml_layer_flatten(),         dsml_layer_linear(3),
    };
    dsml_rng rng;
    dsml_rng_seed(&rng, 7);
    dsml_network *net;
    ck_assert_int_eq(dsml_network_create(&net, s, COUNT(s), 2, 5, 7, 2, &rng), DSML_OK);
    ck_assert(!dsml_network_layer_at(net, 0)->winograd);
    ck_assert(dsml_network_layer_at(net, 1)->winograd);
    const size_t want[] = {3 * 3 * 2 * 64, 64, 3 * 3 * 64 * 8, 8, 280 * 3, 3};
    check_blocks_and_gradients(net, &rng, want, COUNT(want), "winograd 3x3");
}
END_TEST

/* ---- frozen layers ---- */

/* The description test's network (conv 3x3 im2col, pool, ReLU, conv 5x5
 * Winograd, ReLU, flatten, fc, ReLU, dropout 0, fc) on 5 images, trained
 * from `from` (-1: not set): forward, backward of a fixed dy onto gradients
 * that start at 7 (so untouched ones show). Returns the gradient block
 * (the caller frees it); *count its length. */
static float *frozen_grads(int from, size_t *count, double *flops)
{
    const dsml_layer_spec s[] = {
        dsml_layer_conv(8, 3, 1, 1), dsml_layer_maxpool(2, 2), dsml_layer_relu(),
        dsml_layer_conv(8, 5, 1, 2), dsml_layer_relu(),        dsml_layer_flatten(),
        dsml_layer_linear(6),        dsml_layer_relu(),        dsml_layer_dropout(0.0f),
        dsml_layer_linear(3),
    };
    enum { N = 5, ROW = 2 * 4 * 6 };
    dsml_rng rng;
    dsml_rng_seed(&rng, 31);
    dsml_network *net;
    ck_assert_int_eq(dsml_network_create(&net, s, COUNT(s), 2, 4, 6, N, &rng), DSML_OK);
    if (from >= 0) ck_assert_int_eq(dsml_network_set_trainable_from(net, from), DSML_OK);
    float x[N * ROW], dy[N * 3];
    nn_fill_normal(&rng, x, N * ROW, 1.0f);
    nn_fill_normal(&rng, dy, N * 3, 1.0f);
    float *g = dsml_network_grads(net, count);
    for (size_t i = 0; i < *count; i++) g[i] = 7.0f;
    const float *y;
    ck_assert_int_eq(dsml_network_forward(net, x, N, 1, NULL, &y), DSML_OK);
    ck_assert_int_eq(dsml_network_backward(net, dy, N), DSML_OK);
    *flops = dsml_network_flops_per_image(net, 1);
    float *out = nn_floats(*count);
    memcpy(out, g, *count * sizeof(float));
    dsml_network_free(net);
    return out;
}

START_TEST(test_trainable_from)
{
    size_t count, n;
    double full_flops, flops;
    float *full = frozen_grads(-1, &count, &full_flops);
    /* Layer offsets: conv1 0 (3*3*2*8 + 8 = 152), conv2 152 (5*5*8*8 + 8 = 1608), fc1 1760 (48*6 + 6), fc2 2054. */
    const size_t conv2 = 152, fc1 = 1760;
    ck_assert_float_ne(full[0], 7.0f);
    /* From 0 (the first layer with parameters): a full backward, to the bit. */
    float *g0 = frozen_grads(0, &n, &flops);
    ck_assert_int_eq(memcmp(g0, full, count * sizeof(float)), 0);
    ck_assert_double_eq(flops, full_flops);
    free(g0);
    /* From conv2 (layer 3), from the pool after conv1 (layer 1: the next layer with parameters is conv2), and
     * from the fc (layer 6, outside the trunk): the trained layers' gradients to the bit, the rest untouched. */
    const struct {
        int from;
        size_t first;
    } cases[] = {{3, conv2}, {1, conv2}, {6, fc1}, {10, count}};
    for (int t = 0; t < COUNT(cases); t++) {
        float *g = frozen_grads(cases[t].from, &n, &flops);
        for (size_t i = 0; i < cases[t].first; i++) ck_assert_float_eq(g[i], 7.0f);
        ck_assert_int_eq(memcmp(g + cases[t].first, full + cases[t].first, (count - cases[t].first) * sizeof(float)),
                         0);
        ck_assert_double_lt(flops, full_flops);
        free(g);
    }
    free(full);

    /* What it refuses. */
    dsml_rng rng;
    dsml_rng_seed(&rng, 1);
    const dsml_layer_spec s[] = {dsml_layer_flatten(), dsml_layer_linear(2)};
    dsml_network *net;
    ck_assert_int_eq(dsml_network_create(&net, s, 2, 1, 2, 2, 1, &rng), DSML_OK);
    ck_assert_int_eq(dsml_network_set_trainable_from(net, 3), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "trainable from layer 3, expected 0..2"));
    ck_assert_int_eq(dsml_network_set_trainable_from(net, -1), DSML_ERR_ARG);
    ck_assert_int_eq(dsml_network_set_trainable_from(net, 2), DSML_OK);
    ck_assert_double_eq(dsml_network_flops_per_image(net, 1), dsml_network_flops_per_image(net, 0));
    dsml_network_free(net);
}
END_TEST

START_TEST(test_output_relu_and_input_relu)
{
    /* A ReLU on the caller's input and a ReLU on the output: the executor
     * works on its own copies (x and dy are borrowed, never written), and the
     * gradients are right. */
    const dsml_layer_spec s[] = {dsml_layer_flatten(), dsml_layer_relu(), dsml_layer_linear(4), dsml_layer_relu()};
    dsml_rng rng;
    dsml_rng_seed(&rng, 8);
    dsml_network *net;
    ck_assert_int_eq(dsml_network_create(&net, s, COUNT(s), 2, 2, 3, 3, &rng), DSML_OK);
    float x[3 * 12], x0[3 * 12], dy[3 * 4], dy0[3 * 4];
    nn_fill_normal(&rng, x, 36, 1.0f);
    nn_fill_normal(&rng, dy, 12, 1.0f);
    memcpy(x0, x, sizeof x), memcpy(dy0, dy, sizeof dy);
    const float *y;
    for (int training = 0; training < 2; training++) {
        ck_assert_int_eq(dsml_network_forward(net, x, 3, training, NULL, &y), DSML_OK);
        ck_assert_int_eq(memcmp(x, x0, sizeof x), 0);
        ck_assert_ptr_ne(y, x);
    }
    /* y = relu(W relu(x) + b), by hand for image 2, output 3. */
    dsml_linear fc = linear_at(net, 2, dsml_network_grads(net, NULL));
    double s23 = fc.b[3];
    for (int i = 0; i < 12; i++) s23 += (double)fc.w[3 * 12 + i] * fmax(x[24 + i], 0.0);
    ck_assert_float_eq_tol(y[2 * 4 + 3], fmax(s23, 0.0), 1e-5);
    dsml_network_zero_grad(net);
    ck_assert_int_eq(dsml_network_backward(net, dy, 3), DSML_OK);
    ck_assert_int_eq(memcmp(dy, dy0, sizeof dy), 0);
    nn_net_ctx c = {net, x, dy, 3, 4};
    size_t count;
    float *params = dsml_network_params(net, &count);
    nn_expect_pass("relu network", gradcheck(nn_net_objective, &c, params, dsml_network_grads(net, NULL),
                                             (int)count, 1, 1e-3, 1e-3), (int)count - 12, 12);
    dsml_network_free(net);

    /* A network without parameters passes its input on as its own copy; its backward has nothing to do. */
    const dsml_layer_spec flat[] = {dsml_layer_flatten()};
    ck_assert_int_eq(dsml_network_create(&net, flat, 1, 2, 2, 3, 3, &rng), DSML_OK);
    ck_assert_int_eq(dsml_network_forward(net, x, 3, 1, NULL, &y), DSML_OK);
    ck_assert_ptr_ne(y, x);
    ck_assert_int_eq(memcmp(y, x, sizeof x), 0);
    ck_assert_int_eq(dsml_network_backward(net, x, 3), DSML_OK);
    ck_assert_double_eq(dsml_network_flops_per_image(net, 1), 0.0);
    dsml_network_free(net);
}
END_TEST

/* ---- determinism ---- */

START_TEST(test_threads_bit_identical)
{
    /* The reference network over three trunk chunks, 1, 2 and 3 threads: the
     * same outputs and gradients to the bit (3: one group per thread; 2: a
     * thread adds its second group after the other thread's). */
    enum { RUNS = 3 };
    float *y[RUNS], *g[RUNS];
    size_t count = 0;
    for (int t = 0; t < RUNS; t++) {
        dsml_set_threads(t + 1);
        ref_case c = ref_case_make(36, 0.25f);
        const float *out = ref_forward(&c, 1);
        y[t] = nn_floats((size_t)RN * ROUT);
        memcpy(y[t], out, sizeof(float) * RN * ROUT);
        ck_assert_int_eq(dsml_network_backward(c.net, c.dy, RN), DSML_OK);
        const float *grads = dsml_network_grads(c.net, &count);
        g[t] = nn_floats(count);
        memcpy(g[t], grads, count * sizeof(float));
        ref_case_free(&c);
    }
    dsml_set_threads(1);
    for (int t = 1; t < RUNS; t++) {
        ck_assert_int_eq(memcmp(y[0], y[t], sizeof(float) * RN * ROUT), 0);
        ck_assert_int_eq(memcmp(g[0], g[t], count * sizeof(float)), 0);
    }
    ck_assert_double_gt(nn_max_abs(g[0], count), 0.1);
    for (int t = 0; t < RUNS; t++) free(y[t]), free(g[t]);
}
END_TEST

/* Two SGD steps with dropout on a 3x12x12 convnet; returns the model. */
static dsml_model *train_two_steps(uint64_t seed, float *emb_out)
{
    dsml_model_config cfg = {.kind = DSML_MODEL_CONVNET, .channels = 3, .height = 12, .width = 12, .dim = 8,
                             .max_batch = 16, .dropout = 0.2f};
    dsml_rng rng, data, drop;
    dsml_rng_seed(&rng, seed);
    dsml_rng_seed(&data, 77);
    dsml_rng_seed(&drop, 78);
    dsml_model *m;
    ck_assert_int_eq(dsml_model_create(&m, &cfg, &rng), DSML_OK);
    size_t count;
    float *p = dsml_model_params(m, &count), *g = dsml_model_grads(m, NULL);
    dsml_sgd opt;
    ck_assert_int_eq(dsml_sgd_init(&opt, count, 0.05f, 0.9f, 1e-3f), DSML_OK);
    enum { N = 16, ROW = 3 * 12 * 12 };
    float *x = malloc(sizeof(float) * N * ROW), dh[N * 8];
    for (int step = 0; step < 2; step++) {
        nn_fill_normal(&data, x, N * ROW, 1.0f);
        const float *h;
        ck_assert_int_eq(dsml_model_forward(m, x, N, 1, &drop, &h), DSML_OK);
        for (int i = 0; i < N * 8; i++) dh[i] = h[i] - 0.1f * (i % 8);
        dsml_model_zero_grad(m);
        ck_assert_int_eq(dsml_model_backward(m, dh, N), DSML_OK);
        dsml_sgd_step(&opt, p, g);
    }
    const float *h;
    ck_assert_int_eq(dsml_model_forward(m, x, N, 0, NULL, &h), DSML_OK);
    memcpy(emb_out, h, sizeof(float) * N * 8);
    free(x);
    dsml_sgd_free(&opt);
    return m;
}

START_TEST(test_determinism_two_threads)
{
    dsml_set_threads(2);
    float e1[16 * 8], e2[16 * 8], e3[16 * 8];
    dsml_model *a = train_two_steps(5, e1), *b = train_two_steps(5, e2), *c = train_two_steps(6, e3);
    size_t count;
    float *pa = dsml_model_params(a, &count);
    ck_assert_int_eq(memcmp(pa, dsml_model_params(b, NULL), count * sizeof(float)), 0);
    ck_assert_int_eq(memcmp(dsml_model_grads(a, NULL), dsml_model_grads(b, NULL), count * sizeof(float)), 0);
    ck_assert_int_eq(memcmp(e1, e2, sizeof e1), 0);
    ck_assert_int_ne(memcmp(pa, dsml_model_params(c, NULL), count * sizeof(float)), 0);
    ck_assert_int_ne(memcmp(e1, e3, sizeof e1), 0);
    for (int i = 0; i < 16 * 8; i++) ck_assert(isfinite(e1[i]));
    dsml_model_free(a), dsml_model_free(b), dsml_model_free(c);
    dsml_set_threads(1);
}
END_TEST

START_TEST(test_convnet_chunks_add_up)
{
    /* 90 Fashion-MNIST-sized images: the trunk runs them in chunks, more chunks
     * than weight-gradient groups. The gradients must not depend on the thread
     * count, and two half batches must add up to the whole batch. */
    enum { N = 90, HALF = 45, DIM = 8, PIXELS = 28 * 28 };
    dsml_model_config cfg = {.kind = DSML_MODEL_CONVNET, .channels = 1, .height = 28, .width = 28, .dim = DIM,
                             .max_batch = N};
    dsml_rng rng;
    dsml_rng_seed(&rng, 9);
    dsml_model *m;
    ck_assert_int_eq(dsml_model_create(&m, &cfg, &rng), DSML_OK);
    float *x = malloc(sizeof(float) * N * PIXELS), r[N * DIM], e[2][N * DIM];
    nn_fill_normal(&rng, x, (size_t)N * PIXELS, 1.0f);
    nn_fill_normal(&rng, r, (size_t)N * DIM, 1.0f);
    float *x0 = malloc(sizeof(float) * N * PIXELS);
    memcpy(x0, x, sizeof(float) * N * PIXELS);
    size_t count;
    dsml_model_params(m, &count);
    float *g[3];
    for (int t = 0; t < 2; t++) {
        dsml_set_threads(2 - t);
        const float *h;
        dsml_model_zero_grad(m);
        ck_assert_int_eq(dsml_model_forward(m, x, N, 1, NULL, &h), DSML_OK);
        memcpy(e[t], h, sizeof e[t]);
        ck_assert_int_eq(dsml_model_backward(m, r, N), DSML_OK);
        g[t] = malloc(count * sizeof(float));
        memcpy(g[t], dsml_model_grads(m, NULL), count * sizeof(float));
    }
    ck_assert_int_eq(memcmp(e[0], e[1], sizeof e[0]), 0);
    ck_assert_int_eq(memcmp(g[0], g[1], count * sizeof(float)), 0);
    ck_assert_int_eq(memcmp(x, x0, sizeof(float) * N * PIXELS), 0); /* one channel: read in place, never written */
    dsml_model_zero_grad(m);
    for (int part = 0; part < 2; part++) {
        const float *h;
        ck_assert_int_eq(dsml_model_forward(m, x + (size_t)part * HALF * PIXELS, HALF, 1, NULL, &h), DSML_OK);
        ck_assert_int_eq(dsml_model_backward(m, r + part * HALF * DIM, HALF), DSML_OK);
    }
    g[2] = dsml_model_grads(m, NULL);
    double largest = 0;
    for (size_t i = 0; i < count; i++) largest = fmax(largest, fabs(g[0][i]));
    ck_assert_double_gt(largest, 0.1);
    for (size_t i = 0; i < count; i++) ck_assert_float_eq_tol(g[2][i], g[0][i], 1e-5 * largest);
    free(g[0]), free(g[1]), free(x), free(x0);
    dsml_model_free(m);
    dsml_set_threads(1);
}
END_TEST

/* ---- refused descriptions ---- */

START_TEST(test_refused_descriptions)
{
    /* Each on a 3 x 7 x 8 input, max_batch 4: the message names the layer
     * (1-based, as written in the description) and what is wrong. */
    dsml_layer_spec grouped = dsml_layer_conv(4, 3, 1, 1);
    grouped.groups = 3;
    dsml_layer_spec unknown = {.kind = (dsml_layer_kind)42};
    struct {
        dsml_layer_spec s[3];
        int count;
        const char *message;
    } cases[] = {
        {{dsml_layer_linear(4)}, 1, "network: layer 1 (linear -> 4): needs features: a flatten before it"},
        {{dsml_layer_flatten(), dsml_layer_conv(4, 3, 1, 1)}, 2,
         "layer 2 (conv 3x3/1 pad 1 -> 4): needs spatial activations, but it stands after the flatten"},
        {{dsml_layer_maxpool(9, 2), dsml_layer_flatten()}, 2,
         "layer 1 (maxpool 9x9/2): input 7x8, expected at least the window's 9x9"},
        {{dsml_layer_maxpool(16, 1), dsml_layer_flatten()}, 2, "16x16 windows: at most 15x15 is implemented"},
        {{dsml_layer_maxpool_ceil(3, 0), dsml_layer_flatten()}, 2, "layer 1 (maxpool 3x3/0 ceil): window 3, stride 0"},
        {{dsml_layer_conv(4, 3, 0, 1), dsml_layer_flatten()}, 2, "kernel 3, stride 0, padding 1"},
        {{dsml_layer_conv(4, 11, 4, 0), dsml_layer_flatten()}, 2,
         "layer 1 (conv 11x11/4 pad 0 -> 4): input 7x8, expected at least the kernel's 11x11"},
        {{grouped, dsml_layer_flatten()}, 2, "3 groups: only 1 group is implemented"},
        {{dsml_layer_lrn(0, 1e-4f, 0.75f, 2.0f), dsml_layer_flatten()}, 2,
         "layer 1 (lrn 0 alpha 0.0001 beta 0.75 k 2): size 0, alpha 0.0001, beta 0.75, k 2: expected size >= 1"},
        {{dsml_layer_lrn(5, 1e-4f, 0.75f, 0.0f), dsml_layer_flatten()}, 2, "finite k > 0"},
        {{dsml_layer_avgpool(0, 6), dsml_layer_flatten()}, 2,
         "layer 1 (avgpool -> 0x6): output 0x6, expected positive"},
        {{dsml_layer_flatten(), dsml_layer_lrn(5, 1e-4f, 0.75f, 2.0f)}, 2, "needs spatial activations"},
        {{dsml_layer_conv(4, 11, 1, 1), dsml_layer_flatten()}, 2, "input 7x8, expected at least the kernel's 11x11"},
        {{dsml_layer_conv(0, 3, 1, 1), dsml_layer_flatten()}, 2, "0 channels, kernel 3"},
        {{dsml_layer_conv(4, 3, 1, 1), dsml_layer_relu()}, 2,
         "network: the last layer (relu) leaves spatial activations; a network ends in features"},
        {{dsml_layer_dropout(0.5f), dsml_layer_flatten()}, 2, "layer 1 (dropout 0.5): needs features"},
        {{dsml_layer_flatten(), dsml_layer_dropout(1.0f)}, 2, "layer 2 (dropout 1): probability 1, expected 0 <= p < 1"},
        {{dsml_layer_flatten(), dsml_layer_linear(0)}, 2, "layer 2 (linear -> 0): 0 features, expected >= 1"},
        {{dsml_layer_flatten(), dsml_layer_flatten()}, 2, "layer 2 (flatten): needs spatial activations"},
        {{unknown}, 1, "network: layer 1: kind 42, expected a dsml_layer_kind"},
        {{dsml_layer_flatten()}, 0, "network: 0 layers, expected 1..64"},
    };
    dsml_rng rng;
    dsml_rng_seed(&rng, 1);
    for (int t = 0; t < COUNT(cases); t++) {
        dsml_network *net = (dsml_network *)&rng; /* must come back NULL */
        ck_assert_int_eq(dsml_network_create(&net, cases[t].s, cases[t].count, 3, 7, 8, 4, &rng), DSML_ERR_ARG);
        ck_assert_ptr_null(net);
        if (!strstr(dsml_last_error(), cases[t].message)) fprintf(stderr, "case %d: %s\n", t, dsml_last_error());
        ck_assert_ptr_nonnull(strstr(dsml_last_error(), cases[t].message));
    }
    /* Sizes beyond an int, the input shape, the batch and the generator. */
    const dsml_layer_spec flat[] = {dsml_layer_flatten(), dsml_layer_linear(2)};
    dsml_network *net;
    ck_assert_int_eq(dsml_network_create(&net, flat, 2, 3, 1000, 1000, 1000, &rng), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "layer 1 (flatten): max_batch 1000 of 3x1000x1000 images is too large"));
    ck_assert_int_eq(dsml_network_create(&net, flat, 2, 0, 7, 8, 4, &rng), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "input shape 0x7x8, expected positive sizes"));
    ck_assert_int_eq(dsml_network_create(&net, flat, 2, 3, 7, 8, 0, &rng), DSML_ERR_ARG);
    ck_assert_int_eq(dsml_network_create(&net, flat, 2, 3, 7, 8, 4, NULL), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "needs a random generator"));

    /* What forward and backward refuse. */
    ck_assert_int_eq(dsml_network_create(&net, flat, 2, 3, 7, 8, 4, &rng), DSML_OK);
    float x[5 * 168] = {0}, dy[5 * 2] = {0};
    const float *y;
    ck_assert_int_eq(dsml_network_forward(net, x, 5, 0, NULL, &y), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "network forward: batch of 5 images, expected 1..4"));
    ck_assert_int_eq(dsml_network_backward(net, dy, 2), DSML_ERR_STATE);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "no training forward to differentiate"));
    dsml_network_free(net);
    dsml_layer_spec dropped[] = {dsml_layer_flatten(), dsml_layer_dropout(0.5f), dsml_layer_linear(2)};
    ck_assert_int_eq(dsml_network_create(&net, dropped, 3, 3, 7, 8, 4, &rng), DSML_OK);
    ck_assert_int_eq(dsml_network_forward(net, x, 2, 1, NULL, &y), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "layer 2 (dropout 0.5): training with dropout needs a random generator"));
    ck_assert_int_eq(dsml_network_forward(net, x, 2, 0, NULL, &y), DSML_OK); /* inference draws nothing */
    dsml_network_free(net);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"reference", 60, (const TTest *[]){test_forward_matches_plain_loops, test_backward_matches_composed_layers,
                                            NULL}},
        {"plan", 30, (const TTest *[]){test_plan_shapes_order_and_parameters, test_layer_spec_format, NULL}},
        {"gradients", 120, (const TTest *[]){test_description_gradients, test_new_kinds_gradients,
                                             test_winograd_3x3_gradients, test_output_relu_and_input_relu, NULL}},
        {"frozen", 30, (const TTest *[]){test_trainable_from, NULL}},
        {"determinism", 60, (const TTest *[]){test_threads_bit_identical, test_determinism_two_threads,
                                              test_convnet_chunks_add_up, NULL}},
        {"refused", 30, (const TTest *[]){test_refused_descriptions, NULL}},
    };
    return suite_run_cases("network", cases, SUITE_CASES(cases));
}
