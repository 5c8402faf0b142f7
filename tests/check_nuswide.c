/* Tests of the NUS-WIDE reader (src/data/nuswide.c): the folder layout and
 * the zips give the same dataset, the most frequent concepts are kept, the
 * label bits survive the cache (format version 3); broken label files and
 * absent images. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/cache.h"
#include "data/dataset.h"
#include "data/nuswide.h"
#include "support/dataset_files.h"
#include "support/expect.h"
#include "support/suite_run.h"
#include "support/testdir.h"

START_TEST(test_nuswide_read_and_cache)
{
    const char *dir = testdir_make("nuswide");
    ck_assert_ptr_nonnull(dir);
    nus_make_pngs();
    char root[4096], zips[4096];
    snprintf(root, sizeof root, "%s/folders", dir);
    snprintf(zips, sizeof zips, "%s/zips", dir);
    ck_assert_int_eq(dsml_mkdirs(zips), 0);
    nus_folder(root, NULL, -1, 0);
    nus_archives(zips);
    dsml_reader_options o = reader_options(1, 2);
    dsml_dataset ds, dz;
    int rc = dsml_nuswide_read(&ds, root, &o, 2, 0);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    /* every image has animal or cloud, so all are kept */
    ck_assert_int_eq(ds.n, NUS_N);
    ck_assert_int_eq(ds.n_classes, 2);
    ck_assert_int_eq(ds.n_labels, 2);
    ck_assert_str_eq(ds.class_names[0], "animal");
    ck_assert_str_eq(ds.class_names[1], "cloud");
    for (int i = 0; i < NUS_N; i++) {
        uint64_t expect = (uint64_t)nus_has(0, i) | (uint64_t)nus_has(2, i) << 1;
        ck_assert_uint_eq(ds.label_bits[i], expect);
        ck_assert_int_eq(ds.labels[i], expect & 1 ? 0 : 1);
        ck_assert_int_eq(ds.pixels[4 * i], 10 + 20 * i);
    }
    rc = dsml_nuswide_read(&dz, zips, &o, 2, 0);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    ck_assert_str_eq(dz.content_sha256, ds.content_sha256);
    ck_assert_str_eq(dz.source_sha256, ds.source_sha256); /* of the texts, wherever they came from */
    dsml_dataset_free(&dz);

    /* keeping 1 concept (animal) drops images 6..9 */
    rc = dsml_nuswide_read(&dz, root, &o, 1, 0);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    ck_assert_int_eq(dz.n, 6);
    dsml_dataset_free(&dz);

    /* the cache keeps the label bits (format version 3) */
    const char *cache = testdir_path("nus-wide.dsd");
    ck_assert_int_eq(dsml_cache_write(cache, &ds, "nus-wide test"), 0);
    ck_assert_int_eq(dsml_cache_open(&dz, cache, DSML_CACHE_VERIFY_CONTENT, NULL), 0);
    ck_assert_int_eq(dz.n_labels, 2);
    for (int i = 0; i < NUS_N; i++) ck_assert_uint_eq(dz.label_bits[i], ds.label_bits[i]);
    ck_assert_str_eq(dz.content_sha256, ds.content_sha256);
    ck_assert_int_eq(((const uint8_t *)dz.map_base)[8], 3);
    dsml_dataset_free(&dz);
    /* a flipped label bit is caught by the header CRC */
    FILE *fp = fopen(cache, "r+b");
    ck_assert_ptr_nonnull(fp);
    uint8_t head[1280];
    ck_assert_uint_eq(fread(head, 1, sizeof head, fp), sizeof head);
    uint64_t labels_offset = 0;
    for (int b = 7; b >= 0; b--) labels_offset = labels_offset << 8 | head[1248 + b];
    fseek(fp, (long)labels_offset - 64, SEEK_SET); /* inside the label bits */
    fputc(0x04, fp);
    fclose(fp);
    expect_error(dsml_cache_open(&dz, cache, DSML_CACHE_TRUST_CONTENT, NULL), DSML_ERR_FORMAT, "corrupt header");
    /* the content hash covers the label bits */
    char before[65];
    memcpy(before, ds.content_sha256, 65);
    ds.owned_label_bits[3] ^= 2;
    dsml_dataset_content_sha256(&ds, ds.content_sha256);
    ck_assert_str_ne(ds.content_sha256, before);
    dsml_dataset_free(&ds);
    nus_free_pngs();
    testdir_done(1);
}
END_TEST

START_TEST(test_nuswide_broken)
{
    const char *dir = testdir_make("nuswide-broken");
    ck_assert_ptr_nonnull(dir);
    nus_make_pngs();
    dsml_reader_options o = reader_options(3, 2);
    dsml_dataset ds;
    char root[4096];
    snprintf(root, sizeof root, "%s/a", dir);
    nus_folder(root, "2\n0\n0\n0\n1\n1\n1\n1\n", -1, 0);
    expect_error(dsml_nuswide_read(&ds, root, &o, 2, 0), DSML_ERR_FORMAT, "Labels_cloud.txt: line 3: \"2\", expected 0 or 1");
    snprintf(root, sizeof root, "%s/b", dir);
    nus_folder(root, "0\n", -1, 0);
    expect_error(dsml_nuswide_read(&ds, root, &o, 2, 0), DSML_ERR_FORMAT, "Labels_cloud.txt: 3 lines, expected one per image of the list (10)");
    snprintf(root, sizeof root, "%s/c", dir);
    nus_folder(root, NULL, 7, 0);
    expect_error(dsml_nuswide_read(&ds, root, &o, 2, 0), DSML_ERR_FORMAT, "Imagelist.txt: line 8: Flickr/zoo/0007_1007.jpg");
    int rc = dsml_nuswide_read(&ds, root, &o, 2, 1);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    ck_assert_int_eq(ds.n, NUS_N - 1);
    ck_assert_int_eq(ds.n_skipped, 1);
    ck_assert_str_eq(ds.skipped[0], "Flickr/zoo/0007_1007.jpg");
    ck_assert_int_eq(ds.pixels[12 * 7], 10 + 20 * 8); /* image 8 moved up */
    ck_assert_uint_eq(ds.label_bits[7], 2); /* image 8: cloud (and beach, not kept) */
    dsml_dataset_free(&ds);
    snprintf(root, sizeof root, "%s/d", dir);
    ck_assert_int_eq(dsml_mkdirs(root), 0);
    expect_error(dsml_nuswide_read(&ds, root, &o, 2, 0), DSML_ERR_FORMAT, "ImageList.zip (the image list)");
    nus_free_pngs();
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"read", 30, (const TTest *[]){test_nuswide_read_and_cache, NULL}},
        {"broken", 30, (const TTest *[]){test_nuswide_broken, NULL}},
    };
    return suite_run_cases("nuswide", cases, SUITE_CASES(cases));
}
