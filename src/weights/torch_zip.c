/* The PyTorch checkpoint reader (docs/weights.md, "PyTorch checkpoints"): the
 * zip that torch.save writes since 1.6, read with libarchive from memory in
 * two passes. The first finds <prefix>/data.pkl (and <prefix>/byteorder) and
 * runs the pickle (pickle.h) into tensor descriptions, which are checked and
 * given their place in the set; the second copies each <prefix>/data/<key>
 * storage into the tensors that view it, so one storage is in memory at a
 * time. Only float32, C-contiguous tensors are read. */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "weights/pickle.h"
#include "weights/weights_internal.h"

/* One tensor to fill: numel values from `offset` of storage `key`. */
typedef struct {
    const char *key, *tensor;
    const dsml_pk_value *storage;
    int64_t offset, numel;
    float *data;
    int done;
} job;

typedef struct {
    dsml_weights_builder *b;
    const uint8_t *data;
    size_t size;
    char prefix[256];
    uint8_t *pickle;
    size_t pickle_len;
    char byteorder[16];
} ckpt;

static int zip_open(const ckpt *c, struct archive **a)
{
    *a = archive_read_new();
    if (!*a) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", c->b->path);
    archive_read_support_format_zip_seekable(*a);
    if (archive_read_open_memory(*a, c->data, c->size) != ARCHIVE_OK) {
        int rc = dsml_fail(DSML_ERR_FORMAT, "%s: not a readable zip archive (truncated?): %s", c->b->path,
                           archive_error_string(*a));
        archive_read_free(*a);
        *a = NULL;
        return rc;
    }
    return DSML_OK;
}

/* The next member's name in *name (NULL after the last one). */
static int zip_next(const ckpt *c, struct archive *a, const char **name, int64_t *size)
{
    struct archive_entry *e;
    int r = archive_read_next_header(a, &e);
    *name = NULL;
    if (r == ARCHIVE_EOF) return DSML_OK;
    if (r < ARCHIVE_WARN)
        return dsml_fail(DSML_ERR_FORMAT, "%s: zip archive: %s", c->b->path, archive_error_string(a));
    *name = archive_entry_pathname(e);
    if (!*name) *name = "";
    *size = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;
    return DSML_OK;
}

/* The current member whole into buf (at most cap bytes, else an error); *len gets its length. */
static int zip_read(const ckpt *c, struct archive *a, const char *member, uint8_t *buf, size_t cap, size_t *len)
{
    size_t got = 0;
    for (;;) {
        la_ssize_t r = archive_read_data(a, buf + got, cap + 1 - got);
        if (r < 0) return dsml_fail(DSML_ERR_FORMAT, "%s: %s: %s", c->b->path, member, archive_error_string(a));
        if (r == 0) break;
        got += (size_t)r;
        if (got > cap) return dsml_fail(DSML_ERR_FORMAT, "%s: %s: more than %zu bytes", c->b->path, member, cap);
    }
    *len = got;
    return DSML_OK;
}

/* "<prefix>/<rest>" with a prefix of one component: the prefix into out. */
static int split_prefix(const char *name, const char *rest, char *out, size_t cap)
{
    const char *slash = strchr(name, '/');
    if (!slash || slash == name || strcmp(slash + 1, rest) || (size_t)(slash - name) >= cap) return 0;
    memcpy(out, name, (size_t)(slash - name));
    out[slash - name] = '\0';
    return 1;
}

/* Pass 1: data.pkl and byteorder. */
static int find_pickle(ckpt *c)
{
    struct archive *a;
    int rc = zip_open(c, &a);
    const char *name;
    int64_t size;
    char prefix[256];
    while (!rc && !(rc = zip_next(c, a, &name, &size)) && name) {
        if (split_prefix(name, "byteorder", prefix, sizeof prefix)) {
            size_t len;
            rc = zip_read(c, a, name, (uint8_t *)c->byteorder, sizeof c->byteorder - 2, &len);
            if (!rc) c->byteorder[len] = '\0';
        } else if (split_prefix(name, "data.pkl", prefix, sizeof prefix)) {
            if (c->pickle) rc = dsml_fail(DSML_ERR_FORMAT, "%s: two data.pkl members (%s/ and %s/)", c->b->path,
                                          c->prefix, prefix);
            else if (size > DSML_WEIGHTS_MAX_PICKLE_BYTES)
                rc = dsml_fail(DSML_ERR_FORMAT, "%s: %s: %lld bytes, at most %lld are read", c->b->path, name,
                               (long long)size, (long long)DSML_WEIGHTS_MAX_PICKLE_BYTES);
            else {
                size_t cap = size >= 0 ? (size_t)size : (size_t)DSML_WEIGHTS_MAX_PICKLE_BYTES;
                snprintf(c->prefix, sizeof c->prefix, "%s", prefix);
                if (!(c->pickle = malloc(cap + 1))) rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", c->b->path);
                else rc = zip_read(c, a, name, c->pickle, cap, &c->pickle_len);
            }
        }
    }
    archive_read_free(a);
    if (!rc && !c->pickle)
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: a zip without <prefix>/data.pkl (not a torch.save checkpoint)",
                       c->b->path);
    if (!rc && c->byteorder[0] && strncmp(c->byteorder, "little", 6))
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: byteorder '%s', only little-endian checkpoints are read", c->b->path,
                       c->byteorder);
    return rc;
}

/* The dict of tensors: the top-level dict, or its "state_dict" or "model"
 * member when the top level holds no tensor itself. */
static int state_dict(const ckpt *c, const dsml_pickle *p, int *sd)
{
    const dsml_pk_value *root = dsml_pk(p, p->root);
    if (root->kind != DSML_PK_DICT)
        return dsml_fail(DSML_ERR_FORMAT, "%s: the pickle holds a %s, expected a dict of tensors", c->b->path,
                         dsml_pk_kind_name(root->kind));
    *sd = p->root;
    for (int i = 1; i < root->n; i += 2)
        if (dsml_pk(p, root->items[i])->kind == DSML_PK_TENSOR) return DSML_OK;
    static const char *const wrappers[] = {"state_dict", "model"};
    for (int k = 0; k < 2; k++) {
        int v = dsml_pk_dict_get(p, p->root, wrappers[k]);
        if (v >= 0 && dsml_pk(p, v)->kind == DSML_PK_DICT) { *sd = v; return DSML_OK; }
    }
    return dsml_fail(DSML_ERR_FORMAT, "%s: no tensor in the top-level dict, nor a 'state_dict' or 'model' dict",
                     c->b->path);
}

/* One state-dict entry checked and added to the set; *j describes its copy. */
static int plan_tensor(const ckpt *c, const dsml_pickle *p, int key, int value, job *j)
{
    const char *path = c->b->path;
    const dsml_pk_value *k = dsml_pk(p, key), *t = dsml_pk(p, value);
    if (k->kind != DSML_PK_STRING)
        return dsml_fail(DSML_ERR_FORMAT, "%s: a state-dict key is a %s, expected a string", path,
                         dsml_pk_kind_name(k->kind));
    if (t->kind != DSML_PK_TENSOR)
        return dsml_fail(DSML_ERR_FORMAT, "%s: '%s' is a %s, expected a tensor", path, k->s,
                         dsml_pk_kind_name(t->kind));
    const dsml_pk_value *s = dsml_pk(p, t->storage);
    if (s->dtype->size != 4 || strcmp(s->dtype->dtype, "float32"))
        return dsml_fail(DSML_ERR_FORMAT, "%s: tensor '%s': dtype %s (torch.%s), only float32 is read", path, k->s,
                         s->dtype->dtype, s->dtype->storage);
    if (t->ndim > DSML_TENSOR_MAX_DIMS)
        return dsml_fail(DSML_ERR_FORMAT, "%s: tensor '%s': %d dims, at most %d are supported", path, k->s, t->ndim,
                         DSML_TENSOR_MAX_DIMS);
    if (s->i > DSML_WEIGHTS_MAX_TOTAL_BYTES / 4)
        return dsml_fail(DSML_ERR_FORMAT, "%s: tensor '%s': storage '%s' of %lld values, more than the %lld bytes "
                         "read in all", path, k->s, s->s, (long long)s->i, (long long)DSML_WEIGHTS_MAX_TOTAL_BYTES);
    int64_t numel;
    if (dsml_weights_numel(t->ndim, t->size, s->i, &numel) || t->i < 0 || t->i > s->i - numel)
        return dsml_fail(DSML_ERR_FORMAT, "%s: tensor '%s': %d dims from offset %lld do not fit in storage '%s' of "
                         "%lld values", path, k->s, t->ndim, (long long)t->i, s->s, (long long)s->i);
    /* C order: each stride the product of the sizes after it (torch ignores the stride of a dim of size 1) */
    int64_t want = 1;
    for (int d = t->ndim - 1; d >= 0 && numel > 0; d--) {
        if (t->size[d] != 1 && t->stride[d] != want)
            return dsml_fail(DSML_ERR_FORMAT, "%s: tensor '%s': stride %lld in dim %d, expected %lld: not "
                             "C-contiguous (only contiguous tensors are read; save t.contiguous())", path, k->s,
                             (long long)t->stride[d], d, (long long)want);
        want *= t->size[d];
    }
    int rc = dsml_weights_add(c->b, k->s, t->ndim, t->size, &j->data);
    if (rc) return rc;
    *j = (job){.key = s->s, .tensor = k->s, .storage = s, .offset = t->i, .numel = numel, .data = j->data};
    return DSML_OK;
}

static int by_key(const void *a, const void *b) { return strcmp(((const job *)a)->key, ((const job *)b)->key); }

/* Pass 2: each storage read once, copied into the jobs that view it (jobs sorted by key). */
static int fill_tensors(const ckpt *c, job *jobs, int n)
{
    struct archive *a;
    int rc = zip_open(c, &a);
    const char *name;
    int64_t size;
    uint8_t *buf = NULL;
    size_t buf_cap = 0;
    size_t plen = strlen(c->prefix);
    while (!rc && !(rc = zip_next(c, a, &name, &size)) && name) {
        if (strncmp(name, c->prefix, plen) || strncmp(name + plen, "/data/", 6)) continue;
        job probe = {.key = name + plen + 6};
        job *hit = bsearch(&probe, jobs, (size_t)n, sizeof *jobs, by_key);
        if (!hit) continue; /* a storage no state-dict tensor uses */
        while (hit > jobs && !strcmp(hit[-1].key, probe.key)) hit--;
        size_t want = (size_t)hit->storage->i * 4, len;
        if (size >= 0 && (uint64_t)size != want) {
            rc = dsml_fail(DSML_ERR_FORMAT, "%s: %s: %lld bytes, storage '%s' of tensor '%s' needs %zu (%lld float32)",
                           c->b->path, name, (long long)size, hit->key, hit->tensor, want, (long long)hit->storage->i);
            break;
        }
        if (want + 1 > buf_cap) {
            free(buf);
            buf_cap = want + 1;
            if (!(buf = malloc(buf_cap))) { rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", c->b->path); break; }
        }
        rc = zip_read(c, a, name, buf, want, &len);
        if (!rc && len != want)
            rc = dsml_fail(DSML_ERR_FORMAT, "%s: %s: %zu bytes, storage '%s' of tensor '%s' needs %zu", c->b->path,
                           name, len, hit->key, hit->tensor, want);
        for (job *j = hit; !rc && j < jobs + n && !strcmp(j->key, probe.key); j++) {
            dsml_weights_f32_le(j->data, buf + j->offset * 4, j->numel);
            j->done = 1;
        }
    }
    free(buf);
    archive_read_free(a);
    for (int i = 0; i < n && !rc; i++)
        if (!jobs[i].done)
            rc = dsml_fail(DSML_ERR_FORMAT, "%s: storage '%s' of tensor '%s' is missing: no member %s/data/%s",
                           c->b->path, jobs[i].key, jobs[i].tensor, c->prefix, jobs[i].key);
    return rc;
}

int dsml_weights_read_torch(dsml_weights_builder *b, const uint8_t *data, size_t size)
{
    ckpt c = {.b = b, .data = data, .size = size};
    int rc = find_pickle(&c);
    dsml_pickle p = {0};
    char label[4400];
    snprintf(label, sizeof label, "%s: %s/data.pkl", b->path, c.prefix);
    if (!rc) rc = dsml_pickle_load(&p, c.pickle, c.pickle_len, label);
    free(c.pickle);
    int sd = -1;
    if (!rc) rc = state_dict(&c, &p, &sd);
    const dsml_pk_value *d = rc ? NULL : dsml_pk(&p, sd);
    int n = d ? d->n / 2 : 0;
    job *jobs = calloc((size_t)n + 1, sizeof *jobs);
    if (!rc && !jobs) rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", b->path);
    for (int i = 0; i < n && !rc; i++) rc = plan_tensor(&c, &p, d->items[2 * i], d->items[2 * i + 1], &jobs[i]);
    if (!rc) {
        qsort(jobs, (size_t)n, sizeof *jobs, by_key);
        rc = fill_tensors(&c, jobs, n);
    }
    free(jobs);
    dsml_pickle_free(&p);
    return rc;
}
