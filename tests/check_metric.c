/* Tests of src/metric: the GEMM distances against a naive O(N^2 D) reference
 * (SNR asymmetry, eq. 4), their backward pass, every loss on tiny batches
 * worked out by hand, against naive loops on a 10 x 10 batch and against
 * PyTorch autograd (tests/reference/losses_torch.py), every loss x distance
 * against finite differences, and the errors (N-pair layout, non-finite
 * input, sizes, parameters). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"
#include "metric/distance.h"
#include "metric/loss.h"
#include "support/gradcheck.h"
#include "support/suite_run.h"

static const dsml_distance_kind all_distances[] = {DSML_DIST_EUCLIDEAN, DSML_DIST_SQEUCLIDEAN, DSML_DIST_SNR};

/* ---------- naive references, straight from eqs. 1-3, in double ---------- */

static double naive_var(const double *a, int d)
{
    double mean = 0, v = 0;
    for (int k = 0; k < d; k++) mean += a[k];
    mean /= d;
    for (int k = 0; k < d; k++) v += (a[k] - mean) * (a[k] - mean);
    return v / d;
}

/* dist(anchor i, compared j), O(D) per pair. */
static double naive_pair(dsml_distance_kind kind, const float *hi, const float *hj, int d)
{
    double diff[256], self[256], sq = 0;
    for (int k = 0; k < d; k++) {
        diff[k] = (double)hj[k] - hi[k];
        self[k] = hi[k];
        sq += diff[k] * diff[k];
    }
    switch (kind) {
    case DSML_DIST_EUCLIDEAN: return sqrt(sq);
    case DSML_DIST_SQEUCLIDEAN: return sq;
    default: return naive_var(diff, d) / naive_var(self, d);
    }
}

static void random_batch(uint64_t seed, float *h, int n, int d, float offset)
{
    dsml_rng r;
    dsml_rng_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        float shift = offset * (float)dsml_rng_normal(&r); /* a per-row mean, so centring matters */
        for (int k = 0; k < d; k++) h[i * d + k] = (float)dsml_rng_normal(&r) + shift;
    }
}

/* ---------- distances ---------- */

START_TEST(test_distance_names)
{
    dsml_distance_kind k = DSML_DIST_EUCLIDEAN;
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(dsml_distance_parse(dsml_distance_name(all_distances[i]), &k), DSML_OK);
        ck_assert_int_eq(k, all_distances[i]);
    }
    ck_assert_str_eq(dsml_distance_name(DSML_DIST_SNR), "snr");
    ck_assert_int_eq(dsml_distance_parse("cosine", &k), DSML_ERR_ARG);
    ck_assert_int_eq(k, DSML_DIST_SNR);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "cosine"));
    ck_assert_str_eq(dsml_distance_name((dsml_distance_kind)7), "unknown");
}
END_TEST

START_TEST(test_distance_matches_naive)
{
    enum { N = 23, D = 19 };
    static float h[N * D], dist[N * N];
    random_batch(11, h, N, D, 3.0f);
    /* row 5 duplicates row 2: a pair at distance exactly 0 */
    memcpy(h + 5 * D, h + 2 * D, sizeof(float) * D);
    dsml_distance_ws *ws;
    ck_assert_int_eq(dsml_distance_ws_create(&ws, N, D), DSML_OK);
    for (int t = 0; t < 3; t++) {
        dsml_distance_kind kind = all_distances[t];
        ck_assert_int_eq(dsml_distance_forward(kind, dist, h, N, D, ws), DSML_OK);
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                double want = i == j ? 0.0 : naive_pair(kind, h + i * D, h + j * D, D);
                if (kind == DSML_DIST_EUCLIDEAN && i != j) want = sqrt(want * want + DSML_DIST_SQRT_EPS);
                ck_assert_msg(fabs(dist[i * N + j] - want) <= 1e-5 * fmax(1.0, want),
                              "%s (%d,%d): %.9g, naive %.9g", dsml_distance_name(kind), i, j, dist[i * N + j], want);
            }
        if (kind != DSML_DIST_EUCLIDEAN) {
            ck_assert(dist[2 * N + 5] == 0.0f); /* recomputed directly, no cancellation left */
            ck_assert(dist[5 * N + 2] == 0.0f);
        }
    }
    /* a smaller batch through the same workspace; a larger one is refused */
    ck_assert_int_eq(dsml_distance_forward(DSML_DIST_SNR, dist, h, 3, D, ws), DSML_OK);
    ck_assert_double_eq_tol(dist[0 * 3 + 1], naive_pair(DSML_DIST_SNR, h, h + D, D), 1e-5);
    ck_assert_int_eq(dsml_distance_forward(DSML_DIST_SNR, dist, h, N + 1, D, ws), DSML_ERR_ARG);
    ck_assert_int_eq(dsml_distance_forward(DSML_DIST_SNR, dist, h, N, D - 1, ws), DSML_ERR_ARG);
    dsml_distance_ws_free(ws);
}
END_TEST

/* h0 = (1,-1): var 1. h1 = (5,1), centred (2,-2): var 4. h1 - h0 = (4,2),
 * centred (1,-1): var 1. So d_S(0,1) = 1/1 = 1 and d_S(1,0) = 1/4 = 0.25:
 * the anchor matters. Euclidean: |(4,2)| = sqrt(20) both ways. */
START_TEST(test_snr_hand_and_asymmetric)
{
    float h[4] = {1, -1, 5, 1}, dist[4];
    dsml_distance_ws *ws;
    ck_assert_int_eq(dsml_distance_ws_create(&ws, 2, 2), DSML_OK);
    ck_assert_int_eq(dsml_distance_forward(DSML_DIST_SNR, dist, h, 2, 2, ws), DSML_OK);
    ck_assert(dist[0] == 0.0f);
    ck_assert_float_eq_tol(dist[1], 1.0f, 1e-6f);
    ck_assert_float_eq_tol(dist[2], 0.25f, 1e-6f);
    ck_assert_int_eq(dsml_distance_forward(DSML_DIST_EUCLIDEAN, dist, h, 2, 2, ws), DSML_OK);
    ck_assert_float_eq_tol(dist[1], sqrtf(20.0f), 1e-5f);
    ck_assert_float_eq_tol(dist[2], sqrtf(20.0f), 1e-5f);
    ck_assert_int_eq(dsml_distance_forward(DSML_DIST_SQEUCLIDEAN, dist, h, 2, 2, ws), DSML_OK);
    ck_assert_float_eq_tol(dist[1], 20.0f, 1e-4f);
    dsml_distance_ws_free(ws);

    /* and on random rows: asymmetric in general */
    enum { N = 6, D = 9 };
    float r[N * D], d2[N * N];
    random_batch(3, r, N, D, 1.0f);
    ck_assert_int_eq(dsml_distance_ws_create(&ws, N, D), DSML_OK);
    ck_assert_int_eq(dsml_distance_forward(DSML_DIST_SNR, d2, r, N, D, ws), DSML_OK);
    int asymmetric = 0;
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++) asymmetric += fabsf(d2[i * N + j] - d2[j * N + i]) > 1e-3f;
    ck_assert_int_eq(asymmetric, N * (N - 1) / 2);
    dsml_distance_ws_free(ws);
}
END_TEST

/* Eq. 4: for zero-mean rows d_S(i,j) = |h_i - h_j|^2 / |h_i|^2. */
START_TEST(test_snr_zero_mean_equals_eq4)
{
    enum { N = 10, D = 16 };
    float h[N * D], snr[N * N], sq[N * N];
    random_batch(5, h, N, D, 0.0f);
    for (int i = 0; i < N; i++) {
        double mean = 0;
        for (int k = 0; k < D; k++) mean += h[i * D + k];
        for (int k = 0; k < D; k++) h[i * D + k] -= (float)(mean / D);
    }
    dsml_distance_ws *ws;
    ck_assert_int_eq(dsml_distance_ws_create(&ws, N, D), DSML_OK);
    ck_assert_int_eq(dsml_distance_forward(DSML_DIST_SNR, snr, h, N, D, ws), DSML_OK);
    ck_assert_int_eq(dsml_distance_forward(DSML_DIST_SQEUCLIDEAN, sq, h, N, D, ws), DSML_OK);
    for (int i = 0; i < N; i++) {
        double norm2 = 0;
        for (int k = 0; k < D; k++) norm2 += (double)h[i * D + k] * h[i * D + k];
        for (int j = 0; j < N; j++) ck_assert_double_eq_tol(snr[i * N + j], sq[i * N + j] / norm2, 1e-5);
    }
    dsml_distance_ws_free(ws);
}
END_TEST

/* A constant anchor has variance 0: the epsilon keeps d_S finite (and huge). */
START_TEST(test_snr_constant_anchor_is_finite)
{
    float h[6] = {2, 2, 2, 1, 0, -1}, dist[4];
    dsml_distance_ws *ws;
    ck_assert_int_eq(dsml_distance_ws_create(&ws, 2, 3), DSML_OK);
    ck_assert_int_eq(dsml_distance_forward(DSML_DIST_SNR, dist, h, 2, 3, ws), DSML_OK);
    /* var(h1 - h0) = var(-1,-2,-3) = 2/3; over 0 + eps = 1e-12 */
    ck_assert(isfinite(dist[1]));
    ck_assert_double_eq_tol(dist[1] / ((2.0 / 3.0) / 1e-12), 1.0, 1e-3);
    /* the other way round: var(h0 - h1) / var(h1) = (2/3) / (2/3) = 1 */
    ck_assert_float_eq_tol(dist[2], 1.0f, 1e-6f);
    dsml_distance_ws_free(ws);
}
END_TEST

/* objective sum_ij R_ij dist_ij, gradient from dsml_distance_backward */
typedef struct {
    dsml_distance_kind kind;
    float *h, *dist;
    const float *weights;
    int n, d;
    dsml_distance_ws *ws;
} dist_ctx;

static double dist_objective(void *p)
{
    dist_ctx *c = p;
    dsml_distance_forward(c->kind, c->dist, c->h, c->n, c->d, c->ws);
    double s = 0;
    for (int i = 0; i < c->n * c->n; i++) s += (double)c->weights[i] * c->dist[i];
    return s;
}

START_TEST(test_distance_backward_gradcheck)
{
    enum { N = 9, D = 7 };
    float h[N * D], dist[N * N], weights[N * N], dh[N * D];
    random_batch(21, h, N, D, 1.0f);
    dsml_rng r;
    dsml_rng_seed(&r, 4);
    for (int i = 0; i < N * N; i++) weights[i] = (float)dsml_rng_normal(&r);
    dsml_distance_ws *ws;
    ck_assert_int_eq(dsml_distance_ws_create(&ws, N, D), DSML_OK);
    for (int t = 0; t < 3; t++) {
        dist_ctx c = {all_distances[t], h, dist, weights, N, D, ws};
        ck_assert_int_eq(dsml_distance_forward(c.kind, dist, h, N, D, ws), DSML_OK);
        for (int i = 0; i < N * D; i++) dh[i] = 1.0f; /* backward accumulates */
        ck_assert_int_eq(dsml_distance_backward(c.kind, dh, weights, dist, N, D, ws), DSML_OK);
        for (int i = 0; i < N * D; i++) dh[i] -= 1.0f;
        gradcheck_result g = gradcheck(dist_objective, &c, h, dh, N * D, 1, 1e-2, 1e-2);
        ck_assert_msg(g.failed == 0 && g.checked >= N * D * 9 / 10, "%s: %d failed of %d checked, worst %d: %g vs %g",
                      dsml_distance_name(c.kind), g.failed, g.checked, g.worst_index, g.worst_numeric,
                      g.worst_analytic);
    }
    dsml_distance_ws_free(ws);
}
END_TEST

/* ---------- losses by hand ---------- */

static double run_loss(const dsml_loss_params *p, const float *h, const int *labels, int n, int d, float *dh)
{
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, n, d), DSML_OK);
    double loss = -1;
    int rc = dsml_loss_compute(p, h, labels, n, d, dh, ws, &loss);
    ck_assert_msg(rc == DSML_OK, "%s", dsml_last_error());
    dsml_loss_ws_free(ws);
    return loss;
}

static dsml_loss_params params(dsml_loss_kind loss, dsml_distance_kind dist, float margin, float lambda)
{
    dsml_loss_params p = dsml_loss_defaults(loss, dist);
    p.margin = margin;
    p.lambda = lambda;
    return p;
}

static void assert_grad(const float *dh, const float *want, int n, float tol)
{
    for (int i = 0; i < n; i++)
        ck_assert_msg(fabsf(dh[i] - want[i]) <= tol, "dh[%d] = %.7g, expected %.7g", i, dh[i], want[i]);
}

/* h0=(0,0), h1=(0.6,0) class 3; h2=(0,0.8) class 5; margin 2, Euclidean.
 * ordered positive pairs (0,1),(1,0): d = 0.6 -> mean 0.6
 * ordered negative pairs (0,2),(2,0): d = 0.8 -> 2-0.8 = 1.2; (1,2),(2,1): d = 1.0 -> 1.0;
 * all four active -> mean 1.1. Loss 0.6 + 1.1 = 1.7.
 * dh0 = 2 (h0-h1)/0.6 / 2 - 2 (h0-h2)/0.8 / 4 = (-1,0) - 0.5 (0,-1) = (-1, 0.5)
 * dh1 = (1,0) - 0.5 (h1-h2)/1.0 = (1,0) - 0.5 (0.6,-0.8) = (0.7, 0.4)
 * dh2 = -0.5 (0,1) - 0.5 (-0.6,0.8) = (0.3, -0.9) */
START_TEST(test_contrastive_euclidean_hand)
{
    const float h[6] = {0, 0, 0.6f, 0, 0, 0.8f};
    const int labels[3] = {3, 3, 5};
    float dh[6];
    dsml_loss_params p = params(DSML_LOSS_CONTRASTIVE, DSML_DIST_EUCLIDEAN, 2.0f, 0.0f);
    ck_assert_double_eq_tol(run_loss(&p, h, labels, 3, 2, dh), 1.7, 1e-6);
    const float want[6] = {-1, 0.5f, 0.7f, 0.4f, 0.3f, -0.9f};
    assert_grad(dh, want, 6, 1e-5f);

    /* margin 0.9: only (0,2),(2,0) are active (0.1 each) -> mean over the
     * non-zero ones 0.1, not 0.2/4. Loss 0.6 + 0.1 = 0.7. */
    p.margin = 0.9f;
    ck_assert_double_eq_tol(run_loss(&p, h, labels, 3, 2, dh), 0.7, 1e-6);
}
END_TEST

/* SNR, margin 5. h0=(1,-1) [var 1], h1=(5,1) [centred (2,-2), var 4] class A;
 * h2=(2,4) [centred (-1,1), var 1] class B.
 * positive: d(0,1) = var(4,2)/1 = 1, d(1,0) = 1/4 -> mean 0.625
 * negative: d(0,2) = var(1,5)/1 = 4 -> 1;  d(2,0) = var(-1,-5)/1 = 4 -> 1;
 *           d(1,2) = var(-3,3)/4 = 2.25 -> 2.75;  d(2,1) = 9/1 = 9 -> 0 (inactive)
 * mean over the 3 active: 4.75/3. Loss 0.625 + 1.5833333 = 2.2083333. */
START_TEST(test_contrastive_snr_hand)
{
    const float h[6] = {1, -1, 5, 1, 2, 4};
    const int labels[3] = {0, 0, 1};
    float dh[6];
    dsml_loss_params p = params(DSML_LOSS_CONTRASTIVE, DSML_DIST_SNR, 5.0f, 0.0f);
    ck_assert_double_eq_tol(run_loss(&p, h, labels, 3, 2, dh), 0.625 + 4.75 / 3, 1e-6);
}
END_TEST

/* 1-D points h = (0, 1, 1.5, 5), classes A A B B, Euclidean, margin 1.
 * (a,p,n): (0,1,2) 1-1.5+1 = 0.5; (0,1,3) 1-5+1 < 0; (1,0,2) 1-0.5+1 = 1.5;
 * (1,0,3) 1-4+1 < 0; (2,3,0) 3.5-1.5+1 = 3; (2,3,1) 3.5-0.5+1 = 4;
 * (3,2,0) 3.5-5+1 < 0; (3,2,1) 3.5-4+1 = 0.5.  5 active, sum 9.5 -> 1.9.
 * Gradient (1/5) sum over active of d'(a,p) - d'(a,n), d'(x,y)/dx = sign(x-y):
 * h0: (0,1,2) -1+1, (1,0,2) -1, (2,3,0) +1 -> 0
 * h1: (0,1,2) +1, (1,0,2) +1+1, (2,3,1) +1, (3,2,1) +1 -> 5/5 = 1
 * h2: (0,1,2) -1, (1,0,2) -1, (2,3,0) -1-1, (2,3,1) -1-1, (3,2,1) -1 -> -7/5
 * h3: (2,3,0) +1, (2,3,1) +1, (3,2,1) +1-1 -> 2/5 */
START_TEST(test_triplet_hand)
{
    const float h[4] = {0, 1, 1.5f, 5};
    const int labels[4] = {0, 0, 1, 1};
    float dh[4];
    dsml_loss_params p = params(DSML_LOSS_TRIPLET, DSML_DIST_EUCLIDEAN, 1.0f, 0.0f);
    ck_assert_double_eq_tol(run_loss(&p, h, labels, 4, 1, dh), 1.9, 1e-6);
    const float want[4] = {0, 1, -1.4f, 0.4f};
    assert_grad(dh, want, 4, 1e-5f);
    /* margin 0 and two tight, distant classes {0, 0.1} and {5, 5.2}: no active triplet, loss and gradient 0 */
    p.margin = 0;
    const float far[4] = {0, 0.1f, 5, 5.2f};
    ck_assert_double_eq_tol(run_loss(&p, far, labels, 4, 1, dh), 0.0, 1e-12);
    for (int i = 0; i < 4; i++) ck_assert(dh[i] == 0.0f);
}
END_TEST

/* Same points, lifted, alpha = beta = 1. Per-row max over negatives of
 * 1 - d: row0 max(1-1.5, 1-5) = -0.5; row1 max(0.5, -3) = 0.5;
 * row2 max(1-1.5, 1-0.5) = 0.5; row3 max(-4, -3) = -3.
 * hard: J01 = J10 = max(-0.5, 0.5) + 1 = 1.5; J23 = J32 = max(0.5,-3) + 3.5 = 4.
 *   L = (1.5+1.5+4+4) / (2*4) = 1.375. Every J uses row 1's or row 2's max,
 *   i.e. -d12, so 8L = 2 d01 - 4 d12 + 2 d23 and
 *   dh = (-2, 2+4, -4-2, 2)/8 = (-0.25, 0.75, -0.75, 0.25).
 * smooth: both rows of each pair see the same four negatives terms
 *   e^-0.5 + e^-4 + e^0.5 + e^-3, log = 0.8430121057908434 (= L0), so
 *   L = (2(L0+1) + 2(L0+3.5)) / 8 = L0/2 + 1.125 = 1.5465060528954218 >= hard. */
START_TEST(test_lifted_hand_hard_and_smooth)
{
    const float h[4] = {0, 1, 1.5f, 5};
    const int labels[4] = {0, 0, 1, 1};
    float dh[4];
    dsml_loss_params p = params(DSML_LOSS_LIFTED, DSML_DIST_EUCLIDEAN, 1.0f, 0.0f);
    p.lifted.beta = 1.0f;
    p.lifted.hard = 1;
    ck_assert_double_eq_tol(run_loss(&p, h, labels, 4, 1, dh), 1.375, 1e-6);
    const float want[4] = {-0.25f, 0.75f, -0.75f, 0.25f};
    assert_grad(dh, want, 4, 1e-5f);
    p.lifted.hard = 0;
    ck_assert_double_eq_tol(run_loss(&p, h, labels, 4, 1, dh), 1.5465060528954218, 1e-6);
    /* beta scales distances: beta = 2, hard: row maxes 1-2d: row1 1-1 = 0, row2 0;
     * J01 = 0 + 2 = 2, J23 = 0 + 7 = 7 -> (2+2+7+7)/8 = 2.25 */
    p.lifted.hard = 1;
    p.lifted.beta = 2.0f;
    ck_assert_double_eq_tol(run_loss(&p, h, labels, 4, 1, dh), 2.25, 1e-6);
}
END_TEST

/* Random batches: smooth lifted is an upper bound of hard lifted (lse >= max). */
START_TEST(test_lifted_smooth_bounds_hard)
{
    enum { N = 12, D = 6 };
    float h[N * D], dh[N * D];
    int labels[N];
    for (int i = 0; i < N; i++) labels[i] = i / 3;
    for (int t = 0; t < 3; t++) {
        random_batch(40 + t, h, N, D, 1.0f);
        dsml_loss_params p = params(DSML_LOSS_LIFTED, all_distances[t], 1.0f, 0.0f);
        p.lifted.hard = 1;
        double hard = run_loss(&p, h, labels, N, D, dh);
        p.lifted.hard = 0;
        double smooth = run_loss(&p, h, labels, N, D, dh);
        ck_assert_double_gt(hard, 0);
        ck_assert_double_ge(smooth, hard);
    }
}
END_TEST

/* Two pairs, inner product: rows a0=(1,0) p0=(2,0) [class 7], a1=(0,1)
 * p1=(1,1) [class 9]. S = a_i . p_j: S00 = 2, S01 = 1, S10 = 0, S11 = 1.
 * l0 = log(1 + e^(1-2)), l1 = log(1 + e^(0-1)) -> L = log(1 + e^-1) = 0.31326168751822286.
 * With pi = e^-1/(1+e^-1) = 0.2689414213699951: dL/dS01 = dL/dS10 = pi/2,
 * dL/dS00 = dL/dS11 = -pi/2, so
 * dh_a0 = -pi/2 p0 + pi/2 p1 = pi/2 (-1, 1);  dh_a1 = pi/2 p0 - pi/2 p1 = pi/2 (1, -1)
 * dh_p0 = -pi/2 a0 + pi/2 a1 = pi/2 (-1, 1);  dh_p1 = pi/2 a0 - pi/2 a1 = pi/2 (1, -1) */
START_TEST(test_npair_inner_product_hand)
{
    const float h[8] = {1, 0, 2, 0, 0, 1, 1, 1};
    const int labels[4] = {7, 7, 9, 9};
    float dh[8];
    dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_NPAIR, DSML_DIST_EUCLIDEAN);
    ck_assert_double_eq_tol(run_loss(&p, h, labels, 4, 2, dh), 0.31326168751822286, 1e-6);
    const float q = 0.2689414213699951f / 2;
    const float want[8] = {-q, q, -q, q, q, -q, q, -q};
    assert_grad(dh, want, 8, 1e-6f);
    /* Sohn's L2 penalty, weight 0.4: 0.4 * 0.25 * (mean(|a|^2) + mean(|p|^2))
     * = 0.1 * ((1+1)/2 + (4+2)/2) = 0.4 more; gradient 0.4*0.5/2 h = 0.1 h more. */
    p.npair.l2 = 0.4f;
    ck_assert_double_eq_tol(run_loss(&p, h, labels, 4, 2, dh), 0.31326168751822286 + 0.4, 1e-6);
    ck_assert_float_eq_tol(dh[2], -q + 0.2f, 1e-6f);
}
END_TEST

/* SNR N-pair by hand: d = 2, every row a multiple of (1,-1) around its own
 * mean, so every variance is easy. a0=(1,-1), p0=(2,0) [centred (1,-1)],
 * a1=(2,-2), p1=(3,3)+(-1,1)=(2,4) [centred (-1,1)].
 * d(a0,p0) = var(0,0)/1 = 0 -> clamped to 0.01 -> S00 = 1e4
 * d(a0,p1) = var(1,5)/1 = 4 -> S01 = 1/16
 * d(a1,p0) = var(0,2)/4 = 1/4 -> S10 = 16
 * d(a1,p1) = var(0,6)/4 = 9/4 -> S11 = 16/81
 * l0 = log(1 + e^(1/16 - 1e4)) = 0 to double precision;
 * l1 = log(1 + e^(16 - 16/81)) = 15.80246913580247 + log(1 + e^-15.802...)
 * L = (l0 + l1)/2: finite although a pair sits at distance 0. */
START_TEST(test_npair_snr_duplicate_pair_finite)
{
    const float h[8] = {1, -1, 2, 0, 2, -2, 2, 4};
    const int labels[4] = {1, 1, 2, 2};
    float dh[8];
    dsml_loss_params p = params(DSML_LOSS_NPAIR, DSML_DIST_SNR, 0.0f, 0.0f);
    double x = 16.0 - 16.0 / 81.0, want = (x + log1p(exp(-x))) / 2;
    double loss = run_loss(&p, h, labels, 4, 2, dh);
    ck_assert_double_eq_tol(loss, want, 1e-5);
    for (int i = 0; i < 8; i++) ck_assert(isfinite(dh[i]));
    /* the clamped pair carries no gradient through d(a0,p0); row a0 only
     * feels S01 through l0, which is e^-1e4 = 0: its gradient is 0 */
    ck_assert_float_eq_tol(dh[0], 0.0f, 1e-6f);
    ck_assert_float_eq_tol(dh[1], 0.0f, 1e-6f);

    /* an anchor identical to ANOTHER pair's positive: S = 1e4 in the
     * exponent of a negative, a loss near 1e4 / 2, still finite */
    const float g[8] = {1, -1, 3, 0, 2, -2, 1, -1};
    loss = run_loss(&p, g, labels, 4, 2, dh);
    ck_assert(isfinite(loss));
    ck_assert_double_gt(loss, 4000);
    for (int i = 0; i < 8; i++) ck_assert(isfinite(dh[i]));
}
END_TEST

/* L_r alone: contrastive with all labels different and margin 0 is 0.
 * rows (1,2,-4) sum -1, (0.5,0.5,0) sum 1, (0,0,0) sum 0; lambda 0.3:
 * L_r = 0.3 * (1 + 1 + 0)/3 = 0.2; gradient 0.3/3 * sign(sum) = -0.1, +0.1, 0. */
START_TEST(test_regulariser_hand)
{
    const float h[9] = {1, 2, -4, 0.5f, 0.5f, 0, 0, 0, 0};
    const int labels[3] = {0, 1, 2};
    float dh[9];
    dsml_loss_params p = params(DSML_LOSS_CONTRASTIVE, DSML_DIST_SQEUCLIDEAN, 0.0f, 0.3f);
    ck_assert_double_eq_tol(run_loss(&p, h, labels, 3, 3, dh), 0.2, 1e-7);
    const float want[9] = {-0.1f, -0.1f, -0.1f, 0.1f, 0.1f, 0.1f, 0, 0, 0};
    assert_grad(dh, want, 9, 1e-7f);
}
END_TEST

/* ---------- against naive references on a realistic batch ---------- */

/* 10 classes x 10 at D = 32: contrastive, triplet and hard lifted from naive
 * distances, by the formulas of docs/losses.md written the slow way. */
START_TEST(test_losses_match_naive_batch)
{
    enum { N = 100, D = 32 };
    static float h[N * D], dh[N * D];
    static double dist[N * N];
    int labels[N];
    for (int i = 0; i < N; i++) labels[i] = (i * 7) % 10;
    random_batch(99, h, N, D, 0.5f);
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, N, D), DSML_OK);
    for (int t = 0; t < 3; t++) {
        dsml_distance_kind kind = all_distances[t];
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) dist[i * N + j] = i == j ? 0 : naive_pair(kind, h + i * D, h + j * D, D);
        double alpha = kind == DSML_DIST_SQEUCLIDEAN ? 64.0 : kind == DSML_DIST_SNR ? 2.0 : 8.0;
        /* contrastive */
        double ps = 0, ns = 0;
        long pc = 0, nc = 0;
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                if (i == j) continue;
                if (labels[i] == labels[j]) { ps += dist[i * N + j]; pc++; }
                else if (alpha > dist[i * N + j]) { ns += alpha - dist[i * N + j]; nc++; }
            }
        ck_assert_int_gt(nc, 0);
        dsml_loss_params p = params(DSML_LOSS_CONTRASTIVE, kind, (float)alpha, 0.0f);
        double got;
        ck_assert_int_eq(dsml_loss_compute(&p, h, labels, N, D, dh, ws, &got), DSML_OK);
        ck_assert_double_eq_tol(got, ps / pc + ns / nc, 1e-4 * (ps / pc + ns / nc));
        /* triplet */
        double ts = 0;
        long tc = 0;
        for (int a = 0; a < N; a++)
            for (int q = 0; q < N; q++)
                for (int k = 0; k < N; k++) {
                    if (q == a || labels[q] != labels[a] || labels[k] == labels[a]) continue;
                    double l = dist[a * N + q] - dist[a * N + k] + alpha / 4;
                    if (l > 0) { ts += l; tc++; }
                }
        ck_assert_int_gt(tc, 0);
        p = params(DSML_LOSS_TRIPLET, kind, (float)(alpha / 4), 0.0f);
        ck_assert_int_eq(dsml_loss_compute(&p, h, labels, N, D, dh, ws, &got), DSML_OK);
        ck_assert_double_eq_tol(got, ts / tc, 1e-4 * (ts / tc));
        /* hard lifted */
        double ls = 0;
        long lc = 0;
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                if (i == j || labels[i] != labels[j]) continue;
                lc++;
                double m = -HUGE_VAL;
                for (int k = 0; k < N; k++)
                    if (labels[k] != labels[i]) {
                        m = fmax(m, 1.0 - dist[i * N + k]);
                        m = fmax(m, 1.0 - dist[j * N + k]);
                    }
                ls += fmax(0.0, m + dist[i * N + j]);
            }
        p = params(DSML_LOSS_LIFTED, kind, 1.0f, 0.0f);
        p.lifted.beta = 1.0f;
        p.lifted.hard = 1;
        ck_assert_int_eq(dsml_loss_compute(&p, h, labels, N, D, dh, ws, &got), DSML_OK);
        ck_assert_double_eq_tol(got, ls / (2.0 * lc), 1e-4 * fmax(1.0, ls / (2.0 * lc)));
    }
    dsml_loss_ws_free(ws);
}
END_TEST

/* ---------- against PyTorch autograd ---------- */

/* Printed by tests/reference/losses_torch.py (PyTorch 1.13, float64
 * autograd, every loss written one pair at a time), on the batch built
 * below: h[i][k] = (float)(sin(0.37 (i+1)(k+1)) + 0.3 cos(1.7 i)), D = 5,
 * 12 rows with labels (5i) mod 4, or 8 rows as pairs {4,4,1,1,9,9,2,2} for
 * N-pair; lambda 0.05; margins as in the script; variant = lifted_hard or
 * (N-pair) npair_l2 = 0.1. Columns: loss, dL/dh[0][0], [3][1], [6][4], [7][2]. */
static const struct {
    dsml_loss_kind loss;
    dsml_distance_kind distance;
    int variant;
    double value, g00, g31, g64, g72;
} torch_reference[] = {
    {DSML_LOSS_CONTRASTIVE, DSML_DIST_EUCLIDEAN, 0, 3.13038487752, -0.0166716045, 0.00174885722, 0.00707985592, 0.0222290486},
    {DSML_LOSS_TRIPLET, DSML_DIST_EUCLIDEAN, 0, 2.95303502801, -0.0231428476, 0.0027340024, 0.00979737925, 0.0177183672},
    {DSML_LOSS_LIFTED, DSML_DIST_EUCLIDEAN, 0, 3.0311760127, -0.00394153386, 0.00259870333, 0.00803986229, 0.0150679952},
    {DSML_LOSS_LIFTED, DSML_DIST_EUCLIDEAN, 1, 2.03934295976, 0.00476504745, -0.00805190315, 0.103911082, 0.0389780859},
    {DSML_LOSS_NPAIR, DSML_DIST_EUCLIDEAN, 0, 1.20349164374, 0.0048590422, -0.103409507, -0.221592586, 0.0104529227},
    {DSML_LOSS_NPAIR, DSML_DIST_EUCLIDEAN, 1, 1.36760340557, 0.0131292351, -0.0997346373, -0.219592476, 0.019878539},
    {DSML_LOSS_CONTRASTIVE, DSML_DIST_SQEUCLIDEAN, 0, 8.675861751, -0.0309274505, 0.0228457086, 0.0493782472, -0.00677590147},
    {DSML_LOSS_TRIPLET, DSML_DIST_SQEUCLIDEAN, 0, 7.41367756818, -0.139589629, -0.0405102255, 0.0230355194, -0.0197377392},
    {DSML_LOSS_LIFTED, DSML_DIST_SQEUCLIDEAN, 0, 6.25023865667, 0.00826935135, -0.04921604, 0.13468792, 0.0855159449},
    {DSML_LOSS_LIFTED, DSML_DIST_SQEUCLIDEAN, 1, 5.87996458327, 0.0154099926, -0.0517061866, 0.31421474, 0.128290136},
    {DSML_LOSS_NPAIR, DSML_DIST_SQEUCLIDEAN, 0, 1.40331239835, -0.0484890125, -0.285489851, -0.146260038, 0.049320736},
    {DSML_LOSS_NPAIR, DSML_DIST_SQEUCLIDEAN, 1, 1.56742416018, -0.0402188196, -0.281814981, -0.144259928, 0.0587463522},
    {DSML_LOSS_CONTRASTIVE, DSML_DIST_SNR, 0, 3.29419054146, 1.74054285, 0.0425737948, -0.0343978896, 0.0110138953},
    {DSML_LOSS_TRIPLET, DSML_DIST_SNR, 0, 1.33025354847, 0.0133480737, -0.0332721282, -0.0463216111, -0.0184356731},
    {DSML_LOSS_LIFTED, DSML_DIST_SNR, 0, 2.37016053139, 0.852065402, 0.00262465074, -0.0119333155, 0.0187098624},
    {DSML_LOSS_LIFTED, DSML_DIST_SNR, 1, 1.57264316841, 0.818033462, 0.00176513699, 0.0528506155, 0.120636559},
    {DSML_LOSS_NPAIR, DSML_DIST_SNR, 0, 1.65289621897, 0.00654998921, -0.184774274, -0.00639203367, -0.00737450476},
    {DSML_LOSS_NPAIR, DSML_DIST_SNR, 1, 1.8170079808, 0.0148201821, -0.181099404, -0.00439192363, 0.0020511115},
};

START_TEST(test_losses_match_torch_reference)
{
    enum { N = 12, D = 5 };
    float h[N * D], dh[N * D];
    int group[N];
    const int pairs[8] = {4, 4, 1, 1, 9, 9, 2, 2};
    for (int i = 0; i < N; i++) {
        group[i] = (i * 5) % 4;
        for (int k = 0; k < D; k++) h[i * D + k] = (float)(sin(0.37 * (i + 1) * (k + 1)) + 0.3 * cos(1.7 * i));
    }
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, N, D), DSML_OK);
    for (size_t c = 0; c < sizeof torch_reference / sizeof torch_reference[0]; c++) {
        dsml_loss_kind loss = torch_reference[c].loss;
        dsml_distance_kind kind = torch_reference[c].distance;
        dsml_loss_params p = dsml_loss_defaults(loss, kind);
        p.lambda = 0.05f;
        p.lifted.beta = 1.0f;
        /* the script's MARGIN table */
        if (loss != DSML_LOSS_NPAIR)
            p.margin = kind == DSML_DIST_EUCLIDEAN ? 3.0f : kind == DSML_DIST_SQEUCLIDEAN ? 8.0f
                     : loss == DSML_LOSS_CONTRASTIVE ? 2.0f : loss == DSML_LOSS_TRIPLET ? 0.5f : 1.0f;
        if (loss == DSML_LOSS_LIFTED) p.lifted.hard = torch_reference[c].variant;
        if (loss == DSML_LOSS_NPAIR) p.npair.l2 = torch_reference[c].variant ? 0.1f : 0.0f;
        int n = loss == DSML_LOSS_NPAIR ? 8 : N;
        double value;
        ck_assert_int_eq(dsml_loss_compute(&p, h, loss == DSML_LOSS_NPAIR ? pairs : group, n, D, dh, ws, &value),
                         DSML_OK);
        const char *name = dsml_loss_name(loss), *dname = dsml_distance_name(kind);
        ck_assert_msg(fabs(value - torch_reference[c].value) <= 1e-5 * fabs(torch_reference[c].value),
                      "%s/%s/%d: %.9g, torch %.9g", name, dname, torch_reference[c].variant, value,
                      torch_reference[c].value);
        const double want[4] = {torch_reference[c].g00, torch_reference[c].g31, torch_reference[c].g64,
                                torch_reference[c].g72};
        const float got[4] = {dh[0 * D + 0], dh[3 * D + 1], dh[6 * D + 4], dh[7 * D + 2]};
        for (int k = 0; k < 4; k++)
            ck_assert_msg(fabs(got[k] - want[k]) <= 1e-4 * fmax(0.1, fabs(want[k])), "%s/%s/%d: gradient %d: %.9g, torch %.9g",
                          name, dname, torch_reference[c].variant, k, got[k], want[k]);
    }
    dsml_loss_ws_free(ws);
}
END_TEST

/* ---------- gradients against finite differences ---------- */

typedef struct {
    dsml_loss_params p;
    float *h, *dh;
    const int *labels;
    int n, d;
    dsml_loss_ws *ws;
} loss_ctx;

static double loss_objective(void *v)
{
    loss_ctx *c = v;
    double loss = NAN;
    if (dsml_loss_compute(&c->p, c->h, c->labels, c->n, c->d, c->dh, c->ws, &loss)) return NAN;
    return loss;
}

/* Every loss x distance (lifted both ways), lambda > 0, on 4 classes x 3
 * (N-pair: 4 pairs). Kinks (hinges, and the jumps of a non-zero average
 * when a term switches on) are skipped by the checker, but most
 * coordinates must be checked. */
START_TEST(test_gradients_all_losses_and_distances)
{
    enum { N = 12, D = 5 };
    float h[N * D], dh[N * D], analytic[N * D];
    int labels[N], pair_labels[8] = {4, 4, 1, 1, 9, 9, 2, 2};
    for (int i = 0; i < N; i++) labels[i] = (i * 5) % 4;
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, N, D), DSML_OK);
    const dsml_loss_kind losses[] = {DSML_LOSS_CONTRASTIVE, DSML_LOSS_TRIPLET, DSML_LOSS_LIFTED, DSML_LOSS_LIFTED,
                                     DSML_LOSS_NPAIR, DSML_LOSS_NPAIR};
    for (int l = 0; l < 6; l++)
        for (int t = 0; t < 3; t++) {
            dsml_distance_kind kind = all_distances[t];
            int npair = losses[l] == DSML_LOSS_NPAIR, n = npair ? 8 : N;
            random_batch(100 + l * 3 + t, h, n, D, 0.7f);
            loss_ctx c = {dsml_loss_defaults(losses[l], kind), h, dh, npair ? pair_labels : labels, n, D, ws};
            c.p.lambda = 0.05f;
            if (kind == DSML_DIST_SQEUCLIDEAN && !npair) c.p.margin = 8.0f; /* squared scale */
            if (kind == DSML_DIST_EUCLIDEAN && !npair) c.p.margin = 3.0f;
            if (kind == DSML_DIST_SNR && losses[l] == DSML_LOSS_CONTRASTIVE) c.p.margin = 2.0f;
            if (l == 3) c.p.lifted.hard = 1;
            if (l == 5) c.p.npair.l2 = 0.1f;
            double loss = loss_objective(&c);
            ck_assert_msg(isfinite(loss) && loss > 0, "%s/%s: loss %g: %s", dsml_loss_name(losses[l]),
                          dsml_distance_name(kind), loss, dsml_last_error());
            memcpy(analytic, dh, sizeof analytic);
            gradcheck_result g = gradcheck(loss_objective, &c, h, analytic, n * D, 1, 1e-3, 1e-2);
            ck_assert_msg(g.failed == 0 && g.checked >= n * D * 3 / 4,
                          "%s/%s%s: %d failed, %d checked, %d kinks; worst %d: numeric %g analytic %g",
                          dsml_loss_name(losses[l]), dsml_distance_name(kind), l == 3 ? " (hard)" : "", g.failed,
                          g.checked, g.skipped_kinks, g.worst_index, g.worst_numeric, g.worst_analytic);
        }
    dsml_loss_ws_free(ws);
}
END_TEST

/* ---------- errors ---------- */

START_TEST(test_npair_layout_errors)
{
    float h[12] = {0};
    float dh[12];
    for (int i = 0; i < 12; i++) h[i] = (float)((i * 7) % 5) - 1.5f;
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, 6, 2), DSML_OK);
    dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_NPAIR, DSML_DIST_SNR);
    double loss;
    const int three[3] = {0, 0, 1};               /* class 1 once */
    const int triple[6] = {0, 1, 0, 1, 0, 1};     /* each class three times */
    const int good[6] = {5, 3, 5, 8, 3, 8};       /* interleaved pairs are fine */
    ck_assert_int_eq(dsml_loss_compute(&p, h, three, 3, 2, dh, ws, &loss), DSML_ERR_ARG);
    ck_assert_msg(strstr(dsml_last_error(), "npair") && strstr(dsml_last_error(), "label 1 appears 1 time "),
                  "%s", dsml_last_error());
    ck_assert_int_eq(dsml_loss_compute(&p, h, triple, 6, 2, dh, ws, &loss), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "label 0 appears 3 times"));
    ck_assert_int_eq(dsml_loss_compute(&p, h, good, 6, 2, dh, ws, &loss), DSML_OK);
    ck_assert(isfinite(loss));
    dsml_loss_ws_free(ws);
}
END_TEST

START_TEST(test_non_finite_and_size_errors)
{
    float h[8] = {1, 2, 3, 4, 5, 6, 7, 9}, dh[8];
    const int labels[4] = {0, 0, 1, 1};
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, 4, 2), DSML_OK);
    double loss = 7;
    for (int l = 0; l < 4; l++) {
        dsml_loss_params p = dsml_loss_defaults((dsml_loss_kind)l, DSML_DIST_SNR);
        h[5] = NAN;
        ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_NUMERIC);
        ck_assert_msg(strstr(dsml_last_error(), "embedding 2, value 1"), "%s", dsml_last_error());
        h[5] = INFINITY;
        ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_NUMERIC);
        h[5] = 6;
        ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_OK);
    }
    dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_TRIPLET, DSML_DIST_EUCLIDEAN);
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 5, 2, dh, ws, &loss), DSML_ERR_ARG);   /* n > max_n */
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 1, dh, ws, &loss), DSML_ERR_ARG);   /* d differs */
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 0, 2, dh, ws, &loss), DSML_ERR_ARG);
    p.margin = -1;
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_ARG);
    p = dsml_loss_defaults(DSML_LOSS_LIFTED, DSML_DIST_EUCLIDEAN);
    p.lifted.beta = 0;
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "beta"));
    p = dsml_loss_defaults(DSML_LOSS_CONTRASTIVE, DSML_DIST_EUCLIDEAN);
    p.lambda = NAN;
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_ARG);
    /* a huge input overflows the squared distance: the loss says so */
    p.lambda = 0;
    p.distance = DSML_DIST_SQEUCLIDEAN;
    h[0] = 3e30f;
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_NUMERIC);
    ck_assert_msg(strstr(dsml_last_error(), "not finite"), "%s", dsml_last_error());
    dsml_loss_ws_free(ws);
    dsml_loss_ws *none = (dsml_loss_ws *)1;
    ck_assert_int_eq(dsml_loss_ws_create(&none, 0, 2), DSML_ERR_ARG);
    ck_assert_ptr_null(none);
}
END_TEST

START_TEST(test_loss_names_and_defaults)
{
    dsml_loss_kind k = DSML_LOSS_CONTRASTIVE;
    const char *names[] = {"contrastive", "triplet", "lifted", "npair"};
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(dsml_loss_parse(names[i], &k), DSML_OK);
        ck_assert_int_eq(k, i);
        ck_assert_str_eq(dsml_loss_name(k), names[i]);
    }
    ck_assert_int_eq(dsml_loss_parse("hinge", &k), DSML_ERR_ARG);
    ck_assert_int_eq(k, DSML_LOSS_NPAIR);
    /* the table of docs/losses.md */
    dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_TRIPLET, DSML_DIST_SNR);
    ck_assert_float_eq(p.margin, 0.5f);
    ck_assert_float_eq(p.lambda, 0.01f);
    p = dsml_loss_defaults(DSML_LOSS_TRIPLET, DSML_DIST_EUCLIDEAN);
    ck_assert_float_eq(p.margin, 1.0f);
    ck_assert_float_eq(p.lambda, 0.0f);
    p = dsml_loss_defaults(DSML_LOSS_LIFTED, DSML_DIST_SNR);
    ck_assert_int_eq(p.lifted.hard, 0);
    ck_assert_float_eq(p.lifted.beta, 1.0f);
    ck_assert_int_eq(p.loss, DSML_LOSS_LIFTED);
    ck_assert_int_eq(p.distance, DSML_DIST_SNR);
    p = dsml_loss_defaults(DSML_LOSS_NPAIR, DSML_DIST_EUCLIDEAN);
    ck_assert_float_eq(p.npair.l2, 0.0f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("metric");
    TCase *tc = tcase_create("metric");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_distance_names);
    tcase_add_test(tc, test_distance_matches_naive);
    tcase_add_test(tc, test_snr_hand_and_asymmetric);
    tcase_add_test(tc, test_snr_zero_mean_equals_eq4);
    tcase_add_test(tc, test_snr_constant_anchor_is_finite);
    tcase_add_test(tc, test_distance_backward_gradcheck);
    tcase_add_test(tc, test_contrastive_euclidean_hand);
    tcase_add_test(tc, test_contrastive_snr_hand);
    tcase_add_test(tc, test_triplet_hand);
    tcase_add_test(tc, test_lifted_hand_hard_and_smooth);
    tcase_add_test(tc, test_lifted_smooth_bounds_hard);
    tcase_add_test(tc, test_npair_inner_product_hand);
    tcase_add_test(tc, test_npair_snr_duplicate_pair_finite);
    tcase_add_test(tc, test_regulariser_hand);
    tcase_add_test(tc, test_losses_match_naive_batch);
    tcase_add_test(tc, test_losses_match_torch_reference);
    tcase_add_test(tc, test_gradients_all_losses_and_distances);
    tcase_add_test(tc, test_npair_layout_errors);
    tcase_add_test(tc, test_non_finite_and_size_errors);
    tcase_add_test(tc, test_loss_names_and_defaults);
    suite_add_tcase(s, tc);
    return suite_run(s);
}
