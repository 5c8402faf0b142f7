/* DPSH (Li, Wang and Kang, IJCAI 2016): the negative log-likelihood of the
 * pairwise similarities under p(s_ij = 1) = sigma(Theta_ij), with
 * Theta_ij = 1/2 u_i^T u_j on the real-valued codes u = h, plus the
 * quantisation penalty towards b = sign(u):
 *
 *   L = 1/|P| sum_{i != j} [ log(1 + e^Theta_ij) - s_ij Theta_ij ]
 *     + quant * 1/(N D) sum_i |b_i - u_i|^2
 *
 * over the |P| = N (N - 1) ordered pairs of the batch. Also the pieces both
 * hashing losses share: the similarity matrix (single- or multi-label), the
 * backward of Theta through one GEMM, and the quantisation penalty. Why means
 * instead of the paper's sums, and the defaults: docs/losses.md, "Hashing
 * losses". */
#include <math.h>
#include <string.h>

#include "core/gemm.h"
#include "metric/loss_internal.h"

void dsml_loss_similarity(unsigned char *similar, const int *labels, const uint64_t *sets, int words, int n)
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

double dsml_loss_softplus(double x)
{
    return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

double dsml_loss_sigmoid(double x)
{
    if (x >= 0) return 1.0 / (1.0 + exp(-x));
    double e = exp(x);
    return e / (1.0 + e);
}

void dsml_loss_inner_products(const float *h, int n, int d, float *theta)
{
    /* Theta = 1/2 H H^T: A = H stored N x D, B = H stored N x D used transposed. */
    dsml_gemm(DSML_NO_TRANS, DSML_TRANS, n, n, d, 0.5f, h, d, h, d, 0.0f, theta, n);
}

void dsml_loss_inner_backward(float *w, const float *h, int n, int d, float *dh)
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

double dsml_loss_quantisation(float weight, const float *h, int n, int d, float *dh)
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

double dsml_loss_dpsh(const dsml_loss_params *p, const float *h, const unsigned char *similar, int n, int d,
                      float *dh, dsml_loss_ws *ws)
{
    float *theta = ws->dist, *w = ws->w;
    dsml_loss_inner_products(h, n, d, theta);
    double pairs = (double)n * (n - 1), sum = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            size_t ij = (size_t)i * n + j;
            if (i == j) {
                w[ij] = 0.0f;
                continue;
            }
            double t = theta[ij], s = similar[ij];
            sum += dsml_loss_softplus(t) - s * t;
            w[ij] = (float)((dsml_loss_sigmoid(t) - s) / pairs);
        }
    if (n > 1) dsml_loss_inner_backward(w, h, n, d, dh);
    return (n > 1 ? sum / pairs : 0.0) + dsml_loss_quantisation(p->quant, h, n, d, dh);
}
