/* Tests of the Winograd convolutions, F(2x2, 5x5) and F(2x2, 3x3): forward
 * against the direct convolution, backward against finite differences and
 * against the im2col layer's backward (on the convnet's and AlexNet's
 * shapes), image ranges that add up to the whole batch, its small GEMM
 * kernels against the naive GEMM, and the shapes it accepts (the executor
 * runs a conv layer as Winograd exactly where it says so). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/gemm.h"
#include "core/rng.h"
#include "nn/conv2d.h"
#include "nn/winograd.h"
#include "nn/winograd_gemm.h"
#include "support/gradcheck.h"
#include "support/nn_fixtures.h"
#include "support/suite_run.h"

/* A layer with its parameters, gradients and the Winograd buffers for n images
 * of h x w. */
typedef struct {
    dsml_conv2d l;
    float *params, *grads, *u, *v, *m, *x, *y, *r, *slot;
    int n, h, w;
} wino_ctx;

/* k: 5 (pad 2) or 3 (pad 1). */
static void ctx_init(wino_ctx *c, dsml_rng *rng, int k, int cin, int cout, int n, int h, int w)
{
    memset(c, 0, sizeof *c);
    c->n = n, c->h = h, c->w = w;
    size_t np = dsml_conv2d_param_count(cin, cout, k);
    c->params = nn_floats(np);
    c->grads = nn_floats(np);
    dsml_conv2d_init(&c->l, cin, cout, k, 1, k / 2, c->params, c->grads, rng);
    c->u = nn_floats(dsml_winograd_u_size(&c->l));
    c->v = nn_floats(dsml_winograd_v_size(&c->l, n, h, w));
    c->m = nn_floats(dsml_winograd_m_size(&c->l, n, h, w));
    c->slot = nn_floats(dsml_winograd_grad_size(&c->l));
    c->x = nn_floats((size_t)n * h * w * cin);
    c->y = nn_floats((size_t)n * h * w * cout);
    c->r = nn_floats((size_t)n * h * w * cout);
    nn_fill_normal(rng, c->x, (size_t)n * h * w * cin, 1.0f);
    nn_fill_normal(rng, c->r, (size_t)n * h * w * cout, 1.0f);
}

static void ctx_free(wino_ctx *c)
{
    free(c->params), free(c->grads), free(c->u), free(c->v), free(c->m), free(c->slot);
    free(c->x), free(c->y), free(c->r);
}

static void forward(wino_ctx *c)
{
    dsml_winograd_transform_weights(&c->l, c->u);
    dsml_winograd_forward_images(&c->l, c->u, c->y, c->v, c->m, c->x, 0, c->n, c->h, c->w);
}

static double objective(void *p)
{
    wino_ctx *c = p;
    forward(c);
    double s = 0;
    for (size_t i = 0; i < (size_t)c->n * c->h * c->w * c->l.cout; i++) s += (double)c->y[i] * c->r[i];
    return s;
}

/* Backward of objective: dx, and the layer's dW, db (overwritten). */
static void backward(wino_ctx *c, float *dx)
{
    forward(c);
    dsml_winograd_transpose_weights(&c->l, c->u);
    dsml_winograd_backward_images(&c->l, c->u, dx, c->r, c->x, c->v, c->m, 0, c->n, c->h, c->w, c->slot, 0);
    memset(c->grads, 0, dsml_conv2d_param_count(c->l.cin, c->l.cout, c->l.k) * sizeof(float));
    dsml_winograd_weight_grad(&c->l, c->slot, c->l.dw, c->l.db);
}

/* Worst |y - ref| against the largest |ref| over len values. */
static void max_errors(const float *y, const float *ref, size_t len, double *largest, double *worst)
{
    *largest = 0, *worst = 0;
    for (size_t i = 0; i < len; i++) {
        *largest = fmax(*largest, fabs(ref[i]));
        *worst = fmax(*worst, fabs(y[i] - ref[i]));
    }
}

/* Forward of each case {k, cin, cout, h, w} on 3 images, as two image ranges
 * (each with m for its own images only), against the direct convolution:
 * within tol of the output's largest value. */
static void check_forward(const int (*cases)[5], size_t count, double tol, uint64_t seed)
{
    dsml_rng rng;
    dsml_rng_seed(&rng, seed);
    for (size_t t = 0; t < count; t++) {
        wino_ctx c;
        ctx_init(&c, &rng, cases[t][0], cases[t][1], cases[t][2], 3, cases[t][3], cases[t][4]);
        size_t ny = (size_t)c.n * c.h * c.w * c.l.cout;
        float *ref = nn_floats(ny), *m2 = nn_floats(dsml_winograd_m_size(&c.l, 2, c.h, c.w));
        dsml_conv2d_forward_naive(&c.l, ref, c.x, c.n, c.h, c.w);
        dsml_winograd_transform_weights(&c.l, c.u);
        dsml_winograd_forward_images(&c.l, c.u, c.y, c.v, c.m, c.x, 0, 1, c.h, c.w);
        dsml_winograd_forward_images(&c.l, c.u, c.y, c.v, m2, c.x, 1, 3, c.h, c.w);
        double largest, worst;
        max_errors(c.y, ref, ny, &largest, &worst);
        ck_assert_double_gt(largest, 0.1);
        if (worst > tol * largest) fprintf(stderr, "case %zu: error %g of %g\n", t, worst, largest);
        ck_assert_double_le(worst, tol * largest);
        free(ref), free(m2);
        ctx_free(&c);
    }
}

START_TEST(test_forward_matches_direct)
{
    /* The convnet's shapes (14x14, 16x16, 32 -> 64), AlexNet's conv2 (64 ->
     * 192 on 27x27, one image's worth of channels beyond the convnet's), odd
     * and tiny images (partial tiles, patches wider than the image). */
    const int cases[][5] = {{5, 32, 64, 14, 14}, {5, 32, 64, 16, 16}, {5, 64, 192, 27, 27}, {5, 3, 4, 7, 9},
                            {5, 2, 5, 1, 1},     {5, 1, 1, 2, 3},     {5, 5, 3, 6, 5}};
    check_forward(cases, sizeof cases / sizeof cases[0], 1e-5, 21);
}
END_TEST

START_TEST(test_forward_3x3_matches_direct)
{
    /* AlexNet's conv3-5 on 13x13 (13 = 6 tiles of 2 and one of 1), CNN-F's
     * 256 -> 256, odd and tiny images, channel counts off the GEMM kernels'
     * multiples of 8 (BLIS). F(2x2, 3x3) rounds about as im2col does: a
     * tighter bound than the 5x5's. */
    const int cases[][5] = {{3, 192, 384, 13, 13}, {3, 384, 256, 13, 13}, {3, 256, 256, 13, 13}, {3, 64, 64, 6, 6},
                            {3, 3, 4, 7, 9},       {3, 2, 5, 1, 1},       {3, 1, 1, 2, 3},       {3, 5, 3, 6, 5},
                            {3, 8, 16, 5, 11}};
    check_forward(cases, sizeof cases / sizeof cases[0], 3e-6, 25);
}
END_TEST

START_TEST(test_gradients)
{
    /* {k, cin, cout, h, w}: both schemes, partial tiles, images smaller than a tile. */
    const int cases[][5] = {{5, 2, 3, 5, 4}, {5, 3, 2, 3, 3}, {3, 2, 3, 5, 6}, {3, 3, 2, 3, 3}, {3, 2, 2, 9, 1}};
    dsml_rng rng;
    dsml_rng_seed(&rng, 22);
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
        wino_ctx c;
        ctx_init(&c, &rng, cases[t][0], cases[t][1], cases[t][2], 2, cases[t][3], cases[t][4]);
        size_t nx = (size_t)c.n * c.h * c.w * c.l.cin;
        float *dx = nn_floats(nx);
        backward(&c, dx);
        int nw = c.l.k * c.l.k * c.l.cin * c.l.cout;
        gradcheck_result r[3] = {gradcheck(objective, &c, c.x, dx, (int)nx, 1, 1e-2, 1e-3),
                                 gradcheck(objective, &c, c.l.w, c.l.dw, nw, 1, 1e-2, 1e-3),
                                 gradcheck(objective, &c, c.l.b, c.l.db, c.l.cout, 1, 1e-2, 1e-3)};
        int want[3] = {(int)nx, nw, c.l.cout};
        for (int i = 0; i < 3; i++) {
            if (r[i].failed)
                fprintf(stderr, "winograd case %zu grad %d: worst %g vs %g\n", t, i, r[i].worst_numeric,
                        r[i].worst_analytic);
            ck_assert_int_eq(r[i].failed, 0);
            ck_assert_int_eq(r[i].checked, want[i]);
        }
        free(dx);
        ctx_free(&c);
    }
}
END_TEST

/* The case {k, cin, cout, h, w} on n images: dx, dW, db as the im2col layer
 * computes them, the batch as two image ranges into one accumulating slot,
 * within tol_dx and tol_dw of the largest values. */
static void check_backward(const int *cs, int n, double tol_dx, double tol_dw, uint64_t seed)
{
    dsml_rng rng;
    dsml_rng_seed(&rng, seed);
    wino_ctx c;
    ctx_init(&c, &rng, cs[0], cs[1], cs[2], n, cs[3], cs[4]);
    int kk = c.l.k * c.l.k;
    size_t nx = (size_t)c.n * c.h * c.w * c.l.cin, np = dsml_conv2d_param_count(c.l.cin, c.l.cout, c.l.k);
    float *dx = nn_floats(nx), *dx_ref = nn_floats(nx), *grads_ref = nn_floats(np);
    float *col = nn_floats(dsml_conv2d_col_size(&c.l, c.n, c.h, c.w));
    dsml_conv2d ref = c.l;
    ref.dw = grads_ref;
    ref.db = grads_ref + (size_t)kk * c.l.cin * c.l.cout;
    dsml_conv2d_forward(&ref, c.y, col, c.x, c.n, c.h, c.w);
    dsml_conv2d_backward(&ref, dx_ref, c.r, col, c.n, c.h, c.w);

    int half = n / 2;
    dsml_winograd_transform_weights(&c.l, c.u);
    dsml_winograd_forward_images(&c.l, c.u, c.y, c.v, c.m, c.x, 0, c.n, c.h, c.w);
    dsml_winograd_transpose_weights(&c.l, c.u);
    /* v is scratch: the backward transforms its own patches (NaN bytes left here would show otherwise) */
    memset(c.v, 0xff, sizeof(float) * dsml_winograd_v_size(&c.l, c.n, c.h, c.w));
    dsml_winograd_backward_images(&c.l, c.u, dx, c.r, c.x, c.v, c.m, 0, half, c.h, c.w, c.slot, 0);
    dsml_winograd_backward_images(&c.l, c.u, dx, c.r, c.x, c.v, c.m, half, n, c.h, c.w, c.slot, 1);
    dsml_winograd_weight_grad(&c.l, c.slot, c.l.dw, c.l.db);

    double big_dx, big_dw, err_dx, err_dw;
    max_errors(dx, dx_ref, nx, &big_dx, &err_dx);
    max_errors(c.grads, grads_ref, np, &big_dw, &err_dw);
    ck_assert_double_gt(big_dx, 0.1);
    ck_assert_double_gt(big_dw, 1.0);
    if (err_dx > tol_dx * big_dx || err_dw > tol_dw * big_dw)
        fprintf(stderr, "%dx%d %d -> %d: dx error %g of %g, dW error %g of %g\n", c.l.k, c.l.k, c.l.cin, c.l.cout,
                err_dx, big_dx, err_dw, big_dw);
    ck_assert_double_le(err_dx, tol_dx * big_dx);
    ck_assert_double_le(err_dw, tol_dw * big_dw);
    free(dx), free(dx_ref), free(grads_ref), free(col);
    ctx_free(&c);
}

START_TEST(test_backward_matches_im2col)
{
    /* conv2's shape on 14x14. A few float ulps of the largest value:
     * Winograd rounds a little more than im2col. */
    check_backward((const int[]){5, 32, 64, 14, 14}, 5, 1e-5, 3e-5, 23);
}
END_TEST

START_TEST(test_backward_3x3_matches_im2col)
{
    /* AlexNet's conv3-5 on 13x13, and an odd map. */
    const int cases[][5] = {{3, 192, 384, 13, 13}, {3, 384, 256, 13, 13}, {3, 256, 256, 13, 13}, {3, 64, 72, 7, 11}};
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) check_backward(cases[t], 3, 3e-6, 3e-6, 26 + t);
}
END_TEST

START_TEST(test_small_gemms_match_naive)
{
    /* Every block shape the kernels instantiate: row counts 1..7 (3-row
     * blocks and both remainders), column counts 8..72 (1-4 vectors and a
     * remainder block), strided operands, and accumulation. */
    dsml_rng rng;
    dsml_rng_seed(&rng, 24);
    int ns[] = {8, 16, 24, 32, 40, 64, 72}, ks[] = {8, 32, 64};
    for (int rows = 1; rows <= 7; rows++)
        for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++)
            for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++) {
                int n = ns[ni], k = ks[ki], lda = k + 5, ldc = n + 3, ldb = n + 7;
                float *a = nn_floats((size_t)rows * lda), *b = nn_floats((size_t)k * n), *c = nn_floats((size_t)rows * ldc);
                float *ref = nn_floats((size_t)rows * ldc), *bt = nn_floats((size_t)rows * ldb);
                float *g = nn_floats((size_t)k * n), *gref = nn_floats((size_t)k * n);
                nn_fill_normal(&rng, a, (size_t)rows * lda, 1.0f);
                nn_fill_normal(&rng, b, (size_t)k * n, 1.0f);
                nn_fill_normal(&rng, bt, (size_t)rows * ldb, 1.0f);
                dsml_winograd_gemm_nn(rows, n, k, a, lda, b, c, ldc);
                dsml_gemm_naive(DSML_NO_TRANS, DSML_NO_TRANS, rows, n, k, 1.0f, a, lda, b, n, 0.0f, ref, ldc);
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < n; j++)
                        ck_assert_float_eq_tol(c[i * ldc + j], ref[i * ldc + j], 1e-4f);
                /* g = a[:, :k]^T bt twice with accumulation: 2x the product */
                dsml_winograd_gemm_tn(rows, n, k, a, lda, bt, ldb, g, 0);
                dsml_winograd_gemm_tn(rows, n, k, a, lda, bt, ldb, g, 1);
                dsml_gemm_naive(DSML_TRANS, DSML_NO_TRANS, k, n, rows, 2.0f, a, lda, bt, ldb, 0.0f, gref, n);
                for (int i = 0; i < k * n; i++) ck_assert_float_eq_tol(g[i], gref[i], 1e-4f);
                free(a), free(b), free(c), free(ref), free(bt), free(g), free(gref);
            }
    ck_assert(dsml_winograd_gemm_fits(32, 64));
    ck_assert(!dsml_winograd_gemm_fits(3, 64));
    ck_assert(!dsml_winograd_gemm_fits(32, 0));
    ck_assert(dsml_winograd_gemm_fits(64, 64));
    ck_assert(!dsml_winograd_gemm_fits(64, 192)); /* AlexNet's layers go to BLIS */
}
END_TEST

START_TEST(test_supported_shapes)
{
    dsml_conv2d l = {.cin = 32, .cout = 64, .k = 5, .stride = 1, .pad = 2};
    ck_assert(dsml_winograd_supports(&l));
    ck_assert_uint_eq(dsml_winograd_v_size(&l, 2, 14, 14), 2u * 49 * 36 * 32);
    ck_assert_uint_eq(dsml_winograd_m_size(&l, 1, 7, 9), 1u * 4 * 5 * 36 * 64);
    ck_assert_uint_eq(dsml_winograd_grad_size(&l), 36u * 32 * 64 + 64);
    l.pad = 1;
    ck_assert(!dsml_winograd_supports(&l));
    l.pad = 2, l.stride = 2; /* strided: im2col */
    ck_assert(!dsml_winograd_supports(&l));
    l.stride = 1, l.k = 3; /* 3x3 needs pad 1 */
    ck_assert(!dsml_winograd_supports(&l));
    l.k = 7;
    ck_assert(!dsml_winograd_supports(&l));
    l.k = 5, l.cin = 64, l.cout = 192; /* AlexNet's conv2 */
    ck_assert(dsml_winograd_supports(&l));
    l.cin = 32, l.cout = DSML_WINOGRAD_MAX_CHANNELS + 1;
    ck_assert(!dsml_winograd_supports(&l));
    /* Too few input channels to pay for the transforms: the convnet's conv1 (1 or 3) stays im2col. */
    l.cout = 32, l.cin = DSML_WINOGRAD_MIN_CHANNELS - 1;
    ck_assert(!dsml_winograd_supports(&l));
    l.cin = 3;
    ck_assert(!dsml_winograd_supports(&l));
    l.cin = DSML_WINOGRAD_MIN_CHANNELS;
    ck_assert(dsml_winograd_supports(&l));
    l.cin = DSML_WINOGRAD_MAX_CHANNELS + 1;
    ck_assert(!dsml_winograd_supports(&l));

    /* 3x3, pad 1: AlexNet's conv3-5 and CNN-F's; F(2x2, 3x3) buffers on 13x13 (7 x 7 tiles of 4 x 4). */
    dsml_conv2d a = {.cin = 192, .cout = 384, .k = 3, .stride = 1, .pad = 1};
    ck_assert(dsml_winograd_supports(&a));
    ck_assert_uint_eq(dsml_winograd_v_size(&a, 2, 13, 13), 2u * 49 * 16 * 192);
    ck_assert_uint_eq(dsml_winograd_m_size(&a, 1, 13, 14), 1u * 49 * 16 * 384);
    ck_assert_uint_eq(dsml_winograd_grad_size(&a), 16u * 192 * 384 + 384);
    ck_assert_uint_eq(dsml_winograd_u_size(&a), 2u * 16 * 192 * 384);
    a.cin = 384, a.cout = 256;
    ck_assert(dsml_winograd_supports(&a));
    a.cin = DSML_WINOGRAD_MIN_CHANNELS_3X3;
    ck_assert(dsml_winograd_supports(&a));
    a.cin = DSML_WINOGRAD_MIN_CHANNELS_3X3 - 1; /* CNN-F's and the small nets' narrow 3x3 layers stay im2col */
    ck_assert(!dsml_winograd_supports(&a));
    a.cin = 3;
    ck_assert(!dsml_winograd_supports(&a));
    a.cin = 256, a.pad = 0;
    ck_assert(!dsml_winograd_supports(&a));
    a.pad = 1, a.stride = 2;
    ck_assert(!dsml_winograd_supports(&a));
    a.stride = 1, a.cout = DSML_WINOGRAD_MAX_CHANNELS + 1;
    ck_assert(!dsml_winograd_supports(&a));
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"forward", 60, (const TTest *[]){test_forward_matches_direct, test_forward_3x3_matches_direct, NULL}},
        {"backward", 120, (const TTest *[]){test_gradients, test_backward_matches_im2col,
                                            test_backward_3x3_matches_im2col, NULL}},
        {"kernels", 60, (const TTest *[]){test_small_gemms_match_naive, NULL}},
        {"shapes", 30, (const TTest *[]){test_supported_shapes, NULL}},
    };
    return suite_run_cases("winograd", cases, SUITE_CASES(cases));
}
