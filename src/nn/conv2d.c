/* 2-D convolution by im2col + single-threaded GEMM on a range of images;
 * see conv2d.h. Inside a kernel row the valid taps of an input row are
 * contiguous in NHWC, so each (pixel, ky) copies one run of floats. A stride
 * only changes which input pixels a row reads: with stride 1 the rows, and
 * so the results, are bit for bit those of a stride-1-only convolution. */
#include "nn/conv2d.h"
#include "core/gemm.h"

#include <math.h>
#include <string.h>

size_t dsml_conv2d_param_count(int cin, int cout, int k) { return (size_t)cout * k * k * cin + (size_t)cout; }

/* Floor division as PyTorch's, also for an input smaller than the kernel (a negative numerator). */
static int out_size(int in, int k, int stride, int pad)
{
    int span = in + 2 * pad - k;
    return (span >= 0 ? span / stride : -((-span + stride - 1) / stride)) + 1;
}

int dsml_conv2d_out_size(const dsml_conv2d *l, int in) { return out_size(in, l->k, l->stride, l->pad); }

static size_t row_len(const dsml_conv2d *l) { return (size_t)l->k * l->k * l->cin + 1; }

size_t dsml_conv2d_col_size(const dsml_conv2d *l, int n, int h, int w)
{
    return (size_t)n * out_size(h, l->k, l->stride, l->pad) * out_size(w, l->k, l->stride, l->pad) * row_len(l);
}

size_t dsml_conv2d_grad_size(const dsml_conv2d *l) { return row_len(l) * l->cout; }

void dsml_conv2d_init(dsml_conv2d *l, int cin, int cout, int k, int stride, int pad, float *params, float *grads,
                      dsml_rng *rng)
{
    l->stride = stride;
    l->cin = cin;
    l->cout = cout;
    l->k = k;
    l->pad = pad;
    size_t nw = (size_t)cout * k * k * cin;
    l->w = params;
    l->b = params + nw;
    l->dw = grads;
    l->db = grads + nw;
    float bound = 1.0f / sqrtf((float)(cin * k * k));
    for (size_t i = 0; i < nw; i++) l->w[i] = dsml_rng_uniform_range(rng, -bound, bound);
    for (int i = 0; i < cout; i++) l->b[i] = dsml_rng_uniform_range(rng, -bound, bound);
}

/* The kernel taps kx in [*lo, *hi) that land inside 0..w-1 for the output
 * column whose tap 0 reads input column `first` (ox * S - P). */
static void valid_taps(int first, int k, int w, int *lo, int *hi)
{
    *lo = first < 0 ? -first : 0;
    if (*lo > k) *lo = k;
    *hi = first + k > w ? w - first : k;
    if (*hi < *lo) *hi = *lo;
}

/* The im2col rows of images b0..b1-1, from the start of col. */
static void im2col(float *col, const float *x, int b0, int b1, int h, int w, int c, int k, int stride, int pad)
{
    int ho = out_size(h, k, stride, pad), wo = out_size(w, k, stride, pad);
    size_t kc = (size_t)k * c, row_len = (size_t)k * kc + 1; /* taps, then the bias's 1 */
    for (int b = b0; b < b1; b++) {
        const float *xb = x + (size_t)b * h * w * c;
        float *dst = col + (size_t)(b - b0) * ho * wo * row_len;
        for (int oy = 0; oy < ho; oy++) {
            for (int ox = 0; ox < wo; ox++, dst += row_len) {
                int lo, hi, ix0 = ox * stride - pad;
                valid_taps(ix0, k, w, &lo, &hi);
                dst[row_len - 1] = 1.0f;
                for (int ky = 0; ky < k; ky++) {
                    float *seg = dst + ky * kc;
                    int iy = oy * stride - pad + ky;
                    if (iy < 0 || iy >= h || hi == lo) {
                        memset(seg, 0, sizeof(float) * kc);
                        continue;
                    }
                    if (lo) memset(seg, 0, sizeof(float) * (size_t)lo * c);
                    memcpy(seg + (size_t)lo * c, xb + ((size_t)iy * w + (ix0 + lo)) * c,
                           sizeof(float) * (size_t)(hi - lo) * c);
                    if (hi < k) memset(seg + (size_t)hi * c, 0, sizeof(float) * (size_t)(k - hi) * c);
                }
            }
        }
    }
}

/* Folds the col rows of images b0..b1-1 (from the start of col) back into their images of dx. */
static void col2im(float *dx, const float *col, int b0, int b1, int h, int w, int c, int k, int stride, int pad)
{
    int ho = out_size(h, k, stride, pad), wo = out_size(w, k, stride, pad);
    size_t kc = (size_t)k * c, row_len = (size_t)k * kc + 1;
    for (int b = b0; b < b1; b++) {
        float *xb = dx + (size_t)b * h * w * c;
        const float *src = col + (size_t)(b - b0) * ho * wo * row_len;
        memset(xb, 0, sizeof(float) * (size_t)h * w * c);
        for (int oy = 0; oy < ho; oy++) {
            for (int ox = 0; ox < wo; ox++, src += row_len) {
                int lo, hi, ix0 = ox * stride - pad;
                valid_taps(ix0, k, w, &lo, &hi);
                size_t len = (size_t)(hi - lo) * c;
                for (int ky = 0; ky < k; ky++) {
                    int iy = oy * stride - pad + ky;
                    if (iy < 0 || iy >= h) continue;
                    const float *seg = src + ky * kc + (size_t)lo * c;
                    float *out = xb + ((size_t)iy * w + (ix0 + lo)) * c;
#pragma omp simd
                    for (size_t i = 0; i < len; i++) out[i] += seg[i];
                }
            }
        }
    }
}

void dsml_conv2d_forward_images(const dsml_conv2d *l, float *y, float *col, const float *x, int b0, int b1,
                                 int h, int w)
{
    int pixels = out_size(h, l->k, l->stride, l->pad) * out_size(w, l->k, l->stride, l->pad), f = l->cout;
    size_t len = row_len(l), r0 = (size_t)b0 * pixels;
    im2col(col, x, b0, b1, h, w, l->cin, l->k, l->stride, l->pad);
    /* y[rows x F] = col[rows x (kk+1)] * [W; b][(kk+1) x F] */
    dsml_gemm_serial(DSML_NO_TRANS, DSML_NO_TRANS, (b1 - b0) * pixels, f, (int)len, 1.0f, col, (int)len, l->w, f,
                     0.0f, y + r0 * f, f);
}

void dsml_conv2d_backward_images(const dsml_conv2d *l, float *dx, const float *dy, float *col, const float *x,
                                  int b0, int b1, int h, int w, float *grad, int accumulate)
{
    int pixels = out_size(h, l->k, l->stride, l->pad) * out_size(w, l->k, l->stride, l->pad), f = l->cout;
    int rows = (b1 - b0) * pixels;
    size_t len = row_len(l), r0 = (size_t)b0 * pixels;
    float *c = col;
    if (x) im2col(col, x, b0, b1, h, w, l->cin, l->k, l->stride, l->pad);
    /* grad[(kk+1) x F] (+)= c^T[(kk+1) x rows] * dy[rows x F] */
    dsml_gemm_serial(DSML_TRANS, DSML_NO_TRANS, (int)len, f, rows, 1.0f, c, (int)len, dy + r0 * f, f,
                     accumulate ? 1.0f : 0.0f, grad, f);
    if (!dx) return;
    /* dcol[rows x kk] = dy[rows x F] * W^T, over c's tap columns */
    dsml_gemm_serial(DSML_NO_TRANS, DSML_TRANS, rows, (int)len - 1, f, 1.0f, dy + r0 * f, f, l->w, f, 0.0f, c,
                     (int)len);
    col2im(dx, col, b0, b1, h, w, l->cin, l->k, l->stride, l->pad);
}

void dsml_conv2d_forward(const dsml_conv2d *l, float *y, float *col, const float *x, int n, int h, int w)
{
    dsml_conv2d_forward_images(l, y, col, x, 0, n, h, w);
}

void dsml_conv2d_backward(dsml_conv2d *l, float *dx, const float *dy, float *col, int n, int h, int w)
{
    dsml_conv2d_backward_images(l, dx, dy, col, NULL, 0, n, h, w, l->dw, 1); /* db follows dW */
}

void dsml_conv2d_forward_naive(const dsml_conv2d *l, float *y, const float *x, int n, int h, int w)
{
    int k = l->k, c = l->cin, f = l->cout, s = l->stride;
    int ho = out_size(h, k, s, l->pad), wo = out_size(w, k, s, l->pad);
    for (int b = 0; b < n; b++)
        for (int oy = 0; oy < ho; oy++)
            for (int ox = 0; ox < wo; ox++)
                for (int o = 0; o < f; o++) {
                    double sum = l->b[o];
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++) {
                            int iy = oy * s - l->pad + ky, ix = ox * s - l->pad + kx;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                            for (int ci = 0; ci < c; ci++)
                                sum += (double)l->w[(((size_t)ky * k + kx) * c + ci) * f + o] *
                                       x[(((size_t)b * h + iy) * w + ix) * c + ci];
                        }
                    y[(((size_t)b * ho + oy) * wo + ox) * f + o] = (float)sum;
                }
}

void dsml_conv2d_free(dsml_conv2d *l) { memset(l, 0, sizeof *l); }
