/* Decoding a listed set of images into a dataset's pixel block: the shared
 * second half of every reader whose annotation files name the images
 * (cub200, cars196, nus-wide). The list says which path goes to which image
 * index; the images come from an archive (streamed once, members matched by
 * name, every other member skipped unread) or from a folder (each file opened
 * by name). Each image is decoded (image.h) and resized to C x H x W
 * (resize.h) straight into its slot, so memory is the pixel block plus one
 * image, never the archive.
 *
 *   dsml_imageset set;  dsml_imageset_init(&set, ds, paths, "CUB_200_2011/images/");
 *   dsml_imageset_read_archive(&set, a);  ...  dsml_imageset_first_missing(&set);
 *   dsml_imageset_free(&set);
 */
#ifndef DSML_DATA_IMAGESET_H
#define DSML_DATA_IMAGESET_H

#include <stddef.h>
#include <stdint.h>

#include "data/archive.h"
#include "data/dataset.h"
#include "data/image.h"
#include "data/resize.h"

typedef struct {
    const char *path;           /* borrowed from the list */
    int index;
} dsml_imageset_entry;

typedef struct {
    dsml_dataset *ds;           /* borrowed: image i is decoded and resized into its slot of
                                   ds->owned_pixels, ds->n images of ds's shape */
    const char *const *paths;   /* ds->n paths under prefix (borrowed) */
    char prefix[1024];          /* joined in front of every path: the member name or relative file path */
    uint8_t *found;             /* ds->n flags, owned: 1 once image i is decoded */
    dsml_imageset_entry *order; /* n entries sorted by path, owned (lookup) */
    dsml_image img;             /* decoder buffers, owned */
    dsml_resize_work work;
    uint8_t *file;              /* bytes of the current file, owned */
    size_t file_cap;
} dsml_imageset;

/* What every annotated-dataset reader (cub200, cars196, nus-wide) is asked
 * for: the output shape and the archive caps. */
typedef struct {
    int channels;                /* 1 or 3 */
    int height, width;           /* the model's input size */
    dsml_archive_limits limits;  /* zeros: the defaults of archive.h */
} dsml_reader_options;

/* Checks o's shape: 1 or 3 channels, 1..4096 a side (name labels the error). */
int dsml_reader_options_check(const dsml_reader_options *o, const char *name);

/* The start of a reader of a file or folder: ds zeroed, o's shape checked,
 * and *is_dir set when `path` is a folder (it must exist). */
int dsml_reader_start(dsml_dataset *ds, const char *path, const dsml_reader_options *o, int *is_dir);

/* The dataset of an annotated reader (cub200, cars196): n images of o's
 * shape (pixels zeroed, for dsml_imageset_init), the labels and class names
 * copied, and the official split (train[i] non-zero: a training image).
 * `source` names the input in the out-of-memory message. */
int dsml_imageset_dataset(dsml_dataset *ds, const char *name, int n, const int32_t *labels, int n_classes,
                          const char (*class_names)[DSML_DATASET_NAME], const int8_t *train,
                          const dsml_reader_options *o, const char *source);

/* Text annotation files: the next line of the NUL-terminated text at *cursor
 * (which moves past it), with "\r" and trailing blanks cut and *line_no
 * counting from 1; NULL at the end. Writes into the text. */
char *dsml_text_line(char **cursor, int *line_no);

/* Prepares a set that decodes ds->n images (paths[i] under prefix) into ds,
 * an allocated dataset (dsml_dataset_alloc); fails on a duplicate path
 * (naming it) or no memory. */
int dsml_imageset_init(dsml_imageset *set, dsml_dataset *ds, const char *const *paths, const char *prefix);
/* Streams the rest of archive a, decoding every member named prefix + path;
 * a second copy of a listed image is an error. Call it once per archive when
 * the images are spread over several. */
int dsml_imageset_read_archive(dsml_imageset *set, dsml_archive *a);
/* Opens root/prefix+path for every image not found yet. An absent file is
 * left missing (see dsml_imageset_first_missing); other errors fail. */
int dsml_imageset_read_folder(dsml_imageset *set, const char *root);
/* The lowest index not decoded yet, or -1 when all are. */
int dsml_imageset_first_missing(const dsml_imageset *set);
void dsml_imageset_free(dsml_imageset *set);

#endif
