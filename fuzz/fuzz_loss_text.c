/* Fuzzes the text readers of `dsml loss` (src/cli/text_io.c): the input is one
 * file, read as an embedding matrix and as a label list. */
#include <stdlib.h>

#include "cli/text_io.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file("input.txt", data, size);
    float *m = NULL;
    int *labels = NULL, rows = 0, cols = 0, n = 0;
    fuzz_begin();
    if (!fuzz_status(text_read_matrix(path, &m, &rows, &cols))) {
        if ((size_t)rows * cols) {
            volatile float last = m[(size_t)rows * cols - 1];
            (void)last;
        }
        free(m);
    }
    fuzz_begin();
    if (!fuzz_status(text_read_labels(path, &labels, &n))) {
        if (n) {
            volatile int last = labels[n - 1];
            (void)last;
        }
        free(labels);
    }
    return 0;
}
