/* Allocation, release and content hash of an in-memory dataset; see dataset.h. */
#include "data/dataset.h"
#include "core/error.h"
#include "core/sha256.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Limits that keep every size below well inside size_t and int. */
#define MAX_IMAGES (1 << 28)
#define MAX_SIDE 65536
#define MAX_CLASSES 1000000
#define MAX_IMAGE_BYTES (1 << 26)

int dsml_dataset_alloc(dsml_dataset *ds, const char *name, int n, int channels, int height, int width,
                       int n_classes, uint8_t **pixels, int32_t **labels)
{
    memset(ds, 0, sizeof *ds);
    if (n < 1 || n > MAX_IMAGES || channels < 1 || channels > MAX_SIDE || height < 1 || height > MAX_SIDE ||
        width < 1 || width > MAX_SIDE || n_classes < 1 || n_classes > MAX_CLASSES ||
        (uint64_t)channels * height * width > MAX_IMAGE_BYTES)
        return dsml_fail(DSML_ERR_ARG, "%s: dataset of %d images %dx%dx%d, %d classes: size out of range", name, n,
                         channels, height, width, n_classes);
    if (strlen(name) >= sizeof ds->name)
        return dsml_fail(DSML_ERR_ARG, "%s: dataset name longer than %d bytes", name, DSML_DATASET_NAME - 1);
    snprintf(ds->name, sizeof ds->name, "%s", name);
    ds->n = n;
    ds->channels = channels;
    ds->height = height;
    ds->width = width;
    ds->n_classes = n_classes;
    ds->class_names = calloc((size_t)n_classes, sizeof *ds->class_names);
    ds->owned_pixels = calloc((size_t)n, dsml_dataset_image_bytes(ds));
    ds->owned_labels = calloc((size_t)n, sizeof(int32_t));
    if (!ds->class_names || !ds->owned_pixels || !ds->owned_labels) {
        dsml_dataset_free(ds);
        return dsml_fail(DSML_ERR_NOMEM, "%s: cannot allocate %d images", name, n);
    }
    ds->pixels = ds->owned_pixels;
    ds->labels = ds->owned_labels;
    *pixels = ds->owned_pixels;
    *labels = ds->owned_labels;
    return DSML_OK;
}

void dsml_dataset_free(dsml_dataset *ds)
{
    if (!ds) return;
    if (ds->map_base) munmap(ds->map_base, ds->map_size);
    free(ds->owned_pixels);
    free(ds->owned_labels);
    free(ds->class_names);
    for (int i = 0; ds->skipped && i < ds->n_skipped; i++) free(ds->skipped[i]);
    free(ds->skipped);
    free(ds->split_names);
    free(ds->owned_split);
    free(ds->owned_label_bits);
    memset(ds, 0, sizeof *ds);
}

size_t dsml_dataset_image_bytes(const dsml_dataset *ds)
{
    return (size_t)ds->channels * (size_t)ds->height * (size_t)ds->width;
}

void dsml_dataset_content_sha256(const dsml_dataset *ds, char hex[65])
{
    dsml_sha256 h;
    dsml_sha256_init(&h);
    uint8_t buf[4 * 1024];
    for (int i = 0; i < ds->n;) {
        int m = 0;
        for (; m < 1024 && i < ds->n; m++, i++) {
            uint32_t v = (uint32_t)ds->labels[i];
            buf[4 * m] = (uint8_t)v;
            buf[4 * m + 1] = (uint8_t)(v >> 8);
            buf[4 * m + 2] = (uint8_t)(v >> 16);
            buf[4 * m + 3] = (uint8_t)(v >> 24);
        }
        dsml_sha256_update(&h, buf, (size_t)m * 4);
    }
    for (int i = 0; ds->label_bits && ds->n_labels && i < ds->n;) {
        int m = 0;
        for (; m < 512 && i < ds->n; m++, i++)
            for (int b = 0; b < 8; b++) buf[8 * m + b] = (uint8_t)(ds->label_bits[i] >> (8 * b));
        dsml_sha256_update(&h, buf, (size_t)m * 8);
    }
    dsml_sha256_update(&h, ds->pixels, (size_t)ds->n * dsml_dataset_image_bytes(ds));
    dsml_sha256_final_hex(&h, hex);
}

int dsml_source_sha256(const char *const *paths, int n_paths, char hex[65])
{
    if (n_paths == 1) return dsml_sha256_file(paths[0], hex);
    dsml_sha256 h;
    dsml_sha256_init(&h);
    for (int i = 0; i < n_paths; i++) {
        char file_hex[65];
        int rc = dsml_sha256_file(paths[i], file_hex);
        if (rc) return rc;
        const char *base = strrchr(paths[i], '/');
        base = base ? base + 1 : paths[i];
        dsml_sha256_update(&h, file_hex, 64);
        dsml_sha256_update(&h, "  ", 2);
        dsml_sha256_update(&h, base, strlen(base));
        dsml_sha256_update(&h, "\n", 1);
    }
    dsml_sha256_final_hex(&h, hex);
    return DSML_OK;
}

int dsml_dataset_set_train_test(dsml_dataset *ds, const int8_t *train, const char *source)
{
    ds->split_names = calloc(2, sizeof *ds->split_names);
    ds->owned_split = malloc((size_t)ds->n);
    if (!ds->split_names || !ds->owned_split) return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory", source);
    snprintf(ds->split_names[0], DSML_DATASET_NAME, "test");
    snprintf(ds->split_names[1], DSML_DATASET_NAME, "train");
    for (int i = 0; i < ds->n; i++) ds->owned_split[i] = train[i] != 0;
    ds->split = ds->owned_split;
    ds->n_splits = 2;
    return DSML_OK;
}
