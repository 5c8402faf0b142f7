/* Writes a folder of JPEG images for the imagefolder prepare benchmark:
 * N images of SIZE x SIZE RGB in 10 class folders (DIR/class<c>/<i>.jpg),
 * smooth colour gradients with noise so that they compress like photographs
 * rather than like pure noise. Encoded with libjpeg at quality 90. */
#include "bench_jobs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jpeglib.h>

#include "bench_common.h"
#include "core/rng.h"

static void write_jpeg(const char *path, const unsigned char *rgb, int size)
{
    FILE *fp = fopen(path, "wb");
    if (!fp) bench_fail("%s: %s", path, strerror(errno));
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr err;
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    jpeg_stdio_dest(&c, fp);
    c.image_width = (JDIMENSION)size;
    c.image_height = (JDIMENSION)size;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 90, TRUE);
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = (JSAMPROW)(rgb + (size_t)c.next_scanline * size * 3);
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    if (fclose(fp)) bench_fail("%s: %s", path, strerror(errno));
}

int bench_jpegs(const char *dir, int n, int size)
{
    if (n < 10 || size < 8 || size > 4096) bench_fail("jpegs: need N >= 10 and SIZE in 8..4096");
    dsml_rng rng;
    dsml_rng_seed(&rng, 9);
    unsigned char *rgb = bench_alloc((size_t)size * size * 3);
    char path[4096];
    for (int c = 0; c < 10; c++) {
        snprintf(path, sizeof path, "%s/class%d", dir, c);
        if (mkdir(path, 0777) && errno != EEXIST) bench_fail("%s: %s", path, strerror(errno));
    }
    for (int i = 0; i < n; i++) {
        float base[3], gx[3], gy[3];
        for (int k = 0; k < 3; k++) {
            base[k] = dsml_rng_uniform_range(&rng, 40, 215);
            gx[k] = dsml_rng_uniform_range(&rng, -40, 40) / size;
            gy[k] = dsml_rng_uniform_range(&rng, -40, 40) / size;
        }
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                for (int k = 0; k < 3; k++) {
                    float v = base[k] + gx[k] * x + gy[k] * y + dsml_rng_uniform_range(&rng, -12, 12);
                    rgb[((size_t)y * size + x) * 3 + k] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
                }
        snprintf(path, sizeof path, "%s/class%d/%05d.jpg", dir, i % 10, i);
        write_jpeg(path, rgb, size);
    }
    free(rgb);
    return 0;
}
