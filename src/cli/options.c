/* Strict option values for the commands' own parsers, on core/value.h (the
 * training options go through run/train_options.h); see options.h. */
#include "cli/options.h"

#include <stdio.h>
#include <string.h>

#include "core/value.h"

static int refuse(const char *cmd, const char *opt, const char *value, const char *expected)
{
    fprintf(stderr, "dsml %s: %s %s: expected %s\n", cmd, opt, value, expected);
    return 2;
}

int option_int(const char *cmd, const char *opt, const char *value, int lo, int hi, int *out)
{
    char expected[128];
    long long v;
    if (dsml_value_int(value, lo, hi, &v, expected, sizeof expected)) return refuse(cmd, opt, value, expected);
    *out = (int)v;
    return 0;
}

int option_float(const char *cmd, const char *opt, const char *value, double lo, double hi, float *out)
{
    char expected[128];
    double v;
    if (dsml_value_number(value, lo, hi, &v, expected, sizeof expected)) return refuse(cmd, opt, value, expected);
    *out = (float)v;
    return 0;
}

int option_u64(const char *cmd, const char *opt, const char *value, uint64_t *out)
{
    char expected[128];
    if (dsml_value_u64(value, out, expected, sizeof expected)) return refuse(cmd, opt, value, expected);
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
