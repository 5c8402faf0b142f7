/* Dataset manifests: the plain-text files in the repository's datasets/
 * folder (datasets/<name>.manifest) that say which files make up a dataset,
 * where to download them (the official URL, then mirrors), their size and
 * checksums, and the licence. The format is documented field by field in
 * docs/fetch.md; in short, one directive per line:
 *
 *   # comment (also blank lines)
 *   name cifar10
 *   homepage https://www.cs.toronto.edu/~kriz/cifar.html
 *   licence <text>          (repeatable; lines are joined with a space)
 *   note <text>             (repeatable; for people, ignored by fetch)
 *   file <name> size <bytes|unknown> sha256 <hex|hex...|unknown> md5 <hex|unknown>
 *                           (sha256 "7be5be79...": only the first 8..63 digits
 *                            are known, as in torchvision's file names)
 *   url <http(s) URL>       (the official URL of the last `file`)
 *   mirror <http(s) URL>    (repeatable; tried after `url`, in order)
 *   manual <text>           (the last `file` cannot (or may not) be downloaded
 *                            automatically: how a user obtains it)
 *
 * Parsed into a fixed-size struct: nothing is allocated, nothing to free. */
#ifndef DSML_DATA_MANIFEST_H
#define DSML_DATA_MANIFEST_H

#include <stdint.h>

#define DSML_MANIFEST_MAX_FILES 8
#define DSML_MANIFEST_MAX_URLS 6   /* url + mirrors per file */
#define DSML_MANIFEST_URL 512      /* bytes of a URL, NUL included */
#define DSML_MANIFEST_TEXT 1024    /* bytes of licence / manual text */
#define DSML_MANIFEST_NAME 128     /* bytes of a dataset or file name */
#define DSML_MANIFEST_SHA256_PREFIX_MIN 8 /* fewest SHA-256 digits a prefix may give */
#define DSML_MANIFEST_MAX_COPIES 4

typedef struct {
    char name[DSML_MANIFEST_NAME];     /* a plain file name: no '/', not "." or ".." */
    int64_t size;                      /* bytes, or -1 when unknown */
    char sha256[65];                   /* lowercase hex: all 64 digits, or the first 8..63 when the
                                          manifest gives a prefix ("7be5be79..."); "" when unknown */
    char md5[33];                      /* lowercase hex, or "" when unknown */
    int n_urls;                        /* urls[0] is the official URL when n_urls > 0 */
    char urls[DSML_MANIFEST_MAX_URLS][DSML_MANIFEST_URL];
    char manual[DSML_MANIFEST_TEXT];   /* "" unless the file must be obtained by hand */
} dsml_manifest_file;

typedef struct {
    char sha256[65];                   /* all 64 lowercase hex digits */
    char note[DSML_MANIFEST_TEXT];     /* what the copy is, for people ("rebuilt from JPEG copies ...") */
} dsml_manifest_copy;

typedef struct {
    char name[DSML_MANIFEST_NAME];
    char homepage[DSML_MANIFEST_URL];
    char licence[DSML_MANIFEST_TEXT];
    int n_files;
    dsml_manifest_file files[DSML_MANIFEST_MAX_FILES];
    int n_copies;
    dsml_manifest_copy copies[DSML_MANIFEST_MAX_COPIES];
} dsml_manifest;

/* Parses manifest text (NUL-terminated). `source` names it in errors
 * ("datasets/cifar10.manifest: line 4: ..."). On failure returns
 * DSML_ERR_FORMAT with the line number and what was expected; *m is then
 * unspecified. Requirements: one `name`; at least one `file`; every file has
 * `size`, `sha256` and `md5` (each may be "unknown"; sha256 may be a prefix
 * of at least 8 digits followed by "...") and a `url` or `manual`
 * line; `url`, `mirror` and `manual` follow the `file` they describe. */
int dsml_manifest_parse(dsml_manifest *m, const char *text, const char *source);

/* Reads and parses the file at `path` (at most 1 MiB). */
int dsml_manifest_load(dsml_manifest *m, const char *path);

/* The known copy with this full SHA-256, or NULL. */
const dsml_manifest_copy *dsml_manifest_find_copy(const dsml_manifest *m, const char *sha256);

/* The entry for file `name`, or NULL. */
const dsml_manifest_file *dsml_manifest_find(const dsml_manifest *m, const char *name);

#endif
