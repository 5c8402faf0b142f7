/* Strict parsing of option values: the whole string must be a finite number
 * in range, else the CLI prints "dsml CMD: --opt VALUE: expected ..." and exits 2. */
#ifndef DSML_CLI_OPTIONS_H
#define DSML_CLI_OPTIONS_H

#include <stdint.h>

/* Each returns 0 on success, or prints the error (naming cmd and option) and returns 2. */
int option_int(const char *cmd, const char *opt, const char *value, int lo, int hi, int *out);
int option_float(const char *cmd, const char *opt, const char *value, double lo, double hi, float *out);
int option_u64(const char *cmd, const char *opt, const char *value, uint64_t *out);
/* Comma-separated positive ints, e.g. "512,256". */
int option_int_list(const char *cmd, const char *opt, const char *value, int *out, int max, int *count);
/* Copies into a fixed buffer, failing when it does not fit. */
int option_string(const char *cmd, const char *opt, const char *value, char *out, int size);

#endif
