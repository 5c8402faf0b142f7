/* 2 x 2 / 2 max pooling; see maxpool2d.h. Single-threaded: the convnet
 * calls it on its threads' own chunks of images. */
#include "nn/maxpool2d.h"

void dsml_maxpool2d_forward(float *y, unsigned char *argmax, const float *x, int n, int h, int w, int c)
{
    int ho = h / 2, wo = w / 2;
    size_t row = (size_t)w * c; /* floats per input row */
    for (int b = 0; b < n; b++) {
        for (int oy = 0; oy < ho; oy++) {
            const float *top = x + ((size_t)b * h + 2 * oy) * row;
            const float *bottom = top + row;
            size_t out = (((size_t)b * ho + oy) * wo) * c;
            for (int ox = 0; ox < wo; ox++) {
                const float *t0 = top + (size_t)2 * ox * c, *b0 = bottom + (size_t)2 * ox * c;
                float *yo = y + out + (size_t)ox * c;
                unsigned char *ao = argmax + out + (size_t)ox * c;
#pragma omp simd
                for (int ch = 0; ch < c; ch++) {
                    float v0 = t0[ch], v1 = t0[c + ch], v2 = b0[ch], v3 = b0[c + ch];
                    /* A float winner index lets the channel loop vectorise. */
                    float best = v0, arg = 0.0f;
                    if (v1 > best) { best = v1; arg = 1.0f; }
                    if (v2 > best) { best = v2; arg = 2.0f; }
                    if (v3 > best) { best = v3; arg = 3.0f; }
                    yo[ch] = best;
                    ao[ch] = (unsigned char)(int)arg;
                }
            }
        }
    }
}

void dsml_maxpool2d_backward(float *dx, const float *dy, const unsigned char *argmax, int n, int h, int w,
                             int c)
{
    int ho = h / 2, wo = w / 2;
    size_t row = (size_t)w * c;
    for (int b = 0; b < n; b++) {
        for (int oy = 0; oy < ho; oy++) {
            float *top = dx + ((size_t)b * h + 2 * oy) * row;
            float *bottom = top + row;
            size_t out = (((size_t)b * ho + oy) * wo) * c;
            for (int ox = 0; ox < wo; ox++) {
                float *t0 = top + (size_t)2 * ox * c, *b0 = bottom + (size_t)2 * ox * c;
                const float *g = dy + out + (size_t)ox * c;
                const unsigned char *a = argmax + out + (size_t)ox * c;
#pragma omp simd
                for (int ch = 0; ch < c; ch++) {
                    int arg = a[ch];
                    t0[ch] = arg == 0 ? g[ch] : 0.0f;
                    t0[c + ch] = arg == 1 ? g[ch] : 0.0f;
                    b0[ch] = arg == 2 ? g[ch] : 0.0f;
                    b0[c + ch] = arg == 3 ? g[ch] : 0.0f;
                }
            }
        }
    }
}
