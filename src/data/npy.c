/* .npy reader and writer; see npy.h and docs/formats.md. The header is a
 * Python dict literal, parsed here by a small recursive-descent reader that
 * knows exactly the three keys numpy writes. */
#include "data/npy.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "data/archive.h"

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAGIC "\x93NUMPY"
#define MAGIC_LEN 6
#define ALIGN 64                /* numpy aligns the data to 64 bytes since 1.17 (16 before) */
#define GROWTH_DIGITS 21        /* numpy >= 1.24 leaves room for the first axis to grow to 21 digits */
#define MAX_BYTES ((int64_t)1 << 62)
#define CHUNK 65536             /* bytes converted at a time */

/* How a file's elements are stored: IEEE float, signed or unsigned
 * integer, or numpy's bool (one byte, 0 or 1). */
typedef enum { KIND_FLOAT, KIND_SIGNED, KIND_UNSIGNED, KIND_BOOL } element_kind;

/* The element types a file may hold and what each becomes. The integer and
 * bool types are what PyTorch and NumPy users save labels as (torch.long,
 * bool or uint8 multi-label matrices); every one becomes int32. */
typedef struct {
    const char *descr;
    int size;
    dsml_npy_dtype dtype;
    element_kind kind;
} file_type;

static const file_type file_types[] = {
    {"<f4", 4, DSML_NPY_FLOAT32, KIND_FLOAT},
    {"<f8", 8, DSML_NPY_FLOAT32, KIND_FLOAT},
    {"<i4", 4, DSML_NPY_INT32, KIND_SIGNED},
    {"<i8", 8, DSML_NPY_INT32, KIND_SIGNED},
    {"<i2", 2, DSML_NPY_INT32, KIND_SIGNED},
    {"|i1", 1, DSML_NPY_INT32, KIND_SIGNED},
    {"|u1", 1, DSML_NPY_INT32, KIND_UNSIGNED},
    {"<u2", 2, DSML_NPY_INT32, KIND_UNSIGNED},
    {"<u4", 4, DSML_NPY_INT32, KIND_UNSIGNED},
    {"<u8", 8, DSML_NPY_INT32, KIND_UNSIGNED},
    {"|b1", 1, DSML_NPY_INT32, KIND_BOOL},
};
#define ACCEPTED "'<f4', '<f8', '<i8', '<i4', '<i2', '|i1', '<u8', '<u4', '<u2', '|u1' or '|b1'"

/* Where the bytes come from: a file, or the current member of an archive
 * (an .npz); `size` is the whole file's or member's length. */
typedef struct {
    FILE *fp;
    dsml_archive *archive;
    int64_t size;
} source;

/* Reads exactly n bytes; an error naming `path` (or the archive's own,
 * naming the archive and member) when they are not all there. */
static int source_read(source *src, const char *path, void *buf, size_t n)
{
    if (!src->fp) return dsml_archive_read(src->archive, buf, n);
    if (fread(buf, 1, n, src->fp) == n) return DSML_OK;
    return dsml_fail(DSML_ERR_IO, "%s: read failed: %s", path, ferror(src->fp) ? strerror(errno) : "the file shrank");
}

/* What the header says. */
typedef struct {
    const file_type *type;
    int fortran_order;
    int ndim;
    int64_t shape[DSML_NPY_MAX_DIMS];
} header_info;

/* The header text being parsed: s[0..n), at = the next byte. */
typedef struct {
    const char *path;
    const char *s;
    size_t n, at;
    int python2_longs;   /* versions 1.0 and 2.0 may hold Python 2's "3L" */
} cursor;

static const char *dtype_name(dsml_npy_dtype t)
{
    return t == DSML_NPY_FLOAT32 ? "float32" : "int32";
}

/* "(3, 4)", "(5,)" or "()", as Python prints a tuple. */
static const char *shape_text(char *buf, size_t size, int ndim, const int64_t *shape)
{
    size_t used = (size_t)snprintf(buf, size, "(");
    for (int k = 0; k < ndim && used < size; k++)
        used += (size_t)snprintf(buf + used, size - used, "%s%" PRId64, k ? ", " : "", shape[k]);
    if (used < size) snprintf(buf + used, size - used, ndim == 1 ? ",)" : ")");
    return buf;
}

/* Up to 24 bytes from `from`, non-printable ones as \xNN, for messages. */
static const char *excerpt(char *buf, size_t size, const char *from, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && i < 24 && used + 8 < size; i++) {
        unsigned char c = (unsigned char)from[i];
        used += (size_t)(c >= 32 && c < 127 ? snprintf(buf + used, size - used, "%c", c)
                                             : snprintf(buf + used, size - used, "\\x%02x", c));
    }
    if (n > 24 && used + 4 < size) snprintf(buf + used, size - used, "...");
    if (n == 0) snprintf(buf, size, "the end of the header");
    return buf;
}

static void skip_space(cursor *c)
{
    while (c->at < c->n && (c->s[c->at] == ' ' || c->s[c->at] == '\t' || c->s[c->at] == '\n' || c->s[c->at] == '\r'))
        c->at++;
}

static int syntax(const cursor *c, const char *expected)
{
    char found[128];
    return dsml_fail(DSML_ERR_FORMAT, "%s: header byte %zu: expected %s, found '%s'", c->path, c->at, expected,
                     excerpt(found, sizeof found, c->s + c->at, c->n - c->at));
}

/* Skips space, then consumes `ch` if it is next; 1 when it was. */
static int take(cursor *c, char ch)
{
    skip_space(c);
    if (c->at < c->n && c->s[c->at] == ch) {
        c->at++;
        return 1;
    }
    return 0;
}

/* A quoted string without escapes into buf (NUL-terminated). */
static int parse_string(cursor *c, char *buf, size_t size)
{
    skip_space(c);
    if (c->at >= c->n || (c->s[c->at] != '\'' && c->s[c->at] != '"')) return syntax(c, "a quoted string");
    char quote = c->s[c->at];
    size_t start = ++c->at;
    while (c->at < c->n && c->s[c->at] != quote && c->s[c->at] != '\\' && c->s[c->at] != '\n') c->at++;
    if (c->at >= c->n || c->s[c->at] != quote) return syntax(c, "the end of the string (no escapes)");
    size_t len = c->at - start;
    c->at++;
    if (len >= size) len = size - 1;   /* every string we accept is short; a longer one fails by value */
    memcpy(buf, c->s + start, len);
    buf[len] = '\0';
    return DSML_OK;
}

static int parse_bool(cursor *c, int *value)
{
    skip_space(c);
    const char *rest = c->s + c->at;
    size_t left = c->n - c->at;
    if (left >= 4 && !memcmp(rest, "True", 4)) { *value = 1; c->at += 4; return DSML_OK; }
    if (left >= 5 && !memcmp(rest, "False", 5)) { *value = 0; c->at += 5; return DSML_OK; }
    return syntax(c, "True or False");
}

/* A non-negative decimal integer below 2^62. */
static int parse_dim(cursor *c, int64_t *value)
{
    skip_space(c);
    size_t start = c->at;
    int64_t v = 0;
    while (c->at < c->n && c->s[c->at] >= '0' && c->s[c->at] <= '9') {
        int digit = c->s[c->at] - '0';
        /* checked before multiplying: v * 10 itself may pass INT64_MAX */
        if (v > (MAX_BYTES - 1 - digit) / 10) {
            c->at = start;
            return syntax(c, "a dimension below 2^62");
        }
        v = v * 10 + digit;
        c->at++;
    }
    if (c->at == start) return syntax(c, "a non-negative integer");
    if (c->python2_longs && c->at < c->n && (c->s[c->at] == 'L' || c->s[c->at] == 'l')) c->at++;
    *value = v;
    return DSML_OK;
}

/* A tuple of at most DSML_NPY_MAX_DIMS integers: (), (n,), (n, m), (n, m,). */
static int parse_shape(cursor *c, header_info *h)
{
    if (!take(c, '(')) return syntax(c, "a tuple '(...)' of dimensions");
    h->ndim = 0;
    int64_t dims[DSML_NPY_MAX_DIMS + 1];
    int commas = 0;
    while (!take(c, ')')) {
        int rc = parse_dim(c, &dims[h->ndim < DSML_NPY_MAX_DIMS ? h->ndim : DSML_NPY_MAX_DIMS]);
        if (rc) return rc;
        h->ndim++;
        if (take(c, ',')) commas++;
        else if (!take(c, ')')) return syntax(c, "',' or ')' in the shape");
        else break;
    }
    if (h->ndim == 1 && commas == 0)
        return dsml_fail(DSML_ERR_FORMAT, "%s: shape (%" PRId64 ") is not a tuple, expected (%" PRId64 ",)", c->path,
                         dims[0], dims[0]);
    if (h->ndim > DSML_NPY_MAX_DIMS)
        return dsml_fail(DSML_ERR_FORMAT, "%s: shape has %d dimensions, expected 0 to %d", c->path, h->ndim,
                         DSML_NPY_MAX_DIMS);
    for (int k = 0; k < DSML_NPY_MAX_DIMS; k++) h->shape[k] = k < h->ndim ? dims[k] : 1;
    return DSML_OK;
}

static int parse_descr(cursor *c, header_info *h)
{
    skip_space(c);
    if (c->at < c->n && c->s[c->at] == '[')
        return dsml_fail(DSML_ERR_FORMAT, "%s: structured dtype (a list of fields), expected one of " ACCEPTED,
                         c->path);
    char descr[32];
    int rc = parse_string(c, descr, sizeof descr);
    if (rc) return rc;
    for (size_t i = 0; i < sizeof file_types / sizeof file_types[0]; i++)
        if (!strcmp(descr, file_types[i].descr)) {
            h->type = &file_types[i];
            return DSML_OK;
        }
    const char *why = descr[0] == '>' ? " (big-endian)" : strchr(descr, 'O') ? " (Python objects)" : "";
    return dsml_fail(DSML_ERR_FORMAT, "%s: dtype '%s'%s, expected little-endian " ACCEPTED, c->path, descr, why);
}

/* The whole header: "{'descr': ..., 'fortran_order': ..., 'shape': ..., }"
 * in any key order, then only white space. */
static int parse_header(cursor *c, header_info *h)
{
    static const char *const keys[3] = {"descr", "fortran_order", "shape"};
    int seen[3] = {0, 0, 0};
    if (!take(c, '{')) {
        char found[128];
        skip_space(c);
        return dsml_fail(DSML_ERR_FORMAT, "%s: header is not a dict: expected '{', found '%s'", c->path,
                         excerpt(found, sizeof found, c->s + c->at, c->n - c->at));
    }
    while (!take(c, '}')) {
        char key[32];
        int rc = parse_string(c, key, sizeof key), which = -1;
        if (rc) return rc;
        for (int k = 0; k < 3; k++)
            if (!strcmp(key, keys[k])) which = k;
        if (which < 0)
            return dsml_fail(DSML_ERR_FORMAT, "%s: header key '%s', expected only 'descr', 'fortran_order' and "
                             "'shape'", c->path, key);
        if (seen[which]++) return dsml_fail(DSML_ERR_FORMAT, "%s: header key '%s' twice", c->path, key);
        if (!take(c, ':')) return syntax(c, "':' after the key");
        rc = which == 0 ? parse_descr(c, h) : which == 1 ? parse_bool(c, &h->fortran_order) : parse_shape(c, h);
        if (rc) return rc;
        if (!take(c, ',')) {
            if (!take(c, '}')) return syntax(c, "',' or '}' in the dict");
            break;
        }
    }
    skip_space(c);
    if (c->at != c->n) return syntax(c, "only white space after the dict");
    for (int k = 0; k < 3; k++)
        if (!seen[k])
            return dsml_fail(DSML_ERR_FORMAT, "%s: header has no '%s' key (expected 'descr', 'fortran_order' and "
                             "'shape')", c->path, keys[k]);
    /* column-major and row-major order agree when at most one axis is longer than 1 */
    int long_axes = 0;
    for (int k = 0; k < h->ndim; k++) long_axes += h->shape[k] > 1;
    if (h->fortran_order && long_axes > 1)
        return dsml_fail(DSML_ERR_FORMAT, "%s: fortran_order True (column-major), expected False (C order)", c->path);
    return DSML_OK;
}

/* Reads the magic, version and header; *data_at is where the data starts. */
static int read_header(source *src, const char *path, header_info *h, int64_t *data_at)
{
    int64_t file_size = src->size;
    unsigned char pre[12];
    char found[128];
    if (file_size < 10)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %" PRId64 " bytes, expected at least 10 (a .npy prefix)", path,
                         file_size);
    int rc = source_read(src, path, pre, 8);
    if (rc) return rc;
    if (memcmp(pre, MAGIC, MAGIC_LEN))
        return dsml_fail(DSML_ERR_FORMAT, "%s: magic '\\x93NUMPY' expected, found '%s' (not a .npy file)", path,
                         excerpt(found, sizeof found, (const char *)pre, MAGIC_LEN));
    int major = pre[6], minor = pre[7];
    if (minor != 0 || major < 1 || major > 3)
        return dsml_fail(DSML_ERR_FORMAT, "%s: .npy version %d.%d, expected 1.0, 2.0 or 3.0", path, major, minor);
    int len_bytes = major == 1 ? 2 : 4;
    if (file_size < 8 + len_bytes)
        return dsml_fail(DSML_ERR_FORMAT, "%s: file ends inside the header length", path);
    if ((rc = source_read(src, path, pre + 8, (size_t)len_bytes)) != DSML_OK) return rc;
    uint32_t len = (uint32_t)pre[8] | (uint32_t)pre[9] << 8;
    if (len_bytes == 4) len |= (uint32_t)pre[10] << 16 | (uint32_t)pre[11] << 24;
    if (len > DSML_NPY_MAX_HEADER)
        return dsml_fail(DSML_ERR_FORMAT, "%s: header of %" PRIu32 " bytes, expected at most %d", path, len,
                         DSML_NPY_MAX_HEADER);
    *data_at = 8 + len_bytes + (int64_t)len;
    if (file_size < *data_at)
        return dsml_fail(DSML_ERR_FORMAT, "%s: header of %" PRIu32 " bytes announced, %" PRId64 " found", path, len,
                         file_size - 8 - len_bytes);
    char *text = malloc(len ? len : 1);
    if (!text) return dsml_fail(DSML_ERR_NOMEM, "%s: cannot allocate %" PRIu32 " bytes of header", path, len);
    rc = source_read(src, path, text, len);
    cursor c = {path, text, len, 0, major <= 2};
    if (!rc) rc = parse_header(&c, h);
    free(text);
    return rc;
}

/* Bytes of data the header announces, or an error when they exceed 2^62. */
static int data_bytes(const char *path, const header_info *h, int64_t *bytes)
{
    int64_t n = h->type->size;
    for (int k = 0; k < h->ndim; k++) {
        if (h->shape[k] && n > MAX_BYTES / h->shape[k]) {
            char s[160];
            return dsml_fail(DSML_ERR_FORMAT, "%s: shape %s of '%s' is too large (more than 2^62 bytes)", path,
                             shape_text(s, sizeof s, h->ndim, h->shape), h->type->descr);
        }
        n *= h->shape[k];
    }
    *bytes = n;
    return DSML_OK;
}

static uint64_t load_le(const unsigned char *p, int size)
{
    uint64_t v = 0;
    for (int i = size - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

/* Converts `count` little-endian elements of `raw` to the output at `out`;
 * `first` is the index of raw[0] in the file (for messages). */
static int convert(const char *path, const file_type *t, const unsigned char *raw, size_t count, void *out,
                   int64_t first)
{
    for (size_t i = 0; i < count; i++) {
        uint64_t bits = load_le(raw + i * (size_t)t->size, t->size);
        if (t->kind == KIND_FLOAT && t->size == 4) {
            uint32_t b = (uint32_t)bits;
            memcpy((float *)out + i, &b, 4);
        } else if (t->kind == KIND_FLOAT) {
            double d;
            memcpy(&d, &bits, 8);
            if (isfinite(d) && fabs(d) > FLT_MAX)
                return dsml_fail(DSML_ERR_FORMAT, "%s: element %" PRId64 " is %g, beyond float32's range", path,
                                 first + (int64_t)i, d);
            ((float *)out)[i] = (float)d;
        } else if (t->kind == KIND_BOOL && bits > 1) {
            return dsml_fail(DSML_ERR_FORMAT, "%s: element %" PRId64 " is the byte %" PRIu64 ", expected a bool "
                             "(0 or 1)", path, first + (int64_t)i, bits);
        } else if (t->kind == KIND_UNSIGNED && bits > INT32_MAX) {
            return dsml_fail(DSML_ERR_FORMAT, "%s: element %" PRId64 " is %" PRIu64 ", expected an int32 (0 to %d)",
                             path, first + (int64_t)i, bits, INT32_MAX);
        } else {
            int64_t v = (int64_t)bits;
            if (t->kind == KIND_SIGNED && t->size < 8) { /* sign-extend the top bit of the element's width */
                uint64_t sign = (uint64_t)1 << (8 * t->size - 1);
                v = (int64_t)((bits ^ sign) - sign);
            }
            if (v < INT32_MIN || v > INT32_MAX)
                return dsml_fail(DSML_ERR_FORMAT, "%s: element %" PRId64 " is %" PRId64 ", expected an int32 "
                                 "(%d to %d)", path, first + (int64_t)i, v, INT32_MIN, INT32_MAX);
            ((int32_t *)out)[i] = (int32_t)v;
        }
    }
    return DSML_OK;
}

/* Reads count elements of type t through a fixed buffer into out. */
static int read_data(source *src, const char *path, const file_type *t, int64_t count, void *out)
{
    unsigned char *raw = malloc(CHUNK);
    if (!raw) return dsml_fail(DSML_ERR_NOMEM, "%s: cannot allocate %d bytes", path, CHUNK);
    int64_t per_chunk = CHUNK / t->size, done = 0;
    int rc = DSML_OK;
    while (!rc && done < count) {
        size_t n = (size_t)(count - done < per_chunk ? count - done : per_chunk);
        rc = source_read(src, path, raw, n * (size_t)t->size);
        if (rc) dsml_fail_context(rc, "%s: near element %" PRId64, path, done);
        else rc = convert(path, t, raw, n, (char *)out + done * 4, done);
        done += (int64_t)n;
    }
    free(raw);
    return rc;
}

/* The whole array from src: header, size check, then the data. */
static int read_source(source *src, const char *path, dsml_npy *out)
{
    header_info h = {0};
    int64_t data_at = 0, bytes = 0;
    int rc = read_header(src, path, &h, &data_at);
    if (!rc) rc = data_bytes(path, &h, &bytes);
    if (!rc && src->size - data_at != bytes) {
        char s[160];
        int64_t have = src->size - data_at;
        shape_text(s, sizeof s, h.ndim, h.shape);
        rc = have < bytes ? dsml_fail(DSML_ERR_FORMAT, "%s: truncated: shape %s of '%s' needs %" PRId64 " bytes of "
                                      "data, %" PRId64 " found", path, s, h.type->descr, bytes, have)
                          : dsml_fail(DSML_ERR_FORMAT, "%s: %" PRId64 " bytes after the %" PRId64 " bytes of data that "
                                      "shape %s of '%s' needs", path, have - bytes, bytes, s, h.type->descr);
    }
    int64_t count = bytes / (h.type ? h.type->size : 1);
    void *data = NULL;
    if (!rc && !(data = malloc(count ? (size_t)count * 4 : 1)))
        rc = dsml_fail(DSML_ERR_NOMEM, "%s: cannot allocate %" PRId64 " bytes", path, count * 4);
    if (!rc) rc = read_data(src, path, h.type, count, data);
    if (rc) {
        free(data);
        return rc;
    }
    out->ndim = h.ndim;
    memcpy(out->shape, h.shape, sizeof out->shape);
    out->dtype = h.type->dtype;
    out->data = data;
    return DSML_OK;
}

int dsml_npy_read(const char *path, dsml_npy *out)
{
    memset(out, 0, sizeof *out);
    FILE *fp = fopen(path, "rb");
    if (!fp) return dsml_fail(DSML_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    int rc = fstat(fileno(fp), &st) ? dsml_fail(DSML_ERR_IO, "%s: cannot stat: %s", path, strerror(errno)) : 0;
    source src = {fp, NULL, (int64_t)st.st_size};
    if (!rc) rc = read_source(&src, path, out);
    fclose(fp);
    return rc;
}

int dsml_npy_read_member(dsml_archive *a, int64_t size, const char *name, dsml_npy *out)
{
    memset(out, 0, sizeof *out);
    if (size < 0)
        return dsml_fail(DSML_ERR_FORMAT, "%s: the archive does not declare the member's size", name);
    source src = {NULL, a, size};
    return read_source(&src, name, out);
}

/* Checks that a read array has the dtype and number of dimensions asked for
 * (ndim < 0: any); frees it when not. */
static int require(const char *path, dsml_npy_dtype dtype, int ndim, dsml_npy *out)
{
    if (out->dtype == dtype && (ndim < 0 || out->ndim == ndim)) return DSML_OK;
    char s[160], dims[48] = "";
    if (ndim >= 0) snprintf(dims, sizeof dims, " with %d dimension%s", ndim, ndim == 1 ? "" : "s");
    int rc = dsml_fail(DSML_ERR_FORMAT, "%s: %s %s, expected %s%s", path, dtype_name(out->dtype),
                       shape_text(s, sizeof s, out->ndim, out->shape), dtype_name(dtype), dims);
    dsml_npy_free(out);
    return rc;
}

int dsml_npy_read_as(const char *path, dsml_npy_dtype dtype, int ndim, dsml_npy *out)
{
    int rc = dsml_npy_read(path, out);
    return rc ? rc : require(path, dtype, ndim, out);
}

int64_t dsml_npy_count(const dsml_npy *a)
{
    int64_t n = 1;
    for (int k = 0; k < a->ndim; k++) n *= a->shape[k];
    return n;
}

void dsml_npy_free(dsml_npy *a)
{
    free(a->data);
    memset(a, 0, sizeof *a);
}

/* The version 1.0 prefix and header numpy.save (>= 1.24) writes: the dict
 * with sorted keys, spaces for the first axis to grow to GROWTH_DIGITS
 * digits, then spaces and '\n' up to a multiple of ALIGN (a whole ALIGN of
 * spaces when already aligned, as numpy does). Returns its length. */
static size_t format_header(char *buf, size_t size, const char *descr, int ndim, const int64_t *shape)
{
    char s[160];
    int len = snprintf(buf + 10, size - 10, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr,
                       shape_text(s, sizeof s, ndim, shape));
    if (ndim > 0) {
        int digits = snprintf(NULL, 0, "%" PRId64, shape[0]);
        for (int i = digits; i < GROWTH_DIGITS; i++) buf[10 + len++] = ' ';
    }
    int pad = ALIGN - (10 + len + 1) % ALIGN;
    memset(buf + 10 + len, ' ', (size_t)pad);
    len += pad;
    buf[10 + len++] = '\n';
    memcpy(buf, MAGIC "\x01\x00", 8);
    buf[8] = (char)(len & 0xff);
    buf[9] = (char)(len >> 8);
    return (size_t)(10 + len);
}

static int write_array(const char *path, const char *descr, const void *x, int ndim, const int64_t *shape)
{
    if (ndim < 0 || ndim > DSML_NPY_MAX_DIMS)
        return dsml_fail(DSML_ERR_ARG, "%s: %d dimensions, expected 0 to %d", path, ndim, DSML_NPY_MAX_DIMS);
    int64_t count = 1;
    for (int k = 0; k < ndim; k++) {
        if (shape[k] < 0 || (shape[k] && count > MAX_BYTES / 4 / shape[k]))
            return dsml_fail(DSML_ERR_ARG, "%s: dimension %d is %" PRId64 ", expected 0 to 2^60 elements in all",
                             path, k, shape[k]);
        count *= shape[k];
    }
    if (count && !x) return dsml_fail(DSML_ERR_ARG, "%s: no data for %" PRId64 " elements", path, count);
    char header[512];
    size_t header_len = format_header(header, sizeof header, descr, ndim, shape);
    dsml_atomic_file f;
    int rc = dsml_atomic_begin(&f, path);
    if (rc) return rc;
    int failed = fwrite(header, 1, header_len, f.fp) != header_len;
    /* little-endian bytes, whatever the host's order */
    unsigned char chunk[4096];
    const unsigned char *src = x;
    for (int64_t i = 0; !failed && i < count;) {
        size_t n = 0;
        for (; n < sizeof chunk / 4 && i < count; n++, i++) {
            uint32_t v;
            memcpy(&v, src + i * 4, 4);
            for (int b = 0; b < 4; b++) chunk[n * 4 + (size_t)b] = (unsigned char)(v >> (8 * b));
        }
        failed = fwrite(chunk, 4, n, f.fp) != n;
    }
    if (failed) {
        int saved = errno;
        dsml_atomic_abort(&f);
        return dsml_fail(DSML_ERR_IO, "%s: write failed: %s", path, strerror(saved));
    }
    return dsml_atomic_commit(&f);
}

int dsml_npy_write_f32(const char *path, const float *x, int ndim, const int64_t *shape)
{
    return write_array(path, "<f4", x, ndim, shape);
}

int dsml_npy_write_i32(const char *path, const int32_t *x, int ndim, const int64_t *shape)
{
    return write_array(path, "<i4", x, ndim, shape);
}
