/* Fuzzes the pickle machine (src/weights/pickle.c) from memory: a PyTorch
 * checkpoint's data.pkl without the zip around it, so mutations reach the
 * opcodes directly; then the lookups the torch reader makes. */
#include "fuzz_util.h"
#include "weights/pickle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dsml_pickle p;
    fuzz_begin();
    if (fuzz_status(dsml_pickle_load(&p, data, size, "fuzz: data.pkl"))) {
        fuzz_expect(p.values == NULL && p.n == 0, "a failed load leaves nothing");
        return 0;
    }
    fuzz_expect(p.root >= 0 && p.root < p.n, "the root is a value");
    for (int v = 0; v < p.n; v++) {
        const dsml_pk_value *x = dsml_pk(&p, v);
        dsml_pk_kind_name(x->kind);
        if (x->kind == DSML_PK_TUPLE || x->kind == DSML_PK_LIST || x->kind == DSML_PK_DICT)
            for (int i = 0; i < x->n; i++) fuzz_expect(x->items[i] >= 0 && x->items[i] < p.n, "items are values");
        if (x->kind == DSML_PK_TENSOR) fuzz_expect(x->ndim >= 0 && x->ndim <= DSML_PICKLE_MAX_DIMS, "tensor dims");
    }
    if (dsml_pk(&p, p.root)->kind == DSML_PK_DICT) dsml_pk_dict_get(&p, p.root, "conv1.weight");
    dsml_pickle_free(&p);
    return 0;
}
