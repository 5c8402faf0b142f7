/* Fuzzes the MAT v5 reader (src/data/mat5.c) from memory, with a 1 MiB cap on
 * an inflated element, then the lookups the Cars196 reader makes. */
#include "data/mat5.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dsml_mat_file m;
    fuzz_begin();
    if (fuzz_status(dsml_mat_parse(&m, data, size, "fuzz.mat", 1 << 20))) {
        fuzz_expect(m.vars == NULL && m.n_vars == 0, "a failed parse leaves the file empty");
        return 0;
    }
    char text[256];
    double x;
    for (int v = 0; v < m.n_vars; v++) {
        const dsml_mat_array *a = &m.vars[v];
        fuzz_expect(dsml_mat_var(&m, a->name) != NULL, "each variable found by its name");
        dsml_mat_string(a, text, sizeof text);
        dsml_mat_scalar(a, &x);
        if (a->kind == DSML_MAT_STRUCT && a->n_fields > 0 && a->numel > 0) {
            const dsml_mat_array *f = dsml_mat_field(a, a->numel - 1, a->field_names[a->n_fields - 1]);
            fuzz_expect(f != NULL, "the last field of the last element");
            dsml_mat_string(f, text, sizeof text);
            dsml_mat_scalar(f, &x);
        }
    }
    dsml_mat_var(&m, "annotations");
    dsml_mat_free(&m);
    return 0;
}
