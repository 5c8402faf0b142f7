/* Fuzzes the embeddings.bin reader (src/results/embeddings.c): the input is
 * one file, read whole and then the queries part alone. */
#include "fuzz_util.h"
#include "results/embeddings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void touch(const dsml_embeddings *e, int all)
{
    if (e->nq) {
        volatile float q = e->queries[(size_t)e->nq * e->d - 1];
        volatile int l = e->query_labels[e->nq - 1], i = e->query_index[e->nq - 1];
        (void)q, (void)l, (void)i;
    }
    if (all && e->ndb) {
        volatile float x = e->database[(size_t)e->ndb * e->d - 1];
        volatile int l = e->database_labels[e->ndb - 1], i = e->database_index[e->ndb - 1];
        (void)x, (void)l, (void)i;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file("embeddings.bin", data, size);
    dsml_embeddings e;
    for (int part = 0; part < 2; part++) {
        dsml_embeddings_part which = part ? DSML_EMBEDDINGS_QUERIES : DSML_EMBEDDINGS_ALL;
        fuzz_begin();
        if (fuzz_status(dsml_embeddings_read(path, which, &e))) continue;
        touch(&e, which == DSML_EMBEDDINGS_ALL);
        dsml_embeddings_free(&e);
    }
    return 0;
}
