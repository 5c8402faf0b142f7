/* Max pooling, 2 x 2 / 2 and k x k / S; see maxpool2d.h. Single-threaded:
 * the executor calls it on its threads' own chunks of images. */
#include "nn/maxpool2d.h"

#include <string.h>

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

int dsml_maxpool2d_out_size(int in, int k, int stride, int ceil_mode)
{
    int span = in - k;
    int out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
    if (ceil_mode && (out - 1) * stride >= in) out--; /* a window must start inside the input */
    return out;
}

/* The window of output (oy, ox) clipped to the input: rows [*y0, *y1), columns [*x0, *x1). */
static void window(int oy, int ox, int k, int stride, int h, int w, int *y0, int *y1, int *x0, int *x1)
{
    *y0 = oy * stride, *x0 = ox * stride;
    *y1 = *y0 + k < h ? *y0 + k : h;
    *x1 = *x0 + k < w ? *x0 + k : w;
}

void dsml_maxpool2d_forward_window(float *y, unsigned char *argmax, const float *x, int n, int h, int w, int c, int k,
                                   int stride, int ho, int wo)
{
    for (int b = 0; b < n; b++) {
        const float *xb = x + (size_t)b * h * w * c;
        for (int oy = 0; oy < ho; oy++)
            for (int ox = 0; ox < wo; ox++) {
                int y0, y1, x0, x1;
                window(oy, ox, k, stride, h, w, &y0, &y1, &x0, &x1);
                size_t out = (((size_t)b * ho + oy) * wo + ox) * c;
                float *yo = y + out;
                unsigned char *ao = argmax + out;
                /* The window's first value, then every later one that is strictly larger. */
                memcpy(yo, xb + ((size_t)y0 * w + x0) * c, sizeof(float) * (size_t)c);
                memset(ao, 0, (size_t)c);
                for (int iy = y0; iy < y1; iy++)
                    for (int ix = iy == y0 ? x0 + 1 : x0; ix < x1; ix++) {
                        const float *v = xb + ((size_t)iy * w + ix) * c;
                        unsigned char place = (unsigned char)((iy - y0) * k + (ix - x0));
#pragma omp simd
                        for (int ch = 0; ch < c; ch++)
                            if (v[ch] > yo[ch]) {
                                yo[ch] = v[ch];
                                ao[ch] = place;
                            }
                    }
            }
    }
}

void dsml_maxpool2d_backward_window(float *dx, const float *dy, const unsigned char *argmax, int n, int h, int w,
                                    int c, int k, int stride, int ho, int wo)
{
    memset(dx, 0, sizeof(float) * (size_t)n * h * w * c);
    for (int b = 0; b < n; b++) {
        float *xb = dx + (size_t)b * h * w * c;
        for (int oy = 0; oy < ho; oy++)
            for (int ox = 0; ox < wo; ox++) {
                size_t out = (((size_t)b * ho + oy) * wo + ox) * c;
                const float *g = dy + out;
                const unsigned char *a = argmax + out;
                for (int ch = 0; ch < c; ch++) {
                    int iy = oy * stride + a[ch] / k, ix = ox * stride + a[ch] % k;
                    xb[((size_t)iy * w + ix) * c + ch] += g[ch];
                }
            }
    }
}
