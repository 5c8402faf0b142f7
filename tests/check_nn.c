/* Tests of src/nn: every layer's backward against finite differences, conv2d
 * against a direct convolution, max-pool ties, whole-model gradients, SGD
 * against hand-computed steps, PyTorch-style init, parameter files, argument
 * checks and determinism. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/gemm.h"
#include "core/rng.h"
#include "nn/conv2d.h"
#include "nn/dropout.h"
#include "nn/linear.h"
#include "nn/maxpool2d.h"
#include "nn/model.h"
#include "nn/relu.h"
#include "nn/sgd.h"
#include "support/gradcheck.h"
#include "support/testdir.h"
#include "support/suite_run.h"

static void fill_normal(dsml_rng *r, float *x, size_t n, float scale)
{
    for (size_t i = 0; i < n; i++) x[i] = scale * (float)dsml_rng_normal(r);
}

static double dot(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

/* Asserts a gradcheck passed on enough coordinates with at most max_skipped kinks. */
static void expect_pass(const char *what, gradcheck_result r, int min_checked, int max_skipped)
{
    if (r.failed)
        fprintf(stderr, "%s: %d of %d failed, worst index %d numeric %g analytic %g\n", what, r.failed, r.checked,
                r.worst_index, r.worst_numeric, r.worst_analytic);
    ck_assert_int_eq(r.failed, 0);
    ck_assert_int_ge(r.checked, min_checked);
    ck_assert_int_le(r.skipped_kinks, max_skipped);
}

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
    return dot(c->y, c->r, (size_t)c->n * c->l.out);
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
    fill_normal(&rng, x, N * I, 1.0f);
    fill_normal(&rng, r, N * O, 2.0f);
    /* Backward accumulates: start the gradient block at 1 and subtract it after. */
    for (int i = 0; i < O * I + O; i++) grads[i] = 1.0f;
    dsml_linear_backward(&c.l, dx, r, x, N);
    for (int i = 0; i < O * I + O; i++) grads[i] -= 1.0f;
    expect_pass("linear dx", gradcheck(linear_objective, &c, x, dx, N * I, 1, 1e-2, 1e-3), N * I, 0);
    expect_pass("linear dW", gradcheck(linear_objective, &c, c.l.w, c.l.dw, O * I, 1, 1e-2, 1e-3), O * I, 0);
    expect_pass("linear db", gradcheck(linear_objective, &c, c.l.b, c.l.db, O, 1, 1e-2, 1e-3), O, 0);
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
    return dot(c->y, c->r, (size_t)c->n * c->ho * c->wo * c->l.cout);
}

START_TEST(test_conv2d_forward_matches_direct)
{
    /* Non-square input, odd sizes, several paddings: im2col + GEMM against plain loops. */
    int cases[][5] = {{3, 4, 5, 2, 0}, {2, 5, 3, 1, 0}, {1, 3, 3, 0, 0}, {4, 2, 5, 1, 0}};
    dsml_rng rng;
    dsml_rng_seed(&rng, 5);
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
        int cin = cases[t][0], cout = cases[t][1], k = cases[t][2], pad = cases[t][3];
        int n = 2, h = 6, w = 7, ho = h + 2 * pad - k + 1, wo = w + 2 * pad - k + 1;
        size_t np = dsml_conv2d_param_count(cin, cout, k);
        float *params = malloc(np * sizeof(float)), *grads = calloc(np, sizeof(float));
        dsml_conv2d l;
        dsml_conv2d_init(&l, cin, cout, k, pad, params, grads, &rng);
        size_t nx = (size_t)n * h * w * cin, ny = (size_t)n * ho * wo * cout;
        float *x = malloc(nx * sizeof(float)), *y = malloc(ny * sizeof(float)), *ref = malloc(ny * sizeof(float));
        float *col = malloc(dsml_conv2d_col_size(&l, n, h, w) * sizeof(float));
        ck_assert_uint_eq(dsml_conv2d_col_size(&l, n, h, w), (size_t)n * ho * wo * (k * k * cin + 1));
        fill_normal(&rng, x, nx, 1.0f);
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
    int cases[][4] = {{2, 3, 3, 1}, {3, 2, 5, 2}};
    dsml_rng rng;
    dsml_rng_seed(&rng, 6);
    for (int t = 0; t < 2; t++) {
        conv_ctx c = {.n = 2, .h = 5, .w = 4};
        int cin = cases[t][0], cout = cases[t][1], k = cases[t][2], pad = cases[t][3];
        c.ho = c.h + 2 * pad - k + 1;
        c.wo = c.w + 2 * pad - k + 1;
        size_t np = dsml_conv2d_param_count(cin, cout, k);
        float *params = malloc(np * sizeof(float)), *grads = calloc(np, sizeof(float));
        dsml_conv2d_init(&c.l, cin, cout, k, pad, params, grads, &rng);
        size_t nx = (size_t)c.n * c.h * c.w * cin, ny = (size_t)c.n * c.ho * c.wo * cout;
        c.x = malloc(nx * sizeof(float));
        c.y = malloc(ny * sizeof(float));
        c.r = malloc(ny * sizeof(float));
        c.col = malloc(dsml_conv2d_col_size(&c.l, c.n, c.h, c.w) * sizeof(float));
        float *dx = malloc(nx * sizeof(float));
        fill_normal(&rng, c.x, nx, 1.0f);
        fill_normal(&rng, c.r, ny, 1.0f);
        conv_objective(&c);
        dsml_conv2d_backward(&c.l, dx, c.r, c.col, c.n, c.h, c.w);
        int nw = k * k * cin * cout;
        expect_pass("conv dx", gradcheck(conv_objective, &c, c.x, dx, (int)nx, 1, 1e-2, 1e-3), (int)nx, 0);
        expect_pass("conv dW", gradcheck(conv_objective, &c, c.l.w, c.l.dw, nw, 1, 1e-2, 1e-3), nw, 0);
        expect_pass("conv db", gradcheck(conv_objective, &c, c.l.b, c.l.db, cout, 1, 1e-2, 1e-3), cout, 0);
        /* A second backward (col recomputed) with dx NULL doubles the parameter gradients. */
        float db0 = c.l.db[0];
        conv_objective(&c);
        dsml_conv2d_backward(&c.l, NULL, c.r, c.col, c.n, c.h, c.w);
        ck_assert_float_eq_tol(c.l.db[0], 2 * db0, 1e-4 * fabsf(db0) + 1e-6);
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
    return dot(c->y, c->r, c->n);
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
    expect_pass("relu", g, N - 1, 1);
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
    return dot(c->y, c->r, (size_t)c->n * c->h * c->w / 4 * c->c);
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
    expect_pass("maxpool ties", g, 8, 8);
    ck_assert_int_eq(g.skipped_kinks, 8);

    /* Random NHWC input, several channels, no ties. */
    enum { N = 2, H = 4, W = 6, C = 3, NX = N * H * W * C, NY = NX / 4 };
    dsml_rng rng;
    dsml_rng_seed(&rng, 8);
    float rx[NX], ry[NY], rr[NY], rdx[NX];
    unsigned char rarg[NY];
    fill_normal(&rng, rx, NX, 1.0f);
    fill_normal(&rng, rr, NY, 1.0f);
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
    expect_pass("maxpool", gradcheck(pool_objective, &rc, rx, rdx, NX, 1, 1e-3, 1e-3), NX, 0);
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
    return dot(c->y, c->r, c->n);
}

START_TEST(test_dropout_statistics_and_gradients)
{
    enum { N = 20000 };
    float *x = malloc(N * sizeof(float)), *y = malloc(N * sizeof(float)), *mask = malloc(N * sizeof(float));
    float *r = malloc(N * sizeof(float)), *dx = malloc(N * sizeof(float));
    dsml_rng rng;
    dsml_rng_seed(&rng, 9);
    fill_normal(&rng, x, N, 1.0f);
    fill_normal(&rng, r, N, 1.0f);
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
    expect_pass("dropout", gradcheck(dropout_objective, &c, x, dx, N, 97, 1e-2, 1e-3), N / 97, 0);
    free(x), free(y), free(mask), free(r), free(dx);
}
END_TEST

/* ---- whole models ---- */

typedef struct {
    dsml_model *m;
    float *x, *r;
    int n, dim;
} model_ctx;

static double model_objective(void *p)
{
    model_ctx *c = p;
    dsml_rng rng;
    dsml_rng_seed(&rng, 1234); /* the same dropout mask on every evaluation */
    const float *h;
    ck_assert_int_eq(dsml_model_forward(c->m, c->x, c->n, 1, &rng, &h), DSML_OK);
    return dot(h, c->r, (size_t)c->n * c->dim);
}

/* Counts from check_sampled. */
typedef struct {
    int checked, failed, kinks, rescued;
} sampled_result;

/* Gradcheck of the coordinates 0, step, 2*step, ... of x. In a whole network
 * a step of 1e-3 on one weight moves thousands of units, and a few cross a
 * ReLU or max-pool kink by a fraction of the step: the one-sided differences
 * then differ by less than gradcheck's kink threshold while the central
 * difference is a few percent off. So a coordinate that fails is checked
 * again at a step 4x smaller and 4x larger; it counts as a kink ("rescued")
 * only if one of them agrees, and a real error fails at every step. */
static sampled_result check_sampled(model_ctx *c, float *x, const float *analytic, int len, int step, double tol)
{
    sampled_result s = {0};
    for (int i = 0; i < len; i += step) {
        gradcheck_result g = gradcheck(model_objective, c, x + i, analytic + i, 1, 1, 1e-3, tol);
        if (g.skipped_kinks) {
            s.kinks++;
            continue;
        }
        s.checked++;
        if (!g.failed) continue;
        gradcheck_result small = gradcheck(model_objective, c, x + i, analytic + i, 1, 1, 2.5e-4, tol);
        gradcheck_result large = gradcheck(model_objective, c, x + i, analytic + i, 1, 1, 4e-3, tol);
        if ((small.checked && !small.failed) || (large.checked && !large.failed)) {
            s.rescued++;
            continue;
        }
        s.failed++;
    }
    return s;
}

/* Gradcheck of every parameter tensor of a model (about `samples` coordinates
 * each), with a shifted gradient that must fail. */
static void check_model_gradients(const dsml_model_config *cfg, const size_t *blocks, int n_blocks, int samples)
{
    dsml_rng rng;
    /* A seed whose networks have no unit within ~1e-4 of a kink: such a unit is
     * straddled by every step and pulls every coordinate off (about 1 seed in 4). */
    dsml_rng_seed(&rng, 25);
    dsml_model *m;
    ck_assert_int_eq(dsml_model_create(&m, cfg, &rng), DSML_OK);
    int n = 2, row = cfg->channels * cfg->height * cfg->width;
    model_ctx c = {m, malloc(sizeof(float) * n * row), malloc(sizeof(float) * n * cfg->dim), n, cfg->dim};
    fill_normal(&rng, c.x, (size_t)n * row, 1.0f);
    fill_normal(&rng, c.r, (size_t)n * cfg->dim, 10.0f); /* gradients of order 1 */
    model_objective(&c);
    dsml_model_zero_grad(m);
    ck_assert_int_eq(dsml_model_backward(m, c.r, n), DSML_OK);
    size_t count;
    float *params = dsml_model_params(m, &count);
    float *grads = dsml_model_grads(m, &count);
    size_t off = 0;
    double largest = 0;
    for (int b = 0; b < n_blocks; b++) {
        int len = (int)blocks[b], step = len / samples > 1 ? len / samples : 1, sampled = (len + step - 1) / step;
        sampled_result s = check_sampled(&c, params + off, grads + off, len, step, 1e-2);
        if (s.failed)
            fprintf(stderr, "%s tensor %d: %d checked, %d kinks, %d rescued, %d failed\n",
                    dsml_model_kind_name(cfg->kind), b, s.checked, s.kinks, s.rescued, s.failed);
        ck_assert_int_eq(s.failed, 0);
        ck_assert_int_le(s.kinks + s.rescued, sampled / 10 + 1); /* kinks stay rare */
        for (int i = 0; i < len; i += step) largest = fmax(largest, fabs(grads[off + i]));
        off += blocks[b];
    }
    ck_assert_uint_eq(off, count);
    ck_assert_double_gt(largest, 1.0); /* so the tolerance is relative where it matters */
    /* A gradient shifted by 0.1 is caught. */
    for (size_t i = 0; i < blocks[0]; i++) grads[i] += 0.1f;
    sampled_result bad = check_sampled(&c, params, grads, (int)blocks[0], 1, 1e-2);
    ck_assert_int_gt(bad.failed, (int)blocks[0] / 2);
    free(c.x), free(c.r);
    dsml_model_free(m);
}

START_TEST(test_convnet_gradients)
{
    /* 3 channels exercises the CHW -> NHWC path; 8x4 is the smallest non-square input. */
    dsml_model_config cfg = {.kind = DSML_MODEL_CONVNET, .channels = 3, .height = 8, .width = 4, .dim = 5,
                             .max_batch = 4, .dropout = 0.3f};
    size_t fc_in = 2 * 1 * 64;
    size_t blocks[] = {5 * 5 * 3 * 32, 32, 5 * 5 * 32 * 64, 64, 256 * fc_in, 256, 5 * 256, 5};
    check_model_gradients(&cfg, blocks, 8, 150);
}
END_TEST

START_TEST(test_mlp_gradients)
{
    dsml_model_config cfg = {.kind = DSML_MODEL_MLP, .channels = 2, .height = 3, .width = 3, .dim = 4,
                             .hidden = {7, 6}, .n_hidden = 2, .max_batch = 3, .dropout = 0.25f};
    size_t blocks[] = {7 * 18, 7, 6 * 7, 6, 4 * 6, 4};
    check_model_gradients(&cfg, blocks, 6, 200);
}
END_TEST

/* ---- SGD ---- */

START_TEST(test_sgd_two_steps_by_hand)
{
    dsml_sgd opt;
    ck_assert_int_eq(dsml_sgd_init(&opt, 2, 0.1f, 0.9f, 0.01f), DSML_OK);
    float p[2] = {1.0f, -2.0f};
    float g1[2] = {0.5f, 0.1f}, g2[2] = {-0.2f, 0.3f};
    /* step 1: g = 0.5 + 0.01*1 = 0.51, v = 0.51, p = 1 - 0.051 = 0.949;
     *         g = 0.1 + 0.01*(-2) = 0.08, v = 0.08, p = -2 - 0.008 = -2.008 */
    dsml_sgd_step(&opt, p, g1);
    ck_assert_float_eq_tol(p[0], 0.949f, 1e-6);
    ck_assert_float_eq_tol(p[1], -2.008f, 1e-6);
    ck_assert_float_eq_tol(opt.velocity[0], 0.51f, 1e-6);
    /* step 2: g = -0.2 + 0.01*0.949 = -0.19051, v = 0.9*0.51 - 0.19051 = 0.26849,
     *         p = 0.949 - 0.026849 = 0.922151;
     *         g = 0.3 + 0.01*(-2.008) = 0.27992, v = 0.9*0.08 + 0.27992 = 0.35192,
     *         p = -2.008 - 0.035192 = -2.043192 */
    dsml_sgd_step(&opt, p, g2);
    ck_assert_float_eq_tol(opt.velocity[0], 0.26849f, 1e-6);
    ck_assert_float_eq_tol(opt.velocity[1], 0.35192f, 1e-6);
    ck_assert_float_eq_tol(p[0], 0.922151f, 1e-6);
    ck_assert_float_eq_tol(p[1], -2.043192f, 1e-6);
    ck_assert_float_eq(g2[0], -0.2f); /* gradients untouched */
    dsml_sgd_free(&opt);
    ck_assert_ptr_null(opt.velocity);
    ck_assert_int_eq(dsml_sgd_init(&opt, 2, -0.1f, 0.9f, 0.0f), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "learning rate -0.1"));
    ck_assert_int_eq(dsml_sgd_init(&opt, 2, 0.1f, NAN, 0.0f), DSML_ERR_ARG);
}
END_TEST

/* ---- init ---- */

static void expect_uniform(const float *w, size_t n, double bound)
{
    double s = 0, s2 = 0, biggest = 0;
    for (size_t i = 0; i < n; i++) {
        ck_assert_double_lt(fabs(w[i]), bound);
        s += w[i];
        s2 += (double)w[i] * w[i];
        biggest = fmax(biggest, fabs(w[i]));
    }
    double mean = s / n, var = s2 / n - mean * mean, want_var = bound * bound / 3;
    /* Tolerances are about 5 standard errors of the estimates. */
    ck_assert_double_eq_tol(mean, 0.0, 5 * sqrt(want_var / n));
    ck_assert_double_eq_tol(var, want_var, 5 * want_var * sqrt(0.8 / n));
    ck_assert_double_gt(biggest, bound * (1 - 20.0 / n));
}

/* Norm 5 (3, 4, 0): clipped to 2.5 it becomes (1.5, 2, 0); a norm under the
 * limit, or exactly at it, is left alone; the norm before clipping is returned. */
START_TEST(test_clip_grad_norm_by_hand)
{
    float g[3] = {3, 4, 0};
    ck_assert_double_eq_tol(dsml_clip_grad_norm(g, 3, 2.5f), 5.0, 1e-12);
    ck_assert_float_eq_tol(g[0], 1.5f, 1e-6);
    ck_assert_float_eq_tol(g[1], 2.0f, 1e-6);
    ck_assert_float_eq(g[2], 0.0f);
    float h[2] = {-0.6f, 0.8f};
    ck_assert_double_eq_tol(dsml_clip_grad_norm(h, 2, 5.0f), 1.0, 1e-7);
    ck_assert_float_eq(h[0], -0.6f);
    ck_assert_float_eq(h[1], 0.8f);
    dsml_clip_grad_norm(h, 2, 1.0f); /* at the limit: unchanged */
    ck_assert_float_eq(h[0], -0.6f);
}
END_TEST

START_TEST(test_init_matches_pytorch_default)
{
    dsml_model_config cfg = {.kind = DSML_MODEL_CONVNET, .channels = 1, .height = 28, .width = 28, .dim = 32,
                             .max_batch = 2};
    dsml_rng rng;
    dsml_rng_seed(&rng, 3);
    dsml_model *m;
    ck_assert_int_eq(dsml_model_create(&m, &cfg, &rng), DSML_OK);
    size_t count;
    const float *p = dsml_model_params(m, &count);
    /* conv1 800+32, conv2 51200+64, fc1 3136*256+256, fc2 256*32+32 */
    ck_assert_uint_eq(count, 863392);
    expect_uniform(p + 832, 51200, 1 / sqrt(800.0));          /* conv2 weight, fan_in 32*5*5 */
    expect_uniform(p + 52096, 802816, 1 / sqrt(3136.0));      /* fc1 weight, fan_in 7*7*64 */
    expect_uniform(p + 52096 + 802816, 256, 1 / sqrt(3136.0)); /* fc1 bias: same bound */
    const float *g = dsml_model_grads(m, &count);
    for (size_t i = 0; i < count; i++) ck_assert_float_eq(g[i], 0.0f);
    char buf[128];
    dsml_model_describe(m, buf, sizeof buf);
    ck_assert_str_eq(buf, "convnet 1x28x28 -> 32, 863,392 parameters");
    /* GEMM flops by hand: conv1 2*784*32*25, conv2 2*196*64*800, fc1 2*3136*256, fc2 2*256*32. */
    double fwd = 1254400.0 + 20070400.0 + 1605632.0 + 16384.0;
    ck_assert_double_eq_tol(dsml_model_flops_per_image(m, 0), fwd, 0.5);
    ck_assert_double_eq_tol(dsml_model_flops_per_image(m, 1), 3 * fwd - 1254400.0, 0.5);
    dsml_model_free(m);

    dsml_model_config mlp = {.kind = DSML_MODEL_MLP, .channels = 1, .height = 28, .width = 28, .dim = 32,
                             .hidden = {256}, .n_hidden = 1, .max_batch = 2, .dropout = 0.5f};
    ck_assert_int_eq(dsml_model_create(&m, &mlp, &rng), DSML_OK);
    dsml_model_describe(m, buf, sizeof buf);
    ck_assert_str_eq(buf, "mlp 1x28x28 -> 256 -> 32, 209,184 parameters, dropout 0.5");
    p = dsml_model_params(m, &count);
    expect_uniform(p, 784 * 256, 1 / sqrt(784.0));
    expect_uniform(p + 784 * 256 + 256, 256 * 32, 1 / sqrt(256.0));
    dsml_model_free(m);
}
END_TEST

/* ---- files ---- */

static dsml_model *small_convnet(uint64_t seed, int dim)
{
    dsml_model_config cfg = {.kind = DSML_MODEL_CONVNET, .channels = 1, .height = 8, .width = 8, .dim = dim,
                             .max_batch = 4};
    dsml_rng rng;
    dsml_rng_seed(&rng, seed);
    dsml_model *m;
    ck_assert_int_eq(dsml_model_create(&m, &cfg, &rng), DSML_OK);
    return m;
}

static void write_bytes(const char *path, const void *data, size_t size)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(data, 1, size, fp), size);
    fclose(fp);
}

START_TEST(test_save_load_round_trip_and_corrupt_files)
{
    ck_assert_ptr_nonnull(testdir_make("nn"));
    dsml_model *a = small_convnet(1, 6), *b = small_convnet(2, 6);
    const char *path = testdir_path("model.bin");
    ck_assert_int_eq(dsml_model_save(a, path), DSML_OK);
    size_t count;
    float *pa = dsml_model_params(a, &count), *pb = dsml_model_params(b, NULL);
    ck_assert_int_ne(memcmp(pa, pb, count * sizeof(float)), 0);
    ck_assert_int_eq(dsml_model_load_params(b, path), DSML_OK);
    ck_assert_int_eq(memcmp(pa, pb, count * sizeof(float)), 0);

    /* The file is exactly header + floats, and starts with the magic. */
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    size_t size = 76 + count * sizeof(float);
    unsigned char *bytes = malloc(size + 1);
    ck_assert_uint_eq(fread(bytes, 1, size + 1, fp), size);
    fclose(fp);
    ck_assert_int_eq(memcmp(bytes, "DSMLMDL1", 8), 0);

    dsml_model *c = small_convnet(3, 6);
    float *pc = dsml_model_params(c, NULL);
    float first = pc[0];
    const char *bad = testdir_path("bad.bin");
    /* Bad magic. */
    bytes[0] = 'X';
    write_bytes(bad, bytes, size);
    ck_assert_int_eq(dsml_model_load_params(c, bad), DSML_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "not a dsml model file"));
    bytes[0] = 'D';
    /* Truncated by one float. */
    write_bytes(bad, bytes, size - 4);
    ck_assert_int_eq(dsml_model_load_params(c, bad), DSML_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "truncated"));
    /* A trailing byte. */
    bytes[size] = 0;
    write_bytes(bad, bytes, size + 1);
    ck_assert_int_eq(dsml_model_load_params(c, bad), DSML_ERR_FORMAT);
    /* A NaN parameter. */
    float nan = NAN;
    memcpy(bytes + 76 + 8, &nan, 4);
    write_bytes(bad, bytes, size);
    ck_assert_int_eq(dsml_model_load_params(c, bad), DSML_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "parameter 2 is nan"));
    /* Header only. */
    write_bytes(bad, bytes, 40);
    ck_assert_int_eq(dsml_model_load_params(c, bad), DSML_ERR_FORMAT);
    ck_assert_float_eq(pc[0], first); /* failed loads leave the model alone */
    /* Missing file. */
    ck_assert_int_eq(dsml_model_load_params(c, testdir_path("missing.bin")), DSML_ERR_IO);

    /* Another architecture: dim 7 against a file of dim 6. */
    dsml_model *d = small_convnet(4, 7);
    ck_assert_int_eq(dsml_model_load_params(d, path), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "dim 6 in the file, the model has 7"));
    free(bytes);
    dsml_model_free(a), dsml_model_free(b), dsml_model_free(c), dsml_model_free(d);
    testdir_done(1);
}
END_TEST

/* ---- arguments ---- */

START_TEST(test_bad_arguments_rejected)
{
    dsml_model *m = small_convnet(1, 4);
    float x[5 * 64] = {0}, dh[5 * 4] = {0};
    const float *h;
    ck_assert_int_eq(dsml_model_forward(m, x, 5, 0, NULL, &h), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "batch of 5 images, expected 1..4"));
    ck_assert_int_eq(dsml_model_forward(m, x, 0, 0, NULL, &h), DSML_ERR_ARG);
    ck_assert_int_eq(dsml_model_backward(m, dh, 2), DSML_ERR_STATE);
    ck_assert_int_eq(dsml_model_forward(m, x, 4, 0, NULL, &h), DSML_OK);
    ck_assert_int_eq(dsml_model_backward(m, dh, 4), DSML_ERR_STATE); /* inference keeps nothing */
    ck_assert_int_eq(dsml_model_forward(m, x, 3, 1, NULL, &h), DSML_OK);
    ck_assert_int_eq(dsml_model_backward(m, dh, 2), DSML_ERR_ARG);
    ck_assert_int_eq(dsml_model_backward(m, dh, 3), DSML_OK);
    ck_assert_int_eq(dsml_model_backward(m, dh, 3), DSML_ERR_STATE); /* consumed */
    dsml_model_free(m);

    dsml_rng rng;
    dsml_rng_seed(&rng, 1);
    dsml_model_config cfg = {.kind = DSML_MODEL_CONVNET, .channels = 1, .height = 30, .width = 28, .dim = 4,
                             .max_batch = 4};
    ck_assert_int_eq(dsml_model_create(&m, &cfg, &rng), DSML_ERR_ARG);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "divisible by 4"));
    cfg.height = 28;
    cfg.dropout = 1.0f;
    ck_assert_int_eq(dsml_model_create(&m, &cfg, &rng), DSML_ERR_ARG);
    cfg.dropout = 0.5f;
    cfg.max_batch = 0;
    ck_assert_int_eq(dsml_model_create(&m, &cfg, &rng), DSML_ERR_ARG);
    cfg.max_batch = 2;
    ck_assert_int_eq(dsml_model_create(&m, &cfg, &rng), DSML_OK);
    ck_assert_int_eq(dsml_model_forward(m, x, 1, 1, NULL, &h), DSML_ERR_ARG); /* dropout needs an rng */
    dsml_model_free(m);
    dsml_model_config mlp = {.kind = DSML_MODEL_MLP, .channels = 1, .height = 2, .width = 2, .dim = 4,
                             .n_hidden = 9, .max_batch = 2};
    ck_assert_int_eq(dsml_model_create(&m, &mlp, &rng), DSML_ERR_ARG);

    dsml_model_kind kind = DSML_MODEL_MLP;
    ck_assert_int_eq(dsml_model_parse_kind("convnet", &kind), DSML_OK);
    ck_assert_int_eq(kind, DSML_MODEL_CONVNET);
    ck_assert_int_eq(dsml_model_parse_kind("resnet", &kind), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "resnet"));
    ck_assert_int_eq(kind, DSML_MODEL_CONVNET);
    ck_assert_str_eq(dsml_model_kind_name(DSML_MODEL_MLP), "mlp");
}
END_TEST

/* ---- determinism ---- */

/* Two SGD steps with dropout on a 3x12x12 convnet; returns the model. */
static dsml_model *train_two_steps(uint64_t seed, float *emb_out)
{
    dsml_model_config cfg = {.kind = DSML_MODEL_CONVNET, .channels = 3, .height = 12, .width = 12, .dim = 8,
                             .max_batch = 16, .dropout = 0.2f};
    dsml_rng rng, data, drop;
    dsml_rng_seed(&rng, seed);
    dsml_rng_seed(&data, 77);
    dsml_rng_seed(&drop, 78);
    dsml_model *m;
    ck_assert_int_eq(dsml_model_create(&m, &cfg, &rng), DSML_OK);
    size_t count;
    float *p = dsml_model_params(m, &count), *g = dsml_model_grads(m, NULL);
    dsml_sgd opt;
    ck_assert_int_eq(dsml_sgd_init(&opt, count, 0.05f, 0.9f, 1e-3f), DSML_OK);
    enum { N = 16, ROW = 3 * 12 * 12 };
    float *x = malloc(sizeof(float) * N * ROW), dh[N * 8];
    for (int step = 0; step < 2; step++) {
        fill_normal(&data, x, N * ROW, 1.0f);
        const float *h;
        ck_assert_int_eq(dsml_model_forward(m, x, N, 1, &drop, &h), DSML_OK);
        for (int i = 0; i < N * 8; i++) dh[i] = h[i] - 0.1f * (i % 8);
        dsml_model_zero_grad(m);
        ck_assert_int_eq(dsml_model_backward(m, dh, N), DSML_OK);
        dsml_sgd_step(&opt, p, g);
    }
    const float *h;
    ck_assert_int_eq(dsml_model_forward(m, x, N, 0, NULL, &h), DSML_OK);
    memcpy(emb_out, h, sizeof(float) * N * 8);
    free(x);
    dsml_sgd_free(&opt);
    return m;
}

START_TEST(test_determinism_two_threads)
{
    dsml_set_threads(2);
    float e1[16 * 8], e2[16 * 8], e3[16 * 8];
    dsml_model *a = train_two_steps(5, e1), *b = train_two_steps(5, e2), *c = train_two_steps(6, e3);
    size_t count;
    float *pa = dsml_model_params(a, &count);
    ck_assert_int_eq(memcmp(pa, dsml_model_params(b, NULL), count * sizeof(float)), 0);
    ck_assert_int_eq(memcmp(dsml_model_grads(a, NULL), dsml_model_grads(b, NULL), count * sizeof(float)), 0);
    ck_assert_int_eq(memcmp(e1, e2, sizeof e1), 0);
    ck_assert_int_ne(memcmp(pa, dsml_model_params(c, NULL), count * sizeof(float)), 0);
    ck_assert_int_ne(memcmp(e1, e3, sizeof e1), 0);
    for (int i = 0; i < 16 * 8; i++) ck_assert(isfinite(e1[i]));
    dsml_model_free(a), dsml_model_free(b), dsml_model_free(c);
    dsml_set_threads(1);
}
END_TEST

START_TEST(test_convnet_chunks_add_up)
{
    /* 90 Fashion-MNIST-sized images: the trunk runs them in chunks, more chunks
     * than weight-gradient groups. The gradients must not depend on the thread
     * count, and two half batches must add up to the whole batch. */
    enum { N = 90, HALF = 45, DIM = 8, PIXELS = 28 * 28 };
    dsml_model_config cfg = {.kind = DSML_MODEL_CONVNET, .channels = 1, .height = 28, .width = 28, .dim = DIM,
                             .max_batch = N};
    dsml_rng rng;
    dsml_rng_seed(&rng, 9);
    dsml_model *m;
    ck_assert_int_eq(dsml_model_create(&m, &cfg, &rng), DSML_OK);
    float *x = malloc(sizeof(float) * N * PIXELS), r[N * DIM], e[2][N * DIM];
    fill_normal(&rng, x, (size_t)N * PIXELS, 1.0f);
    fill_normal(&rng, r, (size_t)N * DIM, 1.0f);
    size_t count;
    dsml_model_params(m, &count);
    float *g[3];
    for (int t = 0; t < 2; t++) {
        dsml_set_threads(2 - t);
        const float *h;
        dsml_model_zero_grad(m);
        ck_assert_int_eq(dsml_model_forward(m, x, N, 1, NULL, &h), DSML_OK);
        memcpy(e[t], h, sizeof e[t]);
        ck_assert_int_eq(dsml_model_backward(m, r, N), DSML_OK);
        g[t] = malloc(count * sizeof(float));
        memcpy(g[t], dsml_model_grads(m, NULL), count * sizeof(float));
    }
    ck_assert_int_eq(memcmp(e[0], e[1], sizeof e[0]), 0);
    ck_assert_int_eq(memcmp(g[0], g[1], count * sizeof(float)), 0);
    dsml_model_zero_grad(m);
    for (int part = 0; part < 2; part++) {
        const float *h;
        ck_assert_int_eq(dsml_model_forward(m, x + (size_t)part * HALF * PIXELS, HALF, 1, NULL, &h), DSML_OK);
        ck_assert_int_eq(dsml_model_backward(m, r + part * HALF * DIM, HALF), DSML_OK);
    }
    g[2] = dsml_model_grads(m, NULL);
    double largest = 0;
    for (size_t i = 0; i < count; i++) largest = fmax(largest, fabs(g[0][i]));
    ck_assert_double_gt(largest, 0.1);
    for (size_t i = 0; i < count; i++) ck_assert_float_eq_tol(g[2][i], g[0][i], 1e-5 * largest);
    free(g[0]), free(g[1]), free(x);
    dsml_model_free(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("nn");
    TCase *tc = tcase_create("nn");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_linear_gradients);
    tcase_add_test(tc, test_conv2d_forward_matches_direct);
    tcase_add_test(tc, test_conv2d_gradients);
    tcase_add_test(tc, test_relu_gradients_and_kink);
    tcase_add_test(tc, test_maxpool_ties_and_gradients);
    tcase_add_test(tc, test_dropout_statistics_and_gradients);
    tcase_add_test(tc, test_convnet_gradients);
    tcase_add_test(tc, test_mlp_gradients);
    tcase_add_test(tc, test_sgd_two_steps_by_hand);
    tcase_add_test(tc, test_clip_grad_norm_by_hand);
    tcase_add_test(tc, test_init_matches_pytorch_default);
    tcase_add_test(tc, test_save_load_round_trip_and_corrupt_files);
    tcase_add_test(tc, test_bad_arguments_rejected);
    tcase_add_test(tc, test_determinism_two_threads);
    tcase_add_test(tc, test_convnet_chunks_add_up);
    suite_add_tcase(s, tc);
    return suite_run(s);
}
