/* Tests of the MAT v5 reader (src/data/mat5.c) on files built element by
 * element (tests/support/mat5_files.h) and on the ones scipy wrote
 * (tests/fixtures/), and of the Stanford Cars reader (src/data/cars.c) in
 * both published layouts. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/error.h"
#include "data/cars.h"
#include "data/dataset.h"
#include "data/mat5.h"
#include "support/archive_files.h"
#include "support/dataset_files.h"
#include "support/expect.h"
#include "support/files.h"
#include "support/image_files.h"
#include "support/mat5_files.h"
#include "support/suite_run.h"
#include "support/testdir.h"

#define FIXTURES_DIR "tests/fixtures"

static const mat_ann cars_ann[4] = {
    {"car_ims/000001.jpg", 1, 0}, {"car_ims/000002.jpg", 2, 1}, {"car_ims/000003.jpg", 2, 0},
    {"car_ims/000004.jpg", 1, 1}};
static const char *const cars_classes[2] = {"AM General Hummer SUV 2000", "Acura RL Sedan 2012"};

static void check_cars_mat(const dsml_mat_file *m, const char *expect_name1)
{
    const dsml_mat_array *ann = dsml_mat_var(m, "annotations");
    ck_assert_ptr_nonnull(ann);
    ck_assert_int_eq(ann->kind, DSML_MAT_STRUCT);
    char text[128];
    double v;
    ck_assert_int_eq(dsml_mat_string(dsml_mat_field(ann, 1, "relative_im_path"), text, sizeof text), 0);
    ck_assert_str_eq(text, "car_ims/000002.jpg");
    ck_assert_int_eq(dsml_mat_scalar(dsml_mat_field(ann, 1, "class"), &v), 0);
    ck_assert_double_eq(v, 2);
    ck_assert_int_eq(dsml_mat_scalar(dsml_mat_field(ann, 1, "test"), &v), 0);
    ck_assert_double_eq(v, 1);
    ck_assert_ptr_null(dsml_mat_field(ann, 1, "nonesuch"));
    ck_assert_ptr_null(dsml_mat_field(ann, ann->numel, "class"));
    const dsml_mat_array *names = dsml_mat_var(m, "class_names");
    ck_assert_ptr_nonnull(names);
    ck_assert_int_eq(names->kind, DSML_MAT_CELL);
    ck_assert_int_eq(names->numel, 2);
    ck_assert_int_eq(dsml_mat_string(&names->items[1], text, sizeof text), 0);
    ck_assert_str_eq(text, expect_name1);
}

START_TEST(test_mat5_hand_made)
{
    for (int compress = 0; compress < 2; compress++) {
        bytes f = mat_file("relative_im_path", cars_ann, 4, 1, cars_classes, 2, compress);
        dsml_mat_file m;
        int rc = dsml_mat_parse(&m, f.data, f.size, "cars_annos.mat", 0);
        ck_assert_msg(rc == 0, "%s", dsml_last_error());
        ck_assert_int_eq(m.n_vars, 2);
        check_cars_mat(&m, "Acura RL Sedan 2012");
        const dsml_mat_array *ann = dsml_mat_var(&m, "annotations");
        ck_assert_int_eq(ann->numel, 4);
        ck_assert_int_eq(ann->n_fields, 7);
        ck_assert_str_eq(ann->field_names[5], "class");
        double v;
        ck_assert_int_eq(dsml_mat_scalar(dsml_mat_field(ann, 3, "bbox_y2"), &v), 0);
        ck_assert_double_eq(v, 13);
        dsml_mat_free(&m);
        /* truncated anywhere: an error naming the file, never a crash */
        for (size_t cut = 0; cut < f.size; cut += compress ? 7 : 61) {
            rc = dsml_mat_parse(&m, f.data, cut, "cars_annos.mat", 0);
            ck_assert_msg(rc == DSML_ERR_FORMAT, "cut %zu: %d", cut, rc);
            ck_assert_msg(strstr(dsml_last_error(), "cars_annos.mat"), "%s", dsml_last_error());
        }
        rc = dsml_mat_parse(&m, f.data, f.size - 16, "cars_annos.mat", 0);
        ck_assert_msg(strstr(dsml_last_error(), "truncated"), "%s", dsml_last_error());
        /* a wrong tag at the top level */
        f.data[128] = 3;
        expect_error(dsml_mat_parse(&m, f.data, f.size, "cars_annos.mat", 0), DSML_ERR_FORMAT,
                     "cars_annos.mat: offset 128: top-level element of type 3, expected 14 (miMATRIX)");
        f.data[128] = compress ? 15 : 14;
        /* not a MAT v5 file */
        f.data[126] = 'X';
        expect_error(dsml_mat_parse(&m, f.data, f.size, "x.mat", 0), DSML_ERR_FORMAT, "not a MAT v5 file");
        free(f.data);
    }
    /* a wrong array flags tag inside a matrix */
    bytes f = mat_file("relative_im_path", cars_ann, 1, 1, cars_classes, 1, 0);
    f.data[128 + 8] = 5;
    dsml_mat_file m;
    expect_error(dsml_mat_parse(&m, f.data, f.size, "cars_annos.mat", 0), DSML_ERR_FORMAT,
                 "array flags: type 5, 8 bytes, expected type 6");
    free(f.data);
}
END_TEST

START_TEST(test_mat5_inflate_cap)
{
    /* a 1 MiB double array of zeros compresses to about 1 KiB */
    bytes body = {0}, file = {0};
    mat_head(&body, 6, 1, 1 << 17, "zeros");
    uint8_t *zeros = calloc(1, 1 << 20);
    mat_el(&body, 9, zeros, 1 << 20, 0);
    bytes var = {0};
    mat_wrap(&var, &body);
    mat_header(&file, "", 0);
    uLongf size = compressBound(var.size);
    uint8_t *z = malloc(size);
    ck_assert_int_eq(compress2(z, &size, var.data, var.size, 9), Z_OK);
    uint32_t tag[2] = {15, (uint32_t)size};
    bytes_add(&file, tag, 8);
    bytes_add(&file, z, size);
    dsml_mat_file m;
    expect_error(dsml_mat_parse(&m, file.data, file.size, "bomb.mat", 1 << 16), DSML_ERR_FORMAT,
                 "inflates to more than 65536 bytes, refused");
    ck_assert_int_eq(dsml_mat_parse(&m, file.data, file.size, "bomb.mat", 0), 0);
    ck_assert_int_eq(m.vars[0].numel, 1 << 17);
    ck_assert_double_eq(m.vars[0].re[(1 << 17) - 1], 0);
    dsml_mat_free(&m);
    /* a corrupt zlib stream */
    file.data[128 + 8 + size / 2] ^= 0x55;
    int rc = dsml_mat_parse(&m, file.data, file.size, "bomb.mat", 0);
    ck_assert_int_eq(rc, DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "zlib") || strstr(dsml_last_error(), "bomb.mat"), "%s", dsml_last_error());
    free(z);
    free(zeros);
    free(var.data);
    free(body.data);
    free(file.data);
}
END_TEST

/* Dimensions whose product passes int64 (2^20 x 2^20 x (2^31 - 1)): refused
 * with a message, and no overflow on the way (UBSan: `make sanitize`). */
START_TEST(test_mat5_dimensions_overflow)
{
    static const int32_t dims[3][3] = {{1 << 20, 1 << 20, 0x7fffffff}, {0x7fffffff, 0x7fffffff, 0x7fffffff},
                                       {0x7fffffff, 2, 0x7fffffff}};
    for (int k = 0; k < 3; k++) {
        bytes body = {0}, file = {0};
        uint32_t flags[2] = {6, 0};
        mat_el(&body, 6, flags, 8, 0);
        mat_el(&body, 5, dims[k], 12, 0);
        mat_el(&body, 1, "big", 3, 1);
        mat_el(&body, 9, "\0\0\0\0\0\0\0\0", 8, 0);
        mat_header(&file, "", 0);
        mat_wrap(&file, &body);
        dsml_mat_file m;
        expect_error(dsml_mat_parse(&m, file.data, file.size, "big.mat", 0), DSML_ERR_FORMAT,
                     "big.mat: offset 152: more than 2^40 elements");
        free(body.data);
        free(file.data);
    }
}
END_TEST

START_TEST(test_mat5_scipy_fixtures)
{
    static const char *const files[2] = {FIXTURES_DIR "/cars_annos_scipy.mat", FIXTURES_DIR "/cars_annos_scipy_raw.mat"};
    for (int k = 0; k < 2; k++) {
        dsml_mat_file m;
        int rc = dsml_mat_read(&m, files[k], 0);
        ck_assert_msg(rc == 0, "%s", dsml_last_error());
        check_cars_mat(&m, "Acura RL Sedan 2012 \xc3\xa9");
        const dsml_mat_array *ann = dsml_mat_var(&m, "annotations");
        ck_assert_int_eq(ann->numel, 3);
        double v;
        ck_assert_int_eq(dsml_mat_scalar(dsml_mat_field(ann, 2, "bbox_x2"), &v), 0);
        ck_assert_double_eq(v, 601);
        ck_assert_int_eq(dsml_mat_scalar(dsml_mat_field(ann, 1, "bbox_y2"), &v), 0);
        ck_assert_double_eq(v, 587);
        dsml_mat_free(&m);
    }
}
END_TEST

static void be32(bytes *b, uint32_t v)
{
    uint8_t p[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    bytes_add(b, p, 4);
}

START_TEST(test_mat5_big_endian)
{
    /* a big-endian file ("MI") holding x = [2.5 -1] (1 x 2 double) and a
     * char s = 'hi' in the small element format */
    bytes f = {0};
    mat_header(&f, "", 1);
    be32(&f, 14);
    be32(&f, 16 + 16 + 8 + 8 + 16);
    be32(&f, 6); be32(&f, 8); be32(&f, 6); be32(&f, 0);      /* flags: double */
    be32(&f, 5); be32(&f, 8); be32(&f, 1); be32(&f, 2);      /* dims 1 x 2 */
    be32(&f, 1u << 16 | 1); bytes_add(&f, "x\0\0\0", 4);        /* name, small format */
    be32(&f, 9); be32(&f, 16);
    uint64_t bits[2];
    double v[2] = {2.5, -1};
    memcpy(bits, v, 16);
    for (int i = 0; i < 2; i++) { be32(&f, (uint32_t)(bits[i] >> 32)); be32(&f, (uint32_t)bits[i]); }
    be32(&f, 14);
    be32(&f, 16 + 16 + 8 + 8);
    be32(&f, 6); be32(&f, 8); be32(&f, 4); be32(&f, 0);      /* flags: char */
    be32(&f, 5); be32(&f, 8); be32(&f, 1); be32(&f, 2);
    be32(&f, 1u << 16 | 1); bytes_add(&f, "s\0\0\0", 4);
    be32(&f, 4u << 16 | 4); bytes_add(&f, "\0h\0i", 4);         /* uint16 'h' 'i', small format */
    dsml_mat_file m;
    int rc = dsml_mat_parse(&m, f.data, f.size, "be.mat", 0);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    const dsml_mat_array *x = dsml_mat_var(&m, "x");
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(x->numel, 2);
    ck_assert_double_eq(x->re[0], 2.5);
    ck_assert_double_eq(x->re[1], -1);
    char text[8];
    ck_assert_int_eq(dsml_mat_string(dsml_mat_var(&m, "s"), text, sizeof text), 0);
    ck_assert_str_eq(text, "hi");
    ck_assert_int_eq(dsml_mat_scalar(x, v), DSML_ERR_FORMAT); /* two values, not one */
    dsml_mat_free(&m);
    free(f.data);
}
END_TEST

START_TEST(test_cars_car_ims_layout)
{
    const char *dir = testdir_make("cars");
    ck_assert_ptr_nonnull(dir);
    bytes png[4];
    archive_member m[5];
    for (int i = 0; i < 4; i++) {
        png[i] = png_gray(6, 4, 30 * (i + 1));
        m[3 - i] = (archive_member){cars_ann[i].path, png[i].data, png[i].size, NULL}; /* reverse order */
    }
    archive_write_members(testdir_path("car_ims.tgz"), m, 4, TEST_ARCHIVE_TGZ);
    bytes mat = mat_file("relative_im_path", cars_ann, 4, 1, cars_classes, 2, 1);
    file_write(testdir_path("cars_annos.mat"), mat.data, mat.size);
    dsml_reader_options o = reader_options(1, 3);
    dsml_dataset ds;
    int rc = dsml_cars196_read(&ds, dir, &o);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    ck_assert_int_eq(ds.n, 4);
    ck_assert_int_eq(ds.n_classes, 2);
    ck_assert_str_eq(ds.class_names[1], "Acura RL Sedan 2012");
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(ds.labels[i], cars_ann[i].cls - 1);
        ck_assert_int_eq(ds.split[i], cars_ann[i].test ? 0 : 1);
        ck_assert_int_eq(ds.pixels[9 * i + 4], 30 * (i + 1));
    }
    /* the hash of `sha256sum car_ims.tgz cars_annos.mat` */
    const char *files[2] = {testdir_path("car_ims.tgz"), testdir_path("cars_annos.mat")};
    char hex[65];
    ck_assert_int_eq(dsml_source_sha256(files, 2, hex), 0);
    ck_assert_str_eq(ds.source_sha256, hex);
    dsml_dataset_free(&ds);
    /* the archive path works as well */
    rc = dsml_cars196_read(&ds, testdir_path("car_ims.tgz"), &o);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    dsml_dataset_free(&ds);

    /* an image listed but absent */
    archive_write_members(testdir_path("car_ims.tgz"), m, 3, TEST_ARCHIVE_TGZ);
    expect_error(dsml_cars196_read(&ds, dir, &o), DSML_ERR_FORMAT, "image 1 (car_ims/000001.jpg)");
    archive_write_members(testdir_path("car_ims.tgz"), m, 4, TEST_ARCHIVE_TGZ);
    /* a class out of range */
    mat_ann bad[4];
    memcpy(bad, cars_ann, sizeof bad);
    bad[2].cls = 3;
    free(mat.data);
    mat = mat_file("relative_im_path", bad, 4, 1, cars_classes, 2, 0);
    file_write(testdir_path("cars_annos.mat"), mat.data, mat.size);
    expect_error(dsml_cars196_read(&ds, dir, &o), DSML_ERR_FORMAT, "annotations(3).class = 3, expected an integer in 1..2");
    /* a truncated .mat */
    file_write(testdir_path("cars_annos.mat"), mat.data, mat.size / 2);
    expect_error(dsml_cars196_read(&ds, dir, &o), DSML_ERR_FORMAT, "cars_annos.mat: offset");
    free(mat.data);
    for (int i = 0; i < 4; i++) free(png[i].data);
    testdir_done(1);
}
END_TEST

START_TEST(test_cars_devkit_layout)
{
    const char *dir = testdir_make("cars-devkit");
    ck_assert_ptr_nonnull(dir);
    static const mat_ann train[2] = {{"00001.jpg", 2, 0}, {"00002.jpg", 1, 0}};
    static const mat_ann test[3] = {{"00001.jpg", 1, 0}, {"00002.jpg", 2, 0}, {"00003.jpg", 2, 0}};
    bytes png[5];
    archive_member tr[2], te[3];
    char names[5][64];
    for (int i = 0; i < 5; i++) {
        png[i] = png_gray(3, 3, 40 * (i + 1));
        snprintf(names[i], sizeof names[i], i < 2 ? "cars_train/%05d.jpg" : "cars_test/%05d.jpg", i < 2 ? i + 1 : i - 1);
        if (i < 2) tr[i] = (archive_member){names[i], png[i].data, png[i].size, NULL};
        else te[i - 2] = (archive_member){names[i], png[i].data, png[i].size, NULL};
    }
    archive_write_members(testdir_path("cars_train.tgz"), tr, 2, TEST_ARCHIVE_TGZ);
    archive_write_members(testdir_path("cars_test.tgz"), te, 3, TEST_ARCHIVE_TGZ);
    bytes meta = mat_file("fname", train, 0, 0, cars_classes, 2, 1);
    bytes train_mat = mat_file("fname", train, 2, 0, cars_classes, 2, 1);
    bytes test_mat = mat_file("fname", test, 3, 0, cars_classes, 2, 0);
    archive_member dk[3] = {{"devkit/cars_meta.mat", meta.data, meta.size, NULL},
                    {"devkit/cars_train_annos.mat", train_mat.data, train_mat.size, NULL},
                    {"devkit/README.txt", "readme", 6, NULL}};
    archive_write_members(testdir_path("car_devkit.tgz"), dk, 3, TEST_ARCHIVE_TGZ);
    dsml_reader_options o = reader_options(3, 2);
    dsml_dataset ds;
    /* the test labels are missing */
    expect_error(dsml_cars196_read(&ds, dir, &o), DSML_ERR_FORMAT, "cars_test_annos_withlabels.mat missing");
    file_write(testdir_path("cars_test_annos_withlabels.mat"), test_mat.data, test_mat.size);
    int rc = dsml_cars196_read(&ds, dir, &o);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    ck_assert_int_eq(ds.n, 5);
    static const int labels[5] = {1, 0, 0, 1, 1}, split[5] = {1, 1, 0, 0, 0};
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(ds.labels[i], labels[i]);
        ck_assert_int_eq(ds.split[i], split[i]);
        ck_assert_int_eq(ds.pixels[12 * i], 40 * (i + 1));
    }
    dsml_dataset_free(&ds);
    for (int i = 0; i < 5; i++) free(png[i].data);
    free(meta.data);
    free(train_mat.data);
    free(test_mat.data);
    testdir_done(1);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"mat5", 30, (const TTest *[]){test_mat5_hand_made, test_mat5_inflate_cap, test_mat5_scipy_fixtures,
                                       test_mat5_big_endian, test_mat5_dimensions_overflow, NULL}},
        {"car_ims", 30, (const TTest *[]){test_cars_car_ims_layout, NULL}},
        {"devkit", 30, (const TTest *[]){test_cars_devkit_layout, NULL}},
    };
    return suite_run_cases("cars", cases, SUITE_CASES(cases));
}
