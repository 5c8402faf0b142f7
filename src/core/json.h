/* A small streaming JSON writer: objects, arrays, keys and scalars written in
 * order, commas and indentation handled here. Doubles are written with 17
 * significant digits (round-trip exact); NaN/inf are written as null.
 * Strings (keys and values) always come out as valid UTF-8, so that any JSON
 * parser reads the document: well-formed UTF-8 is copied, each invalid byte
 * sequence (a Latin-1 folder name, an overlong or truncated sequence, a
 * surrogate) becomes U+FFFD, and quotes, backslashes and control characters are
 * escaped. */
#ifndef DSML_CORE_JSON_H
#define DSML_CORE_JSON_H

#include <stdio.h>

#define DSML_JSON_MAX_DEPTH 32

typedef struct {
    FILE *fp;
    int depth;
    int count[DSML_JSON_MAX_DEPTH]; /* values written at each depth */
    int after_key;
} dsml_json;

void dsml_json_init(dsml_json *j, FILE *fp);
void dsml_json_object_begin(dsml_json *j);
void dsml_json_object_end(dsml_json *j);
void dsml_json_array_begin(dsml_json *j);
void dsml_json_array_end(dsml_json *j);
void dsml_json_key(dsml_json *j, const char *key);
void dsml_json_string(dsml_json *j, const char *s);
void dsml_json_double(dsml_json *j, double v);
void dsml_json_int(dsml_json *j, long long v);
void dsml_json_bool(dsml_json *j, int v);
void dsml_json_null(dsml_json *j);

/* key + value shorthands */
void dsml_json_kv_string(dsml_json *j, const char *key, const char *s);
void dsml_json_kv_double(dsml_json *j, const char *key, double v);
void dsml_json_kv_int(dsml_json *j, const char *key, long long v);
void dsml_json_kv_bool(dsml_json *j, const char *key, int v);

#endif
