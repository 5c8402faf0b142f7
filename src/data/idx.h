/* IDX files (the MNIST / Fashion-MNIST format), read through zlib so that
 * gzip'd and plain files both work, and the Fashion-MNIST pool built from its
 * four files. Format: docs/formats.md. */
#ifndef DSML_DATA_IDX_H
#define DSML_DATA_IDX_H

#include <stdint.h>

#include "data/dataset.h"

#define DSML_IDX_MAGIC_UBYTE_3D 0x00000803u   /* images: n x rows x cols uint8 */
#define DSML_IDX_MAGIC_UBYTE_1D 0x00000801u   /* labels: n uint8 */

#define DSML_FASHION_MNIST_TRAIN 60000
#define DSML_FASHION_MNIST_TEST 10000
#define DSML_ANY_COUNT 0                      /* "do not check the image count" */

/* Reads an IDX image file. On success *pixels (malloc'd, n*rows*cols bytes,
 * owned by the caller), *n, *rows, *cols are set. Errors name the file and say
 * what was expected: bad magic, sizes out of range, too few bytes of pixels,
 * bytes after the last image. */
int dsml_idx_read_images(const char *path, uint8_t **pixels, int *n, int *rows, int *cols);

/* Reads an IDX label file; *labels is malloc'd (n bytes, owned by the caller). */
int dsml_idx_read_labels(const char *path, uint8_t **labels, int *n);

/* Reads Fashion-MNIST from the folder `dir`: train-images-idx3-ubyte,
 * train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte,
 * each with ".gz" or without. The pool is the training images followed by the
 * test images, 1 x rows x cols, 10 classes with the Fashion-MNIST names.
 * expect_train / expect_test: required image counts (DSML_FASHION_MNIST_TRAIN
 * and _TEST for the real files), or DSML_ANY_COUNT. Images and labels of a
 * split must agree in count, train and test in image size; every label must be
 * 0..9. Fills ds completely (source and content hashes included; ds owns its
 * buffers). */
int dsml_fashion_mnist_read(dsml_dataset *ds, const char *dir, int expect_train, int expect_test);

/* The four file paths dsml_fashion_mnist_read would read, in its order
 * (train images, train labels, test images, test labels), each "<dir>/<name>.gz"
 * when that exists, else "<dir>/<name>". */
int dsml_fashion_mnist_files(const char *dir, char paths[4][4096]);

#endif
