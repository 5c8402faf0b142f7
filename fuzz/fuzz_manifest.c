/* Fuzzes the dataset-manifest parser (src/data/manifest.c) from memory, then
 * the lookups fetch makes. */
#include "data/manifest.h"
#include "fuzz_util.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static dsml_manifest m; /* ~60 KiB: not on the stack */
    char *text = fuzz_text(data, size);
    fuzz_begin();
    if (!fuzz_status(dsml_manifest_parse(&m, text, "fuzz.manifest"))) {
        fuzz_expect(m.n_files >= 1 && m.n_files <= DSML_MANIFEST_MAX_FILES, "a manifest with 1..8 files");
        for (int i = 0; i < m.n_files; i++) {
            fuzz_expect(memchr(m.files[i].name, '\0', sizeof m.files[i].name) != NULL, "a file name with its NUL");
            fuzz_expect(dsml_manifest_find(&m, m.files[i].name) != NULL, "each file found by its name");
        }
        dsml_manifest_find_copy(&m, "0000000000000000000000000000000000000000000000000000000000000000");
    }
    free(text);
    return 0;
}
