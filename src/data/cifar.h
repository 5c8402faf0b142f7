/* CIFAR-10 "binary version": read from cifar-10-binary.tar.gz (streamed with
 * libarchive, nothing extracted) or from an extracted cifar-10-batches-bin
 * folder. Format: docs/formats.md and ../shared/data/cifar10/README.md. */
#ifndef DSML_DATA_CIFAR_H
#define DSML_DATA_CIFAR_H

#include "data/archive.h"
#include "data/dataset.h"

#define DSML_CIFAR10_RECORD 3073                 /* 1 label byte + 3 x 32 x 32 pixels */
#define DSML_CIFAR10_RECORDS_PER_BATCH 10000     /* in every .bin of the real archive */
#define DSML_CIFAR10_BATCHES 6                   /* data_batch_1..5.bin, test_batch.bin */

/* Reads CIFAR-10 from `path`: a directory holding the batch files, or an
 * archive (any tar, compressed or not) whose members include them (matched by
 * file name; the official layout is cifar-10-batches-bin/<file>).
 * The pool is data_batch_1..5.bin then test_batch.bin: 6 x records_per_batch
 * images 3x32x32, class names from batches.meta.txt (10 non-empty lines).
 * records_per_batch: DSML_CIFAR10_RECORDS_PER_BATCH for the real data (tests
 * use smaller files); every batch must hold exactly that many 3,073-byte
 * records. Labels must be 0..9. Errors name the file (archive: "archive:
 * member") and the record. source_sha256 is the archive's SHA-256, or for a
 * folder the sha256sum-style hash of batches.meta.txt, the five data batches
 * and test_batch.bin in that order (see dsml_source_sha256). Fills ds
 * completely; ds owns its buffers. */
int dsml_cifar10_read(dsml_dataset *ds, const char *path, int records_per_batch);

/* dsml_cifar10_read with caps on what the archive may decompress to (limits
 * NULL: the defaults of archive.h; unused for a folder). */
int dsml_cifar10_read_with(dsml_dataset *ds, const char *path, int records_per_batch,
                           const dsml_archive_limits *limits);

#endif
