/* The mlp and convnet models: creation, forward, backward; see model.h.
 *
 * The workspace is one allocation carved into named buffers (activations,
 * im2col matrices, pooling winners, gradients), each padded to 64 bytes. */
#include "nn/model.h"
#include "core/error.h"
#include "nn/conv2d.h"
#include "nn/dropout.h"
#include "nn/linear.h"
#include "nn/maxpool2d.h"
#include "nn/relu.h"
#include "nn/winograd.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_LINEAR = 9, CONV1_OUT = 32, CONV2_OUT = 64, CONV_K = 5, CONV_PAD = 2, FC_HIDDEN = 256 };

/* The convolutional trunk runs in chunks of images, each chunk on one thread
 * from input to pooled features (and back), so a chunk's im2col rows and
 * activations stay in cache between layers; about TRUNK_ROWS conv2 output
 * pixels per chunk measured best. Backward sums each conv layer's weight
 * gradient per group of consecutive chunks into its own slot, then adds the
 * slots in group order: a fixed partition, so the gradients do not depend on
 * the thread count or on scheduling. */
enum { TRUNK_ROWS = 1024, MAX_GROUPS = 16 };

struct dsml_model {
    dsml_model_config cfg;
    float *params, *grads; /* owned, n_params floats each */
    size_t n_params;
    float *ws;             /* owned workspace */

    dsml_linear linear[MAX_LINEAR];
    int n_linear;
    dsml_conv2d conv[2];

    /* Forward buffers (into ws), sized for max_batch. */
    float *input;          /* mlp: copy of x (training); convnet: x in NHWC (C > 1) */
    float *hidden[MAX_LINEAR]; /* output of linear i (ReLU applied in place) for all but the last */
    float *dropped, *mask; /* dropout output and mask */
    float *emb;            /* n x dim */
    float *col[2];         /* convnet: im2col of conv1 / conv2 inputs (conv2: unused with Winograd) */
    int winograd;          /* convnet: conv2 runs as Winograd F(2x2, 5x5) */
    float *wino_u, *wino_v, *wino_m; /* its transformed weights, input patches and products */
    float *conv_out[2];    /* convnet: conv outputs, N x H x W x F before pooling */
    float *pooled[2];      /* convnet: pooled then ReLU'd, N x H/2 x W/2 x F */
    unsigned char *winner[2];
    /* Backward buffers. */
    float *grad_a, *grad_b;    /* ping-pong for linear-layer input gradients */
    float *grad_conv_out[2];   /* convnet: gradient of conv outputs */
    float *grad_pooled1;       /* convnet: gradient of pooled[0] (input of conv2) */
    float *grad_slots[2];      /* convnet: MAX_GROUPS partial [dW; db] per conv layer */

    int saved_n;           /* images of the last training forward not yet consumed by backward; 0 = none */
    int dropout_applied;
};

int dsml_model_parse_kind(const char *name, dsml_model_kind *out)
{
    if (!strcmp(name, "mlp")) { *out = DSML_MODEL_MLP; return DSML_OK; }
    if (!strcmp(name, "convnet")) { *out = DSML_MODEL_CONVNET; return DSML_OK; }
    return dsml_fail(DSML_ERR_ARG, "model '%s': expected mlp or convnet", name);
}

const char *dsml_model_kind_name(dsml_model_kind kind)
{
    switch (kind) {
    case DSML_MODEL_MLP: return "mlp";
    case DSML_MODEL_CONVNET: return "convnet";
    }
    return "unknown";
}

static int check_config(const dsml_model_config *c)
{
    if (c->kind != DSML_MODEL_MLP && c->kind != DSML_MODEL_CONVNET)
        return dsml_fail(DSML_ERR_ARG, "model: kind %d, expected mlp or convnet", (int)c->kind);
    if (c->channels < 1 || c->height < 1 || c->width < 1)
        return dsml_fail(DSML_ERR_ARG, "model: input shape %dx%dx%d, expected positive sizes", c->channels,
                         c->height, c->width);
    if (c->dim < 1) return dsml_fail(DSML_ERR_ARG, "model: dim %d, expected >= 1", c->dim);
    if (c->max_batch < 1) return dsml_fail(DSML_ERR_ARG, "model: max_batch %d, expected >= 1", c->max_batch);
    if (!(c->dropout >= 0.0f && c->dropout < 1.0f))
        return dsml_fail(DSML_ERR_ARG, "model: dropout %g, expected 0 <= p < 1", (double)c->dropout);
    /* Every GEMM dimension and row count must fit an int. */
    double pixels = (double)c->max_batch * c->height * c->width;
    if (pixels * c->channels > INT_MAX || pixels * CONV2_OUT > INT_MAX || (double)c->dim * FC_HIDDEN > INT_MAX)
        return dsml_fail(DSML_ERR_ARG, "model: max_batch %d of %dx%dx%d images is too large", c->max_batch,
                         c->channels, c->height, c->width);
    if (c->kind == DSML_MODEL_CONVNET) {
        if (c->height % 4 || c->width % 4)
            return dsml_fail(DSML_ERR_ARG, "model: convnet input %dx%d, expected height and width divisible by 4",
                             c->height, c->width);
    } else {
        if (c->n_hidden < 0 || c->n_hidden > 8)
            return dsml_fail(DSML_ERR_ARG, "model: %d hidden layers, expected 0..8", c->n_hidden);
        for (int i = 0; i < c->n_hidden; i++)
            if (c->hidden[i] < 1 || c->hidden[i] > (1 << 24))
                return dsml_fail(DSML_ERR_ARG, "model: hidden size %d of layer %d, expected 1..16777216",
                                 c->hidden[i], i + 1);
    }
    return DSML_OK;
}

/* Workspace carving: first pass counts (base == NULL), second assigns. */
typedef struct {
    float *base;
    size_t used; /* floats */
} carver;

static float *carve(carver *c, size_t floats)
{
    float *p = c->base ? c->base + c->used : NULL;
    c->used += (floats + 15) / 16 * 16;
    return p;
}

static unsigned char *carve_bytes(carver *c, size_t bytes)
{
    return (unsigned char *)carve(c, (bytes + sizeof(float) - 1) / sizeof(float));
}

static int input_size(const dsml_model_config *c) { return c->channels * c->height * c->width; }

/* Floats of one weight-gradient slot of conv layer i. */
static size_t conv_grad_size(const dsml_model *m, int i)
{
    return i == 1 && m->winograd ? dsml_winograd_grad_size(&m->conv[1]) : dsml_conv2d_grad_size(&m->conv[i]);
}

/* Assigns (or, with base NULL, measures) every workspace buffer. */
static size_t layout(dsml_model *m, float *base)
{
    const dsml_model_config *c = &m->cfg;
    size_t nb = (size_t)c->max_batch;
    carver cv = {base, 0};
    int widest = input_size(c);
    for (int i = 0; i < m->n_linear; i++)
        if (m->linear[i].out > widest) widest = m->linear[i].out;
    if (c->kind == DSML_MODEL_CONVNET) {
        int h = c->height, w = c->width;
        if (c->channels > 1) m->input = carve(&cv, nb * input_size(c));
        m->col[0] = carve(&cv, dsml_conv2d_col_size(&m->conv[0], c->max_batch, h, w));
        m->conv_out[0] = carve(&cv, nb * h * w * CONV1_OUT);
        m->pooled[0] = carve(&cv, nb * h * w / 4 * CONV1_OUT);
        m->winner[0] = carve_bytes(&cv, nb * h * w / 4 * CONV1_OUT);
        if (m->winograd) {
            m->wino_u = carve(&cv, dsml_winograd_u_size(&m->conv[1]));
            m->wino_v = carve(&cv, dsml_winograd_v_size(&m->conv[1], c->max_batch, h / 2, w / 2));
            m->wino_m = carve(&cv, dsml_winograd_m_size(&m->conv[1], c->max_batch, h / 2, w / 2));
        } else {
            m->col[1] = carve(&cv, dsml_conv2d_col_size(&m->conv[1], c->max_batch, h / 2, w / 2));
        }
        m->conv_out[1] = carve(&cv, nb * h * w / 4 * CONV2_OUT);
        m->pooled[1] = carve(&cv, nb * h * w / 16 * CONV2_OUT);
        m->winner[1] = carve_bytes(&cv, nb * h * w / 16 * CONV2_OUT);
        m->grad_conv_out[0] = carve(&cv, nb * h * w * CONV1_OUT);
        m->grad_conv_out[1] = carve(&cv, nb * h * w / 4 * CONV2_OUT);
        m->grad_pooled1 = carve(&cv, nb * h * w / 4 * CONV1_OUT);
        for (int i = 0; i < 2; i++) m->grad_slots[i] = carve(&cv, MAX_GROUPS * conv_grad_size(m, i));
        widest = h * w / 16 * CONV2_OUT > FC_HIDDEN ? h * w / 16 * CONV2_OUT : FC_HIDDEN;
    } else {
        m->input = carve(&cv, nb * input_size(c));
    }
    for (int i = 0; i + 1 < m->n_linear; i++) m->hidden[i] = carve(&cv, nb * m->linear[i].out);
    int last_in = m->linear[m->n_linear - 1].in;
    m->dropped = carve(&cv, nb * last_in);
    m->mask = carve(&cv, nb * last_in);
    m->emb = carve(&cv, nb * c->dim);
    m->grad_a = carve(&cv, nb * widest);
    m->grad_b = carve(&cv, nb * widest);
    return cv.used;
}

/* Layer shapes and parameter offsets; with rng NULL only counts. */
static size_t build_layers(dsml_model *m, dsml_rng *rng)
{
    const dsml_model_config *c = &m->cfg;
    size_t off = 0;
    if (c->kind == DSML_MODEL_CONVNET) {
        int shape[2][2] = {{c->channels, CONV1_OUT}, {CONV1_OUT, CONV2_OUT}};
        for (int i = 0; i < 2; i++) {
            size_t count = dsml_conv2d_param_count(shape[i][0], shape[i][1], CONV_K);
            if (rng)
                dsml_conv2d_init(&m->conv[i], shape[i][0], shape[i][1], CONV_K, CONV_PAD, m->params + off,
                                 m->grads + off, rng);
            else
                m->conv[i] = (dsml_conv2d){.cin = shape[i][0], .cout = shape[i][1], .k = CONV_K, .pad = CONV_PAD};
            off += count;
        }
        m->winograd = dsml_winograd_supports(&m->conv[1]);
        int fc_in = c->height / 4 * (c->width / 4) * CONV2_OUT;
        int sizes[3] = {fc_in, FC_HIDDEN, c->dim};
        m->n_linear = 2;
        for (int i = 0; i < 2; i++) {
            if (rng) dsml_linear_init(&m->linear[i], sizes[i], sizes[i + 1], m->params + off, m->grads + off, rng);
            else m->linear[i] = (dsml_linear){.in = sizes[i], .out = sizes[i + 1]};
            off += dsml_linear_param_count(sizes[i], sizes[i + 1]);
        }
    } else {
        int in = input_size(c);
        m->n_linear = c->n_hidden + 1;
        for (int i = 0; i < m->n_linear; i++) {
            int out = i < c->n_hidden ? c->hidden[i] : c->dim;
            if (rng) dsml_linear_init(&m->linear[i], in, out, m->params + off, m->grads + off, rng);
            else m->linear[i] = (dsml_linear){.in = in, .out = out};
            off += dsml_linear_param_count(in, out);
            in = out;
        }
    }
    return off;
}

static void *alloc_floats(size_t n)
{
    size_t bytes = (n ? n : 1) * sizeof(float);
    bytes = (bytes + 63) / 64 * 64;
    return aligned_alloc(64, bytes);
}

int dsml_model_create(dsml_model **out, const dsml_model_config *cfg, dsml_rng *rng)
{
    *out = NULL;
    int rc = check_config(cfg);
    if (rc) return rc;
    if (!rng) return dsml_fail(DSML_ERR_ARG, "model: creating a model needs a random generator for the init");
    dsml_model *m = calloc(1, sizeof *m);
    if (!m) return dsml_fail(DSML_ERR_NOMEM, "model: %zu bytes", sizeof *m);
    m->cfg = *cfg;
    if (cfg->kind == DSML_MODEL_CONVNET) {
        m->cfg.n_hidden = 0;
        memset(m->cfg.hidden, 0, sizeof m->cfg.hidden);
    } else {
        for (int i = cfg->n_hidden; i < 8; i++) m->cfg.hidden[i] = 0;
    }
    m->n_params = build_layers(m, NULL);
    size_t ws_floats = layout(m, NULL);
    m->params = alloc_floats(m->n_params);
    m->grads = alloc_floats(m->n_params);
    m->ws = alloc_floats(ws_floats);
    if (!m->params || !m->grads || !m->ws) {
        dsml_model_free(m);
        return dsml_fail(DSML_ERR_NOMEM, "model: %zu parameters and a %zu MiB workspace", m->n_params,
                         ws_floats * sizeof(float) >> 20);
    }
    memset(m->grads, 0, m->n_params * sizeof(float));
    memset(m->ws, 0, ws_floats * sizeof(float));
    build_layers(m, rng);
    layout(m, m->ws);
    *out = m;
    return DSML_OK;
}

/* CHW rows -> NHWC. */
static void chw_to_hwc(float *dst, const float *src, int n, int c, int hw)
{
    for (int b = 0; b < n; b++) {
        const float *s = src + (size_t)b * c * hw;
        float *d = dst + (size_t)b * c * hw;
        for (int p = 0; p < hw; p++)
            for (int ch = 0; ch < c; ch++) d[(size_t)p * c + ch] = s[(size_t)ch * hw + p];
    }
}

/* The linear head shared by both models: hidden linears with ReLU, optional
 * dropout, last linear. x is the head's input (n x linear[0].in). */
static void head_forward(dsml_model *m, const float *x, int n, int training, dsml_rng *rng)
{
    const float *in = x;
    for (int i = 0; i + 1 < m->n_linear; i++) {
        dsml_linear_forward(&m->linear[i], m->hidden[i], in, n);
        dsml_relu_forward(m->hidden[i], m->hidden[i], (size_t)n * m->linear[i].out);
        in = m->hidden[i];
    }
    const dsml_linear *last = &m->linear[m->n_linear - 1];
    m->dropout_applied = training && m->cfg.dropout > 0.0f;
    if (m->dropout_applied) {
        dsml_dropout_forward(m->dropped, m->mask, in, (size_t)n * last->in, m->cfg.dropout, rng);
        in = m->dropped;
    }
    dsml_linear_forward(last, m->emb, in, n);
}

/* Backward through the head; returns the gradient of the head's input in
 * one of the ping-pong buffers, or NULL when want_dx is 0 (mlp: first layer). */
static float *head_backward(dsml_model *m, const float *x, const float *dy, int n, int want_dx)
{
    float *bufs[2] = {m->grad_a, m->grad_b};
    int which = 0;
    const float *g = dy;
    for (int i = m->n_linear - 1; i >= 0; i--) {
        dsml_linear *l = &m->linear[i];
        const float *in = i ? m->hidden[i - 1] : x;
        if (i == m->n_linear - 1 && m->dropout_applied) in = m->dropped;
        float *dx = (i || want_dx) ? bufs[which] : NULL;
        dsml_linear_backward(l, dx, g, in, n);
        if (!dx) return NULL;
        if (i == m->n_linear - 1 && m->dropout_applied)
            dsml_dropout_backward(dx, dx, m->mask, (size_t)n * l->in);
        if (i) dsml_relu_backward(dx, dx, m->hidden[i - 1], (size_t)n * l->in);
        g = dx;
        which ^= 1;
    }
    return (float *)g;
}

/* Images per trunk chunk, and the chunk count for a batch of n. */
static int trunk_chunk(const dsml_model_config *c)
{
    int per = TRUNK_ROWS / (c->height / 2 * (c->width / 2));
    return per < 1 ? 1 : per;
}

static int trunk_chunks(const dsml_model_config *c, int n) { return (n + trunk_chunk(c) - 1) / trunk_chunk(c); }

/* Input to pooled[1] for images b0..b1-1. */
static void trunk_forward_images(dsml_model *m, const float *x, int b0, int b1)
{
    const dsml_model_config *c = &m->cfg;
    int h = c->height, w = c->width, nb = b1 - b0;
    size_t px = (size_t)h * w;
    const float *in = x;
    if (c->channels > 1) {
        chw_to_hwc(m->input + b0 * px * c->channels, x + b0 * px * c->channels, nb, c->channels, (int)px);
        in = m->input;
    }
    /* ReLU after pooling: max and ReLU commute exactly, on a quarter of the values. */
    dsml_conv2d_forward_images(&m->conv[0], m->conv_out[0], m->col[0], in, b0, b1, h, w);
    size_t p0 = b0 * px / 4 * CONV1_OUT, n0 = nb * px / 4 * CONV1_OUT;
    dsml_maxpool2d_forward(m->pooled[0] + p0, m->winner[0] + p0, m->conv_out[0] + 4 * p0, nb, h, w, CONV1_OUT);
    dsml_relu_forward(m->pooled[0] + p0, m->pooled[0] + p0, n0);
    if (m->winograd)
        dsml_winograd_forward_images(&m->conv[1], m->wino_u, m->conv_out[1], m->wino_v, m->wino_m, m->pooled[0], b0,
                                     b1, h / 2, w / 2);
    else
        dsml_conv2d_forward_images(&m->conv[1], m->conv_out[1], m->col[1], m->pooled[0], b0, b1, h / 2, w / 2);
    size_t p1 = b0 * px / 16 * CONV2_OUT, n1 = nb * px / 16 * CONV2_OUT;
    dsml_maxpool2d_forward(m->pooled[1] + p1, m->winner[1] + p1, m->conv_out[1] + 4 * p1, nb, h / 2, w / 2,
                           CONV2_OUT);
    dsml_relu_forward(m->pooled[1] + p1, m->pooled[1] + p1, n1);
}

/* g (gradient of pooled[1]) back to the conv weights for images b0..b1-1;
 * the weight gradients go to (or, with accumulate, are added to) slot. */
static void trunk_backward_images(dsml_model *m, float *g, int b0, int b1, int slot, int accumulate)
{
    const dsml_model_config *c = &m->cfg;
    int h = c->height, w = c->width, nb = b1 - b0;
    size_t px = (size_t)h * w;
    size_t p1 = b0 * px / 16 * CONV2_OUT, n1 = nb * px / 16 * CONV2_OUT;
    dsml_relu_backward(g + p1, g + p1, m->pooled[1] + p1, n1);
    dsml_maxpool2d_backward(m->grad_conv_out[1] + 4 * p1, g + p1, m->winner[1] + p1, nb, h / 2, w / 2, CONV2_OUT);
    float *slot1 = m->grad_slots[1] + slot * conv_grad_size(m, 1);
    if (m->winograd)
        dsml_winograd_backward_images(&m->conv[1], m->wino_u, m->grad_pooled1, m->grad_conv_out[1], m->wino_v,
                                      m->wino_m, b0, b1, h / 2, w / 2, slot1, accumulate);
    else
        dsml_conv2d_backward_images(&m->conv[1], m->grad_pooled1, m->grad_conv_out[1], m->col[1], b0, b1, h / 2,
                                    w / 2, slot1, accumulate);
    size_t p0 = b0 * px / 4 * CONV1_OUT, n0 = nb * px / 4 * CONV1_OUT;
    dsml_relu_backward(m->grad_pooled1 + p0, m->grad_pooled1 + p0, m->pooled[0] + p0, n0);
    dsml_maxpool2d_backward(m->grad_conv_out[0] + 4 * p0, m->grad_pooled1 + p0, m->winner[0] + p0, nb, h, w,
                            CONV1_OUT);
    dsml_conv2d_backward_images(&m->conv[0], NULL, m->grad_conv_out[0], m->col[0], b0, b1, h, w,
                                m->grad_slots[0] + slot * dsml_conv2d_grad_size(&m->conv[0]), accumulate);
}

static void trunk_forward(dsml_model *m, const float *x, int n)
{
    int per = trunk_chunk(&m->cfg), chunks = trunk_chunks(&m->cfg, n);
    if (m->winograd) dsml_winograd_transform_weights(&m->conv[1], m->wino_u);
#pragma omp parallel for schedule(static)
    for (int ch = 0; ch < chunks; ch++) trunk_forward_images(m, x, ch * per, ch * per + per < n ? ch * per + per : n);
}

static void trunk_backward(dsml_model *m, float *g, int n)
{
    int per = trunk_chunk(&m->cfg), chunks = trunk_chunks(&m->cfg, n);
    int groups = chunks < MAX_GROUPS ? chunks : MAX_GROUPS;
    if (m->winograd) dsml_winograd_transpose_weights(&m->conv[1], m->wino_u);
#pragma omp parallel for schedule(static)
    for (int grp = 0; grp < groups; grp++) {
        int c0 = (int)((long)grp * chunks / groups), c1 = (int)((long)(grp + 1) * chunks / groups);
        for (int ch = c0; ch < c1; ch++)
            trunk_backward_images(m, g, ch * per, ch * per + per < n ? ch * per + per : n, grp, ch > c0);
    }
    for (int i = 0; i < 2; i++) {
        long size = (long)conv_grad_size(m, i);
        float *slots = m->grad_slots[i];
        /* im2col: the slots add straight onto [dW; db]; Winograd: into slot 0, then back to dW and db. */
        int direct = !(i == 1 && m->winograd);
        float *dst = direct ? m->conv[i].dw : slots; /* db follows dW: one (k*k*C + 1) x F matrix */
#pragma omp parallel for schedule(static)
        for (long j = 0; j < size; j++) {
            float sum = 0.0f;
            for (int s = 0; s < groups; s++) sum += slots[s * size + j];
            dst[j] = direct ? dst[j] + sum : sum;
        }
        if (!direct) dsml_winograd_weight_grad(&m->conv[i], slots, m->conv[i].dw, m->conv[i].db);
    }
}

int dsml_model_forward(dsml_model *m, const float *x, int n, int training, dsml_rng *rng,
                       const float **embeddings)
{
    const dsml_model_config *c = &m->cfg;
    if (n < 1 || n > c->max_batch)
        return dsml_fail(DSML_ERR_ARG, "model forward: batch of %d images, expected 1..%d", n, c->max_batch);
    if (training && c->dropout > 0.0f && !rng)
        return dsml_fail(DSML_ERR_ARG, "model forward: training with dropout needs a random generator");
    m->saved_n = 0;
    if (c->kind == DSML_MODEL_MLP) {
        const float *in = x;
        if (training) {
            memcpy(m->input, x, sizeof(float) * (size_t)n * input_size(c));
            in = m->input;
        }
        head_forward(m, in, n, training, rng);
    } else {
        trunk_forward(m, x, n);
        head_forward(m, m->pooled[1], n, training, rng);
    }
    if (training) m->saved_n = n;
    *embeddings = m->emb;
    return DSML_OK;
}

int dsml_model_backward(dsml_model *m, const float *dembeddings, int n)
{
    const dsml_model_config *c = &m->cfg;
    if (m->saved_n == 0)
        return dsml_fail(DSML_ERR_STATE, "model backward: no training forward to differentiate");
    if (n != m->saved_n)
        return dsml_fail(DSML_ERR_ARG, "model backward: batch of %d images, the forward had %d", n, m->saved_n);
    m->saved_n = 0; /* the backward overwrites the saved im2col matrices */
    if (c->kind == DSML_MODEL_MLP) {
        head_backward(m, m->input, dembeddings, n, 0);
        return DSML_OK;
    }
    trunk_backward(m, head_backward(m, m->pooled[1], dembeddings, n, 1), n);
    return DSML_OK;
}

void dsml_model_zero_grad(dsml_model *m) { memset(m->grads, 0, m->n_params * sizeof(float)); }

float *dsml_model_params(dsml_model *m, size_t *count)
{
    if (count) *count = m->n_params;
    return m->params;
}

float *dsml_model_grads(dsml_model *m, size_t *count)
{
    if (count) *count = m->n_params;
    return m->grads;
}

const dsml_model_config *dsml_model_get_config(const dsml_model *m) { return &m->cfg; }

double dsml_model_flops_per_image(const dsml_model *m, int training)
{
    const dsml_model_config *c = &m->cfg;
    double fwd = 0, first = 0;
    if (c->kind == DSML_MODEL_CONVNET) {
        double hw = (double)c->height * c->width;
        double conv1 = 2.0 * hw * CONV1_OUT * CONV_K * CONV_K * c->channels;
        double conv2 = 2.0 * hw / 4 * CONV2_OUT * CONV_K * CONV_K * CONV1_OUT;
        fwd = conv1 + conv2;
        first = conv1;
    }
    for (int i = 0; i < m->n_linear; i++) {
        double f = 2.0 * m->linear[i].in * m->linear[i].out;
        fwd += f;
        if (c->kind == DSML_MODEL_MLP && i == 0) first = f;
    }
    /* Backward: a weight-gradient GEMM per layer and an input-gradient GEMM per layer but the first. */
    return training ? 3 * fwd - first : fwd;
}

/* Writes v with thousands separators ("863,392"). */
static void with_commas(char *buf, size_t size, size_t v)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%zu", v), o = 0;
    char tmp[48];
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0) tmp[o++] = ',';
        tmp[o++] = digits[i];
    }
    tmp[o] = '\0';
    snprintf(buf, size, "%s", tmp);
}

void dsml_model_describe(const dsml_model *m, char *buf, size_t size)
{
    const dsml_model_config *c = &m->cfg;
    char count[48], hidden[128] = "";
    with_commas(count, sizeof count, m->n_params);
    size_t used = 0;
    for (int i = 0; c->kind == DSML_MODEL_MLP && i < c->n_hidden && used < sizeof hidden; i++)
        used += (size_t)snprintf(hidden + used, sizeof hidden - used, " -> %d", c->hidden[i]);
    int len = snprintf(buf, size, "%s %dx%dx%d%s -> %d, %s parameters", dsml_model_kind_name(c->kind), c->channels,
                       c->height, c->width, hidden, c->dim, count);
    if (c->dropout > 0.0f && len >= 0 && (size_t)len < size)
        snprintf(buf + len, size - (size_t)len, ", dropout %g", (double)c->dropout);
}

void dsml_model_free(dsml_model *m)
{
    if (!m) return;
    for (int i = 0; i < m->n_linear; i++) dsml_linear_free(&m->linear[i]);
    for (int i = 0; i < 2; i++) dsml_conv2d_free(&m->conv[i]);
    free(m->params);
    free(m->grads);
    free(m->ws);
    free(m);
}
