/* Batched inference; see embed.h. */
#include "run/embed.h"
#include "core/error.h"

#include <math.h>
#include <string.h>

int dsml_embed(dsml_model *model, int dim, const dsml_dataset *ds, dsml_input_pipeline *pipe, const int *indices,
               int n, int batch, float *xbuf, float *out)
{
    for (int start = 0; start < n; start += batch) {
        int count = n - start < batch ? n - start : batch;
        const float *h;
        int rc = dsml_input_fill_eval(pipe, ds, indices + start, count, xbuf);
        if (!rc) rc = dsml_model_forward(model, xbuf, count, 0, NULL, &h);
        if (rc) return rc;
        memcpy(out + (long)start * dim, h, sizeof(float) * (size_t)count * dim);
    }
    for (long i = 0; i < (long)n * dim; i++)
        if (!isfinite(out[i]))
            return dsml_fail(DSML_ERR_NUMERIC, "%s: image %d: embedding is not finite", ds->name,
                             indices[i / dim]);
    return DSML_OK;
}
