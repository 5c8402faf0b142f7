/* Adding tensors to a set under the caps of weights.h; see weights_internal.h. */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "weights/weights_internal.h"

int dsml_weights_numel(int ndim, const int64_t *shape, int64_t cap, int64_t *numel)
{
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) return -1;
        if (shape[i] > 0 && n > cap / shape[i]) return -1;
        n *= shape[i];
    }
    if (n > cap) return -1;
    *numel = n;
    return 0;
}

int dsml_weights_add(dsml_weights_builder *b, const char *name, int ndim, const int64_t *shape, float **data)
{
    const char *path = b->path;
    dsml_tensor_set *s = b->set;
    size_t len = strlen(name);
    if (len == 0 || len >= DSML_TENSOR_NAME_MAX)
        return dsml_fail(DSML_ERR_FORMAT, "%s: tensor name of %zu bytes, expected 1..%d", path, len,
                         DSML_TENSOR_NAME_MAX - 1);
    if (ndim < 0 || ndim > DSML_TENSOR_MAX_DIMS)
        return dsml_fail(DSML_ERR_FORMAT, "%s: tensor '%s': %d dims, at most %d are supported", path, name, ndim,
                         DSML_TENSOR_MAX_DIMS);
    if (s->count >= DSML_WEIGHTS_MAX_TENSORS)
        return dsml_fail(DSML_ERR_FORMAT, "%s: more than %d tensors", path, DSML_WEIGHTS_MAX_TENSORS);
    int64_t numel;
    int64_t left = (DSML_WEIGHTS_MAX_TOTAL_BYTES - b->bytes) / (int64_t)sizeof(float);
    if (dsml_weights_numel(ndim, shape, left, &numel))
        return dsml_fail(DSML_ERR_FORMAT, "%s: tensor '%s': a negative dim, or more than %lld bytes of float32 in "
                         "all", path, name, (long long)DSML_WEIGHTS_MAX_TOTAL_BYTES);
    if (s->count == b->cap) {
        int cap = b->cap ? 2 * b->cap : 64;
        dsml_tensor *grown = realloc(s->tensors, sizeof *grown * (size_t)cap);
        if (!grown) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", path);
        s->tensors = grown;
        b->cap = cap;
    }
    float *d = calloc(numel ? (size_t)numel : 1, sizeof *d);
    if (!d) return dsml_fail(DSML_ERR_NOMEM, "%s: tensor '%s': out of memory for %lld values", path, name,
                             (long long)numel);
    dsml_tensor *t = &s->tensors[s->count++];
    memset(t, 0, sizeof *t);
    memcpy(t->name, name, len + 1);
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++) t->shape[i] = shape[i];
    t->numel = numel;
    t->data = d;
    b->bytes += numel * (int64_t)sizeof(float);
    *data = d;
    return DSML_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int dsml_weights_check_unique(const dsml_weights_builder *b)
{
    const dsml_tensor_set *s = b->set;
    if (s->count < 2) return DSML_OK;
    const char **names = malloc(sizeof *names * (size_t)s->count);
    if (!names) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", b->path);
    for (int i = 0; i < s->count; i++) names[i] = s->tensors[i].name;
    qsort(names, (size_t)s->count, sizeof *names, by_name);
    int rc = DSML_OK;
    for (int i = 1; i < s->count && !rc; i++)
        if (!strcmp(names[i - 1], names[i]))
            rc = dsml_fail(DSML_ERR_FORMAT, "%s: two tensors named '%s'", b->path, names[i]);
    free(names);
    return rc;
}
