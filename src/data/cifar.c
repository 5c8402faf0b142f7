/* CIFAR-10 binary reader, from an archive or a folder; see cifar.h. */
#include "data/cifar.h"
#include "core/error.h"
#include "data/archive.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define META_NAME "batches.meta.txt"
#define META_MAX 65536
#define IMAGE_BYTES (DSML_CIFAR10_RECORD - 1)

static const char *const batch_names[DSML_CIFAR10_BATCHES] = {
    "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin",
    "test_batch.bin",
};

/* Slot of a batch file name, or -1. */
static int batch_slot(const char *base)
{
    for (int i = 0; i < DSML_CIFAR10_BATCHES; i++)
        if (strcmp(base, batch_names[i]) == 0) return i;
    return -1;
}

static int check_batch_size(const char *file, uint64_t size, int records)
{
    if (size % DSML_CIFAR10_RECORD != 0)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %llu bytes, not a multiple of the %d-byte record", file,
                         (unsigned long long)size, DSML_CIFAR10_RECORD);
    if (size / DSML_CIFAR10_RECORD != (uint64_t)records)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %llu records, expected %d", file,
                         (unsigned long long)(size / DSML_CIFAR10_RECORD), records);
    return DSML_OK;
}

/* Copies `records` records of `data` into batch slot `slot` of ds. */
static int parse_batch(dsml_dataset *ds, uint8_t *pixels, int32_t *labels, int slot, const char *file,
                       const uint8_t *data, int records)
{
    for (int r = 0; r < records; r++) {
        const uint8_t *rec = data + (size_t)r * DSML_CIFAR10_RECORD;
        if (rec[0] >= ds->n_classes)
            return dsml_fail(DSML_ERR_FORMAT, "%s: record %d: label %d, expected 0..%d", file, r, rec[0],
                             ds->n_classes - 1);
        size_t i = (size_t)slot * records + r;
        labels[i] = rec[0];
        memcpy(pixels + i * IMAGE_BYTES, rec + 1, IMAGE_BYTES);
    }
    return DSML_OK;
}

static int parse_meta(dsml_dataset *ds, const char *file, const char *text, size_t size)
{
    int line = 0;
    size_t pos = 0;
    while (pos < size) {
        size_t end = pos;
        while (end < size && text[end] != '\n') end++;
        size_t len = end - pos;
        while (len && (text[pos + len - 1] == '\r' || text[pos + len - 1] == ' ' || text[pos + len - 1] == '\t')) len--;
        if (line < ds->n_classes) {
            if (len == 0)
                return dsml_fail(DSML_ERR_FORMAT, "%s: line %d: empty, expected the name of class %d", file,
                                 line + 1, line);
            if (len >= DSML_DATASET_NAME)
                return dsml_fail(DSML_ERR_FORMAT, "%s: line %d: class name of %zu bytes, expected at most %d",
                                 file, line + 1, len, DSML_DATASET_NAME - 1);
            memcpy(ds->class_names[line], text + pos, len);
            ds->class_names[line][len] = '\0';
        } else if (len) {
            return dsml_fail(DSML_ERR_FORMAT, "%s: line %d: more than %d class names", file, line + 1,
                             ds->n_classes);
        }
        line++;
        pos = end + 1;
    }
    if (line < ds->n_classes)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %d lines, expected %d class names", file, line, ds->n_classes);
    return DSML_OK;
}

static int missing(const char *path, const int seen[DSML_CIFAR10_BATCHES], int seen_meta)
{
    for (int i = 0; i < DSML_CIFAR10_BATCHES; i++)
        if (!seen[i]) return dsml_fail(DSML_ERR_FORMAT, "%s: %s missing", path, batch_names[i]);
    if (!seen_meta) return dsml_fail(DSML_ERR_FORMAT, "%s: %s missing", path, META_NAME);
    return DSML_OK;
}

static int read_archive(dsml_dataset *ds, uint8_t *pixels, int32_t *labels, const char *path, int records,
                        uint8_t *scratch, const dsml_archive_limits *limits)
{
    dsml_archive *a;
    int rc = dsml_archive_open(&a, path, limits);
    if (rc) return rc;
    int seen[DSML_CIFAR10_BATCHES] = {0}, seen_meta = 0;
    char file[8192];
    dsml_archive_member m;
    while (!(rc = dsml_archive_next(a, &m)) && m.name) {
        if (!m.is_file) continue;
        int slot = batch_slot(m.base);
        int is_meta = strcmp(m.base, META_NAME) == 0;
        if (slot < 0 && !is_meta) continue;
        snprintf(file, sizeof file, "%s: %s", path, m.name);
        if ((slot >= 0 && seen[slot]) || (is_meta && seen_meta)) {
            rc = dsml_fail(DSML_ERR_FORMAT, "%s: a second copy of %s", file, m.base);
            break;
        }
        if (is_meta) {
            if (m.size < 0 || m.size > META_MAX) {
                rc = dsml_fail(DSML_ERR_FORMAT, "%s: %lld bytes, expected at most %d", file, (long long)m.size,
                               META_MAX);
                break;
            }
            rc = dsml_archive_read(a, scratch, (size_t)m.size);
            if (!rc) rc = parse_meta(ds, file, (const char *)scratch, (size_t)m.size);
            seen_meta = 1;
        } else {
            rc = m.size < 0 ? dsml_fail(DSML_ERR_FORMAT, "%s: size not declared in the archive", file)
                            : check_batch_size(file, (uint64_t)m.size, records);
            if (!rc) rc = dsml_archive_read(a, scratch, (size_t)m.size);
            if (!rc) rc = parse_batch(ds, pixels, labels, slot, file, scratch, records);
            seen[slot] = 1;
        }
        if (rc) break;
    }
    if (!rc) rc = missing(path, seen, seen_meta);
    int close_rc = dsml_archive_close(a, rc ? NULL : ds->source_sha256);
    return rc ? rc : close_rc;
}

/* Reads a whole file of at most `limit` bytes into buf; *size gets its size. */
static int read_file(const char *path, uint8_t *buf, uint64_t limit, uint64_t *size, int records)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return dsml_fail(errno == ENOENT ? DSML_ERR_FORMAT : DSML_ERR_IO, "%s: %s", path,
                              errno == ENOENT ? "missing" : strerror(errno));
    struct stat st;
    int rc = DSML_OK;
    if (fstat(fileno(fp), &st) != 0) rc = dsml_fail(DSML_ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
    else if (records > 0) rc = check_batch_size(path, (uint64_t)st.st_size, records);
    else if ((uint64_t)st.st_size > limit)
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: %lld bytes, expected at most %llu", path, (long long)st.st_size,
                       (unsigned long long)limit);
    if (!rc) {
        *size = (uint64_t)st.st_size;
        if (fread(buf, 1, *size, fp) != *size)
            rc = dsml_fail(DSML_ERR_IO, "%s: %llu bytes expected, fewer read", path, (unsigned long long)*size);
    }
    fclose(fp);
    return rc;
}

static int read_folder(dsml_dataset *ds, uint8_t *pixels, int32_t *labels, const char *dir, int records,
                       uint8_t *scratch)
{
    char paths[DSML_CIFAR10_BATCHES + 1][4096];
    const char *list[DSML_CIFAR10_BATCHES + 1];
    for (int i = 0; i <= DSML_CIFAR10_BATCHES; i++) {
        const char *name = i == 0 ? META_NAME : batch_names[i - 1];
        int len = snprintf(paths[i], sizeof paths[i], "%s/%s", dir, name);
        if (len < 0 || len >= (int)sizeof paths[i]) return dsml_fail(DSML_ERR_ARG, "%s: path too long", dir);
        list[i] = paths[i];
    }
    uint64_t size;
    int rc = read_file(paths[0], scratch, META_MAX, &size, 0);
    if (!rc) rc = parse_meta(ds, paths[0], (const char *)scratch, size);
    for (int slot = 0; !rc && slot < DSML_CIFAR10_BATCHES; slot++) {
        rc = read_file(paths[slot + 1], scratch, 0, &size, records);
        if (!rc) rc = parse_batch(ds, pixels, labels, slot, paths[slot + 1], scratch, records);
    }
    if (!rc) rc = dsml_source_sha256(list, DSML_CIFAR10_BATCHES + 1, ds->source_sha256);
    return rc;
}

int dsml_cifar10_read(dsml_dataset *ds, const char *path, int records_per_batch)
{
    return dsml_cifar10_read_with(ds, path, records_per_batch, NULL);
}

int dsml_cifar10_read_with(dsml_dataset *ds, const char *path, int records_per_batch,
                           const dsml_archive_limits *limits)
{
    memset(ds, 0, sizeof *ds);
    if (records_per_batch < 1 || records_per_batch > 1000000)
        return dsml_fail(DSML_ERR_ARG, "%s: %d records per batch, expected 1..1000000", path, records_per_batch);
    struct stat st;
    if (stat(path, &st) != 0) return dsml_fail(DSML_ERR_IO, "%s: %s", path, strerror(errno));
    uint8_t *pixels;
    int32_t *labels;
    int rc = dsml_dataset_alloc(ds, "cifar10", DSML_CIFAR10_BATCHES * records_per_batch, 3, 32, 32, 10, &pixels,
                                &labels);
    if (rc) return rc;
    size_t scratch_size = (size_t)records_per_batch * DSML_CIFAR10_RECORD;
    uint8_t *scratch = malloc(scratch_size > META_MAX ? scratch_size : META_MAX);
    if (!scratch) rc = dsml_fail(DSML_ERR_NOMEM, "%s: cannot allocate %zu bytes", path, scratch_size);
    else if (S_ISDIR(st.st_mode)) rc = read_folder(ds, pixels, labels, path, records_per_batch, scratch);
    else rc = read_archive(ds, pixels, labels, path, records_per_batch, scratch, limits);
    free(scratch);
    if (rc) {
        dsml_dataset_free(ds);
        return rc;
    }
    dsml_dataset_content_sha256(ds, ds->content_sha256);
    return DSML_OK;
}
