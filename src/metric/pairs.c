/* Pair helpers of the losses on similarities and inner products; see pairs.h. */
#include "metric/pairs.h"

#include <math.h>
#include <stddef.h>

#include "core/gemm.h"

void dsml_pairs_similarity(unsigned char *similar, const int *labels, const uint64_t *sets, int words, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            unsigned char s = 0;
            if (labels) {
                s = labels[i] == labels[j];
            } else {
                const uint64_t *a = sets + (size_t)i * words, *b = sets + (size_t)j * words;
                for (int w = 0; w < words && !s; w++) s = (a[w] & b[w]) != 0;
            }
            similar[(size_t)i * n + j] = s;
        }
}

double dsml_pairs_softplus(double x)
{
    return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

double dsml_pairs_sigmoid(double x)
{
    if (x >= 0) return 1.0 / (1.0 + exp(-x));
    double e = exp(x);
    return e / (1.0 + e);
}

void dsml_pairs_inner_products(const float *h, int n, int d, float *theta)
{
    /* Theta = 1/2 H H^T: A = H stored N x D, B = H stored N x D used transposed. */
    dsml_gemm(DSML_NO_TRANS, DSML_TRANS, n, n, d, 0.5f, h, d, h, d, 0.0f, theta, n);
}

void dsml_pairs_inner_backward(float *w, const float *h, int n, int d, float *dh)
{
    /* dL/du_k = 1/2 sum_j (W_kj + W_jk) u_j: symmetrise W in place, then one GEMM. */
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            float m = 0.5f * (w[(size_t)i * n + j] + w[(size_t)j * n + i]);
            w[(size_t)i * n + j] = m;
            w[(size_t)j * n + i] = m;
        }
    /* dh += M H: A = M stored N x N, B = H stored N x D. */
    dsml_gemm(DSML_NO_TRANS, DSML_NO_TRANS, n, d, n, 1.0f, w, n, h, d, 1.0f, dh, d);
}

double dsml_pairs_quantisation(float weight, const float *h, int n, int d, float *dh)
{
    if (weight <= 0) return 0.0;
    double scale = (double)weight / ((double)n * d), sum = 0;
    for (size_t i = 0; i < (size_t)n * d; i++) {
        double b = h[i] >= 0.0f ? 1.0 : -1.0, e = h[i] - b;
        sum += e * e;
        dh[i] += (float)(2.0 * scale * e);
    }
    return scale * sum;
}
