/* Atomic file writes: write to "<path>.tmp.<pid>", fsync, rename over <path>.
 * A reader sees either the old file or the whole new one, never a part;
 * a crash leaves at most a temp file, which nothing reads. */
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

/* mkdir -p. */
int dsml_mkdirs(const char *path);

#endif
