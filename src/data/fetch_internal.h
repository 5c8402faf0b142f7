/* What the files of the downloader share (fetch.c, fetch_http.c,
 * fetch_part.c, fetch_verify.c); not part of the library's interface, which
 * is data/fetch.h. */
#ifndef DSML_DATA_FETCH_INTERNAL_H
#define DSML_DATA_FETCH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "data/fetch.h"
#include "data/manifest.h"

/* ------------------------------------------------------------ fetch.c */

/* One line to the progress stream, if any. */
void dsml_fetch_note(const dsml_fetch_options *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Size of a regular file, or -1. */
int64_t dsml_fetch_file_size(const char *path);

/* ----------------------------------------------------- fetch_verify.c */

/* 1 when the manifest gives a checksum of `f` (a SHA-256, a SHA-256 prefix
 * or an MD5): then a mix of two versions of the file cannot pass. A size
 * alone is not a checksum. */
int dsml_fetch_has_checksum(const dsml_manifest_file *f);

/* Checks the file at `path` against what the manifest knows of `f`; fills
 * sha[65] with the file's SHA-256. DSML_ERR_CHECKSUM names file, expected,
 * found; DSML_ERR_IO when it cannot be read. */
int dsml_fetch_verify(const dsml_manifest_file *f, const char *path, char sha[65]);

/* Writes "<sha>  <name>\n" (sha256sum's format) to `record`, atomically. */
int dsml_fetch_record_sha256(const char *record, const char *name, const char sha[65]);

/* ------------------------------------------------------- fetch_part.c */

/* Where the next request for `part` starts: its size when the .part may be
 * continued, with if_range[cap] set to the validator recorded in `meta`
 * ("" when none, and then only because the manifest has a checksum); else
 * 0, after removing the .part and `meta`. */
int64_t dsml_fetch_part_plan(const dsml_manifest_file *f, const dsml_fetch_options *o, const char *part,
                             const char *meta, char *if_range, size_t cap);

/* Records the validator of a response whose body is being written to the
 * .part from byte 0: a strong ETag, else Last-Modified ("" for absent).
 * Without either, `meta` is removed. Atomic; DSML_ERR_IO names `meta`. */
int dsml_fetch_part_record(const char *meta, const char *url, const char *etag, const char *last_modified);

/* Removes the .part and its meta (either may be absent). */
void dsml_fetch_part_drop(const char *part, const char *meta);

/* ------------------------------------------------------- fetch_http.c */

typedef enum {
    DSML_FETCH_DONE,      /* the .part is complete as far as HTTP can tell */
    DSML_FETCH_RETRY,     /* a transient failure: try this URL again after the back-off */
    DSML_FETCH_NEXT_URL,  /* a failure that trying again would repeat: go on with the next URL */
    DSML_FETCH_FATAL,     /* the data root cannot be written: stop */
} dsml_fetch_step;

/* One HTTP request continuing (or starting) `part` from `url` with the
 * handle `curl` (reset here). Leaves the reason in the error message when
 * the step is not DSML_FETCH_DONE. */
dsml_fetch_step dsml_fetch_transfer(void *curl, const dsml_manifest_file *f, const dsml_fetch_options *o,
                                    const char *url, const char *part, const char *meta);

#endif
