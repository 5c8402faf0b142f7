/* What the harnesses share: a private temporary folder for the readers that
 * take a path, a NUL-terminated copy of the input for the text readers, and
 * the checks every reader's contract asks for after a call. */
#ifndef DSML_FUZZ_UTIL_H
#define DSML_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Writes data to <dir>/<name> in this process's own folder under /tmp (made
 * on first use, removed at exit; parallel workers never share one) and
 * returns the path (static storage, valid until the next call). name may hold
 * one level of subfolder ("batches/x.bin"); the subfolder is made. */
const char *fuzz_file(const char *name, const uint8_t *data, size_t size);

/* This process's folder (made on first use). */
const char *fuzz_dir(void);

/* A malloc'd copy of data with a NUL after it; the caller frees it. Embedded
 * NULs are kept (a text reader sees the text up to the first one). */
char *fuzz_text(const uint8_t *data, size_t size);

/* Before a reader runs: forgets the last message. */
void fuzz_begin(void);

/* After a reader returned rc: a status outside dsml_status, or a failure
 * that left no message, breaks the library's contract (core/error.h), and
 * traps so that libFuzzer saves the input. Returns rc. With FUZZ_VERBOSE set
 * in the environment, each verdict is printed ("fuzz: read", or the message),
 * to see why a seed or a reproducer is refused. */
int fuzz_status(int rc);

/* Traps (saving the input) when cond is false; what names the broken promise. */
void fuzz_expect(int cond, const char *what);

#endif
