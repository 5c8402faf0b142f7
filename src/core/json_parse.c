/* Recursive-descent JSON reader; see json_parse.h. */
#include "core/json_parse.h"
#include "core/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name;
    const char *p, *start, *end;
    char *arena;
    size_t used, cap;
    int depth;
} parser;

static void *arena_alloc(parser *ps, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (ps->used + size > ps->cap) return NULL;
    void *p = ps->arena + ps->used;
    ps->used += size;
    memset(p, 0, size);
    return p;
}

static int fail_at(parser *ps, const char *what)
{
    return dsml_fail(DSML_ERR_FORMAT, "%s: byte %ld: %s", ps->name, (long)(ps->p - ps->start), what);
}

static void skip_space(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\t' || *ps->p == '\r')) ps->p++;
}

static int parse_value(parser *ps, dsml_jv *out);

static int parse_string(parser *ps, const char **out)
{
    ps->p++; /* opening quote */
    const char *s = ps->p;
    size_t n = 0;
    for (const char *q = s; q < ps->end && *q != '"'; q++, n++)
        if (*q == '\\') q++;
    char *dst = arena_alloc(ps, n + 1);
    if (!dst) return fail_at(ps, "document too large");
    size_t k = 0;
    while (ps->p < ps->end && *ps->p != '"') {
        char c = *ps->p++;
        if (c == '\\') {
            if (ps->p >= ps->end) break;
            char e = *ps->p++;
            switch (e) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'u': {
                if (ps->end - ps->p < 4) return fail_at(ps, "truncated \\u escape");
                char hex[5] = {ps->p[0], ps->p[1], ps->p[2], ps->p[3], 0};
                long v = strtol(hex, NULL, 16);
                c = v < 128 ? (char)v : '?';
                ps->p += 4;
                break;
            }
            default: c = e;
            }
        }
        dst[k++] = c;
    }
    if (ps->p >= ps->end) return fail_at(ps, "unterminated string");
    ps->p++;
    dst[k] = '\0';
    *out = dst;
    return DSML_OK;
}

static int parse_container(parser *ps, dsml_jv *out, char close)
{
    int is_object = close == '}';
    out->type = is_object ? DSML_JV_OBJECT : DSML_JV_ARRAY;
    if (++ps->depth > 64) return fail_at(ps, "nesting too deep");
    ps->p++;
    skip_space(ps);
    dsml_jv **tail = &out->child;
    if (ps->p < ps->end && *ps->p == close) { ps->p++; ps->depth--; return DSML_OK; }
    for (;;) {
        dsml_jv *item = arena_alloc(ps, sizeof *item);
        if (!item) return fail_at(ps, "document too large");
        skip_space(ps);
        if (is_object) {
            if (ps->p >= ps->end || *ps->p != '"') return fail_at(ps, "expected a member name");
            int rc = parse_string(ps, &item->key);
            if (rc) return rc;
            skip_space(ps);
            if (ps->p >= ps->end || *ps->p != ':') return fail_at(ps, "expected ':'");
            ps->p++;
        }
        int rc = parse_value(ps, item);
        if (rc) return rc;
        *tail = item;
        tail = &item->next;
        out->count++;
        skip_space(ps);
        if (ps->p < ps->end && *ps->p == ',') { ps->p++; continue; }
        if (ps->p < ps->end && *ps->p == close) { ps->p++; break; }
        return fail_at(ps, is_object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
    ps->depth--;
    return DSML_OK;
}

static int parse_value(parser *ps, dsml_jv *out)
{
    skip_space(ps);
    if (ps->p >= ps->end) return fail_at(ps, "unexpected end of document");
    char c = *ps->p;
    if (c == '{') return parse_container(ps, out, '}');
    if (c == '[') return parse_container(ps, out, ']');
    if (c == '"') { out->type = DSML_JV_STRING; return parse_string(ps, &out->string); }
    static const struct { const char *word; dsml_jv_type type; double value; } words[] = {
        {"true", DSML_JV_BOOL, 1}, {"false", DSML_JV_BOOL, 0}, {"null", DSML_JV_NULL, 0}};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(words[i].word);
        if ((size_t)(ps->end - ps->p) >= n && !memcmp(ps->p, words[i].word, n)) {
            out->type = words[i].type;
            out->number = words[i].value;
            ps->p += n;
            return DSML_OK;
        }
    }
    char buf[64];
    size_t n = 0;
    while (ps->p + n < ps->end && n < sizeof buf - 1 && strchr("+-0123456789.eE", ps->p[n])) { buf[n] = ps->p[n]; n++; }
    buf[n] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (n == 0 || *end || errno) return fail_at(ps, "expected a value");
    out->type = DSML_JV_NUMBER;
    out->number = v;
    ps->p += n;
    return DSML_OK;
}

int dsml_json_parse(dsml_json_doc *doc, const char *name, const char *text, size_t len)
{
    parser ps = {.name = name, .p = text, .start = text, .end = text + len};
    /* The densest text ("[1,1,...]") takes 2 bytes per 64-byte value. */
    ps.cap = len * 40 + 4096;
    ps.arena = malloc(ps.cap);
    if (!ps.arena) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", name);
    dsml_jv *root = arena_alloc(&ps, sizeof *root);
    int rc = parse_value(&ps, root);
    if (!rc) {
        skip_space(&ps);
        if (ps.p != ps.end) rc = fail_at(&ps, "trailing characters after the document");
    }
    if (rc) { free(ps.arena); return rc; }
    doc->root = root;
    doc->arena = ps.arena;
    return DSML_OK;
}

int dsml_json_parse_file(dsml_json_doc *doc, const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return dsml_fail(DSML_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 65536 > cap) {
            cap = cap ? cap * 2 : 65536 * 2;
            char *t = realloc(text, cap);
            if (!t) { free(text); fclose(fp); return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", path); }
            text = t;
        }
        size_t got = fread(text + len, 1, cap - len, fp);
        len += got;
        if (got == 0) break;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) { free(text); return dsml_fail(DSML_ERR_IO, "%s: read error", path); }
    int rc = dsml_json_parse(doc, path, text, len);
    free(text);
    return rc;
}

void dsml_json_doc_free(dsml_json_doc *doc)
{
    free(doc->arena);
    doc->arena = NULL;
    doc->root = NULL;
}

const dsml_jv *dsml_jv_get(const dsml_jv *v, const char *path)
{
    while (v && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (v->type != DSML_JV_OBJECT) return NULL;
        const dsml_jv *found = NULL;
        for (const dsml_jv *c = v->child; c; c = c->next)
            if (strlen(c->key) == n && !memcmp(c->key, path, n)) { found = c; break; }
        v = found;
        path = dot ? dot + 1 : path + n;
    }
    return v;
}

double dsml_jv_number(const dsml_jv *v, const char *path, double fallback)
{
    const dsml_jv *x = dsml_jv_get(v, path);
    return x && (x->type == DSML_JV_NUMBER || x->type == DSML_JV_BOOL) ? x->number : fallback;
}

const char *dsml_jv_string(const dsml_jv *v, const char *path, const char *fallback)
{
    const dsml_jv *x = dsml_jv_get(v, path);
    return x && x->type == DSML_JV_STRING ? x->string : fallback;
}
