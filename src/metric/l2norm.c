/* L2 normalisation of rows and its backward pass; see l2norm.h. */
#include "metric/l2norm.h"

#include <math.h>
#include <stddef.h>

void dsml_l2norm_forward(const float *h, int n, int d, float *hn, double *norm)
{
    for (int i = 0; i < n; i++) {
        const float *hi = h + (size_t)i * d;
        double sq = 0;
        for (int k = 0; k < d; k++) sq += (double)hi[k] * hi[k];
        double r = sqrt(sq);
        if (r < DSML_L2NORM_MIN) r = DSML_L2NORM_MIN;
        norm[i] = r;
        float *o = hn + (size_t)i * d;
        for (int k = 0; k < d; k++) o[k] = (float)(hi[k] / r);
    }
}

void dsml_l2norm_backward(const float *hn, const double *norm, const float *dhn, int n, int d, float *dh)
{
    for (int i = 0; i < n; i++) {
        const float *u = hn + (size_t)i * d, *g = dhn + (size_t)i * d;
        float *o = dh + (size_t)i * d;
        double dot = 0;
        if (norm[i] > DSML_L2NORM_MIN)
            for (int k = 0; k < d; k++) dot += (double)u[k] * g[k];
        double inv = 1.0 / norm[i];
        for (int k = 0; k < d; k++) o[k] += (float)((g[k] - u[k] * dot) * inv);
    }
}

void dsml_l2norm_rows(float *x, long n, int d)
{
    for (long i = 0; i < n; i++) {
        float *r = x + (size_t)i * d;
        double sq = 0;
        for (int k = 0; k < d; k++) sq += (double)r[k] * r[k];
        double s = sqrt(sq);
        if (s < DSML_L2NORM_MIN) s = DSML_L2NORM_MIN;
        for (int k = 0; k < d; k++) r[k] = (float)(r[k] / s);
    }
}
