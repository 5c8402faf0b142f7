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
    /* Append ": <previous>", cut to fit. */
    size_t used = n < 0 ? 0 : (size_t)n;
    for (const char *p = ": "; previous[0] && *p && used + 1 < sizeof last_message; p++) last_message[used++] = *p;
    for (const char *p = previous; previous[0] && *p && used + 1 < sizeof last_message; p++) last_message[used++] = *p;
    if (used < sizeof last_message) last_message[used] = '\0';
    return code;
}

const char *dsml_last_error(void) { return last_message; }

const char *dsml_strerror(int code)
{
    if (code < 0 || code >= DSML_ERR_COUNT) return "unknown error";
    return sentences[code];
}

void dsml_clear_error(void) { last_message[0] = '\0'; }
