/* Writes the seeds fuzz/make_corpus.py cannot (it uses Python's standard
 * library only): JPEG images, through libjpeg, for fuzz_image, and
 * embeddings.bin files, through the library's own writer, for
 * fuzz_embeddings. `make fuzz-corpus` runs it after make_corpus.py, from the
 * repository root. */
#include <stdio.h>
#include <stdlib.h>

#include <jpeglib.h>

#include "core/error.h"
#include "results/embeddings.h"

/* A w x h JPEG with `in` components per pixel (1 gray, 3 RGB, 4 CMYK) of a
 * simple gradient; progressive when asked. */
static int write_jpeg(const char *path, int w, int h, int in, J_COLOR_SPACE space, int progressive, int quality)
{
    FILE *fp = fopen(path, "wb");
    if (!fp) return perror(path), 1;
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr err;
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    jpeg_stdio_dest(&c, fp);
    c.image_width = (JDIMENSION)w, c.image_height = (JDIMENSION)h;
    c.input_components = in, c.in_color_space = space;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, quality, TRUE);
    if (progressive) jpeg_simple_progression(&c);
    jpeg_start_compress(&c, TRUE);
    unsigned char row[64 * 4];
    while (c.next_scanline < c.image_height) {
        for (int x = 0; x < w * in; x++) row[x] = (unsigned char)(x * 17 + c.next_scanline * 29);
        JSAMPROW rows[1] = {row};
        jpeg_write_scanlines(&c, rows, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    return fclose(fp) != 0;
}

static int write_embeddings(const char *path, int d, int nq, int ndb)
{
    float q[64], db[64];
    int ql[16], qi[16], dl[16], di[16];
    for (int i = 0; i < nq * d; i++) q[i] = (float)i / 8;
    for (int i = 0; i < ndb * d; i++) db[i] = -(float)i / 4;
    for (int i = 0; i < 16; i++) ql[i] = dl[i] = i % 3, qi[i] = i, di[i] = 100 + i;
    if (dsml_embeddings_write(path, d, q, ql, qi, nq, db, dl, di, ndb)) {
        fprintf(stderr, "make_seeds: %s\n", dsml_last_error());
        return 1;
    }
    return 0;
}

int main(void)
{
    const char *dir = "fuzz/corpus/image";
    char path[256];
    int bad = 0;
    snprintf(path, sizeof path, "%s/gray.jpg", dir), bad |= write_jpeg(path, 5, 3, 1, JCS_GRAYSCALE, 0, 90);
    snprintf(path, sizeof path, "%s/rgb.jpg", dir), bad |= write_jpeg(path, 9, 7, 3, JCS_RGB, 0, 50);
    snprintf(path, sizeof path, "%s/progressive.jpg", dir), bad |= write_jpeg(path, 8, 8, 3, JCS_RGB, 1, 75);
    snprintf(path, sizeof path, "%s/cmyk.jpg", dir), bad |= write_jpeg(path, 4, 4, 4, JCS_CMYK, 0, 80);
    bad |= write_embeddings("fuzz/corpus/embeddings/small.bin", 4, 3, 5);
    bad |= write_embeddings("fuzz/corpus/embeddings/one.bin", 1, 1, 1);
    bad |= write_embeddings("fuzz/corpus/embeddings/no-database.bin", 2, 4, 0);
    return bad;
}
