/* Normalised float batches from the uint8 cache; see batch.h. */
#include "run/batch.h"
#include "core/error.h"

#include <math.h>

int dsml_input_norm_fit(dsml_input_norm *norm, const dsml_dataset *ds, const int *indices, int n)
{
    int c = ds->channels;
    if (c < 1 || c > DSML_MAX_CHANNELS)
        return dsml_fail(DSML_ERR_ARG, "%s: %d channels, expected 1..%d", ds->name, c, DSML_MAX_CHANNELS);
    if (n < 1) return dsml_fail(DSML_ERR_ARG, "%s: no training images to normalise with", ds->name);
    long plane = (long)ds->height * ds->width;
    norm->channels = c;
    for (int ch = 0; ch < c; ch++) {
        double sum = 0, sum2 = 0;
        for (int i = 0; i < n; i++) {
            const uint8_t *p = ds->pixels + ((long)indices[i] * c + ch) * plane;
            long s = 0, s2 = 0;
            for (long k = 0; k < plane; k++) { s += p[k]; s2 += (long)p[k] * p[k]; }
            sum += (double)s;
            sum2 += (double)s2;
        }
        double count = (double)n * plane;
        double mean = sum / count / 255.0;
        double var = sum2 / count / (255.0 * 255.0) - mean * mean;
        double std = var > 1e-12 ? sqrt(var) : 1.0;
        norm->mean[ch] = (float)mean;
        norm->inv_std[ch] = (float)(1.0 / std);
    }
    return DSML_OK;
}

void dsml_batch_fill(const dsml_dataset *ds, const dsml_input_norm *norm, const int *indices, int n, float *out)
{
    int c = ds->channels;
    long plane = (long)ds->height * ds->width;
    long row = c * plane;
    #pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++) {
        const uint8_t *src = ds->pixels + (long)indices[i] * row;
        float *dst = out + (long)i * row;
        for (int ch = 0; ch < c; ch++) {
            float scale = norm->inv_std[ch] / 255.0f;
            float shift = -norm->mean[ch] * norm->inv_std[ch];
            for (long k = 0; k < plane; k++) dst[ch * plane + k] = (float)src[ch * plane + k] * scale + shift;
        }
    }
}
