/* Pretrained tensors into a network's parameter block; see pretrained.h. */
#include "run/pretrained.h"

#include <stdio.h>
#include <string.h>

#include "core/error.h"

/* One parameter layer of the file: a weight and its bias. */
typedef struct {
    char prefix[DSML_TENSOR_NAME_MAX];
    const dsml_tensor *weight, *bias;
} file_layer;

static int has_suffix(const char *s, const char *suffix, size_t *prefix_len)
{
    size_t n = strlen(s), m = strlen(suffix);
    if (n <= m || strcmp(s + n - m, suffix) != 0) return 0;
    *prefix_len = n - m;
    return 1;
}

static const dsml_tensor *find_sibling(const dsml_tensor_set *set, const char *prefix, const char *suffix)
{
    char name[DSML_TENSOR_NAME_MAX + 8];
    snprintf(name, sizeof name, "%s%s", prefix, suffix);
    return dsml_tensor_set_find(set, name);
}

/* The file's parameter layers in its order, at most `cap` (a larger count is
 * still counted in *n). */
static int collect(const dsml_tensor_set *set, const char *path, file_layer *out, int cap, int *n)
{
    *n = 0;
    for (int i = 0; i < set->count; i++) {
        const dsml_tensor *t = &set->tensors[i];
        size_t len;
        if (has_suffix(t->name, ".bias", &len)) {
            char prefix[DSML_TENSOR_NAME_MAX];
            snprintf(prefix, sizeof prefix, "%.*s", (int)len, t->name);
            if (!find_sibling(set, prefix, ".weight"))
                return dsml_fail(DSML_ERR_FORMAT, "%s: tensor %s has no %s.weight", path, t->name, prefix);
            continue;
        }
        if (!has_suffix(t->name, ".weight", &len)) continue; /* not a layer's parameter */
        file_layer l = {.weight = t};
        snprintf(l.prefix, sizeof l.prefix, "%.*s", (int)len, t->name);
        l.bias = find_sibling(set, l.prefix, ".bias");
        if (!l.bias) return dsml_fail(DSML_ERR_FORMAT, "%s: tensor %s has no %s.bias", path, t->name, l.prefix);
        if (*n < cap) out[*n] = l;
        (*n)++;
    }
    return DSML_OK;
}

int dsml_pretrained_last_width(const dsml_tensor_set *set, const char *path, int *layers, int *width)
{
    int n, rc;
    *layers = 0;
    *width = 0;
    if ((rc = collect(set, path, NULL, 0, &n)) != DSML_OK) return rc;
    *layers = n;
    /* the last weight in the file's order is the last layer's */
    for (int i = set->count - 1; i >= 0 && n > 0; i--) {
        size_t len;
        if (!has_suffix(set->tensors[i].name, ".weight", &len)) continue;
        *width = set->tensors[i].ndim > 0 ? (int)set->tensors[i].shape[0] : 0;
        break;
    }
    return DSML_OK;
}

static void shape_text(const int64_t *shape, int ndim, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = 0;
    for (int i = 0; i < ndim && used < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, "%s%lld", i ? "x" : "", (long long)shape[i]);
    if (ndim == 0) snprintf(buf, cap, "a scalar");
}

/* What a network layer expects, and how to read the file's tensors into it. */
typedef struct {
    int out, in;            /* O, I (a conv's I counts input channels) */
    int k;                  /* conv kernel side; 0 for linear */
    int c, h, w;            /* linear after a spatial flatten: the C, H, W it reads; else in, 1, 1 */
    int permute;            /* linear: columns come in C, H, W order and go to (y, x, c) */
} layer_shape;

static int shape_matches(const layer_shape *s, const file_layer *f)
{
    const dsml_tensor *w = f->weight, *b = f->bias;
    if (b->ndim != 1 || b->shape[0] != s->out) return 0;
    if (s->k) return w->ndim == 4 && w->shape[0] == s->out && w->shape[1] == s->in && w->shape[2] == s->k &&
                     w->shape[3] == s->k;
    if (w->ndim == 2) return w->shape[0] == s->out && w->shape[1] == s->in;
    /* a linear layer stored as a convolution over the whole map (or 1 x 1) */
    return w->ndim == 4 && w->shape[0] == s->out && w->shape[1] == s->c && w->shape[2] == s->h &&
           w->shape[3] == s->w;
}

static void expected_text(const layer_shape *s, char *buf, size_t cap)
{
    if (s->k) snprintf(buf, cap, "%dx%dx%dx%d", s->out, s->in, s->k, s->k);
    else if (s->h * s->w > 1) snprintf(buf, cap, "%dx%d (or %dx%dx%dx%d)", s->out, s->in, s->out, s->c, s->h, s->w);
    else snprintf(buf, cap, "%dx%d", s->out, s->in);
}

/* PyTorch's O x I x kH x kW into dsml's kH x kW x I x O, then the bias. */
static void copy_conv(const layer_shape *s, const file_layer *f, float *p)
{
    int O = s->out, I = s->in, k = s->k;
    const float *src = f->weight->data;
    for (int o = 0; o < O; o++)
        for (int i = 0; i < I; i++)
            for (int ky = 0; ky < k; ky++)
                for (int kx = 0; kx < k; kx++)
                    p[((size_t)(ky * k + kx) * I + i) * O + o] = src[(((size_t)o * I + i) * k + ky) * k + kx];
    memcpy(p + (size_t)k * k * I * O, f->bias->data, sizeof(float) * (size_t)O);
}

/* O x I rows; with `permute`, file column (c, y, x) goes to dsml column (y, x, c). */
static void copy_linear(const layer_shape *s, const file_layer *f, float *p)
{
    int O = s->out, I = s->in;
    const float *src = f->weight->data;
    if (!s->permute) memcpy(p, src, sizeof(float) * (size_t)O * I);
    else
        for (int o = 0; o < O; o++)
            for (int c = 0; c < s->c; c++)
                for (int y = 0; y < s->h; y++)
                    for (int x = 0; x < s->w; x++)
                        p[(size_t)o * I + ((size_t)y * s->w + x) * s->c + c] =
                            src[(size_t)o * I + ((size_t)c * s->h + y) * s->w + x];
    memcpy(p + (size_t)O * I, f->bias->data, sizeof(float) * (size_t)O);
}

/* The network's layers with parameters and what each expects. */
static int plan_layers(const dsml_network *net, layer_shape *shapes, dsml_pretrained_report *r)
{
    r->count = 0;
    for (int i = 0; i < dsml_network_layer_count(net); i++) {
        const dsml_network_layer *l = dsml_network_layer_at(net, i);
        if (l->param_count == 0) continue;
        if (r->count == DSML_NETWORK_MAX_LAYERS)
            return dsml_fail(DSML_ERR_ARG, "network: more than %d layers with parameters", DSML_NETWORK_MAX_LAYERS);
        layer_shape s = {.out = l->spec.out, .in = l->in_c, .c = l->in_c, .h = 1, .w = 1};
        if (l->spec.kind == DSML_LAYER_CONV) s.k = l->spec.k;
        else if (l->spec.kind != DSML_LAYER_LINEAR)
            return dsml_fail(DSML_ERR_ARG, "network: layer %d has parameters of a kind weights cannot be read into",
                             l->index + 1);
        else if (l->flat_c > 0) /* the first linear after a spatial flatten: PyTorch reads (c, y, x) */
            s.c = l->flat_c, s.h = l->flat_h, s.w = l->flat_w, s.permute = 1;
        shapes[r->count] = s;
        r->layers[r->count] = (dsml_pretrained_layer){
            .layer = i, .fresh = 1, .param_offset = l->param_offset, .param_count = l->param_count};
        r->count++;
    }
    return DSML_OK;
}

int dsml_pretrained_apply(dsml_network *net, const dsml_tensor_set *set, const char *path,
                          dsml_pretrained_report *report)
{
    layer_shape shapes[DSML_NETWORK_MAX_LAYERS];
    file_layer files[DSML_NETWORK_MAX_LAYERS];
    dsml_pretrained_report r = {0};
    int n_file, rc;
    if ((rc = plan_layers(net, shapes, &r)) != DSML_OK) return rc;
    if ((rc = collect(set, path, files, DSML_NETWORK_MAX_LAYERS, &n_file)) != DSML_OK) return rc;
    r.file_layers = n_file;
    if (n_file > 0) {
        const dsml_tensor *w = files[n_file < DSML_NETWORK_MAX_LAYERS ? n_file - 1 : 0].weight;
        r.last_width = w->ndim ? (int)w->shape[0] : 0;
    }
    if (n_file > r.count)
        return dsml_fail(DSML_ERR_ARG, "%s: %d layers with parameters, the network has %d (the first extra: %s)",
                         path, n_file, r.count, n_file <= DSML_NETWORK_MAX_LAYERS ? files[r.count].prefix : "?");
    if (n_file < r.count - 1)
        return dsml_fail(DSML_ERR_ARG, "%s: %d layers with parameters, the network has %d: nothing for layer %d",
                         path, n_file, r.count, dsml_network_layer_at(net, r.layers[n_file].layer)->index + 1);
    for (int j = 0; j < n_file; j++) {
        if (shape_matches(&shapes[j], &files[j])) {
            r.layers[j].fresh = 0;
            memcpy(r.layers[j].source, files[j].prefix, sizeof r.layers[j].source);
            continue;
        }
        if (j == r.count - 1) break; /* the embedding layer: another width than the file's classifier */
        char want[96], found[64], bias[32];
        expected_text(&shapes[j], want, sizeof want);
        shape_text(files[j].weight->shape, files[j].weight->ndim, found, sizeof found);
        shape_text(files[j].bias->shape, files[j].bias->ndim, bias, sizeof bias);
        return dsml_fail(DSML_ERR_ARG, "%s: tensor %s: expected %s with a bias of %d, found %s with a bias of %s "
                         "(network layer %d)", path, files[j].weight->name, want, shapes[j].out, found, bias,
                         dsml_network_layer_at(net, r.layers[j].layer)->index + 1);
    }
    size_t n_params;
    float *params = dsml_network_params(net, &n_params);
    for (int j = 0; j < r.count; j++) {
        if (r.layers[j].fresh) continue;
        float *p = params + r.layers[j].param_offset;
        if (shapes[j].k) copy_conv(&shapes[j], &files[j], p);
        else copy_linear(&shapes[j], &files[j], p);
        r.loaded++;
    }
    *report = r;
    return DSML_OK;
}
