/* The paper's published numbers (paper-tables/published.tsv): one value per
 * line, tab-separated columns
 *
 *   table  dataset  method  metric  size  value  note
 *
 * table 1..4; dataset (cars196, cub200, cifar10, nus-wide); method as the
 * paper prints its row ("DSML(tri)", "DPSH*"); metric as a metrics.json path
 * ("clustering.nmi", "euclidean.map@59000", "hamming.map@50000"); size the
 * embedding size or code length in bits; value as printed (percent in Tables
 * 1-3, a fraction in Table 4); note free text (may be empty). Blank lines and
 * lines starting with '#' are skipped; the first other line must be the
 * header above. Every error names file:line. */
#ifndef DSML_REPORT_PUBLISHED_H
#define DSML_REPORT_PUBLISHED_H

#include <stddef.h>

typedef struct {
    int table;          /* 1..4 */
    char dataset[32];
    char method[32];
    char metric[48];
    int size;           /* embedding size or bits */
    double value;
    int decimals;       /* digits after the point as transcribed (for printing) */
    char note[256];
    int line;           /* 1-based line in the file */
} dsml_published_value;

typedef struct dsml_published {
    dsml_published_value *values;   /* owned; file order */
    int count;
} dsml_published;

/* Reads and validates `path`. On success *p owns its values (free with
 * dsml_published_free); on failure *p is empty and the error names the line. */
int dsml_published_load(dsml_published *p, const char *path);
/* The same from a buffer; `name` is used in error messages. */
int dsml_published_parse(dsml_published *p, const char *name, const char *text);
void dsml_published_free(dsml_published *p);

/* The value for a cell, or NULL. Borrowed from *p. */
const dsml_published_value *dsml_published_find(const dsml_published *p, int table, const char *dataset,
                                                const char *method, const char *metric, int size);
/* Number of values of one table (0 = all). */
int dsml_published_count(const dsml_published *p, int table);

/* Copies the len bytes of one tab-separated field at src into dst (size
 * bytes), failing with "name:line: what: ..." when it is empty (unless
 * allow_empty) or too long; shared by the readers of published values. */
int dsml_published_field(char *dst, size_t size, const char *src, size_t len, int allow_empty, const char *name,
                         int line, const char *what);

#endif
