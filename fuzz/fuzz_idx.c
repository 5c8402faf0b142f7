/* Fuzzes the IDX reader (src/data/idx.c): the input is one file, plain or
 * gzip'd (zlib reads both), offered to the image reader and the label reader
 * (each refuses the other's magic). */
#include <stdlib.h>

#include "data/idx.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file("input-idx-ubyte", data, size);
    uint8_t *pixels = NULL, *labels = NULL;
    int n = 0, rows = 0, cols = 0;
    fuzz_begin();
    if (!fuzz_status(dsml_idx_read_images(path, &pixels, &n, &rows, &cols))) {
        fuzz_expect(pixels && n >= 0 && rows > 0 && cols > 0, "images read with a size");
        volatile uint8_t last = n ? pixels[(size_t)n * rows * cols - 1] : 0; /* every pixel is there */
        (void)last;
        free(pixels);
    }
    fuzz_begin();
    if (!fuzz_status(dsml_idx_read_labels(path, &labels, &n))) {
        volatile uint8_t last = n ? labels[n - 1] : 0;
        (void)last;
        free(labels);
    }
    return 0;
}
