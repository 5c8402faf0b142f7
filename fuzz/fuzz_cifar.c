/* Fuzzes the CIFAR-10 binary reader (src/data/cifar.c) with 1 or 2 records per
 * batch. The first byte picks the source: bit 0 clear, the rest is an archive
 * (tar, tar.gz, ... as libarchive reads them, under 1 MiB caps); set, the rest
 * is a folder: batches.meta.txt up to the first NUL byte, then the six batch
 * files as six equal slices (the last takes what is left). Bit 1 picks the
 * records per batch. */
#include <stdio.h>
#include <string.h>

#include "data/cifar.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const files[DSML_CIFAR10_BATCHES] = {
    "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin",
    "test_batch.bin",
};

/* Writes the folder; returns its path. */
static const char *write_folder(const uint8_t *data, size_t size)
{
    static char dir[256];
    char name[64];
    const uint8_t *nul = memchr(data, '\0', size);
    size_t meta = nul ? (size_t)(nul - data) : size;
    fuzz_file("batches/batches.meta.txt", data, meta);
    size_t at = nul ? meta + 1 : size, slice = (size - at) / DSML_CIFAR10_BATCHES;
    for (int i = 0; i < DSML_CIFAR10_BATCHES; i++) {
        size_t len = i == DSML_CIFAR10_BATCHES - 1 ? size - at : slice;
        snprintf(name, sizeof name, "batches/%s", files[i]);
        fuzz_file(name, data + at, len);
        at += len;
    }
    snprintf(dir, sizeof dir, "%s/batches", fuzz_dir());
    return dir;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int records = 1 + (data[0] >> 1 & 1);
    const char *path = data[0] & 1 ? write_folder(data + 1, size - 1) : fuzz_file("input.tar", data + 1, size - 1);
    const dsml_archive_limits limits = {.max_total_bytes = 1 << 20, .max_entry_bytes = 256 << 10};
    dsml_dataset ds;
    fuzz_begin();
    if (fuzz_status(dsml_cifar10_read_with(&ds, path, records, &limits))) return 0;
    fuzz_expect(ds.n == DSML_CIFAR10_BATCHES * records, "six batches of records");
    for (int i = 0; i < ds.n; i++) fuzz_expect(ds.labels[i] >= 0 && ds.labels[i] < 10, "labels 0..9");
    for (int c = 0; c < ds.n_classes; c++) fuzz_expect(ds.class_names[c][0] != '\0', "class names not empty");
    dsml_dataset_free(&ds);
    return 0;
}
