/* The prepared-dataset cache file ("<root>/cache/<name>.dsd"), read with mmap.
 *
 * Layout (all integers little-endian; docs/formats.md has the same table):
 *
 *   offset  size  field
 *        0     8  magic "DSMLDSD1"
 *        8     4  u32 version: 1; 2 when the extension block below is present;
 *                 3 when it also holds label bits (multi-label datasets)
 *       12     4  u32 n, images (>= 1)
 *       16     4  u32 channels C
 *       20     4  u32 height H
 *       24     4  u32 width W
 *       28     4  u32 n_classes (>= 1)
 *       32    64  name, NUL-padded (NUL-terminated)
 *       96    64  source SHA-256, 64 lowercase hex digits (no NUL)
 *      160    64  content SHA-256 of labels (int32 LE) then pixels, 64 hex digits
 *      224  1024  parameters string, NUL-padded: what produced the file (reader
 *                 version, source path, source sizes and mtimes); a different
 *                 string means the cache is stale
 *     1248     8  u64 labels_offset: version 1: 1280 + 64 n_classes;
 *                 version 2: E + 64 + 64 n_splits + (n_splits ? n : 0) + S,
 *                 rounded up to 64 (E and S below); version 3: B + 8 n
 *                 rounded up to 64 (B below)
 *     1256     8  u64 pixels_offset = labels_offset + 4 n rounded up to 64
 *     1264     8  u64 file_size = pixels_offset + n C H W (the exact file size)
 *     1272     4  u32 reserved, 0
 *     1276     4  u32 header CRC-32 (zlib's) of bytes [0, labels_offset) with
 *                 these 4 bytes taken as 0: covers the header and class names
 *     1280  64 n_classes  class names, 64 bytes each, NUL-padded
 *   versions 2 and 3, from E = 1280 + 64 n_classes (the extension block):
 *   E         4  u32 n_ignored, files that were not JPEG or PNG
 *   E+4       4  u32 n_skipped, corrupt images skipped (--skip-bad)
 *   E+8       4  u32 n_splits, 0..255 (--split-dirs)
 *   E+12      4  u32 L, label bits per image: 0 in version 2; 1..64 (and
 *                 at most n_classes) in version 3
 *   E+16      8  u64 S, bytes of the skipped names block
 *   E+24     40  reserved, 0
 *   E+64     64 n_splits  split names, 64 bytes each, NUL-padded
 *   then      n  u8 split index of each image (only when n_splits > 0)
 *   then      S  the n_skipped paths, each NUL-terminated, sorted
 *   version 3: zero padding to B, the next multiple of 8, then
 *   B       8 n  u64 label bits of each image: bit k set when it has label k
 *                (k < L, named by class name k); no bit at or above L
 *   (zero padding to labels_offset; all of this is under the header CRC)
 *   labels_offset  4 n  int32 labels, each in [0, n_classes)
 *   (zero padding to a multiple of 64)
 *   pixels_offset  n C H W  uint8 pixels, planar CHW per image
 */
#ifndef DSML_DATA_CACHE_H
#define DSML_DATA_CACHE_H

#include <stdio.h>

#include "data/dataset.h"

#define DSML_CACHE_MAGIC "DSMLDSD1"
#define DSML_CACHE_VERSION 3   /* the newest version read and written */
#define DSML_CACHE_HEADER 1280
#define DSML_CACHE_PARAMS 1024   /* bytes of the parameters field, NUL included */

typedef enum {
    DSML_CACHE_TRUST_CONTENT = 0,  /* validate the header and sizes only */
    DSML_CACHE_VERIFY_CONTENT = 1, /* also recompute the content SHA-256 */
} dsml_cache_check;

/* Writes ds to `path` atomically (temp file + rename: on any failure nothing
 * is left and an existing file is untouched). Version 1 when ds has no
 * ignored, skipped or split data (so fashion-mnist and cifar10 caches are
 * byte-identical to those of earlier releases), version 3 when ds has label
 * bits, else version 2. The content hash is computed
 * here from ds's labels and pixels (ds->content_sha256 is not trusted);
 * ds->source_sha256 must be 64 hex digits; params at most 1023 bytes. */
int dsml_cache_write(const char *path, const dsml_dataset *ds, const char *params);

/* Maps the cache at `path` into ds after validating every header field and
 * size against the file size, the header CRC and every label; with
 * DSML_CACHE_VERIFY_CONTENT also the content hash (DSML_ERR_CHECKSUM when it
 * differs). Versions 1, 2 and 3 are read; the skipped and split names are
 * copied into ds (owned), the split index and label bits point into the map. params (may be NULL) receives the parameters string. ds is zeroed
 * on failure; on success release it with dsml_dataset_free. */
int dsml_cache_open(dsml_dataset *ds, const char *path, dsml_cache_check check, char params[DSML_CACHE_PARAMS]);

/* Produces a dataset from its source; ds is filled (and owned) on success. */
typedef int (*dsml_prepare_fn)(dsml_dataset *ds, void *context);

/* Opens the cache at `path` when it is valid and its parameters string equals
 * `params`; else calls prepare, writes the result to `path` (creating its
 * folder) and opens that. With prepare == NULL a valid cache is used whatever
 * its parameters (the source is gone), and a missing or broken one is an
 * error. `log` (may be NULL) gets one line per step, prefixed "data: ". */
int dsml_cache_ensure(dsml_dataset *ds, const char *path, const char *params, dsml_prepare_fn prepare,
                      void *context, dsml_cache_check check, FILE *log);

/* dsml_cache_ensure that also tells whether the cache was written now:
 * *prepared (may be NULL) is 1 when prepare ran and the cache was (re)written,
 * 0 when the existing cache was used. */
int dsml_cache_refresh(dsml_dataset *ds, const char *path, const char *params, dsml_prepare_fn prepare,
                       void *context, dsml_cache_check check, FILE *log, int *prepared);

#endif
