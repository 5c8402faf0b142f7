/* Tests of the related methods in src/metric: the vMF loss and its class
 * mean directions (vmf.c), general pair weighting (gpw.c, every mining x
 * weighting), the density regulariser (density.c, with each base loss and
 * distance) and the L2 normalisation they share (l2norm.c): hand-computed
 * cases, values from the independent tests/reference/related_losses.py,
 * finite-difference gradients, and the errors; and the table of all methods
 * (src/report/methods_table.c) on runs and published files the test writes. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/rng.h"
#include "metric/l2norm.h"
#include "metric/loss.h"
#include "metric/vmf.h"
#include "report/methods_table.h"
#include "support/gradcheck.h"
#include "support/testdir.h"
#include "support/suite_run.h"

static void random_batch(uint64_t seed, float *h, int n, int d)
{
    dsml_rng r;
    dsml_rng_seed(&r, seed);
    for (int i = 0; i < n * d; i++) h[i] = (float)dsml_rng_normal(&r);
}

/* The means of a dsml_vmf_means set from explicit rows (normalised by finish). */
static dsml_vmf_means *means_from(const float *rows, int classes, int d, int max_n)
{
    dsml_vmf_means *m;
    ck_assert_int_eq(dsml_vmf_means_create(&m, classes, d, max_n), DSML_OK);
    int ids[64];
    for (int c = 0; c < classes; c++) ids[c] = c;
    dsml_vmf_means_begin(m);
    ck_assert_int_eq(dsml_vmf_means_add(m, rows, ids, classes), DSML_OK);
    ck_assert_int_eq(dsml_vmf_means_finish(m), DSML_OK);
    return m;
}

static double compute(const dsml_loss_params *p, const float *h, const int *labels, int n, int d)
{
    dsml_loss_ws *ws;
    float dh[256];
    ck_assert_int_le(n * d, 256);
    ck_assert_int_eq(dsml_loss_ws_create(&ws, n, d), DSML_OK);
    double loss = NAN;
    int rc = dsml_loss_compute(p, h, labels, n, d, dh, ws, &loss);
    dsml_loss_ws_free(ws);
    ck_assert_msg(rc == DSML_OK, "%s", dsml_last_error());
    return loss;
}

/* ---------- names, defaults, parameters ---------- */

START_TEST(test_related_names_and_defaults)
{
    dsml_loss_kind k = DSML_LOSS_CONTRASTIVE;
    ck_assert_int_eq(dsml_loss_parse("vmf", &k), DSML_OK);
    ck_assert_int_eq(k, DSML_LOSS_VMF);
    ck_assert_int_eq(dsml_loss_parse("gpw", &k), DSML_OK);
    ck_assert_int_eq(k, DSML_LOSS_GPW);
    ck_assert_str_eq(dsml_loss_name(DSML_LOSS_VMF), "vmf");
    ck_assert_str_eq(dsml_loss_name(DSML_LOSS_GPW), "gpw");

    const char *minings[] = {"none", "ms"}, *weightings[] = {"ms", "contrastive", "binomial", "lifted"};
    dsml_gpw_mining m = DSML_GPW_MINE_NONE;
    dsml_gpw_weighting w = DSML_GPW_WEIGHT_MS;
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(dsml_gpw_mining_parse(minings[i], &m), DSML_OK);
        ck_assert_str_eq(dsml_gpw_mining_name(m), minings[i]);
    }
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(dsml_gpw_weighting_parse(weightings[i], &w), DSML_OK);
        ck_assert_str_eq(dsml_gpw_weighting_name(w), weightings[i]);
    }
    ck_assert_int_eq(dsml_gpw_mining_parse("hard", &m), DSML_ERR_ARG);
    ck_assert_int_eq(m, DSML_GPW_MINE_MS);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "hard"));
    ck_assert_int_eq(dsml_gpw_weighting_parse("triplet", &w), DSML_ERR_ARG);
    ck_assert_int_eq(w, DSML_GPW_WEIGHT_LIFTED);
    ck_assert_str_eq(dsml_gpw_mining_name((dsml_gpw_mining)9), "unknown");

    /* the table of docs/losses.md */
    dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_GPW, DSML_DIST_EUCLIDEAN);
    ck_assert_int_eq(p.gpw.mining, DSML_GPW_MINE_MS);
    ck_assert_int_eq(p.gpw.weighting, DSML_GPW_WEIGHT_MS);
    ck_assert_float_eq(p.gpw.alpha, 2.0f);
    ck_assert_float_eq(p.gpw.beta, 50.0f);
    ck_assert_float_eq(p.gpw.lambda, 1.0f);
    ck_assert_float_eq(p.gpw.epsilon, 0.1f);
    ck_assert_float_eq(p.lambda, 0.0f);
    dsml_gpw_defaults(&p, DSML_GPW_WEIGHT_BINOMIAL);
    ck_assert_float_eq(p.gpw.beta, 2.0f);
    ck_assert_float_eq(p.gpw.lambda, 0.5f);
    p = dsml_loss_defaults(DSML_LOSS_VMF, DSML_DIST_SNR);
    ck_assert_float_eq(p.vmf.kappa, 16.0f);
    ck_assert_float_eq(p.lambda, 0.0f);
    p = dsml_loss_defaults(DSML_LOSS_TRIPLET, DSML_DIST_SNR);
    ck_assert_float_eq(p.density.weight, 0.0f);
    ck_assert_float_eq(p.density.ratio, 0.5f);
}
END_TEST

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
    ck_assert_double_eq_tol(compute(&p, h, labels, 4, 2), 0.775, 1e-6);
    p.gpw.mining = DSML_GPW_MINE_MS;
    ck_assert_double_eq_tol(compute(&p, h, labels, 4, 2), 0.4625, 1e-6);
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
    ck_assert_double_eq_tol(compute(&p, h, labels, 2, 2), log(1 + exp(1.0)) / 4, 1e-6);
    dsml_gpw_defaults(&p, DSML_GPW_WEIGHT_LIFTED);
    ck_assert_double_eq_tol(compute(&p, h, labels, 2, 2), 0.0, 1e-12);
    /* binomial on one positive pair at S = 1: log(1 + e^{a(l - 1)}), both anchors */
    float same[4] = {1, 1, 2, 2};
    int one[2] = {3, 3};
    dsml_gpw_defaults(&p, DSML_GPW_WEIGHT_BINOMIAL);
    ck_assert_double_eq_tol(compute(&p, same, one, 2, 2), log(1 + exp(2.0 * (0.5 - 1.0))), 1e-6);
}
END_TEST

/* ---------- vMF ---------- */

/* Means (1, 0), (0, 1), kappa 2: h0 = (2, 0) of class 0 has logits (2, 0),
 * loss log(1 + e^-2); h1 = (1, 1) of class 1 has equal logits, loss log 2. */
START_TEST(test_vmf_hand)
{
    float mu[4] = {5, 0, 0, 0.5f}; /* normalised by the estimate */
    dsml_vmf_means *m = means_from(mu, 2, 2, 4);
    ck_assert_float_eq_tol(m->mu[0], 1.0f, 1e-7f);
    ck_assert_float_eq_tol(m->mu[3], 1.0f, 1e-7f);
    float h[4] = {2, 0, 1, 1};
    int labels[2] = {0, 1};
    dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_VMF, DSML_DIST_EUCLIDEAN);
    p.vmf.kappa = 2.0f;
    p.vmf.means = m;
    ck_assert_double_eq_tol(compute(&p, h, labels, 2, 2), (log(1 + exp(-2.0)) + log(2.0)) / 2, 1e-6);
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
    double base = compute(&p, h, labels, 4, 1);
    p.density.weight = 1.0f;
    p.density.ratio = 0.5f;
    ck_assert_double_eq_tol(compute(&p, h, labels, 4, 1) - base, 3.0 / 28.0, 1e-6);
    p.density.ratio = 0.25f; /* both classes spread enough: no term */
    ck_assert_double_eq_tol(compute(&p, h, labels, 4, 1) - base, 0.0, 1e-12);
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
            double v = compute(&p, h, ref_labels, RN, RD);
            ck_assert_msg(fabs(v - gpw_ref[mi][wi]) <= 1e-5 * gpw_ref[mi][wi], "gpw %s/%s: %.9f, reference %.9f",
                          dsml_gpw_mining_name(p.gpw.mining), dsml_gpw_weighting_name(ws[wi]), v, gpw_ref[mi][wi]);
        }

    const float means[12] = {1.0f, 0.5f, -0.25f, 0.0f, -0.5f, 1.0f, 0.25f, -0.75f, 0.0f, -0.5f, 1.0f, 0.5f};
    dsml_vmf_means *m = means_from(means, 3, RD, RN);
    const double kappa[2] = {16, 4}, vmf_ref[2] = {15.279863652990, 3.892121818573};
    for (int t = 0; t < 2; t++) {
        dsml_loss_params p = dsml_loss_defaults(DSML_LOSS_VMF, DSML_DIST_EUCLIDEAN);
        p.vmf.kappa = (float)kappa[t];
        p.vmf.means = m;
        double v = compute(&p, h, ref_labels, RN, RD);
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
                double base = compute(&p, h, ref_labels, RN, RD);
                p.density.weight = 0.5f;
                p.density.ratio = r ? 0.5f : 1.5f;
                double v = compute(&p, h, ref_labels, RN, RD) - base;
                ck_assert_msg(fabs(v - density_ref[t][r]) <= 1e-5 * density_ref[t][r] + 1e-9,
                              "density on %s/%s ratio %g: %.9f, reference %.9f", dsml_loss_name(bases[b]),
                              dsml_distance_name(kinds[t]), p.density.ratio, v, density_ref[t][r]);
            }
}
END_TEST

/* ---------- gradients ---------- */

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

static void check_gradient(loss_ctx *c, const char *what)
{
    float analytic[256];
    double loss = loss_objective(c);
    ck_assert_msg(isfinite(loss) && loss > 0, "%s: loss %g: %s", what, loss, dsml_last_error());
    memcpy(analytic, c->dh, sizeof(float) * (size_t)c->n * c->d);
    gradcheck_result g = gradcheck(loss_objective, c, c->h, analytic, c->n * c->d, 1, 1e-3, 1e-2);
    ck_assert_msg(g.failed == 0 && g.checked >= c->n * c->d * 3 / 4,
                  "%s: %d failed, %d checked, %d kinks; worst %d: numeric %g analytic %g", what, g.failed, g.checked,
                  g.skipped_kinks, g.worst_index, g.worst_numeric, g.worst_analytic);
}

/* Every mining x weighting on 4 classes x 3 (weights chosen so that every
 * term is active somewhere: beta 10 and lambda 0.3 for ms). */
START_TEST(test_gpw_gradients)
{
    enum { N = 12, D = 5 };
    float h[N * D], dh[N * D];
    int labels[N];
    for (int i = 0; i < N; i++) labels[i] = (i * 5) % 4;
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, N, D), DSML_OK);
    for (int mi = 0; mi < 2; mi++)
        for (int wi = 0; wi < 4; wi++) {
            random_batch(300 + mi * 4 + wi, h, N, D);
            loss_ctx c = {dsml_loss_defaults(DSML_LOSS_GPW, DSML_DIST_EUCLIDEAN), h, dh, labels, N, D, ws};
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
            check_gradient(&c, what);
        }
    dsml_loss_ws_free(ws);
}
END_TEST

START_TEST(test_vmf_gradients)
{
    enum { N = 12, D = 5, C = 4 };
    float h[N * D], dh[N * D], mu[C * D];
    int labels[N];
    for (int i = 0; i < N; i++) labels[i] = (i * 5) % C;
    random_batch(41, mu, C, D);
    dsml_vmf_means *m = means_from(mu, C, D, N);
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, N, D), DSML_OK);
    const float kappas[2] = {16.0f, 2.0f};
    for (int t = 0; t < 2; t++) {
        random_batch(50 + t, h, N, D);
        h[3] *= 1e-3f; /* a short row: the normalisation's gradient is large there */
        loss_ctx c = {dsml_loss_defaults(DSML_LOSS_VMF, DSML_DIST_EUCLIDEAN), h, dh, labels, N, D, ws};
        c.p.vmf.kappa = kappas[t];
        c.p.vmf.means = m;
        check_gradient(&c, t ? "vmf kappa 2" : "vmf kappa 16");
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
    int labels[N], pair_labels[8] = {4, 4, 1, 1, 9, 9, 2, 2};
    for (int i = 0; i < N; i++) labels[i] = (i * 5) % 4;
    dsml_loss_ws *ws;
    ck_assert_int_eq(dsml_loss_ws_create(&ws, N, D), DSML_OK);
    const dsml_loss_kind bases[3] = {DSML_LOSS_CONTRASTIVE, DSML_LOSS_TRIPLET, DSML_LOSS_NPAIR};
    const dsml_distance_kind kinds[3] = {DSML_DIST_EUCLIDEAN, DSML_DIST_SQEUCLIDEAN, DSML_DIST_SNR};
    for (int b = 0; b < 3; b++)
        for (int t = 0; t < 3; t++) {
            int npair = bases[b] == DSML_LOSS_NPAIR, n = npair ? 8 : N;
            random_batch(500 + b * 3 + t, h, n, D);
            loss_ctx c = {dsml_loss_defaults(bases[b], kinds[t]), h, dh, npair ? pair_labels : labels, n, D, ws};
            if (kinds[t] == DSML_DIST_SQEUCLIDEAN && !npair) c.p.margin = 8.0f;
            if (kinds[t] == DSML_DIST_EUCLIDEAN && !npair) c.p.margin = 3.0f;
            /* isolate the density term's gradient: the base loss's own gradient is checked in check_metric */
            double base_only = loss_objective(&c);
            ck_assert(isfinite(base_only));
            c.p.density.weight = 2.0f;
            c.p.density.ratio = 3.0f;
            char what[64];
            snprintf(what, sizeof what, "density on %s/%s", dsml_loss_name(bases[b]), dsml_distance_name(kinds[t]));
            double with = loss_objective(&c);
            ck_assert_msg(with > base_only + 1e-3, "%s: the term is not active (%g vs %g)", what, with, base_only);
            check_gradient(&c, what);
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
    random_batch(7, h, N, D);
    random_batch(8, w, N, D);
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

/* ---------- the table of all methods ---------- */

START_TEST(test_methods_labels)
{
    char b[48];
    ck_assert_int_eq(dsml_methods_label("contrastive", "snr", 0, NULL, NULL, b, sizeof b), DSML_OK);
    ck_assert_str_eq(b, "DSML(cont)");
    ck_assert_int_eq(dsml_methods_label("npair", "euclidean", 0.5, NULL, NULL, b, sizeof b), DSML_OK);
    ck_assert_str_eq(b, "N-pair + DA");
    ck_assert_int_eq(dsml_methods_label("triplet", "sqeuclidean", 0, NULL, NULL, b, sizeof b), DSML_OK);
    ck_assert_str_eq(b, "triplet (sq. Euclidean)");
    ck_assert_int_eq(dsml_methods_label("gpw", "euclidean", 0, "none", "binomial", b, sizeof b), DSML_OK);
    ck_assert_str_eq(b, "GPW(none, binomial)");
    ck_assert_int_eq(dsml_methods_label("vmf", "euclidean", 0, NULL, NULL, b, sizeof b), DSML_OK);
    ck_assert_str_eq(b, "vMF");
    ck_assert_int_eq(dsml_methods_label("dpsh", "euclidean", 0, NULL, NULL, b, sizeof b), DSML_ERR_ARG);
    ck_assert_int_eq(dsml_methods_label("gpw", "euclidean", 0, "hard", "ms", b, sizeof b), DSML_ERR_ARG);
    ck_assert_int_eq(dsml_methods_label("lifted", "cosine", 0, NULL, NULL, b, sizeof b), DSML_ERR_ARG);
}
END_TEST

#define PUB_HEADER "# comment\n\ntable\tdataset\tmethod\tmetric\tsize\tvalue\tnote\n"

START_TEST(test_methods_published_parse)
{
    dsml_methods_published *v;
    int n;
    ck_assert_int_eq(dsml_methods_published_parse("p.tsv",
                                                  PUB_HEADER "methods\tcub200\tGPW(ms, ms)\teuclidean.recall@1\t512\t65.7\tsrc\n"
                                                             "methods\tcars196\tvMF\tclustering.nmi\t0\t60.25\t\r\n",
                                                  &v, &n),
                     DSML_OK);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(v[0].method, "GPW(ms, ms)");
    ck_assert_int_eq(v[0].size, 512);
    ck_assert_double_eq(v[0].value, 65.7);
    ck_assert_int_eq(v[0].decimals, 1);
    ck_assert_str_eq(v[0].note, "src");
    ck_assert_int_eq(v[1].line, 5);
    ck_assert_str_eq(v[1].note, "");
    ck_assert_int_eq(v[1].decimals, 2);
    free(v);
    static const struct { const char *text, *message; } bad[] = {
        {"table\tdataset\tmethod\tmetric\tsize\tvalue\n", "p.tsv:1: expected 7 tab-separated fields, found 6"},
        {"table\tdata\tmethod\tmetric\tsize\tvalue\tnote\n", "p.tsv:1: expected the header"},
        {"# only a comment\n", "expected the header line, found none"},
        {PUB_HEADER "5\tcub200\tvMF\teuclidean.recall@1\t0\t65.7\t\n", "p.tsv:4: table: expected 'methods', found '5'"},
        {PUB_HEADER "methods\tcub200\tvMF\teuclidean.recall@2\t0\t65.7\t\n", "p.tsv:4: metric: expected"},
        {PUB_HEADER "methods\tcub200\tvMF\teuclidean.recall@1\t-1\t65.7\t\n", "p.tsv:4: size: expected"},
        {PUB_HEADER "methods\tcub200\tvMF\teuclidean.recall@1\t0\t6,5\t\n", "p.tsv:4: value: expected"},
        {PUB_HEADER "methods\tcub200\tvMF\teuclidean.recall@1\t0\t165\t\n", "p.tsv:4: value: expected"},
        {PUB_HEADER "methods\t\tvMF\teuclidean.recall@1\t0\t65\t\n", "p.tsv:4: dataset: expected a value"},
        {PUB_HEADER "methods\tcub200\tvMF\teuclidean.map\t0\t65\t\nmethods\tcub200\tvMF\teuclidean.map\t0\t6\tx\n",
         "p.tsv:5: cub200 vMF euclidean.map size 0: already given at line 4"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = (dsml_methods_published *)1;
        ck_assert_int_eq(dsml_methods_published_parse("p.tsv", bad[i].text, &v, &n), DSML_ERR_FORMAT);
        ck_assert_msg(strstr(dsml_last_error(), bad[i].message), "case %zu: %s", i, dsml_last_error());
        ck_assert_ptr_null(v);
        ck_assert_int_eq(n, 0);
    }
}
END_TEST

/* A metrics.json with the members the table reads, in the layout of
 * docs/results.md. */
static void write_run(const char *root, const char *dataset, const char *name, const char *loss, const char *distance,
                      int seed, double density, const char *weighting, int validation, double recall1)
{
    char path[2048], text[2048];
    snprintf(path, sizeof path, "%s/%s", root, dataset);
    ck_assert_int_eq(dsml_mkdirs(path), DSML_OK);
    snprintf(path, sizeof path, "%s/%s/%s", root, dataset, name);
    ck_assert_int_eq(dsml_mkdirs(path), DSML_OK);
    snprintf(text, sizeof text,
             "{\"format_version\": 1, \"config\": {\"dataset\": \"%s\", \"model\": \"convnet\", \"dim\": 32, "
             "\"loss\": \"%s\", \"distance\": \"%s\", \"density\": %g, \"gpw_mining\": \"ms\", "
             "\"gpw_weighting\": \"%s\", \"seed\": %d},"
             " \"data\": {\"split\": {\"evaluated_on_validation\": %s}},"
             " \"metrics\": {\"euclidean\": {\"recall@1\": %g, \"map\": 0.5, \"map@r\": 0.25},"
             " \"clustering\": {\"nmi\": 0.625, \"f1\": 0.5}}}\n",
             dataset, loss, distance, density, weighting, seed, validation ? "true" : "false", recall1);
    snprintf(path, sizeof path, "%s/%s/%s/metrics.json", root, dataset, name);
    testdir_write_text(path, text);
}

static char *read_text(const char *path)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    static char buf[16384];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return buf;
}

START_TEST(test_methods_table_from_runs)
{
    const char *dir = testdir_make("methods-table");
    ck_assert_ptr_nonnull(dir);
    char results[1024], out[1024], pub[1024];
    snprintf(results, sizeof results, "%s/results", dir);
    snprintf(out, sizeof out, "%s/tables", dir);
    snprintf(pub, sizeof pub, "%s/published-methods.tsv", dir);
    write_run(results, "fashion-mnist", "a-cont-s1", "contrastive", "euclidean", 1, 0, "ms", 0, 0.80);
    write_run(results, "fashion-mnist", "a-cont-s2", "contrastive", "euclidean", 2, 0, "ms", 0, 0.84);
    write_run(results, "fashion-mnist", "b-cont-s1-again", "contrastive", "euclidean", 1, 0, "ms", 0, 0.10);
    write_run(results, "fashion-mnist", "c-cont-da", "contrastive", "euclidean", 1, 1.5, "ms", 0, 0.9);
    write_run(results, "fashion-mnist", "d-gpw", "gpw", "euclidean", 3, 0, "binomial", 0, 0.7);
    write_run(results, "fashion-mnist", "e-tune", "triplet", "snr", 1, 0, "ms", 1, 0.7);
    testdir_write_text(pub, PUB_HEADER "methods\tcub200\tGPW(ms, ms)\teuclidean.recall@1\t0\t65.7\tMS abstract\n"
                               "methods\tfashion-mnist\tvMF\tclustering.nmi\t32\t12.5\tinvented for the test\n");
    ck_assert_msg(dsml_methods_table_write(results, out, pub, NULL) == DSML_OK, "%s", dsml_last_error());
    char path[1200];
    snprintf(path, sizeof path, "%s/methods.md", out);
    const char *md = read_text(path);
    /* recall 80 and 84: mean 82, sample std 4 / sqrt 2 = 2.83; the repeated seed 1 (10%) is not read */
    const char *cont = strstr(md, "| contrastive | 32 | 2 | 82.00 ± 2.83 | 25.00 ± 0.00 | 50.00 ± 0.00 | 62.50 ± 0.00 |");
    const char *da = strstr(md, "| contrastive + DA | 32 | 1 | 90.00 | 25.00 | 50.00 | 62.50 |");
    const char *vmf = strstr(md, "| vMF | 32 | 0 | – | – | – | not run (12.5) |");
    const char *gpw = strstr(md, "| GPW(ms, binomial) | 32 | 1 | 70.00 |");
    ck_assert_msg(cont && da && vmf && gpw, "%s", md);
    ck_assert(cont < da && da < vmf && vmf < gpw);
    ck_assert_ptr_nonnull(strstr(md, "## cub200"));
    ck_assert_ptr_nonnull(strstr(md, "| GPW(ms, ms) | – | 0 | not run (65.7) |"));
    ck_assert_ptr_null(strstr(md, "DSML(tri)")); /* the validation run */
    ck_assert(strstr(md, "## cub200") < strstr(md, "## fashion-mnist"));
    snprintf(path, sizeof path, "%s/methods.tex", out);
    const char *tex = read_text(path);
    ck_assert_ptr_nonnull(strstr(tex, "contrastive & 32 & 2 & 82.00 $\\pm$ 2.83"));
    ck_assert_ptr_nonnull(strstr(tex, "\\begin{tabular}"));

    /* a broken published file fails and names its line; a missing one is no error */
    testdir_write_text(pub, PUB_HEADER "methods\tcub200\tvMF\tnmi\t0\t1\t\n");
    ck_assert_int_eq(dsml_methods_table_write(results, out, pub, NULL), DSML_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(dsml_last_error(), "published-methods.tsv:4: metric"));
    snprintf(pub, sizeof pub, "%s/absent.tsv", dir);
    ck_assert_int_eq(dsml_methods_table_write(results, out, pub, NULL), DSML_OK);
    testdir_done(1);
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
    dsml_vmf_means *m = means_from(mu, 1, 2, 4); /* one class: label 1 is outside */
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
    Suite *s = suite_create("related");
    TCase *tc = tcase_create("related");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_related_names_and_defaults);
    tcase_add_test(tc, test_gpw_contrastive_hand);
    tcase_add_test(tc, test_gpw_ms_and_lifted_hand);
    tcase_add_test(tc, test_vmf_hand);
    tcase_add_test(tc, test_vmf_means_estimate_and_classify);
    tcase_add_test(tc, test_density_hand);
    tcase_add_test(tc, test_related_match_reference);
    tcase_add_test(tc, test_gpw_gradients);
    tcase_add_test(tc, test_vmf_gradients);
    tcase_add_test(tc, test_density_gradients);
    tcase_add_test(tc, test_l2norm_forward_backward);
    tcase_add_test(tc, test_related_errors);
    tcase_add_test(tc, test_methods_labels);
    tcase_add_test(tc, test_methods_published_parse);
    tcase_add_test(tc, test_methods_table_from_runs);
    suite_add_tcase(s, tc);
    return suite_run(s);
}
