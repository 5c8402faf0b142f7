/* Per-test temporary directories: each test works in its own directory under
 * $TMPDIR, removed when the test passes and kept (path printed) when it fails. */
#ifndef DSML_TESTS_TESTDIR_H
#define DSML_TESTS_TESTDIR_H

#include <stddef.h>

/* Creates a fresh directory and returns its path (static storage per call site
 * is not needed: the string lives until testdir_done). */
const char *testdir_make(const char *name);
/* Removes the directory if `passed`, else prints where it is. */
void testdir_done(int passed);
/* Path join into a static buffer rotating over 8 slots. */
const char *testdir_path(const char *file);
/* Where ../shared is, or NULL (tests that need it skip with a message). */
const char *testdir_shared(void);

/* Writes a file in one go, failing the test on any error. */
void testdir_write(const char *path, const void *data, size_t size);
void testdir_write_text(const char *path, const char *text);

#endif
