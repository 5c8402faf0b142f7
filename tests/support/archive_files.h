/* Archives for tests (libarchive's writer): a list of members, each a file,
 * a folder (a name ending in '/') or a symbolic link, written in order as
 * tar.gz or zip. */
#ifndef DSML_TESTS_ARCHIVE_FILES_H
#define DSML_TESTS_ARCHIVE_FILES_H

#include <stddef.h>

typedef struct {
    const char *name;
    const void *data;  /* a file's bytes (size of them) */
    size_t size;
    const char *link;  /* not NULL: a symbolic link to this target */
} archive_member;

typedef enum {
    TEST_ARCHIVE_TGZ,        /* pax (restricted) tar, gzip */
    TEST_ARCHIVE_GNUTAR_GZ,  /* GNU tar, gzip */
    TEST_ARCHIVE_ZIP,
} test_archive_format;

void archive_write_members(const char *path, const archive_member *m, int n, test_archive_format format);

#endif
