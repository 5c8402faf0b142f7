/* Contrastive loss (eq. 8) over every ordered pair i != j of the batch, in
 * one of two readings (p->equations):
 *
 * common (the default):
 *   L = mean over positive pairs with d_ij > 0 of d_ij
 *     + mean over negative pairs with alpha - d_ij > 0 of (alpha - d_ij)
 * paper (eq. 8 as printed):
 *   L = sum over positive pairs of d_ij + sum over negative pairs of [alpha - d_ij]_+
 *
 * d_ij = dist[i][j] (row i the anchor, so both orders of an SNR pair count).
 * A pair is positive when similar[i][j] is 1: equal labels, or, for
 * multi-label batches (DSNRH on NUS-WIDE), label sets that share a label.
 * Each common mean is over the pairs whose term is non-zero, as
 * pytorch-metric-learning's AvgNonZeroReducer does; a term with no such pair
 * is 0. Why: docs/losses.md. */
#include "metric/loss_internal.h"

static double contrastive(const dsml_loss_params *p, const float *dist, const dsml_loss_batch *b, float *w,
                          dsml_loss_ws *ws)
{
    (void)ws;
    const unsigned char *similar = b->similar;
    int n = b->n;
    double alpha = p->margin, pos_sum = 0, neg_sum = 0;
    long pos_count = 0, neg_count = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            if (i == j) continue;
            double dij = dist[(size_t)i * n + j];
            if (similar[(size_t)i * n + j]) {
                if (dij > 0) { pos_sum += dij; pos_count++; }
            } else if (alpha - dij > 0) {
                neg_sum += alpha - dij;
                neg_count++;
            }
        }
    float gp = pos_count ? (float)(1.0 / pos_count) : 0.0f;
    float gn = neg_count ? (float)(-1.0 / neg_count) : 0.0f;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            size_t ij = (size_t)i * n + j;
            double dij = dist[ij];
            if (i == j) w[ij] = 0.0f;
            else if (similar[ij]) w[ij] = dij > 0 ? gp : 0.0f;
            else w[ij] = alpha - dij > 0 ? gn : 0.0f;
        }
    return (pos_count ? pos_sum / pos_count : 0.0) + (neg_count ? neg_sum / neg_count : 0.0);
}

/* Eq. 8 as printed: plain sums, so dL/dd_ij is 1 on every positive pair
 * and -1 on every negative pair inside the margin. */
static double contrastive_sums(const dsml_loss_params *p, const float *dist, const dsml_loss_batch *b, float *w)
{
    const unsigned char *similar = b->similar;
    int n = b->n;
    double alpha = p->margin, pos_sum = 0, neg_sum = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            size_t ij = (size_t)i * n + j;
            double dij = dist[ij];
            w[ij] = 0.0f;
            if (i == j) continue;
            if (similar[ij]) {
                pos_sum += dij;
                w[ij] = 1.0f;
            } else if (alpha - dij > 0) {
                neg_sum += alpha - dij;
                w[ij] = -1.0f;
            }
        }
    return pos_sum + neg_sum;
}

static double compute(const dsml_loss_params *p, const float *dist, const dsml_loss_batch *b, float *w,
                      dsml_loss_ws *ws)
{
    if (p->equations == DSML_EQUATIONS_PAPER) return contrastive_sums(p, dist, b, w);
    return contrastive(p, dist, b, w, ws);
}

static int check(const dsml_loss_params *p)
{
    return dsml_loss_check_nonnegative(dsml_loss_contrastive_entry.name, "margin", p->margin);
}

static const char *const options[] = {"margin", NULL};

const dsml_loss_entry dsml_loss_contrastive_entry = {
    .kind = DSML_LOSS_CONTRASTIVE,
    .name = "contrastive",
    .summary = "eq. 8: positives pulled together, negatives pushed past the margin",
    .options = options,
    .distances = DSML_LOSS_ANY_DISTANCE,
    .label_sets = 1,
    .density = 1,
    .check = check,
    .on_distances = compute,
};
