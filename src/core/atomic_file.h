/* Atomic file writes: write to "<path>.tmp.<host>.<pid>", fsync, rename over
 * <path>. A reader sees either the old file or the whole new one, never a
 * part; a crash leaves at most a temp file, which nothing reads and which
 * dsml_atomic_remove_stale removes later. The host name (letters, digits, '-'
 * and '_' kept, anything else written '_') is in the name because folders are
 * shared between machines (a cluster's results folder), where a pid means
 * nothing on another host. */
#ifndef DSML_CORE_ATOMIC_FILE_H
#define DSML_CORE_ATOMIC_FILE_H

#include <stdio.h>

typedef struct {
    FILE *fp;          /* write here between begin and commit */
    char path[4096];   /* final name */
    char temp[4096];   /* temporary name */
} dsml_atomic_file;

/* Opens the temp file. On failure nothing is left behind. */
int dsml_atomic_begin(dsml_atomic_file *f, const char *path);
/* Flushes, fsyncs, closes and renames; on any failure the temp file is
 * removed and an error naming the path is returned. */
int dsml_atomic_commit(dsml_atomic_file *f);
/* Closes and removes the temp file (after an error while writing). */
void dsml_atomic_abort(dsml_atomic_file *f);

/* Whole-buffer convenience. */
int dsml_atomic_write(const char *path, const void *data, size_t size);

/* Removes the temp files in `dir` (not below it) left by processes that
 * ended before committing: "<name>.tmp.<host>.<pid>" of this host whose pid
 * no longer exists (kill(pid, 0) fails with ESRCH), and the older form
 * "<name>.tmp.<pid>" whose pid no longer exists here. Temps of other hosts and
 * of live processes (of any user) are kept. *removed (may be NULL) gets the
 * count. A folder that does not exist holds nothing: DSML_OK, 0. */
int dsml_atomic_remove_stale(const char *dir, int *removed);

/* mkdir -p. */
int dsml_mkdirs(const char *path);

#endif
