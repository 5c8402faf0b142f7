/* Small datasets in their real formats, written by tests: the four
 * Fashion-MNIST IDX files, CIFAR-10 batches (a folder, or an archive in the
 * official layout), and a NUS-WIDE folder or its zips. Pixel and label
 * values follow the functions below, so a test can check every byte read. */
#ifndef DSML_TESTS_DATASET_FILES_H
#define DSML_TESTS_DATASET_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "data/imageset.h"

/* Byte `byte` of image `image`, in every format here. */
uint8_t pixel_value(int image, int byte);

/* What the annotated readers are asked for: C x size x size images. */
dsml_reader_options reader_options(int channels, int size);

/* Labels of 10 classes of unequal sizes: class c has 130 + 7c images,
 * interleaved; *n gets the count (malloc'd). */
int32_t *make_labels(int *n);

/* ------------------------------------------------------------- Fashion-MNIST */

int fashion_label(int image);
/* An IDX image file of n images 28x28 (the first has index `first`), with
 * `pixel_bytes` bytes of pixels written (< n x 784 to truncate it). */
void write_idx_images(const char *path, uint32_t magic, int n, int first, size_t pixel_bytes, int gzip);
void write_idx_labels(const char *path, uint32_t magic, int n, int first, int gzip);
/* The four Fashion-MNIST files in the test folder: 30 training, 10 test
 * images (.gz when gzip). */
void write_fashion(int gzip);

/* ------------------------------------------------------------------ CIFAR-10 */

#define CIFAR_R 20 /* records per batch in the small files */
extern const char *const cifar_files[6];   /* data_batch_1..5.bin, test_batch.bin */
int cifar_label(int image);
/* The bytes of batch `slot` (images slot x CIFAR_R ...); the caller frees. */
uint8_t *cifar_batch(int slot, size_t *size);
/* An extracted cifar-10-batches-bin folder in the test folder; its path. */
const char *write_cifar_folder(void);
/* cifar-10-binary.tar.gz in the official layout; `evil` (may be NULL) is
 * one more member name, added before the batches. */
void write_cifar_archive(const char *path, const char *evil);

/* ------------------------------------------------------------------ NUS-WIDE */

/* 10 images, 4 concepts: counts animal 6, beach 2, cloud 5, dog 1; keeping
 * 2 keeps animal and cloud. Image i has animal when i < 6, cloud when
 * i >= 5, beach when i is 8 or 9 (so image 9 has 3 labels); image 5 has
 * both kept labels. */
#define NUS_N 10
extern const char *const nus_concepts[4];
int nus_has(int k, int i);
/* The images' PNGs, made once per test and released after. */
void nus_make_pngs(void);
void nus_free_pngs(void);
/* The folder layout under root: bad_line (may be NULL) replaces the third
 * line on of Labels_cloud.txt; image drop_image (or none, -1) is left out;
 * extra more concepts with no image (Labels_zz<k>.txt, all 0). */
void nus_folder(const char *root, const char *bad_line, int drop_image, int extra);
/* ImageList.zip, Groundtruth.zip and nus-wide-images.tar.gz under root. */
void nus_archives(const char *root);

#endif
