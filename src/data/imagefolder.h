/* The `imagefolder` dataset: a folder, or an archive (tar, tar.gz/.bz2/.xz,
 * zip), of <class>/<image> files, JPEG or PNG, decoded and resized to the
 * model's input size (see image.h, resize.h and docs/imagefolder.md).
 *
 * Paths are relative to the folder or the archive's root:
 *   <class dirs...>/<file>            class = "<class dirs...>", e.g. "alphabet/character"
 *   <split>/<class dirs...>/<file>    with split_dirs: split = "<split>" (train, test, ...)
 * Classes are sorted by name (bytewise) and numbered from 0; images are
 * sorted by path; so labels and order never depend on directory order.
 * Files that are not JPEG or PNG by their magic bytes, and hidden entries
 * (a '.' name, file or folder), are ignored and counted. An image with no
 * class directory is an error naming it. A corrupt image, or a symbolic link
 * that cannot be followed, is an error naming it, or with skip_bad is
 * skipped, named on `log` and counted. Folders are walked as walk.h says.
 * Archives are streamed through archive.h (nothing is extracted to disk); an
 * absolute or ".." member name, a link out of the archive, more decompressed
 * bytes than max_total_bytes, or a member over max_entry_bytes, refuses the
 * whole archive. */
#ifndef DSML_DATA_IMAGEFOLDER_H
#define DSML_DATA_IMAGEFOLDER_H

#include <stdint.h>
#include <stdio.h>

#include "data/archive.h"
#include "data/dataset.h"

#define DSML_IMAGEFOLDER_MAX_TOTAL_BYTES DSML_ARCHIVE_MAX_TOTAL_BYTES /* default cap on decompressed bytes */
#define DSML_IMAGEFOLDER_MAX_FILE_BYTES (256LL << 20) /* default cap on one image file */
#define DSML_IMAGEFOLDER_MAX_SPLITS 255

typedef struct {
    int channels;            /* 1 or 3 */
    int height, width;       /* the model's input size */
    int split_dirs;          /* 1: the first path level names a split */
    int skip_bad;            /* 1: skip corrupt images instead of failing */
    const char *name;        /* dataset name (ds->name); NULL: "imagefolder" */
    int64_t max_total_bytes; /* cap on an archive's decompressed bytes; 0: the default */
    int64_t max_file_bytes;  /* cap on one image file (over it: a bad image); 0: the default */
    int64_t max_entry_bytes; /* cap on any one archive member (over it: the archive is refused); 0: the default */
} dsml_imagefolder_options;

/* What a read found besides the dataset. Zero-initialise; the read fills it;
 * release with dsml_imagefolder_info_free. All arrays are owned by info. */
typedef struct {
    int n_ignored;                          /* files that are not JPEG or PNG, hidden entries */
    int n_skipped;                          /* corrupt images and broken links skipped (skip_bad) */
    char **skipped;                         /* their paths, n_skipped entries, sorted */
    int n_splits;                           /* 0 unless split_dirs */
    char (*split_names)[DSML_DATASET_NAME]; /* n_splits names, sorted */
    uint8_t *split;                         /* ds->n entries: index into split_names */
    int is_archive;                         /* 1 when path was an archive */
} dsml_imagefolder_info;

/* Reads the folder or archive at `path` into ds (which then owns its
 * buffers; release with dsml_dataset_free). ds->source_sha256: for an archive
 * the SHA-256 of its bytes; for a folder the SHA-256 of the sorted list
 * "<file sha256> <size> <relative path>\n" over every regular file.
 * ds->content_sha256: dsml_dataset_content_sha256. info may be NULL.
 * log: NULL, or a stream that gets one line per skipped image.
 * On failure ds and info are zeroed and the message names the file. */
int dsml_imagefolder_read(dsml_dataset *ds, const char *path, const dsml_imagefolder_options *opt, FILE *log,
                          dsml_imagefolder_info *info);

void dsml_imagefolder_info_free(dsml_imagefolder_info *info);

#endif
