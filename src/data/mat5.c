/* MAT v5 reader: header, tags (with the small element format), miMATRIX of
 * numeric, char, cell and struct class, miCOMPRESSED inflated with zlib in
 * chunks under a cap; see mat5.h. */
#include "data/mat5.h"
#include "core/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

enum {
    MI_INT8 = 1, MI_UINT8 = 2, MI_INT16 = 3, MI_UINT16 = 4, MI_INT32 = 5, MI_UINT32 = 6, MI_SINGLE = 7,
    MI_DOUBLE = 9, MI_INT64 = 12, MI_UINT64 = 13, MI_MATRIX = 14, MI_COMPRESSED = 15, MI_UTF8 = 16,
    MI_UTF16 = 17, MI_UTF32 = 18,
};
enum { MX_CELL = 1, MX_STRUCT = 2, MX_CHAR = 4, MX_DOUBLE = 6, MX_UINT64 = 15 };
#define MAX_DEPTH 32
#define MAX_FILE (256LL << 20)

typedef struct {
    const char *name;      /* the file, for messages */
    int swap;              /* 1: big-endian file */
    int64_t max_inflated;
    int depth;
    char var[64];          /* top-level variable being read */
    char where[64];        /* "" or " (inside the compressed element at offset N)" */
} ctx;

/* A tag: type, data and its size, and how many bytes the element takes. */
typedef struct {
    uint32_t type, size;
    const uint8_t *data;
    size_t taken;
} tag;

static uint32_t rd32(const ctx *c, const uint8_t *p)
{
    return c->swap ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
                   : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint64_t rd_n(const ctx *c, const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v = v << 8 | p[c->swap ? i : n - 1 - i];
    return v;
}

static int fail_at(const ctx *c, size_t offset, const char *what)
{
    return dsml_fail(DSML_ERR_FORMAT, "%s: offset %zu%s%s%s: %s", c->name, offset, c->where,
                     c->var[0] ? ": variable " : "", c->var, what);
}

/* Reads the tag at p (offset `off` for messages) with `left` bytes there. */
static int read_tag(const ctx *c, const uint8_t *p, size_t left, size_t off, tag *t)
{
    char msg[160];
    if (left < 8) {
        snprintf(msg, sizeof msg, "%zu bytes left, a tag needs 8 (truncated)", left);
        return fail_at(c, off, msg);
    }
    uint32_t w = rd32(c, p);
    if (w >> 16) { /* small element: count in the high half, data in the second word */
        t->type = w & 0xffff;
        t->size = w >> 16;
        t->data = p + 4;
        t->taken = 8;
        if (t->size > 4) {
            snprintf(msg, sizeof msg, "small element of %u bytes, at most 4 fit (bad tag)", t->size);
            return fail_at(c, off, msg);
        }
        return DSML_OK;
    }
    t->type = w;
    t->size = rd32(c, p + 4);
    t->data = p + 8;
    if (t->size > left - 8) {
        snprintf(msg, sizeof msg, "element of type %u declares %u bytes, %zu left (truncated)", t->type, t->size,
                 left - 8);
        return fail_at(c, off, msg);
    }
    size_t padded = t->type == MI_COMPRESSED ? t->size : ((size_t)t->size + 7) / 8 * 8;
    t->taken = 8 + (padded > left - 8 ? left - 8 : padded);
    return DSML_OK;
}

/* Bytes of one value of a numeric element type, or 0. */
static int type_size(uint32_t type)
{
    switch (type) {
    case MI_INT8: case MI_UINT8: return 1;
    case MI_INT16: case MI_UINT16: return 2;
    case MI_INT32: case MI_UINT32: case MI_SINGLE: return 4;
    case MI_DOUBLE: case MI_INT64: case MI_UINT64: return 8;
    default: return 0;
    }
}

static double value_at(const ctx *c, uint32_t type, const uint8_t *p)
{
    uint64_t v = rd_n(c, p, type_size(type));
    switch (type) {
    case MI_INT8: return (int8_t)v;
    case MI_UINT8: return (uint8_t)v;
    case MI_INT16: return (int16_t)v;
    case MI_UINT16: return (uint16_t)v;
    case MI_INT32: return (int32_t)v;
    case MI_UINT32: return (uint32_t)v;
    case MI_INT64: return (double)(int64_t)v;
    case MI_UINT64: return (double)v;
    case MI_SINGLE: {
        uint32_t u = (uint32_t)v;
        float f;
        memcpy(&f, &u, 4);
        return f;
    }
    default: {
        double d;
        memcpy(&d, &v, 8);
        return d;
    }
    }
}

static void array_free(dsml_mat_array *a)
{
    free(a->re);
    free(a->text);
    free(a->field_names);
    if (a->items) {
        int64_t n = a->kind == DSML_MAT_STRUCT ? a->numel * a->n_fields : a->numel;
        for (int64_t i = 0; i < n; i++) array_free(&a->items[i]);
        free(a->items);
    }
    memset(a, 0, sizeof *a);
}

/* Appends code point u to out as UTF-8 ('?' for a surrogate or > 0x10FFFF). */
static size_t put_utf8(char *out, uint32_t u)
{
    if (u >= 0xD800 && u <= 0xDFFF) u = '?';
    if (u < 0x80) { out[0] = (char)u; return 1; }
    if (u < 0x800) { out[0] = (char)(0xC0 | u >> 6); out[1] = (char)(0x80 | (u & 63)); return 2; }
    if (u < 0x10000) {
        out[0] = (char)(0xE0 | u >> 12); out[1] = (char)(0x80 | (u >> 6 & 63)); out[2] = (char)(0x80 | (u & 63));
        return 3;
    }
    if (u > 0x10FFFF) { out[0] = '?'; return 1; }
    out[0] = (char)(0xF0 | u >> 18); out[1] = (char)(0x80 | (u >> 12 & 63));
    out[2] = (char)(0x80 | (u >> 6 & 63)); out[3] = (char)(0x80 | (u & 63));
    return 4;
}

static int parse_matrix(ctx *c, const uint8_t *data, size_t size, size_t off, dsml_mat_array *a);

/* The characters of a char array. */
static int parse_chars(ctx *c, const tag *t, size_t off, dsml_mat_array *a)
{
    char msg[160];
    int unit = t->type == MI_UINT16 || t->type == MI_UTF16 || t->type == MI_INT16 ? 2
               : t->type == MI_UTF32 || t->type == MI_UINT32 || t->type == MI_INT32 ? 4
               : t->type == MI_UTF8 || t->type == MI_UINT8 || t->type == MI_INT8 ? 1 : 0;
    if (!unit || t->size % unit) {
        snprintf(msg, sizeof msg, "char data of type %u and %u bytes, expected 8-, 16- or 32-bit characters",
                 t->type, t->size);
        return fail_at(c, off, msg);
    }
    size_t count = t->size / unit;
    int variable_width = t->type == MI_UTF8; /* UTF-8 may take several bytes per character */
    if (!variable_width && (int64_t)count != a->numel) {
        snprintf(msg, sizeof msg, "%zu characters for a %lld-element char array", count, (long long)a->numel);
        return fail_at(c, off, msg);
    }
    a->text = malloc(4 * count + 1);
    if (!a->text) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", c->name);
    size_t used = 0;
    for (size_t i = 0; i < count; i++) {
        uint32_t u = (uint32_t)rd_n(c, t->data + i * unit, unit);
        if (unit == 1) a->text[used++] = (char)u; /* UTF-8 or 8-bit bytes are kept as they are */
        else used += put_utf8(a->text + used, u);
    }
    a->text[used] = '\0';
    return DSML_OK;
}

/* The items (cell elements or struct fields) of a, from p to end. */
static int parse_items(ctx *c, const uint8_t *base, size_t base_off, const uint8_t *p, const uint8_t *end,
                       dsml_mat_array *a, int64_t count)
{
    char msg[160];
    size_t off = base_off + (size_t)(p - base);
    if (count > (int64_t)((size_t)(end - p) / 8)) {
        snprintf(msg, sizeof msg, "%lld items need at least 8 bytes each, %zu left", (long long)count,
                 (size_t)(end - p));
        return fail_at(c, off, msg);
    }
    if (count == 0) return DSML_OK;
    a->items = calloc((size_t)count, sizeof *a->items);
    if (!a->items) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", c->name);
    for (int64_t i = 0; i < count; i++) {
        tag t;
        size_t here = base_off + (size_t)(p - base);
        int rc = read_tag(c, p, (size_t)(end - p), here, &t);
        if (rc) return rc;
        if (t.type != MI_MATRIX) {
            snprintf(msg, sizeof msg, "item %lld: element type %u, expected 14 (miMATRIX)", (long long)i, t.type);
            return fail_at(c, here, msg);
        }
        rc = parse_matrix(c, t.data, t.size, here + 8, &a->items[i]);
        if (rc) return rc;
        if (a->kind == DSML_MAT_STRUCT)
            memcpy(a->items[i].name, a->field_names[i % a->n_fields], sizeof a->items[i].name);
        p += t.taken;
    }
    return DSML_OK;
}

static int parse_matrix(ctx *c, const uint8_t *data, size_t size, size_t off, dsml_mat_array *a)
{
    memset(a, 0, sizeof *a);
    char msg[200];
    if (++c->depth > MAX_DEPTH) return fail_at(c, off, "arrays nested more than 32 levels deep");
    if (size == 0) { /* an empty array, e.g. [] in a cell */
        a->kind = DSML_MAT_NUMERIC;
        a->mx_class = MX_DOUBLE;
        a->n_dims = 2;
        c->depth--;
        return DSML_OK;
    }
    const uint8_t *p = data, *end = data + size;
    tag t;
    int rc = read_tag(c, p, (size_t)(end - p), off, &t);
    if (rc) return rc;
    if (t.type != MI_UINT32 || t.size != 8) {
        snprintf(msg, sizeof msg, "array flags: type %u, %u bytes, expected type 6 (miUINT32), 8 bytes", t.type,
                 t.size);
        return fail_at(c, off, msg);
    }
    uint32_t flags = rd32(c, t.data);
    a->mx_class = (int)(flags & 0xff);
    int complex = (flags & 0x800) != 0;
    p += t.taken;
    size_t here = off + (size_t)(p - data);
    if ((rc = read_tag(c, p, (size_t)(end - p), here, &t))) return rc;
    if (t.type != MI_INT32 || t.size % 4 || t.size < 4 || t.size > 32) {
        snprintf(msg, sizeof msg, "dimensions: type %u, %u bytes, expected type 5 (miINT32), 1..8 values", t.type,
                 t.size);
        return fail_at(c, here, msg);
    }
    a->n_dims = (int)(t.size / 4);
    a->numel = 1;
    for (int d = 0; d < a->n_dims; d++) {
        int32_t v = (int32_t)rd32(c, t.data + 4 * d);
        if (v < 0) return fail_at(c, here, "a negative dimension");
        a->dims[d] = v;
        /* checked before it is used: 2^40 times a dimension of up to 2^31 overflows int64 */
        if (__builtin_mul_overflow(a->numel, (int64_t)v, &a->numel) || a->numel > (int64_t)1 << 40)
            return fail_at(c, here, "more than 2^40 elements");
    }
    p += t.taken;
    here = off + (size_t)(p - data);
    if ((rc = read_tag(c, p, (size_t)(end - p), here, &t))) return rc;
    if (t.type != MI_INT8 && t.type != MI_UINT8) {
        snprintf(msg, sizeof msg, "array name: type %u, expected 1 (miINT8)", t.type);
        return fail_at(c, here, msg);
    }
    if (t.size >= sizeof a->name) return fail_at(c, here, "array name longer than 63 bytes");
    memcpy(a->name, t.data, t.size);
    a->name[t.size] = '\0';
    p += t.taken;
    here = off + (size_t)(p - data);

    if (a->mx_class >= MX_DOUBLE && a->mx_class <= MX_UINT64) {
        a->kind = DSML_MAT_NUMERIC;
        if ((rc = read_tag(c, p, (size_t)(end - p), here, &t))) return rc;
        int bytes = type_size(t.type);
        if (!bytes || t.size % bytes || (int64_t)(t.size / bytes) != a->numel) {
            snprintf(msg, sizeof msg, "numeric data: type %u, %u bytes, expected %lld values of a numeric type",
                     t.type, t.size, (long long)a->numel);
            return fail_at(c, here, msg);
        }
        a->re = malloc(sizeof(double) * (size_t)(a->numel ? a->numel : 1));
        if (!a->re) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", c->name);
        for (int64_t i = 0; i < a->numel; i++) a->re[i] = value_at(c, t.type, t.data + i * bytes);
        (void)complex; /* the imaginary part, when there is one, is not kept */
    } else if (a->mx_class == MX_CHAR) {
        a->kind = DSML_MAT_CHAR;
        if (a->numel == 0 && p == end) {
            a->text = calloc(1, 1);
            if (!a->text) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", c->name);
        } else {
            if ((rc = read_tag(c, p, (size_t)(end - p), here, &t))) return rc;
            if ((rc = parse_chars(c, &t, here, a))) return rc;
        }
    } else if (a->mx_class == MX_CELL) {
        a->kind = DSML_MAT_CELL;
        if ((rc = parse_items(c, data, off, p, end, a, a->numel))) return rc;
    } else if (a->mx_class == MX_STRUCT) {
        a->kind = DSML_MAT_STRUCT;
        if ((rc = read_tag(c, p, (size_t)(end - p), here, &t))) return rc;
        if (t.type != MI_INT32 || t.size != 4) return fail_at(c, here, "field name length: expected one miINT32");
        int32_t len = (int32_t)rd32(c, t.data);
        if (len < 1 || len > 64) {
            snprintf(msg, sizeof msg, "field name length %d, expected 1..64", len);
            return fail_at(c, here, msg);
        }
        p += t.taken;
        here = off + (size_t)(p - data);
        if ((rc = read_tag(c, p, (size_t)(end - p), here, &t))) return rc;
        if ((t.type != MI_INT8 && t.type != MI_UINT8) || t.size % len) {
            snprintf(msg, sizeof msg, "field names: type %u, %u bytes, expected miINT8, a multiple of %d", t.type,
                     t.size, len);
            return fail_at(c, here, msg);
        }
        a->n_fields = (int)(t.size / len);
        if (a->n_fields > 0) {
            a->field_names = calloc((size_t)a->n_fields, sizeof *a->field_names);
            if (!a->field_names) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", c->name);
            for (int f = 0; f < a->n_fields; f++)
                memcpy(a->field_names[f], t.data + (size_t)f * len, (size_t)(len < 64 ? len : 63));
        }
        p += t.taken;
        here = off + (size_t)(p - data);
        if (a->n_fields > 0 && a->numel > (int64_t)((size_t)(end - p) / 8)) {
            snprintf(msg, sizeof msg, "%lld struct elements, at most %zu fit in the bytes left", (long long)a->numel,
                     (size_t)(end - p) / 8);
            return fail_at(c, here, msg);
        }
        int64_t items;
        if (__builtin_mul_overflow(a->numel, (int64_t)a->n_fields, &items)) {
            snprintf(msg, sizeof msg, "%lld struct elements of %d fields: too many", (long long)a->numel,
                     a->n_fields);
            return fail_at(c, here, msg);
        }
        if (a->n_fields > 0 && (rc = parse_items(c, data, off, p, end, a, items))) return rc;
    } else {
        a->kind = DSML_MAT_OTHER; /* sparse, object, ...: kept, not decoded */
    }
    c->depth--;
    return DSML_OK;
}

/* Inflates a miCOMPRESSED element chunk by chunk into *out (malloc'd), at
 * most c->max_inflated bytes. */
static int inflate_element(ctx *c, const tag *t, size_t off, uint8_t **out, size_t *out_size)
{
    *out = NULL;
    *out_size = 0;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK) return dsml_fail(DSML_ERR_NOMEM, "%s: zlib: cannot start", c->name);
    size_t cap = 0, used = 0;
    uint8_t *buf = NULL;
    z.next_in = (Bytef *)(uintptr_t)t->data;
    z.avail_in = t->size;
    int zr = Z_OK, rc = DSML_OK;
    char msg[200];
    while (zr != Z_STREAM_END) {
        if (used == cap) {
            if ((int64_t)cap >= c->max_inflated) {
                snprintf(msg, sizeof msg, "compressed element inflates to more than %lld bytes, refused",
                         (long long)c->max_inflated);
                rc = fail_at(c, off, msg);
                break;
            }
            size_t next = cap ? cap * 2 : 1 << 16;
            if ((int64_t)next > c->max_inflated) next = (size_t)c->max_inflated;
            uint8_t *grown = realloc(buf, next);
            if (!grown) {
                rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", c->name);
                break;
            }
            buf = grown;
            cap = next;
        }
        z.next_out = buf + used;
        z.avail_out = (uInt)(cap - used);
        zr = inflate(&z, Z_NO_FLUSH);
        used = cap - z.avail_out;
        if (zr == Z_STREAM_END) break;
        if (zr != Z_OK && !(zr == Z_BUF_ERROR && z.avail_out == 0)) {
            snprintf(msg, sizeof msg, "compressed element: zlib: %s",
                     zr == Z_BUF_ERROR ? "unexpected end of data (truncated)" : z.msg ? z.msg : "corrupt data");
            rc = fail_at(c, off, msg);
            break;
        }
    }
    inflateEnd(&z);
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    *out_size = used;
    return DSML_OK;
}

/* One top-level element (after inflating, when compressed) into a. */
static int parse_top(ctx *c, const tag *t, size_t off, dsml_mat_array *a, int *is_var)
{
    char msg[160];
    *is_var = 0;
    if (t->type == MI_MATRIX) {
        *is_var = 1;
        return parse_matrix(c, t->data, t->size, off + 8, a);
    }
    if (t->type != MI_COMPRESSED) {
        snprintf(msg, sizeof msg, "top-level element of type %u, expected 14 (miMATRIX) or 15 (miCOMPRESSED)",
                 t->type);
        return fail_at(c, off, msg);
    }
    uint8_t *inflated;
    size_t size;
    int rc = inflate_element(c, t, off, &inflated, &size);
    if (rc) return rc;
    snprintf(c->where, sizeof c->where, " (inflated from the element at offset %zu)", off);
    tag inner;
    rc = read_tag(c, inflated, size, 0, &inner);
    if (!rc && inner.type != MI_MATRIX) {
        snprintf(msg, sizeof msg, "compressed element holds type %u, expected 14 (miMATRIX)", inner.type);
        rc = fail_at(c, 0, msg);
    }
    if (!rc) {
        *is_var = 1;
        rc = parse_matrix(c, inner.data, inner.size, 8, a);
    }
    c->where[0] = '\0';
    free(inflated);
    return rc;
}

int dsml_mat_parse(dsml_mat_file *m, const uint8_t *data, size_t size, const char *name, int64_t max_inflated)
{
    memset(m, 0, sizeof *m);
    ctx c;
    memset(&c, 0, sizeof c);
    c.name = name;
    c.max_inflated = max_inflated > 0 ? max_inflated : DSML_MAT_MAX_INFLATED;
    if (size < 128)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %zu bytes, shorter than the 128-byte MAT header", name, size);
    if (data[126] == 'I' && data[127] == 'M') c.swap = 0;
    else if (data[126] == 'M' && data[127] == 'I') c.swap = 1;
    else
        return dsml_fail(DSML_ERR_FORMAT, "%s: endian indicator \"%c%c\" at offset 126, expected \"IM\" or \"MI\" "
                         "(not a MAT v5 file)", name, data[126] >= 32 && data[126] < 127 ? data[126] : '?',
                         data[127] >= 32 && data[127] < 127 ? data[127] : '?');
    uint32_t version = (uint32_t)rd_n(&c, data + 124, 2);
    if (version != 0x0100)
        return dsml_fail(DSML_ERR_FORMAT, "%s: version 0x%04x at offset 124, expected 0x0100 (MAT v5; v7.3 files "
                         "are HDF5 and not read here)", name, version);
    memcpy(m->header, data, 116);
    m->header[116] = '\0';
    size_t off = 128;
    int rc = DSML_OK, cap = 0;
    while (!rc && off < size) {
        tag t;
        c.var[0] = '\0';
        rc = read_tag(&c, data + off, size - off, off, &t);
        if (rc) break;
        if (m->n_vars == cap) {
            cap = cap ? 2 * cap : 8;
            dsml_mat_array *grown = realloc(m->vars, sizeof *grown * (size_t)cap);
            if (!grown) {
                rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", name);
                break;
            }
            m->vars = grown;
        }
        int is_var;
        rc = parse_top(&c, &t, off, &m->vars[m->n_vars], &is_var);
        if (is_var) m->n_vars++; /* also on failure: freed below */
        off += t.taken;
    }
    if (rc) dsml_mat_free(m);
    return rc;
}

int dsml_mat_read(dsml_mat_file *m, const char *path, int64_t max_inflated)
{
    memset(m, 0, sizeof *m);
    FILE *fp = fopen(path, "rb");
    if (!fp) return dsml_fail(errno == ENOENT ? DSML_ERR_FORMAT : DSML_ERR_IO, "%s: cannot open: %s", path,
                              strerror(errno));
    struct stat st;
    if (fstat(fileno(fp), &st) != 0 || st.st_size > MAX_FILE) {
        fclose(fp);
        return dsml_fail(DSML_ERR_FORMAT, "%s: cannot stat, or larger than %lld bytes", path, (long long)MAX_FILE);
    }
    uint8_t *data = malloc((size_t)st.st_size + 1);
    if (!data) {
        fclose(fp);
        return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", path);
    }
    size_t got = fread(data, 1, (size_t)st.st_size, fp);
    fclose(fp);
    int rc = got != (size_t)st.st_size ? dsml_fail(DSML_ERR_IO, "%s: short read", path)
                                       : dsml_mat_parse(m, data, got, path, max_inflated);
    free(data);
    return rc;
}

void dsml_mat_free(dsml_mat_file *m)
{
    if (!m) return;
    for (int i = 0; i < m->n_vars; i++) array_free(&m->vars[i]);
    free(m->vars);
    memset(m, 0, sizeof *m);
}

const dsml_mat_array *dsml_mat_var(const dsml_mat_file *m, const char *name)
{
    for (int i = 0; i < m->n_vars; i++)
        if (!strcmp(m->vars[i].name, name)) return &m->vars[i];
    return NULL;
}

const dsml_mat_array *dsml_mat_field(const dsml_mat_array *s, int64_t i, const char *field)
{
    if (!s || s->kind != DSML_MAT_STRUCT || i < 0 || i >= s->numel || !s->items) return NULL;
    for (int f = 0; f < s->n_fields; f++)
        if (!strcmp(s->field_names[f], field)) return &s->items[i * s->n_fields + f];
    return NULL;
}

int dsml_mat_string(const dsml_mat_array *a, char *out, size_t cap)
{
    if (!a || a->kind != DSML_MAT_CHAR)
        return dsml_fail(DSML_ERR_FORMAT, "%s: not a char array", a ? a->name : "(missing)");
    size_t len = strlen(a->text);
    if (len >= cap) return dsml_fail(DSML_ERR_FORMAT, "%s: string of %zu bytes, at most %zu fit", a->name, len, cap - 1);
    memcpy(out, a->text, len + 1);
    return DSML_OK;
}

int dsml_mat_scalar(const dsml_mat_array *a, double *out)
{
    if (!a || a->kind != DSML_MAT_NUMERIC || a->numel != 1)
        return dsml_fail(DSML_ERR_FORMAT, "%s: expected a numeric array of one element, found %s of %lld",
                         a ? a->name : "(missing)", !a ? "nothing" : a->kind == DSML_MAT_NUMERIC ? "numeric" : "another kind",
                         a ? (long long)a->numel : 0LL);
    *out = a->re[0];
    return DSML_OK;
}
