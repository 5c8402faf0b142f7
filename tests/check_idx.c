/* Tests of the IDX reader and the Fashion-MNIST pool (src/data/idx.c) on
 * small files in the real format (tests/support/dataset_files.h): gzip'd and
 * plain, then broken ones (magic, counts, truncation, trailing bytes, labels). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/sha256.h"
#include "data/dataset.h"
#include "data/idx.h"
#include "support/dataset_files.h"
#include "support/expect.h"
#include "support/files.h"
#include "support/suite_run.h"
#include "support/testdir.h"

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

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
    file_write_gzip(testdir_path("train-images-idx3-ubyte.gz"), "\0\0\x08\x03\0\0", 6);
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
    file_write_gzip(testdir_path("t10k-labels-idx1-ubyte.gz"), buf, sizeof buf);
    dsml_dataset ds;
    expect_error(dsml_fashion_mnist_read(&ds, dir, 30, 10), DSML_ERR_FORMAT,
                 "t10k-labels-idx1-ubyte.gz: record 4: label 12, expected 0..9");
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"read", 30, (const TTest *[]){test_idx_round_trip_gzip_and_plain, NULL}},
        {"broken", 30, (const TTest *[]){test_idx_bad_magic, test_idx_count_mismatch, test_idx_truncated_and_trailing,
                                         test_idx_label_out_of_range, NULL}},
    };
    return suite_run_cases("idx", cases, SUITE_CASES(cases));
}
