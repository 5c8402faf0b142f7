/* Streaming members out of an archive (tar, optionally gzip/bzip2/xz
 * compressed, or zip) with libarchive, without extracting anything to disk,
 * while hashing the archive's raw bytes in the same pass. Every reader of an
 * archive (cifar10, imagefolder, cub200, cars196, nus-wide) goes through here,
 * so the checks below hold for all of them.
 *
 * Checks, each an error naming the archive and the member:
 *   - a member name that is absolute or has a ".." component;
 *   - a symbolic link whose target is absolute or climbs out of the archive's
 *     root (resolved from the link's own folder), a hard link to such a name;
 *     links are never followed, they are only listed (is_file 0);
 *   - a decompression bomb: more than limits.max_total_bytes decompressed
 *     bytes in all (before reading when members declare their sizes, else as
 *     soon as the count passes the cap; a member skipped unread counts with
 *     its declared size, since it is decompressed all the same), or one
 *     member of more than limits.max_entry_bytes.
 *
 *   dsml_archive *a;
 *   dsml_archive_open(&a, path, NULL);        // NULL: default limits
 *   while (!(rc = dsml_archive_next(a, &m)) && m.name) { ... dsml_archive_read(a, buf, m.size) ... }
 *   dsml_archive_close(a, sha256_hex);   // drains the rest, gives the archive's SHA-256
 */
#ifndef DSML_DATA_ARCHIVE_H
#define DSML_DATA_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#define DSML_ARCHIVE_MAX_TOTAL_BYTES (64LL << 30) /* default cap on decompressed bytes, 64 GiB */
#define DSML_ARCHIVE_MAX_ENTRY_BYTES (1LL << 30)  /* default cap on one member, 1 GiB */

typedef struct dsml_archive dsml_archive;

/* Caps on what one archive may decompress to; 0 (or less) means the default. */
typedef struct {
    int64_t max_total_bytes;
    int64_t max_entry_bytes;
} dsml_archive_limits;

typedef struct {
    const char *name;      /* member path without a leading "./"; NULL at the end */
    const char *base;      /* the part after the last '/' */
    int64_t size;          /* declared size in bytes (0 for non-files; -1 when not declared) */
    int is_file;           /* 1 for a regular file */
} dsml_archive_member;

/* Opens `path`; *a is owned by the caller and released by dsml_archive_close.
 * limits may be NULL (the defaults). */
int dsml_archive_open(dsml_archive **a, const char *path, const dsml_archive_limits *limits);
/* Moves to the next member; m->name is NULL after the last one. The strings
 * in m stay valid until the next call. */
int dsml_archive_next(dsml_archive *a, dsml_archive_member *m);
/* Reads exactly `size` bytes of the current member's data into buf; an error
 * naming the member when fewer are there. */
int dsml_archive_read(dsml_archive *a, void *buf, size_t size);
/* Reads up to cap bytes of the current member into buf; *got is 0 at its end.
 * Counts the bytes against the caps. */
int dsml_archive_read_some(dsml_archive *a, void *buf, size_t cap, size_t *got);
/* Reads the whole current member into *buf (grown with realloc as needed;
 * *buf and *cap are the caller's, start them at NULL and 0, free *buf when
 * done); *size receives its length. One byte past the end is kept free, so
 * a text member can be NUL-terminated in place. */
int dsml_archive_read_member(dsml_archive *a, uint8_t **buf, size_t *cap, size_t *size);
/* The archive's path and the current member's name, for messages. */
const char *dsml_archive_path(const dsml_archive *a);
/* Decompressed bytes read so far (all members). */
int64_t dsml_archive_total(const dsml_archive *a);
/* Reads the rest of the file so that sha256_hex (may be NULL) is the hash of
 * all of the archive's bytes, then releases a. Safe with a == NULL. */
int dsml_archive_close(dsml_archive *a, char sha256_hex[65]);

/* 1 when a member name could escape the folder it would be extracted to:
 * absolute, or a ".." component. */
int dsml_archive_unsafe_name(const char *name);
/* 1 when a symbolic link at member `name` pointing at `target` would reach
 * outside the archive's root: an absolute target, or more ".." than the
 * folders it climbs from. */
int dsml_archive_link_escapes(const char *name, const char *target);

#endif
