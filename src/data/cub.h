/* CUB-200-2011 (Caltech-UCSD Birds, 200 classes, 11,788 images), read from
 * CUB_200_2011.tgz streamed with libarchive, or from the extracted folder.
 * Layout and checks: docs/formats.md ("CUB-200-2011").
 *
 * The archive is read twice and never held in memory: the first pass reads
 * only the four annotation files (wherever they sit among the images),
 * the second decodes each listed image into its slot. Files used, under one
 * folder (CUB_200_2011/ in the official archive):
 *   images.txt              "<image id> <path under images/>"
 *   image_class_labels.txt  "<image id> <class id>"
 *   train_test_split.txt    "<image id> <1 train | 0 test>"
 *   classes.txt             "<class id> <class name>"
 *   images/<path>           JPEG (or PNG) images
 * Ids are 1-based; every image id 1..N (N = lines of images.txt) and class id
 * 1..K (K = lines of classes.txt) must appear exactly once in each file.
 * The dataset: images in id order, label = class id - 1, class names from
 * classes.txt, and the official split as the cache's split (names "test",
 * "train"; index 1 for a training image). */
#ifndef DSML_DATA_CUB_H
#define DSML_DATA_CUB_H

#include "data/dataset.h"
#include "data/imageset.h"

/* Reads CUB-200-2011 from `path` (an archive, or a folder holding images.txt
 * or CUB_200_2011/images.txt) into ds (owned; release with dsml_dataset_free).
 * source_sha256: the archive's SHA-256; for a folder the sha256sum-style hash
 * of the four annotation files (images.txt, image_class_labels.txt,
 * train_test_split.txt, classes.txt). Errors name the file and the line. */
int dsml_cub200_read(dsml_dataset *ds, const char *path, const dsml_reader_options *o);

#endif
