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
        char *p = line, *end;
        for (;;) {
            while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
            if (!*p) break;
            errno = 0;
            double v = strtod(p, &end);
            if (end == p) {
                rc = dsml_fail(DSML_ERR_FORMAT, "%s: line %ld, column %d: '%.20s' is not a number", path, lineno,
                               in_row + 1, p);
                goto done;
            }
            if (!isfinite(v) || fabs(v) > 3.4e38) {
                rc = dsml_fail(DSML_ERR_NUMERIC, "%s: line %ld, column %d: %.20s is not a finite float", path,
                               lineno, in_row + 1, p);
                goto done;
            }
            if (grow((void **)&data, &cap, count + 1, sizeof(float))) {
                rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", path);
                goto done;
            }
            data[count++] = (float)v;
            in_row++;
            p = end;
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

int text_read_labels(const char *path, int **out, int *count)
{
    float *m;
    int rows, cols;
    int rc = text_read_matrix(path, &m, &rows, &cols);
    if (rc) return rc;
    if (cols != 1) {
        free(m);
        return dsml_fail(DSML_ERR_FORMAT, "%s: %d values per line, expected one integer label per line", path, cols);
    }
    int *labels = malloc(sizeof(int) * (size_t)rows);
    if (!labels) { free(m); return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", path); }
    for (int i = 0; i < rows; i++) {
        if (m[i] != floorf(m[i]) || m[i] < 0 || m[i] > 1e9f) {
            rc = dsml_fail(DSML_ERR_FORMAT, "%s: label %d (%g) is not a non-negative integer", path, i + 1, m[i]);
            free(m);
            free(labels);
            return rc;
        }
        labels[i] = (int)m[i];
    }
    free(m);
    *out = labels;
    *count = rows;
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
