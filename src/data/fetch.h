/* Downloads of dataset files listed in a manifest (data/manifest.h), with
 * libcurl: into $root/downloads/<file>.part, resumed with an HTTP Range
 * request when a .part exists (a server that ignores Range and answers 200
 * restarts the file from zero), retried with exponential back-off, aborted
 * when slower than a floor for too long, and verified (size, SHA-256, MD5:
 * whichever the manifest knows; a SHA-256 may be known by its first digits
 * only) before the .part is renamed to
 * $root/downloads/<file>. A file already in $root/downloads/ or $root/ that
 * verifies is used as it is, without any request. Details: docs/fetch.md.
 *
 * The library prints nothing except progress lines to the FILE* given. */
#ifndef DSML_DATA_FETCH_H
#define DSML_DATA_FETCH_H

#include <stdio.h>

#include "data/manifest.h"

typedef struct {
    const char *root;          /* data root (borrowed); downloads go to root/downloads/ */
    const char *url;           /* NULL, or a URL that replaces the manifest's URLs; one ending
                                  in '/' gets the file name appended (borrowed) */
    int attempts;              /* tries per URL, >= 1 (default 4) */
    double backoff_s;          /* wait before the 2nd try; doubles each time (default 2) */
    long connect_timeout_s;    /* default 30 */
    long low_speed_bytes;      /* a transfer slower than this many bytes/s ... (default 1024) */
    long low_speed_time_s;     /* ... for this many seconds is aborted and retried (default 60) */
    FILE *progress;            /* progress and one line per step, or NULL for none (borrowed) */
} dsml_fetch_options;

typedef struct {
    char path[4096];           /* where the verified file is */
    char sha256[65];           /* its SHA-256, computed (also when the manifest has none) */
    int downloaded;            /* 1 when it was downloaded now, 0 when already present */
} dsml_fetch_result;

/* Defaults as documented above, for data root `root`. */
void dsml_fetch_options_default(dsml_fetch_options *o, const char *root);

/* Makes file `f` present and verified, downloading it when needed (URL, then
 * each mirror, `attempts` tries each). Errors:
 *   DSML_ERR_CHECKSUM  the downloaded bytes differ from the manifest (names the
 *                      file, the expected and the found value, a SHA-256
 *                      prefix written "7be5be79..."; the .part is
 *                      removed so the next attempt starts clean);
 *   DSML_ERR_NETWORK   every URL failed (names the last URL and its HTTP status
 *                      or transfer error);
 *   DSML_ERR_STATE     the file has no URL (a `manual` file) and is not present;
 *   DSML_ERR_IO        the data root cannot be written.
 * `result` may be NULL. */
int dsml_fetch_file(const dsml_manifest_file *f, const dsml_fetch_options *o, dsml_fetch_result *result);

/* dsml_fetch_file for every file of the manifest, in order; stops at the first
 * error. A `url` override without a trailing '/' is accepted only for a
 * manifest of one file (DSML_ERR_ARG otherwise). */
int dsml_fetch_dataset(const dsml_manifest *m, const dsml_fetch_options *o);

/* MD5 (RFC 1321) of a buffer as 32 lowercase hex digits + NUL; used to check
 * the checksums the dataset authors publish. */
void dsml_fetch_md5_hex(const void *data, size_t size, char hex[33]);

#endif
