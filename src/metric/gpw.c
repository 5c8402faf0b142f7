/* General pair weighting (GPW) over one batch, in two pluggable stages on the
 * cosine similarities S_ij = h_i.h_j / (|h_i| |h_j|) of every ordered pair
 * i != j:
 *
 *   1. mining    keeps a subset of each anchor's positive and negative pairs
 *                none: every pair
 *                ms:   negative (i,k) kept if S_ik > min_{positive j} S_ij - eps,
 *                      positive (i,j) kept if S_ij < max_{negative k} S_ik + eps
 *   2. weighting turns the kept pairs of each anchor into a loss L_i whose
 *                gradient dL/dS_ij is the pair's (signed) weight:
 *                ms:          1/a log(1 + sum_P e^{-a(S - l)}) + 1/b log(1 + sum_N e^{b(S - l)})
 *                contrastive: mean_P (1 - S) + mean_N [S - l]_+
 *                binomial:    mean_P log(1 + e^{a(l - S)}) + mean_N log(1 + e^{b(S - l)})
 *                lifted:      [log sum_P e^{l - S} + log sum_N e^{S}]_+
 *
 *   L = (1/N) sum_i L_i;  dL/dh through S = Hn Hn^T and the normalisation.
 *
 * a = gpw.alpha, b = gpw.beta, l = gpw.lambda, eps = gpw.epsilon. Sources,
 * defaults and every choice: docs/losses.md, "General pair weighting". */
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "core/gemm.h"
#include "core/names.h"
#include "metric/l2norm.h"
#include "metric/loss_internal.h"
#include "metric/pairs.h"

static const char *const mining_names[] = {[DSML_GPW_MINE_NONE] = "none", [DSML_GPW_MINE_MS] = "ms"};
static const char *const weighting_names[] = {
    [DSML_GPW_WEIGHT_MS] = "ms",
    [DSML_GPW_WEIGHT_CONTRASTIVE] = "contrastive",
    [DSML_GPW_WEIGHT_BINOMIAL] = "binomial",
    [DSML_GPW_WEIGHT_LIFTED] = "lifted",
};

int dsml_gpw_mining_parse(const char *name, dsml_gpw_mining *out)
{
    int k;
    int rc = dsml_names_parse("gpw mining", mining_names, DSML_NAMES_COUNT(mining_names), name, &k);
    if (!rc) *out = (dsml_gpw_mining)k;
    return rc;
}

int dsml_gpw_weighting_parse(const char *name, dsml_gpw_weighting *out)
{
    int k;
    int rc = dsml_names_parse("gpw weighting", weighting_names, DSML_NAMES_COUNT(weighting_names), name, &k);
    if (!rc) *out = (dsml_gpw_weighting)k;
    return rc;
}

const char *dsml_gpw_mining_name(dsml_gpw_mining m)
{
    return dsml_names_get(mining_names, DSML_NAMES_COUNT(mining_names), (int)m);
}

const char *dsml_gpw_weighting_name(dsml_gpw_weighting w)
{
    return dsml_names_get(weighting_names, DSML_NAMES_COUNT(weighting_names), (int)w);
}

/* The table is in docs/losses.md; keep the two in step. */
void dsml_gpw_defaults(dsml_loss_params *p, dsml_gpw_weighting w)
{
    dsml_gpw_params *g = &p->gpw;
    g->weighting = w;
    switch (w) {
    case DSML_GPW_WEIGHT_MS: g->alpha = 2.0f; g->beta = 50.0f; g->lambda = 1.0f; break;
    case DSML_GPW_WEIGHT_CONTRASTIVE: g->alpha = 1.0f; g->beta = 1.0f; g->lambda = 0.5f; break;
    case DSML_GPW_WEIGHT_BINOMIAL: g->alpha = 2.0f; g->beta = 2.0f; g->lambda = 0.5f; break;
    default: g->alpha = 1.0f; g->beta = 1.0f; g->lambda = 1.0f; break;
    }
}

static int check(const dsml_loss_params *p)
{
    const dsml_gpw_params *g = &p->gpw;
    int rc = dsml_loss_check_common_equations(dsml_loss_gpw_entry.name, p);
    if (rc) return rc;
    if ((int)g->mining < 0 || (int)g->mining >= DSML_NAMES_COUNT(mining_names))
        return dsml_fail(DSML_ERR_ARG, "gpw: unknown mining kind %d", (int)g->mining);
    if ((int)g->weighting < 0 || (int)g->weighting >= DSML_NAMES_COUNT(weighting_names))
        return dsml_fail(DSML_ERR_ARG, "gpw: unknown weighting kind %d", (int)g->weighting);
    if (!isfinite(g->alpha) || g->alpha <= 0 || !isfinite(g->beta) || g->beta <= 0)
        return dsml_fail(DSML_ERR_ARG, "gpw: alpha %g, beta %g, expected finite values > 0", g->alpha, g->beta);
    if (!isfinite(g->lambda)) return dsml_fail(DSML_ERR_ARG, "gpw: lambda %g, expected a finite value", g->lambda);
    return dsml_loss_check_nonnegative("gpw", "epsilon", g->epsilon);
}

/* ---------- stage 1: mining. mask[i][j] = 1 keeps the ordered pair (i, j). ---------- */

static void mine(const dsml_loss_params *p, const float *s, const int *labels, int n, unsigned char *mask)
{
    double eps = p->gpw.epsilon;
    for (int i = 0; i < n; i++) {
        const float *si = s + (size_t)i * n;
        unsigned char *mi = mask + (size_t)i * n;
        double min_pos = INFINITY, max_neg = -INFINITY;
        for (int j = 0; j < n; j++) {
            if (j == i) continue;
            if (labels[j] == labels[i]) {
                if (si[j] < min_pos) min_pos = si[j];
            } else if (si[j] > max_neg) {
                max_neg = si[j];
            }
        }
        for (int j = 0; j < n; j++) {
            int keep = j != i;
            if (keep && p->gpw.mining == DSML_GPW_MINE_MS)
                keep = labels[j] == labels[i] ? si[j] < max_neg + eps : si[j] > min_pos - eps;
            mi[j] = (unsigned char)keep;
        }
    }
}

/* ---------- stage 2: weighting. Writes w = dL/dS (N x N) and returns L. ---------- */

/* log(1 + sum_k e^{x_k}) over the kept pairs of one row (x_k = scale * (S_k - shift)),
 * with the weights e^{x_k} / (1 + sum) * gscale written into w. */
static double log1p_sum_exp(const float *si, const unsigned char *keep, const int *labels, int yi, int want_pos,
                            int n, double scale, double shift, double gscale, float *wi)
{
    double m = 0;
    for (int k = 0; k < n; k++)
        if (keep[k] && (labels[k] == yi) == want_pos) {
            double x = scale * (si[k] - shift);
            if (x > m) m = x;
        }
    double z = exp(-m);
    for (int k = 0; k < n; k++)
        if (keep[k] && (labels[k] == yi) == want_pos) z += exp(scale * (si[k] - shift) - m);
    for (int k = 0; k < n; k++)
        if (keep[k] && (labels[k] == yi) == want_pos) wi[k] = (float)(gscale * exp(scale * (si[k] - shift) - m) / z);
    return m + log(z);
}

/* log sum_k e^{x_k} over a non-empty set, weights softmax * gscale into w. */
static double log_sum_exp(const float *si, const unsigned char *keep, const int *labels, int yi, int want_pos, int n,
                          double sign, double shift, double gscale, float *wi)
{
    double m = -INFINITY;
    for (int k = 0; k < n; k++)
        if (keep[k] && (labels[k] == yi) == want_pos && sign * si[k] + shift > m) m = sign * si[k] + shift;
    double z = 0;
    for (int k = 0; k < n; k++)
        if (keep[k] && (labels[k] == yi) == want_pos) z += exp(sign * si[k] + shift - m);
    for (int k = 0; k < n; k++)
        if (keep[k] && (labels[k] == yi) == want_pos) wi[k] = (float)(gscale * exp(sign * si[k] + shift - m) / z);
    return m + log(z);
}

static double weigh(const dsml_loss_params *p, const float *s, const int *labels, int n, const unsigned char *mask,
                    float *w)
{
    double a = p->gpw.alpha, b = p->gpw.beta, l = p->gpw.lambda, inv_n = 1.0 / n, total = 0;
    memset(w, 0, sizeof(float) * (size_t)n * n);
    for (int i = 0; i < n; i++) {
        const float *si = s + (size_t)i * n;
        const unsigned char *mi = mask + (size_t)i * n;
        float *wi = w + (size_t)i * n;
        int yi = labels[i], n_pos = 0, n_neg = 0;
        for (int k = 0; k < n; k++)
            if (mi[k]) {
                if (labels[k] == yi) n_pos++;
                else n_neg++;
            }
        switch (p->gpw.weighting) {
        case DSML_GPW_WEIGHT_MS:
            /* d/dS of 1/a log(1 + sum e^{-a(S - l)}) is -e^{..}/(1 + sum): scale -a, gscale -1/N */
            if (n_pos) total += log1p_sum_exp(si, mi, labels, yi, 1, n, -a, l, -inv_n, wi) / a * inv_n;
            if (n_neg) total += log1p_sum_exp(si, mi, labels, yi, 0, n, b, l, inv_n, wi) / b * inv_n;
            break;
        case DSML_GPW_WEIGHT_CONTRASTIVE:
            for (int k = 0; k < n; k++) {
                if (!mi[k]) continue;
                if (labels[k] == yi) {
                    total += (1.0 - si[k]) * inv_n / n_pos;
                    wi[k] = (float)(-inv_n / n_pos);
                } else if (si[k] - l > 0) {
                    total += (si[k] - l) * inv_n / n_neg;
                    wi[k] = (float)(inv_n / n_neg);
                }
            }
            break;
        case DSML_GPW_WEIGHT_BINOMIAL:
            for (int k = 0; k < n; k++) {
                if (!mi[k]) continue;
                if (labels[k] == yi) {
                    double x = a * (l - si[k]);
                    total += dsml_pairs_softplus(x) * inv_n / n_pos;
                    wi[k] = (float)(-a * dsml_pairs_sigmoid(x) * inv_n / n_pos);
                } else {
                    double x = b * (si[k] - l);
                    total += dsml_pairs_softplus(x) * inv_n / n_neg;
                    wi[k] = (float)(b * dsml_pairs_sigmoid(x) * inv_n / n_neg);
                }
            }
            break;
        default: { /* lifted */
            if (!n_pos || !n_neg) break;
            double j = log_sum_exp(si, mi, labels, yi, 1, n, -1.0, l, -inv_n, wi) +
                       log_sum_exp(si, mi, labels, yi, 0, n, 1.0, 0.0, inv_n, wi);
            if (j > 0) total += j * inv_n;
            else
                for (int k = 0; k < n; k++) wi[k] = 0.0f;
            break;
        }
        }
    }
    return total;
}

static int gpw(const dsml_loss_params *p, const float *h, const dsml_loss_batch *b, float *dh, dsml_loss_ws *ws,
               double *loss)
{
    const int *labels = b->labels;
    int n = b->n, d = b->d;
    float *s = ws->dist, *w = ws->w;
    dsml_l2norm_forward(h, n, d, ws->hn, ws->norm);
    /* S = Hn Hn^T: A = Hn (N x D), B = Hn stored N x D, used transposed. */
    dsml_gemm(DSML_NO_TRANS, DSML_TRANS, n, n, d, 1.0f, ws->hn, d, ws->hn, d, 0.0f, s, n);
    mine(p, s, labels, n, ws->mask);
    *loss = weigh(p, s, labels, n, ws->mask, w);
    /* dL/dHn = W Hn + W^T Hn (S_ij depends on both rows). */
    dsml_gemm(DSML_NO_TRANS, DSML_NO_TRANS, n, d, n, 1.0f, w, n, ws->hn, d, 0.0f, ws->dhn, d);
    dsml_gemm(DSML_TRANS, DSML_NO_TRANS, n, d, n, 1.0f, w, n, ws->hn, d, 1.0f, ws->dhn, d);
    dsml_l2norm_backward(ws->hn, ws->norm, ws->dhn, n, d, dh);
    return DSML_OK;
}

/* No margin and no L_r: the loss lives on the unit sphere. */
static void defaults(dsml_loss_params *p)
{
    p->margin = 0.0f;
    p->lambda = 0.0f;
}

static const char *const options[] = {"gpw-mining", "gpw-weighting", "gpw-alpha", "gpw-beta", "gpw-lambda",
                                      "gpw-epsilon", NULL};

const dsml_loss_entry dsml_loss_gpw_entry = {
    .kind = DSML_LOSS_GPW,
    .name = "gpw",
    .summary = "general pair weighting: mining, then weighting, on cosine similarities",
    .options = options,
    .distances = DSML_LOSS_DISTANCE(DSML_DIST_EUCLIDEAN),
    .works_on = "cosine similarities",
    .unit_sphere = 1,
    .defaults = defaults,
    .check = check,
    .on_embeddings = gpw,
};
