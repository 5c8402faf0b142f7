/* Fuzzes the two readers of the paper's published numbers from memory:
 * published.tsv (src/report/published.c) and published-methods.tsv
 * (src/report/methods_table.c); the input is offered to both. */
#include <stdlib.h>

#include "fuzz_util.h"
#include "report/methods_table.h"
#include "report/published.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    dsml_published p;
    fuzz_begin();
    if (!fuzz_status(dsml_published_parse(&p, "fuzz.tsv", text))) dsml_published_free(&p);
    dsml_methods_published *m = NULL;
    int n = 0;
    fuzz_begin();
    if (!fuzz_status(dsml_methods_published_parse("fuzz.tsv", text, &m, &n))) free(m);
    free(text);
    return 0;
}
