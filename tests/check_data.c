/* Tests of src/data (readers, cache, splits, samplers) and src/core/sha256,
 * on small files written in each test's temporary folder, plus the real
 * Fashion-MNIST and CIFAR-10 files when present (skipped with a message when
 * not). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/sha256.h"
#include "data/cache.h"
#include "data/cifar.h"
#include "data/dataset.h"
#include "data/idx.h"
#include "data/sampler.h"
#include "data/split.h"
#include "support/testdir.h"
#include "support/suite_run.h"

/* ---------------------------------------------------------------- helpers */

static uint8_t pixel_value(int image, int byte) { return (uint8_t)(image * 7 + byte * 13 + 1); }

static void write_bytes(const char *path, const void *data, size_t size, int gzip)
{
    if (gzip) {
        gzFile gz = gzopen(path, "wb");
        ck_assert_ptr_nonnull(gz);
        if (size) ck_assert_int_eq(gzwrite(gz, data, (unsigned)size), (int)size);
        ck_assert_int_eq(gzclose(gz), Z_OK);
    } else {
        FILE *fp = fopen(path, "wb");
        ck_assert_ptr_nonnull(fp);
        ck_assert_uint_eq(fwrite(data, 1, size, fp), size);
        fclose(fp);
    }
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* An IDX image file of n images 28x28 (first image index `first`), with
 * `pixel_bytes` bytes of pixels actually written (< n*784 to truncate). */
static void write_idx_images(const char *path, uint32_t magic, int n, int first, size_t pixel_bytes, int gzip)
{
    size_t size = 16 + pixel_bytes;
    uint8_t *buf = malloc(size);
    put_be32(buf, magic);
    put_be32(buf + 4, (uint32_t)n);
    put_be32(buf + 8, 28);
    put_be32(buf + 12, 28);
    for (size_t j = 0; j < pixel_bytes; j++) buf[16 + j] = pixel_value(first + (int)(j / 784), (int)(j % 784));
    write_bytes(path, buf, size, gzip);
    free(buf);
}

static int fashion_label(int image) { return (image * 3 + 1) % 10; }

static void write_idx_labels(const char *path, uint32_t magic, int n, int first, int gzip)
{
    uint8_t *buf = malloc(8 + (size_t)n);
    put_be32(buf, magic);
    put_be32(buf + 4, (uint32_t)n);
    for (int i = 0; i < n; i++) buf[8 + i] = (uint8_t)fashion_label(first + i);
    write_bytes(path, buf, 8 + (size_t)n, gzip);
    free(buf);
}

/* The four Fashion-MNIST files in the test folder: 30 training, 10 test images. */
static void write_fashion(int gzip)
{
    const char *suffix = gzip ? ".gz" : "";
    char name[128];
    snprintf(name, sizeof name, "train-images-idx3-ubyte%s", suffix);
    write_idx_images(testdir_path(name), DSML_IDX_MAGIC_UBYTE_3D, 30, 0, 30 * 784, gzip);
    snprintf(name, sizeof name, "train-labels-idx1-ubyte%s", suffix);
    write_idx_labels(testdir_path(name), DSML_IDX_MAGIC_UBYTE_1D, 30, 0, gzip);
    snprintf(name, sizeof name, "t10k-images-idx3-ubyte%s", suffix);
    write_idx_images(testdir_path(name), DSML_IDX_MAGIC_UBYTE_3D, 10, 30, 10 * 784, gzip);
    snprintf(name, sizeof name, "t10k-labels-idx1-ubyte%s", suffix);
    write_idx_labels(testdir_path(name), DSML_IDX_MAGIC_UBYTE_1D, 10, 30, gzip);
}

#define CIFAR_R 20 /* records per batch in the small test files */
static const char *const cifar_files[6] = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                           "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"};
static const char cifar_meta[] = "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n";

static int cifar_label(int image) { return (image * 7 + 3) % 10; }

/* The bytes of batch `slot` (records for images slot*R ..). Caller frees. */
static uint8_t *cifar_batch(int slot, size_t *size)
{
    *size = (size_t)CIFAR_R * DSML_CIFAR10_RECORD;
    uint8_t *buf = malloc(*size);
    for (int r = 0; r < CIFAR_R; r++) {
        int image = slot * CIFAR_R + r;
        uint8_t *rec = buf + (size_t)r * DSML_CIFAR10_RECORD;
        rec[0] = (uint8_t)cifar_label(image);
        for (int j = 0; j < 3072; j++) rec[1 + j] = pixel_value(image, j);
    }
    return buf;
}

/* An extracted cifar-10-batches-bin folder under the test folder. */
static const char *write_cifar_folder(void)
{
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s", testdir_path("cifar-10-batches-bin"));
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    char path[8192];
    snprintf(path, sizeof path, "%s/batches.meta.txt", dir);
    write_bytes(path, cifar_meta, strlen(cifar_meta), 0);
    for (int s = 0; s < 6; s++) {
        size_t size;
        uint8_t *buf = cifar_batch(s, &size);
        snprintf(path, sizeof path, "%s/%s", dir, cifar_files[s]);
        write_bytes(path, buf, size, 0);
        free(buf);
    }
    return dir;
}

/* A tar.gz in the official layout; `evil` (may be NULL) is added as one more
 * member name before the batches. */
static void write_cifar_archive(const char *path, const char *evil)
{
    struct archive *a = archive_write_new();
    ck_assert_int_eq(archive_write_add_filter_gzip(a), ARCHIVE_OK);
    ck_assert_int_eq(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
    ck_assert_int_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, "cifar-10-batches-bin/");
    archive_entry_set_filetype(e, AE_IFDIR);
    archive_entry_set_perm(e, 0755);
    ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
    for (int m = -2; m < 6; m++) {
        size_t size;
        uint8_t *buf;
        char name[256];
        if (m == -2) {
            buf = (uint8_t *)strdup(cifar_meta);
            size = strlen(cifar_meta);
            snprintf(name, sizeof name, "cifar-10-batches-bin/batches.meta.txt");
        } else if (m == -1) {
            if (!evil) continue;
            buf = (uint8_t *)strdup("x");
            size = 1;
            snprintf(name, sizeof name, "%s", evil);
        } else {
            buf = cifar_batch(m, &size);
            snprintf(name, sizeof name, "cifar-10-batches-bin/%s", cifar_files[m]);
        }
        archive_entry_clear(e);
        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, (la_int64_t)size);
        ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
        ck_assert_int_eq(archive_write_data(a, buf, size), (la_ssize_t)size);
        free(buf);
    }
    archive_entry_free(e);
    ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

static void check_cifar_small(const dsml_dataset *ds)
{
    ck_assert_int_eq(ds->n, 6 * CIFAR_R);
    ck_assert_int_eq(ds->channels, 3);
    ck_assert_int_eq(ds->height, 32);
    ck_assert_int_eq(ds->width, 32);
    ck_assert_int_eq(ds->n_classes, 10);
    ck_assert_str_eq(ds->name, "cifar10");
    ck_assert_str_eq(ds->class_names[0], "airplane");
    ck_assert_str_eq(ds->class_names[9], "truck");
    for (int i = 0; i < ds->n; i++) {
        ck_assert_int_eq(ds->labels[i], cifar_label(i));
        for (int j = 0; j < 3072; j += 401) ck_assert_uint_eq(ds->pixels[(size_t)i * 3072 + j], pixel_value(i, j));
    }
    /* last pixel of the last image: blue channel, row 31, column 31 */
    ck_assert_uint_eq(ds->pixels[(size_t)ds->n * 3072 - 1], pixel_value(ds->n - 1, 3071));
    char hex[65];
    dsml_dataset_content_sha256(ds, hex);
    ck_assert_str_eq(hex, ds->content_sha256);
}

/* A small in-memory dataset: 60 images 2x3x4 of 4 classes. */
static void make_small_dataset(dsml_dataset *ds)
{
    uint8_t *pixels;
    int32_t *labels;
    ck_assert_int_eq(dsml_dataset_alloc(ds, "tiny", 60, 2, 3, 4, 4, &pixels, &labels), DSML_OK);
    for (int i = 0; i < 60; i++) {
        labels[i] = i % 4;
        for (int j = 0; j < 24; j++) pixels[i * 24 + j] = pixel_value(i, j);
    }
    for (int c = 0; c < 4; c++) snprintf(ds->class_names[c], DSML_DATASET_NAME, "class %d", c);
    dsml_sha256_hex("source", 6, ds->source_sha256);
    dsml_dataset_content_sha256(ds, ds->content_sha256);
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Number of entries in the test folder (other than . and ..). */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void expect_error(int rc, int code, const char *fragment)
{
    ck_assert_int_eq(rc, code);
    ck_assert_msg(strstr(dsml_last_error(), fragment), "error \"%s\" lacks \"%s\"", dsml_last_error(), fragment);
}

/* ----------------------------------------------------------------- sha256 */

START_TEST(test_sha256_fips_vectors)
{
    char hex[65];
    dsml_sha256_hex("abc", 3, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    dsml_sha256_hex(m448, strlen(m448), hex);
    ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    dsml_sha256_hex("", 0, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    /* a million 'a', fed in uneven pieces through the streaming interface */
    char *a = malloc(1000000);
    memset(a, 'a', 1000000);
    dsml_sha256 h;
    dsml_sha256_init(&h);
    size_t done = 0, piece = 1;
    while (done < 1000000) {
        size_t take = piece < 1000000 - done ? piece : 1000000 - done;
        dsml_sha256_update(&h, a + done, take);
        done += take;
        piece = piece * 3 % 1031 + 1;
    }
    dsml_sha256_final_hex(&h, hex);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

    ck_assert_ptr_nonnull(testdir_make("sha256"));
    write_bytes(testdir_path("a.bin"), a, 1000000, 0);
    ck_assert_int_eq(dsml_sha256_file(testdir_path("a.bin"), hex), DSML_OK);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    expect_error(dsml_sha256_file(testdir_path("missing.bin"), hex), DSML_ERR_IO, "missing.bin");
    ck_assert(dsml_sha256_is_hex(hex));
    hex[3] = 'G';
    ck_assert(!dsml_sha256_is_hex(hex));
    free(a);
    testdir_done(1);
}
END_TEST

/* -------------------------------------------------------------------- IDX */

static void check_fashion_small(const dsml_dataset *ds)
{
    ck_assert_str_eq(ds->name, "fashion-mnist");
    ck_assert_int_eq(ds->n, 40);
    ck_assert_int_eq(ds->channels, 1);
    ck_assert_int_eq(ds->height, 28);
    ck_assert_int_eq(ds->width, 28);
    ck_assert_int_eq(ds->n_classes, 10);
    ck_assert_str_eq(ds->class_names[0], "T-shirt/top");
    ck_assert_str_eq(ds->class_names[9], "Ankle boot");
    for (int i = 0; i < 40; i++) {
        ck_assert_int_eq(ds->labels[i], fashion_label(i));
        for (int j = 0; j < 784; j += 97) ck_assert_uint_eq(ds->pixels[i * 784 + j], pixel_value(i, j));
    }
    ck_assert(dsml_sha256_is_hex(ds->source_sha256));
    ck_assert(dsml_sha256_is_hex(ds->content_sha256));
}

START_TEST(test_idx_round_trip_gzip_and_plain)
{
    const char *dir = testdir_make("idx");
    ck_assert_ptr_nonnull(dir);
    write_fashion(1);
    dsml_dataset ds;
    ck_assert_int_eq(dsml_fashion_mnist_read(&ds, dir, 30, 10), DSML_OK);
    check_fashion_small(&ds);
    char gz_content[65];
    memcpy(gz_content, ds.content_sha256, 65);
    dsml_dataset_free(&ds);
    ck_assert_ptr_null(ds.pixels);

    /* the source hash is sha256sum's listing of the four files, hashed */
    char paths[4][4096], line_hex[65], listing[1024] = "";
    ck_assert_int_eq(dsml_fashion_mnist_files(dir, paths), DSML_OK);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(dsml_sha256_file(paths[i], line_hex), DSML_OK);
        size_t used = strlen(listing);
        snprintf(listing + used, sizeof listing - used, "%s  %s\n", line_hex, strrchr(paths[i], '/') + 1);
    }
    char expect[65];
    dsml_sha256_hex(listing, strlen(listing), expect);
    ck_assert_int_eq(dsml_fashion_mnist_read(&ds, dir, DSML_ANY_COUNT, DSML_ANY_COUNT), DSML_OK);
    ck_assert_str_eq(ds.source_sha256, expect);
    dsml_dataset_free(&ds);
    testdir_done(1);

    /* the same images as plain (uncompressed) files: same content hash */
    dir = testdir_make("idx-plain");
    write_fashion(0);
    ck_assert_int_eq(dsml_fashion_mnist_read(&ds, dir, 30, 10), DSML_OK);
    check_fashion_small(&ds);
    ck_assert_str_eq(ds.content_sha256, gz_content);
    dsml_dataset_free(&ds);

    /* the expected counts are enforced */
    expect_error(dsml_fashion_mnist_read(&ds, dir, DSML_FASHION_MNIST_TRAIN, DSML_FASHION_MNIST_TEST),
                 DSML_ERR_FORMAT, "train-images-idx3-ubyte: 30 images, expected 60000");
    ck_assert_ptr_null(ds.pixels);
    testdir_done(1);
}
END_TEST

START_TEST(test_idx_bad_magic)
{
    const char *dir = testdir_make("idx-magic");
    write_fashion(1);
    write_idx_images(testdir_path("t10k-images-idx3-ubyte.gz"), 0x00000802, 10, 30, 7840, 1);
    dsml_dataset ds;
    expect_error(dsml_fashion_mnist_read(&ds, dir, 30, 10), DSML_ERR_FORMAT,
                 "t10k-images-idx3-ubyte.gz: magic 0x00000802, expected 0x00000803");
    write_fashion(1);
    write_idx_images(testdir_path("train-labels-idx1-ubyte.gz"), DSML_IDX_MAGIC_UBYTE_3D, 30, 0, 30 * 784, 1);
    expect_error(dsml_fashion_mnist_read(&ds, dir, 30, 10), DSML_ERR_FORMAT,
                 "train-labels-idx1-ubyte.gz: magic 0x00000803, expected 0x00000801");
    testdir_done(1);
}
END_TEST

START_TEST(test_idx_count_mismatch)
{
    const char *dir = testdir_make("idx-count");
    write_fashion(1);
    write_idx_labels(testdir_path("train-labels-idx1-ubyte.gz"), DSML_IDX_MAGIC_UBYTE_1D, 29, 0, 1);
    dsml_dataset ds;
    expect_error(dsml_fashion_mnist_read(&ds, dir, DSML_ANY_COUNT, DSML_ANY_COUNT), DSML_ERR_FORMAT,
                 "train-labels-idx1-ubyte.gz: 29 labels, but");
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "holds 30 images"));
    testdir_done(1);
}
END_TEST

START_TEST(test_idx_truncated_and_trailing)
{
    const char *dir = testdir_make("idx-trunc");
    write_fashion(1);
    /* header says 30 images (23,520 bytes), only 1,200 bytes follow */
    write_idx_images(testdir_path("train-images-idx3-ubyte.gz"), DSML_IDX_MAGIC_UBYTE_3D, 30, 0, 1200, 1);
    dsml_dataset ds;
    expect_error(dsml_fashion_mnist_read(&ds, dir, 30, 10), DSML_ERR_FORMAT,
                 "train-images-idx3-ubyte.gz: 23520 bytes of pixels expected, 1200 found");
    /* a header cut short */
    write_bytes(testdir_path("train-images-idx3-ubyte.gz"), "\0\0\x08\x03\0\0", 6, 1);
    expect_error(dsml_fashion_mnist_read(&ds, dir, 30, 10), DSML_ERR_FORMAT,
                 "16-byte IDX header expected, 6 bytes found");
    /* more bytes than the header announces */
    write_idx_images(testdir_path("train-images-idx3-ubyte.gz"), DSML_IDX_MAGIC_UBYTE_3D, 30, 0, 31 * 784, 1);
    expect_error(dsml_fashion_mnist_read(&ds, dir, 30, 10), DSML_ERR_FORMAT, "data after the 23520 bytes");
    /* a damaged gzip stream: the tail of a compressed file cut off */
    write_fashion(1);
    const char *p = testdir_path("t10k-images-idx3-ubyte.gz");
    ck_assert_int_eq(truncate(p, file_size(p) / 2), 0);
    expect_error(dsml_fashion_mnist_read(&ds, dir, 30, 10), DSML_ERR_FORMAT, "t10k-images-idx3-ubyte.gz: ");
    /* a missing file */
    unlink(testdir_path("t10k-labels-idx1-ubyte.gz"));
    expect_error(dsml_fashion_mnist_read(&ds, dir, 30, 10), DSML_ERR_IO, "t10k-labels-idx1-ubyte");
    testdir_done(1);
}
END_TEST

START_TEST(test_idx_label_out_of_range)
{
    const char *dir = testdir_make("idx-label");
    write_fashion(1);
    uint8_t buf[8 + 10];
    put_be32(buf, DSML_IDX_MAGIC_UBYTE_1D);
    put_be32(buf + 4, 10);
    for (int i = 0; i < 10; i++) buf[8 + i] = (uint8_t)i;
    buf[8 + 4] = 12;
    write_bytes(testdir_path("t10k-labels-idx1-ubyte.gz"), buf, sizeof buf, 1);
    dsml_dataset ds;
    expect_error(dsml_fashion_mnist_read(&ds, dir, 30, 10), DSML_ERR_FORMAT,
                 "t10k-labels-idx1-ubyte.gz: record 4: label 12, expected 0..9");
    testdir_done(1);
}
END_TEST

/* ------------------------------------------------------------------ CIFAR */

START_TEST(test_cifar_folder_good)
{
    ck_assert_ptr_nonnull(testdir_make("cifar-folder"));
    const char *dir = write_cifar_folder();
    dsml_dataset ds;
    ck_assert_int_eq(dsml_cifar10_read(&ds, dir, CIFAR_R), DSML_OK);
    check_cifar_small(&ds);
    /* the folder's source hash is sha256sum's listing of meta, batches 1..5, test */
    char listing[2048] = "", line_hex[65], path[8192], expect[65];
    const char *names[7] = {"batches.meta.txt", cifar_files[0], cifar_files[1], cifar_files[2], cifar_files[3],
                            cifar_files[4], cifar_files[5]};
    for (int i = 0; i < 7; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        ck_assert_int_eq(dsml_sha256_file(path, line_hex), DSML_OK);
        size_t used = strlen(listing);
        snprintf(listing + used, sizeof listing - used, "%s  %s\n", line_hex, names[i]);
    }
    dsml_sha256_hex(listing, strlen(listing), expect);
    ck_assert_str_eq(ds.source_sha256, expect);
    dsml_dataset_free(&ds);
    /* a different record count than the files hold */
    expect_error(dsml_cifar10_read(&ds, dir, CIFAR_R + 1), DSML_ERR_FORMAT, "data_batch_1.bin: 20 records, expected 21");
    testdir_done(1);
}
END_TEST

START_TEST(test_cifar_size_not_multiple_of_record)
{
    ck_assert_ptr_nonnull(testdir_make("cifar-size"));
    const char *dir = write_cifar_folder();
    char path[8192];
    snprintf(path, sizeof path, "%s/data_batch_3.bin", dir);
    ck_assert_int_eq(truncate(path, (off_t)CIFAR_R * 3073 - 5), 0);
    dsml_dataset ds;
    expect_error(dsml_cifar10_read(&ds, dir, CIFAR_R), DSML_ERR_FORMAT,
                 "data_batch_3.bin: 61455 bytes, not a multiple of the 3073-byte record");
    ck_assert_ptr_null(ds.pixels);
    testdir_done(1);
}
END_TEST

START_TEST(test_cifar_label_out_of_range)
{
    ck_assert_ptr_nonnull(testdir_make("cifar-label"));
    const char *dir = write_cifar_folder();
    char path[8192];
    snprintf(path, sizeof path, "%s/data_batch_2.bin", dir);
    FILE *fp = fopen(path, "r+b");
    ck_assert_ptr_nonnull(fp);
    fseek(fp, 4 * 3073, SEEK_SET);
    fputc(200, fp);
    fclose(fp);
    dsml_dataset ds;
    expect_error(dsml_cifar10_read(&ds, dir, CIFAR_R), DSML_ERR_FORMAT,
                 "data_batch_2.bin: record 4: label 200, expected 0..9");
    testdir_done(1);
}
END_TEST

START_TEST(test_cifar_missing_batch_and_meta)
{
    ck_assert_ptr_nonnull(testdir_make("cifar-missing"));
    const char *dir = write_cifar_folder();
    char path[8192];
    snprintf(path, sizeof path, "%s/data_batch_5.bin", dir);
    unlink(path);
    dsml_dataset ds;
    expect_error(dsml_cifar10_read(&ds, dir, CIFAR_R), DSML_ERR_FORMAT, "data_batch_5.bin: missing");
    snprintf(path, sizeof path, "%s/batches.meta.txt", dir);
    write_bytes(path, "airplane\n\nbird\n", 15, 0);
    expect_error(dsml_cifar10_read(&ds, dir, CIFAR_R), DSML_ERR_FORMAT,
                 "batches.meta.txt: line 2: empty, expected the name of class 1");
    testdir_done(1);
}
END_TEST

START_TEST(test_cifar_archive_official_layout)
{
    ck_assert_ptr_nonnull(testdir_make("cifar-archive"));
    const char *archive = testdir_path("cifar-10-binary.tar.gz");
    write_cifar_archive(archive, NULL);
    dsml_dataset ds;
    ck_assert_int_eq(dsml_cifar10_read(&ds, archive, CIFAR_R), DSML_OK);
    check_cifar_small(&ds);
    /* the source hash is the archive's own SHA-256, computed while streaming */
    char expect[65];
    ck_assert_int_eq(dsml_sha256_file(archive, expect), DSML_OK);
    ck_assert_str_eq(ds.source_sha256, expect);
    /* nothing was extracted */
    ck_assert_int_eq(count_entries(testdir_path("")), 1);
    char archive_content[65];
    memcpy(archive_content, ds.content_sha256, 65);
    dsml_dataset_free(&ds);

    /* same content as the folder */
    const char *dir = write_cifar_folder();
    ck_assert_int_eq(dsml_cifar10_read(&ds, dir, CIFAR_R), DSML_OK);
    ck_assert_str_eq(ds.content_sha256, archive_content);
    dsml_dataset_free(&ds);

    /* an archive without one batch */
    expect_error(dsml_cifar10_read(&ds, archive, CIFAR_R + 1), DSML_ERR_FORMAT,
                 "cifar-10-batches-bin/data_batch_1.bin: 20 records, expected 21");
    /* not an archive at all */
    write_bytes(testdir_path("junk.tar.gz"), "this is not a tar file at all, just text", 40, 0);
    expect_error(dsml_cifar10_read(&ds, testdir_path("junk.tar.gz"), CIFAR_R), DSML_ERR_FORMAT, "junk.tar.gz");
    testdir_done(1);
}
END_TEST

START_TEST(test_cifar_archive_rejects_escaping_members)
{
    ck_assert_ptr_nonnull(testdir_make("cifar-evil"));
    dsml_dataset ds;
    write_cifar_archive(testdir_path("dotdot.tar.gz"), "cifar-10-batches-bin/../../evil.txt");
    expect_error(dsml_cifar10_read(&ds, testdir_path("dotdot.tar.gz"), CIFAR_R), DSML_ERR_FORMAT,
                 "member \"cifar-10-batches-bin/../../evil.txt\": absolute path or \"..\" component, refused");
    ck_assert_ptr_null(ds.pixels);
    write_cifar_archive(testdir_path("absolute.tar.gz"), "/tmp/evil.txt");
    expect_error(dsml_cifar10_read(&ds, testdir_path("absolute.tar.gz"), CIFAR_R), DSML_ERR_FORMAT, "refused");
    /* a name that merely contains dots is fine */
    write_cifar_archive(testdir_path("dots.tar.gz"), "cifar-10-batches-bin/..notes..txt");
    ck_assert_int_eq(dsml_cifar10_read(&ds, testdir_path("dots.tar.gz"), CIFAR_R), DSML_OK);
    dsml_dataset_free(&ds);
    testdir_done(1);
}
END_TEST

/* ------------------------------------------------------------------ cache */

START_TEST(test_cache_round_trip)
{
    ck_assert_ptr_nonnull(testdir_make("cache"));
    dsml_dataset ds, back;
    make_small_dataset(&ds);
    const char *path = testdir_path("tiny.dsd");
    ck_assert_int_eq(dsml_cache_write(path, &ds, "tiny reader=test-1"), DSML_OK);
    /* 1280 header + 4 x 64 names = 1536; labels 240 bytes -> pixels at 1792; 60 x 24 pixels */
    ck_assert_int_eq(file_size(path), 1792 + 60 * 24);
    char params[DSML_CACHE_PARAMS];
    ck_assert_int_eq(dsml_cache_open(&back, path, DSML_CACHE_VERIFY_CONTENT, params), DSML_OK);
    ck_assert_str_eq(params, "tiny reader=test-1");
    ck_assert_str_eq(back.name, "tiny");
    ck_assert_int_eq(back.n, 60);
    ck_assert_int_eq(back.channels, 2);
    ck_assert_int_eq(back.height, 3);
    ck_assert_int_eq(back.width, 4);
    ck_assert_int_eq(back.n_classes, 4);
    ck_assert_str_eq(back.class_names[3], "class 3");
    ck_assert_str_eq(back.source_sha256, ds.source_sha256);
    ck_assert_str_eq(back.content_sha256, ds.content_sha256);
    ck_assert_int_eq(memcmp(back.labels, ds.labels, 60 * sizeof(int32_t)), 0);
    ck_assert_int_eq(memcmp(back.pixels, ds.pixels, 60 * 24), 0);
    ck_assert_uint_eq((uintptr_t)back.pixels % 64, 0);
    ck_assert_ptr_nonnull(back.map_base);
    dsml_dataset_free(&back);
    ck_assert_ptr_null(back.map_base);

    /* the bytes on disk are the documented layout */
    FILE *fp = fopen(path, "rb");
    uint8_t head[1536];
    ck_assert_uint_eq(fread(head, 1, sizeof head, fp), sizeof head);
    fclose(fp);
    ck_assert_int_eq(memcmp(head, "DSMLDSD1", 8), 0);
    ck_assert_uint_eq(head[8], 1);                    /* version */
    ck_assert_uint_eq(head[12], 60);                  /* n */
    ck_assert_uint_eq(head[28], 4);                   /* n_classes */
    ck_assert_str_eq((const char *)head + 32, "tiny");
    ck_assert_int_eq(memcmp(head + 160, ds.content_sha256, 64), 0);
    ck_assert_str_eq((const char *)head + 224, "tiny reader=test-1");
    ck_assert_uint_eq(head[1248] | head[1249] << 8, 1536); /* labels_offset */
    ck_assert_uint_eq(head[1256] | head[1257] << 8, 1792); /* pixels_offset */
    ck_assert_str_eq((const char *)head + 1280 + 64, "class 1");

    /* bad input to the writer */
    dsml_dataset bad = ds;
    bad.source_sha256[0] = '\0';
    expect_error(dsml_cache_write(testdir_path("bad.dsd"), &bad, "x"), DSML_ERR_ARG, "source SHA-256");
    ck_assert_int_eq(access(testdir_path("bad.dsd"), F_OK), -1);
    dsml_dataset_free(&ds);
    testdir_done(1);
}
END_TEST

START_TEST(test_cache_truncated_rejected)
{
    ck_assert_ptr_nonnull(testdir_make("cache-trunc"));
    dsml_dataset ds, back;
    make_small_dataset(&ds);
    const char *path = testdir_path("tiny.dsd");
    ck_assert_int_eq(dsml_cache_write(path, &ds, "p"), DSML_OK);
    long size = file_size(path);
    ck_assert_int_eq(truncate(path, size - 1), 0);
    expect_error(dsml_cache_open(&back, path, DSML_CACHE_TRUST_CONTENT, NULL), DSML_ERR_FORMAT,
                 "tiny.dsd: 3231 bytes, header says 3232 (truncated)");
    ck_assert_ptr_null(back.map_base);
    ck_assert_int_eq(truncate(path, 1400), 0);
    expect_error(dsml_cache_open(&back, path, DSML_CACHE_TRUST_CONTENT, NULL), DSML_ERR_FORMAT,
                 "shorter than its 1536-byte header (truncated)");
    ck_assert_int_eq(truncate(path, 100), 0);
    expect_error(dsml_cache_open(&back, path, DSML_CACHE_TRUST_CONTENT, NULL), DSML_ERR_FORMAT,
                 "100 bytes, shorter than the 1280-byte header");
    ck_assert_int_eq(truncate(path, 0), 0);
    expect_error(dsml_cache_open(&back, path, DSML_CACHE_TRUST_CONTENT, NULL), DSML_ERR_FORMAT, "0 bytes");
    /* and trailing garbage */
    ck_assert_int_eq(dsml_cache_write(path, &ds, "p"), DSML_OK);
    ck_assert_int_eq(truncate(path, size + 64), 0);
    expect_error(dsml_cache_open(&back, path, DSML_CACHE_TRUST_CONTENT, NULL), DSML_ERR_FORMAT, "trailing bytes");
    expect_error(dsml_cache_open(&back, testdir_path("none.dsd"), DSML_CACHE_TRUST_CONTENT, NULL), DSML_ERR_IO,
                 "none.dsd: cannot open");
    dsml_dataset_free(&ds);
    testdir_done(1);
}
END_TEST

static void poke(const char *path, long offset, uint8_t value)
{
    FILE *fp = fopen(path, "r+b");
    ck_assert_ptr_nonnull(fp);
    fseek(fp, offset, SEEK_SET);
    fputc(value, fp);
    fclose(fp);
}

START_TEST(test_cache_corrupt_rejected)
{
    ck_assert_ptr_nonnull(testdir_make("cache-corrupt"));
    dsml_dataset ds, back;
    make_small_dataset(&ds);
    const char *path = testdir_path("tiny.dsd");

    /* a flipped letter of the name: caught by the header CRC */
    ck_assert_int_eq(dsml_cache_write(path, &ds, "p"), DSML_OK);
    poke(path, 33, 'X');
    expect_error(dsml_cache_open(&back, path, DSML_CACHE_TRUST_CONTENT, NULL), DSML_ERR_FORMAT, "corrupt header");
    /* a class name */
    ck_assert_int_eq(dsml_cache_write(path, &ds, "p"), DSML_OK);
    poke(path, 1280 + 64 * 2, 'Z');
    expect_error(dsml_cache_open(&back, path, DSML_CACHE_TRUST_CONTENT, NULL), DSML_ERR_FORMAT, "corrupt header");
    /* the magic and the version */
    ck_assert_int_eq(dsml_cache_write(path, &ds, "p"), DSML_OK);
    poke(path, 7, '2');
    expect_error(dsml_cache_open(&back, path, DSML_CACHE_TRUST_CONTENT, NULL), DSML_ERR_FORMAT,
                 "magic \"DSMLDSD2\", expected \"DSMLDSD1\"");
    ck_assert_int_eq(dsml_cache_write(path, &ds, "p"), DSML_OK);
    poke(path, 8, 9);
    expect_error(dsml_cache_open(&back, path, DSML_CACHE_TRUST_CONTENT, NULL), DSML_ERR_FORMAT,
                 "version 9, expected 1");
    /* n_classes no longer matching the labels offset */
    ck_assert_int_eq(dsml_cache_write(path, &ds, "p"), DSML_OK);
    poke(path, 28, 5);
    expect_error(dsml_cache_open(&back, path, DSML_CACHE_TRUST_CONTENT, NULL), DSML_ERR_FORMAT,
                 "labels at offset 1536, expected 1600 for 5 classes");
    /* a label out of range (outside the CRC): caught by the label check */
    ck_assert_int_eq(dsml_cache_write(path, &ds, "p"), DSML_OK);
    poke(path, 1536 + 4 * 7, 4);
    expect_error(dsml_cache_open(&back, path, DSML_CACHE_TRUST_CONTENT, NULL), DSML_ERR_FORMAT,
                 "image 7: label 4, expected 0..3");
    /* a pixel: only the content hash sees it */
    ck_assert_int_eq(dsml_cache_write(path, &ds, "p"), DSML_OK);
    poke(path, 1792 + 100, 0xAB);
    ck_assert_int_eq(dsml_cache_open(&back, path, DSML_CACHE_TRUST_CONTENT, NULL), DSML_OK);
    dsml_dataset_free(&back);
    expect_error(dsml_cache_open(&back, path, DSML_CACHE_VERIFY_CONTENT, NULL), DSML_ERR_CHECKSUM, "corrupt data");
    ck_assert_ptr_null(back.map_base);
    dsml_dataset_free(&ds);
    testdir_done(1);
}
END_TEST

START_TEST(test_cache_failed_write_leaves_nothing)
{
    const char *dir = testdir_make("cache-fail");
    dsml_dataset ds, back;
    make_small_dataset(&ds);
    const char *path = testdir_path("tiny.dsd");
    ck_assert_int_eq(dsml_cache_write(path, &ds, "old"), DSML_OK);
    long size = file_size(path);
    /* files may not grow past 2,000 bytes: the write fails half way */
    struct rlimit saved, small = {2000, 2000};
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, SIG_IGN);
    small.rlim_max = saved.rlim_max;
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
    int rc = dsml_cache_write(path, &ds, "new");
    setrlimit(RLIMIT_FSIZE, &saved);
    expect_error(rc, DSML_ERR_IO, "tiny.dsd");
    /* no temp file, and the old cache intact */
    ck_assert_int_eq(count_entries(dir), 1);
    ck_assert_int_eq(file_size(path), size);
    char params[DSML_CACHE_PARAMS];
    ck_assert_int_eq(dsml_cache_open(&back, path, DSML_CACHE_VERIFY_CONTENT, params), DSML_OK);
    ck_assert_str_eq(params, "old");
    dsml_dataset_free(&back);
    /* a folder that does not exist */
    expect_error(dsml_cache_write(testdir_path("no/such/x.dsd"), &ds, "p"), DSML_ERR_IO, "no/such/x.dsd");
    ck_assert_int_eq(count_entries(dir), 1);
    dsml_dataset_free(&ds);
    testdir_done(1);
}
END_TEST

typedef struct {
    int calls;
    int fail;
} prepare_counter;

static int prepare_small(dsml_dataset *ds, void *context)
{
    prepare_counter *c = context;
    c->calls++;
    if (c->fail) return dsml_fail(DSML_ERR_FORMAT, "source.bin: record 3: broken");
    make_small_dataset(ds);
    return DSML_OK;
}

START_TEST(test_cache_ensure_reprepares_when_stale)
{
    ck_assert_ptr_nonnull(testdir_make("cache-ensure"));
    const char *path = testdir_path("cache/tiny.dsd");  /* folder created on demand */
    prepare_counter counter = {0, 0};
    dsml_dataset ds;
    char *text = NULL;
    size_t text_size = 0;
    FILE *log = open_memstream(&text, &text_size);

    ck_assert_int_eq(dsml_cache_ensure(&ds, path, "params A", prepare_small, &counter, DSML_CACHE_VERIFY_CONTENT,
                                       log), DSML_OK);
    ck_assert_int_eq(counter.calls, 1);
    ck_assert_int_eq(ds.n, 60);
    ck_assert_ptr_nonnull(ds.map_base);
    dsml_dataset_free(&ds);
    /* same parameters: the cache is used */
    ck_assert_int_eq(dsml_cache_ensure(&ds, path, "params A", prepare_small, &counter, DSML_CACHE_VERIFY_CONTENT,
                                       log), DSML_OK);
    ck_assert_int_eq(counter.calls, 1);
    dsml_dataset_free(&ds);
    /* changed parameters: prepared again */
    ck_assert_int_eq(dsml_cache_ensure(&ds, path, "params B", prepare_small, &counter, DSML_CACHE_VERIFY_CONTENT,
                                       log), DSML_OK);
    ck_assert_int_eq(counter.calls, 2);
    dsml_dataset_free(&ds);
    char params[DSML_CACHE_PARAMS];
    ck_assert_int_eq(dsml_cache_open(&ds, path, DSML_CACHE_TRUST_CONTENT, params), DSML_OK);
    ck_assert_str_eq(params, "params B");
    dsml_dataset_free(&ds);
    /* a corrupt cache: prepared again */
    poke(path, 1792 + 5, 0xEE);
    ck_assert_int_eq(dsml_cache_ensure(&ds, path, "params B", prepare_small, &counter, DSML_CACHE_VERIFY_CONTENT,
                                       log), DSML_OK);
    ck_assert_int_eq(counter.calls, 3);
    dsml_dataset_free(&ds);
    /* no source: the cache as it is */
    ck_assert_int_eq(dsml_cache_ensure(&ds, path, "", NULL, NULL, DSML_CACHE_VERIFY_CONTENT, log), DSML_OK);
    dsml_dataset_free(&ds);
    /* a failing prepare leaves the old cache and reports the reader's error */
    counter.fail = 1;
    expect_error(dsml_cache_ensure(&ds, path, "params C", prepare_small, &counter, DSML_CACHE_VERIFY_CONTENT, log),
                 DSML_ERR_FORMAT, "source.bin: record 3: broken");
    ck_assert_int_eq(dsml_cache_open(&ds, path, DSML_CACHE_TRUST_CONTENT, params), DSML_OK);
    ck_assert_str_eq(params, "params B");
    dsml_dataset_free(&ds);
    fclose(log);
    ck_assert_ptr_nonnull(strstr(text, "not prepared yet"));
    ck_assert_ptr_nonnull(strstr(text, "up to date"));
    ck_assert_ptr_nonnull(strstr(text, "stale (prepared with \"params A\")"));
    ck_assert_ptr_nonnull(strstr(text, "unusable"));
    free(text);
    testdir_done(1);
}
END_TEST

START_TEST(test_data_open_errors)
{
    const char *dir = testdir_make("data-open");
    dsml_dataset ds;
    expect_error(dsml_data_open(&ds, "mnist", dir, &(dsml_data_options){.from = NULL, .log = NULL}), DSML_ERR_ARG, "\"mnist\": unknown");
    expect_error(dsml_data_open(&ds, "cifar10", dir, &(dsml_data_options){.from = NULL, .log = NULL}), DSML_ERR_STATE, "cifar-10-binary.tar.gz");
    expect_error(dsml_data_open(&ds, "cifar10", dir, &(dsml_data_options){.from = testdir_path("nope.tar.gz"), .log = NULL}), DSML_ERR_IO, "nope.tar.gz");
    /* a source that is not the real CIFAR-10: the reader's error, with context */
    write_cifar_archive(testdir_path("downloads.tar.gz"), NULL);
    ck_assert_int_eq(dsml_mkdirs(testdir_path("downloads")), DSML_OK);
    ck_assert_int_eq(rename(testdir_path("downloads.tar.gz"), testdir_path("downloads/cifar-10-binary.tar.gz")), 0);
    expect_error(dsml_data_open(&ds, "cifar10", dir, &(dsml_data_options){.from = NULL, .log = NULL}), DSML_ERR_FORMAT,
                 "preparing cifar10 from");
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "data_batch_1.bin: 20 records, expected 10000"));
    ck_assert_ptr_null(ds.pixels);
    testdir_done(1);
}
END_TEST

/* ----------------------------------------------------------------- splits */

/* 10 classes of unequal sizes: class c has 130 + 7c images, interleaved. */
static int32_t *make_labels(int *n_out)
{
    int n = 0;
    for (int c = 0; c < 10; c++) n += 130 + 7 * c;
    int32_t *labels = malloc(sizeof(int32_t) * (size_t)n);
    int left[10];
    for (int c = 0; c < 10; c++) left[c] = 130 + 7 * c;
    for (int i = 0, c = 0; i < n; c = (c + 1) % 10)
        if (left[c]) { labels[i++] = c; left[c]--; }
    *n_out = n;
    return labels;
}

static void count_per_class(const int32_t *labels, const int *list, int n, int counts[10])
{
    memset(counts, 0, sizeof(int) * 10);
    for (int i = 0; i < n; i++) counts[labels[list[i]]]++;
}

START_TEST(test_split_dml_protocol)
{
    int n;
    int32_t *labels = make_labels(&n);
    dsml_split s, again, other;
    ck_assert_int_eq(dsml_split_dml(&s, labels, n, 10, 20, 50, 10, 1234), DSML_OK);
    ck_assert_int_eq(s.n_query, 200);
    ck_assert_int_eq(s.n_database, n - 200);
    ck_assert_int_eq(s.n_train, 400);
    ck_assert_int_eq(s.n_validation, 100);
    int counts[10];
    count_per_class(labels, s.query, s.n_query, counts);
    for (int c = 0; c < 10; c++) ck_assert_int_eq(counts[c], 20);
    count_per_class(labels, s.database, s.n_database, counts);
    for (int c = 0; c < 10; c++) ck_assert_int_eq(counts[c], 110 + 7 * c);
    count_per_class(labels, s.train, s.n_train, counts);
    for (int c = 0; c < 10; c++) ck_assert_int_eq(counts[c], 40);
    count_per_class(labels, s.validation, s.n_validation, counts);
    for (int c = 0; c < 10; c++) ck_assert_int_eq(counts[c], 10);

    /* queries and database partition the pool; train and validation are
     * disjoint parts of the database */
    char *role = calloc((size_t)n, 1);
    for (int i = 0; i < s.n_query; i++) { ck_assert_int_eq(role[s.query[i]], 0); role[s.query[i]] = 'q'; }
    for (int i = 0; i < s.n_database; i++) { ck_assert_int_eq(role[s.database[i]], 0); role[s.database[i]] = 'd'; }
    for (int i = 0; i < n; i++) ck_assert_int_ne(role[i], 0);
    for (int i = 0; i < s.n_train; i++) { ck_assert_int_eq(role[s.train[i]], 'd'); role[s.train[i]] = 't'; }
    for (int i = 0; i < s.n_validation; i++) {
        ck_assert_int_eq(role[s.validation[i]], 'd');
        role[s.validation[i]] = 'v';
    }
    free(role);
    for (int i = 1; i < s.n_database; i++) ck_assert_int_lt(s.database[i - 1], s.database[i]);

    /* deterministic in the seed, and sensitive to it */
    ck_assert_int_eq(dsml_split_dml(&again, labels, n, 10, 20, 50, 10, 1234), DSML_OK);
    ck_assert_str_eq(again.hash, s.hash);
    ck_assert_int_eq(memcmp(again.train, s.train, sizeof(int) * 400), 0);
    ck_assert_int_eq(memcmp(again.query, s.query, sizeof(int) * 200), 0);
    ck_assert_int_eq(dsml_split_dml(&other, labels, n, 10, 20, 50, 10, 1235), DSML_OK);
    ck_assert_str_ne(other.hash, s.hash);
    int same = 0;
    for (int i = 0; i < 200; i++) same += other.query[i] == s.query[i];
    ck_assert_int_lt(same, 100);
    dsml_split_free(&other);
    /* the hash follows the documented definition */
    dsml_sha256 h;
    dsml_sha256_init(&h);
    dsml_sha256_update(&h, "dsml-split-1\n", 13);
    const int *lists[4] = {s.query, s.database, s.train, s.validation};
    int sizes[4] = {s.n_query, s.n_database, s.n_train, s.n_validation};
    for (int l = 0; l < 4; l++) {
        uint32_t count = (uint32_t)sizes[l];
        dsml_sha256_update(&h, &count, 4); /* x86: little-endian */
        for (int i = 0; i < sizes[l]; i++) {
            uint32_t v = (uint32_t)lists[l][i];
            dsml_sha256_update(&h, &v, 4);
        }
    }
    char hex[65];
    dsml_sha256_final_hex(&h, hex);
    ck_assert_str_eq(hex, s.hash);
    /* no validation: training set of T per class, validation empty */
    ck_assert_int_eq(dsml_split_dml(&other, labels, n, 10, 20, 50, 0, 1234), DSML_OK);
    ck_assert_int_eq(other.n_train, 500);
    ck_assert_int_eq(other.n_validation, 0);
    ck_assert_str_ne(other.hash, s.hash);
    dsml_split_free(&other);
    dsml_split_free(&again);
    dsml_split_free(&s);
    ck_assert_ptr_null(s.train);
    free(labels);
}
END_TEST

START_TEST(test_split_hashing_protocol)
{
    int n;
    int32_t *labels = make_labels(&n);
    dsml_split s;
    ck_assert_int_eq(dsml_split_hashing(&s, labels, n, 10, 30, 9), DSML_OK);
    ck_assert_int_eq(s.n_query, 300);
    ck_assert_int_eq(s.n_database, n - 300);
    ck_assert_int_eq(s.n_train, n - 300);
    ck_assert_int_eq(s.n_validation, 0);
    ck_assert_int_eq(memcmp(s.train, s.database, sizeof(int) * (size_t)s.n_train), 0);
    int counts[10];
    count_per_class(labels, s.query, s.n_query, counts);
    for (int c = 0; c < 10; c++) ck_assert_int_eq(counts[c], 30);
    char *seen = calloc((size_t)n, 1);
    for (int i = 0; i < s.n_query; i++) seen[s.query[i]]++;
    for (int i = 0; i < s.n_database; i++) seen[s.database[i]]++;
    for (int i = 0; i < n; i++) ck_assert_int_eq(seen[i], 1);
    free(seen);
    dsml_split_free(&s);
    free(labels);
}
END_TEST

START_TEST(test_split_errors)
{
    int n;
    int32_t *labels = make_labels(&n);
    dsml_split s;
    /* class 0 has 130 images: 100 queries + 50 training images do not fit */
    expect_error(dsml_split_dml(&s, labels, n, 10, 100, 50, 0, 1), DSML_ERR_ARG,
                 "class 0 has 130 images, the split needs 150 (100 queries + 50 training images)");
    ck_assert_ptr_null(s.query);
    expect_error(dsml_split_dml(&s, labels, n, 10, 10, 20, 20, 1), DSML_ERR_ARG, "0 <= V < T");
    expect_error(dsml_split_hashing(&s, labels, n, 10, 130, 1), DSML_ERR_ARG, "class 0 has 130 images");
    labels[5] = 10;
    expect_error(dsml_split_dml(&s, labels, n, 10, 10, 20, 0, 1), DSML_ERR_ARG, "image 5: label 10, expected 0..9");
    free(labels);
}
END_TEST

/* --------------------------------------------------------------- samplers */

START_TEST(test_sampler_batches_are_class_grouped)
{
    int n;
    int32_t *labels = make_labels(&n);
    /* the sampler sees the even images only */
    int m = 0, *indices = malloc(sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i += 2) indices[m++] = i;
    const int P = 4, K = 3;
    dsml_sampler s, t;
    ck_assert_int_eq(dsml_sampler_init(&s, labels, indices, m, 10, P, K, 77), DSML_OK);
    ck_assert_int_eq(dsml_sampler_init(&t, labels, indices, m, 10, P, K, 77), DSML_OK);
    ck_assert_int_eq(dsml_sampler_batches_per_epoch(&s), m / 12);
    int bi[12], bl[12], ti[12], tl[12];
    for (int b = 0; b < 200; b++) {
        dsml_sampler_next(&s, bi, bl);
        dsml_sampler_next(&t, ti, tl);
        ck_assert_int_eq(memcmp(bi, ti, sizeof bi), 0);
        ck_assert_int_eq(memcmp(bl, tl, sizeof bl), 0);
        for (int p = 0; p < P; p++) {
            for (int k = 0; k < K; k++) {
                int row = p * K + k;
                ck_assert_int_eq(bi[row] % 2, 0);               /* from the list given */
                ck_assert_int_eq(bl[row], labels[bi[row]]);
                ck_assert_int_eq(bl[row], bl[p * K]);            /* class-grouped */
                for (int j = 0; j < row; j++) ck_assert_int_ne(bi[j], bi[row]); /* distinct */
            }
            for (int q = 0; q < p; q++) ck_assert_int_ne(bl[q * K], bl[p * K]); /* P distinct classes */
        }
    }
    dsml_sampler_free(&t);
    /* another seed, other batches */
    ck_assert_int_eq(dsml_sampler_init(&t, labels, indices, m, 10, P, K, 78), DSML_OK);
    dsml_sampler_next(&s, bi, bl);
    dsml_sampler_next(&t, ti, tl);
    ck_assert_int_ne(memcmp(bi, ti, sizeof bi), 0);
    dsml_sampler_free(&t);
    dsml_sampler_free(&s);
    ck_assert_ptr_null(s.members);
    free(indices);
    free(labels);
}
END_TEST

START_TEST(test_sampler_covers_every_image_evenly)
{
    /* 6 classes of 13, 17, 20, 25, 30, 41 images; K = 4 does not divide most */
    const int sizes[6] = {13, 17, 20, 25, 30, 41};
    int32_t labels[146];
    int indices[146], n = 0;
    for (int c = 0; c < 6; c++)
        for (int j = 0; j < sizes[c]; j++) { labels[n] = c; indices[n] = n; n++; }
    dsml_sampler s;
    ck_assert_int_eq(dsml_sampler_init(&s, labels, indices, n, 6, 3, 4, 5), DSML_OK);
    int seen[146] = {0}, class_draws[6] = {0}, bi[12], bl[12];
    for (int b = 0; b < 3000; b++) {
        dsml_sampler_next(&s, bi, bl);
        for (int r = 0; r < 12; r++) seen[bi[r]]++;
        for (int p = 0; p < 3; p++) class_draws[bl[p * 4]]++;
    }
    /* each class is drawn in about half of the batches (3 of 6) */
    for (int c = 0; c < 6; c++) {
        ck_assert_int_gt(class_draws[c], 1350);
        ck_assert_int_lt(class_draws[c], 1650);
    }
    /* within a class every image is seen equally often, up to one walk */
    for (int i = 0; i < n; i++) {
        int c = labels[i];
        double expect = 4.0 * class_draws[c] / sizes[c];
        ck_assert_double_eq_tol(seen[i], expect, 1.01);
    }
    dsml_sampler_free(&s);

    /* K = 2 (N-pair): anchor and positive on adjacent rows */
    ck_assert_int_eq(dsml_sampler_init(&s, labels, indices, n, 6, 6, 2, 5), DSML_OK);
    ck_assert_int_eq(dsml_sampler_batches_per_epoch(&s), 146 / 12);
    dsml_sampler_next(&s, bi, bl);
    for (int p = 0; p < 6; p++) {
        ck_assert_int_eq(bl[2 * p], bl[2 * p + 1]);
        ck_assert_int_ne(bi[2 * p], bi[2 * p + 1]);
    }
    dsml_sampler_free(&s);
}
END_TEST

START_TEST(test_sampler_errors)
{
    int32_t labels[10] = {0, 0, 0, 1, 1, 1, 2, 2, 3, 3};
    int indices[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    dsml_sampler s;
    expect_error(dsml_sampler_init(&s, labels, indices, 10, 4, 3, 3, 1), DSML_ERR_ARG,
                 "2 classes have at least K=3 images, P=3 needed");
    ck_assert_ptr_null(s.members);
    ck_assert_int_eq(dsml_sampler_init(&s, labels, indices, 10, 4, 4, 2, 1), DSML_OK);
    dsml_sampler_free(&s);
    expect_error(dsml_sampler_init(&s, labels, indices, 10, 3, 2, 2, 1), DSML_ERR_ARG, "label 3, expected 0..2");
    expect_error(dsml_sampler_init(&s, labels, indices, 10, 4, 0, 2, 1), DSML_ERR_ARG, "P=0");
}
END_TEST

/* -------------------------------------------------------------- real data */

START_TEST(test_fashion_mnist_real_files)
{
    const char *src = "/usr/share/datasets/fashion-mnist";
    if (access(src, R_OK) != 0) {
        fprintf(stderr, "SKIP test_fashion_mnist_real_files: %s absent (Debian package dataset-fashion-mnist)\n", src);
        return;
    }
    const char *root = testdir_make("fashion-real");
    ck_assert_ptr_nonnull(root);
    char *text = NULL;
    size_t text_size = 0;
    FILE *log = open_memstream(&text, &text_size);
    dsml_dataset ds;
    ck_assert_int_eq(dsml_data_open(&ds, "fashion-mnist", root, &(dsml_data_options){.from = src, .log = log}), DSML_OK);
    ck_assert_int_eq(ds.n, 70000);
    ck_assert_int_eq(ds.channels, 1);
    ck_assert_int_eq(ds.height, 28);
    ck_assert_int_eq(ds.width, 28);
    ck_assert_int_eq(ds.n_classes, 10);
    ck_assert_str_eq(ds.class_names[9], "Ankle boot");
    int counts[10] = {0};
    for (int i = 0; i < ds.n; i++) counts[ds.labels[i]]++;
    for (int c = 0; c < 10; c++) ck_assert_int_eq(counts[c], 7000);
    /* training image 0 is an ankle boot, test image 0 too (the IDX files' first labels) */
    ck_assert_int_eq(ds.labels[0], 9);
    ck_assert_int_eq(ds.labels[60000], 9);
    char content[65];
    memcpy(content, ds.content_sha256, 65);
    dsml_dataset_free(&ds);
    ck_assert_int_eq(access(testdir_path("cache/fashion-mnist.dsd"), R_OK), 0);
    /* the second open uses the cache */
    ck_assert_int_eq(dsml_data_open(&ds, "fashion-mnist", root, &(dsml_data_options){.from = src, .log = log}), DSML_OK);
    ck_assert_str_eq(ds.content_sha256, content);
    ck_assert_ptr_nonnull(ds.map_base);
    dsml_dataset_free(&ds);
    fclose(log);
    ck_assert_ptr_nonnull(strstr(text, "not prepared yet"));
    ck_assert_ptr_nonnull(strstr(text, "up to date"));
    free(text);
    testdir_done(1);
}
END_TEST

START_TEST(test_cifar10_shared_archive)
{
    const char *shared = testdir_shared();
    if (!shared) {
        fprintf(stderr, "SKIP test_cifar10_shared_archive: shared/data/cifar10/cifar-10-binary.tar.gz not found "
                        "(set DSML_SHARED to the folder holding data/)\n");
        return;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/data/cifar10/cifar-10-binary.tar.gz", shared);
    dsml_dataset ds;
    ck_assert_int_eq(dsml_cifar10_read(&ds, path, DSML_CIFAR10_RECORDS_PER_BATCH), DSML_OK);
    ck_assert_int_eq(ds.n, 60000);
    ck_assert_str_eq(ds.source_sha256, "50a9e4d5c184e3973436a52532395a893f513f0637cbbe6d26f47e2c50b3eefe");
    static const char *const names[10] = {"airplane", "automobile", "bird", "cat", "deer",
                                          "dog", "frog", "horse", "ship", "truck"};
    for (int c = 0; c < 10; c++) ck_assert_str_eq(ds.class_names[c], names[c]);
    /* the README's table: data_batch_1.bin, test_batch.bin, and all six */
    static const int batch1[10] = {981, 1008, 996, 996, 1021, 977, 1012, 984, 972, 1053};
    int b1[10] = {0}, test[10] = {0}, all[10] = {0};
    for (int i = 0; i < 60000; i++) {
        all[ds.labels[i]]++;
        if (i < 10000) b1[ds.labels[i]]++;
        if (i >= 50000) test[ds.labels[i]]++;
    }
    for (int c = 0; c < 10; c++) {
        ck_assert_int_eq(b1[c], batch1[c]);
        ck_assert_int_eq(test[c], 1000);
        ck_assert_int_eq(all[c], 6000);
    }
    ck_assert_int_eq(ds.labels[0], 2);     /* data_batch_1.bin record 0: train/bird/1841.jpg */
    ck_assert_int_eq(ds.labels[50000], 4); /* test_batch.bin record 0: test/deer/0223.jpg */
    dsml_dataset_free(&ds);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("data");
    TCase *tc = tcase_create("data");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_sha256_fips_vectors);
    tcase_add_test(tc, test_idx_round_trip_gzip_and_plain);
    tcase_add_test(tc, test_idx_bad_magic);
    tcase_add_test(tc, test_idx_count_mismatch);
    tcase_add_test(tc, test_idx_truncated_and_trailing);
    tcase_add_test(tc, test_idx_label_out_of_range);
    tcase_add_test(tc, test_cifar_folder_good);
    tcase_add_test(tc, test_cifar_size_not_multiple_of_record);
    tcase_add_test(tc, test_cifar_label_out_of_range);
    tcase_add_test(tc, test_cifar_missing_batch_and_meta);
    tcase_add_test(tc, test_cifar_archive_official_layout);
    tcase_add_test(tc, test_cifar_archive_rejects_escaping_members);
    tcase_add_test(tc, test_cache_round_trip);
    tcase_add_test(tc, test_cache_truncated_rejected);
    tcase_add_test(tc, test_cache_corrupt_rejected);
    tcase_add_test(tc, test_cache_failed_write_leaves_nothing);
    tcase_add_test(tc, test_cache_ensure_reprepares_when_stale);
    tcase_add_test(tc, test_data_open_errors);
    tcase_add_test(tc, test_split_dml_protocol);
    tcase_add_test(tc, test_split_hashing_protocol);
    tcase_add_test(tc, test_split_errors);
    tcase_add_test(tc, test_sampler_batches_are_class_grouped);
    tcase_add_test(tc, test_sampler_covers_every_image_evenly);
    tcase_add_test(tc, test_sampler_errors);
    suite_add_tcase(s, tc);
    TCase *real = tcase_create("real data");
    tcase_set_timeout(real, 120);
    tcase_add_test(real, test_fashion_mnist_real_files);
    tcase_add_test(real, test_cifar10_shared_archive);
    suite_add_tcase(s, real);
    return suite_run(s);
}
