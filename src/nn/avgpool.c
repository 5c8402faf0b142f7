/* Adaptive average pooling; see avgpool.h. Single-threaded: the executor
 * calls it on its threads' own chunks of images. */
#include "nn/avgpool.h"

#include <string.h>

/* PyTorch's bin of output i of `out` over `in`: [floor(i in / out), ceil((i + 1) in / out)). */
static void bin(int i, int in, int out, int *start, int *end)
{
    *start = (int)((long)i * in / out);
    *end = (int)(((long)(i + 1) * in + out - 1) / out);
}

void dsml_avgpool_forward(float *y, const float *x, int n, int h, int w, int c, int ho, int wo)
{
    for (int b = 0; b < n; b++) {
        const float *xb = x + (size_t)b * h * w * c;
        for (int oy = 0; oy < ho; oy++)
            for (int ox = 0; ox < wo; ox++) {
                int y0, y1, x0, x1;
                bin(oy, h, ho, &y0, &y1);
                bin(ox, w, wo, &x0, &x1);
                float *yo = y + (((size_t)b * ho + oy) * wo + ox) * c;
                memset(yo, 0, sizeof(float) * (size_t)c);
                for (int iy = y0; iy < y1; iy++)
                    for (int ix = x0; ix < x1; ix++) {
                        const float *v = xb + ((size_t)iy * w + ix) * c;
#pragma omp simd
                        for (int ch = 0; ch < c; ch++) yo[ch] += v[ch];
                    }
                float count = (float)((y1 - y0) * (x1 - x0));
                for (int ch = 0; ch < c; ch++) yo[ch] /= count;
            }
    }
}

void dsml_avgpool_backward(float *dx, const float *dy, int n, int h, int w, int c, int ho, int wo)
{
    memset(dx, 0, sizeof(float) * (size_t)n * h * w * c);
    for (int b = 0; b < n; b++) {
        float *xb = dx + (size_t)b * h * w * c;
        for (int oy = 0; oy < ho; oy++)
            for (int ox = 0; ox < wo; ox++) {
                int y0, y1, x0, x1;
                bin(oy, h, ho, &y0, &y1);
                bin(ox, w, wo, &x0, &x1);
                const float *g = dy + (((size_t)b * ho + oy) * wo + ox) * c;
                float count = (float)((y1 - y0) * (x1 - x0));
                for (int iy = y0; iy < y1; iy++)
                    for (int ix = x0; ix < x1; ix++) {
                        float *d = xb + ((size_t)iy * w + ix) * c;
#pragma omp simd
                        for (int ch = 0; ch < c; ch++) d[ch] += g[ch] / count;
                    }
            }
    }
}
