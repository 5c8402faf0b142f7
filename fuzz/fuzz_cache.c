/* Fuzzes the dataset cache reader (src/data/cache.c): the input is one .dsd
 * file, mapped and checked with the content hash recomputed. */
#include "data/cache.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file("input.dsd", data, size);
    dsml_dataset ds;
    char params[DSML_CACHE_PARAMS];
    fuzz_begin();
    if (fuzz_status(dsml_cache_open(&ds, path, DSML_CACHE_VERIFY_CONTENT, params))) return 0;
    fuzz_expect(ds.n >= 1 && ds.n_classes >= 1, "a cache with images and classes");
    for (int i = 0; i < ds.n; i++) {
        fuzz_expect(ds.labels[i] >= 0 && ds.labels[i] < ds.n_classes, "labels in range");
        if (ds.split) fuzz_expect(ds.split[i] < ds.n_splits, "split indices in range");
    }
    size_t bytes = (size_t)ds.n * ds.channels * ds.height * ds.width;
    volatile uint8_t last = bytes ? ds.pixels[bytes - 1] : 0; /* every pixel is mapped */
    (void)last;
    dsml_dataset_free(&ds);
    return 0;
}
