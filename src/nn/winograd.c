/* Winograd F(m x m, r x r) convolution; see winograd.h.
 *
 * The matrices come from Toom-Cook interpolation: for the correlation
 * y[i] = sum_k g[k] d[i + k] (i < m, k < r), y = A^T [(G g) (.) (B^T d)].
 F(2, 5) interpolates at 0, 1, -1, 2, -2 and infinity (the rows of B^T
 * scaled to small integers, G's rows by the inverse factors, which keeps the
 * transformed inputs' rounding small); F(2, 3) at 0, 1, -1 and infinity. The 2-D transforms apply them along rows then columns, on whole
 * channel vectors (NHWC keeps a pixel's channels contiguous), skipping the
 * zero coefficients. One scheme per kernel size: every function below reads
 * its sizes and matrices from it, in the same order of operations whatever
 * the scheme. */
#include "nn/winograd.h"
#include "core/gemm.h"
#include "nn/winograd_gemm.h"

#include <string.h>

enum { MAX_T = 6, MAX_M = 2, MAX_XI = MAX_T * MAX_T };

/* One F(m x m, r x r): t = m + r - 1 inputs per tile side, row-major
 * matrices B^T (t x t), G (t x r), A^T (m x t). */
typedef struct {
    int t, k, m, pad;
    const float *bt, *g, *at;
} scheme;

static const float BT6[] = {
    4, 0, -5, 0, 1, 0,  0, 4, 4, -1, -1, 0, 0, -4, 4, 1, -1, 0,
    0, -2, -1, 2, 1, 0, 0, 2, -1, -2, 1, 0, 0, 4, 0, -5, 0, 1,
};

static const float G25[] = {
    1.0f / 4,  0,         0,        0,         0,
    1.0f / 6,  1.0f / 6,  1.0f / 6, 1.0f / 6,  1.0f / 6,
    1.0f / 6,  -1.0f / 6, 1.0f / 6, -1.0f / 6, 1.0f / 6,
    1.0f / 24, 1.0f / 12, 1.0f / 6, 1.0f / 3,  2.0f / 3,
    1.0f / 24, -1.0f / 12, 1.0f / 6, -1.0f / 3, 2.0f / 3,
    0,         0,         0,        0,         1,
};

static const float AT25[] = {1, 1, 1, 1, 1, 0, 0, 1, -1, 2, -2, 1};

static const float BT4[] = {1, 0, -1, 0, 0, 1, 1, 0, 0, -1, 1, 0, 0, 1, 0, -1};

static const float G23[] = {1, 0, 0, 0.5f, 0.5f, 0.5f, 0.5f, -0.5f, 0.5f, 0, 0, 1};

static const float AT23[] = {1, 1, 1, 0, 0, 1, -1, -1};

static const scheme F2X5 = {.t = 6, .k = 5, .m = 2, .pad = 2, .bt = BT6, .g = G25, .at = AT25};
static const scheme F2X3 = {.t = 4, .k = 3, .m = 2, .pad = 1, .bt = BT4, .g = G23, .at = AT23};

/* 5x5: F(2x2, 5x5); 3x3: F(2x2, 3x3) (winograd.h says why not F(4x4, 3x3)). */
static const scheme *scheme_of(const dsml_conv2d *l) { return l->k == 5 ? &F2X5 : &F2X3; }

int dsml_winograd_supports(const dsml_conv2d *l)
{
    if (l->stride != 1 || l->cout < 1 || l->cin > DSML_WINOGRAD_MAX_CHANNELS || l->cout > DSML_WINOGRAD_MAX_CHANNELS)
        return 0;
    if (l->k == 5) return l->pad == 2 && l->cin >= DSML_WINOGRAD_MIN_CHANNELS;
    return l->k == 3 && l->pad == 1 && l->cin >= DSML_WINOGRAD_MIN_CHANNELS_3X3;
}

static int tiles_along(const scheme *s, int len) { return (len + s->m - 1) / s->m; }

static size_t tiles(const scheme *s, int h, int w) { return (size_t)tiles_along(s, h) * tiles_along(s, w); }

/* Transformed positions per tile. */
static int xi_of(const scheme *s) { return s->t * s->t; }

size_t dsml_winograd_u_size(const dsml_conv2d *l)
{
    return (size_t)2 * xi_of(scheme_of(l)) * l->cin * l->cout;
}

size_t dsml_winograd_v_size(const dsml_conv2d *l, int n, int h, int w)
{
    const scheme *s = scheme_of(l);
    return (size_t)n * tiles(s, h, w) * xi_of(s) * l->cin;
}

size_t dsml_winograd_m_size(const dsml_conv2d *l, int n, int h, int w)
{
    const scheme *s = scheme_of(l);
    return (size_t)n * tiles(s, h, w) * xi_of(s) * l->cout;
}

size_t dsml_winograd_grad_size(const dsml_conv2d *l)
{
    return (size_t)xi_of(scheme_of(l)) * l->cin * l->cout + (size_t)l->cout;
}

/* dst[len] += a * src[len] */
static inline void axpy(float *restrict dst, float a, const float *restrict src, size_t len)
{
#pragma omp simd
    for (size_t i = 0; i < len; i++) dst[i] += a * src[i];
}

void dsml_winograd_transform_weights(const dsml_conv2d *l, float *u)
{
    const scheme *s = scheme_of(l);
    int c = l->cin, f = l->cout, T = s->t, K = s->k, XI = T * T;
    size_t plane = (size_t)c * f; /* one tap's C x F weights are contiguous in HWIO */
    /* Separably: rows first into the transposes' space (t x k planes), then columns. */
    float *rows = u + XI * plane;
    memset(rows, 0, sizeof(float) * T * K * plane);
    for (int a = 0; a < T; a++)
        for (int ky = 0; ky < K; ky++)
            if (s->g[a * K + ky] != 0.0f)
                for (int kx = 0; kx < K; kx++)
                    axpy(rows + (size_t)(a * K + kx) * plane, s->g[a * K + ky], l->w + (size_t)(ky * K + kx) * plane,
                         plane);
    memset(u, 0, sizeof(float) * XI * plane);
    for (int a = 0; a < T; a++)
        for (int b = 0; b < T; b++)
            for (int kx = 0; kx < K; kx++)
                if (s->g[b * K + kx] != 0.0f)
                    axpy(u + (size_t)(a * T + b) * plane, s->g[b * K + kx], rows + (size_t)(a * K + kx) * plane, plane);
}

void dsml_winograd_transpose_weights(const dsml_conv2d *l, float *u)
{
    int c = l->cin, f = l->cout, XI = xi_of(scheme_of(l));
    size_t plane = (size_t)c * f;
    float *ut = u + XI * plane;
    for (int xi = 0; xi < XI; xi++)
        for (int o = 0; o < f; o++)
            for (int i = 0; i < c; i++) ut[xi * plane + (size_t)o * c + i] = u[xi * plane + (size_t)i * f + o];
}

/* The t x t x c patch whose top-left input pixel is (y0, x0), zero outside. */
static void gather_patch(const scheme *s, float *patch, const float *img, int h, int w, int c, int y0, int x0)
{
    int T = s->t;
    size_t row = (size_t)T * c;
    for (int j = 0; j < T; j++) {
        float *dst = patch + j * row;
        int iy = y0 + j;
        if (iy < 0 || iy >= h) {
            memset(dst, 0, sizeof(float) * row);
            continue;
        }
        int lo = x0 < 0 ? -x0 : 0, hi = x0 + T > w ? w - x0 : T;
        if (lo) memset(dst, 0, sizeof(float) * (size_t)lo * c);
        memcpy(dst + (size_t)lo * c, img + ((size_t)iy * w + x0 + lo) * c, sizeof(float) * (size_t)(hi - lo) * c);
        if (hi < T) memset(dst + (size_t)hi * c, 0, sizeof(float) * (size_t)(T - hi) * c);
    }
}

/* out[t*t x c] = K in K^T over whole channel vectors, rows first, then
 * columns, with K = B^T (the input transform, adjoint 0) or K = B (its
 * adjoint, adjoint 1); tmp is t*t x c scratch. */
static void sandwich(const scheme *s, float *out, const float *in, float *tmp, int c, int adjoint)
{
    int T = s->t, XI = T * T;
    size_t row = (size_t)T * c;
    memset(tmp, 0, sizeof(float) * XI * c);
    for (int i = 0; i < T; i++)
        for (int j = 0; j < T; j++) {
            float k = adjoint ? s->bt[j * T + i] : s->bt[i * T + j];
            if (k != 0.0f) axpy(tmp + i * row, k, in + j * row, row);
        }
    memset(out, 0, sizeof(float) * XI * c);
    for (int i = 0; i < T; i++)
        for (int l = 0; l < T; l++)
            for (int x = 0; x < T; x++) {
                float k = adjoint ? s->bt[x * T + l] : s->bt[l * T + x];
                if (k != 0.0f) axpy(out + (size_t)(i * T + l) * c, k, tmp + (size_t)(i * T + x) * c, (size_t)c);
            }
}

/* The tile's m x m outputs (those inside the image) from its t*t x f products,
 * plus bias. */
static void output_transform(const scheme *s, float *img, const float *prod, const float *bias, int h, int w, int f,
                             int oy, int ox)
{
    int T = s->t, M = s->m;
    float tmp[MAX_M][MAX_T][DSML_WINOGRAD_MAX_CHANNELS];
    for (int p = 0; p < M; p++)
        for (int x = 0; x < T; x++) {
            memset(tmp[p][x], 0, sizeof(float) * (size_t)f);
            for (int i = 0; i < T; i++)
                if (s->at[p * T + i] != 0.0f) axpy(tmp[p][x], s->at[p * T + i], prod + (size_t)(i * T + x) * f, (size_t)f);
        }
    for (int p = 0; p < M && oy + p < h; p++)
        for (int q = 0; q < M && ox + q < w; q++) {
            float *dst = img + ((size_t)(oy + p) * w + ox + q) * f;
            memcpy(dst, bias, sizeof(float) * (size_t)f);
            for (int x = 0; x < T; x++)
                if (s->at[q * T + x] != 0.0f) axpy(dst, s->at[q * T + x], tmp[p][x], (size_t)f);
        }
}

/* out[t*t x f] = A dY A^T for the tile's m x m output gradients (zero outside
 * the image). */
static void output_adjoint(const scheme *s, float *out, const float *dimg, int h, int w, int f, int oy, int ox)
{
    int T = s->t, M = s->m;
    float tmp[MAX_T][MAX_M][DSML_WINOGRAD_MAX_CHANNELS];
    for (int i = 0; i < T; i++)
        for (int q = 0; q < M; q++) {
            memset(tmp[i][q], 0, sizeof(float) * (size_t)f);
            for (int p = 0; p < M && oy + p < h; p++)
                if (s->at[p * T + i] != 0.0f && ox + q < w)
                    axpy(tmp[i][q], s->at[p * T + i], dimg + ((size_t)(oy + p) * w + ox + q) * f, (size_t)f);
        }
    memset(out, 0, sizeof(float) * T * T * f);
    for (int i = 0; i < T; i++)
        for (int x = 0; x < T; x++)
            for (int q = 0; q < M; q++)
                if (s->at[q * T + x] != 0.0f) axpy(out + (size_t)(i * T + x) * f, s->at[q * T + x], tmp[i][q], (size_t)f);
}

/* Adds B dV B^T (the adjoint of the input transform) to the patch at (y0, x0)
 * of dimg, inside the image only; tmp and patch are t*t x c scratch. */
static void input_adjoint(const scheme *s, float *dimg, const float *dv, float *tmp, float *patch, int h, int w, int c,
                          int y0, int x0)
{
    int T = s->t;
    sandwich(s, patch, dv, tmp, c, 1);
    for (int j = 0; j < T; j++) {
        int iy = y0 + j;
        if (iy < 0 || iy >= h) continue;
        int lo = x0 < 0 ? -x0 : 0, hi = x0 + T > w ? w - x0 : T;
        if (hi > lo)
            axpy(dimg + ((size_t)iy * w + x0 + lo) * c, 1.0f, patch + (j * T + lo) * (size_t)c, (size_t)(hi - lo) * c);
    }
}

/* v[(b - b0) tiles, xi, :] = B^T d B for every tile of images b0..b1-1. */
static void transform_inputs(const scheme *s, const dsml_conv2d *l, float *v, const float *x, int b0, int b1, int h,
                             int w)
{
    int c = l->cin, M = s->m, XI = xi_of(s), ty = tiles_along(s, h), tx = tiles_along(s, w);
    size_t per = tiles(s, h, w);
    float patch[MAX_XI * DSML_WINOGRAD_MAX_CHANNELS], tmp[MAX_XI * DSML_WINOGRAD_MAX_CHANNELS];
    for (int b = b0; b < b1; b++) {
        const float *img = x + (size_t)b * h * w * c;
        for (int i = 0; i < ty; i++)
            for (int j = 0; j < tx; j++) {
                gather_patch(s, patch, img, h, w, c, M * i - s->pad, M * j - s->pad);
                sandwich(s, v + ((size_t)(b - b0) * per + (size_t)i * tx + j) * XI * c, patch, tmp, c, 0);
            }
    }
}

void dsml_winograd_forward_images(const dsml_conv2d *l, const float *u, float *y, float *v, float *m, const float *x,
                                  int b0, int b1, int h, int w)
{
    const scheme *s = scheme_of(l);
    int c = l->cin, f = l->cout, M = s->m, XI = xi_of(s), ty = tiles_along(s, h), tx = tiles_along(s, w);
    size_t per = tiles(s, h, w), rows = (size_t)(b1 - b0) * per;
    transform_inputs(s, l, v, x, b0, b1, h, w);
    /* m[rows, xi, :] = v[rows, xi, :] u[xi] for each of the t*t positions */
    int fits = dsml_winograd_gemm_fits(c, f);
    for (int xi = 0; xi < XI; xi++)
        if (fits)
            dsml_winograd_gemm_nn((int)rows, f, c, v + (size_t)xi * c, XI * c, u + (size_t)xi * c * f,
                                  m + (size_t)xi * f, XI * f);
        else
            dsml_gemm_serial(DSML_NO_TRANS, DSML_NO_TRANS, (int)rows, f, c, 1.0f, v + (size_t)xi * c, XI * c,
                             u + (size_t)xi * c * f, f, 0.0f, m + (size_t)xi * f, XI * f);
    for (int b = b0; b < b1; b++) {
        float *img = y + (size_t)b * h * w * f;
        for (int i = 0; i < ty; i++)
            for (int j = 0; j < tx; j++)
                output_transform(s, img, m + ((size_t)(b - b0) * per + (size_t)i * tx + j) * XI * f, l->b, h, w, f,
                                 M * i, M * j);
    }
}

void dsml_winograd_backward_images(const dsml_conv2d *l, const float *u, float *dx, const float *dy, const float *x,
                                   float *v, float *m, int b0, int b1, int h, int w, float *grad, int accumulate)
{
    const scheme *s = scheme_of(l);
    int c = l->cin, f = l->cout, M = s->m, XI = xi_of(s), ty = tiles_along(s, h), tx = tiles_along(s, w);
    size_t per = tiles(s, h, w), rows = (size_t)(b1 - b0) * per;
    float *dbias = grad + (size_t)XI * c * f;
    if (!accumulate) memset(dbias, 0, sizeof(float) * (size_t)f);
    for (int b = b0; b < b1; b++) {
        const float *dimg = dy + (size_t)b * h * w * f;
        for (size_t p = 0; p < (size_t)h * w; p++) axpy(dbias, 1.0f, dimg + p * f, (size_t)f);
        for (int i = 0; i < ty; i++)
            for (int j = 0; j < tx; j++)
                output_adjoint(s, m + ((size_t)(b - b0) * per + (size_t)i * tx + j) * XI * f, dimg, h, w, f, M * i,
                               M * j);
    }
    /* The forward's transformed patches, again: keeping them for the whole
     * batch cost AlexNet 420 MiB at batch 100, redoing them a few percent. */
    transform_inputs(s, l, v, x, b0, b1, h, w);
    const float *vb = v;
    /* dU[xi] (+)= v[rows, xi, :]^T dM[rows, xi, :] */
    int fits = dsml_winograd_gemm_fits(c, f);
    for (int xi = 0; xi < XI; xi++)
        if (fits)
            dsml_winograd_gemm_tn((int)rows, f, c, vb + (size_t)xi * c, XI * c, m + (size_t)xi * f, XI * f,
                                  grad + (size_t)xi * c * f, accumulate);
        else
            dsml_gemm_serial(DSML_TRANS, DSML_NO_TRANS, c, f, (int)rows, 1.0f, vb + (size_t)xi * c, XI * c,
                             m + (size_t)xi * f, XI * f, accumulate ? 1.0f : 0.0f, grad + (size_t)xi * c * f, f);
    if (!dx) return;
    /* dV[rows, xi, :] = dM[rows, xi, :] u[xi]^T, over v */
    const float *ut = u + (size_t)XI * c * f;
    for (int xi = 0; xi < XI; xi++)
        if (fits)
            dsml_winograd_gemm_nn((int)rows, c, f, m + (size_t)xi * f, XI * f, ut + (size_t)xi * f * c,
                                  v + (size_t)xi * c, XI * c);
        else
            dsml_gemm_serial(DSML_NO_TRANS, DSML_TRANS, (int)rows, c, f, 1.0f, m + (size_t)xi * f, XI * f,
                             u + (size_t)xi * c * f, f, 0.0f, v + (size_t)xi * c, XI * c);
    float patch[MAX_XI * DSML_WINOGRAD_MAX_CHANNELS], tmp[MAX_XI * DSML_WINOGRAD_MAX_CHANNELS];
    for (int b = b0; b < b1; b++) {
        float *dimg = dx + (size_t)b * h * w * c;
        memset(dimg, 0, sizeof(float) * (size_t)h * w * c);
        for (int i = 0; i < ty; i++)
            for (int j = 0; j < tx; j++)
                input_adjoint(s, dimg, v + ((size_t)(b - b0) * per + (size_t)i * tx + j) * XI * c, tmp, patch, h, w,
                              c, M * i - s->pad, M * j - s->pad);
    }
}

void dsml_winograd_weight_grad(const dsml_conv2d *l, const float *grad, float *dw, float *db)
{
    const scheme *s = scheme_of(l);
    int T = s->t, K = s->k, XI = T * T;
    size_t plane = (size_t)l->cin * l->cout;
    for (int ky = 0; ky < K; ky++)
        for (int kx = 0; kx < K; kx++)
            for (int a = 0; a < T; a++) {
                if (s->g[a * K + ky] == 0.0f) continue;
                for (int b = 0; b < T; b++) {
                    float coef = s->g[a * K + ky] * s->g[b * K + kx];
                    if (coef != 0.0f)
                        axpy(dw + (size_t)(ky * K + kx) * plane, coef, grad + (size_t)(a * T + b) * plane, plane);
                }
            }
    axpy(db, 1.0f, grad + XI * plane, (size_t)l->cout);
}
