/* Error codes and the last error message.
 *
 * Library functions return a dsml_status (0 on success) and, on failure, leave
 * a sentence that names the file, the record and what was expected. Only the
 * CLI prints it. The library never exits.
 *
 * The message is kept per thread. A failure raised on an OpenMP worker thread
 * (inside a parallel region) is also published process-wide, so the thread
 * that opened the region and returns the code reads it with
 * dsml_last_error(): that function gives whichever of the two was recorded
 * last. The first worker failure since the last dsml_clear_error() is kept;
 * the ones after it are most often its consequences. */
#ifndef DSML_CORE_ERROR_H
#define DSML_CORE_ERROR_H

typedef enum {
    DSML_OK = 0,
    DSML_ERR_NOMEM,    /* an allocation failed */
    DSML_ERR_IO,       /* open/read/write/rename failed */
    DSML_ERR_FORMAT,   /* a file's content is not what its format says */
    DSML_ERR_ARG,      /* a caller passed a bad value (bad option, size, name) */
    DSML_ERR_NUMERIC,  /* NaN or inf in inputs or during training */
    DSML_ERR_CHECKSUM, /* content hash differs from the expected one */
    DSML_ERR_NETWORK,  /* a download failed */
    DSML_ERR_STATE,    /* a thing needed first is missing (e.g. not prepared) */
    DSML_ERR_COUNT
} dsml_status;

/* Records a printf-style message for `code` and returns `code`, so that
 * `return dsml_fail(DSML_ERR_IO, "%s: %s", path, strerror(errno));` reads well. */
int dsml_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefixes the current message with more context ("loading cache: <old>"). */
int dsml_fail_context(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The last message recorded on this thread, or a worker thread's failure
 * recorded after it ("" when none). */
const char *dsml_last_error(void);

/* A fixed sentence for a code. */
const char *dsml_strerror(int code);

/* Forgets this thread's message and any published worker failure. */
void dsml_clear_error(void);

#endif
