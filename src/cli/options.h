/* Strict parsing of the values of the commands' own options (core/value.h):
 * the whole string must be a finite number in range, else the CLI prints
 * "dsml CMD: --opt VALUE: expected ..." and exits 2. `dsml train`'s options
 * are checked by their table instead (run/train_options.h). */
#ifndef DSML_CLI_OPTIONS_H
#define DSML_CLI_OPTIONS_H

#include <stdint.h>

/* Each returns 0 on success, or prints the error (naming cmd and option) and returns 2. */
int option_int(const char *cmd, const char *opt, const char *value, int lo, int hi, int *out);
int option_float(const char *cmd, const char *opt, const char *value, double lo, double hi, float *out);
int option_u64(const char *cmd, const char *opt, const char *value, uint64_t *out);
/* Copies into a fixed buffer, failing when it does not fit. */
int option_string(const char *cmd, const char *opt, const char *value, char *out, int size);

#endif
