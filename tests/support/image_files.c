/* Small images for tests; see image_files.h. */
#include "image_files.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static void png_write_cb(png_structp png, png_bytep data, png_size_t size)
{
    bytes_add(png_get_io_ptr(png), data, size);
}

static void png_flush_cb(png_structp png) { (void)png; }

bytes png_encode(int w, int h, int color_type, int bit_depth, const void *pixels, const png_color *palette,
                 int n_palette)
{
    bytes b = {0};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    ck_assert(png && info);
    if (setjmp(png_jmpbuf(png))) ck_abort_msg("libpng could not write the test image");
    png_set_write_fn(png, &b, png_write_cb, png_flush_cb);
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
    return b;
}

void png_write(const char *path, int w, int h, int color_type, int bit_depth, const void *pixels,
               const png_color *palette, int n_palette)
{
    bytes b = png_encode(w, h, color_type, bit_depth, pixels, palette, n_palette);
    file_write(path, b.data, b.size);
    free(b.data);
}

bytes png_solid(int w, int h, int r, int g, int b)
{
    ck_assert(w <= 64 && h <= 64);
    png_byte rgb[3 * 64 * 64];
    for (int i = 0; i < w * h; i++) {
        rgb[3 * i] = (png_byte)r;
        rgb[3 * i + 1] = (png_byte)g;
        rgb[3 * i + 2] = (png_byte)b;
    }
    return png_encode(w, h, PNG_COLOR_TYPE_RGB, 8, rgb, NULL, 0);
}

bytes png_gray(int w, int h, int v) { return png_solid(w, h, v, v, v); }

void png_write_corrupt(const char *path)
{
    file_write(path, "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0", 18);
}

void jpeg_write(const char *path, int w, int h, J_COLOR_SPACE in_space, J_COLOR_SPACE jpeg_space,
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
