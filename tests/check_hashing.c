/* Tests of the deep hashing losses (src/metric/dpsh.c, dtsh.c): names and
 * defaults, DPSH and DTSH worked out by hand, against a naive O(N^3) double
 * implementation written from the objectives in docs/losses.md on single- and
 * multi-label batches, against finite differences, numerical stability for
 * large inner products, one-hot label sets equal to single labels, and the
 * errors; the hashing protocol's name and the metrics.json keys a hashing
 * run leaves for `dsml tables` (Table 4). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/json_parse.h"
#include "core/rng.h"
#include "metric/loss.h"
#include "results/metrics_write.h"
#include "run/config_json.h"
#include "run/train.h"
#include "support/gradcheck.h"
#include "support/testdir.h"
#include "support/suite_run.h"

/* ---------- naive references, in double, straight from the objectives ---------- */

static int naive_similar(const int *labels, const uint64_t *sets, int i, int j)
{
    return labels ? labels[i] == labels[j] : (sets[i] & sets[j]) != 0;
}

static double naive_theta(const float *h, int d, int i, int j)
{
    double s = 0;
    for (int k = 0; k < d; k++) s += (double)h[i * d + k] * h[j * d + k];
    return 0.5 * s;
}

static double naive_quant(const float *h, int n, int d, double weight)
{
    double s = 0;
    for (int i = 0; i < n * d; i++) {
        double b = h[i] >= 0 ? 1 : -1;
        s += (b - h[i]) * (b - h[i]);
    }
    return weight * s / (n * d);
}

/* log(1 + e^x) the plain way: only used on moderate values. */
static double plain_softplus(double x) { return log(1 + exp(x)); }

static double naive_dpsh(const float *h, const int *labels, const uint64_t *sets, int n, int d, double quant)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            if (i == j) continue;
            double t = naive_theta(h, d, i, j);
            s += plain_softplus(t) - naive_similar(labels, sets, i, j) * t;
        }
    return s / ((double)n * (n - 1)) + naive_quant(h, n, d, quant);
}

static double naive_dtsh(const float *h, const int *labels, const uint64_t *sets, int n, int d, double margin,
                         double quant)
{
    double s = 0, count = 0, alpha = margin * d;
    for (int a = 0; a < n; a++)
        for (int p = 0; p < n; p++) {
            if (p == a || !naive_similar(labels, sets, a, p)) continue;
            for (int q = 0; q < n; q++) {
                if (q == a || naive_similar(labels, sets, a, q)) continue;
                double x = naive_theta(h, d, a, p) - naive_theta(h, d, a, q) - alpha;
                s += -log(1 / (1 + exp(-x)));
                count++;
            }
        }
    return (count ? s / count : 0) + naive_quant(h, n, d, quant);
}

/* ---------- helpers ---------- */

typedef struct {
    const dsml_loss_params *p;
    float *h;
    const int *labels;
    const uint64_t *sets;
    int n, d;
    float *dh;
    dsml_loss_ws *ws;
} loss_ctx;

static double compute(const loss_ctx *c, double *loss)
{
    int rc = c->labels ? dsml_loss_compute(c->p, c->h, c->labels, c->n, c->d, c->dh, c->ws, loss)
                       : dsml_loss_compute_multi(c->p, c->h, c->sets, 1, c->n, c->d, c->dh, c->ws, loss);
    ck_assert_msg(rc == DSML_OK, "%s", dsml_last_error());
    return *loss;
}

static double loss_objective(void *ctx)
{
    double loss;
    return compute(ctx, &loss);
}

static void random_batch(uint64_t seed, float *h, int n, int d, double scale)
{
    dsml_rng r;
    dsml_rng_seed(&r, seed);
    for (int i = 0; i < n * d; i++) h[i] = (float)(scale * dsml_rng_normal(&r));
}

/* ---------- names and defaults ---------- */

START_TEST(test_names_and_defaults)
{
    dsml_loss_kind k = DSML_LOSS_CONTRASTIVE;
    ck_assert_int_eq(dsml_loss_parse("dpsh", &k), DSML_OK);
    ck_assert_int_eq(k, DSML_LOSS_DPSH);
    ck_assert_int_eq(dsml_loss_parse("dtsh", &k), DSML_OK);
    ck_assert_int_eq(k, DSML_LOSS_DTSH);
    ck_assert_str_eq(dsml_loss_name(DSML_LOSS_DPSH), "dpsh");
    ck_assert_str_eq(dsml_loss_name(DSML_LOSS_DTSH), "dtsh");
    ck_assert_int_eq(dsml_loss_parse("dsh", &k), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "dpsh or dtsh"));
    dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_DPSH, DSML_DIST_EUCLIDEAN);
    ck_assert_float_eq_tol(p.quant, 0.1f, 1e-7f);
    ck_assert_float_eq(p.lambda, 0.0f);
    p = dsml_loss_defaults(DSML_LOSS_DTSH, DSML_DIST_EUCLIDEAN);
    ck_assert_float_eq_tol(p.quant, 0.1f, 1e-7f);
    ck_assert_float_eq_tol(p.margin, 0.5f, 1e-7f); /* alpha = B / 2 */
    p = dsml_loss_defaults(DSML_LOSS_CONTRASTIVE, DSML_DIST_SNR);
    ck_assert_float_eq(p.quant, 0.0f);
}
END_TEST

/* ---------- by hand ---------- */

/* DPSH, h0 = (1, 2), h1 = (3, -1), same label, quant 0.1.
 *   Theta_01 = (3 - 2) / 2 = 0.5; both ordered pairs give log(1 + e^0.5) - 0.5 = 0.4740770;
 *   b = (1, 1), (1, -1); (b - u)^2 = 0, 1, 4, 0: quantisation 0.1 * 5 / 4 = 0.125.
 *   L = 0.4740770 + 0.125 = 0.5990770.
 *   dL/dTheta_01 = dL/dTheta_10 = (sigma(0.5) - 1) / 2 = -0.1887703, so
 *   dL/du_0 = -0.1887703 * u_1 + 2 * 0.1 / 4 * (u_0 - b_0) = (-0.5663110, 0.1887703 + 0.05),
 *   dL/du_1 = -0.1887703 * u_0 + 0.05 * (u_1 - b_1) = (-0.1887703 + 0.1, -0.3775407). */
START_TEST(test_dpsh_hand)
{
    const float h[] = {1, 2, 3, -1};
    const int labels[] = {4, 4};
    float dh[4];
    dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_DPSH, DSML_DIST_EUCLIDEAN);
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, 2, 2), DSML_OK);
    double loss;
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 2, 2, dh, ws, &loss), DSML_OK);
    ck_assert_double_eq_tol(loss, 0.5990770, 1e-6);
    const double want[] = {-0.5663110, 0.2387703, -0.0887703, -0.3775407};
    for (int i = 0; i < 4; i++) ck_assert_double_eq_tol(dh[i], want[i], 1e-6);
    /* Dissimilar: log(1 + e^0.5) = 0.9740770 per pair; dL/dTheta = sigma(0.5) / 2 = 0.3112296. */
    const int other[] = {4, 5};
    ck_assert_int_eq(dsml_loss_compute(&p, h, other, 2, 2, dh, ws, &loss), DSML_OK);
    ck_assert_double_eq_tol(loss, 0.9740770 + 0.125, 1e-6);
    ck_assert_double_eq_tol(dh[0], 0.3112296 * 3, 1e-6);
    dsml_loss_ws_free(ws);
}
END_TEST

/* DTSH, D = 2, margin 0.25 per bit (alpha = 0.5), no quantisation:
 *   h0 = (1, 0), h1 = (1, 1) (same class), h2 = (0, -1) (other class).
 *   Theta_01 = 0.5, Theta_02 = 0, Theta_12 = -0.5. Triplets: (0, 1, 2): x = 0.5 - 0 - 0.5 = 0,
 *   -log sigma(0) = log 2 = 0.6931472; (1, 0, 2): x = 0.5 + 0.5 - 0.5 = 0.5,
 *   -log sigma(0.5) = 0.4740770; anchor 2 has no positive. L = (0.6931472 + 0.4740770) / 2 = 0.5836121.
 *   dL/dx = -sigma(-x) / 2: -0.25 and -0.1887703.
 *   dL/dTheta: (0,1) -0.25, (0,2) +0.25, (1,0) -0.1887703, (1,2) +0.1887703; symmetrised M_01 = -0.2193852,
 *   M_02 = 0.125, M_12 = 0.0943852. dL/du_0 = M_01 u_1 + M_02 u_2 = (-0.2193852, -0.2193852 - 0.125). */
START_TEST(test_dtsh_hand)
{
    const float h[] = {1, 0, 1, 1, 0, -1};
    const int labels[] = {0, 0, 1};
    float dh[6];
    dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_DTSH, DSML_DIST_EUCLIDEAN);
    p.margin = 0.25f;
    p.quant = 0;
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, 3, 2), DSML_OK);
    double loss;
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 3, 2, dh, ws, &loss), DSML_OK);
    ck_assert_double_eq_tol(loss, 0.5836121, 1e-6);
    ck_assert_double_eq_tol(dh[0], -0.2193852, 1e-6);
    ck_assert_double_eq_tol(dh[1], -0.3443852, 1e-6);
    /* dL/du_2 = M_20 u_0 + M_21 u_1 = (0.125 + 0.0943852, 0.0943852) */
    ck_assert_double_eq_tol(dh[4], 0.2193852, 1e-6);
    ck_assert_double_eq_tol(dh[5], 0.0943852, 1e-6);

    /* One class only: no triplet, the loss is the quantisation penalty alone. */
    const int same[] = {3, 3, 3};
    p.quant = 0.5f;
    ck_assert_int_eq(dsml_loss_compute(&p, h, same, 3, 2, dh, ws, &loss), DSML_OK);
    ck_assert_double_eq_tol(loss, naive_quant(h, 3, 2, 0.5), 1e-7);
    ck_assert_double_eq_tol(dh[1], 2 * 0.5 / 6 * (0 - 1), 1e-7); /* sign(0) = +1 */
    dsml_loss_ws_free(ws);
}
END_TEST

/* Four rows with label sets {0,1}, {1}, {2}, {} (a row without labels is
 * similar to no row), for the hand cases below. */
static const float multi_h[] = {1, 0, 0, 1, -1, 1, 0.5f, 0.5f};
static const uint64_t multi_sets[] = {3, 2, 4, 0};

/* The loss of multi_h under p with the given label sets (labels NULL) or
 * single labels (sets NULL). */
static double multi_hand_loss(const dsml_loss_params *p, const uint64_t *sets, const int *labels)
{
    float dh[8];
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, 4, 2), DSML_OK);
    double loss;
    if (sets) ck_assert_int_eq(dsml_loss_compute_multi(p, multi_h, sets, 1, 4, 2, dh, ws, &loss), DSML_OK);
    else ck_assert_int_eq(dsml_loss_compute(p, multi_h, labels, 4, 2, dh, ws, &loss), DSML_OK);
    dsml_loss_ws_free(ws);
    return loss;
}

/* Similar pairs: (0,1) only. DPSH value against the definition. */
START_TEST(test_multilabel_hand)
{
    dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_DPSH, DSML_DIST_EUCLIDEAN);
    p.quant = 0;
    double loss = multi_hand_loss(&p, multi_sets, NULL);
    /* Theta: 01 0, 02 -0.5, 03 0.25, 12 0.5, 13 0.25, 23 0; pair (0,1) similar with Theta 0. */
    double sp0 = log(2.0), want = 2 * (sp0 - 0) + 2 * (plain_softplus(-0.5) + plain_softplus(0.25) +
                                                       plain_softplus(0.5) + plain_softplus(0.25) + sp0);
    ck_assert_double_eq_tol(loss, want / 12, 1e-6);
}
END_TEST

/* DSNRH's loss on label sets: the same four rows and sets, contrastive with
 * Euclidean distance and margin 1. Similar: (0,1) and (1,0), both at sqrt(2);
 * within the margin among the dissimilar: (0,3), (3,0), (1,3), (3,1), each at
 * sqrt(1/2) (d12 = 1 gives no term). Loss = sqrt(2) + 1 - sqrt(1/2). */
START_TEST(test_multilabel_contrastive_hand)
{
    dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_CONTRASTIVE, DSML_DIST_EUCLIDEAN);
    p.margin = 1.0f;
    double loss = multi_hand_loss(&p, multi_sets, NULL);
    ck_assert_double_eq_tol(loss, sqrt(2.0) + 1 - sqrt(0.5), 1e-6);
    /* Single labels 1, 1, 2, 0 give the same similar pairs, so the same loss. */
    const int labels[] = {1, 1, 2, 0};
    ck_assert_double_eq_tol(multi_hand_loss(&p, NULL, labels), loss, 1e-12);
    /* Sets {0,1} and {1} made dissimilar ({0}, {1}): the pair leaves the positives. */
    const uint64_t apart[] = {1, 2, 4, 0};
    ck_assert_double_eq_tol(multi_hand_loss(&p, apart, NULL), 1 - sqrt(0.5), 1e-6);
}
END_TEST

/* ---------- against the naive implementation and finite differences ---------- */

START_TEST(test_match_naive_and_gradcheck)
{
    enum { N = 12, D = 8 };
    static float h[N * D], dh[N * D], analytic[N * D];
    int labels[N];
    uint64_t sets[N];
    dsml_rng r;
    dsml_rng_seed(&r, 5);
    for (int i = 0; i < N; i++) {
        labels[i] = (int)dsml_rng_below(&r, 3);
        sets[i] = dsml_rng_below(&r, 8); /* three labels, some rows with none */
    }
    sets[0] = 1; /* at least one similar and one dissimilar pair */
    sets[1] = 1;
    sets[2] = 2;
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, N, D), DSML_OK);
    const dsml_loss_kind kinds[] = {DSML_LOSS_DPSH, DSML_LOSS_DTSH};
    for (int k = 0; k < 2; k++)
        for (int multi = 0; multi < 2; multi++) {
            random_batch(7 + k + 2 * multi, h, N, D, 0.6);
            dsml_loss_params p = dsml_loss_defaults(kinds[k], DSML_DIST_EUCLIDEAN);
            p.margin = kinds[k] == DSML_LOSS_DTSH ? 0.1f : 0.0f;
            p.quant = 0.3f;
            loss_ctx c = {&p, h, multi ? NULL : labels, multi ? sets : NULL, N, D, dh, ws};
            double loss;
            compute(&c, &loss);
            double want = kinds[k] == DSML_LOSS_DPSH ? naive_dpsh(h, c.labels, c.sets, N, D, p.quant)
                                                     : naive_dtsh(h, c.labels, c.sets, N, D, p.margin, p.quant);
            ck_assert_msg(fabs(loss - want) < 1e-5 * fmax(1, fabs(want)), "%s%s: %.9g vs naive %.9g",
                          dsml_loss_name(kinds[k]), multi ? " multi-label" : "", loss, want);
            memcpy(analytic, dh, sizeof analytic);
            gradcheck_result g = gradcheck(loss_objective, &c, h, analytic, N * D, 1, 1e-3, 1e-2);
            ck_assert_msg(g.failed == 0 && g.checked >= N * D * 9 / 10,
                          "%s%s: %d failed, %d checked, %d kinks; worst %d: numeric %g analytic %g",
                          dsml_loss_name(kinds[k]), multi ? " multi-label" : "", g.failed, g.checked,
                          g.skipped_kinks, g.worst_index, g.worst_numeric, g.worst_analytic);
        }
    dsml_loss_ws_free(ws);
}
END_TEST

/* DSNRH and its Euclidean twin on overlapping label sets: finite differences. */
START_TEST(test_multilabel_contrastive_gradcheck)
{
    enum { N = 12, D = 8 };
    static float h[N * D], dh[N * D], analytic[N * D];
    uint64_t sets[N];
    dsml_rng r;
    dsml_rng_seed(&r, 11);
    for (int i = 0; i < N; i++) sets[i] = dsml_rng_below(&r, 8);
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, N, D), DSML_OK);
    for (int snr = 0; snr < 2; snr++) {
        random_batch(21 + snr, h, N, D, 1.0);
        dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_CONTRASTIVE, snr ? DSML_DIST_SNR : DSML_DIST_EUCLIDEAN);
        p.margin = snr ? 2.0f : 4.0f; /* most dissimilar pairs inside the margin */
        loss_ctx c = {&p, h, NULL, sets, N, D, dh, ws};
        double loss;
        compute(&c, &loss);
        ck_assert_double_gt(loss, 0);
        memcpy(analytic, dh, sizeof analytic);
        gradcheck_result g = gradcheck(loss_objective, &c, h, analytic, N * D, 1, 1e-3, 1e-2);
        ck_assert_msg(g.failed == 0 && g.checked >= N * D * 9 / 10, "contrastive %s multi-label: %d failed, %d checked",
                      snr ? "snr" : "euclidean", g.failed, g.checked);
    }
    dsml_loss_ws_free(ws);
}
END_TEST

/* One-hot label sets are the single-label case: identical loss and gradient. */
START_TEST(test_onehot_sets_equal_single_labels)
{
    enum { N = 10, D = 6 };
    static float h[N * D], dh1[N * D], dh2[N * D];
    int labels[N];
    uint64_t sets[N];
    for (int i = 0; i < N; i++) {
        labels[i] = i % 4;
        sets[i] = 1ULL << labels[i];
    }
    random_batch(9, h, N, D, 1.0);
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, N, D), DSML_OK);
    const dsml_loss_kind kinds[] = {DSML_LOSS_DPSH, DSML_LOSS_DTSH, DSML_LOSS_CONTRASTIVE, DSML_LOSS_CONTRASTIVE};
    for (int k = 0; k < 4; k++) {
        dsml_loss_params p = dsml_loss_defaults(kinds[k], k == 3 ? DSML_DIST_SNR : DSML_DIST_EUCLIDEAN);
        double a, b;
        ck_assert_int_eq(dsml_loss_compute(&p, h, labels, N, D, dh1, ws, &a), DSML_OK);
        ck_assert_int_eq(dsml_loss_compute_multi(&p, h, sets, 1, N, D, dh2, ws, &b), DSML_OK);
        ck_assert_double_eq(a, b);
        ck_assert_int_eq(memcmp(dh1, dh2, sizeof dh1), 0);
    }
    dsml_loss_ws_free(ws);
}
END_TEST

/* Inner products of +-1000: e^Theta overflows a double, the loss must not. */
START_TEST(test_large_inner_products_finite)
{
    enum { N = 4, D = 8 };
    float h[N * D], dh[N * D];
    for (int i = 0; i < N; i++)
        for (int k = 0; k < D; k++) h[i * D + k] = (i < 2 ? 16.0f : -16.0f) * (k % 2 ? 1 : -1);
    const int labels[] = {0, 1, 0, 1}; /* 0 and 1 identical codes but dissimilar: Theta_01 = 1024 */
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, N, D), DSML_OK);
    const dsml_loss_kind kinds[] = {DSML_LOSS_DPSH, DSML_LOSS_DTSH};
    for (int k = 0; k < 2; k++) {
        dsml_loss_params p = dsml_loss_defaults(kinds[k], DSML_DIST_EUCLIDEAN);
        double loss;
        ck_assert_int_eq(dsml_loss_compute(&p, h, labels, N, D, dh, ws, &loss), DSML_OK);
        ck_assert(isfinite(loss) && loss > 100);
        for (int i = 0; i < N * D; i++) ck_assert(isfinite(dh[i]));
    }
    dsml_loss_ws_free(ws);
}
END_TEST

/* ---------- errors ---------- */

START_TEST(test_errors)
{
    const float h[] = {1, 2, 3, -1};
    const int labels[] = {0, 1};
    const uint64_t sets[] = {1, 2};
    float dh[4];
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, 2, 2), DSML_OK);
    double loss = 7;
    dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_DPSH, DSML_DIST_SNR);
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 2, 2, dh, ws, &loss), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "dpsh: works on inner products"));
    p = dsml_loss_defaults(DSML_LOSS_DTSH, DSML_DIST_EUCLIDEAN);
    p.quant = -1;
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 2, 2, dh, ws, &loss), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "quantisation weight -1"));
    p.quant = NAN;
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 2, 2, dh, ws, &loss), DSML_ERR_ARG);
    p = dsml_loss_defaults(DSML_LOSS_TRIPLET, DSML_DIST_SNR);
    ck_assert_int_eq(dsml_loss_compute_multi(&p, h, sets, 1, 2, 2, dh, ws, &loss), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "for contrastive (without --density), dpsh and dtsh only"));
    p = dsml_loss_defaults(DSML_LOSS_CONTRASTIVE, DSML_DIST_SNR);
    p.density = 0.1f;
    ck_assert_int_eq(dsml_loss_compute_multi(&p, h, sets, 1, 2, 2, dh, ws, &loss), DSML_ERR_ARG);
    p = dsml_loss_defaults(DSML_LOSS_DPSH, DSML_DIST_EUCLIDEAN);
    ck_assert_int_eq(dsml_loss_compute_multi(&p, h, sets, 0, 2, 2, dh, ws, &loss), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "0 words per label set"));
    ck_assert_int_eq(dsml_loss_compute_multi(&p, h, NULL, 1, 2, 2, dh, ws, &loss), DSML_ERR_ARG);
    ck_assert_int_eq(dsml_loss_compute_multi(&p, h, sets, 1, 3, 2, dh, ws, &loss), DSML_ERR_ARG);
    float bad[] = {1, NAN, 3, -1};
    ck_assert_int_eq(dsml_loss_compute_multi(&p, bad, sets, 1, 2, 2, dh, ws, &loss), DSML_ERR_NUMERIC);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "input embedding 0, value 1"));
    ck_assert_double_eq(loss, 0);
    dsml_loss_ws_free(ws);
}
END_TEST

/* ---------- the hashing protocol's record ---------- */

START_TEST(test_protocol_names)
{
    dsml_protocol p = DSML_PROTOCOL_DML;
    ck_assert_int_eq(dsml_protocol_parse("hashing", &p), DSML_OK);
    ck_assert_int_eq(p, DSML_PROTOCOL_HASHING);
    ck_assert_str_eq(dsml_protocol_name(p), "hashing");
    ck_assert_int_eq(dsml_protocol_parse("dml", &p), DSML_OK);
    ck_assert_str_eq(dsml_protocol_name(p), "dml");
    ck_assert_int_eq(dsml_protocol_parse("hash", &p), DSML_ERR_ARG);
    ck_assert_int_eq(p, DSML_PROTOCOL_DML);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "expected dml or hashing"));
    ck_assert_str_eq(dsml_protocol_name((dsml_protocol)9), "unknown");
}
END_TEST

static void write_config(dsml_json *j, const void *cfg)
{
    dsml_train_config_write_json(j, cfg);
}

/* metrics.json of a hashing run: what Table 4 reads (config.protocol,
 * config.loss, metrics.hamming.map@t) and the lookup metrics, with no
 * Euclidean block. Written by the real writer and read back by the JSON
 * reader. */
START_TEST(test_hashing_metrics_json)
{
    ck_assert_ptr_nonnull(testdir_make("hashing_json"));
    dsml_train_config cfg;
    dsml_train_config_default(&cfg);
    cfg.protocol = DSML_PROTOCOL_HASHING;
    cfg.loss = dsml_loss_defaults(DSML_LOSS_DPSH, DSML_DIST_EUCLIDEAN);
    cfg.dim = 16;
    cfg.queries_per_class = DSML_HASHING_QUERIES_PER_CLASS;
    cfg.map_at = DSML_HASHING_MAP_AT;
    dsml_dataset ds;
    memset(&ds, 0, sizeof ds);
    snprintf(ds.name, sizeof ds.name, "cifar10");
    ds.n = 60000;
    ds.n_classes = 10;
    dsml_split split;
    memset(&split, 0, sizeof split);
    split.n_query = 10000;
    split.n_database = split.n_train = 50000;
    dsml_finished_run *rec = calloc(1, sizeof *rec);
    ck_assert_ptr_nonnull(rec);
    rec->write_config = write_config;
    rec->config = &cfg;
    rec->dataset = ds.name;
    rec->images = ds.n;
    rec->classes = ds.n_classes;
    rec->source_sha256 = ds.source_sha256;
    rec->content_sha256 = ds.content_sha256;
    rec->protocol = dsml_protocol_name(cfg.protocol);
    rec->split_kind = split.kind;
    rec->n_query = split.n_query;
    rec->n_database = split.n_database;
    rec->n_train = split.n_train;
    rec->split_hash = split.hash;
    rec->map_at = cfg.map_at;
    rec->f1_at = cfg.f1_at;
    rec->n_eval_queries = 10000;
    rec->n_eval_database = 50000;
    rec->euclidean_skipped = 1;
    dsml_retrieval_result *h = &rec->hamming;
    h->map_at_t = 0.625;
    h->n_precision_k = 3;
    h->precision_k[0] = 100, h->precision_k[1] = 500, h->precision_k[2] = 1000;
    h->precision_at_k[0] = 0.75, h->precision_at_k[1] = 0.5, h->precision_at_k[2] = 0.25;
    h->hamming_radius = 2;
    h->precision_radius = 0.875;
    h->recall_radius = 0.125;
    h->curve_points = 17;
    for (int r = 0; r < 17; r++) {
        h->curve_precision[r] = 1.0 - r / 32.0;
        h->curve_recall[r] = r / 16.0;
    }
    h->queries = 10000;
    const char *path = testdir_path("metrics.json");
    ck_assert_int_eq(dsml_metrics_write(rec, path), DSML_OK);
    dsml_json_doc doc;
    ck_assert_int_eq(dsml_json_parse_file(&doc, path), DSML_OK);
    ck_assert_str_eq(dsml_jv_string(doc.root, "config.protocol", ""), "hashing");
    ck_assert_str_eq(dsml_jv_string(doc.root, "data.split.protocol", ""), "hashing");
    ck_assert_str_eq(dsml_jv_string(doc.root, "config.loss", ""), "dpsh");
    ck_assert_double_eq_tol(dsml_jv_number(doc.root, "config.quant", -1), 0.1, 1e-7);
    ck_assert_double_eq(dsml_jv_number(doc.root, "config.map_at", -1), 50000);
    ck_assert_double_eq(dsml_jv_number(doc.root, "metrics.hamming.map@50000", -1), 0.625);
    ck_assert_double_eq(dsml_jv_number(doc.root, "metrics.hamming.map@t", -1), 0.625);
    ck_assert_double_eq(dsml_jv_number(doc.root, "metrics.hamming.map_t", -1), 50000);
    ck_assert_double_eq(dsml_jv_number(doc.root, "metrics.hamming.precision@500", -1), 0.5);
    ck_assert_double_eq(dsml_jv_number(doc.root, "metrics.hamming.radius", -1), 2);
    ck_assert_double_eq(dsml_jv_number(doc.root, "metrics.hamming.precision_within_radius", -1), 0.875);
    ck_assert_double_eq(dsml_jv_number(doc.root, "metrics.hamming.recall_within_radius", -1), 0.125);
    const dsml_jv *curve = dsml_jv_get(doc.root, "metrics.hamming.pr_curve_recall");
    ck_assert_ptr_nonnull(curve);
    ck_assert_int_eq(curve->type, DSML_JV_ARRAY);
    ck_assert_int_eq(curve->count, 17);
    ck_assert_ptr_null(dsml_jv_get(doc.root, "metrics.euclidean"));
    dsml_json_doc_free(&doc);
    free(rec);
    testdir_done(1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hashing");
    TCase *tc = tcase_create("losses");
    tcase_add_test(tc, test_names_and_defaults);
    tcase_add_test(tc, test_dpsh_hand);
    tcase_add_test(tc, test_dtsh_hand);
    tcase_add_test(tc, test_multilabel_hand);
    tcase_add_test(tc, test_multilabel_contrastive_hand);
    tcase_add_test(tc, test_multilabel_contrastive_gradcheck);
    tcase_add_test(tc, test_match_naive_and_gradcheck);
    tcase_add_test(tc, test_onehot_sets_equal_single_labels);
    tcase_add_test(tc, test_large_inner_products_finite);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    TCase *tr = tcase_create("protocol");
    tcase_add_test(tr, test_protocol_names);
    tcase_add_test(tr, test_hashing_metrics_json);
    suite_add_tcase(s, tr);
    return suite_run(s);
}
