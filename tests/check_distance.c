/* Tests of src/metric/distance.c: the names, the GEMM distances against a
 * naive O(N^2 D) reference (SNR asymmetry, eq. 4, a constant anchor), and
 * their backward pass against finite differences. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"
#include "metric/distance.h"
#include "support/gradcheck.h"
#include "support/loss_cases.h"
#include "support/suite_run.h"

static const dsml_distance_kind all_distances[] = {DSML_DIST_EUCLIDEAN, DSML_DIST_SQEUCLIDEAN, DSML_DIST_SNR};

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
    loss_cases_shifted(11, h, N, D, 3.0f);
    /* row 5 duplicates row 2: a pair at distance exactly 0 */
    memcpy(h + 5 * D, h + 2 * D, sizeof(float) * D);
    dsml_distance_ws *ws;
    ck_assert_int_eq(dsml_distance_ws_create(&ws, N, D), DSML_OK);
    for (int t = 0; t < 3; t++) {
        dsml_distance_kind kind = all_distances[t];
        ck_assert_int_eq(dsml_distance_forward(kind, dist, h, N, D, ws), DSML_OK);
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                double want = i == j ? 0.0 : loss_cases_naive_distance(kind, h + i * D, h + j * D, D);
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
    ck_assert_double_eq_tol(dist[0 * 3 + 1], loss_cases_naive_distance(DSML_DIST_SNR, h, h + D, D), 1e-5);
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
    loss_cases_shifted(3, r, N, D, 1.0f);
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
    loss_cases_shifted(5, h, N, D, 0.0f);
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
    loss_cases_shifted(21, h, N, D, 1.0f);
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

int main(void)
{
    const suite_case cases[] = {
        {"names", 30, (const TTest *[]){test_distance_names, NULL}},
        {"forward", 60,
         (const TTest *[]){test_distance_matches_naive, test_snr_hand_and_asymmetric, test_snr_zero_mean_equals_eq4,
                           test_snr_constant_anchor_is_finite, NULL}},
        {"backward", 60, (const TTest *[]){test_distance_backward_gradcheck, NULL}},
    };
    return suite_run_cases("distance", cases, SUITE_CASES(cases));
}
