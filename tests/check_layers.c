/* Tests of the layers of src/nn on their own: every layer's backward against
 * finite differences, conv2d (any stride) against a direct convolution,
 * max-pool ties and window sizes, LRN's window, adaptive average pooling's
 * bins, ReLU's kink, dropout's statistics. (Winograd has check_winograd.c; the
 * executor that composes them, check_network.c.) */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "nn/conv2d.h"
#include "nn/dropout.h"
#include "nn/avgpool.h"
#include "nn/linear.h"
#include "nn/lrn.h"
#include "nn/maxpool2d.h"
#include "nn/relu.h"
#include "support/gradcheck.h"
#include "support/nn_fixtures.h"
#include "support/suite_run.h"

/* ---- linear ---- */

typedef struct {
    dsml_linear l;
    float *x, *y, *r;
    int n;
} linear_ctx;

static double linear_objective(void *p)
{
    linear_ctx *c = p;
    dsml_linear_forward(&c->l, c->y, c->x, c->n);
    return nn_dot(c->y, c->r, (size_t)c->n * c->l.out);
}

START_TEST(test_linear_gradients)
{
    enum { N = 3, I = 5, O = 4 };
    dsml_rng rng;
    dsml_rng_seed(&rng, 11);
    float params[O * I + O], grads[O * I + O], x[N * I], y[N * O], r[N * O], dx[N * I];
    ck_assert_uint_eq(dsml_linear_param_count(I, O), O * I + O);
    linear_ctx c = {.x = x, .y = y, .r = r, .n = N};
    dsml_linear_init(&c.l, I, O, params, grads, &rng);
    nn_fill_normal(&rng, x, N * I, 1.0f);
    nn_fill_normal(&rng, r, N * O, 2.0f);
    /* Backward accumulates: start the gradient block at 1 and subtract it after. */
    for (int i = 0; i < O * I + O; i++) grads[i] = 1.0f;
    dsml_linear_backward(&c.l, dx, r, x, N);
    for (int i = 0; i < O * I + O; i++) grads[i] -= 1.0f;
    nn_expect_pass("linear dx", gradcheck(linear_objective, &c, x, dx, N * I, 1, 1e-2, 1e-3), N * I, 0);
    nn_expect_pass("linear dW", gradcheck(linear_objective, &c, c.l.w, c.l.dw, O * I, 1, 1e-2, 1e-3), O * I, 0);
    nn_expect_pass("linear db", gradcheck(linear_objective, &c, c.l.b, c.l.db, O, 1, 1e-2, 1e-3), O, 0);
    /* The check can fail: a gradient off by 5% is caught. */
    for (int i = 0; i < N * I; i++) dx[i] *= 1.05f;
    gradcheck_result bad = gradcheck(linear_objective, &c, x, dx, N * I, 1, 1e-2, 1e-3);
    ck_assert_int_gt(bad.failed, 0);
    /* Hand-checked forward of one entry. */
    linear_objective(&c);
    double y00 = c.l.b[0];
    for (int i = 0; i < I; i++) y00 += (double)x[i] * c.l.w[i];
    ck_assert_double_eq_tol(y[0], y00, 1e-5);
    /* NULL dx: parameter gradients only. */
    dsml_linear_backward(&c.l, NULL, r, x, N);
    dsml_linear_free(&c.l);
    ck_assert_ptr_null(c.l.w);
}
END_TEST

/* ---- conv2d ---- */

typedef struct {
    dsml_conv2d l;
    float *x, *y, *col, *r;
    int n, h, w, ho, wo;
} conv_ctx;

static double conv_objective(void *p)
{
    conv_ctx *c = p;
    dsml_conv2d_forward(&c->l, c->y, c->col, c->x, c->n, c->h, c->w);
    return nn_dot(c->y, c->r, (size_t)c->n * c->ho * c->wo * c->l.cout);
}

START_TEST(test_conv2d_forward_matches_direct)
{
    /* Non-square input, odd sizes, several paddings and strides (AlexNet's
     * and CNN-F's conv1 shapes, scaled down): im2col + GEMM against plain loops. */
    int cases[][5] = {{3, 4, 5, 2, 1}, {2, 5, 3, 1, 1}, {1, 3, 3, 0, 1}, {4, 2, 5, 1, 1},
                      {3, 4, 5, 2, 4}, {3, 2, 5, 0, 4}, {2, 3, 3, 1, 2}, {2, 3, 2, 0, 3}};
    dsml_rng rng;
    dsml_rng_seed(&rng, 5);
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
        int cin = cases[t][0], cout = cases[t][1], k = cases[t][2], pad = cases[t][3], stride = cases[t][4];
        int n = 2, h = 6, w = 7;
        size_t np = dsml_conv2d_param_count(cin, cout, k);
        float *params = malloc(np * sizeof(float)), *grads = calloc(np, sizeof(float));
        dsml_conv2d l;
        dsml_conv2d_init(&l, cin, cout, k, stride, pad, params, grads, &rng);
        int ho = dsml_conv2d_out_size(&l, h), wo = dsml_conv2d_out_size(&l, w);
        ck_assert_int_eq(ho, (h + 2 * pad - k) / stride + 1);
        size_t nx = (size_t)n * h * w * cin, ny = (size_t)n * ho * wo * cout;
        float *x = malloc(nx * sizeof(float)), *y = malloc(ny * sizeof(float)), *ref = malloc(ny * sizeof(float));
        float *col = malloc(dsml_conv2d_col_size(&l, n, h, w) * sizeof(float));
        ck_assert_uint_eq(dsml_conv2d_col_size(&l, n, h, w), (size_t)n * ho * wo * (k * k * cin + 1));
        nn_fill_normal(&rng, x, nx, 1.0f);
        dsml_conv2d_forward(&l, y, col, x, n, h, w);
        dsml_conv2d_forward_naive(&l, ref, x, n, h, w);
        for (size_t i = 0; i < ny; i++) ck_assert_float_eq_tol(y[i], ref[i], 1e-5);
        /* One output by hand: image 1, pixel (0, 0), filter 0 sees only the in-range taps. */
        double s = l.b[0];
        for (int ky = 0; ky < k; ky++)
            for (int kx = 0; kx < k; kx++)
                for (int ci = 0; ci < cin; ci++) {
                    int iy = ky - pad, ix = kx - pad;
                    if (iy < 0 || ix < 0 || iy >= h || ix >= w) continue;
                    s += (double)l.w[((ky * k + kx) * cin + ci) * cout] * x[(((size_t)h + iy) * w + ix) * cin + ci];
                }
        ck_assert_float_eq_tol(y[(size_t)ho * wo * cout], s, 1e-5);
        free(params), free(grads), free(x), free(y), free(ref), free(col);
    }
}
END_TEST

START_TEST(test_conv2d_gradients)
{
    /* cin, cout, k, pad, stride; the strided ones leave input pixels that no window reads (zero gradient). */
    int cases[][5] = {{2, 3, 3, 1, 1}, {3, 2, 5, 2, 1}, {2, 3, 3, 1, 2}, {2, 2, 3, 0, 4}, {3, 2, 5, 2, 3}};
    dsml_rng rng;
    dsml_rng_seed(&rng, 6);
    for (int t = 0; t < 5; t++) {
        conv_ctx c = {.n = 2, .h = 9, .w = 8};
        int cin = cases[t][0], cout = cases[t][1], k = cases[t][2], pad = cases[t][3];
        size_t np = dsml_conv2d_param_count(cin, cout, k);
        float *params = malloc(np * sizeof(float)), *grads = calloc(np, sizeof(float));
        dsml_conv2d_init(&c.l, cin, cout, k, cases[t][4], pad, params, grads, &rng);
        c.ho = dsml_conv2d_out_size(&c.l, c.h);
        c.wo = dsml_conv2d_out_size(&c.l, c.w);
        size_t nx = (size_t)c.n * c.h * c.w * cin, ny = (size_t)c.n * c.ho * c.wo * cout;
        c.x = malloc(nx * sizeof(float));
        c.y = malloc(ny * sizeof(float));
        c.r = malloc(ny * sizeof(float));
        c.col = malloc(dsml_conv2d_col_size(&c.l, c.n, c.h, c.w) * sizeof(float));
        float *dx = calloc(nx, sizeof(float));
        nn_fill_normal(&rng, c.x, nx, 1.0f);
        nn_fill_normal(&rng, c.r, ny, 1.0f);
        conv_objective(&c);
        dsml_conv2d_backward(&c.l, dx, c.r, c.col, c.n, c.h, c.w);
        int nw = k * k * cin * cout;
        nn_expect_pass("conv dx", gradcheck(conv_objective, &c, c.x, dx, (int)nx, 1, 1e-2, 1e-3), (int)nx, 0);
        nn_expect_pass("conv dW", gradcheck(conv_objective, &c, c.l.w, c.l.dw, nw, 1, 1e-2, 1e-3), nw, 0);
        nn_expect_pass("conv db", gradcheck(conv_objective, &c, c.l.b, c.l.db, cout, 1, 1e-2, 1e-3), cout, 0);
        /* A second backward (col recomputed) with dx NULL doubles the parameter gradients. */
        float db0 = c.l.db[0];
        conv_objective(&c);
        dsml_conv2d_backward(&c.l, NULL, c.r, c.col, c.n, c.h, c.w);
        ck_assert_float_eq_tol(c.l.db[0], 2 * db0, 1e-4 * fabsf(db0) + 1e-6);
        /* Image 1 alone, its im2col recomputed from x into a one-image col: the
         * same input gradient, bit for bit, as from the forward's col. */
        float *dx1 = malloc(nx * sizeof(float)), *one = nn_floats(dsml_conv2d_col_size(&c.l, 1, c.h, c.w));
        conv_objective(&c);
        size_t rows0 = (size_t)c.ho * c.wo;
        float *grad = nn_floats(dsml_conv2d_grad_size(&c.l));
        dsml_conv2d_backward_images(&c.l, dx1, c.r, one, c.x, 1, 2, c.h, c.w, grad, 0);
        dsml_conv2d_backward_images(&c.l, dx, c.r, c.col + rows0 * (k * k * cin + 1), NULL, 1, 2, c.h, c.w, grad, 0);
        ck_assert_int_eq(memcmp(dx1 + nx / 2, dx + nx / 2, nx / 2 * sizeof(float)), 0);
        free(dx1), free(one), free(grad);
        dsml_conv2d_free(&c.l);
        free(params), free(grads), free(c.x), free(c.y), free(c.r), free(c.col), free(dx);
    }
}
END_TEST

/* ---- relu ---- */

typedef struct {
    float *x, *y, *r;
    size_t n;
} relu_ctx;

static double relu_objective(void *p)
{
    relu_ctx *c = p;
    dsml_relu_forward(c->y, c->x, c->n);
    return nn_dot(c->y, c->r, c->n);
}

START_TEST(test_relu_gradients_and_kink)
{
    enum { N = 40 };
    dsml_rng rng;
    dsml_rng_seed(&rng, 7);
    float x[N], y[N], r[N], dx[N];
    for (int i = 0; i < N; i++) {
        float v = (float)dsml_rng_normal(&rng);
        x[i] = v > 0 ? v + 0.1f : v - 0.1f; /* away from the kink */
        r[i] = (float)dsml_rng_normal(&rng);
    }
    x[7] = 0.0f; /* exactly on the kink: PyTorch's subgradient 0, and gradcheck must skip it */
    relu_ctx c = {x, y, r, N};
    relu_objective(&c);
    ck_assert_float_eq(y[7], 0.0f);
    dsml_relu_backward(dx, r, y, N);
    ck_assert_float_eq(dx[7], 0.0f);
    gradcheck_result g = gradcheck(relu_objective, &c, x, dx, N, 1, 1e-3, 1e-3);
    nn_expect_pass("relu", g, N - 1, 1);
    ck_assert_int_eq(g.skipped_kinks, 1);
    for (int i = 0; i < N; i++) ck_assert_float_eq(y[i], x[i] > 0 ? x[i] : 0.0f);
    /* In place. */
    dsml_relu_backward(r, r, y, N);
    for (int i = 0; i < N; i++) ck_assert_float_eq(r[i], dx[i]);
}
END_TEST

/* ---- maxpool ---- */

typedef struct {
    float *x, *y, *r;
    unsigned char *arg;
    int n, h, w, c;
} pool_ctx;

static double pool_objective(void *p)
{
    pool_ctx *c = p;
    dsml_maxpool2d_forward(c->y, c->arg, c->x, c->n, c->h, c->w, c->c);
    return nn_dot(c->y, c->r, (size_t)c->n * c->h * c->w / 4 * c->c);
}

START_TEST(test_maxpool_ties_and_gradients)
{
    /* One 4x4 single-channel image, hand-made: window (0,0) no tie, (0,1) a tie
     * of 5s at top-left and bottom-right, (1,0) all equal, (1,1) a tie of -1s at
     * top-right and bottom-left. The first in row-major order wins. */
    float x[16] = {1, 2, 5, 0,
                   3, 0, 4, 5,
                   7, 7, -3, -1,
                   7, 7, -1, -2};
    float y[4], dy[4] = {10, 20, 30, 40}, dx[16];
    unsigned char arg[4];
    dsml_maxpool2d_forward(y, arg, x, 1, 4, 4, 1);
    float want_y[4] = {3, 5, 7, -1};
    unsigned char want_arg[4] = {2, 0, 0, 1};
    for (int i = 0; i < 4; i++) {
        ck_assert_float_eq(y[i], want_y[i]);
        ck_assert_uint_eq(arg[i], want_arg[i]);
    }
    dsml_maxpool2d_backward(dx, dy, arg, 1, 4, 4, 1);
    float want_dx[16] = {0, 0, 20, 0,
                         10, 0, 0, 0,
                         30, 0, 0, 40,
                         0, 0, 0, 0};
    for (int i = 0; i < 16; i++) ck_assert_float_eq(dx[i], want_dx[i]);

    /* gradcheck skips exactly the tied maxima (2 + 4 + 2 = 8) and checks the rest. */
    pool_ctx c = {x, y, dy, arg, 1, 4, 4, 1};
    pool_objective(&c);
    gradcheck_result g = gradcheck(pool_objective, &c, x, dx, 16, 1, 1e-2, 1e-3);
    nn_expect_pass("maxpool ties", g, 8, 8);
    ck_assert_int_eq(g.skipped_kinks, 8);

    /* Random NHWC input, several channels, no ties. */
    enum { N = 2, H = 4, W = 6, C = 3, NX = N * H * W * C, NY = NX / 4 };
    dsml_rng rng;
    dsml_rng_seed(&rng, 8);
    float rx[NX], ry[NY], rr[NY], rdx[NX];
    unsigned char rarg[NY];
    nn_fill_normal(&rng, rx, NX, 1.0f);
    nn_fill_normal(&rng, rr, NY, 1.0f);
    pool_ctx rc = {rx, ry, rr, rarg, N, H, W, C};
    pool_objective(&rc);
    /* Channels pool independently: output (image 1, 1, 2, channel 2) is the max of its window. */
    int b = 1, oy = 1, ox = 2, ch = 2;
    float m = -INFINITY;
    for (int dy2 = 0; dy2 < 2; dy2++)
        for (int dx2 = 0; dx2 < 2; dx2++)
            m = fmaxf(m, rx[(((b * H) + 2 * oy + dy2) * W + 2 * ox + dx2) * C + ch]);
    ck_assert_float_eq(ry[((b * H / 2 + oy) * W / 2 + ox) * C + ch], m);
    dsml_maxpool2d_backward(rdx, rr, rarg, N, H, W, C);
    nn_expect_pass("maxpool", gradcheck(pool_objective, &rc, rx, rdx, NX, 1, 1e-3, 1e-3), NX, 0);
}
END_TEST

/* ---- maxpool k x k / S ---- */

typedef struct {
    float *x, *y, *r;
    unsigned char *arg;
    int n, h, w, c, k, stride, ho, wo;
} window_ctx;

static double window_objective(void *p)
{
    window_ctx *c = p;
    dsml_maxpool2d_forward_window(c->y, c->arg, c->x, c->n, c->h, c->w, c->c, c->k, c->stride, c->ho, c->wo);
    return nn_dot(c->y, c->r, (size_t)c->n * c->ho * c->wo * c->c);
}

START_TEST(test_maxpool_window_sizes_ties_and_gradients)
{
    /* PyTorch's output sizes: AlexNet's floor pools, CNN-F's ceil pools (MatConvNet's pad [0 1 0 1]),
     * and ceil_mode's rule that a window must start inside the input (5 -> 2 with 2x2/3, not 3). */
    int sizes[][5] = {{55, 3, 2, 0, 27}, {56, 3, 2, 0, 27}, {27, 3, 2, 0, 13}, {13, 3, 2, 0, 6},
                      {54, 3, 2, 1, 27}, {27, 3, 2, 1, 13}, {13, 3, 2, 1, 6}, {8, 3, 2, 0, 3},
                      {8, 3, 2, 1, 4}, {5, 2, 3, 1, 2}, {4, 2, 2, 1, 2}, {3, 3, 2, 1, 1}};
    for (int i = 0; i < 12; i++)
        ck_assert_int_eq(dsml_maxpool2d_out_size(sizes[i][0], sizes[i][1], sizes[i][2], sizes[i][3]), sizes[i][4]);

    /* One 5x5 image, 3x3/2 ceil: 3x3 outputs, the last row and column of windows clipped
     * to 1 row / 1 column. Ties: the first in row-major order wins. */
    float x[25] = {1, 9, 9, 0, 2,
                   0, 0, 0, 0, 0,
                   9, 0, 0, 0, 7,
                   0, 0, 0, 0, 0,
                   3, 4, 5, 5, 6};
    float y[9], dy[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, dx[25];
    unsigned char arg[9];
    dsml_maxpool2d_forward_window(y, arg, x, 1, 5, 5, 1, 3, 2, 3, 3);
    float want_y[9] = {9, 9, 7, 9, 7, 7, 5, 6, 6};
    unsigned char want_arg[9] = {1, 0, 6, 0, 2, 0, 2, 2, 0};
    for (int i = 0; i < 9; i++) {
        ck_assert_float_eq(y[i], want_y[i]);
        ck_assert_uint_eq(arg[i], want_arg[i]);
    }
    /* Overlapping windows add their gradients. */
    dsml_maxpool2d_backward_window(dx, dy, arg, 1, 5, 5, 1, 3, 2, 3, 3);
    float want_dx[25] = {0, 1, 2, 0, 0,
                         0, 0, 0, 0, 0,
                         4, 0, 0, 0, 3 + 5 + 6,
                         0, 0, 0, 0, 0,
                         0, 0, 7, 0, 8 + 9};
    for (int i = 0; i < 25; i++) ck_assert_float_eq(dx[i], want_dx[i]);

    /* Random NHWC input, 3x3/2 floor and ceil, and 2x2/2 against the 2x2 kernel. */
    enum { N = 2, H = 7, W = 8, C = 3, NX = N * H * W * C };
    dsml_rng rng;
    dsml_rng_seed(&rng, 18);
    float rx[NX], ry[NX], rr[NX], rdx[NX], half[NX];
    unsigned char rarg[NX], half_arg[NX];
    nn_fill_normal(&rng, rx, NX, 1.0f);
    nn_fill_normal(&rng, rr, NX, 1.0f);
    for (int ceil_mode = 0; ceil_mode < 2; ceil_mode++) {
        window_ctx c = {rx, ry, rr, rarg, N, H, W, C, 3, 2, dsml_maxpool2d_out_size(H, 3, 2, ceil_mode),
                        dsml_maxpool2d_out_size(W, 3, 2, ceil_mode)};
        ck_assert_int_eq(c.ho, 3);
        ck_assert_int_eq(c.wo, ceil_mode ? 4 : 3);
        window_objective(&c);
        dsml_maxpool2d_backward_window(rdx, rr, rarg, N, H, W, C, 3, 2, c.ho, c.wo);
        nn_expect_pass(ceil_mode ? "maxpool 3/2 ceil" : "maxpool 3/2", gradcheck(window_objective, &c, rx, rdx, NX,
                       1, 1e-3, 1e-3), NX, 0);
    }
    window_ctx c = {rx, ry, rr, rarg, N, 6, W, C, 2, 2, 3, 4};
    window_objective(&c);
    dsml_maxpool2d_forward(half, half_arg, rx, N, 6, W, C);
    ck_assert_int_eq(memcmp(half, ry, sizeof(float) * N * 3 * 4 * C), 0);
    for (int i = 0; i < N * 3 * 4 * C; i++) ck_assert_uint_eq(half_arg[i], rarg[i] / 2 * 2 + rarg[i] % 2);
}
END_TEST

/* ---- lrn ---- */

typedef struct {
    dsml_lrn l;
    float *x, *y, *scale, *q, *r;
    size_t pixels;
    int c;
} lrn_ctx;

static double lrn_objective(void *p)
{
    lrn_ctx *c = p;
    dsml_lrn_forward(&c->l, c->y, c->scale, c->q, c->x, c->pixels, c->c);
    return nn_dot(c->y, c->r, c->pixels * c->c);
}

START_TEST(test_lrn_window_and_gradients)
{
    enum { P = 6, C = 7, NX = P * C };
    dsml_rng rng;
    dsml_rng_seed(&rng, 21);
    float x[NX], y[NX], scale[NX], q[NX], r[NX], dx[NX];
    nn_fill_normal(&rng, x, NX, 2.0f);
    nn_fill_normal(&rng, r, NX, 1.0f);
    /* Odd and even windows (PyTorch's: size 4 reaches 2 channels down, 1 up), one channel,
     * a window wider than the channels; alpha large enough that the normalisation matters. */
    int size[] = {5, 4, 1, 9};
    for (int t = 0; t < 4; t++) {
        lrn_ctx c = {{size[t], 0.8f, 0.75f, 2.0f}, x, y, scale, q, r, P, C};
        lrn_objective(&c);
        /* Pixel 1, channel 3 by hand, in double. */
        int lo = 3 - size[t] / 2, hi = 3 + (size[t] - 1) / 2;
        double sum = 0;
        for (int i = lo < 0 ? 0 : lo; i <= (hi < C ? hi : C - 1); i++) sum += (double)x[C + i] * x[C + i];
        double want = x[C + 3] * pow(2.0 + 0.8 / size[t] * sum, -0.75);
        ck_assert_double_eq_tol(y[C + 3], want, 1e-5 * fabs(want) + 1e-7);
        dsml_lrn_backward(&c.l, dx, r, x, scale, q, P, C);
        /* A smaller step than elsewhere: with one channel the curvature at |x| ~ 4 passes for a kink at 1e-2. */
        nn_expect_pass("lrn", gradcheck(lrn_objective, &c, x, dx, NX, 1, 3e-3, 1e-3), NX, 0);
        /* A backward missing the cross-channel term fails. */
        for (int i = 0; i < NX; i++) dx[i] = r[i] * scale[i];
        ck_assert_int_gt(gradcheck(lrn_objective, &c, x, dx, NX, 1, 1e-2, 1e-3).failed, 0);
    }
    /* CNN-F's parameters are MatConvNet's x / (2 + 1e-4 sum x^2)^0.75 with alpha 5 * 1e-4. */
    lrn_ctx f = {{5, 5e-4f, 0.75f, 2.0f}, x, y, scale, q, r, P, C};
    lrn_objective(&f);
    double s = 0;
    for (int i = 0; i <= 2; i++) s += (double)x[i] * x[i];
    ck_assert_double_eq_tol(y[0], x[0] / pow(2.0 + 1e-4 * s, 0.75), 1e-6);
}
END_TEST

/* ---- adaptive average pooling ---- */

typedef struct {
    float *x, *y, *r;
    int n, h, w, c, ho, wo;
} avg_ctx;

static double avg_objective(void *p)
{
    avg_ctx *c = p;
    dsml_avgpool_forward(c->y, c->x, c->n, c->h, c->w, c->c, c->ho, c->wo);
    return nn_dot(c->y, c->r, (size_t)c->n * c->ho * c->wo * c->c);
}

START_TEST(test_avgpool_bins_identity_and_gradients)
{
    /* 5 -> 3: PyTorch's bins [0, 2), [1, 4), [3, 5) overlap; 1 channel, one row. */
    float x[5] = {1, 2, 4, 8, 16}, y[3], dy[3] = {1, 2, 3}, dx[5];
    dsml_avgpool_forward(y, x, 1, 1, 5, 1, 1, 3);
    ck_assert_float_eq(y[0], 1.5f);
    ck_assert_float_eq(y[1], 14.0f / 3.0f);
    ck_assert_float_eq(y[2], 12.0f);
    dsml_avgpool_backward(dx, dy, 1, 1, 5, 1, 1, 3);
    float want_dx[5] = {0.5f, 0.5f + 2.0f / 3, 2.0f / 3, 2.0f / 3 + 1.5f, 1.5f};
    for (int i = 0; i < 5; i++) ck_assert_float_eq_tol(dx[i], want_dx[i], 1e-6);

    enum { N = 2, C = 3, NX = N * 6 * 5 * C };
    dsml_rng rng;
    dsml_rng_seed(&rng, 22);
    float rx[NX], ry[NX], rr[NX], rdx[NX];
    nn_fill_normal(&rng, rx, NX, 1.0f);
    nn_fill_normal(&rng, rr, NX, 1.0f);
    /* Overlapping bins (6x5 -> 4x3), bins repeating a pixel (2x3 -> 3x4), the identity. */
    int shapes[][4] = {{6, 5, 4, 3}, {2, 3, 3, 4}, {6, 5, 6, 5}};
    for (int t = 0; t < 3; t++) {
        avg_ctx c = {rx, ry, rr, N, shapes[t][0], shapes[t][1], C, shapes[t][2], shapes[t][3]};
        int nx = N * c.h * c.w * C;
        avg_objective(&c);
        dsml_avgpool_backward(rdx, rr, N, c.h, c.w, C, c.ho, c.wo);
        nn_expect_pass("avgpool", gradcheck(avg_objective, &c, rx, rdx, nx, 1, 1e-2, 1e-3), nx, 0);
        avg_objective(&c); /* gradcheck's last evaluation was at a moved x */
        if (t == 2) ck_assert_int_eq(memcmp(ry, rx, sizeof(float) * NX), 0); /* the identity is exact */
    }
}
END_TEST

/* ---- dropout ---- */

typedef struct {
    float *x, *y, *mask, *r;
    size_t n;
    float p;
} dropout_ctx;

static double dropout_objective(void *p)
{
    dropout_ctx *c = p;
    dsml_rng rng;
    dsml_rng_seed(&rng, 99); /* the same mask on every evaluation */
    dsml_dropout_forward(c->y, c->mask, c->x, c->n, c->p, &rng);
    return nn_dot(c->y, c->r, c->n);
}

START_TEST(test_dropout_statistics_and_gradients)
{
    enum { N = 20000 };
    float *x = malloc(N * sizeof(float)), *y = malloc(N * sizeof(float)), *mask = malloc(N * sizeof(float));
    float *r = malloc(N * sizeof(float)), *dx = malloc(N * sizeof(float));
    dsml_rng rng;
    dsml_rng_seed(&rng, 9);
    nn_fill_normal(&rng, x, N, 1.0f);
    nn_fill_normal(&rng, r, N, 1.0f);
    dropout_ctx c = {x, y, mask, r, N, 0.25f};
    dropout_objective(&c);
    int zeros = 0;
    for (int i = 0; i < N; i++) {
        if (mask[i] == 0.0f) zeros++;
        else ck_assert_float_eq(mask[i], 1.0f / 0.75f);
        ck_assert_float_eq(y[i], x[i] * mask[i]);
    }
    ck_assert_double_eq_tol(zeros / (double)N, 0.25, 0.015); /* 5 sigma */
    dsml_dropout_backward(dx, r, mask, N);
    nn_expect_pass("dropout", gradcheck(dropout_objective, &c, x, dx, N, 97, 1e-2, 1e-3), N / 97, 0);
    free(x), free(y), free(mask), free(r), free(dx);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"linear", 60, (const TTest *[]){test_linear_gradients, NULL}},
        {"conv2d", 60, (const TTest *[]){test_conv2d_forward_matches_direct, test_conv2d_gradients, NULL}},
        {"relu", 60, (const TTest *[]){test_relu_gradients_and_kink, NULL}},
        {"maxpool", 60, (const TTest *[]){test_maxpool_ties_and_gradients, test_maxpool_window_sizes_ties_and_gradients,
                                          NULL}},
        {"lrn", 60, (const TTest *[]){test_lrn_window_and_gradients, NULL}},
        {"avgpool", 60, (const TTest *[]){test_avgpool_bins_identity_and_gradients, NULL}},
        {"dropout", 60, (const TTest *[]){test_dropout_statistics_and_gradients, NULL}},
    };
    return suite_run_cases("layers", cases, SUITE_CASES(cases));
}
