/* Streaming JSON writer; see json.h. */
#include "core/json.h"

#include <math.h>

void dsml_json_init(dsml_json *j, FILE *fp)
{
    j->fp = fp;
    j->depth = 0;
    j->count[0] = 0;
    j->after_key = 0;
}

static void indent(dsml_json *j)
{
    fputc('\n', j->fp);
    for (int i = 0; i < j->depth; i++) fputs("  ", j->fp);
}

/* Separator before a value or key at the current depth. */
static void before_item(dsml_json *j)
{
    if (j->after_key) { j->after_key = 0; return; }
    if (j->depth > 0) {
        if (j->count[j->depth]) fputc(',', j->fp);
        indent(j);
    }
    j->count[j->depth]++;
}

static void open(dsml_json *j, char c)
{
    before_item(j);
    fputc(c, j->fp);
    if (j->depth + 1 < DSML_JSON_MAX_DEPTH) j->depth++;
    j->count[j->depth] = 0;
}

static void close_(dsml_json *j, char c)
{
    int had = j->count[j->depth];
    if (j->depth > 0) j->depth--;
    if (had) indent(j);
    fputc(c, j->fp);
    if (j->depth == 0) fputc('\n', j->fp);
}

void dsml_json_object_begin(dsml_json *j) { open(j, '{'); }
void dsml_json_object_end(dsml_json *j) { close_(j, '}'); }
void dsml_json_array_begin(dsml_json *j) { open(j, '['); }
void dsml_json_array_end(dsml_json *j) { close_(j, ']'); }

/* The length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0 when it is not one;
 * then *bad gets how many bytes to replace by one U+FFFD (the longest start
 * of a valid sequence, at least 1, as Unicode recommends). */
static int utf8_length(const unsigned char *p, int *bad)
{
    int n = p[0] < 0x80 ? 1 : p[0] < 0xC2 ? 0 : p[0] < 0xE0 ? 2 : p[0] < 0xF0 ? 3 : p[0] < 0xF5 ? 4 : 0;
    unsigned char lo = 0x80, hi = 0xBF; /* the second byte's range */
    if (p[0] == 0xE0) lo = 0xA0;
    else if (p[0] == 0xED) hi = 0x9F;
    else if (p[0] == 0xF0) lo = 0x90;
    else if (p[0] == 0xF4) hi = 0x8F;
    *bad = 1;
    for (int i = 1; i < n; i++) {
        if (i == 1 ? p[i] < lo || p[i] > hi : (p[i] & 0xC0) != 0x80) return 0; /* NUL stops here too */
        *bad = i + 1;
    }
    return n;
}

static void write_escaped(FILE *fp, const char *s)
{
    fputc('"', fp);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        int bad, n = utf8_length(p, &bad);
        if (n == 0) { /* not UTF-8 (a Latin-1 file name, say): U+FFFD keeps the document valid */
            fputs("\xEF\xBF\xBD", fp);
            p += bad;
            continue;
        }
        if (n > 1) {
            fwrite(p, 1, (size_t)n, fp);
            p += n;
            continue;
        }
        switch (*p) {
        case '"': fputs("\\\"", fp); break;
        case '\\': fputs("\\\\", fp); break;
        case '\n': fputs("\\n", fp); break;
        case '\r': fputs("\\r", fp); break;
        case '\t': fputs("\\t", fp); break;
        default:
            if (*p < 0x20) fprintf(fp, "\\u%04x", *p);
            else fputc(*p, fp);
        }
        p++;
    }
    fputc('"', fp);
}

void dsml_json_key(dsml_json *j, const char *key)
{
    before_item(j);
    write_escaped(j->fp, key);
    fputs(": ", j->fp);
    j->after_key = 1;
}

void dsml_json_string(dsml_json *j, const char *s)
{
    before_item(j);
    if (s) write_escaped(j->fp, s);
    else fputs("null", j->fp);
}

void dsml_json_double(dsml_json *j, double v)
{
    before_item(j);
    if (isfinite(v)) fprintf(j->fp, "%.17g", v);
    else fputs("null", j->fp);
}

void dsml_json_int(dsml_json *j, long long v)
{
    before_item(j);
    fprintf(j->fp, "%lld", v);
}

void dsml_json_bool(dsml_json *j, int v)
{
    before_item(j);
    fputs(v ? "true" : "false", j->fp);
}

void dsml_json_null(dsml_json *j)
{
    before_item(j);
    fputs("null", j->fp);
}

void dsml_json_kv_string(dsml_json *j, const char *key, const char *s) { dsml_json_key(j, key); dsml_json_string(j, s); }
void dsml_json_kv_double(dsml_json *j, const char *key, double v) { dsml_json_key(j, key); dsml_json_double(j, v); }
void dsml_json_kv_int(dsml_json *j, const char *key, long long v) { dsml_json_key(j, key); dsml_json_int(j, v); }
void dsml_json_kv_bool(dsml_json *j, const char *key, int v) { dsml_json_key(j, key); dsml_json_bool(j, v); }
