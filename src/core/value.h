/* Strict parsing of a value given as text (a command-line option, a key of a
 * sweep file): the whole text must be a value of the type, finite and in
 * range. On failure each returns DSML_ERR_ARG, leaves *out alone and writes
 * what was expected into `expected` ("an integer in 1..4096"), for the caller
 * to name where the value came from; the error message is not touched. */
#ifndef DSML_CORE_VALUE_H
#define DSML_CORE_VALUE_H

#include <stddef.h>
#include <stdint.h>

int dsml_value_int(const char *text, long long lo, long long hi, long long *out, char *expected, size_t cap);
int dsml_value_number(const char *text, double lo, double hi, double *out, char *expected, size_t cap);
int dsml_value_u64(const char *text, uint64_t *out, char *expected, size_t cap);

/* Comma-separated integers in lo..hi, at most max of them, at least one. */
int dsml_value_int_list(const char *text, long long lo, long long hi, int max, int *out, int *count, char *expected,
                        size_t cap);

/* A name that needs no quoting anywhere: lower-case letters, digits, '-',
 * '_' and '.', shorter than `size`. */
int dsml_value_name(const char *text, size_t size, char *expected, size_t cap);

/* A path that needs no shell quoting: letters, digits and . _ - + / : @ % =. */
int dsml_value_plain_path(const char *text, char *expected, size_t cap);

#endif
