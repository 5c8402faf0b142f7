/* Error messages kept per thread; see error.h. */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char last_message[1024];

static const char *const sentences[DSML_ERR_COUNT] = {
    [DSML_OK] = "success",
    [DSML_ERR_NOMEM] = "out of memory",
    [DSML_ERR_IO] = "input/output error",
    [DSML_ERR_FORMAT] = "malformed input",
    [DSML_ERR_ARG] = "invalid argument",
    [DSML_ERR_NUMERIC] = "non-finite number",
    [DSML_ERR_CHECKSUM] = "checksum mismatch",
    [DSML_ERR_NETWORK] = "download failed",
    [DSML_ERR_STATE] = "missing prerequisite",
};

int dsml_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_message, sizeof last_message, fmt, ap);
    va_end(ap);
    return code;
}

int dsml_fail_context(int code, const char *fmt, ...)
{
    char previous[sizeof last_message];
    memcpy(previous, last_message, sizeof previous);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(last_message, sizeof last_message, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof last_message && previous[0])
        snprintf(last_message + n, sizeof last_message - (size_t)n, ": %s", previous);
    return code;
}

const char *dsml_last_error(void) { return last_message; }

const char *dsml_strerror(int code)
{
    if (code < 0 || code >= DSML_ERR_COUNT) return "unknown error";
    return sentences[code];
}

void dsml_clear_error(void) { last_message[0] = '\0'; }
