/* The MatConvNet reader (docs/weights.md, "MatConvNet"): a SimpleNN network
 * saved as a MAT v5 file (data/mat5.h), e.g. imagenet-vgg-f.mat. `layers` is
 * a cell of layer structs (name, type, weights = {filters, biases} or the
 * older filters and biases fields, stride, pad, pool, method, param); the
 * average image is in meta.normalization, or in normalization at the top
 * level in older files. Tensors made, per layer name:
 *
 *   conv  <name>.weight  Cout x Cin x H x W (PyTorch's OIHW) from MATLAB's
 *                        column-major H x W x Cin x Cout
 *         <name>.bias    Cout (when the layer has biases)
 *         <name>.conv    [stride_y stride_x pad_top pad_bottom pad_left pad_right]
 *   pool  <name>.pool    [pool_y pool_x stride_y stride_x pad_top pad_bottom pad_left pad_right method],
 *                        method 0 max, 1 avg
 *   lrn   <name>.lrn     [n kappa alpha beta]
 *   normalization.average_image  3 x H x W (channel-major), or 3 for a mean colour
 *   normalization.image_size     imageSize as stored ([H W C])
 *
 * relu, softmax, softmaxloss and dropout layers make no tensor; any other
 * type is an error, so that no layer with weights is skipped silently. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "data/mat5.h"
#include "weights/weights_internal.h"

#define LAYER_NAME_MAX 100   /* leaves room for ".weight" in a tensor name */

typedef struct {
    dsml_weights_builder *b;
    const dsml_mat_array *s;   /* the layer's struct */
    int index;                 /* 1-based, as MATLAB counts */
    char name[LAYER_NAME_MAX + 1];
} layer;

static int lfail(const layer *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int lfail(const layer *l, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return dsml_fail(DSML_ERR_FORMAT, "%s: layers{%d} '%s': %s", l->b->path, l->index, l->name, msg);
}

/* A tensor "<layer>.<suffix>" of the given shape; its data in *data. */
static int add(const layer *l, const char *suffix, int ndim, const int64_t *shape, float **data)
{
    char name[DSML_TENSOR_NAME_MAX];
    snprintf(name, sizeof name, "%s.%s", l->name, suffix);
    return dsml_weights_add(l->b, name, ndim, shape, data);
}

static int is_numeric(const dsml_mat_array *a) { return a && a->kind == DSML_MAT_NUMERIC; }

/* n values of field `f`: a scalar is repeated, n values copied, a missing
 * field gives `fallback`; pairs (n == 4 from 2 values) are repeated too. */
static int values(const layer *l, const char *f, int n, double fallback, double *out)
{
    const dsml_mat_array *a = dsml_mat_field(l->s, 0, f);
    if (!a || (is_numeric(a) && a->numel == 0)) {
        for (int i = 0; i < n; i++) out[i] = fallback;
        return DSML_OK;
    }
    if (!is_numeric(a) || (a->numel != 1 && a->numel != n))
        return lfail(l, "field %s: %lld values, expected 1 or %d", f, is_numeric(a) ? (long long)a->numel : -1LL, n);
    for (int i = 0; i < n; i++) out[i] = a->re[a->numel == 1 ? 0 : i];
    return DSML_OK;
}

static int put(const layer *l, const char *suffix, const double *v, int n)
{
    int64_t shape[1] = {n};
    float *d;
    int rc = add(l, suffix, 1, shape, &d);
    for (int i = 0; !rc && i < n; i++) d[i] = (float)v[i];
    return rc;
}

/* H x W x Cin x Cout (column-major) into Cout x Cin x H x W (C order). */
static int conv_weights(const layer *l, const dsml_mat_array *f, const dsml_mat_array *bias)
{
    if (!is_numeric(f) || f->numel == 0) return lfail(l, "filters missing or not numeric");
    int64_t d[4] = {1, 1, 1, 1};
    for (int i = 0; i < f->n_dims; i++) {
        if (i < 4) d[i] = f->dims[i];
        else if (f->dims[i] != 1) return lfail(l, "filters of %d dims, expected H x W x Cin x Cout", f->n_dims);
    }
    int64_t H = d[0], W = d[1], C = d[2], O = d[3], shape[4] = {O, C, H, W};
    float *w;
    int rc = add(l, "weight", 4, shape, &w);
    if (rc) return rc;
    for (int64_t o = 0; o < O; o++)
        for (int64_t c = 0; c < C; c++)
            for (int64_t h = 0; h < H; h++)
                for (int64_t x = 0; x < W; x++)
                    w[((o * C + c) * H + h) * W + x] = (float)f->re[h + H * (x + W * (c + C * o))];
    if (!bias || (is_numeric(bias) && bias->numel == 0)) return DSML_OK;
    if (!is_numeric(bias) || bias->numel != O)
        return lfail(l, "biases of %lld values, expected %lld (Cout)", is_numeric(bias) ? (long long)bias->numel : -1LL,
                     (long long)O);
    float *bv;
    if ((rc = add(l, "bias", 1, &O, &bv))) return rc;
    for (int64_t o = 0; o < O; o++) bv[o] = (float)bias->re[o];
    return DSML_OK;
}

static int conv_layer(const layer *l)
{
    const dsml_mat_array *f, *bias = NULL, *w = dsml_mat_field(l->s, 0, "weights");
    if (w) {
        if (w->kind != DSML_MAT_CELL || w->numel < 1 || w->numel > 2)
            return lfail(l, "weights is not a cell {filters, biases}");
        f = &w->items[0];
        if (w->numel == 2) bias = &w->items[1];
    } else {
        f = dsml_mat_field(l->s, 0, "filters");
        bias = dsml_mat_field(l->s, 0, "biases");
    }
    int rc = conv_weights(l, f, bias);
    double p[6];
    if (!rc) rc = values(l, "stride", 2, 1, p);
    if (!rc) rc = values(l, "pad", 4, 0, p + 2);
    return rc ? rc : put(l, "conv", p, 6);
}

static int pool_layer(const layer *l)
{
    double p[9];
    char method[8] = "max";
    const dsml_mat_array *m = dsml_mat_field(l->s, 0, "method");
    if (m && dsml_mat_string(m, method, sizeof method)) return lfail(l, "method is not 'max' or 'avg'");
    if (strcmp(method, "max") && strcmp(method, "avg")) return lfail(l, "method '%s', expected 'max' or 'avg'", method);
    if (!dsml_mat_field(l->s, 0, "pool")) return lfail(l, "no field pool");
    int rc = values(l, "pool", 2, 1, p);
    if (!rc) rc = values(l, "stride", 2, 1, p + 2);
    if (!rc) rc = values(l, "pad", 4, 0, p + 4);
    p[8] = !strcmp(method, "avg");
    return rc ? rc : put(l, "pool", p, 9);
}

static int lrn_layer(const layer *l)
{
    const dsml_mat_array *a = dsml_mat_field(l->s, 0, "param");
    if (!is_numeric(a) || a->numel != 4) return lfail(l, "param is not [n kappa alpha beta]");
    return put(l, "lrn", a->re, 4);
}

static int read_layer(layer *l)
{
    if (l->s->kind != DSML_MAT_STRUCT || l->s->numel != 1) return lfail(l, "not a 1 x 1 struct");
    const dsml_mat_array *n = dsml_mat_field(l->s, 0, "name");
    /* MatConvNet names an unnamed layer "layer<i>" (vl_simplenn_tidy) */
    if (!n || (n->kind == DSML_MAT_CHAR && !n->numel)) snprintf(l->name, sizeof l->name, "layer%d", l->index);
    else if (dsml_mat_string(n, l->name, sizeof l->name) || !l->name[0])
        return lfail(l, "name is not a string of 1..%d characters", LAYER_NAME_MAX);
    char type[32];
    if (dsml_mat_string(dsml_mat_field(l->s, 0, "type"), type, sizeof type)) return lfail(l, "no type string");
    if (!strcmp(type, "conv")) return conv_layer(l);
    if (!strcmp(type, "pool")) return pool_layer(l);
    if (!strcmp(type, "lrn") || !strcmp(type, "normalize")) return lrn_layer(l);
    static const char *const plain[] = {"relu", "softmax", "softmaxloss", "dropout"};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (!strcmp(type, plain[i])) return DSML_OK;
    return lfail(l, "layer type '%s' is not supported (conv, pool, lrn, relu, softmax, softmaxloss, dropout are)",
                 type);
}

/* normalization.average_image and .image_size, when the file has them. */
static int normalization(dsml_weights_builder *b, const dsml_mat_file *m)
{
    const dsml_mat_array *norm = dsml_mat_var(m, "normalization"), *meta = dsml_mat_var(m, "meta");
    if (!norm && meta) norm = dsml_mat_field(meta, 0, "normalization");
    if (!norm) return DSML_OK;
    const dsml_mat_array *avg = dsml_mat_field(norm, 0, "averageImage"), *size = dsml_mat_field(norm, 0, "imageSize");
    int rc = DSML_OK;
    float *d;
    if (is_numeric(avg) && avg->numel == 3) {
        int64_t shape[1] = {3};
        if (!(rc = dsml_weights_add(b, "normalization.average_image", 1, shape, &d)))
            for (int i = 0; i < 3; i++) d[i] = (float)avg->re[i];
    } else if (is_numeric(avg) && avg->numel) {
        if (avg->n_dims != 3 || avg->dims[2] != 3)
            return dsml_fail(DSML_ERR_FORMAT, "%s: normalization.averageImage of %d dims, expected H x W x 3 or 3 "
                             "values", b->path, avg->n_dims);
        int64_t H = avg->dims[0], W = avg->dims[1], shape[3] = {3, H, W};
        if (!(rc = dsml_weights_add(b, "normalization.average_image", 3, shape, &d)))
            for (int64_t c = 0; c < 3; c++)
                for (int64_t h = 0; h < H; h++)
                    for (int64_t x = 0; x < W; x++) d[(c * H + h) * W + x] = (float)avg->re[h + H * (x + W * c)];
    }
    if (!rc && is_numeric(size) && size->numel > 0 && size->numel <= 4) {
        int64_t shape[1] = {size->numel};
        if (!(rc = dsml_weights_add(b, "normalization.image_size", 1, shape, &d)))
            for (int64_t i = 0; i < size->numel; i++) d[i] = (float)size->re[i];
    }
    return rc;
}

int dsml_weights_read_matconvnet(dsml_weights_builder *b, const uint8_t *data, size_t size)
{
    dsml_mat_file m;
    int rc = dsml_mat_parse(&m, data, size, b->path, DSML_WEIGHTS_MAX_TOTAL_BYTES);
    if (rc) return rc;
    const dsml_mat_array *layers = dsml_mat_var(&m, "layers");
    if (!layers)
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: no variable 'layers': not a MatConvNet network (%d variables, the "
                       "first '%s')", b->path, m.n_vars, m.n_vars ? m.vars[0].name : "");
    else if (layers->kind == DSML_MAT_STRUCT)
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: 'layers' is a struct array, as in a DagNN network; only SimpleNN "
                       "networks (a cell of layer structs) are read", b->path);
    else if (layers->kind != DSML_MAT_CELL)
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: 'layers' is not a cell of layer structs", b->path);
    for (int64_t i = 0; !rc && i < layers->numel; i++) {
        layer l = {.b = b, .s = &layers->items[i], .index = (int)i + 1};
        rc = read_layer(&l);
    }
    if (!rc) rc = normalization(b, &m);
    dsml_mat_free(&m);
    return rc;
}
