/* Strict option values; see options.h. */
#include "cli/options.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int option_int(const char *cmd, const char *opt, const char *value, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || end == value || *end || v < lo || v > hi) {
        fprintf(stderr, "dsml %s: %s %s: expected an integer in %d..%d\n", cmd, opt, value, lo, hi);
        return 2;
    }
    *out = (int)v;
    return 0;
}

int option_float(const char *cmd, const char *opt, const char *value, double lo, double hi, float *out)
{
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    if (errno || end == value || *end || !isfinite(v) || v < lo || v > hi) {
        fprintf(stderr, "dsml %s: %s %s: expected a finite number in [%g, %g]\n", cmd, opt, value, lo, hi);
        return 2;
    }
    *out = (float)v;
    return 0;
}

int option_u64(const char *cmd, const char *opt, const char *value, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(value, &end, 10);
    if (errno || end == value || *end || value[0] == '-') {
        fprintf(stderr, "dsml %s: %s %s: expected a non-negative integer\n", cmd, opt, value);
        return 2;
    }
    *out = (uint64_t)v;
    return 0;
}

int option_int_list(const char *cmd, const char *opt, const char *value, int *out, int max, int *count)
{
    char buf[256];
    if (option_string(cmd, opt, value, buf, sizeof buf)) return 2;
    *count = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (*count >= max) {
            fprintf(stderr, "dsml %s: %s %s: at most %d values\n", cmd, opt, value, max);
            return 2;
        }
        if (option_int(cmd, opt, tok, 1, 1 << 20, &out[*count])) return 2;
        (*count)++;
    }
    if (*count == 0) {
        fprintf(stderr, "dsml %s: %s '%s': expected a comma-separated list of sizes\n", cmd, opt, value);
        return 2;
    }
    return 0;
}

int option_string(const char *cmd, const char *opt, const char *value, char *out, int size)
{
    if ((int)strlen(value) >= size) {
        fprintf(stderr, "dsml %s: %s: value longer than %d characters\n", cmd, opt, size - 1);
        return 2;
    }
    snprintf(out, (size_t)size, "%s", value);
    return 0;
}
