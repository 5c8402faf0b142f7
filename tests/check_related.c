/* Tests of the related methods in src/metric: the vMF loss and its class
 * mean directions (vmf.c), general pair weighting (gpw.c, every mining x
 * weighting), the density regulariser (density.c, with each base loss and
 * distance) and the L2 normalisation they share (l2norm.c): hand-computed
 * cases, values from the independent tests/reference/related_losses.py,
 * finite-difference gradients, and the errors. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "metric/l2norm.h"
#include "metric/loss.h"
#include "metric/vmf.h"
#include "support/gradcheck.h"
#include "support/loss_cases.h"
#include "support/suite_run.h"

/* ---------- GPW ---------- */

/* Unit rows: h0 = (1, 0), h1 = (0.6, 0.8) of class 0; h2 = (0, 1), h3 = (-1, 0)
 * of class 1, so S01 = 0.6, S02 = 0, S03 = -1, S12 = 0.8, S13 = -0.6, S23 = 0.
 * Contrastive weighting (lambda 0.5), per anchor mean(1 - S) over positives +
 * mean [S - 0.5]_+ over negatives:
 *   none: anchors 0.4, 0.4 + 0.3/2, 1 + 0.3/2, 1          -> 3.1 / 4 = 0.775
 *   ms (eps 0.1): anchor 0 keeps nothing (0.6 >= 0 + 0.1; 0, -1 <= 0.5);
 *     anchor 1 keeps 0.6 (< 0.8 + 0.1) and 0.8 (> 0.5): 0.4 + 0.3;
 *     anchor 2 keeps 0 and both negatives (> -0.1): 1 + 0.15;
 *     anchor 3 keeps nothing                              -> 1.85 / 4 = 0.4625
 * The rows are scaled by 3: cosine similarity does not see it. */
START_TEST(test_gpw_contrastive_hand)
{
    float h[8] = {3, 0, 1.8f, 2.4f, 0, 3, -3, 0};
    int labels[4] = {7, 7, 2, 2};
    dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_GPW, DSML_DIST_EUCLIDEAN);
    dsml_gpw_defaults(&p, DSML_GPW_WEIGHT_CONTRASTIVE);
    p.gpw.mining = DSML_GPW_MINE_NONE;
    ck_assert_double_eq_tol(loss_cases_value(&p, h, labels, 4, 2, NULL), 0.775, 1e-6);
    p.gpw.mining = DSML_GPW_MINE_MS;
    ck_assert_double_eq_tol(loss_cases_value(&p, h, labels, 4, 2, NULL), 0.4625, 1e-6);
}
END_TEST

/* Two rows of different classes at S = 0, one pair each way, MS weighting
 * with no positive pair: L = 1/b log(1 + e^{b(0 - l)}) per anchor; and the
 * lifted weighting is 0 for an anchor without positives. */
START_TEST(test_gpw_ms_and_lifted_hand)
{
    float h[4] = {1, 0, 0, 2};
    int labels[2] = {0, 1};
    dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_GPW, DSML_DIST_EUCLIDEAN);
    p.gpw.mining = DSML_GPW_MINE_NONE;
    p.gpw.beta = 4.0f;
    p.gpw.lambda = -0.25f;
    ck_assert_double_eq_tol(loss_cases_value(&p, h, labels, 2, 2, NULL), log(1 + exp(1.0)) / 4, 1e-6);
    dsml_gpw_defaults(&p, DSML_GPW_WEIGHT_LIFTED);
    ck_assert_double_eq_tol(loss_cases_value(&p, h, labels, 2, 2, NULL), 0.0, 1e-12);
    /* binomial on one positive pair at S = 1: log(1 + e^{a(l - 1)}), both anchors */
    float same[4] = {1, 1, 2, 2};
    int one[2] = {3, 3};
    dsml_gpw_defaults(&p, DSML_GPW_WEIGHT_BINOMIAL);
    ck_assert_double_eq_tol(loss_cases_value(&p, same, one, 2, 2, NULL), log(1 + exp(2.0 * (0.5 - 1.0))), 1e-6);
}
END_TEST

/* ---------- vMF ---------- */

/* Means (1, 0), (0, 1), kappa 2: h0 = (2, 0) of class 0 has logits (2, 0),
 * loss log(1 + e^-2); h1 = (1, 1) of class 1 has equal logits, loss log 2. */
START_TEST(test_vmf_hand)
{
    float mu[4] = {5, 0, 0, 0.5f}; /* normalised by the estimate */
    dsml_vmf_means *m = loss_cases_means(mu, 2, 2, 4);
    ck_assert_float_eq_tol(m->mu[0], 1.0f, 1e-7f);
    ck_assert_float_eq_tol(m->mu[3], 1.0f, 1e-7f);
    float h[4] = {2, 0, 1, 1};
    int labels[2] = {0, 1};
    dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_VMF, DSML_DIST_EUCLIDEAN);
    p.vmf.kappa = 2.0f;
    p.vmf.means = m;
    ck_assert_double_eq_tol(loss_cases_value(&p, h, labels, 2, 2, NULL), (log(1 + exp(-2.0)) + log(2.0)) / 2, 1e-6);
    dsml_vmf_means_free(m);
}
END_TEST

/* The estimate is the normalised sum of unit rows; a class with no row keeps
 * its previous mean; classification picks the nearest mean direction. */
START_TEST(test_vmf_means_estimate_and_classify)
{
    dsml_vmf_means *m;
    ck_assert_int_eq(dsml_vmf_means_create(&m, 3, 2, 4), DSML_OK);
    dsml_vmf_means_begin(m);
    ck_assert_int_eq(dsml_vmf_means_finish(m), DSML_ERR_STATE);
    ck_assert_int_eq(m->updates, 0);
    /* class 0: (3, 0) and (0, 0.5) -> unit sum (1, 1)/sqrt 2; class 1: (0, -2); class 2: none */
    float h[6] = {3, 0, 0, 0.5f, 0, -2};
    int labels[3] = {0, 0, 1};
    dsml_vmf_means_begin(m);
    ck_assert_int_eq(dsml_vmf_means_add(m, h, labels, 3), DSML_OK);
    ck_assert_int_eq(dsml_vmf_means_finish(m), DSML_OK);
    ck_assert_float_eq_tol(m->mu[0], (float)M_SQRT1_2, 1e-6f);
    ck_assert_float_eq_tol(m->mu[1], (float)M_SQRT1_2, 1e-6f);
    ck_assert_float_eq_tol(m->mu[3], -1.0f, 1e-6f);
    ck_assert_float_eq(m->mu[4], 0.0f); /* never seen */
    /* second estimate: only class 1 seen, pointing the other way; class 0 keeps its mean */
    float h2[2] = {1, 0};
    int l2[1] = {1};
    dsml_vmf_means_begin(m);
    ck_assert_int_eq(dsml_vmf_means_add(m, h2, l2, 1), DSML_OK);
    ck_assert_int_eq(dsml_vmf_means_finish(m), DSML_OK);
    ck_assert_float_eq_tol(m->mu[0], (float)M_SQRT1_2, 1e-6f);
    ck_assert_float_eq_tol(m->mu[2], 1.0f, 1e-6f);
    ck_assert_int_eq(m->updates, 2);

    float q[6] = {0.1f, 1, 5, -1, -1, 0.2f};
    int truth[3] = {0, 1, 0}, pred[3];
    double acc = dsml_vmf_classify(m, q, truth, 3, pred);
    ck_assert_int_eq(pred[0], 0);
    ck_assert_int_eq(pred[1], 1);
    ck_assert_int_eq(pred[2], 2); /* (-1, 0.2): class 2's zero mean (dot 0) beats both others */
    ck_assert_double_eq_tol(acc, 2.0 / 3.0, 1e-12);
    ck_assert_int_eq(dsml_vmf_known(m, truth, 3), 1);
    int unseen[2] = {1, 2}, outside[1] = {5};
    ck_assert_int_eq(dsml_vmf_known(m, unseen, 2), 0); /* class 2 has no mean */
    ck_assert_int_eq(dsml_vmf_known(m, outside, 1), 0);

    int bad[1] = {3};
    dsml_vmf_means_begin(m);
    ck_assert_int_eq(dsml_vmf_means_add(m, h2, bad, 1), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "label 3, expected 0..2"));
    float nan_row[2] = {NAN, 0};
    ck_assert_int_eq(dsml_vmf_means_add(m, nan_row, labels, 1), DSML_ERR_NUMERIC);
    dsml_vmf_means_free(m);
}
END_TEST

/* ---------- density ---------- */

/* D = 1, Euclidean: class A at 0 and 1, class B at 3 and 5.
 * rho_A = 1, delta_A = (3 + 5 + 2 + 4)/4 = 3.5; rho_B = 2, delta_B = 3.5.
 * ratio 0.5: gaps 0.5 - 2/7 = 3/14 and 0.5 - 4/7 < 0 -> 0; weight 1 over
 * 2 classes: 3/28. The term is the difference with and without it. */
START_TEST(test_density_hand)
{
    float h[4] = {0, 1, 3, 5};
    int labels[4] = {1, 1, 4, 4};
    dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_CONTRASTIVE, DSML_DIST_EUCLIDEAN);
    double base = loss_cases_value(&p, h, labels, 4, 1, NULL);
    p.density.weight = 1.0f;
    p.density.ratio = 0.5f;
    ck_assert_double_eq_tol(loss_cases_value(&p, h, labels, 4, 1, NULL) - base, 3.0 / 28.0, 1e-6);
    p.density.ratio = 0.25f; /* both classes spread enough: no term */
    ck_assert_double_eq_tol(loss_cases_value(&p, h, labels, 4, 1, NULL) - base, 0.0, 1e-12);
}
END_TEST

/* ---------- the independent reference ---------- */

enum { RN = 10, RD = 4 };
static const int ref_labels[RN] = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0};

static void ref_batch(float *h)
{
    for (int i = 0; i < RN; i++)
        for (int k = 0; k < RD; k++) h[i * RD + k] = (float)(((i * 37 + k * 17) % 23 - 11) / 8.0);
}

/* Values printed by /usr/bin/python3 tests/reference/related_losses.py
 * (plain Python, double precision, the formulas of docs/losses.md). */
START_TEST(test_related_match_reference)
{
    float h[RN * RD];
    ref_batch(h);
    static const double gpw_ref[2][4] = {
        {1.608137853708, 1.118512005680, 1.833684180315, 3.890558937223}, /* mining none */
        {1.608137853708, 1.146039555888, 1.926473784869, 3.703135572668}, /* mining ms */
    };
    const dsml_gpw_weighting ws[4] = {DSML_GPW_WEIGHT_MS, DSML_GPW_WEIGHT_CONTRASTIVE, DSML_GPW_WEIGHT_BINOMIAL,
                                      DSML_GPW_WEIGHT_LIFTED};
    for (int mi = 0; mi < 2; mi++)
        for (int wi = 0; wi < 4; wi++) {
            dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_GPW, DSML_DIST_EUCLIDEAN);
            p.gpw.mining = mi ? DSML_GPW_MINE_MS : DSML_GPW_MINE_NONE;
            dsml_gpw_defaults(&p, ws[wi]);
            double v = loss_cases_value(&p, h, ref_labels, RN, RD, NULL);
            ck_assert_msg(fabs(v - gpw_ref[mi][wi]) <= 1e-5 * gpw_ref[mi][wi], "gpw %s/%s: %.9f, reference %.9f",
                          dsml_gpw_mining_name(p.gpw.mining), dsml_gpw_weighting_name(ws[wi]), v, gpw_ref[mi][wi]);
        }

    const float means[12] = {1.0f, 0.5f, -0.25f, 0.0f, -0.5f, 1.0f, 0.25f, -0.75f, 0.0f, -0.5f, 1.0f, 0.5f};
    dsml_vmf_means *m = loss_cases_means(means, 3, RD, RN);
    const double kappa[2] = {16, 4}, vmf_ref[2] = {15.279863652990, 3.892121818573};
    for (int t = 0; t < 2; t++) {
        dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_VMF, DSML_DIST_EUCLIDEAN);
        p.vmf.kappa = (float)kappa[t];
        p.vmf.means = m;
        double v = loss_cases_value(&p, h, ref_labels, RN, RD, NULL);
        ck_assert_msg(fabs(v - vmf_ref[t]) <= 1e-5 * vmf_ref[t], "vmf kappa %g: %.9f, reference %.9f", kappa[t], v,
                      vmf_ref[t]);
    }
    dsml_vmf_means_free(m);

    /* density weight 0.5 at ratios 1.5 and 0.5, as the difference it makes to each base loss */
    const dsml_distance_kind kinds[3] = {DSML_DIST_EUCLIDEAN, DSML_DIST_SQEUCLIDEAN, DSML_DIST_SNR};
    static const double density_ref[3][2] = {
        {0.257933121733, 0.0}, {0.283350150710, 0.0}, {0.299679491234, 0.0}};
    const dsml_loss_kind bases[2] = {DSML_LOSS_CONTRASTIVE, DSML_LOSS_TRIPLET};
    for (int b = 0; b < 2; b++)
        for (int t = 0; t < 3; t++)
            for (int r = 0; r < 2; r++) {
                dsml_loss_params p = dsml_loss_defaults(bases[b], kinds[t]);
                double base = loss_cases_value(&p, h, ref_labels, RN, RD, NULL);
                p.density.weight = 0.5f;
                p.density.ratio = r ? 0.5f : 1.5f;
                double v = loss_cases_value(&p, h, ref_labels, RN, RD, NULL) - base;
                ck_assert_msg(fabs(v - density_ref[t][r]) <= 1e-5 * density_ref[t][r] + 1e-9,
                              "density on %s/%s ratio %g: %.9f, reference %.9f", dsml_loss_name(bases[b]),
                              dsml_distance_name(kinds[t]), p.density.ratio, v, density_ref[t][r]);
            }
}
END_TEST

/* ---------- gradients ---------- */

/* Every mining x weighting on 4 classes x 3 (weights chosen so that every
 * term is active somewhere: beta 10 and lambda 0.3 for ms). */
START_TEST(test_gpw_gradients)
{
    enum { N = 12, D = 5 };
    float h[N * D], dh[N * D];
    const int *labels = loss_cases_classes;
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, N, D), DSML_OK);
    for (int mi = 0; mi < 2; mi++)
        for (int wi = 0; wi < 4; wi++) {
            loss_cases_normal(300 + mi * 4 + wi, h, N, D, 1.0);
            loss_case c = {dsml_loss_defaults(DSML_LOSS_GPW, DSML_DIST_EUCLIDEAN), h, dh, labels, NULL, N, D, ws};
            c.p.gpw.mining = mi ? DSML_GPW_MINE_MS : DSML_GPW_MINE_NONE;
            dsml_gpw_defaults(&c.p, (dsml_gpw_weighting)wi);
            if (wi == DSML_GPW_WEIGHT_MS) {
                c.p.gpw.beta = 10.0f;
                c.p.gpw.lambda = 0.3f;
            }
            if (wi == DSML_GPW_WEIGHT_CONTRASTIVE) c.p.gpw.lambda = -0.2f;
            char what[64];
            snprintf(what, sizeof what, "gpw %s/%s", dsml_gpw_mining_name(c.p.gpw.mining),
                     dsml_gpw_weighting_name(c.p.gpw.weighting));
            loss_case_assert_gradient(&c, what, 75);
        }
    dsml_loss_ws_free(ws);
}
END_TEST

START_TEST(test_vmf_gradients)
{
    enum { N = 12, D = 5, C = 4 };
    float h[N * D], dh[N * D], mu[C * D];
    const int *labels = loss_cases_classes; /* C = 4 classes */
    loss_cases_normal(41, mu, C, D, 1.0);
    dsml_vmf_means *m = loss_cases_means(mu, C, D, N);
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, N, D), DSML_OK);
    const float kappas[2] = {16.0f, 2.0f};
    for (int t = 0; t < 2; t++) {
        loss_cases_normal(50 + t, h, N, D, 1.0);
        h[3] *= 1e-3f; /* a short row: the normalisation's gradient is large there */
        loss_case c = {dsml_loss_defaults(DSML_LOSS_VMF, DSML_DIST_EUCLIDEAN), h, dh, labels, NULL, N, D, ws};
        c.p.vmf.kappa = kappas[t];
        c.p.vmf.means = m;
        loss_case_assert_gradient(&c, t ? "vmf kappa 2" : "vmf kappa 16", 75);
    }
    dsml_loss_ws_free(ws);
    dsml_vmf_means_free(m);
}
END_TEST

/* The density term with each base loss and each distance (ratio 3, so that
 * every class is below its target and the term is active). */
START_TEST(test_density_gradients)
{
    enum { N = 12, D = 5 };
    float h[N * D], dh[N * D];
    const int *labels = loss_cases_classes, *pair_labels = loss_cases_pairs;
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, N, D), DSML_OK);
    const dsml_loss_kind bases[3] = {DSML_LOSS_CONTRASTIVE, DSML_LOSS_TRIPLET, DSML_LOSS_NPAIR};
    const dsml_distance_kind kinds[3] = {DSML_DIST_EUCLIDEAN, DSML_DIST_SQEUCLIDEAN, DSML_DIST_SNR};
    for (int b = 0; b < 3; b++)
        for (int t = 0; t < 3; t++) {
            int npair = bases[b] == DSML_LOSS_NPAIR, n = npair ? 8 : N;
            loss_cases_normal(500 + b * 3 + t, h, n, D, 1.0);
            loss_case c = {dsml_loss_defaults(bases[b], kinds[t]), h, dh, npair ? pair_labels : labels, NULL, n, D, ws};
            if (kinds[t] == DSML_DIST_SQEUCLIDEAN && !npair) c.p.margin = 8.0f;
            if (kinds[t] == DSML_DIST_EUCLIDEAN && !npair) c.p.margin = 3.0f;
            /* isolate the density term's gradient: the base loss's own gradient is checked in check_pair_losses */
            double base_only = loss_case_objective(&c);
            ck_assert(isfinite(base_only));
            c.p.density.weight = 2.0f;
            c.p.density.ratio = 3.0f;
            char what[64];
            snprintf(what, sizeof what, "density on %s/%s", dsml_loss_name(bases[b]), dsml_distance_name(kinds[t]));
            double with = loss_case_objective(&c);
            ck_assert_msg(with > base_only + 1e-3, "%s: the term is not active (%g vs %g)", what, with, base_only);
            loss_case_assert_gradient(&c, what, 75);
        }
    dsml_loss_ws_free(ws);
}
END_TEST

typedef struct {
    float *h, *w, *hn;
    double *norm;
    int n, d;
} l2_ctx;

/* f(h) = sum_i w_i . normalise(h_i) */
static double l2_objective(void *v)
{
    l2_ctx *c = v;
    dsml_l2norm_forward(c->h, c->n, c->d, c->hn, c->norm);
    double f = 0;
    for (int i = 0; i < c->n * c->d; i++) f += (double)c->w[i] * c->hn[i];
    return f;
}

START_TEST(test_l2norm_forward_backward)
{
    enum { N = 3, D = 4 };
    float h[N * D], hn[N * D], w[N * D], dh[N * D];
    double norm[N];
    loss_cases_normal(7, h, N, D, 1.0);
    loss_cases_normal(8, w, N, D, 1.0);
    dsml_l2norm_forward(h, N, D, hn, norm);
    for (int i = 0; i < N; i++) {
        double sq = 0;
        for (int k = 0; k < D; k++) sq += (double)hn[i * D + k] * hn[i * D + k];
        ck_assert_double_eq_tol(sq, 1.0, 1e-6);
    }
    memset(dh, 0, sizeof dh);
    dsml_l2norm_backward(hn, norm, w, N, D, dh);
    l2_ctx c = {h, w, hn, norm, N, D};
    gradcheck_result g = gradcheck(l2_objective, &c, h, dh, N * D, 1, 1e-3, 1e-3);
    ck_assert_msg(g.failed == 0 && g.checked == N * D, "%d failed, %d checked", g.failed, g.checked);
    /* a zero row stays finite */
    float zero[D] = {0}, zn[D];
    double zr;
    dsml_l2norm_forward(zero, 1, D, zn, &zr);
    for (int k = 0; k < D; k++) ck_assert(zn[k] == 0.0f);
    float rows[2 * D] = {3, 0, 0, 4, 0, 0, 0, 0};
    dsml_l2norm_rows(rows, 2, D);
    ck_assert_float_eq_tol(rows[0], 0.6f, 1e-7f);
    ck_assert_float_eq_tol(rows[3], 0.8f, 1e-7f);
    ck_assert_float_eq(rows[5], 0.0f);
}
END_TEST

/* ---------- errors ---------- */

START_TEST(test_related_errors)
{
    float h[8] = {1, 0, 0, 1, 1, 1, -1, 0};
    float dh[8];
    int labels[4] = {0, 0, 1, 1};
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, 4, 2), DSML_OK);
    double loss;
    dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_VMF, DSML_DIST_EUCLIDEAN);
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_STATE);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "mean directions are not set"));
    float mu[2] = {1, 0};
    dsml_vmf_means *m = loss_cases_means(mu, 1, 2, 4); /* one class: label 1 is outside */
    p.vmf.means = m;
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "row 2: label 1, expected 0..0"));
    p.vmf.kappa = 0;
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "kappa"));
    dsml_vmf_means_free(m);

    p = dsml_loss_defaults(DSML_LOSS_GPW, DSML_DIST_EUCLIDEAN);
    p.gpw.beta = 0;
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_ARG);
    p = dsml_loss_defaults(DSML_LOSS_GPW, DSML_DIST_EUCLIDEAN);
    p.gpw.epsilon = -1;
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_ARG);
    p = dsml_loss_defaults(DSML_LOSS_GPW, DSML_DIST_EUCLIDEAN);
    p.gpw.weighting = (dsml_gpw_weighting)9;
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_ARG);

    p = dsml_loss_defaults(DSML_LOSS_LIFTED, DSML_DIST_EUCLIDEAN);
    p.density.weight = 1.0f;
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "density"));
    p = dsml_loss_defaults(DSML_LOSS_CONTRASTIVE, DSML_DIST_SNR);
    p.density.weight = 1.0f;
    p.density.ratio = 0;
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_ARG);
    p.density.ratio = 0.5f;
    p.density.weight = NAN;
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_ARG);

    /* a non-finite embedding is caught before any of the new losses runs */
    h[5] = INFINITY;
    p = dsml_loss_defaults(DSML_LOSS_GPW, DSML_DIST_EUCLIDEAN);
    ck_assert_int_eq(dsml_loss_compute(&p, h, labels, 4, 2, dh, ws, &loss), DSML_ERR_NUMERIC);
    dsml_loss_ws_free(ws);
}
END_TEST

int main(void)
{
    const suite_case cases[] = {
        {"gpw", 60, (const TTest *[]){test_gpw_contrastive_hand, test_gpw_ms_and_lifted_hand, test_gpw_gradients, NULL}},
        {"vmf", 60,
         (const TTest *[]){test_vmf_hand, test_vmf_means_estimate_and_classify, test_vmf_gradients, NULL}},
        {"density", 60, (const TTest *[]){test_density_hand, test_density_gradients, NULL}},
        {"l2norm", 30, (const TTest *[]){test_l2norm_forward_backward, NULL}},
        {"reference", 60, (const TTest *[]){test_related_match_reference, NULL}},
        {"errors", 30, (const TTest *[]){test_related_errors, NULL}},
    };
    return suite_run_cases("related", cases, SUITE_CASES(cases));
}
