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
 * a = gpw_alpha, b = gpw_beta, l = gpw_lambda, eps = gpw_epsilon. Sources,
 * defaults and every choice: docs/losses.md, "General pair weighting". */
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "core/gemm.h"
#include "metric/l2norm.h"
#include "metric/loss_internal.h"

static const char *const mining_names[] = {[DSML_GPW_MINE_NONE] = "none", [DSML_GPW_MINE_MS] = "ms"};
static const char *const weighting_names[] = {
    [DSML_GPW_WEIGHT_MS] = "ms",
    [DSML_GPW_WEIGHT_CONTRASTIVE] = "contrastive",
    [DSML_GPW_WEIGHT_BINOMIAL] = "binomial",
    [DSML_GPW_WEIGHT_LIFTED] = "lifted",
};
#define N_MINING ((int)(sizeof mining_names / sizeof mining_names[0]))
#define N_WEIGHTING ((int)(sizeof weighting_names / sizeof weighting_names[0]))

int dsml_gpw_mining_parse(const char *name, dsml_gpw_mining *out)
{
    for (int k = 0; k < N_MINING; k++)
        if (name && strcmp(name, mining_names[k]) == 0) {
            *out = (dsml_gpw_mining)k;
            return DSML_OK;
        }
    return dsml_fail(DSML_ERR_ARG, "gpw mining '%s': expected none or ms", name ? name : "(null)");
}

int dsml_gpw_weighting_parse(const char *name, dsml_gpw_weighting *out)
{
    for (int k = 0; k < N_WEIGHTING; k++)
        if (name && strcmp(name, weighting_names[k]) == 0) {
            *out = (dsml_gpw_weighting)k;
            return DSML_OK;
        }
    return dsml_fail(DSML_ERR_ARG, "gpw weighting '%s': expected ms, contrastive, binomial or lifted",
                     name ? name : "(null)");
}

const char *dsml_gpw_mining_name(dsml_gpw_mining m)
{
    return (int)m >= 0 && (int)m < N_MINING ? mining_names[m] : "unknown";
}

const char *dsml_gpw_weighting_name(dsml_gpw_weighting w)
{
    return (int)w >= 0 && (int)w < N_WEIGHTING ? weighting_names[w] : "unknown";
}

/* The table is in docs/losses.md; keep the two in step. */
void dsml_gpw_defaults(dsml_loss_params *p, dsml_gpw_weighting w)
{
    p->gpw_weighting = w;
    switch (w) {
    case DSML_GPW_WEIGHT_MS: p->gpw_alpha = 2.0f; p->gpw_beta = 50.0f; p->gpw_lambda = 1.0f; break;
    case DSML_GPW_WEIGHT_CONTRASTIVE: p->gpw_alpha = 1.0f; p->gpw_beta = 1.0f; p->gpw_lambda = 0.5f; break;
    case DSML_GPW_WEIGHT_BINOMIAL: p->gpw_alpha = 2.0f; p->gpw_beta = 2.0f; p->gpw_lambda = 0.5f; break;
    default: p->gpw_alpha = 1.0f; p->gpw_beta = 1.0f; p->gpw_lambda = 1.0f; break;
    }
}

int dsml_loss_related_check(const dsml_loss_params *p)
{
    const char *loss = dsml_loss_name(p->loss);
    if (p->loss == DSML_LOSS_GPW) {
        if ((int)p->gpw_mining < 0 || (int)p->gpw_mining >= N_MINING)
            return dsml_fail(DSML_ERR_ARG, "gpw: unknown mining kind %d", (int)p->gpw_mining);
        if ((int)p->gpw_weighting < 0 || (int)p->gpw_weighting >= N_WEIGHTING)
            return dsml_fail(DSML_ERR_ARG, "gpw: unknown weighting kind %d", (int)p->gpw_weighting);
        if (!isfinite(p->gpw_alpha) || p->gpw_alpha <= 0 || !isfinite(p->gpw_beta) || p->gpw_beta <= 0)
            return dsml_fail(DSML_ERR_ARG, "gpw: alpha %g, beta %g, expected finite values > 0", p->gpw_alpha,
                             p->gpw_beta);
        if (!isfinite(p->gpw_lambda))
            return dsml_fail(DSML_ERR_ARG, "gpw: lambda %g, expected a finite value", p->gpw_lambda);
        if (!isfinite(p->gpw_epsilon) || p->gpw_epsilon < 0)
            return dsml_fail(DSML_ERR_ARG, "gpw: epsilon %g, expected a finite value >= 0", p->gpw_epsilon);
    }
    if (p->loss == DSML_LOSS_VMF && (!isfinite(p->vmf_kappa) || p->vmf_kappa <= 0))
        return dsml_fail(DSML_ERR_ARG, "vmf: kappa %g, expected a finite value > 0", p->vmf_kappa);
    if (!isfinite(p->density) || p->density < 0)
        return dsml_fail(DSML_ERR_ARG, "%s: density weight %g, expected a finite value >= 0", loss, p->density);
    if (p->density > 0) {
        if (p->loss != DSML_LOSS_CONTRASTIVE && p->loss != DSML_LOSS_TRIPLET && p->loss != DSML_LOSS_NPAIR)
            return dsml_fail(DSML_ERR_ARG, "%s: the density regulariser plugs into contrastive, triplet or npair",
                             loss);
        if (!isfinite(p->density_ratio) || p->density_ratio <= 0)
            return dsml_fail(DSML_ERR_ARG, "%s: density ratio %g, expected a finite value > 0", loss,
                             p->density_ratio);
    }
    return DSML_OK;
}

/* ---------- stage 1: mining. mask[i][j] = 1 keeps the ordered pair (i, j). ---------- */

static void mine(const dsml_loss_params *p, const float *s, const int *labels, int n, unsigned char *mask)
{
    double eps = p->gpw_epsilon;
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
            if (keep && p->gpw_mining == DSML_GPW_MINE_MS)
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

static double softplus(double x) { return (x > 0 ? x : 0) + log1p(exp(-fabs(x))); }
static double sigmoid(double x) { return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x)); }

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
    double a = p->gpw_alpha, b = p->gpw_beta, l = p->gpw_lambda, inv_n = 1.0 / n, total = 0;
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
        switch (p->gpw_weighting) {
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
                    total += softplus(x) * inv_n / n_pos;
                    wi[k] = (float)(-a * sigmoid(x) * inv_n / n_pos);
                } else {
                    double x = b * (si[k] - l);
                    total += softplus(x) * inv_n / n_neg;
                    wi[k] = (float)(b * sigmoid(x) * inv_n / n_neg);
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

double dsml_loss_gpw(const dsml_loss_params *p, const float *h, const int *labels, int n, int d, float *dh,
                     dsml_loss_ws *ws)
{
    float *s = ws->dist, *w = ws->w;
    dsml_l2norm_forward(h, n, d, ws->hn, ws->norm);
    /* S = Hn Hn^T: A = Hn (N x D), B = Hn stored N x D, used transposed. */
    dsml_gemm(DSML_NO_TRANS, DSML_TRANS, n, n, d, 1.0f, ws->hn, d, ws->hn, d, 0.0f, s, n);
    mine(p, s, labels, n, ws->mask);
    double loss = weigh(p, s, labels, n, ws->mask, w);
    /* dL/dHn = W Hn + W^T Hn (S_ij depends on both rows). */
    dsml_gemm(DSML_NO_TRANS, DSML_NO_TRANS, n, d, n, 1.0f, w, n, ws->hn, d, 0.0f, ws->dhn, d);
    dsml_gemm(DSML_TRANS, DSML_NO_TRANS, n, d, n, 1.0f, w, n, ws->hn, d, 1.0f, ws->dhn, d);
    dsml_l2norm_backward(ws->hn, ws->norm, ws->dhn, n, d, dh);
    return loss;
}
