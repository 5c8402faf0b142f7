/* Text matrices; see text_io.h. */
#include "cli/text_io.h"
#include "core/atomic_file.h"
#include "core/error.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(void **buf, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    size_t cap2 = *cap ? *cap * 2 : 1024;
    while (cap2 < need) cap2 *= 2;
    void *p = realloc(*buf, cap2 * elem);
    if (!p) return -1;
    *buf = p;
    *cap = cap2;
    return 0;
}

/* Longest token quoted in a message; a longer one is cut and marked "...". */
enum { QUOTE_MAX = 24 };

/* The next whitespace-separated token of *p (NULL at the end), NUL-terminated
 * in place so that a message quotes it alone, never the rest of the line or
 * its newline. */
static char *next_token(char **p)
{
    char *t = *p + strspn(*p, " \t\r\n");
    if (!*t) return NULL;
    char *end = t + strcspn(t, " \t\r\n");
    *p = *end ? end + 1 : end;
    *end = '\0';
    return t;
}

/* A value of the text formats: strtod must take the whole token, written in
 * decimal (no hex; "nan" and "inf" parse, and are refused as not finite). */
static int token_number(const char *t, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(t, &end);
    return end != t && !*end && !strpbrk(t, "xX");
}

int text_read_matrix(const char *path, float **out, int *rows, int *cols)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return dsml_fail(DSML_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    float *data = NULL;
    size_t cap = 0, count = 0;
    int r = 0, c = -1, rc = DSML_OK;
    char *line = NULL;
    size_t line_cap = 0;
    long lineno = 0;
    while (getline(&line, &line_cap, fp) > 0) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash) *hash = '\0';
        int in_row = 0;
        char *p = line, *t;
        while ((t = next_token(&p))) {
            double v;
            int cut = strlen(t) > QUOTE_MAX;
            if (!token_number(t, &v)) {
                rc = dsml_fail(DSML_ERR_FORMAT, "%s: line %ld, column %d: '%.*s%s' is not a number", path, lineno,
                               in_row + 1, QUOTE_MAX, t, cut ? "..." : "");
                goto done;
            }
            if (!isfinite(v) || fabs(v) > 3.4e38) {
                rc = dsml_fail(DSML_ERR_NUMERIC, "%s: line %ld, column %d: %.*s%s is not a finite float", path,
                               lineno, in_row + 1, QUOTE_MAX, t, cut ? "..." : "");
                goto done;
            }
            if (grow((void **)&data, &cap, count + 1, sizeof(float))) {
                rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", path);
                goto done;
            }
            data[count++] = (float)v;
            in_row++;
        }
        if (!in_row) continue;
        if (c < 0) c = in_row;
        else if (in_row != c) {
            rc = dsml_fail(DSML_ERR_FORMAT, "%s: line %ld: %d values, expected %d like the first row", path, lineno,
                           in_row, c);
            goto done;
        }
        r++;
    }
    if (ferror(fp)) rc = dsml_fail(DSML_ERR_IO, "%s: read error", path);
    else if (r == 0) rc = dsml_fail(DSML_ERR_FORMAT, "%s: no rows", path);
done:
    free(line);
    fclose(fp);
    if (rc) { free(data); return rc; }
    *out = data;
    *rows = r;
    *cols = c;
    return DSML_OK;
}

/* One label of line lineno: a whole token of decimal digits, 0..1e9. */
static int label_value(const char *path, long lineno, const char *t, int *label)
{
    char *end;
    errno = 0;
    long v = strtol(t, &end, 10);
    if (*t < '0' || *t > '9' || *end || errno || v > 1000000000L)
        return dsml_fail(DSML_ERR_FORMAT, "%s: line %ld: '%.*s%s' is not a label (an integer in 0..1000000000)",
                         path, lineno, QUOTE_MAX, t, strlen(t) > QUOTE_MAX ? "..." : "");
    *label = (int)v;
    return DSML_OK;
}

int text_read_labels(const char *path, int **out, int *count)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return dsml_fail(DSML_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    int *labels = NULL;
    size_t cap = 0, n = 0;
    int rc = DSML_OK;
    char *line = NULL;
    size_t line_cap = 0;
    long lineno = 0;
    while (!rc && getline(&line, &line_cap, fp) > 0) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash) *hash = '\0';
        char *p = line, *t = next_token(&p);
        if (!t) continue;
        if (next_token(&p))
            rc = dsml_fail(DSML_ERR_FORMAT, "%s: line %ld: more than one value, expected one integer label per line",
                           path, lineno);
        else if (grow((void **)&labels, &cap, n + 1, sizeof(int)))
            rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", path);
        else
            rc = label_value(path, lineno, t, &labels[n++]);
    }
    if (!rc && ferror(fp)) rc = dsml_fail(DSML_ERR_IO, "%s: read error", path);
    else if (!rc && n == 0) rc = dsml_fail(DSML_ERR_FORMAT, "%s: no rows", path);
    free(line);
    fclose(fp);
    if (rc) {
        free(labels);
        return rc;
    }
    *out = labels;
    *count = (int)n;
    return DSML_OK;
}

int text_write_matrix(const char *path, const float *m, int rows, int cols)
{
    dsml_atomic_file f;
    int rc = dsml_atomic_begin(&f, path);
    if (rc) return rc;
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) fprintf(f.fp, "%.9g%c", m[(long)i * cols + j], j + 1 < cols ? ' ' : '\n');
    return dsml_atomic_commit(&f);
}
