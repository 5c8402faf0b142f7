/* Values from text, checked whole; see value.h. */
#include "core/value.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

/* 1 when text is written as a plain decimal: digits, a '-' only where
 * negatives are allowed, and (numbers) one '.' and an exponent; strto* would
 * also take leading blanks, a '+', hex and "inf", which no option means. */
static int plain_decimal(const char *text, int minus, int real)
{
    const char *p = text + (minus && *text == '-');
    if (!isdigit((unsigned char)*p) && !(real && *p == '.' && isdigit((unsigned char)p[1]))) return 0;
    int point = 0, exponent = 0;
    for (; *p; p++) {
        if (isdigit((unsigned char)*p)) continue;
        if (real && *p == '.' && !point && !exponent) point = 1;
        else if (real && (*p == 'e' || *p == 'E') && !exponent && isdigit((unsigned char)p[-1 - (p[-1] == '.')])) {
            exponent = 1;
            if (p[1] == '-' || p[1] == '+') p++;
            if (!isdigit((unsigned char)p[1])) return 0;
        } else return 0;
    }
    return 1;
}

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
    if (!plain_decimal(text, lo < 0, 0) || errno || end == text || *end || v < lo || v > hi)
        return expect(expected, cap, "an integer in %.0f..%.0f", (double)lo, (double)hi);
    *out = v;
    return DSML_OK;
}

int dsml_value_number(const char *text, double lo, double hi, double *out, char *expected, size_t cap)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (!plain_decimal(text, 1, 1) || errno || end == text || *end || !isfinite(v) || v < lo || v > hi)
        return expect(expected, cap, "a finite number in [%g, %g]", lo, hi);
    *out = v;
    return DSML_OK;
}

int dsml_value_u64(const char *text, uint64_t *out, char *expected, size_t cap)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (!plain_decimal(text, 0, 0) || errno || end == text || *end)
        return expect(expected, cap, "a non-negative integer", 0, 0);
    *out = (uint64_t)v;
    return DSML_OK;
}

int dsml_value_int_list(const char *text, long long lo, long long hi, int max, int *out, int *count, char *expected,
                        size_t cap)
{
    int n = 0;
    for (const char *p = text;; p++) {
        /* each element whole: "256,,3", "256,", ",3", "+3" and " 3" are errors, not 256,3 */
        char element[32];
        size_t len = strcspn(p, ",");
        snprintf(element, sizeof element, "%.*s", (int)(len < sizeof element ? len : sizeof element - 1), p);
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (len >= sizeof element || !plain_decimal(element, lo < 0, 0) || errno || end != p + len || v < lo ||
            v > hi || n == max) {
            int used = snprintf(expected, cap, "a comma-separated list of at most %d integers in %lld..%lld", max,
                                lo, hi);
            if (used > 0 && (size_t)used < cap && n < max && !len)
                snprintf(expected + used, cap - (size_t)used, " (element %d is empty)", n + 1);
            else if (used > 0 && (size_t)used < cap && n < max)
                snprintf(expected + used, cap - (size_t)used, " (element %d, '%s', is not one)", n + 1, element);
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
