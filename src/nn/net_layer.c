/* What each kind of layer contributes to the executor; see net_layer.h.
 * One block per kind, then the table. The kernels themselves live in their
 * own files (conv2d.c, winograd.c, maxpool2d.c, lrn.c, avgpool.c, relu.c,
 * linear.c, dropout.c); these functions only shape, carve and call them on an image
 * range of whole-batch buffers. */
#include "nn/net_layer.h"
#include "core/error.h"
#include "nn/avgpool.h"
#include "nn/dropout.h"
#include "nn/maxpool2d.h"
#include "nn/relu.h"
#include "nn/winograd.h"

#include <limits.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>

float *dsml_net_carve(net_carver *c, size_t floats)
{
    float *p = c->base ? c->base + c->used : NULL;
    c->used += (floats + 15) / 16 * 16; /* every buffer starts on 64 bytes */
    return p;
}

unsigned char *dsml_net_carve_bytes(net_carver *c, size_t bytes)
{
    return (unsigned char *)dsml_net_carve(c, (bytes + sizeof(float) - 1) / sizeof(float));
}

/* Floats per image of the input and of the output. */
static size_t in_floats(const net_layer *l) { return (size_t)l->c * l->h * l->w; }
static size_t out_floats(const net_layer *l) { return (size_t)l->oc * l->oh * l->ow; }

/* The gradients of images b0.. of a backward range run on `lane`. */
static const float *range_gy(const net_layer *l, int lane, int b0)
{
    return l->gy_lane ? l->gy + (size_t)lane * l->gy_lane : l->gy + (size_t)b0 * out_floats(l);
}

static float *range_gx(const net_layer *l, int lane, int b0)
{
    if (!l->gx) return NULL;
    return l->gx_lane ? l->gx + (size_t)lane * l->gx_lane : l->gx + (size_t)b0 * in_floats(l);
}

static int same_shape(net_layer *l)
{
    l->oc = l->c, l->oh = l->h, l->ow = l->w;
    return DSML_OK;
}

/* ---- conv: im2col + GEMM, or Winograd (F(2x2, 5x5), F(4x4, 3x3)) where it supports the shape ---- */

static int conv_plan(net_layer *l)
{
    const dsml_layer_spec *s = &l->spec;
    if (s->out < 1 || s->k < 1 || s->stride < 1 || s->pad < 0 || s->groups < 1)
        return dsml_fail(DSML_ERR_ARG, "%d channels, kernel %d, stride %d, padding %d, %d groups: expected "
                         "positive sizes and a padding >= 0", s->out, s->k, s->stride, s->pad, s->groups);
    if (s->groups != 1) return dsml_fail(DSML_ERR_ARG, "%d groups: only 1 group is implemented", s->groups);
    net_conv *cv = &l->k.conv;
    cv->l = (dsml_conv2d){.cin = l->c, .cout = s->out, .k = s->k, .stride = s->stride, .pad = s->pad};
    l->oc = s->out;
    l->oh = dsml_conv2d_out_size(&cv->l, l->h);
    l->ow = dsml_conv2d_out_size(&cv->l, l->w);
    if (l->oh < 1 || l->ow < 1)
        return dsml_fail(DSML_ERR_ARG, "input %dx%d, expected at least the kernel's %dx%d less twice the padding",
                         l->h, l->w, s->k, s->k);
    if ((double)s->k * s->k * l->c + 1 > INT_MAX)
        return dsml_fail(DSML_ERR_ARG, "%dx%d kernel over %d channels is too large", s->k, s->k, l->c);
    cv->winograd = dsml_winograd_supports(&cv->l);
    cv->slot_floats = cv->winograd ? dsml_winograd_grad_size(&cv->l) : dsml_conv2d_grad_size(&cv->l);
    return DSML_OK;
}

static size_t conv_param_count(const net_layer *l) { return dsml_conv2d_param_count(l->c, l->spec.out, l->spec.k); }

static void conv_init(net_layer *l, float *params, float *grads, dsml_rng *rng)
{
    dsml_conv2d_init(&l->k.conv.l, l->c, l->spec.out, l->spec.k, l->spec.stride, l->spec.pad, params, grads, rng);
}

static void conv_carve(net_layer *l, net_carver *cv, int max_batch)
{
    (void)max_batch; /* every buffer of its own is one chunk's, per lane */
    net_conv *c = &l->k.conv;
    if (c->winograd) {
        c->u = dsml_net_carve(cv, dsml_winograd_u_size(&c->l));
        c->v_lane_floats = dsml_winograd_v_size(&c->l, cv->chunk, l->h, l->w);
        c->v = dsml_net_carve(cv, (size_t)cv->lanes * c->v_lane_floats);
        c->lane_floats = dsml_winograd_m_size(&c->l, cv->chunk, l->h, l->w);
        c->m = dsml_net_carve(cv, (size_t)cv->lanes * c->lane_floats);
    } else {
        c->lane_floats = dsml_conv2d_col_size(&c->l, cv->chunk, l->h, l->w);
        c->col = dsml_net_carve(cv, (size_t)cv->lanes * c->lane_floats);
    }
    c->slots = dsml_net_carve(cv, ((size_t)cv->lanes + 1) * c->slot_floats);
    c->lanes = cv->lanes;
}

static void conv_prepare(net_layer *l, int backward)
{
    net_conv *c = &l->k.conv;
    if (!c->winograd) return;
    if (backward) dsml_winograd_transpose_weights(&c->l, c->u);
    else dsml_winograd_transform_weights(&c->l, c->u);
}

/* The calling thread's im2col matrix or Winograd products (the executor runs at most `lanes` threads). */
static float *lane_col(const net_conv *c) { return c->col + (size_t)omp_get_thread_num() * c->lane_floats; }
static float *lane_m(const net_conv *c) { return c->m + (size_t)omp_get_thread_num() * c->lane_floats; }
static float *lane_v(const net_conv *c) { return c->v + (size_t)omp_get_thread_num() * c->v_lane_floats; }

static void conv_forward(net_layer *l, int b0, int b1, dsml_rng *rng)
{
    (void)rng;
    net_conv *c = &l->k.conv;
    if (c->winograd) dsml_winograd_forward_images(&c->l, c->u, l->y, lane_v(c), lane_m(c), l->x, b0, b1, l->h, l->w);
    else dsml_conv2d_forward_images(&c->l, l->y, lane_col(c), l->x, b0, b1, l->h, l->w);
}

static void conv_backward(net_layer *l, int b0, int b1, int lane, int accumulate)
{
    net_conv *c = &l->k.conv;
    float *slot = c->slots + (size_t)lane * c->slot_floats;
    /* The kernels index whole-batch buffers by image: given the range's own, it is images 0..b1-b0-1. */
    float *dx = range_gx(l, lane, b0);
    const float *dy = range_gy(l, lane, b0), *x = l->x + (size_t)b0 * in_floats(l);
    if (c->winograd)
        dsml_winograd_backward_images(&c->l, c->u, dx, dy, x, lane_v(c), lane_m(c), 0, b1 - b0, l->h, l->w, slot,
                                      accumulate);
    else
        dsml_conv2d_backward_images(&c->l, dx, dy, lane_col(c), x, 0, b1 - b0, l->h, l->w, slot, accumulate);
}

/* The sum over groups, after the lanes' slots. */
static float *conv_sum(const net_conv *c) { return c->slots + (size_t)c->lanes * c->slot_floats; }

static void conv_gather(net_layer *l, int lane, int add)
{
    net_conv *c = &l->k.conv;
    float *sum = conv_sum(c);
    const float *slot = c->slots + (size_t)lane * c->slot_floats;
    size_t size = c->slot_floats;
    /* 0 + the first slot, as a running sum from 0 would (no -0 survives). */
#pragma omp simd
    for (size_t j = 0; j < size; j++) sum[j] = (add ? sum[j] : 0.0f) + slot[j];
}

static void conv_reduce(net_layer *l)
{
    net_conv *c = &l->k.conv;
    float *sum = conv_sum(c);
    /* im2col: the sum adds straight onto [dW; db] (db follows dW: one (k*k*C + 1) x F matrix); Winograd: back to
     * dW and db through G. */
    if (c->winograd) {
        dsml_winograd_weight_grad(&c->l, sum, c->l.dw, c->l.db);
        return;
    }
    long size = (long)c->slot_floats;
    float *dw = c->l.dw;
#pragma omp parallel for schedule(static)
    for (long j = 0; j < size; j++) dw[j] += sum[j];
}

static double conv_flops(const net_layer *l)
{
    return 2.0 * l->oh * l->ow * l->oc * l->spec.k * l->spec.k * l->c;
}

/* ---- maxpool: k x k windows with stride; 2x2/2 on even sizes by its own kernel ---- */

static int maxpool_plan(net_layer *l)
{
    const dsml_layer_spec *s = &l->spec;
    if (s->k < 1 || s->stride < 1)
        return dsml_fail(DSML_ERR_ARG, "window %d, stride %d: expected positive sizes", s->k, s->stride);
    if (s->k > 15) /* the winner's place ky * k + kx is kept in a byte */
        return dsml_fail(DSML_ERR_ARG, "%dx%d windows: at most 15x15 is implemented", s->k, s->k);
    if (l->h < s->k || l->w < s->k)
        return dsml_fail(DSML_ERR_ARG, "input %dx%d, expected at least the window's %dx%d", l->h, l->w, s->k, s->k);
    l->oc = l->c;
    l->oh = dsml_maxpool2d_out_size(l->h, s->k, s->stride, s->ceil_mode);
    l->ow = dsml_maxpool2d_out_size(l->w, s->k, s->stride, s->ceil_mode);
    /* Even sizes: both roundings agree, and the 2x2/2 kernel is exact. */
    l->k.pool.halves = s->k == 2 && s->stride == 2 && l->h % 2 == 0 && l->w % 2 == 0;
    return DSML_OK;
}

static void maxpool_carve(net_layer *l, net_carver *cv, int max_batch)
{
    l->k.pool.winner = dsml_net_carve_bytes(cv, (size_t)max_batch * out_floats(l));
}

static void maxpool_forward(net_layer *l, int b0, int b1, dsml_rng *rng)
{
    (void)rng;
    size_t o = (size_t)b0 * out_floats(l);
    const float *x = l->x + (size_t)b0 * in_floats(l);
    if (l->k.pool.halves) dsml_maxpool2d_forward(l->y + o, l->k.pool.winner + o, x, b1 - b0, l->h, l->w, l->c);
    else dsml_maxpool2d_forward_window(l->y + o, l->k.pool.winner + o, x, b1 - b0, l->h, l->w, l->c, l->spec.k,
                                       l->spec.stride, l->oh, l->ow);
}

static void maxpool_backward(net_layer *l, int b0, int b1, int lane, int accumulate)
{
    (void)accumulate;
    size_t o = (size_t)b0 * out_floats(l);
    float *dx = range_gx(l, lane, b0);
    const float *dy = range_gy(l, lane, b0);
    if (l->k.pool.halves) dsml_maxpool2d_backward(dx, dy, l->k.pool.winner + o, b1 - b0, l->h, l->w, l->c);
    else dsml_maxpool2d_backward_window(dx, dy, l->k.pool.winner + o, b1 - b0, l->h, l->w, l->c, l->spec.k,
                                        l->spec.stride, l->oh, l->ow);
}

/* ---- lrn: across channels, its input kept for backward ---- */

static int lrn_plan(net_layer *l)
{
    const dsml_layer_spec *s = &l->spec;
    if (s->size < 1 || !(s->alpha >= 0.0f && s->alpha < INFINITY) || !(s->beta >= 0.0f && s->beta < INFINITY) ||
        !(s->bias > 0.0f && s->bias < INFINITY))
        return dsml_fail(DSML_ERR_ARG, "size %d, alpha %g, beta %g, k %g: expected size >= 1, finite alpha >= 0 "
                         "and beta >= 0, finite k > 0", s->size, (double)s->alpha, (double)s->beta, (double)s->bias);
    l->k.lrn.l = (dsml_lrn){.size = s->size, .alpha = s->alpha, .beta = s->beta, .k = s->bias};
    return same_shape(l);
}

static void lrn_carve(net_layer *l, net_carver *cv, int max_batch)
{
    l->k.lrn.scale = dsml_net_carve(cv, (size_t)max_batch * out_floats(l));
    l->k.lrn.q = dsml_net_carve(cv, (size_t)max_batch * out_floats(l));
}

static void lrn_forward(net_layer *l, int b0, int b1, dsml_rng *rng)
{
    (void)rng;
    size_t o = (size_t)b0 * out_floats(l);
    dsml_lrn_forward(&l->k.lrn.l, l->y + o, l->k.lrn.scale + o, l->k.lrn.q + o, l->x + o,
                     (size_t)(b1 - b0) * l->h * l->w, l->c);
}

static void lrn_backward(net_layer *l, int b0, int b1, int lane, int accumulate)
{
    (void)accumulate;
    size_t o = (size_t)b0 * out_floats(l);
    dsml_lrn_backward(&l->k.lrn.l, range_gx(l, lane, b0), range_gy(l, lane, b0), l->x + o, l->k.lrn.scale + o,
                      l->k.lrn.q + o, (size_t)(b1 - b0) * l->h * l->w, l->c);
}

/* ---- avgpool: adaptive, skipped where it is the identity ---- */

static int avgpool_plan(net_layer *l)
{
    if (l->spec.out_h < 1 || l->spec.out_w < 1)
        return dsml_fail(DSML_ERR_ARG, "output %dx%d, expected positive sizes", l->spec.out_h, l->spec.out_w);
    l->oc = l->c, l->oh = l->spec.out_h, l->ow = l->spec.out_w;
    return DSML_OK;
}

static int avgpool_active(const net_layer *l, int training)
{
    (void)training;
    return l->h != l->oh || l->w != l->ow; /* every bin one pixel: the identity, exactly */
}

static void avgpool_forward(net_layer *l, int b0, int b1, dsml_rng *rng)
{
    (void)rng;
    dsml_avgpool_forward(l->y + (size_t)b0 * out_floats(l), l->x + (size_t)b0 * in_floats(l), b1 - b0, l->h, l->w,
                         l->c, l->oh, l->ow);
}

static void avgpool_backward(net_layer *l, int b0, int b1, int lane, int accumulate)
{
    (void)accumulate;
    dsml_avgpool_backward(range_gx(l, lane, b0), range_gy(l, lane, b0), b1 - b0, l->h, l->w, l->c, l->oh, l->ow);
}

/* ---- relu: in place ---- */

static void relu_forward(net_layer *l, int b0, int b1, dsml_rng *rng)
{
    (void)rng;
    size_t o = (size_t)b0 * out_floats(l);
    dsml_relu_forward(l->y + o, l->x + o, (size_t)(b1 - b0) * out_floats(l));
}

static void relu_backward(net_layer *l, int b0, int b1, int lane, int accumulate)
{
    (void)accumulate;
    size_t o = (size_t)b0 * out_floats(l);
    dsml_relu_backward(range_gx(l, lane, b0), range_gy(l, lane, b0), l->y + o, (size_t)(b1 - b0) * out_floats(l));
}

/* ---- flatten: a change of shape only ---- */

static int flatten_plan(net_layer *l)
{
    l->oc = l->c * l->h * l->w, l->oh = 1, l->ow = 1;
    return DSML_OK;
}

/* ---- linear ---- */

static int linear_plan(net_layer *l)
{
    if (l->spec.out < 1) return dsml_fail(DSML_ERR_ARG, "%d features, expected >= 1", l->spec.out);
    l->oc = l->spec.out, l->oh = 1, l->ow = 1;
    return DSML_OK;
}

static size_t linear_param_count(const net_layer *l) { return dsml_linear_param_count(l->c, l->spec.out); }

static void linear_init(net_layer *l, float *params, float *grads, dsml_rng *rng)
{
    dsml_linear_init(&l->k.linear, l->c, l->spec.out, params, grads, rng);
}

static void linear_forward(net_layer *l, int b0, int b1, dsml_rng *rng)
{
    (void)rng;
    dsml_linear_forward(&l->k.linear, l->y + (size_t)b0 * l->oc, l->x + (size_t)b0 * l->c, b1 - b0);
}

static void linear_backward(net_layer *l, int b0, int b1, int lane, int accumulate)
{
    (void)accumulate; /* the head runs on the whole batch: straight into the gradient block */
    dsml_linear_backward(&l->k.linear, range_gx(l, lane, b0), range_gy(l, lane, b0), l->x + (size_t)b0 * l->c,
                         b1 - b0);
}

static double linear_flops(const net_layer *l) { return 2.0 * l->c * l->oc; }

/* ---- dropout: the mask is drawn serially, so it runs on the whole batch ---- */

static int dropout_plan(net_layer *l)
{
    if (!(l->spec.p >= 0.0f && l->spec.p < 1.0f))
        return dsml_fail(DSML_ERR_ARG, "probability %g, expected 0 <= p < 1", (double)l->spec.p);
    return same_shape(l);
}

static void dropout_carve(net_layer *l, net_carver *cv, int max_batch)
{
    l->k.mask = dsml_net_carve(cv, (size_t)max_batch * out_floats(l));
}

static int dropout_active(const net_layer *l, int training) { return training && l->spec.p > 0.0f; }

static void dropout_forward(net_layer *l, int b0, int b1, dsml_rng *rng)
{
    size_t o = (size_t)b0 * out_floats(l);
    dsml_dropout_forward(l->y + o, l->k.mask + o, l->x + o, (size_t)(b1 - b0) * out_floats(l), l->spec.p, rng);
}

static void dropout_backward(net_layer *l, int b0, int b1, int lane, int accumulate)
{
    (void)accumulate;
    size_t o = (size_t)b0 * out_floats(l);
    dsml_dropout_backward(range_gx(l, lane, b0), range_gy(l, lane, b0), l->k.mask + o,
                          (size_t)(b1 - b0) * out_floats(l));
}

/* ---- the table: a new kind of layer is one more entry ---- */

static const net_layer_ops ops[DSML_LAYER_KINDS] = {
    [DSML_LAYER_CONV] = {.name = "conv", .flat_input = 0, .output = NET_OWN, .gradient = NET_OWN, .keeps_input = 1,
                         .plan = conv_plan, .param_count = conv_param_count, .init = conv_init, .carve = conv_carve,
                         .prepare = conv_prepare, .forward = conv_forward, .backward = conv_backward,
                         .gather = conv_gather, .reduce = conv_reduce, .flops = conv_flops},
    [DSML_LAYER_MAXPOOL] = {.name = "maxpool", .flat_input = 0, .output = NET_OWN, .gradient = NET_OWN,
                            .plan = maxpool_plan, .carve = maxpool_carve, .forward = maxpool_forward,
                            .backward = maxpool_backward},
    [DSML_LAYER_RELU] = {.name = "relu", .flat_input = -1, .output = NET_IN_PLACE, .gradient = NET_IN_PLACE,
                         .plan = same_shape, .forward = relu_forward, .backward = relu_backward},
    [DSML_LAYER_FLATTEN] = {.name = "flatten", .flat_input = 0, .output = NET_PASS, .gradient = NET_PASS,
                            .plan = flatten_plan},
    [DSML_LAYER_LINEAR] = {.name = "linear", .flat_input = 1, .output = NET_OWN, .gradient = NET_OWN,
                           .keeps_input = 1, .plan = linear_plan, .param_count = linear_param_count,
                           .init = linear_init, .forward = linear_forward, .backward = linear_backward,
                           .flops = linear_flops},
    [DSML_LAYER_LRN] = {.name = "lrn", .flat_input = 0, .output = NET_OWN, .gradient = NET_OWN, .keeps_input = 1,
                        .plan = lrn_plan, .carve = lrn_carve, .forward = lrn_forward, .backward = lrn_backward},
    [DSML_LAYER_AVGPOOL] = {.name = "avgpool", .flat_input = 0, .output = NET_OWN, .gradient = NET_OWN,
                            .plan = avgpool_plan, .active = avgpool_active, .forward = avgpool_forward,
                            .backward = avgpool_backward},
    [DSML_LAYER_DROPOUT] = {.name = "dropout", .flat_input = 1, .output = NET_OWN, .gradient = NET_IN_PLACE,
                            .draws = 1, .plan = dropout_plan, .carve = dropout_carve, .active = dropout_active,
                            .forward = dropout_forward, .backward = dropout_backward},
};

const net_layer_ops *dsml_net_layer_ops(dsml_layer_kind kind)
{
    return (int)kind >= 0 && kind < DSML_LAYER_KINDS ? &ops[kind] : NULL;
}

void dsml_layer_spec_format(const dsml_layer_spec *s, char *buf, size_t size)
{
    const net_layer_ops *o = dsml_net_layer_ops(s->kind);
    const char *name = o ? o->name : "unknown";
    switch (s->kind) {
    case DSML_LAYER_CONV:
        if (s->groups == 1) snprintf(buf, size, "%s %dx%d/%d pad %d -> %d", name, s->k, s->k, s->stride, s->pad, s->out);
        else snprintf(buf, size, "%s %dx%d/%d pad %d groups %d -> %d", name, s->k, s->k, s->stride, s->pad, s->groups,
                      s->out);
        break;
    case DSML_LAYER_MAXPOOL:
        snprintf(buf, size, "%s %dx%d/%d%s", name, s->k, s->k, s->stride, s->ceil_mode ? " ceil" : "");
        break;
    case DSML_LAYER_LRN:
        snprintf(buf, size, "%s %d alpha %g beta %g k %g", name, s->size, (double)s->alpha, (double)s->beta,
                 (double)s->bias);
        break;
    case DSML_LAYER_AVGPOOL: snprintf(buf, size, "%s -> %dx%d", name, s->out_h, s->out_w); break;
    case DSML_LAYER_LINEAR: snprintf(buf, size, "%s -> %d", name, s->out); break;
    case DSML_LAYER_DROPOUT: snprintf(buf, size, "%s %g", name, (double)s->p); break;
    default: snprintf(buf, size, "%s", name); break;
    }
}
