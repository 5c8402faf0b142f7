/* A labelled image dataset in memory, and the one entry point the trainer
 * calls to get one (dsml_data_open: prepared cache, preparing it first when
 * missing or stale; the dataset kinds are in the registry, data/kind.h).
 *
 * Images are uint8, planar CHW per image, stored one after another:
 * pixel (channel k, row r, column c) of image i is
 * pixels[((i * C + k) * H + r) * W + c]. Labels are int32 in [0, n_classes).
 * A dataset either owns malloc'd buffers (from a reader) or an mmap of a cache
 * file (from dsml_cache_open); dsml_dataset_free releases whichever it holds. */
#ifndef DSML_DATA_DATASET_H
#define DSML_DATA_DATASET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define DSML_DATASET_NAME 64   /* bytes of a name or class name, NUL included */

typedef struct {
    char name[DSML_DATASET_NAME];          /* "fashion-mnist", "cifar10" */
    int n, channels, height, width, n_classes;
    char (*class_names)[DSML_DATASET_NAME]; /* n_classes entries, owned */
    const uint8_t *pixels;                 /* n x C x H x W (read-only; may be mmap'd) */
    const int32_t *labels;                 /* n, each in [0, n_classes) */
    char source_sha256[65];                /* of the source files (see docs/formats.md) */
    char content_sha256[65];               /* of labels (int32 LE), label bits (u64 LE, if any), pixels */
    /* What an imagefolder read found besides the images (all zero for
     * fashion-mnist and cifar10; stored in the cache, format version 2): */
    int n_ignored;                         /* files that were not JPEG or PNG */
    int n_skipped;                         /* corrupt images skipped (--skip-bad) */
    char **skipped;                        /* their paths: n_skipped strings, array and strings owned */
    int n_splits;                          /* 0, or the number of split folders (--split-dirs) */
    char (*split_names)[DSML_DATASET_NAME]; /* n_splits names, owned, or NULL */
    const uint8_t *split;                  /* n entries, each < n_splits, or NULL (may be mmap'd) */
    /* Multi-label datasets (nus-wide; cache format version 3): image i has
     * label k when bit k of label_bits[i] is set, k < n_labels <= 64, label k
     * named class_names[k] (n_labels <= n_classes). NULL and 0 otherwise. */
    const uint64_t *label_bits;            /* n words (may be mmap'd) */
    int n_labels;
    /* ownership bookkeeping, released by dsml_dataset_free */
    void *map_base;                        /* mmap of a cache file, or NULL */
    size_t map_size;
    uint8_t *owned_pixels;                 /* malloc'd, or NULL */
    int32_t *owned_labels;                 /* malloc'd, or NULL */
    uint8_t *owned_split;                  /* malloc'd, or NULL */
    uint64_t *owned_label_bits;            /* malloc'd, or NULL */
} dsml_dataset;

/* Allocates an empty dataset of the given shape: zeroed pixels, labels and
 * class names, returned writable through *pixels and *labels (both owned by
 * ds). Fails with DSML_ERR_ARG on a non-positive or too large size. */
int dsml_dataset_alloc(dsml_dataset *ds, const char *name, int n, int channels, int height, int width,
                       int n_classes, uint8_t **pixels, int32_t **labels);

/* Releases what ds owns (buffers, class names, skipped and split names) and
 * zeroes it; safe on a zeroed or already freed ds. */
void dsml_dataset_free(dsml_dataset *ds);

/* Bytes of one image, C*H*W. */
size_t dsml_dataset_image_bytes(const dsml_dataset *ds);

/* SHA-256 of the labels as int32 little-endian, then (multi-label datasets
 * only) the label bits as uint64 little-endian, then the pixels: the content
 * hash stored in the cache and recorded in results. */
void dsml_dataset_content_sha256(const dsml_dataset *ds, char hex[65]);

/* The source hash recorded in a dataset: for one file, the SHA-256 of its
 * bytes; for several, the SHA-256 of the text that `sha256sum` prints for them
 * in the given order ("<hex>  <basename>\n" per file), so that
 * `(cd dir && sha256sum f1 f2 ...) | sha256sum` reproduces it. */
int dsml_source_sha256(const char *const *paths, int n_paths, char hex[65]);

/* Options of dsml_data_prepare and dsml_data_open. Set with
 * dsml_data_options_default. Which of the shaping options (channels, size,
 * split_dirs, skip_bad) a dataset kind honours is in its registry entry
 * (data/kind.h). */
typedef struct {
    const char *from;   /* source path (borrowed), or NULL: the kind's default source, or the one
                           the cache recorded (a local imagefolder name) */
    const char *fashion_mnist_dir; /* fashion-mnist's default source folder (borrowed), or NULL or "":
                                      /usr/share/datasets/fashion-mnist. The library never reads the
                                      environment: the CLI passes $DSML_FASHION_MNIST here */
    int channels;       /* imagefolder, cub200, cars196, nus-wide: 1 or 3 (default 3) */
    int height, width;  /* the same: the model's input size (default 32 x 32) */
    int split_dirs;     /* imagefolder: 1: the first path level names a split (default 0) */
    int skip_bad;       /* imagefolder: 1: skip corrupt images, else they fail; nus-wide: skip
                           listed images that are absent (default 0) */
    int64_t max_total_bytes; /* every archive: cap on decompressed bytes (0: DSML_ARCHIVE_MAX_TOTAL_BYTES) */
    int64_t max_entry_bytes; /* every archive: cap on one member (0: DSML_ARCHIVE_MAX_ENTRY_BYTES) */
    FILE *log;          /* NULL, or a stream that gets one line per step (borrowed) */
} dsml_data_options;

void dsml_data_options_default(dsml_data_options *o);

/* The cache path "$root/cache/<name>.dsd" into out. Fails with DSML_ERR_ARG
 * when name is not a usable file name (1..63 bytes of letters, digits, '.',
 * '_', '-', not starting with '.') or the path does not fit. */
int dsml_data_cache_path(const char *root, const char *name, char *out, size_t cap);

/* Prepares the cache of a dataset, or finds it up to date, and opens it: the
 * one path every kind takes (data/kind.h):
 *   1. the kind's entry in the registry ("fashion-mnist", "cifar10",
 *      "cub200", "cars196", "nus-wide" or "imagefolder");
 *   2. its source: o->from, else the first of its default locations that
 *      exists (fashion-mnist: o->fashion_mnist_dir, else
 *      /usr/share/datasets/fashion-mnist, a folder with the four IDX files;
 *      cifar10: $root/downloads/cifar-10-binary.tar.gz, then
 *      $root/cifar-10-binary.tar.gz; cub200: $root/downloads/CUB_200_2011.tgz,
 *      $root/CUB_200_2011.tgz, $root/CUB_200_2011; cars196 and nus-wide:
 *      $root/downloads, then $root, when they hold the dataset's files;
 *      imagefolder: none, o->from is required);
 *   3. its parameters string (reader version, the options the kind honours,
 *      each source file's size and mtime, the source path; docs/formats.md);
 *   4. one cache refresh: the cache $root/cache/<name>.dsd is used when
 *      valid and its parameters equal these, else the source is read and the
 *      cache written. With no source found, a valid cache is used as it is;
 *      without one the error says where the source was looked for and how
 *      to get it.
 *   name: the cache's name: NULL or equal to kind, except for a kind with a
 *         local name (imagefolder), where it is required and may not be a
 *         kind's name.
 * *prepared (may be NULL) is 1 when the cache was written now, 0 when an
 * existing one was used. The content hash is verified on every open. On
 * success ds maps the cache (release with dsml_dataset_free); on failure ds
 * is zeroed. */
int dsml_data_prepare(dsml_dataset *ds, const char *kind, const char *name, const char *root,
                      const dsml_data_options *o, int *prepared);

/* 1 when dsml_data_open(name) could open the dataset without a download:
 * its cache exists, o->from is given, or one of its default sources exists.
 * Else 0, with `why` (may be NULL) saying where it looked and how to get it.
 * Of o, only from and fashion_mnist_dir are used. */
int dsml_data_available(const char *name, const char *root, const dsml_data_options *o, char *why, size_t cap);

/* Opens the dataset `name` as dsml_data_prepare does, with the options it
 * was prepared with:
 *   a kind's name ("fashion-mnist", "cifar10", "cub200", "cars196",
 *     "nus-wide"): channels, size and skip_bad read back from its cache when
 *     there is one, else the defaults;
 *   the local name of an imagefolder prepared before (`dsml prepare
 *     imagefolder --from PATH --name NAME`): its options and source path read
 *     back from the cache's parameters string; prepared again from there (or
 *     from o->from) when stale, used as it is when that source is gone.
 * Of o, only from, fashion_mnist_dir, the archive caps and log are used.
 * root: the data root ($DSML_DATA or "datasets"; the caller resolves it).
 * On success ds maps the cache (release with dsml_dataset_free); on failure
 * ds is zeroed. */
int dsml_data_open(dsml_dataset *ds, const char *name, const char *root, const dsml_data_options *o);

/* The official train/test split of a dataset (CUB-200, Cars196): split
 * names "test" (0) and "train" (1), one entry per image, 1 where train[i] is
 * non-zero. `source` names the input in the out-of-memory message. */
int dsml_dataset_set_train_test(dsml_dataset *ds, const int8_t *train, const char *source);

#endif
