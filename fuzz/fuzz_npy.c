/* Fuzzes the .npy reader (src/data/npy.c): the input is one file. */
#include "data/npy.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file("input.npy", data, size);
    dsml_npy a;
    fuzz_begin();
    if (fuzz_status(dsml_npy_read(path, &a))) {
        fuzz_expect(a.data == NULL, "a failed read leaves the array empty");
        return 0;
    }
    int64_t n = dsml_npy_count(&a);
    fuzz_expect(n >= 0 && (uint64_t)n * 4 <= size, "no more elements than the file holds");
    if (n) {
        volatile uint8_t last = ((const uint8_t *)a.data)[n * 4 - 1]; /* every element is there */
        (void)last;
    }
    dsml_npy_free(&a);
    return 0;
}
