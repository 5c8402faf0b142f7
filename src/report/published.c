/* Parser of paper-tables/published.tsv; see published.h. */
#include "report/published.h"
#include "core/error.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_FIELDS 7
static const char *header_fields[N_FIELDS] = {"table", "dataset", "method", "metric", "size", "value", "note"};

int dsml_published_field(char *dst, size_t size, const char *src, size_t len, int allow_empty, const char *name,
                         int line, const char *what)
{
    if (!allow_empty && len == 0)
        return dsml_fail(DSML_ERR_FORMAT, "%s:%d: %s: expected a value, found an empty field", name, line, what);
    if (len >= size)
        return dsml_fail(DSML_ERR_FORMAT, "%s:%d: %s: expected at most %zu characters, found %zu", name, line, what,
                         size - 1, len);
    memcpy(dst, src, len);
    dst[len] = '\0';
    return DSML_OK;
}

/* Splits one line (without its newline) at tabs into at most N_FIELDS + 1 fields. */
static int split_tabs(const char *s, size_t len, const char **start, size_t *flen)
{
    int n = 0;
    size_t i = 0, begin = 0;
    for (;;) {
        if (i == len || s[i] == '\t') {
            if (n <= N_FIELDS) {
                start[n] = s + begin;
                flen[n] = i - begin;
            }
            n++;
            if (i == len) break;
            begin = i + 1;
        }
        i++;
    }
    return n;
}

static int parse_line(dsml_published_value *v, const char *name, int line, const char **f, const size_t *fl)
{
    char buf[64];
    int rc;
    memset(v, 0, sizeof *v);
    v->line = line;
    if ((rc = dsml_published_field(buf, sizeof buf, f[0], fl[0], 0, name, line, "table"))) return rc;
    if (!(fl[0] == 1 && buf[0] >= '1' && buf[0] <= '4'))
        return dsml_fail(DSML_ERR_FORMAT, "%s:%d: table: expected 1, 2, 3 or 4, found '%s'", name, line, buf);
    v->table = buf[0] - '0';
    if ((rc = dsml_published_field(v->dataset, sizeof v->dataset, f[1], fl[1], 0, name, line, "dataset"))) return rc;
    if ((rc = dsml_published_field(v->method, sizeof v->method, f[2], fl[2], 0, name, line, "method"))) return rc;
    if ((rc = dsml_published_field(v->metric, sizeof v->metric, f[3], fl[3], 0, name, line, "metric"))) return rc;
    if ((rc = dsml_published_field(buf, sizeof buf, f[4], fl[4], 0, name, line, "size"))) return rc;
    char *end;
    errno = 0;
    long size = strtol(buf, &end, 10);
    if (errno || *end || end == buf || size < 1 || size > 65536)
        return dsml_fail(DSML_ERR_FORMAT, "%s:%d: size: expected an integer 1..65536, found '%s'", name, line, buf);
    v->size = (int)size;
    if ((rc = dsml_published_field(buf, sizeof buf, f[5], fl[5], 0, name, line, "value"))) return rc;
    errno = 0;
    double value = strtod(buf, &end);
    if (errno || *end || end == buf || !isfinite(value) || value < 0 || strspn(buf, "0123456789.") != strlen(buf))
        return dsml_fail(DSML_ERR_FORMAT, "%s:%d: value: expected a non-negative decimal number, found '%s'", name,
                         line, buf);
    v->value = value;
    const char *dot = strchr(buf, '.');
    v->decimals = dot ? (int)strlen(dot + 1) : 0;
    return dsml_published_field(v->note, sizeof v->note, f[6], fl[6], 1, name, line, "note");
}

int dsml_published_parse(dsml_published *p, const char *name, const char *text)
{
    p->values = NULL;
    p->count = 0;
    int cap = 0, line = 0, seen_header = 0, rc = DSML_OK;
    const char *s = text;
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        line++;
        size_t trimmed = len;
        if (trimmed > 0 && s[trimmed - 1] == '\r') trimmed--;
        const char *next = nl ? nl + 1 : s + len;
        if (trimmed == 0 || s[0] == '#') { s = next; continue; }
        const char *f[N_FIELDS + 1];
        size_t fl[N_FIELDS + 1];
        int n = split_tabs(s, trimmed, f, fl);
        if (n != N_FIELDS) {
            rc = dsml_fail(DSML_ERR_FORMAT, "%s:%d: expected %d tab-separated fields, found %d", name, line,
                           N_FIELDS, n);
            break;
        }
        if (!seen_header) {
            for (int i = 0; i < N_FIELDS; i++)
                if (fl[i] != strlen(header_fields[i]) || memcmp(f[i], header_fields[i], fl[i])) {
                    rc = dsml_fail(DSML_ERR_FORMAT, "%s:%d: expected the header 'table dataset method metric "
                                   "size value note' (tab-separated), found field %d '%.*s'", name, line, i + 1,
                                   (int)fl[i], f[i]);
                    break;
                }
            if (rc) break;
            seen_header = 1;
            s = next;
            continue;
        }
        if (p->count == cap) {
            cap = cap ? 2 * cap : 256;
            dsml_published_value *grown = realloc(p->values, (size_t)cap * sizeof *grown);
            if (!grown) { rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory at line %d", name, line); break; }
            p->values = grown;
        }
        dsml_published_value *v = &p->values[p->count];
        if ((rc = parse_line(v, name, line, f, fl))) break;
        const dsml_published_value *dup = dsml_published_find(p, v->table, v->dataset, v->method, v->metric, v->size);
        if (dup) {
            rc = dsml_fail(DSML_ERR_FORMAT, "%s:%d: table %d %s %s %s size %d: already given at line %d", name, line,
                           v->table, v->dataset, v->method, v->metric, v->size, dup->line);
            break;
        }
        p->count++;
        s = next;
    }
    if (!rc && !seen_header) rc = dsml_fail(DSML_ERR_FORMAT, "%s: expected a header line, found none", name);
    if (rc) dsml_published_free(p);
    return rc;
}

int dsml_published_load(dsml_published *p, const char *path)
{
    p->values = NULL;
    p->count = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp) return dsml_fail(DSML_ERR_IO, "%s: %s", path, strerror(errno));
    char *text = NULL;
    size_t size = 0, cap = 0;
    int rc = DSML_OK;
    for (;;) {
        if (cap - size < 4096) {
            cap = cap ? 2 * cap : 65536;
            char *grown = realloc(text, cap + 1);
            if (!grown) { rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", path); break; }
            text = grown;
        }
        size_t n = fread(text + size, 1, cap - size, fp);
        size += n;
        if (n == 0) {
            if (ferror(fp)) rc = dsml_fail(DSML_ERR_IO, "%s: read error", path);
            break;
        }
    }
    fclose(fp);
    if (!rc) {
        text[size] = '\0';
        if (strlen(text) != size) rc = dsml_fail(DSML_ERR_FORMAT, "%s: expected text, found a NUL byte", path);
    }
    if (!rc) rc = dsml_published_parse(p, path, text);
    free(text);
    return rc;
}

void dsml_published_free(dsml_published *p)
{
    free(p->values);
    p->values = NULL;
    p->count = 0;
}

const dsml_published_value *dsml_published_find(const dsml_published *p, int table, const char *dataset,
                                                const char *method, const char *metric, int size)
{
    for (int i = 0; i < p->count; i++) {
        const dsml_published_value *v = &p->values[i];
        if (v->table == table && v->size == size && !strcmp(v->dataset, dataset) && !strcmp(v->method, method) &&
            !strcmp(v->metric, metric))
            return v;
    }
    return NULL;
}

int dsml_published_count(const dsml_published *p, int table)
{
    int n = 0;
    for (int i = 0; i < p->count; i++) n += table == 0 || p->values[i].table == table;
    return n;
}
