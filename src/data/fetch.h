/* Downloads of dataset files listed in a manifest (data/manifest.h), with
 * libcurl, over http and https only: into $root/downloads/<file>.part,
 * resumed with an HTTP Range request when a .part exists and can be trusted
 * (a validator recorded beside it in <file>.part.meta is sent back as
 * If-Range, or the manifest has a checksum that would catch a mix of
 * versions; otherwise the .part is discarded), retried with exponential
 * back-off when the failure is transient, given up on when the server
 * stalls, refused when the server answers an HTML page, and verified (size,
 * SHA-256, MD5: whichever the manifest knows; a SHA-256 may be known by its
 * first digits only) before the .part is renamed to $root/downloads/<file>.
 * Without any checksum the file is accepted unverified and the SHA-256 of
 * what arrived is written to $root/downloads/<file>.sha256. A file already in
 * $root/downloads/ or $root/ that verifies is used as it is, without any
 * request. Details: docs/fetch.md.
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
    long connect_timeout_s;    /* give up connecting (DNS, TCP, TLS) after this long; retried (default 30) */
    long stall_timeout_s;      /* >= 1: a transfer receiving less than 1 byte/s for this long is aborted,
                                  and that URL is not tried again: the limit is the total a stalled
                                  server costs, not a per-try one (default 60) */
    FILE *progress;            /* progress and one line per step, or NULL for none (borrowed) */
} dsml_fetch_options;

typedef struct {
    char path[4096];           /* where the verified file is */
    char sha256[65];           /* its SHA-256, computed (also when the manifest has none) */
    int downloaded;            /* 1 when it was downloaded now, 0 when already present */
    int verified;              /* 1 when a checksum of the manifest (SHA-256, its prefix or MD5) matched;
                                  0 when the manifest has none: only the size, if known, was checked */
    char sha256_path[4104];    /* where the SHA-256 of an unverified download was recorded
                                  ("<path>.sha256"), else "" */
} dsml_fetch_result;

/* Defaults as documented above, for data root `root`. */
void dsml_fetch_options_default(dsml_fetch_options *o, const char *root);

/* Makes file `f` present and verified, downloading it when needed (URL, then
 * each mirror, `attempts` tries each). Errors:
 *   DSML_ERR_CHECKSUM  the downloaded bytes differ from the manifest (names the
 *                      file, the expected and the found value, a SHA-256
 *                      prefix written "7be5be79..."; the .part is
 *                      removed so the next attempt starts clean);
 *   DSML_ERR_NETWORK   every URL failed (names the last URL and its HTTP status,
 *                      transfer error, stall, or that it answered an HTML page);
 *   DSML_ERR_STATE     the file has no URL (a `manual` file) and is not present;
 *   DSML_ERR_IO        the data root cannot be written;
 *   DSML_ERR_ARG       bad options (attempts or stall limit below 1).
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
