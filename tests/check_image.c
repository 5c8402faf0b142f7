/* Tests of image decoding (src/data/image.c: PNG and JPEG of every colour
 * type into 1 or 3 channels; corrupt, truncated and huge images refused)
 * and of resizing (src/data/resize.c: hand-computed cases), on images
 * written by libpng and libjpeg (tests/support/image_files.h). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/error.h"
#include "data/image.h"
#include "data/resize.h"
#include "support/files.h"
#include "support/image_files.h"
#include "support/suite_run.h"
#include "support/testdir.h"

static void decode_file(dsml_image *img, const char *path, int channels)
{
    bytes b = file_read(path);
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

START_TEST(test_png_gray_and_gray_alpha)
{
    ck_assert_ptr_nonnull(testdir_make("png-gray"));
    const uint8_t gray[6] = {0, 10, 100, 200, 254, 255};
    png_write(testdir_path("g.png"), 3, 2, PNG_COLOR_TYPE_GRAY, 8, gray, NULL, 0);
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
    png_write(testdir_path("ga.png"), 2, 2, PNG_COLOR_TYPE_GRAY_ALPHA, 8, ga, NULL, 0);
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
    png_write(testdir_path("p.png"), 2, 2, PNG_COLOR_TYPE_PALETTE, 8, idx, pal, 3);
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
    png_write(testdir_path("rgb16.png"), 2, 1, PNG_COLOR_TYPE_RGB, 16, rgb16, NULL, 0);
    decode_file(&img, testdir_path("rgb16.png"), 3);
    ck_assert_int_eq(px(&img, 0, 0, 0), 255);
    ck_assert_int_eq(px(&img, 1, 0, 0), 0);
    ck_assert_int_eq(px(&img, 2, 0, 0), 128);
    ck_assert_int_eq(px(&img, 0, 0, 1), 4);   /* 1000/257 = 3.9 */
    ck_assert_int_eq(px(&img, 1, 0, 1), 253); /* 65000/257 = 252.9 */
    ck_assert_int_eq(px(&img, 2, 0, 1), 1);   /* 129/257 = 0.502 */

    /* RGBA composited over black */
    const uint8_t rgba[8] = {200, 100, 50, 128, 10, 20, 30, 255};
    png_write(testdir_path("rgba.png"), 2, 1, PNG_COLOR_TYPE_RGB_ALPHA, 8, rgba, NULL, 0);
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
    png_write(testdir_path("ok.png"), 64, 64, PNG_COLOR_TYPE_RGB, 8, pix, NULL, 0);
    bytes b = file_read(testdir_path("ok.png"));
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
    jpeg_write(testdir_path("g.jpg"), 16, 16, JCS_GRAYSCALE, JCS_GRAYSCALE, gray);
    jpeg_write(testdir_path("c.jpg"), 16, 16, JCS_RGB, JCS_YCbCr, rgb);
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
    jpeg_write(testdir_path("cmyk.jpg"), 16, 16, JCS_CMYK, JCS_CMYK, cmyk);
    jpeg_write(testdir_path("ycck.jpg"), 16, 16, JCS_CMYK, JCS_YCCK, cmyk);
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
    jpeg_write(testdir_path("c.jpg"), 32, 32, JCS_RGB, JCS_YCbCr, rgb);
    bytes b = file_read(testdir_path("c.jpg"));
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

int main(void)
{
    const suite_case cases[] = {
        {"png", 30, (const TTest *[]){test_png_gray_and_gray_alpha, test_png_palette_rgb16_rgba,
                                      test_png_corrupt_truncated_huge, NULL}},
        {"jpeg", 30, (const TTest *[]){test_jpeg_gray_rgb, test_jpeg_cmyk_and_ycck, test_jpeg_truncated_corrupt_huge,
                                       NULL}},
        {"resize", 30, (const TTest *[]){test_resize_hand_cases, NULL}},
    };
    return suite_run_cases("image", cases, SUITE_CASES(cases));
}
