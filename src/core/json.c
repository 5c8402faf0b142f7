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

static void write_escaped(FILE *fp, const char *s)
{
    fputc('"', fp);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
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
