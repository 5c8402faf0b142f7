/* Tests of the CUB-200-2011 reader (src/data/cub.c): a small tree of PNG
 * images as an archive (annotation files after the images) and as the
 * extracted folder, then broken annotation files and images. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/sha256.h"
#include "data/cub.h"
#include "data/dataset.h"
#include "support/archive_files.h"
#include "support/dataset_files.h"
#include "support/expect.h"
#include "support/files.h"
#include "support/image_files.h"
#include "support/suite_run.h"
#include "support/testdir.h"

/* A CUB-200-2011 tree of 6 images in 2 classes: ids 1..6, image id i is gray
 * value 20 i, classes: ids 1,2,5 class 1; 3,4,6 class 2; train: 1,3,4. */
#define CUB_N 6
static const int cub_class[CUB_N] = {1, 1, 2, 2, 1, 2};
static const int cub_train[CUB_N] = {1, 0, 1, 1, 0, 0};

typedef struct {
    char images[512], labels[256], split[256], classes[256];
    char paths[CUB_N][128];
    bytes png[CUB_N];
} cub_files;

static void cub_make(cub_files *f)
{
    memset(f, 0, sizeof *f);
    static const char *const class_names[2] = {"001.Albatross", "002.Auklet"};
    /* images.txt deliberately not in id order */
    for (int k = CUB_N - 1; k >= 0; k--) {
        char path[128];
        snprintf(path, sizeof path, "%s/bird_%d.png", class_names[cub_class[k] - 1], k + 1);
        memcpy(f->paths[k], path, sizeof path);
        size_t used = strlen(f->images);
        snprintf(f->images + used, sizeof f->images - used, "%d %s\n", k + 1, path);
        f->png[k] = png_gray(4 + k, 5, 20 * (k + 1));
    }
    for (int k = 0; k < CUB_N; k++) {
        size_t used = strlen(f->labels);
        snprintf(f->labels + used, sizeof f->labels - used, "%d %d\r\n", k + 1, cub_class[k]);
        used = strlen(f->split);
        snprintf(f->split + used, sizeof f->split - used, "%d %d\n", k + 1, cub_train[k]);
    }
    snprintf(f->classes, sizeof f->classes, "1 %s\n2 %s\n\n", class_names[0], class_names[1]);
}

static void cub_free(cub_files *f)
{
    for (int k = 0; k < CUB_N; k++) free(f->png[k].data);
}

/* The archive: images first, annotation files after them (skip: one
 * annotation file left out, by name; drop_image: an image left out, or -1). */
static void cub_archive(const char *path, cub_files *f, const char *skip, int drop_image)
{
    archive_member m[CUB_N + 5];
    char names[CUB_N][256];
    int n = 0;
    for (int k = 0; k < CUB_N; k++) {
        if (k == drop_image) continue;
        snprintf(names[k], sizeof names[k], "CUB_200_2011/images/%s", f->paths[k]);
        m[n++] = (archive_member){names[k], f->png[k].data, f->png[k].size, NULL};
    }
    const char *texts[4] = {f->images, f->labels, f->split, f->classes};
    const char *files[4] = {"CUB_200_2011/images.txt", "CUB_200_2011/image_class_labels.txt",
                            "CUB_200_2011/train_test_split.txt", "CUB_200_2011/classes.txt"};
    for (int t = 0; t < 4; t++)
        if (!skip || !strstr(files[t], skip)) m[n++] = (archive_member){files[t], texts[t], strlen(texts[t]), NULL};
    m[n++] = (archive_member){"attributes.txt", "1 has_bill_shape::dagger\n", 25, NULL};
    archive_write_members(path, m, n, TEST_ARCHIVE_TGZ);
}

START_TEST(test_cub_archive_and_folder)
{
    const char *dir = testdir_make("cub");
    ck_assert_ptr_nonnull(dir);
    cub_files f;
    cub_make(&f);
    char tgz[4096];
    snprintf(tgz, sizeof tgz, "%s/CUB_200_2011.tgz", dir);
    cub_archive(tgz, &f, NULL, -1);
    dsml_reader_options o = reader_options(1, 4);
    dsml_dataset ds;
    int rc = dsml_cub200_read(&ds, tgz, &o);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    ck_assert_int_eq(ds.n, CUB_N);
    ck_assert_int_eq(ds.n_classes, 2);
    ck_assert_str_eq(ds.class_names[0], "001.Albatross");
    ck_assert_str_eq(ds.class_names[1], "002.Auklet");
    ck_assert_int_eq(ds.n_splits, 2);
    ck_assert_str_eq(ds.split_names[0], "test");
    ck_assert_str_eq(ds.split_names[1], "train");
    for (int k = 0; k < CUB_N; k++) {
        ck_assert_int_eq(ds.labels[k], cub_class[k] - 1);
        ck_assert_int_eq(ds.split[k], cub_train[k]);
        for (int p = 0; p < 16; p++) ck_assert_int_eq(ds.pixels[16 * k + p], 20 * (k + 1)); /* gray stays gray */
    }
    char hex[65];
    ck_assert_int_eq(dsml_sha256_file(tgz, hex), 0);
    ck_assert_str_eq(ds.source_sha256, hex);
    char content[65];
    memcpy(content, ds.content_sha256, 65);
    dsml_dataset_free(&ds);

    /* the extracted folder decodes to the same content */
    char root[4096], path[8192];
    snprintf(root, sizeof root, "%s/extracted", dir);
    for (int k = 0; k < CUB_N; k++) {
        snprintf(path, sizeof path, "%s/CUB_200_2011/images/%s", root, f.paths[k]);
        file_write(path, f.png[k].data, f.png[k].size);
    }
    const char *texts[4] = {f.images, f.labels, f.split, f.classes};
    const char *files[4] = {"images.txt", "image_class_labels.txt", "train_test_split.txt", "classes.txt"};
    for (int t = 0; t < 4; t++) {
        snprintf(path, sizeof path, "%s/CUB_200_2011/%s", root, files[t]);
        file_write(path, texts[t], strlen(texts[t]));
    }
    rc = dsml_cub200_read(&ds, root, &o);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    ck_assert_str_eq(ds.content_sha256, content);
    dsml_dataset_free(&ds);
    cub_free(&f);
    testdir_done(1);
}
END_TEST

START_TEST(test_cub_broken)
{
    const char *dir = testdir_make("cub-broken");
    ck_assert_ptr_nonnull(dir);
    cub_files f;
    cub_make(&f);
    dsml_reader_options o = reader_options(3, 4);
    dsml_dataset ds;
    const char *tgz = testdir_path("CUB_200_2011.tgz");
    cub_archive(tgz, &f, "train_test_split", -1);
    expect_error(dsml_cub200_read(&ds, tgz, &o), DSML_ERR_FORMAT, "train_test_split.txt missing");
    cub_archive(tgz, &f, NULL, 3);
    expect_error(dsml_cub200_read(&ds, tgz, &o), DSML_ERR_FORMAT, "images.txt: image id 4 (002.Auklet/bird_4.png)");
    snprintf(f.labels, sizeof f.labels, "1 1\n99 2\n");
    cub_archive(tgz, &f, NULL, -1);
    expect_error(dsml_cub200_read(&ds, tgz, &o), DSML_ERR_FORMAT,
                 "CUB_200_2011/image_class_labels.txt: line 2: image id 99, expected 1..6");
    snprintf(f.labels, sizeof f.labels, "1 1\n2 3\n");
    cub_archive(tgz, &f, NULL, -1);
    expect_error(dsml_cub200_read(&ds, tgz, &o), DSML_ERR_FORMAT, "line 2: class id 3, expected 1..2");
    snprintf(f.labels, sizeof f.labels, "1 1\n2 1\n3 2\n4 2\n5 1\n");
    cub_archive(tgz, &f, NULL, -1);
    expect_error(dsml_cub200_read(&ds, tgz, &o), DSML_ERR_FORMAT, "image id 6 (of 6 in images.txt) has no line");
    snprintf(f.labels, sizeof f.labels, "1 1\n2 1\n3 2\n4 2\n5 1\n6 2\n");
    snprintf(f.split, sizeof f.split, "1 1\n2 0\n3 2\n");
    cub_archive(tgz, &f, NULL, -1);
    expect_error(dsml_cub200_read(&ds, tgz, &o), DSML_ERR_FORMAT, "train_test_split.txt: line 3: train flag 2");
    /* a corrupt image names its member */
    cub_free(&f);
    cub_make(&f);
    f.png[2].size = 30;
    cub_archive(tgz, &f, NULL, -1);
    expect_error(dsml_cub200_read(&ds, tgz, &o), DSML_ERR_FORMAT, "CUB_200_2011/images/002.Auklet/bird_3.png");
    cub_free(&f);
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"read", 30, (const TTest *[]){test_cub_archive_and_folder, NULL}},
        {"broken", 30, (const TTest *[]){test_cub_broken, NULL}},
    };
    return suite_run_cases("cub", cases, SUITE_CASES(cases));
}
