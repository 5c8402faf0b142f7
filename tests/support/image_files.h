/* Small images for tests: PNG (libpng) in memory or on disk, JPEG (libjpeg)
 * on disk, and a corrupt PNG. */
#ifndef DSML_TESTS_IMAGE_FILES_H
#define DSML_TESTS_IMAGE_FILES_H

#include <stdio.h> /* jpeglib.h needs FILE */
#include <jpeglib.h>
#include <png.h>

#include "files.h"

/* A PNG of w x h of the given type; `pixels` interleaved, rows of
 * w x channels samples of bit_depth bits (16-bit samples as uint16_t,
 * written big-endian); palette for PNG_COLOR_TYPE_PALETTE, else NULL. */
bytes png_encode(int w, int h, int color_type, int bit_depth, const void *pixels, const png_color *palette,
                 int n_palette);
void png_write(const char *path, int w, int h, int color_type, int bit_depth, const void *pixels,
               const png_color *palette, int n_palette);

/* An RGB PNG of w x h (each <= 64), every pixel (r, g, b); png_gray: (v, v, v). */
bytes png_solid(int w, int h, int r, int g, int b);
bytes png_gray(int w, int h, int v);

/* A PNG signature and a truncated IHDR: a corrupt image. */
void png_write_corrupt(const char *path);

/* A JPEG, quality 100, no chroma subsampling. in_space: JCS_GRAYSCALE,
 * JCS_RGB or JCS_CMYK; jpeg_space: the colour space stored (JCS_YCCK for
 * CMYK input gives a YCCK file). */
void jpeg_write(const char *path, int w, int h, J_COLOR_SPACE in_space, J_COLOR_SPACE jpeg_space,
                const uint8_t *pixels);

#endif
