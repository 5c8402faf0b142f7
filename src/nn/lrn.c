/* Local response normalisation across channels; see lrn.h. Each pixel's
 * channels are contiguous in NHWC, and the windows (5 channels in AlexNet-era
 * networks) are summed directly: no running sums, so no drift. */
#include "nn/lrn.h"

#include <math.h>

/* Channels [*lo, *hi] of the window of channel j reaching `down` below and `up` above it, clipped to 0..c-1. */
static void span(int j, int down, int up, int c, int *lo, int *hi)
{
    *lo = j - down > 0 ? j - down : 0;
    *hi = j + up < c - 1 ? j + up : c - 1;
}

void dsml_lrn_forward(const dsml_lrn *l, float *y, float *scale, float *q, const float *x, size_t pixels, int c)
{
    float coef = l->alpha / (float)l->size;
    for (size_t p = 0; p < pixels; p++) {
        const float *a = x + p * c;
        size_t o = p * c;
        for (int j = 0; j < c; j++) {
            int lo, hi;
            span(j, l->size / 2, (l->size - 1) / 2, c, &lo, &hi);
            float sum = 0.0f;
            for (int i = lo; i <= hi; i++) sum += a[i] * a[i];
            float d = l->k + coef * sum;
            float s = powf(d, -l->beta);
            scale[o + j] = s;
            q[o + j] = s / d;
            y[o + j] = a[j] * s;
        }
    }
}

void dsml_lrn_backward(const dsml_lrn *l, float *dx, const float *dy, const float *x, const float *scale,
                       const float *q, size_t pixels, int c)
{
    float coef = 2.0f * l->beta * l->alpha / (float)l->size;
    for (size_t p = 0; p < pixels; p++) {
        size_t o = p * c;
        const float *a = x + o, *g = dy + o, *qo = q + o;
        for (int j = 0; j < c; j++) {
            /* The channels whose windows hold j: the window reversed. */
            int lo, hi;
            span(j, (l->size - 1) / 2, l->size / 2, c, &lo, &hi);
            float sum = 0.0f;
            for (int i = lo; i <= hi; i++) sum += g[i] * a[i] * qo[i];
            dx[o + j] = g[j] * scale[o + j] - coef * a[j] * sum;
        }
    }
}
