/* Values from text, checked whole; see value.h. */
#include "core/value.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

static int expect(char *expected, size_t cap, const char *fmt, double a, double b)
{
    snprintf(expected, cap, fmt, a, b);
    return DSML_ERR_ARG;
}

int dsml_value_int(const char *text, long long lo, long long hi, long long *out, char *expected, size_t cap)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < lo || v > hi)
        return expect(expected, cap, "an integer in %.0f..%.0f", (double)lo, (double)hi);
    *out = v;
    return DSML_OK;
}

int dsml_value_number(const char *text, double lo, double hi, double *out, char *expected, size_t cap)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(v) || v < lo || v > hi)
        return expect(expected, cap, "a finite number in [%g, %g]", lo, hi);
    *out = v;
    return DSML_OK;
}

int dsml_value_u64(const char *text, uint64_t *out, char *expected, size_t cap)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-') return expect(expected, cap, "a non-negative integer", 0, 0);
    *out = (uint64_t)v;
    return DSML_OK;
}

int dsml_value_int_list(const char *text, long long lo, long long hi, int max, int *out, int *count, char *expected,
                        size_t cap)
{
    int n = 0;
    for (const char *p = text;; p++) {
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (errno || end == p || v < lo || v > hi || (*end && *end != ',') || n == max) {
            snprintf(expected, cap, "a comma-separated list of at most %d integers in %lld..%lld", max, lo, hi);
            return DSML_ERR_ARG;
        }
        out[n++] = (int)v;
        if (!*end) break;
        p = end;
    }
    *count = n;
    return DSML_OK;
}

int dsml_value_name(const char *text, size_t size, char *expected, size_t cap)
{
    size_t len = strlen(text);
    int ok = len > 0 && len < size;
    for (const char *p = text; ok && *p; p++)
        ok = islower((unsigned char)*p) || isdigit((unsigned char)*p) || strchr("-_.", *p);
    if (!ok)
        snprintf(expected, cap, "a name of lower-case letters, digits, '-', '_' and '.' (1..%zu of them)", size - 1);
    return ok ? DSML_OK : DSML_ERR_ARG;
}

int dsml_value_plain_path(const char *text, char *expected, size_t cap)
{
    int ok = *text != '\0';
    for (const char *p = text; ok && *p; p++) ok = isalnum((unsigned char)*p) || strchr("._-+/:@%=", *p);
    if (!ok) snprintf(expected, cap, "a path of letters, digits and . _ - + / : @ %% = only");
    return ok ? DSML_OK : DSML_ERR_ARG;
}
