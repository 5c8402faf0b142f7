/* The weights harnesses' shared body; see fuzz_weights.h. */
#include "fuzz_weights.h"

#include "fuzz_util.h"
#include "weights/weights.h"

int fuzz_weights_one(const char *name, const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(name, data, size);
    dsml_tensor_set w;
    fuzz_begin();
    if (fuzz_status(dsml_weights_read(path, &w))) {
        fuzz_expect(w.count == 0 && w.tensors == NULL, "a failed read leaves the set empty");
        return 0;
    }
    for (int i = 0; i < w.count; i++) {
        const dsml_tensor *t = &w.tensors[i];
        int64_t numel = 1;
        fuzz_expect(t->ndim >= 0 && t->ndim <= DSML_TENSOR_MAX_DIMS, "a tensor of 0..4 dimensions");
        for (int k = 0; k < t->ndim; k++) numel *= t->shape[k];
        fuzz_expect(numel == t->numel, "numel is the product of the shape");
        if (numel) {
            volatile float last = t->data[numel - 1]; /* every value is there */
            (void)last;
        }
        fuzz_expect(dsml_tensor_set_find(&w, t->name) != NULL, "each tensor found by its name");
    }
    dsml_tensor_set_free(&w);
    return 0;
}
