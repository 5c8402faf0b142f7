/* Streaming members out of an archive (tar, optionally gzip/bzip2/xz
 * compressed) with libarchive, without extracting anything to disk, while
 * hashing the archive's raw bytes in the same pass.
 *
 * Every member name is checked: an absolute path or a ".." component makes
 * the whole archive an error (a well-formed dataset archive never has one).
 *
 *   dsml_archive *a;
 *   dsml_archive_open(&a, path);
 *   while (!(rc = dsml_archive_next(a, &m)) && m.name) { ... dsml_archive_read(a, buf, m.size) ... }
 *   dsml_archive_close(a, sha256_hex);   // drains the rest, gives the archive's SHA-256
 */
#ifndef DSML_DATA_ARCHIVE_H
#define DSML_DATA_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

typedef struct dsml_archive dsml_archive;

typedef struct {
    const char *name;      /* member path without a leading "./"; NULL at the end */
    const char *base;      /* the part after the last '/' */
    int64_t size;          /* declared size in bytes (0 for non-files) */
    int is_file;           /* 1 for a regular file */
} dsml_archive_member;

/* Opens `path`; *a is owned by the caller and released by dsml_archive_close. */
int dsml_archive_open(dsml_archive **a, const char *path);
/* Moves to the next member; m->name is NULL after the last one. The strings
 * in m stay valid until the next call. */
int dsml_archive_next(dsml_archive *a, dsml_archive_member *m);
/* Reads exactly `size` bytes of the current member's data into buf; an error
 * naming the member when fewer are there. */
int dsml_archive_read(dsml_archive *a, void *buf, size_t size);
/* Reads the rest of the file so that sha256_hex (may be NULL) is the hash of
 * all of the archive's bytes, then releases a. Safe with a == NULL. */
int dsml_archive_close(dsml_archive *a, char sha256_hex[65]);

#endif
