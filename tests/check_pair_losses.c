/* Tests of the paper's losses in src/metric (contrastive.c, triplet.c,
 * lifted.c, npair.c, regulariser.c) through the dispatcher: tiny batches
 * worked out by hand, naive loops on a 10 x 10 batch, PyTorch autograd
 * (tests/reference/losses_torch.py), every loss x distance against finite
 * differences (contrastive also under --equations paper), and the N-pair
 * layout errors. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "metric/distance.h"
#include "metric/loss.h"
#include "support/loss_cases.h"
#include "support/suite_run.h"

static const dsml_distance_kind all_distances[] = {DSML_DIST_EUCLIDEAN, DSML_DIST_SQEUCLIDEAN, DSML_DIST_SNR};

/* ---------- losses by hand ---------- */

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
    ck_assert_double_eq_tol(loss_cases_value(&p, h, labels, 3, 2, dh), 1.7, 1e-6);
    const float want[6] = {-1, 0.5f, 0.7f, 0.4f, 0.3f, -0.9f};
    assert_grad(dh, want, 6, 1e-5f);

    /* margin 0.9: only (0,2),(2,0) are active (0.1 each) -> mean over the
     * non-zero ones 0.1, not 0.2/4. Loss 0.6 + 0.1 = 0.7. */
    p.margin = 0.9f;
    ck_assert_double_eq_tol(loss_cases_value(&p, h, labels, 3, 2, dh), 0.7, 1e-6);
}
END_TEST

/* The same batch under --equations paper (eq. 8 as printed, sums over the
 * ordered pairs), margin 2: positives 2 x 0.6 = 1.2, negatives 2 x 1.2 +
 * 2 x 1.0 = 4.4; loss 5.6. dL/dd is 1 per positive and -1 per active negative:
 * dh0 = 2 (-1, 0) - 2 (0, -1) = (-2, 2); dh1 = 2 (1, 0) - 2 (0.6, -0.8) = (0.8, 1.6);
 * dh2 = -(dh0 + dh1) = (1.2, -3.6). Margin 0.9: only (0,2),(2,0) at 0.1 each. */
START_TEST(test_contrastive_paper_hand)
{
    const float h[6] = {0, 0, 0.6f, 0, 0, 0.8f};
    const int labels[3] = {3, 3, 5};
    float dh[6];
    dsml_loss_params p = params(DSML_LOSS_CONTRASTIVE, DSML_DIST_EUCLIDEAN, 2.0f, 0.0f);
    p.equations = DSML_EQUATIONS_PAPER;
    ck_assert_double_eq_tol(loss_cases_value(&p, h, labels, 3, 2, dh), 5.6, 1e-6);
    const float want[6] = {-2, 2, 0.8f, 1.6f, 1.2f, -3.6f};
    assert_grad(dh, want, 6, 1e-5f);
    p.margin = 0.9f;
    ck_assert_double_eq_tol(loss_cases_value(&p, h, labels, 3, 2, dh), 1.2 + 0.2, 1e-6);
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
    ck_assert_double_eq_tol(loss_cases_value(&p, h, labels, 3, 2, dh), 0.625 + 4.75 / 3, 1e-6);
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
    ck_assert_double_eq_tol(loss_cases_value(&p, h, labels, 4, 1, dh), 1.9, 1e-6);
    const float want[4] = {0, 1, -1.4f, 0.4f};
    assert_grad(dh, want, 4, 1e-5f);
    /* margin 0 and two tight, distant classes {0, 0.1} and {5, 5.2}: no active triplet, loss and gradient 0 */
    p.margin = 0;
    const float far[4] = {0, 0.1f, 5, 5.2f};
    ck_assert_double_eq_tol(loss_cases_value(&p, far, labels, 4, 1, dh), 0.0, 1e-12);
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
    ck_assert_double_eq_tol(loss_cases_value(&p, h, labels, 4, 1, dh), 1.375, 1e-6);
    const float want[4] = {-0.25f, 0.75f, -0.75f, 0.25f};
    assert_grad(dh, want, 4, 1e-5f);
    p.lifted.hard = 0;
    ck_assert_double_eq_tol(loss_cases_value(&p, h, labels, 4, 1, dh), 1.5465060528954218, 1e-6);
    /* beta scales distances: beta = 2, hard: row maxes 1-2d: row1 1-1 = 0, row2 0;
     * J01 = 0 + 2 = 2, J23 = 0 + 7 = 7 -> (2+2+7+7)/8 = 2.25 */
    p.lifted.hard = 1;
    p.lifted.beta = 2.0f;
    ck_assert_double_eq_tol(loss_cases_value(&p, h, labels, 4, 1, dh), 2.25, 1e-6);
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
        loss_cases_shifted(40 + t, h, N, D, 1.0f);
        dsml_loss_params p = params(DSML_LOSS_LIFTED, all_distances[t], 1.0f, 0.0f);
        p.lifted.hard = 1;
        double hard = loss_cases_value(&p, h, labels, N, D, dh);
        p.lifted.hard = 0;
        double smooth = loss_cases_value(&p, h, labels, N, D, dh);
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
    ck_assert_double_eq_tol(loss_cases_value(&p, h, labels, 4, 2, dh), 0.31326168751822286, 1e-6);
    const float q = 0.2689414213699951f / 2;
    const float want[8] = {-q, q, -q, q, q, -q, q, -q};
    assert_grad(dh, want, 8, 1e-6f);
    /* Sohn's L2 penalty, weight 0.4: 0.4 * 0.25 * (mean(|a|^2) + mean(|p|^2))
     * = 0.1 * ((1+1)/2 + (4+2)/2) = 0.4 more; gradient 0.4*0.5/2 h = 0.1 h more. */
    p.npair.l2 = 0.4f;
    ck_assert_double_eq_tol(loss_cases_value(&p, h, labels, 4, 2, dh), 0.31326168751822286 + 0.4, 1e-6);
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
    double loss = loss_cases_value(&p, h, labels, 4, 2, dh);
    ck_assert_double_eq_tol(loss, want, 1e-5);
    for (int i = 0; i < 8; i++) ck_assert(isfinite(dh[i]));
    /* the clamped pair carries no gradient through d(a0,p0); row a0 only
     * feels S01 through l0, which is e^-1e4 = 0: its gradient is 0 */
    ck_assert_float_eq_tol(dh[0], 0.0f, 1e-6f);
    ck_assert_float_eq_tol(dh[1], 0.0f, 1e-6f);

    /* an anchor identical to ANOTHER pair's positive: S = 1e4 in the
     * exponent of a negative, a loss near 1e4 / 2, still finite */
    const float g[8] = {1, -1, 3, 0, 2, -2, 1, -1};
    loss = loss_cases_value(&p, g, labels, 4, 2, dh);
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
    ck_assert_double_eq_tol(loss_cases_value(&p, h, labels, 3, 3, dh), 0.2, 1e-7);
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
    loss_cases_shifted(99, h, N, D, 0.5f);
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, N, D), DSML_OK);
    for (int t = 0; t < 3; t++) {
        dsml_distance_kind kind = all_distances[t];
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) dist[i * N + j] = i == j ? 0 : loss_cases_naive_distance(kind, h + i * D, h + j * D, D);
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
    const int *group = loss_cases_classes, *pairs = loss_cases_pairs;
    for (int i = 0; i < N; i++) {
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

/* Every loss x distance (lifted both ways), lambda > 0, on 4 classes x 3
 * (N-pair: 4 pairs). Kinks (hinges, and the jumps of a non-zero average
 * when a term switches on) are skipped by the checker, but most
 * coordinates must be checked. */
START_TEST(test_gradients_all_losses_and_distances)
{
    enum { N = 12, D = 5 };
    float h[N * D], dh[N * D];
    const int *labels = loss_cases_classes, *pair_labels = loss_cases_pairs;
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, N, D), DSML_OK);
    const dsml_loss_kind losses[] = {DSML_LOSS_CONTRASTIVE, DSML_LOSS_TRIPLET, DSML_LOSS_LIFTED, DSML_LOSS_LIFTED,
                                     DSML_LOSS_NPAIR, DSML_LOSS_NPAIR};
    for (int l = 0; l < 6; l++)
        for (int t = 0; t < 3; t++) {
            dsml_distance_kind kind = all_distances[t];
            int npair = losses[l] == DSML_LOSS_NPAIR, n = npair ? 8 : N;
            loss_cases_shifted(100 + l * 3 + t, h, n, D, 0.7f);
            loss_case c = {dsml_loss_defaults(losses[l], kind), h, dh, npair ? pair_labels : labels, NULL, n, D, ws};
            c.p.lambda = 0.05f;
            if (kind == DSML_DIST_SQEUCLIDEAN && !npair) c.p.margin = 8.0f; /* squared scale */
            if (kind == DSML_DIST_EUCLIDEAN && !npair) c.p.margin = 3.0f;
            if (kind == DSML_DIST_SNR && losses[l] == DSML_LOSS_CONTRASTIVE) c.p.margin = 2.0f;
            if (l == 3) c.p.lifted.hard = 1;
            if (l == 5) c.p.npair.l2 = 0.1f;
            char what[64];
            snprintf(what, sizeof what, "%s/%s%s", dsml_loss_name(losses[l]), dsml_distance_name(kind),
                     l == 3 ? " (hard)" : "");
            loss_case_assert_gradient(&c, what, 75);
        }
    dsml_loss_ws_free(ws);
}
END_TEST

/* Contrastive under --equations paper (sums over the pairs) with either
 * distance, lambda > 0, against finite differences. */
START_TEST(test_gradients_contrastive_paper)
{
    enum { N = 12, D = 5 };
    float h[N * D], dh[N * D];
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, N, D), DSML_OK);
    const dsml_distance_kind kinds[] = {DSML_DIST_EUCLIDEAN, DSML_DIST_SNR};
    for (int t = 0; t < 2; t++) {
        loss_cases_shifted(130 + t, h, N, D, 0.7f);
        loss_case c = {dsml_loss_defaults(DSML_LOSS_CONTRASTIVE, kinds[t]), h, dh, loss_cases_classes, NULL, N, D,
                       ws};
        c.p.equations = DSML_EQUATIONS_PAPER;
        c.p.lambda = 0.05f;
        c.p.margin = kinds[t] == DSML_DIST_SNR ? 2.0f : 3.0f;
        char what[64];
        snprintf(what, sizeof what, "contrastive/%s (paper)", dsml_distance_name(kinds[t]));
        loss_case_assert_gradient(&c, what, 75);
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

int main(void)
{
    const suite_case cases[] = {
        {"by hand", 30,
         (const TTest *[]){test_contrastive_euclidean_hand, test_contrastive_paper_hand, test_contrastive_snr_hand,
                           test_triplet_hand, test_lifted_hand_hard_and_smooth, test_lifted_smooth_bounds_hard,
                           test_npair_inner_product_hand, test_npair_snr_duplicate_pair_finite, test_regulariser_hand,
                           NULL}},
        {"references", 60, (const TTest *[]){test_losses_match_naive_batch, test_losses_match_torch_reference, NULL}},
        {"gradients", 60,
         (const TTest *[]){test_gradients_all_losses_and_distances, test_gradients_contrastive_paper, NULL}},
        {"errors", 30, (const TTest *[]){test_npair_layout_errors, NULL}},
    };
    return suite_run_cases("pair_losses", cases, SUITE_CASES(cases));
}
