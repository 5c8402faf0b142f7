/* Tests of the CIFAR-10 binary reader (src/data/cifar.c): small batches in a
 * folder and in an archive of the official layout (tests/support/
 * dataset_files.h), broken ones, and the shared copy of the real archive
 * when present (skipped with a message when not). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/sha256.h"
#include "data/cifar.h"
#include "data/dataset.h"
#include "support/dataset_files.h"
#include "support/expect.h"
#include "support/files.h"
#include "support/suite_run.h"
#include "support/testdir.h"

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
    ck_assert_int_eq(truncate(testdir_path("cifar-10-batches-bin/data_batch_3.bin"), (off_t)CIFAR_R * 3073 - 5), 0);
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
    file_poke(testdir_path("cifar-10-batches-bin/data_batch_2.bin"), 4 * 3073, 200);
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
    unlink(testdir_path("cifar-10-batches-bin/data_batch_5.bin"));
    dsml_dataset ds;
    expect_error(dsml_cifar10_read(&ds, dir, CIFAR_R), DSML_ERR_FORMAT, "data_batch_5.bin: missing");
    file_write(testdir_path("cifar-10-batches-bin/batches.meta.txt"), "airplane\n\nbird\n", 15);
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
    ck_assert_int_eq(dir_entries(testdir_path("")), 1);
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
    file_write(testdir_path("junk.tar.gz"), "this is not a tar file at all, just text", 40);
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
    const suite_case cases[] = {
        {"folder", 30, (const TTest *[]){test_cifar_folder_good, test_cifar_size_not_multiple_of_record,
                                         test_cifar_label_out_of_range, test_cifar_missing_batch_and_meta, NULL}},
        {"archive", 30, (const TTest *[]){test_cifar_archive_official_layout,
                                          test_cifar_archive_rejects_escaping_members, NULL}},
        {"real", 120, (const TTest *[]){test_cifar10_shared_archive, NULL}},
    };
    return suite_run_cases("cifar", cases, SUITE_CASES(cases));
}
