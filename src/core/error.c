/* Error messages kept per thread, worker failures published; see error.h. */
#include "core/error.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

enum { MESSAGE_SIZE = 1024 };

/* Every recorded message takes the next stamp, so the newer of this thread's
 * message and a worker's can be told apart. */
static unsigned long stamp_counter;
static unsigned long serial_stamp; /* the newest message recorded outside a parallel region */

static _Thread_local char last_message[MESSAGE_SIZE];
static _Thread_local unsigned long last_stamp;

static pthread_mutex_t worker_lock = PTHREAD_MUTEX_INITIALIZER;
static char worker_message[MESSAGE_SIZE]; /* guarded by worker_lock */
static unsigned long worker_stamp;        /* 0: none */

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

static int in_worker(void)
{
#ifdef _OPENMP
    return omp_in_parallel();
#else
    return 0;
#endif
}

/* Stamps this thread's new message and, on a worker, publishes it unless
 * another worker of the same region published first (no message was recorded
 * outside a region since). */
static void recorded(void)
{
    last_stamp = __atomic_add_fetch(&stamp_counter, 1, __ATOMIC_RELAXED);
    if (!in_worker()) {
        __atomic_store_n(&serial_stamp, last_stamp, __ATOMIC_RELAXED);
        return;
    }
    pthread_mutex_lock(&worker_lock);
    if (!worker_stamp || worker_stamp < __atomic_load_n(&serial_stamp, __ATOMIC_RELAXED)) {
        memcpy(worker_message, last_message, sizeof worker_message);
        worker_stamp = last_stamp;
    }
    pthread_mutex_unlock(&worker_lock);
}

int dsml_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_message, sizeof last_message, fmt, ap);
    va_end(ap);
    recorded();
    return code;
}

int dsml_fail_context(int code, const char *fmt, ...)
{
    char previous[MESSAGE_SIZE];
    memcpy(previous, dsml_last_error(), sizeof previous);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(last_message, sizeof last_message, fmt, ap);
    va_end(ap);
    /* Append ": <previous>", cut to fit. */
    size_t used = n < 0 ? 0 : (size_t)n < sizeof last_message ? (size_t)n : sizeof last_message - 1;
    for (const char *p = ": "; previous[0] && *p && used + 1 < sizeof last_message; p++) last_message[used++] = *p;
    for (const char *p = previous; previous[0] && *p && used + 1 < sizeof last_message; p++) last_message[used++] = *p;
    last_message[used] = '\0';
    recorded();
    return code;
}

const char *dsml_last_error(void)
{
    static _Thread_local char copy[MESSAGE_SIZE];
    pthread_mutex_lock(&worker_lock);
    int newer = worker_stamp > last_stamp;
    if (newer) memcpy(copy, worker_message, sizeof copy);
    pthread_mutex_unlock(&worker_lock);
    return newer ? copy : last_message;
}

const char *dsml_strerror(int code)
{
    if (code < 0 || code >= DSML_ERR_COUNT) return "unknown error";
    return sentences[code];
}

void dsml_clear_error(void)
{
    last_message[0] = '\0';
    last_stamp = __atomic_add_fetch(&stamp_counter, 1, __ATOMIC_RELAXED);
    pthread_mutex_lock(&worker_lock);
    worker_message[0] = '\0';
    worker_stamp = 0;
    pthread_mutex_unlock(&worker_lock);
}
