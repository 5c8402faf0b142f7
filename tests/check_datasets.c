/* Tests of the annotated-dataset readers of src/data: cub200 (annotation text
 * files + images in one archive), the MAT v5 reader and cars196, nus-wide
 * (multi-label, label bits in the cache), the archive checks they share
 * (links, caps), and the paper / zero-shot / multi-label splits. Every file
 * is made by the test in the official layout, plus broken variants. */
#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/sha256.h"
#include "data/archive.h"
#include "data/cars.h"
#include "data/cub.h"
#include "data/cache.h"
#include "data/mat5.h"
#include "data/nuswide.h"
#include "data/split.h"
#include "data/dataset.h"
#include "support/testdir.h"
#include "support/suite_run.h"

/* ---------------------------------------------------------------- helpers */

typedef struct {
    uint8_t *data;
    size_t size, cap;
} buffer;

static void buf_add(buffer *b, const void *data, size_t size)
{
    if (b->size + size > b->cap) {
        b->cap = (b->size + size) * 2 + 64;
        b->data = realloc(b->data, b->cap);
        ck_assert_ptr_nonnull(b->data);
    }
    if (size) memcpy(b->data + b->size, data, size);
    b->size += size;
}

static void png_write_cb(png_structp png, png_bytep data, png_size_t size)
{
    buf_add(png_get_io_ptr(png), data, size);
}

static void png_flush_cb(png_structp png) { (void)png; }

/* An RGB PNG of w x h in memory, every pixel (v, v, v). */
static buffer png_bytes(int w, int h, int v)
{
    buffer b = {0};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    ck_assert(png && info);
    png_set_write_fn(png, &b, png_write_cb, png_flush_cb);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    png_byte row[3 * 64];
    memset(row, v, sizeof row);
    for (int y = 0; y < h; y++) png_write_row(png, row);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return b;
}

/* One archive member: a file (data, size), a folder (dir), or a symbolic
 * link (link = target). */
typedef struct {
    const char *name;
    const void *data;
    size_t size;
    const char *link;
} member;

/* Writes a tar.gz (zip = 0) or zip (zip = 1) of the members, in order. */
static void write_archive(const char *path, const member *m, int n, int zip)
{
    struct archive *a = archive_write_new();
    if (zip) {
        ck_assert_int_eq(archive_write_set_format_zip(a), ARCHIVE_OK);
    } else {
        ck_assert_int_eq(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
        ck_assert_int_eq(archive_write_add_filter_gzip(a), ARCHIVE_OK);
    }
    ck_assert_int_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
    struct archive_entry *e = archive_entry_new();
    for (int i = 0; i < n; i++) {
        archive_entry_clear(e);
        archive_entry_set_pathname(e, m[i].name);
        if (m[i].link) {
            archive_entry_set_filetype(e, AE_IFLNK);
            archive_entry_set_symlink(e, m[i].link);
            archive_entry_set_perm(e, 0777);
            archive_entry_set_size(e, 0);
        } else {
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_perm(e, 0644);
            archive_entry_set_size(e, (la_int64_t)m[i].size);
        }
        ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
        if (!m[i].link && m[i].size) ck_assert_int_eq(archive_write_data(a, m[i].data, m[i].size), (la_ssize_t)m[i].size);
    }
    archive_entry_free(e);
    ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

static void write_file(const char *path, const void *data, size_t size)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        ck_assert_int_eq(dsml_mkdirs(dir), 0);
    }
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    if (size) ck_assert_uint_eq(fwrite(data, 1, size, fp), size);
    fclose(fp);
}

static void expect_error(int rc, int code, const char *fragment)
{
    ck_assert_msg(rc == code, "code %d, expected %d (%s)", rc, code, dsml_last_error());
    ck_assert_msg(strstr(dsml_last_error(), fragment), "error \"%s\" lacks \"%s\"", dsml_last_error(), fragment);
}

static dsml_reader_options reader_options(int channels, int size)
{
    dsml_reader_options o;
    memset(&o, 0, sizeof o);
    o.channels = channels;
    o.height = size;
    o.width = size;
    return o;
}

/* ------------------------------------------------------------------- cub */

/* A CUB-200-2011 tree of 6 images in 2 classes: ids 1..6, image id i is gray
 * value 20 i, classes: ids 1,2,5 class 1; 3,4,6 class 2; train: 1,3,4. */
#define CUB_N 6
static const int cub_class[CUB_N] = {1, 1, 2, 2, 1, 2};
static const int cub_train[CUB_N] = {1, 0, 1, 1, 0, 0};

typedef struct {
    char images[512], labels[256], split[256], classes[256];
    char paths[CUB_N][128];
    buffer png[CUB_N];
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
        f->png[k] = png_bytes(4 + k, 5, 20 * (k + 1));
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
    member m[CUB_N + 5];
    char names[CUB_N][256];
    int n = 0;
    for (int k = 0; k < CUB_N; k++) {
        if (k == drop_image) continue;
        snprintf(names[k], sizeof names[k], "CUB_200_2011/images/%s", f->paths[k]);
        m[n++] = (member){names[k], f->png[k].data, f->png[k].size, NULL};
    }
    const char *texts[4] = {f->images, f->labels, f->split, f->classes};
    const char *files[4] = {"CUB_200_2011/images.txt", "CUB_200_2011/image_class_labels.txt",
                            "CUB_200_2011/train_test_split.txt", "CUB_200_2011/classes.txt"};
    for (int t = 0; t < 4; t++)
        if (!skip || !strstr(files[t], skip)) m[n++] = (member){files[t], texts[t], strlen(texts[t]), NULL};
    m[n++] = (member){"attributes.txt", "1 has_bill_shape::dagger\n", 25, NULL};
    write_archive(path, m, n, 0);
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
        write_file(path, f.png[k].data, f.png[k].size);
    }
    const char *texts[4] = {f.images, f.labels, f.split, f.classes};
    const char *files[4] = {"images.txt", "image_class_labels.txt", "train_test_split.txt", "classes.txt"};
    for (int t = 0; t < 4; t++) {
        snprintf(path, sizeof path, "%s/CUB_200_2011/%s", root, files[t]);
        write_file(path, texts[t], strlen(texts[t]));
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


/* ------------------------------------------------------------------ mat5 */

#define FIXTURES_DIR "tests/fixtures"

/* A MAT v5 element: tag + data + zero padding to 8 (small format when
 * small = 1 and size <= 4). */
static void mat_el(buffer *b, uint32_t type, const void *data, uint32_t size, int small)
{
    uint8_t tag[8];
    if (small && size <= 4) {
        uint32_t w = size << 16 | type;
        memcpy(tag, &w, 4);
        memset(tag + 4, 0, 4);
        if (size) memcpy(tag + 4, data, size);
        buf_add(b, tag, 8);
        return;
    }
    memcpy(tag, &type, 4);
    memcpy(tag + 4, &size, 4);
    buf_add(b, tag, 8);
    buf_add(b, data, size);
    static const uint8_t zeros[8];
    buf_add(b, zeros, (8 - size % 8) % 8);
}

/* The start of a miMATRIX body: flags, dimensions 1 x n, name. */
static void mat_head(buffer *b, int mx_class, int rows, int cols, const char *name)
{
    uint32_t flags[2] = {(uint32_t)mx_class, 0};
    int32_t dims[2] = {rows, cols};
    mat_el(b, 6, flags, 8, 0);
    mat_el(b, 5, dims, 8, 0);
    mat_el(b, 1, name, (uint32_t)strlen(name), 1);
}

static void mat_wrap(buffer *out, const buffer *body)
{
    mat_el(out, 14, body->data, (uint32_t)body->size, 0);
}

/* A double scalar stored as uint8 (as MATLAB does for small integers). */
static void mat_number(buffer *out, const char *name, int value)
{
    buffer body = {0};
    mat_head(&body, 6, 1, 1, name);
    uint8_t v = (uint8_t)value;
    mat_el(&body, 2, &v, 1, 1);
    mat_wrap(out, &body);
    free(body.data);
}

/* A char row vector in UTF-16 (miUINT16). */
static void mat_text(buffer *out, const char *name, const char *text)
{
    buffer body = {0};
    int n = (int)strlen(text);
    mat_head(&body, 4, 1, n, name);
    uint16_t u[256];
    for (int i = 0; i < n; i++) u[i] = (uint8_t)text[i];
    mat_el(&body, 4, u, (uint32_t)(2 * n), 0);
    mat_wrap(out, &body);
    free(body.data);
}

typedef struct {
    const char *path;
    int cls, test;
} mat_ann;

/* A struct array `annotations` 1 x n with fields path_field, bbox_x1..y2,
 * class (and test when with_test); a cell `class_names`. Each variable in a
 * miCOMPRESSED element when compress. */
static buffer mat_file(const char *path_field, const mat_ann *ann, int n, int with_test, const char *const *classes,
                       int n_classes, int compress)
{
    buffer file = {0};
    uint8_t header[128];
    memset(header, ' ', 116);
    memcpy(header, "MATLAB 5.0 MAT-file, written by check_datasets", 47);
    memset(header + 116, 0, 8);
    header[124] = 0x00;
    header[125] = 0x01;
    header[126] = 'I';
    header[127] = 'M';
    buf_add(&file, header, 128);

    const char *fields[7] = {path_field, "bbox_x1", "bbox_y1", "bbox_x2", "bbox_y2", "class", "test"};
    int n_fields = with_test ? 7 : 6;
    buffer vars[2] = {{0}, {0}};
    buffer body = {0};
    mat_head(&body, 2, 1, n, "annotations");
    int32_t len = 32;
    mat_el(&body, 5, &len, 4, 1);
    char names[7 * 32];
    memset(names, 0, sizeof names);
    for (int f = 0; f < n_fields; f++) memcpy(names + 32 * f, fields[f], strlen(fields[f]));
    mat_el(&body, 1, names, (uint32_t)(32 * n_fields), 0);
    for (int i = 0; i < n; i++) {
        mat_text(&body, "", ann[i].path);
        for (int k = 0; k < 4; k++) mat_number(&body, "", 10 + k);
        mat_number(&body, "", ann[i].cls);
        if (with_test) mat_number(&body, "", ann[i].test);
    }
    mat_wrap(&vars[0], &body);
    body.size = 0;
    mat_head(&body, 1, 1, n_classes, "class_names");
    for (int k = 0; k < n_classes; k++) mat_text(&body, "", classes[k]);
    mat_wrap(&vars[1], &body);
    free(body.data);
    for (int v = 0; v < 2; v++) {
        if (compress) {
            uLongf size = compressBound(vars[v].size);
            uint8_t *z = malloc(size);
            ck_assert_int_eq(compress2(z, &size, vars[v].data, vars[v].size, 6), Z_OK);
            uint32_t tag[2] = {15, (uint32_t)size};
            buf_add(&file, tag, 8);
            buf_add(&file, z, size); /* compressed elements are not padded */
            free(z);
        } else {
            buf_add(&file, vars[v].data, vars[v].size);
        }
        free(vars[v].data);
    }
    return file;
}

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
        buffer f = mat_file("relative_im_path", cars_ann, 4, 1, cars_classes, 2, compress);
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
    buffer f = mat_file("relative_im_path", cars_ann, 1, 1, cars_classes, 1, 0);
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
    buffer body = {0}, file = {0};
    mat_head(&body, 6, 1, 1 << 17, "zeros");
    uint8_t *zeros = calloc(1, 1 << 20);
    mat_el(&body, 9, zeros, 1 << 20, 0);
    buffer var = {0};
    mat_wrap(&var, &body);
    uint8_t header[128] = {0};
    header[125] = 1;
    header[126] = 'I';
    header[127] = 'M';
    buf_add(&file, header, 128);
    uLongf size = compressBound(var.size);
    uint8_t *z = malloc(size);
    ck_assert_int_eq(compress2(z, &size, var.data, var.size, 9), Z_OK);
    uint32_t tag[2] = {15, (uint32_t)size};
    buf_add(&file, tag, 8);
    buf_add(&file, z, size);
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

static void be32(buffer *b, uint32_t v)
{
    uint8_t p[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    buf_add(b, p, 4);
}

START_TEST(test_mat5_big_endian)
{
    /* a big-endian file ("MI") holding x = [2.5 -1] (1 x 2 double) and a
     * char s = 'hi' in the small element format */
    buffer f = {0};
    uint8_t header[128];
    memset(header, ' ', 116);
    memset(header + 116, 0, 8);
    header[124] = 0x01;
    header[125] = 0x00;
    header[126] = 'M';
    header[127] = 'I';
    buf_add(&f, header, 128);
    be32(&f, 14);
    be32(&f, 16 + 16 + 8 + 8 + 16);
    be32(&f, 6); be32(&f, 8); be32(&f, 6); be32(&f, 0);      /* flags: double */
    be32(&f, 5); be32(&f, 8); be32(&f, 1); be32(&f, 2);      /* dims 1 x 2 */
    be32(&f, 1u << 16 | 1); buf_add(&f, "x\0\0\0", 4);        /* name, small format */
    be32(&f, 9); be32(&f, 16);
    uint64_t bits[2];
    double v[2] = {2.5, -1};
    memcpy(bits, v, 16);
    for (int i = 0; i < 2; i++) { be32(&f, (uint32_t)(bits[i] >> 32)); be32(&f, (uint32_t)bits[i]); }
    be32(&f, 14);
    be32(&f, 16 + 16 + 8 + 8);
    be32(&f, 6); be32(&f, 8); be32(&f, 4); be32(&f, 0);      /* flags: char */
    be32(&f, 5); be32(&f, 8); be32(&f, 1); be32(&f, 2);
    be32(&f, 1u << 16 | 1); buf_add(&f, "s\0\0\0", 4);
    be32(&f, 4u << 16 | 4); buf_add(&f, "\0h\0i", 4);         /* uint16 'h' 'i', small format */
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

/* ------------------------------------------------------------------ cars */

START_TEST(test_cars_car_ims_layout)
{
    const char *dir = testdir_make("cars");
    ck_assert_ptr_nonnull(dir);
    buffer png[4];
    member m[5];
    for (int i = 0; i < 4; i++) {
        png[i] = png_bytes(6, 4, 30 * (i + 1));
        m[3 - i] = (member){cars_ann[i].path, png[i].data, png[i].size, NULL}; /* reverse order */
    }
    write_archive(testdir_path("car_ims.tgz"), m, 4, 0);
    buffer mat = mat_file("relative_im_path", cars_ann, 4, 1, cars_classes, 2, 1);
    write_file(testdir_path("cars_annos.mat"), mat.data, mat.size);
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
    write_archive(testdir_path("car_ims.tgz"), m, 3, 0);
    expect_error(dsml_cars196_read(&ds, dir, &o), DSML_ERR_FORMAT, "image 1 (car_ims/000001.jpg)");
    write_archive(testdir_path("car_ims.tgz"), m, 4, 0);
    /* a class out of range */
    mat_ann bad[4];
    memcpy(bad, cars_ann, sizeof bad);
    bad[2].cls = 3;
    free(mat.data);
    mat = mat_file("relative_im_path", bad, 4, 1, cars_classes, 2, 0);
    write_file(testdir_path("cars_annos.mat"), mat.data, mat.size);
    expect_error(dsml_cars196_read(&ds, dir, &o), DSML_ERR_FORMAT, "annotations(3).class = 3, expected an integer in 1..2");
    /* a truncated .mat */
    write_file(testdir_path("cars_annos.mat"), mat.data, mat.size / 2);
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
    buffer png[5];
    member tr[2], te[3];
    char names[5][64];
    for (int i = 0; i < 5; i++) {
        png[i] = png_bytes(3, 3, 40 * (i + 1));
        snprintf(names[i], sizeof names[i], i < 2 ? "cars_train/%05d.jpg" : "cars_test/%05d.jpg", i < 2 ? i + 1 : i - 1);
        if (i < 2) tr[i] = (member){names[i], png[i].data, png[i].size, NULL};
        else te[i - 2] = (member){names[i], png[i].data, png[i].size, NULL};
    }
    write_archive(testdir_path("cars_train.tgz"), tr, 2, 0);
    write_archive(testdir_path("cars_test.tgz"), te, 3, 0);
    buffer meta = mat_file("fname", train, 0, 0, cars_classes, 2, 1);
    buffer train_mat = mat_file("fname", train, 2, 0, cars_classes, 2, 1);
    buffer test_mat = mat_file("fname", test, 3, 0, cars_classes, 2, 0);
    member dk[3] = {{"devkit/cars_meta.mat", meta.data, meta.size, NULL},
                    {"devkit/cars_train_annos.mat", train_mat.data, train_mat.size, NULL},
                    {"devkit/README.txt", "readme", 6, NULL}};
    write_archive(testdir_path("car_devkit.tgz"), dk, 3, 0);
    dsml_reader_options o = reader_options(3, 2);
    dsml_dataset ds;
    /* the test labels are missing */
    expect_error(dsml_cars196_read(&ds, dir, &o), DSML_ERR_FORMAT, "cars_test_annos_withlabels.mat missing");
    write_file(testdir_path("cars_test_annos_withlabels.mat"), test_mat.data, test_mat.size);
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

/* ---------------------------------------------------------------- splits */

START_TEST(test_split_paper_and_zero_shot)
{
    /* 8 images, classes 0..3, official train flags */
    const int32_t labels[8] = {0, 1, 2, 3, 0, 1, 2, 3};
    const uint8_t train[8] = {1, 1, 0, 0, 1, 0, 1, 0};
    dsml_split s;
    ck_assert_int_eq(dsml_split_official(&s, train, 8), 0);
    ck_assert_int_eq(s.n_train, 4);
    ck_assert_int_eq(s.n_query, 4);
    ck_assert_int_eq(s.n_database, 4);
    ck_assert_int_eq(s.query_is_database, 1);
    ck_assert_str_eq(s.kind, "paper");
    static const int test_idx[4] = {2, 3, 5, 7}, train_idx[4] = {0, 1, 4, 6};
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(s.query[i], test_idx[i]);
        ck_assert_int_eq(s.database[i], test_idx[i]);
        ck_assert_int_eq(s.train[i], train_idx[i]);
    }
    int self[4];
    dsml_split_query_db_index(&s, self);
    for (int i = 0; i < 4; i++) ck_assert_int_eq(self[i], i);
    char paper_hash[65];
    memcpy(paper_hash, s.hash, 65);
    dsml_split_free(&s);

    ck_assert_int_eq(dsml_split_zero_shot(&s, labels, 8, 4, 2), 0);
    static const int zs_test[4] = {2, 3, 6, 7}, zs_train[4] = {0, 1, 4, 5};
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(s.query[i], zs_test[i]);
        ck_assert_int_eq(s.database[i], zs_test[i]);
        ck_assert_int_eq(s.train[i], zs_train[i]);
    }
    ck_assert_str_eq(s.kind, "zero-shot");
    ck_assert_str_ne(s.hash, paper_hash);
    dsml_split_free(&s);

    const uint8_t all_train[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    expect_error(dsml_split_official(&s, all_train, 8), DSML_ERR_ARG, "0 test and 8 training images");
    expect_error(dsml_split_zero_shot(&s, labels, 8, 4, 4), DSML_ERR_ARG, "4 training classes of 4");

    /* a query that is not in the database gets -1 */
    dsml_split dml;
    ck_assert_int_eq(dsml_split_hashing(&dml, labels, 8, 4, 1, 7), 0);
    int idx[4];
    dsml_split_query_db_index(&dml, idx);
    for (int i = 0; i < 4; i++) ck_assert_int_eq(idx[i], -1);
    dsml_split_free(&dml);
}
END_TEST

START_TEST(test_split_multilabel)
{
    /* 12 images, 3 labels; image i has label i%3, and also label 0 when i%4 == 1 */
    uint64_t bits[12];
    for (int i = 0; i < 12; i++) bits[i] = (uint64_t)1 << (i % 3) | (i % 4 == 1 ? 1u : 0u);
    dsml_split a, b, c;
    ck_assert_int_eq(dsml_split_multilabel(&a, bits, 12, 3, 2, 42), 0);
    ck_assert_int_eq(a.n_query, 6);
    ck_assert_int_eq(a.n_database, 6);
    ck_assert_int_eq(a.n_train, 6);
    ck_assert_int_eq(a.query_is_database, 0);
    ck_assert_str_eq(a.kind, "multi-label");
    int in_query[12] = {0}, per_label[3] = {0};
    for (int q = 0; q < a.n_query; q++) {
        ck_assert_int_eq(in_query[a.query[q]], 0); /* distinct */
        in_query[a.query[q]] = 1;
    }
    for (int i = 0; i < a.n_database; i++) {
        ck_assert_int_eq(in_query[a.database[i]], 0);
        ck_assert_int_eq(a.database[i], a.train[i]);
    }
    /* every label has at least 2 queries carrying it */
    for (int q = 0; q < a.n_query; q++)
        for (int k = 0; k < 3; k++) per_label[k] += (int)(bits[a.query[q]] >> k & 1);
    for (int k = 0; k < 3; k++) ck_assert_int_ge(per_label[k], 2);
    ck_assert_int_eq(dsml_split_multilabel(&b, bits, 12, 3, 2, 42), 0);
    ck_assert_str_eq(a.hash, b.hash); /* seeded */
    ck_assert_int_eq(dsml_split_multilabel(&c, bits, 12, 3, 2, 43), 0);
    int differs = strcmp(a.hash, c.hash) != 0;
    dsml_split_free(&a);
    dsml_split_free(&b);
    dsml_split_free(&c);
    ck_assert_msg(differs, "another seed should draw other queries");
    expect_error(dsml_split_multilabel(&a, bits, 12, 3, 4, 1), DSML_ERR_ARG, "fewer queries than images");
    uint64_t few[12];
    for (int i = 0; i < 12; i++) few[i] = i < 10 ? 1 : 2;
    expect_error(dsml_split_multilabel(&a, few, 12, 2, 3, 1), DSML_ERR_ARG, "label 1 has 2 images");
    few[3] = 0;
    expect_error(dsml_split_multilabel(&a, few, 12, 2, 1, 1), DSML_ERR_ARG, "image 3: label bits 0x0");
}
END_TEST

START_TEST(test_split_make_defaults)
{
    dsml_dataset ds;
    uint8_t *pixels;
    int32_t *labels;
    ck_assert_int_eq(dsml_dataset_alloc(&ds, "t", 8, 1, 1, 1, 4, &pixels, &labels), 0);
    for (int i = 0; i < 8; i++) labels[i] = i % 4;
    dsml_split_request req = {DSML_SPLIT_DEFAULT, 1, 1, 0, 5};
    dsml_split s;
    dsml_split_kind used;
    ck_assert_int_eq(dsml_split_make(&s, &ds, &req, &used), 0);
    ck_assert_int_eq(used, DSML_SPLIT_DML);
    dsml_split_free(&s);
    req.kind = DSML_SPLIT_PAPER;
    expect_error(dsml_split_make(&s, &ds, &req, NULL), DSML_ERR_ARG, "official train/test split");
    /* an official split makes paper the default */
    ds.split_names = calloc(2, sizeof *ds.split_names);
    ds.owned_split = calloc(8, 1);
    strcpy(ds.split_names[0], "test");
    strcpy(ds.split_names[1], "train");
    for (int i = 0; i < 8; i++) ds.owned_split[i] = i < 4;
    ds.split = ds.owned_split;
    ds.n_splits = 2;
    req.kind = DSML_SPLIT_DEFAULT;
    ck_assert_int_eq(dsml_split_make(&s, &ds, &req, &used), 0);
    ck_assert_int_eq(used, DSML_SPLIT_PAPER);
    ck_assert_int_eq(s.n_train, 4);
    ck_assert_int_eq(s.train[3], 3);
    dsml_split_free(&s);
    req.kind = DSML_SPLIT_ZERO_SHOT;
    ck_assert_int_eq(dsml_split_make(&s, &ds, &req, &used), 0);
    ck_assert_int_eq(s.n_train, 4); /* classes 0 and 1 */
    ck_assert_int_eq(s.train[1], 1);
    ck_assert_int_eq(s.train[2], 4);
    dsml_split_free(&s);
    /* label bits make the multi-label split the default */
    ds.owned_label_bits = calloc(8, sizeof(uint64_t));
    for (int i = 0; i < 8; i++) ds.owned_label_bits[i] = 1u << (i % 2);
    ds.label_bits = ds.owned_label_bits;
    ds.n_labels = 2;
    ds.n_splits = 0;
    req.kind = DSML_SPLIT_DEFAULT;
    ck_assert_int_eq(dsml_split_make(&s, &ds, &req, &used), 0);
    ck_assert_int_eq(used, DSML_SPLIT_HASHING);
    ck_assert_int_eq(s.n_query, 2);
    ck_assert_str_eq(s.kind, "multi-label");
    dsml_split_free(&s);
    dsml_dataset_free(&ds);
    dsml_split_kind k;
    ck_assert_int_eq(dsml_split_kind_parse("zero-shot", &k), 0);
    ck_assert_int_eq(k, DSML_SPLIT_ZERO_SHOT);
    ck_assert_str_eq(dsml_split_kind_name(DSML_SPLIT_PAPER), "paper");
    expect_error(dsml_split_kind_parse("random", &k), DSML_ERR_ARG, "split 'random'");
}
END_TEST

/* -------------------------------------------------------------- nus-wide */

/* 10 images, 4 concepts: counts animal 6, beach 2, cloud 5, dog 1; keeping
 * 2 keeps animal and cloud. Image i has animal when i < 6, cloud when
 * i >= 5, beach when i is 8 or 9 (so image 9 has 3 labels); image 5 has
 * both kept labels. */
#define NUS_N 10
static const char *const nus_concepts[4] = {"animal", "beach", "cloud", "dog"};

static int nus_has(int k, int i)
{
    switch (k) {
    case 0: return i < 6;
    case 1: return i >= 8;
    case 2: return i >= 5;
    default: return i == 2;
    }
}

static void nus_texts(char list[2048], char labels[4][256], const char *bad_line)
{
    list[0] = '\0';
    for (int i = 0; i < NUS_N; i++) {
        size_t used = strlen(list);
        snprintf(list + used, 2048 - used, "C:\\ImageData\\Flickr\\%s\\%04d_%d.jpg\r\n", i < 5 ? "actor" : "zoo", i,
                 1000 + i);
    }
    for (int k = 0; k < 4; k++) {
        labels[k][0] = '\0';
        for (int i = 0; i < NUS_N; i++) strcat(labels[k], nus_has(k, i) ? "1 \n" : "0\n");
    }
    if (bad_line) strcpy(labels[2] + 4, bad_line); /* after two lines of "cloud" */
}

static buffer nus_png[NUS_N];

static void nus_make_pngs(void)
{
    for (int i = 0; i < NUS_N; i++) nus_png[i] = png_bytes(2, 2, 10 + 20 * i);
}

static void nus_free_pngs(void)
{
    for (int i = 0; i < NUS_N; i++) free(nus_png[i].data);
}

/* extra: that many more concepts, with no image (Labels_zz<k>.txt, all 0). */
static void nus_folder(const char *root, const char *bad_line, int drop_image, int extra)
{
    char list[2048], labels[4][256], path[8192];
    nus_texts(list, labels, bad_line);
    snprintf(path, sizeof path, "%s/ImageList/Imagelist.txt", root);
    write_file(path, list, strlen(list));
    for (int k = 0; k < 4; k++) {
        snprintf(path, sizeof path, "%s/Groundtruth/AllLabels/Labels_%s.txt", root, nus_concepts[k]);
        write_file(path, labels[k], strlen(labels[k]));
    }
    for (int k = 0; k < extra; k++) {
        char zeros[64] = "";
        for (int i = 0; i < NUS_N; i++) strcat(zeros, "0\n");
        snprintf(path, sizeof path, "%s/Groundtruth/AllLabels/Labels_zz%02d.txt", root, k);
        write_file(path, zeros, strlen(zeros));
    }
    snprintf(path, sizeof path, "%s/Groundtruth/TrainTestLabels/Labels_animal_Train.txt", root);
    write_file(path, "1\n", 2); /* not an AllLabels file: ignored */
    for (int i = 0; i < NUS_N; i++) {
        if (i == drop_image) continue;
        snprintf(path, sizeof path, "%s/nus-wide-images/Flickr/%s/%04d_%d.jpg", root, i < 5 ? "actor" : "zoo", i,
                 1000 + i);
        write_file(path, nus_png[i].data, nus_png[i].size);
    }
}

static void nus_archives(const char *root)
{
    char list[2048], labels[4][256], path[8192], names[NUS_N][128];
    nus_texts(list, labels, NULL);
    member m[NUS_N + 4];
    m[0] = (member){"ImageList/Imagelist.txt", list, strlen(list), NULL};
    snprintf(path, sizeof path, "%s/ImageList.zip", root);
    write_archive(path, m, 1, 1);
    char label_names[4][128];
    for (int k = 0; k < 4; k++) {
        snprintf(label_names[k], sizeof label_names[k], "Groundtruth/AllLabels/Labels_%s.txt", nus_concepts[k]);
        m[k] = (member){label_names[k], labels[k], strlen(labels[k]), NULL};
    }
    snprintf(path, sizeof path, "%s/Groundtruth.zip", root);
    write_archive(path, m, 4, 1);
    for (int i = 0; i < NUS_N; i++) {
        snprintf(names[i], sizeof names[i], "Flickr/%s/%04d_%d.jpg", i < 5 ? "actor" : "zoo", i, 1000 + i);
        m[NUS_N - 1 - i] = (member){names[i], nus_png[i].data, nus_png[i].size, NULL};
    }
    snprintf(path, sizeof path, "%s/nus-wide-images.tar.gz", root);
    write_archive(path, m, NUS_N, 0);
}

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

/* --------------------------------------------------------------- archive */

START_TEST(test_archive_links_and_caps)
{
    const char *dir = testdir_make("archive");
    ck_assert_ptr_nonnull(dir);
    ck_assert(dsml_archive_link_escapes("a/link", "../../x"));
    ck_assert(!dsml_archive_link_escapes("a/link", "../x"));
    ck_assert(dsml_archive_link_escapes("link", "/etc/passwd"));
    ck_assert(!dsml_archive_link_escapes("a/b/link", "./../c/../d"));
    ck_assert(dsml_archive_link_escapes("a/link", "b/../../.."));
    ck_assert(dsml_archive_unsafe_name("a/../b"));
    ck_assert(!dsml_archive_unsafe_name("a/..b"));
    const char *path = testdir_path("x.tar.gz");
    dsml_archive *a;
    dsml_archive_member m;
    int rc;
    /* an escaping symbolic link refuses the archive; an inner one is listed */
    member links[3] = {{"data/file.txt", "hello", 5, NULL}, {"data/inner", NULL, 0, "file.txt"},
                       {"data/evil", NULL, 0, "../../etc/passwd"}};
    write_archive(path, links, 3, 0);
    ck_assert_int_eq(dsml_archive_open(&a, path, NULL), 0);
    ck_assert_int_eq(dsml_archive_next(a, &m), 0);
    ck_assert_int_eq(m.is_file, 1);
    ck_assert_int_eq(dsml_archive_next(a, &m), 0);
    ck_assert_str_eq(m.name, "data/inner");
    ck_assert_int_eq(m.is_file, 0);
    expect_error(dsml_archive_next(a, &m), DSML_ERR_FORMAT, "\"data/evil\": symbolic link to \"../../etc/passwd\"");
    dsml_archive_close(a, NULL);
    /* caps: one member over the per-member cap, the total over the total cap */
    uint8_t *zeros = calloc(1, 300000);
    member big[3] = {{"a.bin", zeros, 100000, NULL}, {"b.bin", zeros, 100000, NULL}, {"c.bin", zeros, 300000, NULL}};
    write_archive(path, big, 3, 0);
    dsml_archive_limits entry_cap = {0, 200000};
    ck_assert_int_eq(dsml_archive_open(&a, path, &entry_cap), 0);
    uint8_t *buf = NULL;
    size_t cap = 0, size = 0;
    for (rc = 0; !rc && !(rc = dsml_archive_next(a, &m)) && m.name;) rc = dsml_archive_read_member(a, &buf, &cap, &size);
    ck_assert_int_eq(rc, DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "c.bin: declares 300000 bytes, more than the 200000 allowed for one member"),
                  "%s", dsml_last_error());
    dsml_archive_close(a, NULL);
    dsml_archive_limits total_cap = {250000, 0};
    ck_assert_int_eq(dsml_archive_open(&a, path, &total_cap), 0);
    for (rc = 0; !rc && !(rc = dsml_archive_next(a, &m)) && m.name;) rc = dsml_archive_read_member(a, &buf, &cap, &size);
    ck_assert_int_eq(rc, DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "decompression bomb"), "%s", dsml_last_error());
    dsml_archive_close(a, NULL);
    /* zip members may not declare their size: the count while reading catches them */
    write_archive(path, big, 3, 1);
    ck_assert_int_eq(dsml_archive_open(&a, path, &total_cap), 0);
    for (rc = 0; !rc && !(rc = dsml_archive_next(a, &m)) && m.name;) rc = dsml_archive_read_member(a, &buf, &cap, &size);
    ck_assert_int_eq(rc, DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "decompression bomb"), "%s", dsml_last_error());
    dsml_archive_close(a, NULL);
    /* the defaults read it all */
    ck_assert_int_eq(dsml_archive_open(&a, path, NULL), 0);
    for (rc = 0; !rc && !(rc = dsml_archive_next(a, &m)) && m.name;) rc = dsml_archive_read_member(a, &buf, &cap, &size);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    ck_assert_int_eq(dsml_archive_total(a), 500000);
    dsml_archive_close(a, NULL);
    free(buf);
    free(zeros);
    testdir_done(1);
}
END_TEST

/* ------------------------------------------------- through dsml_data_prepare */

START_TEST(test_data_prepare_annotated)
{
    const char *dir = testdir_make("prepare-annotated");
    ck_assert_ptr_nonnull(dir);
    char src[4096], root[4096];
    snprintf(src, sizeof src, "%s/nus", dir);
    snprintf(root, sizeof root, "%s/root", dir);
    nus_make_pngs();
    nus_folder(src, NULL, 4, 18); /* 22 concepts, of which 21 are kept */
    dsml_data_options o;
    dsml_data_options_default(&o);
    o.from = src;
    o.channels = 1;
    o.height = o.width = 4;
    dsml_dataset ds;
    int prepared = 0;
    /* image 4 is absent: an error, no cache written */
    expect_error(dsml_data_prepare(&ds, "nus-wide", NULL, root, &o, &prepared), DSML_ERR_FORMAT, "0004_1004.jpg");
    char cache[8192];
    snprintf(cache, sizeof cache, "%s/cache/nus-wide.dsd", root);
    ck_assert_int_eq(access(cache, F_OK), -1);
    o.skip_bad = 1;
    int rc = dsml_data_prepare(&ds, "nus-wide", NULL, root, &o, &prepared);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    ck_assert_int_eq(prepared, 1);
    ck_assert_int_eq(ds.n, NUS_N - 1);
    ck_assert_int_eq(ds.n_labels, DSML_NUSWIDE_CONCEPTS);
    ck_assert_str_eq(ds.class_names[3], "dog");
    ck_assert_str_eq(ds.class_names[4], "zz00"); /* the least frequent (zz17, no image) is dropped */
    ck_assert_str_eq(ds.class_names[20], "zz16");
    dsml_dataset_free(&ds);
    /* opened by name: the options come back from the cache, nothing is prepared again */
    rc = dsml_data_open(&ds, "nus-wide", root, &(dsml_data_options){.from = src, .log = NULL});
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    ck_assert_int_eq(ds.height, 4);
    ck_assert_int_eq(ds.n_skipped, 1);
    ck_assert_ptr_nonnull(ds.label_bits);
    dsml_dataset_free(&ds);
    nus_free_pngs();
    testdir_done(1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("datasets");
    TCase *tc = tcase_create("datasets");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_cub_archive_and_folder);
    tcase_add_test(tc, test_cub_broken);
    tcase_add_test(tc, test_mat5_hand_made);
    tcase_add_test(tc, test_mat5_inflate_cap);
    tcase_add_test(tc, test_mat5_scipy_fixtures);
    tcase_add_test(tc, test_mat5_big_endian);
    tcase_add_test(tc, test_cars_car_ims_layout);
    tcase_add_test(tc, test_cars_devkit_layout);
    tcase_add_test(tc, test_split_paper_and_zero_shot);
    tcase_add_test(tc, test_split_multilabel);
    tcase_add_test(tc, test_split_make_defaults);
    tcase_add_test(tc, test_nuswide_read_and_cache);
    tcase_add_test(tc, test_nuswide_broken);
    tcase_add_test(tc, test_archive_links_and_caps);
    tcase_add_test(tc, test_data_prepare_annotated);
    suite_add_tcase(s, tc);
    return suite_run(s);
}
