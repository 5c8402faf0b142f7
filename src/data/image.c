/* JPEG and PNG decoding from memory into planar CHW uint8; see image.h.
 * Both libraries report errors through longjmp to a handler set here, so a
 * corrupt file returns an error and nothing is printed. */
#include "data/image.h"
#include "core/error.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

typedef enum { PIX_GRAY, PIX_GRAY_ALPHA, PIX_RGB, PIX_RGBA, PIX_CMYK, PIX_CMYK_INVERTED } pixel_kind;

dsml_image_format dsml_image_sniff(const void *data, size_t size)
{
    static const uint8_t png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    const uint8_t *p = data;
    if (size >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff) return DSML_IMAGE_JPEG;
    if (size >= 8 && memcmp(p, png_magic, 8) == 0) return DSML_IMAGE_PNG;
    return DSML_IMAGE_NONE;
}

void dsml_image_free(dsml_image *img)
{
    if (!img) return;
    free(img->pixels);
    free(img->scratch);
    memset(img, 0, sizeof *img);
}

/* Grows *buf to at least `size` bytes. */
static int ensure(uint8_t **buf, size_t *capacity, size_t size, const char *name)
{
    if (size <= *capacity) return DSML_OK;
    uint8_t *p = realloc(*buf, size);
    if (!p) return dsml_fail(DSML_ERR_NOMEM, "%s: cannot allocate %zu bytes for the decoded image", name, size);
    *buf = p;
    *capacity = size;
    return DSML_OK;
}

static int check_size(long long width, long long height, const char *name, const char *format)
{
    if (width < 1 || height < 1)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %s of %lldx%lld pixels, expected a positive size", name, format,
                         width, height);
    if (width * height > DSML_IMAGE_MAX_PIXELS)
        return dsml_fail(DSML_ERR_FORMAT, "%s: %s of %lldx%lld pixels, more than the limit of %lld megapixels",
                         name, format, width, height, DSML_IMAGE_MAX_PIXELS / 1000000);
    return DSML_OK;
}

static inline uint8_t mul255(unsigned a, unsigned b) { return (uint8_t)((a * b + 127) / 255); }

/* ITU-R BT.601 luma with weights scaled to 2^16 (19595 + 38470 + 7471 = 65536). */
static inline uint8_t luma(unsigned r, unsigned g, unsigned b)
{
    return (uint8_t)((19595 * r + 38470 * g + 7471 * b + 32768) >> 16);
}

/* Interleaved `src` of the given kind into img->pixels, planar, `channels` channels. */
static void to_planar(dsml_image *img, const uint8_t *src, int width, int height, pixel_kind kind, int channels)
{
    size_t plane = (size_t)width * height;
    uint8_t *out = img->pixels;
    for (size_t i = 0; i < plane; i++) {
        unsigned r, g, b;
        const uint8_t *p;
        switch (kind) {
        case PIX_GRAY: r = g = b = src[i]; break;
        case PIX_GRAY_ALPHA: p = src + 2 * i; r = g = b = mul255(p[0], p[1]); break;
        case PIX_RGB: p = src + 3 * i; r = p[0]; g = p[1]; b = p[2]; break;
        case PIX_RGBA:
            p = src + 4 * i;
            r = mul255(p[0], p[3]); g = mul255(p[1], p[3]); b = mul255(p[2], p[3]);
            break;
        case PIX_CMYK_INVERTED:
            p = src + 4 * i;
            r = mul255(p[0], p[3]); g = mul255(p[1], p[3]); b = mul255(p[2], p[3]);
            break;
        default: /* PIX_CMYK */
            p = src + 4 * i;
            r = mul255(255u - p[0], 255u - p[3]); g = mul255(255u - p[1], 255u - p[3]);
            b = mul255(255u - p[2], 255u - p[3]);
            break;
        }
        if (channels == 1) {
            /* gray sources stay exact: luma(v, v, v) == v */
            out[i] = (kind == PIX_GRAY || kind == PIX_GRAY_ALPHA) ? (uint8_t)r : luma(r, g, b);
        } else {
            out[i] = (uint8_t)r;
            out[plane + i] = (uint8_t)g;
            out[2 * plane + i] = (uint8_t)b;
        }
    }
    img->width = width;
    img->height = height;
    img->channels = channels;
}

/* ------------------------------------------------------------------ JPEG */

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} jpeg_failure;

static void jpeg_on_error(j_common_ptr cinfo)
{
    jpeg_failure *f = (jpeg_failure *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, f->message);
    longjmp(f->jump, 1);
}

/* Warnings are quiet, except a premature end of data: libjpeg would fill
 * the rest of a truncated file with gray, which we refuse. */
static void jpeg_on_message(j_common_ptr cinfo, int level)
{
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) jpeg_on_error(cinfo);
}

static void jpeg_quiet(j_common_ptr cinfo) { (void)cinfo; }

static int decode_jpeg(dsml_image *img, const uint8_t *data, size_t size, int channels, const char *name)
{
    struct jpeg_decompress_struct cinfo;
    jpeg_failure fail;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&fail.pub);
    fail.pub.error_exit = jpeg_on_error;
    fail.pub.emit_message = jpeg_on_message;
    fail.pub.output_message = jpeg_quiet;
    fail.message[0] = '\0';
    if (setjmp(fail.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return dsml_fail(DSML_ERR_FORMAT, "%s: corrupt JPEG: %s", name, fail.message);
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    int rc = check_size(cinfo.image_width, cinfo.image_height, name, "JPEG");
    if (rc) {
        jpeg_destroy_decompress(&cinfo);
        return rc;
    }
    pixel_kind kind;
    switch (cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE: cinfo.out_color_space = JCS_GRAYSCALE; kind = PIX_GRAY; break;
    case JCS_CMYK:
    case JCS_YCCK: cinfo.out_color_space = JCS_CMYK; kind = PIX_CMYK; break;
    default: cinfo.out_color_space = JCS_RGB; kind = PIX_RGB; break;
    }
    jpeg_start_decompress(&cinfo);
    int width = (int)cinfo.output_width, height = (int)cinfo.output_height, comps = cinfo.output_components;
    size_t row_bytes = (size_t)width * comps;
    if (ensure(&img->scratch, &img->scratch_capacity, row_bytes * height, name) ||
        ensure(&img->pixels, &img->capacity, (size_t)channels * width * height, name)) {
        jpeg_destroy_decompress(&cinfo);
        return DSML_ERR_NOMEM;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = img->scratch + row_bytes * cinfo.output_scanline;
        if (jpeg_read_scanlines(&cinfo, &row, 1) != 1) {
            jpeg_destroy_decompress(&cinfo);
            return dsml_fail(DSML_ERR_FORMAT, "%s: corrupt JPEG: no data for row %d of %d", name,
                             (int)cinfo.output_scanline, height);
        }
    }
    if (kind == PIX_CMYK && cinfo.saw_Adobe_marker) kind = PIX_CMYK_INVERTED;
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    to_planar(img, img->scratch, width, height, kind, channels);
    return DSML_OK;
}

/* ------------------------------------------------------------------- PNG */

typedef struct {
    const uint8_t *data;
    size_t size, pos;
    char message[256];
} png_job;

static void png_read_memory(png_structp png, png_bytep out, size_t n)
{
    png_job *job = png_get_io_ptr(png);
    if (n > job->size - job->pos) png_error(png, "file truncated");
    memcpy(out, job->data + job->pos, n);
    job->pos += n;
}

static void png_on_error(png_structp png, png_const_charp message)
{
    png_job *job = png_get_error_ptr(png);
    snprintf(job->message, sizeof job->message, "%s", message);
    png_longjmp(png, 1);
}

static void png_on_warning(png_structp png, png_const_charp message) { (void)png; (void)message; }

static int decode_png(dsml_image *img, const uint8_t *data, size_t size, int channels, const char *name)
{
    png_job job = {data, size, 0, ""};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &job, png_on_error, png_on_warning);
    if (!png) return dsml_fail(DSML_ERR_NOMEM, "%s: cannot allocate a PNG reader", name);
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        return dsml_fail(DSML_ERR_NOMEM, "%s: cannot allocate a PNG reader", name);
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        return dsml_fail(DSML_ERR_FORMAT, "%s: corrupt PNG: %s", name, job.message);
    }
    png_set_read_fn(png, &job, png_read_memory);
    png_read_info(png, info);
    int rc = check_size(png_get_image_width(png, info), png_get_image_height(png, info), name, "PNG");
    if (rc) {
        png_destroy_read_struct(&png, &info, NULL);
        return rc;
    }
    png_set_expand(png);   /* palette -> RGB, gray < 8 bits -> 8 bits, tRNS -> alpha */
    png_set_scale_16(png); /* 16 -> 8 bits, rounded */
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    int width = (int)png_get_image_width(png, info), height = (int)png_get_image_height(png, info);
    int comps = png_get_channels(png, info);
    size_t row_bytes = png_get_rowbytes(png, info);
    pixel_kind kind = comps == 1 ? PIX_GRAY : comps == 2 ? PIX_GRAY_ALPHA : comps == 3 ? PIX_RGB : PIX_RGBA;
    if (png_get_bit_depth(png, info) != 8 || comps < 1 || comps > 4 || row_bytes != (size_t)width * comps) {
        png_destroy_read_struct(&png, &info, NULL);
        return dsml_fail(DSML_ERR_FORMAT, "%s: PNG with an unsupported pixel layout (%d channels, %zu bytes a row)",
                         name, comps, row_bytes);
    }
    if (ensure(&img->scratch, &img->scratch_capacity, row_bytes * height, name) ||
        ensure(&img->pixels, &img->capacity, (size_t)channels * width * height, name)) {
        png_destroy_read_struct(&png, &info, NULL);
        return DSML_ERR_NOMEM;
    }
    for (int pass = 0; pass < passes; pass++)
        for (int y = 0; y < height; y++) png_read_row(png, img->scratch + row_bytes * y, NULL);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    to_planar(img, img->scratch, width, height, kind, channels);
    return DSML_OK;
}

int dsml_image_decode(dsml_image *img, const void *data, size_t size, int channels, const char *name)
{
    img->width = img->height = img->channels = 0;
    if (channels != 1 && channels != 3)
        return dsml_fail(DSML_ERR_ARG, "%s: %d channels requested, expected 1 or 3", name, channels);
    switch (dsml_image_sniff(data, size)) {
    case DSML_IMAGE_JPEG: return decode_jpeg(img, data, size, channels, name);
    case DSML_IMAGE_PNG: return decode_png(img, data, size, channels, name);
    default: return dsml_fail(DSML_ERR_FORMAT, "%s: not a JPEG or PNG image (unknown magic bytes)", name);
    }
}
