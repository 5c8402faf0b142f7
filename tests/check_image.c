/* Tests of src/data/image (JPEG/PNG decoding), src/data/resize and the
 * imagefolder reader, on images, folders and archives each test writes in its
 * own temporary folder with libjpeg, libpng and libarchive. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <archive.h>
#include <archive_entry.h>
#include <jpeglib.h>
#include <png.h>
#include <zlib.h>

#include "core/error.h"
#include "core/sha256.h"
#include "data/dataset.h"
#include "data/image.h"
#include "data/imagefolder.h"
#include "data/resize.h"
#include "support/testdir.h"
#include "support/suite_run.h"

/* ---------------------------------------------------------------- helpers */

typedef struct {
    uint8_t *data;
    size_t size;
} bytes;

static bytes read_all(const char *path)
{
    bytes b = {0};
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    fseek(fp, 0, SEEK_END);
    b.size = (size_t)ftell(fp);
    fseek(fp, 0, SEEK_SET);
    b.data = malloc(b.size + 1);
    ck_assert_uint_eq(fread(b.data, 1, b.size, fp), b.size);
    fclose(fp);
    return b;
}

static void write_all(const char *path, const void *data, size_t size)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(data, 1, size, fp), size);
    fclose(fp);
}

/* A PNG of the given type; `pixels` interleaved, rows of w * channels samples
 * of bit_depth bits (16-bit samples given as uint16_t, written big-endian). */
static void write_png(const char *path, int w, int h, int color_type, int bit_depth, const void *pixels,
                      const png_color *palette, int n_palette)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    ck_assert(png && info);
    if (setjmp(png_jmpbuf(png))) ck_abort_msg("%s: libpng could not write the test image", path);
    png_init_io(png, fp);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, bit_depth, color_type, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (palette) png_set_PLTE(png, info, palette, n_palette);
    png_write_info(png, info);
    if (bit_depth == 16) png_set_swap(png);
    int channels = color_type == PNG_COLOR_TYPE_GRAY || color_type == PNG_COLOR_TYPE_PALETTE ? 1
                   : color_type == PNG_COLOR_TYPE_GRAY_ALPHA ? 2
                   : color_type == PNG_COLOR_TYPE_RGB ? 3 : 4;
    size_t row = (size_t)w * channels * (bit_depth / 8);
    for (int y = 0; y < h; y++) png_write_row(png, (png_const_bytep)pixels + row * y);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    fclose(fp);
}

/* A JPEG, quality 100, no chroma subsampling. in_space: JCS_GRAYSCALE, JCS_RGB
 * or JCS_CMYK; jpeg_space: the colour space stored (JCS_YCCK for CMYK input
 * gives a YCCK file). */
static void write_jpeg(const char *path, int w, int h, J_COLOR_SPACE in_space, J_COLOR_SPACE jpeg_space,
                       const uint8_t *pixels)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr err;
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    jpeg_stdio_dest(&c, fp);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.in_color_space = in_space;
    c.input_components = in_space == JCS_GRAYSCALE ? 1 : in_space == JCS_RGB ? 3 : 4;
    jpeg_set_defaults(&c);
    jpeg_set_colorspace(&c, jpeg_space);
    for (int i = 0; i < c.num_components; i++) c.comp_info[i].h_samp_factor = c.comp_info[i].v_samp_factor = 1;
    jpeg_set_quality(&c, 100, TRUE);
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = (JSAMPROW)pixels + (size_t)c.next_scanline * w * c.input_components;
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    fclose(fp);
}

static void decode_file(dsml_image *img, const char *path, int channels)
{
    bytes b = read_all(path);
    int rc = dsml_image_decode(img, b.data, b.size, channels, path);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    free(b.data);
}

static int decode_fails(const void *data, size_t size, const char *name, const char *expect)
{
    dsml_image img = {0};
    int rc = dsml_image_decode(&img, data, size, 3, name);
    ck_assert_int_eq(rc, DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), name), "message names the file: %s", dsml_last_error());
    ck_assert_msg(!expect || strstr(dsml_last_error(), expect), "expected \"%s\" in: %s", expect,
                  dsml_last_error());
    dsml_image_free(&img);
    return rc;
}

static int px(const dsml_image *img, int k, int r, int c)
{
    return img->pixels[((size_t)k * img->height + r) * img->width + c];
}

/* ------------------------------------------------------------------ PNG */

START_TEST(test_png_gray_and_gray_alpha)
{
    ck_assert_ptr_nonnull(testdir_make("png-gray"));
    const uint8_t gray[6] = {0, 10, 100, 200, 254, 255};
    write_png(testdir_path("g.png"), 3, 2, PNG_COLOR_TYPE_GRAY, 8, gray, NULL, 0);
    dsml_image img = {0};
    decode_file(&img, testdir_path("g.png"), 1);
    ck_assert_int_eq(img.width, 3);
    ck_assert_int_eq(img.height, 2);
    ck_assert_int_eq(img.channels, 1);
    for (int i = 0; i < 6; i++) ck_assert_int_eq(img.pixels[i], gray[i]);
    decode_file(&img, testdir_path("g.png"), 3); /* replicated */
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < 6; i++) ck_assert_int_eq(img.pixels[k * 6 + i], gray[i]);
    /* gray + alpha over black: v * a / 255 rounded */
    const uint8_t ga[8] = {200, 128, 255, 255, 100, 0, 51, 51};
    write_png(testdir_path("ga.png"), 2, 2, PNG_COLOR_TYPE_GRAY_ALPHA, 8, ga, NULL, 0);
    decode_file(&img, testdir_path("ga.png"), 1);
    ck_assert_int_eq(img.pixels[0], 100); /* 200*128/255 = 100.4 */
    ck_assert_int_eq(img.pixels[1], 255);
    ck_assert_int_eq(img.pixels[2], 0);
    ck_assert_int_eq(img.pixels[3], 10); /* 51*51/255 = 10.2 */
    dsml_image_free(&img);
    testdir_done(1);
}
END_TEST

START_TEST(test_png_palette_rgb16_rgba)
{
    ck_assert_ptr_nonnull(testdir_make("png-color"));
    dsml_image img = {0};
    png_color pal[3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}};
    const uint8_t idx[4] = {0, 1, 2, 0};
    write_png(testdir_path("p.png"), 2, 2, PNG_COLOR_TYPE_PALETTE, 8, idx, pal, 3);
    decode_file(&img, testdir_path("p.png"), 3);
    ck_assert_int_eq(img.channels, 3);
    const int want_r[4] = {255, 0, 0, 255}, want_g[4] = {0, 255, 0, 0}, want_b[4] = {0, 0, 255, 0};
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(px(&img, 0, i / 2, i % 2), want_r[i]);
        ck_assert_int_eq(px(&img, 1, i / 2, i % 2), want_g[i]);
        ck_assert_int_eq(px(&img, 2, i / 2, i % 2), want_b[i]);
    }
    /* BT.601 luma: red 0.299*255 = 76.2, green 149.7, blue 29.1 */
    decode_file(&img, testdir_path("p.png"), 1);
    ck_assert_int_eq(img.pixels[0], 76);
    ck_assert_int_eq(img.pixels[1], 150);
    ck_assert_int_eq(img.pixels[2], 29);

    /* 16-bit RGB scaled by 255/65535, rounded */
    const uint16_t rgb16[6] = {65535, 0, 0x8080, 1000, 65000, 129};
    write_png(testdir_path("rgb16.png"), 2, 1, PNG_COLOR_TYPE_RGB, 16, rgb16, NULL, 0);
    decode_file(&img, testdir_path("rgb16.png"), 3);
    ck_assert_int_eq(px(&img, 0, 0, 0), 255);
    ck_assert_int_eq(px(&img, 1, 0, 0), 0);
    ck_assert_int_eq(px(&img, 2, 0, 0), 128);
    ck_assert_int_eq(px(&img, 0, 0, 1), 4);   /* 1000/257 = 3.9 */
    ck_assert_int_eq(px(&img, 1, 0, 1), 253); /* 65000/257 = 252.9 */
    ck_assert_int_eq(px(&img, 2, 0, 1), 1);   /* 129/257 = 0.502 */

    /* RGBA composited over black */
    const uint8_t rgba[8] = {200, 100, 50, 128, 10, 20, 30, 255};
    write_png(testdir_path("rgba.png"), 2, 1, PNG_COLOR_TYPE_RGB_ALPHA, 8, rgba, NULL, 0);
    decode_file(&img, testdir_path("rgba.png"), 3);
    ck_assert_int_eq(px(&img, 0, 0, 0), 100);
    ck_assert_int_eq(px(&img, 1, 0, 0), 50);
    ck_assert_int_eq(px(&img, 2, 0, 0), 25);
    ck_assert_int_eq(px(&img, 0, 0, 1), 10);
    ck_assert_int_eq(px(&img, 1, 0, 1), 20);
    ck_assert_int_eq(px(&img, 2, 0, 1), 30);
    dsml_image_free(&img);
    testdir_done(1);
}
END_TEST

/* Sets the PNG's IHDR size and fixes its CRC. */
static void png_set_size(bytes *b, uint32_t w, uint32_t h)
{
    uint8_t *ihdr = b->data + 8; /* length(4) "IHDR"(4) data(13) crc(4) */
    for (int i = 0; i < 4; i++) {
        ihdr[8 + i] = (uint8_t)(w >> (24 - 8 * i));
        ihdr[12 + i] = (uint8_t)(h >> (24 - 8 * i));
    }
    uint32_t crc = (uint32_t)crc32(0, ihdr + 4, 17);
    for (int i = 0; i < 4; i++) ihdr[21 + i] = (uint8_t)(crc >> (24 - 8 * i));
}

START_TEST(test_png_corrupt_truncated_huge)
{
    ck_assert_ptr_nonnull(testdir_make("png-bad"));
    uint8_t pix[64 * 64 * 3];
    for (size_t i = 0; i < sizeof pix; i++) pix[i] = (uint8_t)(i * 7);
    write_png(testdir_path("ok.png"), 64, 64, PNG_COLOR_TYPE_RGB, 8, pix, NULL, 0);
    bytes b = read_all(testdir_path("ok.png"));
    dsml_image img = {0};
    ck_assert_int_eq(dsml_image_decode(&img, b.data, b.size, 3, "ok.png"), 0);
    ck_assert_int_eq(px(&img, 0, 0, 1), 21);
    decode_fails(b.data, b.size / 2, "half.png", "corrupt PNG");
    b.data[b.size / 2] ^= 0x55; /* inside IDAT: CRC or zlib error */
    decode_fails(b.data, b.size, "flipped.png", "corrupt PNG");
    b.data[b.size / 2] ^= 0x55;
    png_set_size(&b, 20000, 20000);
    decode_fails(b.data, b.size, "huge.png", "megapixels");
    decode_fails("hello world", 11, "readme.txt", "not a JPEG or PNG");
    dsml_image_free(&img);
    free(b.data);
    testdir_done(1);
}
END_TEST

/* ----------------------------------------------------------------- JPEG */

START_TEST(test_jpeg_gray_rgb)
{
    ck_assert_ptr_nonnull(testdir_make("jpeg"));
    uint8_t gray[16 * 16], rgb[16 * 16 * 3];
    for (int r = 0; r < 16; r++)
        for (int c = 0; c < 16; c++) {
            gray[r * 16 + c] = (uint8_t)(r < 8 ? 40 : 200);
            const uint8_t *color = c < 8 ? (const uint8_t[]){250, 20, 30} : (const uint8_t[]){10, 60, 220};
            memcpy(rgb + (r * 16 + c) * 3, color, 3);
        }
    write_jpeg(testdir_path("g.jpg"), 16, 16, JCS_GRAYSCALE, JCS_GRAYSCALE, gray);
    write_jpeg(testdir_path("c.jpg"), 16, 16, JCS_RGB, JCS_YCbCr, rgb);
    dsml_image img = {0};
    decode_file(&img, testdir_path("g.jpg"), 3);
    for (int r = 0; r < 16; r++)
        for (int c = 0; c < 16; c++)
            for (int k = 0; k < 3; k++) ck_assert_int_le(abs(px(&img, k, r, c) - gray[r * 16 + c]), 2);
    decode_file(&img, testdir_path("c.jpg"), 3);
    ck_assert_int_eq(img.width, 16);
    for (int r = 0; r < 16; r++)
        for (int c = 0; c < 16; c++)
            for (int k = 0; k < 3; k++) ck_assert_int_le(abs(px(&img, k, r, c) - rgb[(r * 16 + c) * 3 + k]), 4);
    decode_file(&img, testdir_path("c.jpg"), 1); /* 0.299*250 + 0.587*20 + 0.114*30 = 89.8 */
    ck_assert_int_le(abs(img.pixels[3 * 16 + 3] - 90), 4);
    dsml_image_free(&img);
    testdir_done(1);
}
END_TEST

START_TEST(test_jpeg_cmyk_and_ycck)
{
    ck_assert_ptr_nonnull(testdir_make("jpeg-cmyk"));
    /* Stored with Adobe's inverted convention (libjpeg writes an Adobe
     * marker): R = C * K / 255 on the stored values. */
    uint8_t cmyk[16 * 16 * 4];
    for (int r = 0; r < 16; r++)
        for (int c = 0; c < 16; c++) {
            const uint8_t *v = c < 8 ? (const uint8_t[]){255, 128, 0, 255} : (const uint8_t[]){255, 255, 255, 128};
            memcpy(cmyk + (r * 16 + c) * 4, v, 4);
        }
    write_jpeg(testdir_path("cmyk.jpg"), 16, 16, JCS_CMYK, JCS_CMYK, cmyk);
    write_jpeg(testdir_path("ycck.jpg"), 16, 16, JCS_CMYK, JCS_YCCK, cmyk);
    const char *files[2] = {"cmyk.jpg", "ycck.jpg"};
    for (int f = 0; f < 2; f++) {
        dsml_image img = {0};
        decode_file(&img, testdir_path(files[f]), 3);
        for (int r = 0; r < 16; r++) {
            ck_assert_int_le(abs(px(&img, 0, r, 2) - 255), 4);
            ck_assert_int_le(abs(px(&img, 1, r, 2) - 128), 4);
            ck_assert_int_le(abs(px(&img, 2, r, 2) - 0), 4);
            for (int k = 0; k < 3; k++) ck_assert_int_le(abs(px(&img, k, r, 12) - 128), 4);
        }
        dsml_image_free(&img);
    }
    testdir_done(1);
}
END_TEST

START_TEST(test_jpeg_truncated_corrupt_huge)
{
    ck_assert_ptr_nonnull(testdir_make("jpeg-bad"));
    uint8_t rgb[32 * 32 * 3];
    for (size_t i = 0; i < sizeof rgb; i++) rgb[i] = (uint8_t)(i * 13 + (i >> 5));
    write_jpeg(testdir_path("c.jpg"), 32, 32, JCS_RGB, JCS_YCbCr, rgb);
    bytes b = read_all(testdir_path("c.jpg"));
    dsml_image img = {0};
    ck_assert_int_eq(dsml_image_decode(&img, b.data, b.size, 3, "c.jpg"), 0);
    decode_fails(b.data, b.size * 2 / 3, "cut.jpg", "corrupt JPEG");
    decode_fails(b.data, 40, "header-only.jpg", "corrupt JPEG");
    const uint8_t junk[16] = {0xff, 0xd8, 0xff, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    decode_fails(junk, sizeof junk, "junk.jpg", "corrupt JPEG");
    /* SOF0 declaring 60000 x 60000 */
    size_t i = 2;
    while (i + 9 < b.size && !(b.data[i] == 0xff && b.data[i + 1] == 0xc0)) i++;
    ck_assert_uint_lt(i + 9, b.size);
    b.data[i + 5] = 60000 >> 8; b.data[i + 6] = 60000 & 0xff;
    b.data[i + 7] = 60000 >> 8; b.data[i + 8] = 60000 & 0xff;
    decode_fails(b.data, b.size, "huge.jpg", "megapixels");
    dsml_image_free(&img);
    free(b.data);
    testdir_done(1);
}
END_TEST

/* --------------------------------------------------------------- resize */

START_TEST(test_resize_hand_cases)
{
    dsml_resize_work work = {0};
    /* 4x4 -> 2x2: mean of each 2x2 block (ties round up) */
    const uint8_t a[16] = {0, 2, 10, 20, 4, 6, 30, 40, 100, 100, 1, 2, 100, 101, 3, 4};
    uint8_t out[16];
    ck_assert_int_eq(dsml_resize(a, 1, 4, 4, out, 2, 2, &work), 0);
    ck_assert_int_eq(out[0], 3);   /* (0+2+4+6)/4 */
    ck_assert_int_eq(out[1], 25);  /* (10+20+30+40)/4 */
    ck_assert_int_eq(out[2], 100); /* 100.25 */
    ck_assert_int_eq(out[3], 3);   /* 2.5 rounds up */
    /* 2x4 -> 2x2: same scale, centre columns 1 and 2 */
    const uint8_t b[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    ck_assert_int_eq(dsml_resize(b, 1, 2, 4, out, 2, 2, &work), 0);
    ck_assert_int_eq(out[0], 2);
    ck_assert_int_eq(out[1], 3);
    ck_assert_int_eq(out[2], 6);
    ck_assert_int_eq(out[3], 7);
    /* 3x3 -> 2x2 area with partial pixels: [0 90 180] -> [30 150] */
    const uint8_t c[9] = {0, 90, 180, 0, 90, 180, 0, 90, 180};
    ck_assert_int_eq(dsml_resize(c, 1, 3, 3, out, 2, 2, &work), 0);
    ck_assert_int_eq(out[0], 30);
    ck_assert_int_eq(out[1], 150);
    ck_assert_int_eq(out[2], 30);
    ck_assert_int_eq(out[3], 150);
    /* 1x2 -> 2x4 bilinear, centres aligned, edges clamped: 0 25 75 100 */
    const uint8_t d[2] = {0, 100};
    ck_assert_int_eq(dsml_resize(d, 1, 1, 2, out, 2, 4, &work), 0);
    const int want[4] = {0, 25, 75, 100};
    for (int i = 0; i < 8; i++) ck_assert_int_eq(out[i], want[i % 4]);
    /* two channels resized independently */
    const uint8_t e[8] = {10, 10, 10, 10, 200, 200, 200, 200};
    ck_assert_int_eq(dsml_resize(e, 2, 2, 2, out, 1, 1, &work), 0);
    ck_assert_int_eq(out[0], 10);
    ck_assert_int_eq(out[1], 200);
    int sh, sw;
    dsml_resize_scaled_size(100, 200, 50, 50, &sh, &sw);
    ck_assert_int_eq(sh, 50);
    ck_assert_int_eq(sw, 100);
    dsml_resize_scaled_size(5, 3, 2, 2, &sh, &sw); /* 5 * 2 / 3 = 3.33 */
    ck_assert_int_eq(sh, 3);
    ck_assert_int_eq(sw, 2);
    dsml_resize_scaled_size(10, 10, 4, 8, &sh, &sw); /* wide target: width decides */
    ck_assert_int_eq(sh, 8);
    ck_assert_int_eq(sw, 8);
    ck_assert_int_eq(dsml_resize(e, 1, 0, 2, out, 1, 1, &work), DSML_ERR_ARG);
    dsml_resize_work_free(&work);
}
END_TEST

/* ---------------------------------------------------------- imagefolder */

/* The tree: every image an 8x8 solid gray PNG of a distinct value. */
static const struct {
    const char *path;
    int value; /* gray value; -1: not an image; -2: corrupt PNG */
} tree[] = {
    {"README", -1},
    {"train/.DS_Store", -1},
    {"train/alpha/a2/img2.png", 60},
    {"train/alpha/a1/img1.png", 40},
    {"train/alpha/a1/notes.txt", -1},
    {"train/beta/b1/x.png", 80},
    {"test/alpha/a1/img3.png", 20},
};
#define TREE_N (int)(sizeof tree / sizeof tree[0])

static void make_dirs_for(const char *root, const char *rel)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
}

static void write_tree_file(const char *root, const char *rel, int value)
{
    make_dirs_for(root, rel);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    if (value == -1) {
        write_all(path, "not an image\n", 13);
    } else {
        uint8_t g[64];
        memset(g, value < 0 ? 0 : value, sizeof g);
        write_png(path, 8, 8, PNG_COLOR_TYPE_GRAY, 8, g, NULL, 0);
        if (value == -2) {
            bytes b = read_all(path);
            write_all(path, b.data, b.size - 20); /* truncated */
            free(b.data);
        }
    }
}

static void make_tree(const char *root)
{
    mkdir(root, 0755);
    for (int i = 0; i < TREE_N; i++) write_tree_file(root, tree[i].path, tree[i].value);
}

static dsml_imagefolder_options options(int split_dirs)
{
    dsml_imagefolder_options o = {0};
    o.channels = 1;
    o.height = 4;
    o.width = 4;
    o.split_dirs = split_dirs;
    o.name = "tree";
    return o;
}

/* Every image of ds is solid `value`. */
static void check_image(const dsml_dataset *ds, int i, int value)
{
    size_t bytes_per = dsml_dataset_image_bytes(ds);
    for (size_t j = 0; j < bytes_per; j++) ck_assert_int_eq(ds->pixels[i * bytes_per + j], value);
}

START_TEST(test_imagefolder_nested_classes_and_splits)
{
    const char *dir = testdir_make("imagefolder");
    ck_assert_ptr_nonnull(dir);
    char root[4096];
    snprintf(root, sizeof root, "%s/tree", dir);
    make_tree(root);
    dsml_dataset ds;
    dsml_imagefolder_info info;
    dsml_imagefolder_options o = options(0);
    int rc = dsml_imagefolder_read(&ds, root, &o, NULL, &info);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    ck_assert_str_eq(ds.name, "tree");
    ck_assert_int_eq(ds.n, 4);
    ck_assert_int_eq(ds.channels, 1);
    ck_assert_int_eq(ds.height, 4);
    ck_assert_int_eq(info.n_ignored, 3);
    ck_assert_int_eq(info.n_skipped, 0);
    ck_assert_int_eq(info.n_splits, 0);
    /* without split_dirs the split level is part of the class */
    ck_assert_int_eq(ds.n_classes, 4);
    ck_assert_str_eq(ds.class_names[0], "test/alpha/a1");
    ck_assert_str_eq(ds.class_names[3], "train/beta/b1");
    dsml_dataset_free(&ds);
    dsml_imagefolder_info_free(&info);

    o = options(1);
    rc = dsml_imagefolder_read(&ds, root, &o, NULL, &info);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    ck_assert_int_eq(ds.n_classes, 3);
    ck_assert_str_eq(ds.class_names[0], "alpha/a1");
    ck_assert_str_eq(ds.class_names[1], "alpha/a2");
    ck_assert_str_eq(ds.class_names[2], "beta/b1");
    ck_assert_int_eq(info.n_splits, 2);
    ck_assert_str_eq(info.split_names[0], "test");
    ck_assert_str_eq(info.split_names[1], "train");
    /* images by path: test/alpha/a1/img3, train/alpha/a1/img1, train/alpha/a2/img2, train/beta/b1/x */
    const int labels[4] = {0, 0, 1, 2}, splits[4] = {0, 1, 1, 1}, values[4] = {20, 40, 60, 80};
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(ds.labels[i], labels[i]);
        ck_assert_int_eq(info.split[i], splits[i]);
        check_image(&ds, i, values[i]);
    }
    char hex[65];
    dsml_dataset_content_sha256(&ds, hex);
    ck_assert_str_eq(ds.content_sha256, hex);
    ck_assert(dsml_sha256_is_hex(ds.source_sha256));
    dsml_dataset_free(&ds);
    dsml_imagefolder_info_free(&info);

    /* three channels: gray replicated */
    o.channels = 3;
    ck_assert_int_eq(dsml_imagefolder_read(&ds, root, &o, NULL, NULL), 0);
    ck_assert_int_eq(ds.channels, 3);
    check_image(&ds, 3, 80);
    dsml_dataset_free(&ds);
    testdir_done(1);
}
END_TEST

START_TEST(test_imagefolder_folder_source_hash)
{
    const char *dir = testdir_make("imagefolder-hash");
    ck_assert_ptr_nonnull(dir);
    write_tree_file(dir, "c/b.png", 7);
    write_tree_file(dir, "README", -1);
    char hex_png[65], hex_readme[65], want[65], line[512];
    ck_assert_int_eq(dsml_sha256_file(testdir_path("c/b.png"), hex_png), 0);
    ck_assert_int_eq(dsml_sha256_file(testdir_path("README"), hex_readme), 0);
    struct stat st;
    ck_assert_int_eq(stat(testdir_path("c/b.png"), &st), 0);
    dsml_sha256 h;
    dsml_sha256_init(&h);
    snprintf(line, sizeof line, "%s 13 README\n", hex_readme);
    dsml_sha256_update(&h, line, strlen(line));
    snprintf(line, sizeof line, "%s %lld c/b.png\n", hex_png, (long long)st.st_size);
    dsml_sha256_update(&h, line, strlen(line));
    dsml_sha256_final_hex(&h, want);
    dsml_dataset ds;
    dsml_imagefolder_options o = options(0);
    ck_assert_int_eq(dsml_imagefolder_read(&ds, dir, &o, NULL, NULL), 0);
    ck_assert_str_eq(ds.source_sha256, want);
    ck_assert_str_eq(ds.class_names[0], "c");
    dsml_dataset_free(&ds);
    testdir_done(1);
}
END_TEST

START_TEST(test_imagefolder_bad_images)
{
    const char *dir = testdir_make("imagefolder-bad");
    ck_assert_ptr_nonnull(dir);
    char root[4096];
    snprintf(root, sizeof root, "%s/tree", dir);
    make_tree(root);
    write_tree_file(root, "train/beta/b1/bad.png", -2);
    dsml_dataset ds;
    dsml_imagefolder_info info;
    dsml_imagefolder_options o = options(1);
    ck_assert_int_eq(dsml_imagefolder_read(&ds, root, &o, NULL, &info), DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "train/beta/b1/bad.png"), "%s", dsml_last_error());
    ck_assert_int_eq(ds.n, 0);
    ck_assert_ptr_null(ds.pixels);

    o.skip_bad = 1;
    FILE *log = tmpfile();
    ck_assert_ptr_nonnull(log);
    int rc = dsml_imagefolder_read(&ds, root, &o, log, &info);
    ck_assert_msg(rc == 0, "%s", dsml_last_error());
    ck_assert_int_eq(ds.n, 4);
    ck_assert_int_eq(info.n_skipped, 1);
    ck_assert_str_eq(info.skipped[0], "train/beta/b1/bad.png");
    char text[1024] = "";
    rewind(log);
    size_t got = fread(text, 1, sizeof text - 1, log);
    text[got] = '\0';
    fclose(log);
    ck_assert_msg(strstr(text, "bad.png"), "log: %s", text);
    dsml_dataset_free(&ds);
    dsml_imagefolder_info_free(&info);

    /* an image in the root folder */
    write_tree_file(root, "stray.png", 9);
    ck_assert_int_eq(dsml_imagefolder_read(&ds, root, &o, NULL, NULL), DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "stray.png"), "%s", dsml_last_error());
    /* with split_dirs, an image right under a split folder has no class */
    remove(testdir_path("tree/stray.png"));
    write_tree_file(root, "test/loose.png", 9);
    ck_assert_int_eq(dsml_imagefolder_read(&ds, root, &o, NULL, NULL), DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "test/loose.png"), "%s", dsml_last_error());
    /* no images at all */
    ck_assert_int_eq(dsml_imagefolder_read(&ds, testdir_path("tree/train/alpha/a1/notes.txt"), &o, NULL, NULL),
                     DSML_ERR_FORMAT);
    o.channels = 2;
    ck_assert_int_eq(dsml_imagefolder_read(&ds, root, &o, NULL, NULL), DSML_ERR_ARG);
    testdir_done(1);
}
END_TEST

/* Writes an archive (format "gnutar" + gzip, or "zip") of the files under
 * root with the given member names; extra: one more member (name, size of
 * zeros) or NULL. */
static void write_archive(const char *path, int zip, const char *root, const char *extra_name, size_t extra_size)
{
    struct archive *a = archive_write_new();
    if (zip) {
        ck_assert_int_eq(archive_write_set_format_zip(a), ARCHIVE_OK);
    } else {
        ck_assert_int_eq(archive_write_set_format_gnutar(a), ARCHIVE_OK);
        ck_assert_int_eq(archive_write_add_filter_gzip(a), ARCHIVE_OK);
    }
    ck_assert_int_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
    struct archive_entry *e = archive_entry_new();
    for (int i = root ? TREE_N - 1 : -1; i >= -1; i--) { /* reverse order: the reader must sort */
        bytes b = {0};
        const char *name = extra_name;
        if (i >= 0) {
            char full[4096];
            snprintf(full, sizeof full, "%s/%s", root, tree[i].path);
            b = read_all(full);
            name = tree[i].path;
        } else if (!extra_name) {
            break;
        } else {
            b.size = extra_size;
            b.data = calloc(1, extra_size + 1);
        }
        archive_entry_clear(e);
        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, (la_int64_t)b.size);
        ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
        ck_assert_int_eq(archive_write_data(a, b.data, b.size), (la_ssize_t)b.size);
        free(b.data);
    }
    archive_entry_free(e);
    ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

START_TEST(test_imagefolder_archives_match_folder)
{
    const char *dir = testdir_make("imagefolder-archive");
    ck_assert_ptr_nonnull(dir);
    char root[4096], tgz[4096], zip[4096];
    snprintf(root, sizeof root, "%s/tree", dir);
    snprintf(tgz, sizeof tgz, "%s/tree.tar.gz", dir);
    snprintf(zip, sizeof zip, "%s/tree.zip", dir);
    make_tree(root);
    write_archive(tgz, 0, root, NULL, 0);
    write_archive(zip, 1, root, NULL, 0);
    dsml_imagefolder_options o = options(1);
    dsml_dataset folder, ds;
    dsml_imagefolder_info info;
    ck_assert_int_eq(dsml_imagefolder_read(&folder, root, &o, NULL, NULL), 0);
    const char *archives[2] = {tgz, zip};
    for (int k = 0; k < 2; k++) {
        int rc = dsml_imagefolder_read(&ds, archives[k], &o, NULL, &info);
        ck_assert_msg(rc == 0, "%s", dsml_last_error());
        ck_assert_str_eq(ds.content_sha256, folder.content_sha256);
        char hex[65];
        ck_assert_int_eq(dsml_sha256_file(archives[k], hex), 0);
        ck_assert_str_eq(ds.source_sha256, hex);
        ck_assert_int_eq(info.is_archive, 1);
        ck_assert_int_eq(info.n_ignored, 3);
        ck_assert_int_eq(info.n_splits, 2);
        ck_assert_int_eq(info.split[0], 0);
        ck_assert_int_eq(info.split[3], 1);
        ck_assert_str_eq(ds.class_names[2], "beta/b1");
        dsml_dataset_free(&ds);
        dsml_imagefolder_info_free(&info);
    }
    dsml_dataset_free(&folder);
    testdir_done(1);
}
END_TEST

START_TEST(test_imagefolder_archive_escape_and_bomb)
{
    const char *dir = testdir_make("imagefolder-evil");
    ck_assert_ptr_nonnull(dir);
    char root[4096], path[4096];
    snprintf(root, sizeof root, "%s/tree", dir);
    make_tree(root);
    dsml_imagefolder_options o = options(1);
    dsml_dataset ds;
    for (int zip = 0; zip < 2; zip++) {
        snprintf(path, sizeof path, "%s/escape.%s", dir, zip ? "zip" : "tar.gz");
        write_archive(path, zip, root, "train/../../evil.png", 10);
        ck_assert_int_eq(dsml_imagefolder_read(&ds, path, &o, NULL, NULL), DSML_ERR_FORMAT);
        ck_assert_msg(strstr(dsml_last_error(), "evil.png") && strstr(dsml_last_error(), ".."), "%s",
                      dsml_last_error());
        snprintf(path, sizeof path, "%s/bomb.%s", dir, zip ? "zip" : "tar.gz");
        write_archive(path, zip, root, "train/alpha/zeros.bin", 3 << 20);
        struct stat st;
        ck_assert_int_eq(stat(path, &st), 0);
        ck_assert_int_lt(st.st_size, 100000); /* small on disk */
        o.max_total_bytes = 1 << 20;
        ck_assert_int_eq(dsml_imagefolder_read(&ds, path, &o, NULL, NULL), DSML_ERR_FORMAT);
        ck_assert_msg(strstr(dsml_last_error(), "decompression bomb"), "%s", dsml_last_error());
        o.max_total_bytes = 0; /* the default allows it: the zeros are ignored */
        int rc = dsml_imagefolder_read(&ds, path, &o, NULL, NULL);
        ck_assert_msg(rc == 0, "%s", dsml_last_error());
        ck_assert_int_eq(ds.n, 4);
        dsml_dataset_free(&ds);
    }
    /* not an archive at all */
    write_all(testdir_path("junk.tar.gz"), "plain text, not an archive", 26);
    ck_assert_int_eq(dsml_imagefolder_read(&ds, testdir_path("junk.tar.gz"), &o, NULL, NULL), DSML_ERR_FORMAT);
    ck_assert_msg(strstr(dsml_last_error(), "junk.tar.gz"), "%s", dsml_last_error());
    testdir_done(1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("image");
    TCase *tc = tcase_create("image");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_png_gray_and_gray_alpha);
    tcase_add_test(tc, test_png_palette_rgb16_rgba);
    tcase_add_test(tc, test_png_corrupt_truncated_huge);
    tcase_add_test(tc, test_jpeg_gray_rgb);
    tcase_add_test(tc, test_jpeg_cmyk_and_ycck);
    tcase_add_test(tc, test_jpeg_truncated_corrupt_huge);
    tcase_add_test(tc, test_resize_hand_cases);
    tcase_add_test(tc, test_imagefolder_nested_classes_and_splits);
    tcase_add_test(tc, test_imagefolder_folder_source_hash);
    tcase_add_test(tc, test_imagefolder_bad_images);
    tcase_add_test(tc, test_imagefolder_archives_match_folder);
    tcase_add_test(tc, test_imagefolder_archive_escape_and_bomb);
    suite_add_tcase(s, tc);
    return suite_run(s);
}
