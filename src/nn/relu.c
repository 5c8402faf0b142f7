/* ReLU; see relu.h. Elementwise, so the OpenMP split cannot change results. */
#include "nn/relu.h"

void dsml_relu_forward(float *y, const float *x, size_t count)
{
    long n = (long)count;
#pragma omp parallel for simd schedule(static) if (n > 65536)
    for (long i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void dsml_relu_backward(float *dx, const float *dy, const float *y, size_t count)
{
    long n = (long)count;
#pragma omp parallel for simd schedule(static) if (n > 65536)
    for (long i = 0; i < n; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}
