/* Cache file writer and mmap reader; the layout is in cache.h. */
#include "data/cache.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Field offsets (see cache.h). */
enum {
    OFF_MAGIC = 0, OFF_VERSION = 8, OFF_N = 12, OFF_CHANNELS = 16, OFF_HEIGHT = 20, OFF_WIDTH = 24,
    OFF_CLASSES = 28, OFF_NAME = 32, OFF_SOURCE = 96, OFF_CONTENT = 160, OFF_PARAMS = 224,
    OFF_LABELS = 1248, OFF_PIXELS = 1256, OFF_FILE_SIZE = 1264, OFF_RESERVED = 1272, OFF_CRC = 1276,
};

#define MAX_IMAGES (1u << 28)
#define MAX_SIDE 65536u
#define MAX_CLASSES 1000000u
#define MAX_IMAGE_BYTES (1u << 26)
#define MAX_SKIPPED_NAME 4096   /* bytes of one skipped path, NUL included */
#define MAX_SPLITS 255

/* The version-2 extension block, right after the class names (see cache.h). */
enum { EXT_IGNORED = 0, EXT_SKIPPED = 4, EXT_SPLITS = 8, EXT_LABEL_BITS = 12, EXT_SKIPPED_BYTES = 16, EXT_SIZE = 64 };
#define MAX_LABEL_BITS 64

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 1;
}

static uint64_t align64(uint64_t x) { return (x + 63) & ~(uint64_t)63; }
static uint64_t align8(uint64_t x) { return (x + 7) & ~(uint64_t)7; }

/* CRC-32 of [0, size) with the CRC field read as zero. */
static uint32_t header_crc(const uint8_t *p, uint64_t size)
{
    static const uint8_t zero[4];
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, p, OFF_CRC);
    crc = crc32(crc, zero, 4);
    crc = crc32(crc, p + OFF_CRC + 4, (uInt)(size - OFF_CRC - 4));
    return (uint32_t)crc;
}

static int check_dataset(const char *path, const dsml_dataset *ds, const char *params)
{
    if (ds->n < 1 || (unsigned)ds->n > MAX_IMAGES || ds->channels < 1 || (unsigned)ds->channels > MAX_SIDE ||
        ds->height < 1 || (unsigned)ds->height > MAX_SIDE || ds->width < 1 || (unsigned)ds->width > MAX_SIDE ||
        ds->n_classes < 1 || (unsigned)ds->n_classes > MAX_CLASSES ||
        (uint64_t)ds->channels * ds->height * ds->width > MAX_IMAGE_BYTES)
        return dsml_fail(DSML_ERR_ARG, "%s: dataset of %d images %dx%dx%d, %d classes: size out of range", path,
                         ds->n, ds->channels, ds->height, ds->width, ds->n_classes);
    if (!memchr(ds->name, '\0', sizeof ds->name) || !ds->name[0])
        return dsml_fail(DSML_ERR_ARG, "%s: dataset name empty or not terminated", path);
    if (!dsml_sha256_is_hex(ds->source_sha256))
        return dsml_fail(DSML_ERR_ARG, "%s: source SHA-256 \"%.64s\" is not 64 hex digits", path, ds->source_sha256);
    if (strlen(params) >= DSML_CACHE_PARAMS)
        return dsml_fail(DSML_ERR_ARG, "%s: parameters string of %zu bytes, at most %d fit", path, strlen(params),
                         DSML_CACHE_PARAMS - 1);
    for (int c = 0; c < ds->n_classes; c++)
        if (!memchr(ds->class_names[c], '\0', DSML_DATASET_NAME))
            return dsml_fail(DSML_ERR_ARG, "%s: class %d: name not terminated", path, c);
    for (int i = 0; i < ds->n; i++)
        if (ds->labels[i] < 0 || ds->labels[i] >= ds->n_classes)
            return dsml_fail(DSML_ERR_ARG, "%s: image %d: label %d, expected 0..%d", path, i, (int)ds->labels[i],
                             ds->n_classes - 1);
    if (ds->n_ignored < 0 || ds->n_skipped < 0 || (ds->n_skipped && !ds->skipped))
        return dsml_fail(DSML_ERR_ARG, "%s: %d ignored, %d skipped files: counts out of range", path,
                         ds->n_ignored, ds->n_skipped);
    for (int i = 0; i < ds->n_skipped; i++)
        if (!ds->skipped[i] || strlen(ds->skipped[i]) >= MAX_SKIPPED_NAME)
            return dsml_fail(DSML_ERR_ARG, "%s: skipped file %d: name missing or longer than %d bytes", path, i,
                             MAX_SKIPPED_NAME - 1);
    if (ds->n_splits < 0 || ds->n_splits > MAX_SPLITS || (ds->n_splits && (!ds->split_names || !ds->split)))
        return dsml_fail(DSML_ERR_ARG, "%s: %d splits, expected 0..%d with names and one index per image", path,
                         ds->n_splits, MAX_SPLITS);
    for (int k = 0; k < ds->n_splits; k++)
        if (!memchr(ds->split_names[k], '\0', DSML_DATASET_NAME) || !ds->split_names[k][0])
            return dsml_fail(DSML_ERR_ARG, "%s: split %d: name empty or not terminated", path, k);
    for (int i = 0; ds->n_splits && i < ds->n; i++)
        if (ds->split[i] >= ds->n_splits)
            return dsml_fail(DSML_ERR_ARG, "%s: image %d: split %d, expected 0..%d", path, i, ds->split[i],
                             ds->n_splits - 1);
    if (ds->n_labels < 0 || ds->n_labels > MAX_LABEL_BITS || ds->n_labels > ds->n_classes ||
        (ds->n_labels && !ds->label_bits))
        return dsml_fail(DSML_ERR_ARG, "%s: %d label bits, expected 0..%d, at most the %d classes, with one word "
                         "per image", path, ds->n_labels, MAX_LABEL_BITS, ds->n_classes);
    for (int i = 0; ds->n_labels && ds->n_labels < 64 && i < ds->n; i++)
        if (ds->label_bits[i] >> ds->n_labels)
            return dsml_fail(DSML_ERR_ARG, "%s: image %d: label bits 0x%llx, expected none above bit %d", path, i,
                             (unsigned long long)ds->label_bits[i], ds->n_labels - 1);
    return DSML_OK;
}

static int has_extension(const dsml_dataset *ds) { return ds->n_ignored || ds->n_skipped || ds->n_splits || ds->n_labels; }

/* Bytes of the version-2 skipped-names block: every name with its NUL. */
static uint64_t skipped_bytes(const dsml_dataset *ds)
{
    uint64_t bytes = 0;
    for (int i = 0; i < ds->n_skipped; i++) bytes += strlen(ds->skipped[i]) + 1;
    return bytes;
}

/* Where the label bits start (version 3): after the skipped block, aligned to 8. */
static uint64_t bits_offset_of(uint64_t n, uint64_t n_classes, uint64_t n_splits, uint64_t skipped)
{
    uint64_t end = DSML_CACHE_HEADER + (uint64_t)DSML_DATASET_NAME * n_classes;
    return align8(end + EXT_SIZE + (uint64_t)DSML_DATASET_NAME * n_splits + (n_splits ? n : 0) + skipped);
}

/* labels_offset for a dataset of n images, n_classes classes, and (versions
 * 2, 3) n_splits splits and a skipped block of `skipped` bytes, (version 3)
 * one word of label bits per image. */
static uint64_t labels_offset_of(uint32_t version, uint64_t n, uint64_t n_classes, uint64_t n_splits,
                                 uint64_t skipped)
{
    uint64_t end = DSML_CACHE_HEADER + (uint64_t)DSML_DATASET_NAME * n_classes;
    if (version == 1) return end;
    end += EXT_SIZE + (uint64_t)DSML_DATASET_NAME * n_splits + (n_splits ? n : 0) + skipped;
    if (version == 3) end = bits_offset_of(n, n_classes, n_splits, skipped) + 8 * n;
    return align64(end);
}

static int write_body(FILE *fp, const uint8_t *header, uint64_t labels_offset, uint64_t pixels_offset,
                      const dsml_dataset *ds)
{
    if (fwrite(header, 1, labels_offset, fp) != labels_offset) return -1;
    uint8_t buf[4096];
    for (int i = 0; i < ds->n;) {
        int m = 0;
        for (; m < 1024 && i < ds->n; m++, i++) put_u32(buf + 4 * m, (uint32_t)ds->labels[i]);
        if (fwrite(buf, 4, (size_t)m, fp) != (size_t)m) return -1;
    }
    uint64_t pad = pixels_offset - labels_offset - 4 * (uint64_t)ds->n;
    memset(buf, 0, 64);
    if (pad && fwrite(buf, 1, pad, fp) != pad) return -1;
    size_t bytes = (size_t)ds->n * dsml_dataset_image_bytes(ds);
    if (fwrite(ds->pixels, 1, bytes, fp) != bytes) return -1;
    return 0;
}

int dsml_cache_write(const char *path, const dsml_dataset *ds, const char *params)
{
    int rc = check_dataset(path, ds, params);
    if (rc) return rc;
    uint32_t version = ds->n_labels ? 3 : has_extension(ds) ? 2 : 1;
    uint64_t skipped = skipped_bytes(ds);
    uint64_t labels_offset = labels_offset_of(version, (uint64_t)ds->n, (uint64_t)ds->n_classes,
                                              (uint64_t)ds->n_splits, skipped);
    uint64_t pixels_offset = align64(labels_offset + 4 * (uint64_t)ds->n);
    uint64_t file_size = pixels_offset + (uint64_t)ds->n * dsml_dataset_image_bytes(ds);
    uint8_t *header = calloc(1, labels_offset);
    if (!header) return dsml_fail(DSML_ERR_NOMEM, "%s: cannot allocate the header", path);
    memcpy(header + OFF_MAGIC, DSML_CACHE_MAGIC, 8);
    put_u32(header + OFF_VERSION, version);
    put_u32(header + OFF_N, (uint32_t)ds->n);
    put_u32(header + OFF_CHANNELS, (uint32_t)ds->channels);
    put_u32(header + OFF_HEIGHT, (uint32_t)ds->height);
    put_u32(header + OFF_WIDTH, (uint32_t)ds->width);
    put_u32(header + OFF_CLASSES, (uint32_t)ds->n_classes);
    memcpy(header + OFF_NAME, ds->name, strlen(ds->name));
    memcpy(header + OFF_SOURCE, ds->source_sha256, 64);
    char content[65];
    dsml_dataset_content_sha256(ds, content);
    memcpy(header + OFF_CONTENT, content, 64);
    memcpy(header + OFF_PARAMS, params, strlen(params));
    put_u64(header + OFF_LABELS, labels_offset);
    put_u64(header + OFF_PIXELS, pixels_offset);
    put_u64(header + OFF_FILE_SIZE, file_size);
    for (int c = 0; c < ds->n_classes; c++)
        memcpy(header + DSML_CACHE_HEADER + (size_t)DSML_DATASET_NAME * c, ds->class_names[c],
               strlen(ds->class_names[c]));
    if (version >= 2) {
        uint8_t *ext = header + DSML_CACHE_HEADER + (size_t)DSML_DATASET_NAME * ds->n_classes;
        put_u32(ext + EXT_LABEL_BITS, (uint32_t)ds->n_labels);
        put_u32(ext + EXT_IGNORED, (uint32_t)ds->n_ignored);
        put_u32(ext + EXT_SKIPPED, (uint32_t)ds->n_skipped);
        put_u32(ext + EXT_SPLITS, (uint32_t)ds->n_splits);
        put_u64(ext + EXT_SKIPPED_BYTES, skipped);
        uint8_t *q = ext + EXT_SIZE;
        for (int k = 0; k < ds->n_splits; k++, q += DSML_DATASET_NAME)
            memcpy(q, ds->split_names[k], strlen(ds->split_names[k]));
        if (ds->n_splits) {
            memcpy(q, ds->split, (size_t)ds->n);
            q += ds->n;
        }
        for (int i = 0; i < ds->n_skipped; i++) {
            size_t len = strlen(ds->skipped[i]) + 1;
            memcpy(q, ds->skipped[i], len);
            q += len;
        }
        if (version == 3) {
            q = header + bits_offset_of((uint64_t)ds->n, (uint64_t)ds->n_classes, (uint64_t)ds->n_splits, skipped);
            for (int i = 0; i < ds->n; i++, q += 8) put_u64(q, ds->label_bits[i]);
        }
    }
    put_u32(header + OFF_CRC, header_crc(header, labels_offset));

    dsml_atomic_file f;
    rc = dsml_atomic_begin(&f, path);
    if (!rc) {
        if (write_body(f.fp, header, labels_offset, pixels_offset, ds) != 0) {
            int saved = errno;
            dsml_atomic_abort(&f);
            rc = dsml_fail(DSML_ERR_IO, "%s: write failed: %s", path, strerror(saved));
        } else {
            rc = dsml_atomic_commit(&f);
        }
    }
    free(header);
    return rc;
}

/* Reads the version-2 extension block at p + ext_offset (inside the part the
 * header CRC already covered) into ds: counts, split names and index, and a
 * copy of the skipped names; checks that they end exactly at labels_offset. */
static int read_extension(dsml_dataset *ds, const char *path, const uint8_t *p, uint64_t ext_offset,
                          uint64_t labels_offset, uint32_t n, uint32_t version, uint32_t n_classes)
{
    const uint8_t *ext = p + ext_offset;
    uint32_t n_ignored = get_u32(ext + EXT_IGNORED), n_skipped = get_u32(ext + EXT_SKIPPED);
    uint32_t n_splits = get_u32(ext + EXT_SPLITS), n_labels = get_u32(ext + EXT_LABEL_BITS);
    uint64_t skipped = get_u64(ext + EXT_SKIPPED_BYTES);
    if (version == 2 && n_labels != 0)
        return dsml_fail(DSML_ERR_FORMAT, "%s: extension: reserved field not zero", path);
    if (version == 3 && (n_labels < 1 || n_labels > MAX_LABEL_BITS || n_labels > n_classes))
        return dsml_fail(DSML_ERR_FORMAT, "%s: extension: %u label bits, expected 1..%d and at most the %u classes",
                         path, n_labels, MAX_LABEL_BITS, n_classes);
    for (int i = EXT_SKIPPED_BYTES + 8; i < EXT_SIZE; i++)
        if (ext[i]) return dsml_fail(DSML_ERR_FORMAT, "%s: extension: reserved byte %d not zero", path, i);
    if (n_ignored > INT32_MAX || n_skipped > MAX_IMAGES || n_splits > MAX_SPLITS || skipped > labels_offset)
        return dsml_fail(DSML_ERR_FORMAT, "%s: extension: %u ignored, %u skipped, %u splits, %llu name bytes: "
                         "out of range", path, n_ignored, n_skipped, n_splits, (unsigned long long)skipped);
    uint64_t expect = labels_offset_of(version, n, (ext_offset - DSML_CACHE_HEADER) / DSML_DATASET_NAME,
                                       n_splits, skipped);
    if (expect != labels_offset)
        return dsml_fail(DSML_ERR_FORMAT, "%s: header: labels at offset %llu, expected %llu for the extension's "
                         "%u splits and %llu name bytes", path, (unsigned long long)labels_offset,
                         (unsigned long long)expect, n_splits, (unsigned long long)skipped);
    const uint8_t *q = ext + EXT_SIZE;
    if (n_splits) {
        ds->split_names = calloc(n_splits, sizeof *ds->split_names);
        if (!ds->split_names) return dsml_fail(DSML_ERR_NOMEM, "%s: cannot allocate %u split names", path, n_splits);
        for (uint32_t k = 0; k < n_splits; k++, q += DSML_DATASET_NAME) {
            if (!memchr(q, '\0', DSML_DATASET_NAME) || !q[0])
                return dsml_fail(DSML_ERR_FORMAT, "%s: split %u: name empty or not terminated", path, k);
            memcpy(ds->split_names[k], q, DSML_DATASET_NAME);
        }
        for (uint32_t i = 0; i < n; i++)
            if (q[i] >= n_splits)
                return dsml_fail(DSML_ERR_FORMAT, "%s: image %u: split %u, expected 0..%u", path, i, q[i],
                                 n_splits - 1);
        ds->split = q;
        q += n;
    }
    ds->n_splits = (int)n_splits;
    if (n_skipped) {
        ds->skipped = calloc(n_skipped, sizeof *ds->skipped);
        if (!ds->skipped) return dsml_fail(DSML_ERR_NOMEM, "%s: cannot allocate %u skipped names", path, n_skipped);
    }
    const uint8_t *end = q + skipped;
    for (uint32_t i = 0; i < n_skipped; i++) {
        const uint8_t *nul = q < end ? memchr(q, '\0', (size_t)(end - q)) : NULL;
        if (!nul || nul == q)
            return dsml_fail(DSML_ERR_FORMAT, "%s: skipped file %u: name empty or past the %llu-byte block", path,
                             i, (unsigned long long)skipped);
        if (!(ds->skipped[i] = strdup((const char *)q)))
            return dsml_fail(DSML_ERR_NOMEM, "%s: cannot copy skipped names", path);
        ds->n_skipped = (int)i + 1;
        q = nul + 1;
    }
    if (q != end)
        return dsml_fail(DSML_ERR_FORMAT, "%s: extension: %llu bytes after the %u skipped names", path,
                         (unsigned long long)(end - q), n_skipped);
    ds->n_ignored = (int)n_ignored;
    if (version == 3) {
        const uint8_t *bits = p + bits_offset_of(n, n_classes, n_splits, skipped);
        for (uint32_t i = 0; i < n; i++) {
            uint64_t v = get_u64(bits + 8 * (size_t)i);
            if (n_labels < 64 && v >> n_labels)
                return dsml_fail(DSML_ERR_FORMAT, "%s: image %u: label bits 0x%llx, expected none above bit %u", path,
                                 i, (unsigned long long)v, n_labels - 1);
        }
        if (host_is_little_endian()) {
            ds->label_bits = (const uint64_t *)(const void *)bits; /* 8-aligned in the file and the map */
        } else {
            ds->owned_label_bits = malloc(sizeof(uint64_t) * (n ? n : 1));
            if (!ds->owned_label_bits) return dsml_fail(DSML_ERR_NOMEM, "%s: cannot allocate label bits", path);
            for (uint32_t i = 0; i < n; i++) ds->owned_label_bits[i] = get_u64(bits + 8 * (size_t)i);
            ds->label_bits = ds->owned_label_bits;
        }
        ds->n_labels = (int)n_labels;
    }
    return DSML_OK;
}

/* Validates the mapped file; fills ds's shape and pointers. */
static int validate(dsml_dataset *ds, const char *path, const uint8_t *p, uint64_t size, char *params)
{
    if (memcmp(p + OFF_MAGIC, DSML_CACHE_MAGIC, 8) != 0)
        return dsml_fail(DSML_ERR_FORMAT, "%s: magic \"%.8s\", expected \"%s\" (not a dsml dataset cache)", path,
                         (const char *)p, DSML_CACHE_MAGIC);
    uint32_t version = get_u32(p + OFF_VERSION);
    if (version < 1 || version > DSML_CACHE_VERSION)
        return dsml_fail(DSML_ERR_FORMAT, "%s: version %u, expected 1..%d", path, version, DSML_CACHE_VERSION);
    uint32_t n_classes = get_u32(p + OFF_CLASSES);
    uint64_t labels_offset = get_u64(p + OFF_LABELS);
    if (n_classes < 1 || n_classes > MAX_CLASSES)
        return dsml_fail(DSML_ERR_FORMAT, "%s: header: %u classes, expected 1..%u", path, n_classes, MAX_CLASSES);
    uint64_t names_end = DSML_CACHE_HEADER + (uint64_t)DSML_DATASET_NAME * n_classes;
    if (version == 1 && labels_offset != names_end)
        return dsml_fail(DSML_ERR_FORMAT, "%s: header: labels at offset %llu, expected %llu for %u classes", path,
                         (unsigned long long)labels_offset, (unsigned long long)names_end, n_classes);
    if (version >= 2 && (labels_offset < names_end + EXT_SIZE || labels_offset % 64))
        return dsml_fail(DSML_ERR_FORMAT, "%s: header: labels at offset %llu, expected a multiple of 64 past %llu",
                         path, (unsigned long long)labels_offset, (unsigned long long)(names_end + EXT_SIZE));
    if (labels_offset > size)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %llu bytes, shorter than its %llu-byte header (truncated)", path,
                         (unsigned long long)size, (unsigned long long)labels_offset);
    uint32_t crc = get_u32(p + OFF_CRC), expect_crc = header_crc(p, labels_offset);
    if (crc != expect_crc)
        return dsml_fail(DSML_ERR_FORMAT, "%s: header CRC-32 0x%08x, computed 0x%08x (corrupt header)", path, crc,
                         expect_crc);
    uint32_t n = get_u32(p + OFF_N), c = get_u32(p + OFF_CHANNELS);
    uint32_t h = get_u32(p + OFF_HEIGHT), w = get_u32(p + OFF_WIDTH);
    if (n < 1 || n > MAX_IMAGES || c < 1 || c > MAX_SIDE || h < 1 || h > MAX_SIDE || w < 1 || w > MAX_SIDE ||
        (uint64_t)c * h * w > MAX_IMAGE_BYTES)
        return dsml_fail(DSML_ERR_FORMAT, "%s: header: %u images of %ux%ux%u, out of range", path, n, c, h, w);
    uint64_t pixels_offset = get_u64(p + OFF_PIXELS), file_size = get_u64(p + OFF_FILE_SIZE);
    uint64_t expect_pixels = align64(labels_offset + 4 * (uint64_t)n);
    uint64_t expect_size = expect_pixels + (uint64_t)n * c * h * w;
    if (pixels_offset != expect_pixels)
        return dsml_fail(DSML_ERR_FORMAT, "%s: header: pixels at offset %llu, expected %llu", path,
                         (unsigned long long)pixels_offset, (unsigned long long)expect_pixels);
    if (file_size != expect_size)
        return dsml_fail(DSML_ERR_FORMAT, "%s: header: file size %llu, expected %llu for %u images", path,
                         (unsigned long long)file_size, (unsigned long long)expect_size, n);
    if (size < file_size)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %llu bytes, header says %llu (truncated)", path,
                         (unsigned long long)size, (unsigned long long)file_size);
    if (size > file_size)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %llu bytes, header says %llu (trailing bytes)", path,
                         (unsigned long long)size, (unsigned long long)file_size);
    if (get_u32(p + OFF_RESERVED) != 0)
        return dsml_fail(DSML_ERR_FORMAT, "%s: header: reserved field not zero", path);
    if (!memchr(p + OFF_NAME, '\0', 64) || !p[OFF_NAME])
        return dsml_fail(DSML_ERR_FORMAT, "%s: header: name empty or not terminated", path);
    if (!memchr(p + OFF_PARAMS, '\0', DSML_CACHE_PARAMS))
        return dsml_fail(DSML_ERR_FORMAT, "%s: header: parameters string not terminated", path);
    char hex[65];
    for (int field = OFF_SOURCE; field <= OFF_CONTENT; field += 64) {
        memcpy(hex, p + field, 64);
        hex[64] = '\0';
        if (!dsml_sha256_is_hex(hex))
            return dsml_fail(DSML_ERR_FORMAT, "%s: header: %s SHA-256 is not 64 hex digits", path,
                             field == OFF_SOURCE ? "source" : "content");
    }
    ds->class_names = calloc(n_classes, sizeof *ds->class_names);
    if (!ds->class_names) return dsml_fail(DSML_ERR_NOMEM, "%s: cannot allocate %u class names", path, n_classes);
    for (uint32_t k = 0; k < n_classes; k++) {
        const uint8_t *name = p + DSML_CACHE_HEADER + (size_t)DSML_DATASET_NAME * k;
        if (!memchr(name, '\0', DSML_DATASET_NAME))
            return dsml_fail(DSML_ERR_FORMAT, "%s: class %u: name not terminated", path, k);
        memcpy(ds->class_names[k], name, DSML_DATASET_NAME);
    }
    const uint8_t *lab = p + labels_offset;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t v = get_u32(lab + 4 * (size_t)i);
        if (v >= n_classes)
            return dsml_fail(DSML_ERR_FORMAT, "%s: image %u: label %d, expected 0..%u", path, i, (int32_t)v,
                             n_classes - 1);
    }
    if (version >= 2) {
        int rc = read_extension(ds, path, p, names_end, labels_offset, n, version, n_classes);
        if (rc) return rc;
    }
    if (host_is_little_endian()) {
        ds->labels = (const int32_t *)(const void *)lab;
    } else {
        ds->owned_labels = malloc(sizeof(int32_t) * n);
        if (!ds->owned_labels) return dsml_fail(DSML_ERR_NOMEM, "%s: cannot allocate %u labels", path, n);
        for (uint32_t i = 0; i < n; i++) ds->owned_labels[i] = (int32_t)get_u32(lab + 4 * (size_t)i);
        ds->labels = ds->owned_labels;
    }
    memcpy(ds->name, p + OFF_NAME, 64);
    ds->n = (int)n;
    ds->channels = (int)c;
    ds->height = (int)h;
    ds->width = (int)w;
    ds->n_classes = (int)n_classes;
    ds->pixels = p + pixels_offset;
    memcpy(ds->source_sha256, p + OFF_SOURCE, 64);
    memcpy(ds->content_sha256, p + OFF_CONTENT, 64);
    if (params) memcpy(params, p + OFF_PARAMS, DSML_CACHE_PARAMS);
    return DSML_OK;
}

int dsml_cache_open(dsml_dataset *ds, const char *path, dsml_cache_check check, char params[DSML_CACHE_PARAMS])
{
    memset(ds, 0, sizeof *ds);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return dsml_fail(DSML_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int saved = errno;
        close(fd);
        return dsml_fail(DSML_ERR_IO, "%s: cannot stat: %s", path, strerror(saved));
    }
    uint64_t size = (uint64_t)st.st_size;
    if (size < DSML_CACHE_HEADER) {
        close(fd);
        return dsml_fail(DSML_ERR_FORMAT, "%s: %llu bytes, shorter than the %d-byte header (truncated)", path,
                         (unsigned long long)size, DSML_CACHE_HEADER);
    }
    void *base = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    int saved = errno;
    close(fd);
    if (base == MAP_FAILED) return dsml_fail(DSML_ERR_IO, "%s: cannot map: %s", path, strerror(saved));
    ds->map_base = base;
    ds->map_size = size;
    int rc = validate(ds, path, base, size, params);
    if (!rc && check == DSML_CACHE_VERIFY_CONTENT) {
        char hex[65];
        dsml_dataset_content_sha256(ds, hex);
        if (strcmp(hex, ds->content_sha256) != 0)
            rc = dsml_fail(DSML_ERR_CHECKSUM, "%s: content SHA-256 %s, header says %s (corrupt data)", path, hex,
                           ds->content_sha256);
    }
    if (rc) dsml_dataset_free(ds);
    return rc;
}

int dsml_cache_ensure(dsml_dataset *ds, const char *path, const char *params, dsml_prepare_fn prepare,
                      void *context, dsml_cache_check check, FILE *log)
{
    return dsml_cache_refresh(ds, path, params, prepare, context, check, log, NULL);
}

int dsml_cache_refresh(dsml_dataset *ds, const char *path, const char *params, dsml_prepare_fn prepare,
                       void *context, dsml_cache_check check, FILE *log, int *prepared)
{
    if (prepared) *prepared = 0;
    char found[DSML_CACHE_PARAMS];
    int exists = access(path, F_OK) == 0;
    int rc = exists ? dsml_cache_open(ds, path, check, found) : DSML_ERR_IO;
    if (!rc) {
        if (!prepare) {
            if (log) fprintf(log, "data: %s: source not found, using the cache as prepared (%s)\n", path, found);
            return DSML_OK;
        }
        if (strcmp(found, params) == 0) {
            if (log) fprintf(log, "data: %s: up to date, %d images, content %.16s\n", path, ds->n,
                             ds->content_sha256);
            return DSML_OK;
        }
        if (log) fprintf(log, "data: %s: stale (prepared with \"%s\"), preparing again\n", path, found);
        dsml_dataset_free(ds);
    } else {
        if (!prepare) {
            if (exists) return dsml_fail_context(rc, "%s: no source to prepare it again from", path);
            return dsml_fail(DSML_ERR_STATE, "%s: no prepared cache and no source to prepare it from", path);
        }
        if (log) {
            if (exists) fprintf(log, "data: %s: unusable (%s), preparing again\n", path, dsml_last_error());
            else fprintf(log, "data: %s: not prepared yet, preparing\n", path);
        }
    }

    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        rc = dsml_mkdirs(dir);
        if (rc) return rc;
    }
    dsml_dataset fresh;
    rc = prepare(&fresh, context);
    if (rc) return rc;
    rc = dsml_cache_write(path, &fresh, params);
    dsml_dataset_free(&fresh);
    if (rc) return rc;
    rc = dsml_cache_open(ds, path, DSML_CACHE_TRUST_CONTENT, NULL);
    if (rc) return rc;
    if (prepared) *prepared = 1;
    if (log) fprintf(log, "data: %s: written, %d images, content %.16s\n", path, ds->n, ds->content_sha256);
    return DSML_OK;
}
