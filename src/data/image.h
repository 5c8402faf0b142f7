/* Decoding JPEG (libjpeg-turbo) and PNG (libpng) images from memory into
 * 8-bit planar CHW pixels with 1 or 3 channels.
 *
 * The format is found from the magic bytes, never from a file name.
 * Conversions (see docs/imagefolder.md):
 *   RGB -> gray   Y = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601), rounded;
 *   gray -> RGB   the gray value replicated in the three channels;
 *   alpha         composited over black: v * a / 255, rounded;
 *   16-bit        scaled to 8 bits: v * 255 / 65535, rounded;
 *   palette, gray of 1, 2 or 4 bits, tRNS: expanded to 8-bit gray or RGB(A);
 *   CMYK / YCCK JPEG: R = C K / 255 on the stored values when the file has an
 *                 Adobe marker (Adobe's inverted convention, what Photoshop
 *                 and libjpeg write), else R = (255 - C)(255 - K) / 255.
 * Images larger than DSML_IMAGE_MAX_PIXELS are refused before any pixel
 * buffer is allocated, so a crafted header cannot make us allocate gigabytes. */
#ifndef DSML_DATA_IMAGE_H
#define DSML_DATA_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define DSML_IMAGE_MAX_PIXELS 100000000LL /* width * height, 100 megapixels */

typedef enum {
    DSML_IMAGE_NONE = 0, /* neither a JPEG nor a PNG */
    DSML_IMAGE_JPEG,
    DSML_IMAGE_PNG
} dsml_image_format;

/* A decoded image and its reusable buffers. Zero-initialise it, pass it to
 * any number of dsml_image_decode calls (buffers grow, never shrink), release
 * with dsml_image_free. pixels: channels x height x width, owned. */
typedef struct {
    int width, height, channels;
    uint8_t *pixels;
    size_t capacity;          /* bytes allocated at pixels */
    uint8_t *scratch;         /* interleaved rows of the decoder, owned */
    size_t scratch_capacity;
} dsml_image;

/* The format of `data` from its first bytes. */
dsml_image_format dsml_image_sniff(const void *data, size_t size);

/* Decodes the JPEG or PNG in data[0..size) into img with `channels` (1 or 3)
 * channels. `name` (a file or archive member) only labels error messages.
 * Errors: DSML_ERR_FORMAT for a corrupt, truncated or unknown image (naming
 * `name` and what the decoder found), DSML_ERR_ARG for a bad `channels`,
 * DSML_ERR_NOMEM. On failure img keeps its buffers; its size fields are 0. */
int dsml_image_decode(dsml_image *img, const void *data, size_t size, int channels, const char *name);

void dsml_image_free(dsml_image *img);

#endif
