/* Triplet loss (eq. 9) over every valid triplet of the batch, "batch all":
 *
 *   l_apn = [d_ap - d_an + alpha]_+   for a != p, y_p = y_a, y_n != y_a
 *   L     = (sum of l_apn) / (number of triplets with l_apn > 0), 0 when none
 *
 * (the paper: "we generate all the valid triplets and average the loss over
 * the positive ones"). Distances are anchor-first rows of dist. O(N^3)
 * scalar work (81,000 triplets at N = 100 in 10 classes), no allocation:
 * dL/ddist is accumulated as counts and scaled once. */
#include <string.h>

#include "metric/loss_internal.h"

static double triplet(const dsml_loss_params *p, const float *dist, const dsml_loss_batch *b, float *w,
                      dsml_loss_ws *ws)
{
    const int *labels = b->labels;
    int n = b->n;
    double alpha = p->margin, sum = 0;
    long active = 0;
    int *neg = ws->idx_b;
    memset(w, 0, sizeof(float) * (size_t)n * n);
    for (int a = 0; a < n; a++) {
        const float *da = dist + (size_t)a * n;
        float *wa = w + (size_t)a * n;
        int n_neg = 0;
        for (int k = 0; k < n; k++)
            if (labels[k] != labels[a]) neg[n_neg++] = k;
        if (!n_neg) continue;
        for (int q = 0; q < n; q++) {
            if (q == a || labels[q] != labels[a]) continue;
            double base = da[q] + alpha;
            int count = 0;
            for (int t = 0; t < n_neg; t++) {
                double l = base - da[neg[t]];
                if (l > 0) {
                    sum += l;
                    count++;
                    wa[neg[t]] -= 1.0f;
                }
            }
            wa[q] += (float)count;
            active += count;
        }
    }
    if (!active) return 0.0;
    float scale = (float)(1.0 / active);
    for (size_t i = 0; i < (size_t)n * n; i++) w[i] *= scale;
    return sum / active;
}

/* 0.5 on SNR distances (in [0, ~2] at any scale), 1 on Euclidean ones. */
static void defaults(dsml_loss_params *p)
{
    p->margin = p->distance == DSML_DIST_SNR ? 0.5f : 1.0f;
}

static int check(const dsml_loss_params *p)
{
    return dsml_loss_check_nonnegative(dsml_loss_triplet_entry.name, "margin", p->margin);
}

static const char *const options[] = {"margin", NULL};

const dsml_loss_entry dsml_loss_triplet_entry = {
    .kind = DSML_LOSS_TRIPLET,
    .name = "triplet",
    .summary = "eq. 9: every valid triplet, averaged over the active ones",
    .options = options,
    .distances = DSML_LOSS_ANY_DISTANCE,
    .density = 1,
    .defaults = defaults,
    .check = check,
    .on_distances = triplet,
};
