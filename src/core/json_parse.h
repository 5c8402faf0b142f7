/* A small JSON reader for dsml's own files (metrics.json, baselines): parses a
 * whole document into a tree of values allocated in one arena. Lookups by
 * dotted path ("metrics.euclidean.map"). Not a general-purpose parser: no
 * \u escapes beyond ASCII, numbers as double. */
#ifndef DSML_CORE_JSON_PARSE_H
#define DSML_CORE_JSON_PARSE_H

#include <stddef.h>

typedef enum { DSML_JV_NULL, DSML_JV_BOOL, DSML_JV_NUMBER, DSML_JV_STRING, DSML_JV_ARRAY, DSML_JV_OBJECT } dsml_jv_type;

typedef struct dsml_jv {
    dsml_jv_type type;
    double number;            /* NUMBER, BOOL (0/1) */
    const char *string;       /* STRING */
    const char *key;          /* when a member of an object */
    struct dsml_jv *child;    /* first element / member */
    struct dsml_jv *next;     /* next sibling */
    int count;                /* ARRAY/OBJECT: number of children */
} dsml_jv;

typedef struct {
    dsml_jv *root;
    char *arena;              /* owns every value and string */
} dsml_json_doc;

/* Parses `text` (len bytes). Errors name `name` and the byte offset. */
int dsml_json_parse(dsml_json_doc *doc, const char *name, const char *text, size_t len);
int dsml_json_parse_file(dsml_json_doc *doc, const char *path);
void dsml_json_doc_free(dsml_json_doc *doc);

/* Member by dotted path; NULL when absent. */
const dsml_jv *dsml_jv_get(const dsml_jv *v, const char *path);
/* Number at path, or `fallback`. */
double dsml_jv_number(const dsml_jv *v, const char *path, double fallback);
/* String at path, or `fallback`. */
const char *dsml_jv_string(const dsml_jv *v, const char *path, const char *fallback);

#endif
