/* The safetensors reader (docs/weights.md, "safetensors"): a u64 little-endian
 * header length n, n bytes of JSON {name: {dtype, shape, data_offsets}, ...,
 * "__metadata__": {...}}, then the data, each tensor at [begin, end) bytes
 * from the data's start. F32 is read as is; F16 and BF16 are converted to
 * float32 exactly; other dtypes are refused by name. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/json_parse.h"
#include "weights/weights_internal.h"

typedef struct {
    int64_t begin, end;
    const char *name;
} span;

static const struct {
    const char *name;
    int size;
    void (*convert)(float *dst, const uint8_t *src, int64_t n);
} dtypes[] = {
    {"F32", 4, dsml_weights_f32_le}, {"F16", 2, dsml_weights_f16_le}, {"BF16", 2, dsml_weights_bf16_le},
};

/* A JSON number that is a whole number in 0..2^53. */
static int whole(const dsml_jv *v, int64_t *out)
{
    if (!v || v->type != DSML_JV_NUMBER || v->number < 0 || v->number > 9007199254740992.0 ||
        v->number != floor(v->number))
        return -1;
    *out = (int64_t)v->number;
    return 0;
}

static int by_begin(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return x->begin < y->begin ? -1 : x->begin > y->begin ? 1 : (x->end > y->end) - (x->end < y->end);
}

/* One header entry: its shape and offsets checked, its tensor added and filled. */
static int read_entry(dsml_weights_builder *b, const dsml_jv *e, const uint8_t *base, int64_t data_len, span *sp)
{
    const char *path = b->path, *name = e->key;
    if (e->type != DSML_JV_OBJECT)
        return dsml_fail(DSML_ERR_FORMAT, "%s: header entry '%s' is not an object", path, name);
    const char *dtype = dsml_jv_string(e, "dtype", NULL);
    const dsml_jv *shape = dsml_jv_get(e, "shape"), *offsets = dsml_jv_get(e, "data_offsets");
    if (!dtype || !shape || shape->type != DSML_JV_ARRAY || !offsets || offsets->type != DSML_JV_ARRAY ||
        offsets->count != 2)
        return dsml_fail(DSML_ERR_FORMAT, "%s: tensor '%s': expected dtype (string), shape (array) and "
                         "data_offsets ([begin, end])", path, name);
    int k = 0;
    while (k < (int)(sizeof dtypes / sizeof dtypes[0]) && strcmp(dtypes[k].name, dtype)) k++;
    if (k == (int)(sizeof dtypes / sizeof dtypes[0]))
        return dsml_fail(DSML_ERR_FORMAT, "%s: tensor '%s': dtype %s is not supported (F32, F16 and BF16 are)",
                         path, name, dtype);
    if (shape->count > DSML_TENSOR_MAX_DIMS)
        return dsml_fail(DSML_ERR_FORMAT, "%s: tensor '%s': %d dims, at most %d are supported", path, name,
                         shape->count, DSML_TENSOR_MAX_DIMS);
    int64_t dims[DSML_TENSOR_MAX_DIMS];
    int nd = 0;
    for (const dsml_jv *d = shape->child; d; d = d->next)
        if (whole(d, &dims[nd++]))
            return dsml_fail(DSML_ERR_FORMAT, "%s: tensor '%s': shape[%d] is not a whole number >= 0", path, name,
                             nd - 1);
    if (whole(offsets->child, &sp->begin) || whole(offsets->child->next, &sp->end) || sp->begin > sp->end ||
        sp->end > data_len)
        return dsml_fail(DSML_ERR_FORMAT, "%s: tensor '%s': data_offsets [%.0f, %.0f] outside the %lld data bytes",
                         path, name, offsets->child->number, offsets->child->next->number, (long long)data_len);
    sp->name = name;
    int64_t numel;
    if (dsml_weights_numel(nd, dims, data_len, &numel))
        return dsml_fail(DSML_ERR_FORMAT, "%s: tensor '%s': its shape holds more values than the file has bytes",
                         path, name);
    if (sp->end - sp->begin != numel * dtypes[k].size)
        return dsml_fail(DSML_ERR_FORMAT, "%s: tensor '%s': %lld data bytes, its shape and dtype %s need %lld", path,
                         name, (long long)(sp->end - sp->begin), dtype, (long long)(numel * dtypes[k].size));
    float *data;
    int rc = dsml_weights_add(b, name, nd, dims, &data);
    if (rc) return rc;
    dtypes[k].convert(data, base + sp->begin, numel);
    return DSML_OK;
}

int dsml_weights_read_safetensors(dsml_weights_builder *b, const uint8_t *data, size_t size)
{
    const char *path = b->path;
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = n << 8 | data[i];
    if (n > size - 8)
        return dsml_fail(DSML_ERR_FORMAT, "%s: header of %llu bytes runs past the end of the file (%zu bytes)", path,
                         (unsigned long long)n, size);
    if (n > DSML_WEIGHTS_MAX_HEADER_BYTES)
        return dsml_fail(DSML_ERR_FORMAT, "%s: header of %llu bytes, at most %lld are read", path,
                         (unsigned long long)n, (long long)DSML_WEIGHTS_MAX_HEADER_BYTES);
    char label[4200];
    snprintf(label, sizeof label, "%s: header", path);
    dsml_json_doc doc;
    int rc = dsml_json_parse(&doc, label, (const char *)data + 8, (size_t)n);
    if (rc) return rc;
    const uint8_t *base = data + 8 + n;
    int64_t data_len = (int64_t)(size - 8 - n);
    span *spans = NULL;
    int count = 0;
    if (doc.root->type != DSML_JV_OBJECT)
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: header is not a JSON object", path);
    else if (!(spans = malloc(sizeof *spans * (size_t)(doc.root->count + 1))))
        rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", path);
    for (const dsml_jv *e = rc ? NULL : doc.root->child; e && !rc; e = e->next) {
        if (!strcmp(e->key, "__metadata__")) {
            if (e->type != DSML_JV_OBJECT) rc = dsml_fail(DSML_ERR_FORMAT, "%s: __metadata__ is not an object", path);
            continue;
        }
        rc = read_entry(b, e, base, data_len, &spans[count]);
        count++;
    }
    /* tensors may come in any order, but no two may share a byte */
    if (!rc) qsort(spans, (size_t)count, sizeof *spans, by_begin);
    int last = -1; /* the non-empty span that ends furthest so far */
    for (int i = 0; i < count && !rc; i++) {
        if (spans[i].begin == spans[i].end) continue;
        if (last >= 0 && spans[i].begin < spans[last].end)
            rc = dsml_fail(DSML_ERR_FORMAT, "%s: tensors '%s' [%lld, %lld) and '%s' [%lld, %lld) overlap", path,
                           spans[last].name, (long long)spans[last].begin, (long long)spans[last].end,
                           spans[i].name, (long long)spans[i].begin, (long long)spans[i].end);
        if (last < 0 || spans[i].end > spans[last].end) last = i;
    }
    free(spans);
    dsml_json_doc_free(&doc);
    return rc;
}
