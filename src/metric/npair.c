/* N-pair loss (eqs. 11-12) over a batch of N = n/2 pairs:
 *
 *   L = (1/N) sum_i log(1 + sum_{j != i} exp(S_{i,j+} - S_{i,i+}))
 *       + npair.l2 * (1/4) (mean_i |h_i|^2 + mean_i |h_i+|^2)      (Sohn's L2 penalty)
 *
 * The pairs come from the labels: every class appears exactly twice, the
 * first occurrence is the anchor h_i and the second its positive h_i+.
 * Similarity by distance kind:
 *   euclidean    S = h_i . h_j+                   (the baseline of Sohn's paper)
 *   sqeuclidean  S = -|h_i - h_j+|^2
 *   snr          S = 1 / max(d_S(h_i, h_j+), DSML_NPAIR_MIN_SNR_DIST)^2   (eq. 11)
 * Each log(1 + sum exp) is a log-sum-exp over {0, S_ij+ - S_ii+} around its
 * maximum, so a pair at distance 0 (S = 1e4) gives a large finite loss.
 * Under --equations paper (eq. 12 as printed) the L2 weight must be 0. */
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "core/gemm.h"
#include "metric/loss_internal.h"

/* anchors[i], positives[i] for i < n/2, in order of the anchors' rows. */
static int find_pairs(const int *labels, int n, int *anchors, int *positives)
{
    int pairs = 0;
    for (int i = 0; i < n; i++) {
        int seen = 0, count = 0, second = -1;
        for (int j = 0; j < i && !seen; j++) seen = labels[j] == labels[i];
        if (seen) continue;
        for (int j = i; j < n; j++)
            if (labels[j] == labels[i]) {
                if (++count == 2) second = j;
            }
        if (count != 2)
            return dsml_fail(DSML_ERR_ARG,
                             "npair: label %d appears %d time%s in the batch of %d (first at row %d), expected "
                             "every class exactly twice (anchor, then positive)",
                             labels[i], count, count == 1 ? "" : "s", n, i);
        anchors[pairs] = i;
        positives[pairs] = second;
        pairs++;
    }
    return DSML_OK;
}

static int npair(const dsml_loss_params *p, const float *h, const dsml_loss_batch *b, float *dh, dsml_loss_ws *ws,
                 double *loss)
{
    const int *labels = b->labels;
    int n = b->n, d = b->d;
    int *anchor = ws->idx_a, *positive = ws->idx_b;
    int rc = find_pairs(labels, n, anchor, positive);
    if (rc) return rc;
    int pairs = n / 2;
    float *dist = ws->dist, *w = ws->w;
    if (p->distance == DSML_DIST_EUCLIDEAN) {
        /* Gram matrix H H^T: A = H (N x D), B = H stored N x D, used transposed. */
        dsml_gemm(DSML_NO_TRANS, DSML_TRANS, n, n, d, 1.0f, h, d, h, d, 0.0f, dist, n);
    } else {
        rc = dsml_distance_forward(p->distance, dist, h, n, d, ws->dist_ws);
        if (rc) return rc;
    }
    memset(w, 0, sizeof(float) * (size_t)n * n);
    double *s = ws->row_a, total = 0, inv_pairs = 1.0 / pairs;
    for (int i = 0; i < pairs; i++) {
        for (int j = 0; j < pairs; j++) {
            double v = dist[(size_t)anchor[i] * n + positive[j]];
            if (p->distance == DSML_DIST_SQEUCLIDEAN) v = -v;
            else if (p->distance == DSML_DIST_SNR) {
                if (v < DSML_NPAIR_MIN_SNR_DIST) v = DSML_NPAIR_MIN_SNR_DIST;
                v = 1.0 / (v * v);
            }
            s[j] = v;
        }
        double m = 0;
        for (int j = 0; j < pairs; j++)
            if (j != i && s[j] - s[i] > m) m = s[j] - s[i];
        double z = exp(-m);
        for (int j = 0; j < pairs; j++)
            if (j != i) z += exp(s[j] - s[i] - m);
        total += m + log(z);
        /* dL/dS_ij+ = softmax weight / N; dL/dS_ii+ = -(their sum). Stored
         * as dL/d(similarity) at (anchor i, positive j) for now. */
        double self = 0;
        for (int j = 0; j < pairs; j++) {
            if (j == i) continue;
            double g = exp(s[j] - s[i] - m) / z * inv_pairs;
            w[(size_t)anchor[i] * n + positive[j]] = (float)g;
            self -= g;
        }
        w[(size_t)anchor[i] * n + positive[i]] = (float)self;
    }
    total *= inv_pairs;

    if (p->distance == DSML_DIST_EUCLIDEAN) {
        /* S_ij = h_ai . h_pj: dh_ai += sum_j G_ij h_pj and dh_pj += sum_i G_ij h_ai, i.e.
         * dH += M H with M symmetric (anchors and positives are different rows). */
        for (int i = 0; i < pairs; i++)
            for (int j = 0; j < pairs; j++)
                w[(size_t)positive[j] * n + anchor[i]] = w[(size_t)anchor[i] * n + positive[j]];
        dsml_gemm(DSML_NO_TRANS, DSML_NO_TRANS, n, d, n, 1.0f, w, n, h, d, 1.0f, dh, d);
    } else {
        /* chain through S(dist): -1 (sqeuclidean), -2/d^3 above the clamp, 0 below it (snr). */
        for (int i = 0; i < pairs; i++)
            for (int j = 0; j < pairs; j++) {
                size_t ij = (size_t)anchor[i] * n + positive[j];
                double g = w[ij], v = dist[ij];
                if (p->distance == DSML_DIST_SQEUCLIDEAN) g = -g;
                else g = v < DSML_NPAIR_MIN_SNR_DIST ? 0.0 : g * (-2.0 / (v * v * v));
                w[ij] = (float)g;
            }
        rc = dsml_distance_backward(p->distance, dh, w, dist, n, d, ws->dist_ws);
        if (rc) return rc;
    }

    if (p->npair.l2 > 0) {
        double sq = 0, coef = 0.5 * p->npair.l2 * inv_pairs;
        for (size_t i = 0; i < (size_t)n * d; i++) {
            sq += (double)h[i] * h[i];
            dh[i] += (float)(coef * h[i]);
        }
        total += 0.25 * p->npair.l2 * inv_pairs * sq;
    }
    *loss = total;
    return DSML_OK;
}

/* No margin: the similarities of a row compete in a softmax. */
static void defaults(dsml_loss_params *p)
{
    p->margin = 0.0f;
}

static int check(const dsml_loss_params *p)
{
    const char *name = dsml_loss_npair_entry.name;
    int rc = dsml_loss_check_nonnegative(name, "npair L2 weight", p->npair.l2);
    if (!rc && p->equations == DSML_EQUATIONS_PAPER && p->npair.l2 != 0)
        rc = dsml_fail(DSML_ERR_ARG, "%s: --equations paper computes eq. 12, which has no L2 penalty; --npair-l2 %g "
                       "given", name, p->npair.l2);
    return rc;
}

static const char *const options[] = {"npair-l2", NULL};

const dsml_loss_entry dsml_loss_npair_entry = {
    .kind = DSML_LOSS_NPAIR,
    .name = "npair",
    .summary = "eqs. 11-12: N-pair, two rows per class (anchor, then positive)",
    .options = options,
    .distances = DSML_LOSS_ANY_DISTANCE,
    .density = 1,
    .pairs = 1,
    .defaults = defaults,
    .check = check,
    .on_embeddings = npair,
};
