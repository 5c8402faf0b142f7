/* IDX reader and the Fashion-MNIST pool; see idx.h and docs/formats.md. */
#include "data/idx.h"
#include "core/error.h"
#include "data/class_names.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_COUNT (1 << 28)
#define MAX_SIDE 65536
#define MAX_BYTES ((uint64_t)1 << 32)

static const char *const fashion_names[4] = {
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
};

static int open_gz(const char *path, gzFile *gz)
{
    *gz = gzopen(path, "rb");
    if (!*gz) return dsml_fail(DSML_ERR_IO, "%s: cannot open: %s", path, errno ? strerror(errno) : "out of memory");
    gzbuffer(*gz, 1 << 17);
    return DSML_OK;
}

/* Reads up to `want` bytes; returns how many were read (fewer at end of data
 * or on a damaged stream). */
static uint64_t read_some(gzFile gz, uint8_t *buf, uint64_t want)
{
    uint64_t got = 0;
    while (got < want) {
        uint64_t chunk = want - got > (1u << 30) ? (1u << 30) : want - got;
        int r = gzread(gz, buf + got, (unsigned)chunk);
        if (r <= 0) break;
        got += (uint64_t)r;
    }
    return got;
}

static const char *gz_problem(gzFile gz)
{
    int code;
    const char *msg = gzerror(gz, &code);
    return code == Z_OK ? "" : msg;
}

/* Reads the magic and `dims` big-endian uint32 dimensions. */
static int read_header(gzFile gz, const char *path, uint32_t magic, int dims, uint32_t *dim)
{
    uint8_t head[16];
    uint64_t want = 4 + 4 * (uint64_t)dims;
    uint64_t got = read_some(gz, head, want);
    if (got < want)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %llu-byte IDX header expected, %llu bytes found%s%s", path,
                         (unsigned long long)want, (unsigned long long)got, *gz_problem(gz) ? ": " : "",
                         gz_problem(gz));
    uint32_t found = (uint32_t)head[0] << 24 | (uint32_t)head[1] << 16 | (uint32_t)head[2] << 8 | head[3];
    if (found != magic)
        return dsml_fail(DSML_ERR_FORMAT, "%s: magic 0x%08x, expected 0x%08x (IDX %s)", path, found, magic,
                         dims == 3 ? "unsigned byte images" : "unsigned byte labels");
    for (int i = 0; i < dims; i++) {
        const uint8_t *p = head + 4 + 4 * i;
        dim[i] = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    }
    return DSML_OK;
}

/* Reads exactly `size` payload bytes into a malloc'd buffer (grown as data
 * arrives, so a lying header cannot make it allocate much more than the file
 * holds) and checks nothing follows. */
static int read_payload(gzFile gz, const char *path, const char *what, uint64_t size, uint8_t **out)
{
    uint64_t cap = size < (1u << 24) ? size : (1u << 24), got = 0;
    uint8_t *buf = malloc(cap ? cap : 1);
    if (!buf) return dsml_fail(DSML_ERR_NOMEM, "%s: cannot allocate %llu bytes", path, (unsigned long long)cap);
    while (got < size) {
        if (got == cap) {
            uint64_t next = cap * 2 < size ? cap * 2 : size;
            uint8_t *grown = realloc(buf, next);
            if (!grown) {
                free(buf);
                return dsml_fail(DSML_ERR_NOMEM, "%s: cannot allocate %llu bytes", path, (unsigned long long)next);
            }
            buf = grown;
            cap = next;
        }
        uint64_t r = read_some(gz, buf + got, cap - got);
        got += r;
        if (r == 0) break;
    }
    if (got < size) {
        free(buf);
        const char *problem = gz_problem(gz);
        return dsml_fail(DSML_ERR_FORMAT, "%s: %llu bytes of %s expected, %llu found%s%s", path,
                         (unsigned long long)size, what, (unsigned long long)got, *problem ? ": " : "", problem);
    }
    uint8_t extra;
    if (read_some(gz, &extra, 1) != 0) {
        free(buf);
        return dsml_fail(DSML_ERR_FORMAT, "%s: data after the %llu bytes of %s the header announces", path,
                         (unsigned long long)size, what);
    }
    *out = buf;
    return DSML_OK;
}

int dsml_idx_read_images(const char *path, uint8_t **pixels, int *n, int *rows, int *cols)
{
    *pixels = NULL;
    gzFile gz;
    int rc = open_gz(path, &gz);
    if (rc) return rc;
    uint32_t dim[3];
    rc = read_header(gz, path, DSML_IDX_MAGIC_UBYTE_3D, 3, dim);
    if (!rc && (dim[0] < 1 || dim[0] > MAX_COUNT || dim[1] < 1 || dim[1] > MAX_SIDE || dim[2] < 1 ||
                dim[2] > MAX_SIDE || (uint64_t)dim[0] * dim[1] * dim[2] > MAX_BYTES))
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: header says %u images of %ux%u, expected 1..%d images of at most %d"
                       " pixels a side", path, dim[0], dim[1], dim[2], MAX_COUNT, MAX_SIDE);
    if (!rc) rc = read_payload(gz, path, "pixels", (uint64_t)dim[0] * dim[1] * dim[2], pixels);
    gzclose(gz);
    if (rc) return rc;
    *n = (int)dim[0];
    *rows = (int)dim[1];
    *cols = (int)dim[2];
    return DSML_OK;
}

int dsml_idx_read_labels(const char *path, uint8_t **labels, int *n)
{
    *labels = NULL;
    gzFile gz;
    int rc = open_gz(path, &gz);
    if (rc) return rc;
    uint32_t count;
    rc = read_header(gz, path, DSML_IDX_MAGIC_UBYTE_1D, 1, &count);
    if (!rc && (count < 1 || count > MAX_COUNT))
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: header says %u labels, expected 1..%d", path, count, MAX_COUNT);
    if (!rc) rc = read_payload(gz, path, "labels", count, labels);
    gzclose(gz);
    if (rc) return rc;
    *n = (int)count;
    return DSML_OK;
}

int dsml_fashion_mnist_files(const char *dir, char paths[4][4096])
{
    char gz[4096], plain[4096];
    for (int i = 0; i < 4; i++) {
        int len = snprintf(gz, sizeof gz, "%s/%s.gz", dir, fashion_names[i]);
        if (len < 0 || len >= (int)sizeof gz) return dsml_fail(DSML_ERR_ARG, "%s: path too long", dir);
        snprintf(plain, sizeof plain, "%s/%s", dir, fashion_names[i]);
        const char *found = access(gz, R_OK) == 0 ? gz : access(plain, R_OK) == 0 ? plain : NULL;
        if (!found)
            return dsml_fail(DSML_ERR_IO, "%s: neither %s.gz nor %s found (Fashion-MNIST IDX files expected)", dir,
                             fashion_names[i], fashion_names[i]);
        memcpy(paths[i], found, strlen(found) + 1);
    }
    return DSML_OK;
}

/* One split: images and labels read and checked against each other. */
typedef struct {
    uint8_t *pixels, *labels;
    int n, rows, cols;
} idx_split;

static int read_split(idx_split *s, const char *images, const char *labels, int expect)
{
    int n_labels;
    int rc = dsml_idx_read_images(images, &s->pixels, &s->n, &s->rows, &s->cols);
    if (!rc) rc = dsml_idx_read_labels(labels, &s->labels, &n_labels);
    if (rc) return rc;
    if (n_labels != s->n)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %d labels, but %s holds %d images", labels, n_labels, images, s->n);
    if (expect != DSML_ANY_COUNT && s->n != expect)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %d images, expected %d", images, s->n, expect);
    for (int i = 0; i < s->n; i++)
        if (s->labels[i] > 9)
            return dsml_fail(DSML_ERR_FORMAT, "%s: record %d: label %d, expected 0..9", labels, i, s->labels[i]);
    return DSML_OK;
}

int dsml_fashion_mnist_read(dsml_dataset *ds, const char *dir, int expect_train, int expect_test)
{
    memset(ds, 0, sizeof *ds);
    char paths[4][4096];
    int rc = dsml_fashion_mnist_files(dir, paths);
    if (rc) return rc;
    idx_split train = {0}, test = {0};
    rc = read_split(&train, paths[0], paths[1], expect_train);
    if (!rc) rc = read_split(&test, paths[2], paths[3], expect_test);
    if (!rc && (test.rows != train.rows || test.cols != train.cols))
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: images of %dx%d, but %s has %dx%d", paths[2], test.rows, test.cols,
                       paths[0], train.rows, train.cols);
    if (!rc && train.n > (1 << 28) - test.n)
        rc = dsml_fail(DSML_ERR_FORMAT, "%s: %d + %d images: too many", dir, train.n, test.n);
    uint8_t *pixels;
    int32_t *labels;
    if (!rc) rc = dsml_dataset_alloc(ds, "fashion-mnist", train.n + test.n, 1, train.rows, train.cols, 10, &pixels,
                                     &labels);
    if (!rc) {
        size_t image = (size_t)train.rows * train.cols;
        memcpy(pixels, train.pixels, (size_t)train.n * image);
        memcpy(pixels + (size_t)train.n * image, test.pixels, (size_t)test.n * image);
        for (int i = 0; i < train.n; i++) labels[i] = train.labels[i];
        for (int i = 0; i < test.n; i++) labels[train.n + i] = test.labels[i];
        int n_names;
        const char *const *names = dsml_class_names("fashion-mnist", &n_names);
        for (int c = 0; c < n_names && c < 10; c++) snprintf(ds->class_names[c], DSML_DATASET_NAME, "%s", names[c]);
        const char *list[4] = {paths[0], paths[1], paths[2], paths[3]};
        rc = dsml_source_sha256(list, 4, ds->source_sha256);
    }
    free(train.pixels);
    free(train.labels);
    free(test.pixels);
    free(test.labels);
    if (rc) {
        dsml_dataset_free(ds);
        return rc;
    }
    dsml_dataset_content_sha256(ds, ds->content_sha256);
    return DSML_OK;
}
