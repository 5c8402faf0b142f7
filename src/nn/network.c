/* The sequential executor: plan, workspace, forward and backward of any
 * description; see network.h. What a kind of layer does is in net_layer.c;
 * this file decides where each layer's output and gradients live, which
 * layers run in the trunk's chunks, and in what order. */
#include "nn/network.h"
#include "core/error.h"
#include "nn/net_layer.h"

#include <limits.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* When forward copies the caller's input into the network's own buffer. */
typedef enum { COPY_NEVER, COPY_TRAINING, COPY_ALWAYS } copy_mode;

struct dsml_network {
    int count;            /* layers */
    int n_trunk;          /* layers 0..n_trunk-1 are spatial and run in chunks */
    int first_param;      /* the first layer with parameters (count if none): no gradient flows below it */
    int first_trained;    /* the first layer whose parameters get gradients (first_param unless set higher by
                           * dsml_network_set_trainable_from; count: none): backward stops at it */
    int channels, height, width, max_batch;
    int chunk;            /* images per trunk chunk */
    int lanes;            /* threads the trunk runs on (each with its own scratch), fixed at create */
    int convert;          /* the trunk reads the input converted to NHWC (more than one channel) */
    copy_mode copy_input; /* in-place layers or backward need the input as the network's own */
    int copy_dy;          /* backward works on a copy of the output gradient (in-place layers would write it) */
    float *params, *grads, *ws; /* owned, 64-byte aligned */
    size_t n_params, ws_floats;
    float *input;         /* the input, NHWC or copied (when convert or copy_input) */
    float *dy_copy;       /* the output gradient (when copy_dy) */
    net_layer *layers;    /* owned: count, in the order they run */
    dsml_network_layer *info; /* owned: count, the public view of layers */
    int saved_n;          /* images of the last training forward not yet consumed by backward; 0 = none */
};

static const net_layer_ops *ops_of(const net_layer *l) { return dsml_net_layer_ops(l->spec.kind); }

static int is_active(const net_layer *l, int training)
{
    const net_layer_ops *o = ops_of(l);
    return !o->active || o->active(l, training);
}

static size_t layer_in_floats(const net_layer *l) { return (size_t)l->c * l->h * l->w; }
static size_t layer_out_floats(const net_layer *l) { return (size_t)l->oc * l->oh * l->ow; }

/* Fails naming the layer, prefixing the message its plan left. */
static int layer_fail(const net_layer *l, int rc)
{
    char what[96];
    dsml_layer_spec_format(&l->spec, what, sizeof what);
    return dsml_fail_context(rc, "network: layer %d (%s)", l->index + 1, what);
}

/* The layers in the order they run: a ReLU right before a max pool runs
 * after it (max and ReLU commute exactly), on a quarter of the values. */
static void order_layers(net_layer *layers, const dsml_layer_spec *specs, int count)
{
    for (int i = 0; i < count; i++) {
        int from = i;
        if (i + 1 < count && specs[i].kind == DSML_LAYER_RELU && specs[i + 1].kind == DSML_LAYER_MAXPOOL) from = i + 1;
        else if (i > 0 && specs[i].kind == DSML_LAYER_MAXPOOL && specs[i - 1].kind == DSML_LAYER_RELU) from = i - 1;
        layers[i].spec = specs[from];
        layers[i].index = from;
    }
}

/* Infers every layer's shape from the input's and checks where each kind stands. */
static int plan_shapes(dsml_network *net)
{
    int c = net->channels, h = net->height, w = net->width, flat = 0;
    for (int i = 0; i < net->count; i++) {
        net_layer *l = &net->layers[i];
        const net_layer_ops *o = dsml_net_layer_ops(l->spec.kind);
        if (!o)
            return dsml_fail(DSML_ERR_ARG, "network: layer %d: kind %d, expected a dsml_layer_kind", l->index + 1,
                             (int)l->spec.kind);
        l->c = c, l->h = h, l->w = w, l->flat_in = flat;
        if (o->flat_input == 1 && !flat) return layer_fail(l, dsml_fail(DSML_ERR_ARG, "needs features: a flatten before it"));
        if (o->flat_input == 0 && flat)
            return layer_fail(l, dsml_fail(DSML_ERR_ARG, "needs spatial activations, but it stands after the flatten"));
        int rc = o->plan(l);
        if (rc) return layer_fail(l, rc);
        double batch = net->max_batch;
        if (batch * (double)layer_in_floats(l) > INT_MAX || batch * (double)layer_out_floats(l) > INT_MAX)
            return layer_fail(l, dsml_fail(DSML_ERR_ARG, "max_batch %d of %dx%dx%d images is too large", net->max_batch,
                                           net->channels, net->height, net->width));
        if (l->spec.kind == DSML_LAYER_FLATTEN) flat = 1;
        c = l->oc, h = l->oh, w = l->ow;
        if (!flat) net->n_trunk = i + 1;
    }
    if (!flat) {
        char what[96];
        dsml_layer_spec_format(&net->layers[net->count - 1].spec, what, sizeof what);
        return dsml_fail(DSML_ERR_ARG, "network: the last layer (%s) leaves spatial activations; a network ends in "
                         "features (a flatten, then linear layers)", what);
    }
    return DSML_OK;
}

/* Parameter offsets, the first layer with parameters, the trunk's chunk
 * size, and which of the caller's buffers must be copied. */
static void plan_execution(dsml_network *net)
{
    net->first_param = net->count;
    for (int i = 0; i < net->count; i++) {
        net_layer *l = &net->layers[i];
        const net_layer_ops *o = ops_of(l);
        l->param_offset = net->n_params;
        l->param_count = o->param_count ? o->param_count(l) : 0;
        net->n_params += l->param_count;
        if (l->param_count && net->first_param == net->count) net->first_param = i;
    }
    net->first_trained = net->first_param;
    /* About TRUNK_ROWS output pixels of the last conv layer (or of the last trunk layer) per chunk. */
    int pixels = 0;
    for (int i = 0; i < net->n_trunk; i++)
        if (net->layers[i].spec.kind == DSML_LAYER_CONV) pixels = net->layers[i].oh * net->layers[i].ow;
    if (!pixels && net->n_trunk) pixels = net->layers[net->n_trunk - 1].oh * net->layers[net->n_trunk - 1].ow;
    if (!pixels) pixels = 1;
    net->chunk = DSML_NETWORK_TRUNK_ROWS / pixels > 1 ? DSML_NETWORK_TRUNK_ROWS / pixels : 1;
    /* A scratch buffer per thread, for the threads there are now (a later
     * rise in the thread count leaves the trunk on these; the results do not
     * depend on it), and no more than there can be chunks. */
    int max_chunks = (net->max_batch + net->chunk - 1) / net->chunk, threads = omp_get_max_threads();
    net->lanes = threads < max_chunks ? threads : max_chunks;
    if (net->lanes < 1) net->lanes = 1;

    /* Forward: the caller's x is borrowed for the call only and never written. */
    net->convert = net->n_trunk > 0 && net->channels > 1;
    int external = !net->convert;
    for (int i = 0; i < net->count; i++) {
        const net_layer_ops *o = ops_of(&net->layers[i]);
        if (external && o->output == NET_IN_PLACE) net->copy_input = COPY_ALWAYS;
        if (external && o->keeps_input && net->copy_input == COPY_NEVER) net->copy_input = COPY_TRAINING;
        if ((o->output == NET_OWN && !o->active) || o->output == NET_IN_PLACE) external = 0;
    }
    if (external) net->copy_input = COPY_ALWAYS; /* the output must be the network's own */
    /* Backward: the caller's dy is read only. */
    for (int i = net->count - 1, readonly = 1; i >= net->first_param; i--) {
        const net_layer_ops *o = ops_of(&net->layers[i]);
        if (readonly && o->gradient == NET_IN_PLACE) net->copy_dy = 1;
        if (o->gradient == NET_OWN || (o->gradient == NET_IN_PLACE && !o->active)) readonly = 0;
    }
}

/* Assigns (or, with base NULL, measures) every workspace buffer. */
static size_t carve(dsml_network *net, float *base)
{
    net_carver cv = {base, 0, net->chunk, net->lanes};
    size_t nb = (size_t)net->max_batch;
    net->input = net->convert || net->copy_input != COPY_NEVER
                     ? dsml_net_carve(&cv, nb * net->channels * net->height * net->width)
                     : NULL;
    net->dy_copy = net->copy_dy ? dsml_net_carve(&cv, nb * dsml_network_out_features(net)) : NULL;
    for (int i = 0; i < net->count; i++) {
        net_layer *l = &net->layers[i];
        const net_layer_ops *o = ops_of(l);
        l->out = o->output == NET_OWN ? dsml_net_carve(&cv, nb * layer_out_floats(l)) : NULL;
        /* The trunk's gradients are one chunk's per lane (trunk_backward runs a chunk down the trunk on one thread). */
        l->dx_lane = i < net->n_trunk ? (size_t)net->chunk * layer_in_floats(l) : 0;
        size_t dx_floats = l->dx_lane ? (size_t)net->lanes * l->dx_lane : nb * layer_in_floats(l);
        l->dx = o->gradient == NET_OWN && i > net->first_param ? dsml_net_carve(&cv, dx_floats) : NULL;
        if (o->carve) o->carve(l, &cv, net->max_batch);
    }
    return cv.used;
}

static void *alloc_floats(size_t n)
{
    size_t bytes = (n ? n : 1) * sizeof(float);
    bytes = (bytes + 63) / 64 * 64;
    return aligned_alloc(64, bytes);
}

static void fill_info(dsml_network *net)
{
    const net_layer *flatten = NULL; /* a flatten of spatial activations whose reader is still to come */
    for (int i = 0; i < net->count; i++) {
        const net_layer *l = &net->layers[i];
        if (l->spec.kind == DSML_LAYER_FLATTEN && i > 0) flatten = l;
        net->info[i] = (dsml_network_layer){
            .spec = l->spec, .index = l->index, .in_c = l->c, .in_h = l->h, .in_w = l->w, .out_c = l->oc,
            .out_h = l->oh, .out_w = l->ow, .spatial = i < net->n_trunk,
            .winograd = l->spec.kind == DSML_LAYER_CONV && l->k.conv.winograd, .param_offset = l->param_offset,
            .param_count = l->param_count};
        if (flatten && l->param_count) {
            net->info[i].flat_c = flatten->c, net->info[i].flat_h = flatten->h, net->info[i].flat_w = flatten->w;
            flatten = NULL;
        }
    }
}

int dsml_network_create(dsml_network **out, const dsml_layer_spec *layers, int count, int channels, int height,
                        int width, int max_batch, dsml_rng *rng)
{
    *out = NULL;
    if (count < 1 || count > DSML_NETWORK_MAX_LAYERS)
        return dsml_fail(DSML_ERR_ARG, "network: %d layers, expected 1..%d", count, DSML_NETWORK_MAX_LAYERS);
    if (channels < 1 || height < 1 || width < 1)
        return dsml_fail(DSML_ERR_ARG, "network: input shape %dx%dx%d, expected positive sizes", channels, height,
                         width);
    if (max_batch < 1) return dsml_fail(DSML_ERR_ARG, "network: max_batch %d, expected >= 1", max_batch);
    if (!rng) return dsml_fail(DSML_ERR_ARG, "network: creating a network needs a random generator for the init");
    dsml_network *net = calloc(1, sizeof *net);
    if (!net) return dsml_fail(DSML_ERR_NOMEM, "network: %zu bytes", sizeof *net);
    net->count = count, net->channels = channels, net->height = height, net->width = width;
    net->max_batch = max_batch;
    net->layers = calloc((size_t)count, sizeof *net->layers);
    net->info = calloc((size_t)count, sizeof *net->info);
    if (!net->layers || !net->info) {
        dsml_network_free(net);
        return dsml_fail(DSML_ERR_NOMEM, "network: %d layers", count);
    }
    order_layers(net->layers, layers, count);
    int rc = plan_shapes(net);
    if (rc) {
        dsml_network_free(net);
        return rc;
    }
    plan_execution(net);
    size_t ws_floats = net->ws_floats = carve(net, NULL);
    net->params = alloc_floats(net->n_params);
    net->grads = alloc_floats(net->n_params);
    net->ws = alloc_floats(ws_floats);
    if (!net->params || !net->grads || !net->ws) {
        size_t n_params = net->n_params;
        dsml_network_free(net);
        return dsml_fail(DSML_ERR_NOMEM, "network: %zu parameters and a %zu MiB workspace", n_params,
                         ws_floats * sizeof(float) >> 20);
    }
    memset(net->grads, 0, net->n_params * sizeof(float));
    memset(net->ws, 0, ws_floats * sizeof(float));
    /* PyTorch's default init, layer by layer, weight then bias. */
    for (int i = 0; i < count; i++) {
        net_layer *l = &net->layers[i];
        if (l->param_count) ops_of(l)->init(l, net->params + l->param_offset, net->grads + l->param_offset, rng);
    }
    carve(net, net->ws);
    fill_info(net);
    *out = net;
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

/* Points each layer at its input and output for this forward. */
static void bind_forward(dsml_network *net, const float *in, int training)
{
    for (int i = 0; i < net->count; i++) {
        net_layer *l = &net->layers[i];
        l->x = in;
        /* A passing layer's output is its input; plan_execution made sure no layer writes the caller's x. */
        l->y = is_active(l, training) && ops_of(l)->output == NET_OWN ? l->out : (float *)in;
        in = l->y;
    }
}

static int chunk_end(const dsml_network *net, int chunk, int n)
{
    int end = (chunk + 1) * net->chunk;
    return end < n ? end : n;
}

/* The trunk, each chunk of images on one thread from the input to the last spatial layer. */
static void trunk_forward(dsml_network *net, const float *x, int n, int training)
{
    int chunks = (n + net->chunk - 1) / net->chunk;
    size_t row = (size_t)net->channels * net->height * net->width;
#pragma omp parallel for schedule(static) num_threads(net->lanes)
    for (int ch = 0; ch < chunks; ch++) {
        int b0 = ch * net->chunk, b1 = chunk_end(net, ch, n);
        if (net->convert)
            chw_to_hwc(net->input + b0 * row, x + b0 * row, b1 - b0, net->channels, net->height * net->width);
        for (int i = 0; i < net->n_trunk; i++) {
            net_layer *l = &net->layers[i];
            if (is_active(l, training) && ops_of(l)->forward) ops_of(l)->forward(l, b0, b1, NULL);
        }
    }
}

int dsml_network_forward(dsml_network *net, const float *x, int n, int training, dsml_rng *rng, const float **y)
{
    if (n < 1 || n > net->max_batch)
        return dsml_fail(DSML_ERR_ARG, "network forward: batch of %d images, expected 1..%d", n, net->max_batch);
    for (int i = 0; training && !rng && i < net->count; i++)
        if (ops_of(&net->layers[i])->draws && is_active(&net->layers[i], 1))
            return layer_fail(&net->layers[i],
                              dsml_fail(DSML_ERR_ARG, "training with dropout needs a random generator"));
    net->saved_n = 0;
    const float *in = x;
    if (net->copy_input == COPY_ALWAYS || (net->copy_input == COPY_TRAINING && training)) {
        memcpy(net->input, x, sizeof(float) * (size_t)n * net->channels * net->height * net->width);
        in = net->input;
    } else if (net->convert) {
        in = net->input;
    }
    bind_forward(net, in, training);
    for (int i = 0; i < net->count; i++) {
        net_layer *l = &net->layers[i];
        if (is_active(l, training) && ops_of(l)->prepare) ops_of(l)->prepare(l, 0);
    }
    if (net->n_trunk) trunk_forward(net, x, n, training);
    for (int i = net->n_trunk; i < net->count; i++) {
        net_layer *l = &net->layers[i];
        if (is_active(l, training) && ops_of(l)->forward) ops_of(l)->forward(l, 0, n, rng);
    }
    if (training) net->saved_n = n;
    *y = net->layers[net->count - 1].y;
    return DSML_OK;
}

/* Points each layer from the last down to the first trained one at its
 * output's gradient and its input's (NULL for the first trained one). */
static void bind_backward(dsml_network *net, const float *g)
{
    size_t g_lane = 0; /* the output's gradient holds the whole batch */
    for (int i = net->count - 1; i >= net->first_trained; i--) {
        net_layer *l = &net->layers[i];
        l->gy = g, l->gy_lane = g_lane;
        int own = is_active(l, 1) && ops_of(l)->gradient == NET_OWN;
        /* In place or passed on: plan_execution made sure g is not the caller's when a layer writes it. */
        l->gx = own ? (i > net->first_trained ? l->dx : NULL) : (float *)g;
        l->gx_lane = own ? l->dx_lane : g_lane;
        g = l->gx, g_lane = l->gx_lane;
    }
}

/* The trunk back from its output's gradient, each chunk on one thread. The
 * weight gradients are summed per fixed group of chunks into the thread's
 * slot, and the groups' sums added in group order (an ordered region: a
 * thread adds its group once the one before it has), so the result depends
 * on the batch size only, not on the thread count, with one slot per thread
 * rather than one per group. */
static void trunk_backward(dsml_network *net, int n)
{
    int chunks = (n + net->chunk - 1) / net->chunk;
    int groups = chunks < NET_MAX_GROUPS ? chunks : NET_MAX_GROUPS;
    int last = net->n_trunk - 1, first = net->first_trained;
#pragma omp parallel for ordered schedule(static, 1) num_threads(net->lanes)
    for (int grp = 0; grp < groups; grp++) {
        int lane = omp_get_thread_num();
        int c0 = (int)((long)grp * chunks / groups), c1 = (int)((long)(grp + 1) * chunks / groups);
        for (int ch = c0; ch < c1; ch++)
            for (int i = last; i >= first; i--) {
                net_layer *l = &net->layers[i];
                if (is_active(l, 1) && ops_of(l)->backward)
                    ops_of(l)->backward(l, ch * net->chunk, chunk_end(net, ch, n), lane, ch > c0);
            }
#pragma omp ordered
        for (int i = first; i <= last; i++)
            if (ops_of(&net->layers[i])->gather) ops_of(&net->layers[i])->gather(&net->layers[i], lane, grp > 0);
    }
    for (int i = first; i <= last; i++)
        if (ops_of(&net->layers[i])->reduce) ops_of(&net->layers[i])->reduce(&net->layers[i]);
}

int dsml_network_backward(dsml_network *net, const float *dy, int n)
{
    if (net->saved_n == 0)
        return dsml_fail(DSML_ERR_STATE, "network backward: no training forward to differentiate");
    if (n != net->saved_n)
        return dsml_fail(DSML_ERR_ARG, "network backward: batch of %d images, the forward had %d", n, net->saved_n);
    net->saved_n = 0; /* the backward overwrites saved state (im2col matrices, Winograd patches) */
    if (net->copy_dy) {
        memcpy(net->dy_copy, dy, sizeof(float) * (size_t)n * dsml_network_out_features(net));
        dy = net->dy_copy;
    }
    bind_backward(net, dy);
    for (int i = net->count - 1; i >= net->first_trained; i--) {
        net_layer *l = &net->layers[i];
        if (is_active(l, 1) && ops_of(l)->prepare) ops_of(l)->prepare(l, 1);
    }
    int head_end = net->n_trunk > net->first_trained ? net->n_trunk : net->first_trained;
    for (int i = net->count - 1; i >= head_end; i--) {
        net_layer *l = &net->layers[i];
        if (is_active(l, 1) && ops_of(l)->backward) ops_of(l)->backward(l, 0, n, 0, 1);
    }
    if (net->first_trained < net->n_trunk) trunk_backward(net, n);
    return DSML_OK;
}

int dsml_network_set_trainable_from(dsml_network *net, int layer)
{
    if (layer < 0 || layer > net->count)
        return dsml_fail(DSML_ERR_ARG, "network: trainable from layer %d, expected 0..%d", layer, net->count);
    /* The workspace was carved for gradients down to first_param: any layer above it has what it needs. */
    int first = net->first_param > layer ? net->first_param : layer;
    while (first < net->count && !net->layers[first].param_count) first++;
    net->first_trained = first;
    return DSML_OK;
}

void dsml_network_zero_grad(dsml_network *net) { memset(net->grads, 0, net->n_params * sizeof(float)); }

float *dsml_network_params(dsml_network *net, size_t *count)
{
    if (count) *count = net->n_params;
    return net->params;
}

float *dsml_network_grads(dsml_network *net, size_t *count)
{
    if (count) *count = net->n_params;
    return net->grads;
}

int dsml_network_layer_count(const dsml_network *net) { return net->count; }

const dsml_network_layer *dsml_network_layer_at(const dsml_network *net, int i)
{
    return i >= 0 && i < net->count ? &net->info[i] : NULL;
}

int dsml_network_flat_feature(const dsml_network_layer *l, int torch_index)
{
    if (l->flat_c < 1) return torch_index;
    int hw = l->flat_h * l->flat_w, c = torch_index / hw, p = torch_index % hw;
    return p * l->flat_c + c;
}

size_t dsml_network_workspace_bytes(const dsml_network *net) { return net->ws_floats * sizeof(float); }

int dsml_network_out_features(const dsml_network *net) { return net->layers[net->count - 1].oc; }

double dsml_network_flops_per_image(const dsml_network *net, int training)
{
    double fwd = 0, first = 0, frozen = 0;
    for (int i = 0; i < net->count; i++) {
        const net_layer *l = &net->layers[i];
        double f = ops_of(l)->flops ? ops_of(l)->flops(l) : 0.0;
        fwd += f;
        if (i == net->first_trained) first = f;
        if (i < net->first_trained) frozen += f;
    }
    /* Backward: a weight-gradient GEMM per trained layer and an input-gradient GEMM per trained layer but the
     * first. */
    return training ? 3 * fwd - first - 2 * frozen : fwd;
}

void dsml_network_free(dsml_network *net)
{
    if (!net) return;
    free(net->layers);
    free(net->info);
    free(net->params);
    free(net->grads);
    free(net->ws);
    free(net);
}
