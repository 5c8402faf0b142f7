/* Lifted structured loss (eq. 10) over every ordered positive pair (i, j):
 *
 *   J_ij = max( max_{k: y_k != y_i} alpha - beta d_ik,
 *               max_{l: y_l != y_j} alpha - beta d_jl ) + beta d_ij      (hard, as eq. 10)
 *   J_ij = log( sum_k exp(alpha - beta d_ik) + sum_l exp(alpha - beta d_jl) ) + beta d_ij
 *                                                     (smooth, Song et al.'s relaxation)
 *   L    = 1 / (2 |P|) * sum_{(i,j) in P} max(0, J_ij)
 *
 * P holds ordered pairs, so an SNR pair enters once with each anchor; for a
 * symmetric distance this equals Song et al.'s 1/(2|P|) over unordered pairs.
 * A pair with no negative in the batch contributes 0. The log-sum-exp is
 * taken per row around the row's maximum, so it never overflows. Per-row
 * statistics make the whole loss O(N^2). The hard form is taken with
 * lifted.hard or with --equations paper (eq. 10 as printed). */
#include <math.h>
#include <string.h>

#include "metric/loss_internal.h"

static double lifted(const dsml_loss_params *p, const float *dist, const dsml_loss_batch *b, float *w,
                     dsml_loss_ws *ws)
{
    const int *labels = b->labels;
    /* eq. 10 as printed (--equations paper) is the hard max */
    int n = b->n, hard = p->lifted.hard || p->equations == DSML_EQUATIONS_PAPER;
    double alpha = p->margin, beta = p->lifted.beta;
    double *row_max = ws->row_a, *row_sum = ws->row_b, *row_weight = ws->row_c;
    int *row_arg = ws->idx_a;
    memset(w, 0, sizeof(float) * (size_t)n * n);
    /* Per anchor: max_k (alpha - beta d_ik), its argmax, sum_k exp(. - max). */
    for (int i = 0; i < n; i++) {
        const float *di = dist + (size_t)i * n;
        double mx = -HUGE_VAL;
        int arg = -1;
        for (int k = 0; k < n; k++)
            if (labels[k] != labels[i] && alpha - beta * di[k] > mx) {
                mx = alpha - beta * di[k];
                arg = k;
            }
        double z = 0;
        if (arg >= 0)
            for (int k = 0; k < n; k++)
                if (labels[k] != labels[i]) z += exp(alpha - beta * di[k] - mx);
        row_max[i] = mx;
        row_sum[i] = z;
        row_arg[i] = arg;
        row_weight[i] = 0;
    }
    double sum = 0;
    long pairs = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            if (i == j || labels[i] != labels[j]) continue;
            pairs++;
            if (row_arg[i] < 0) continue; /* no negatives: i and j share the label */
            double mi = row_max[i], mj = row_max[j], m = mi > mj ? mi : mj, lse;
            if (hard) lse = m;
            else lse = m + log(row_sum[i] * exp(mi - m) + row_sum[j] * exp(mj - m));
            double J = lse + beta * dist[(size_t)i * n + j];
            if (J <= 0) continue;
            sum += J;
            w[(size_t)i * n + j] += (float)beta;
            if (hard) {
                if (mi >= mj) w[(size_t)i * n + row_arg[i]] -= (float)beta;
                else w[(size_t)j * n + row_arg[j]] -= (float)beta;
            } else {
                row_weight[i] += exp(mi - lse);
                row_weight[j] += exp(mj - lse);
            }
        }
    if (!pairs) return 0.0;
    if (!hard)
        for (int i = 0; i < n; i++) {
            if (row_weight[i] == 0) continue;
            const float *di = dist + (size_t)i * n;
            for (int k = 0; k < n; k++)
                if (labels[k] != labels[i])
                    w[(size_t)i * n + k] -= (float)(beta * row_weight[i] * exp(alpha - beta * di[k] - row_max[i]));
        }
    double scale = 1.0 / (2.0 * pairs);
    for (size_t i = 0; i < (size_t)n * n; i++) w[i] = (float)(w[i] * scale);
    return sum * scale;
}

static int check(const dsml_loss_params *p)
{
    const char *name = dsml_loss_lifted_entry.name;
    int rc = dsml_loss_check_nonnegative(name, "margin", p->margin);
    return rc ? rc : dsml_loss_check_positive(name, "beta", p->lifted.beta);
}

static const char *const options[] = {"margin", "beta", "lifted-hard", NULL};

const dsml_loss_entry dsml_loss_lifted_entry = {
    .kind = DSML_LOSS_LIFTED,
    .name = "lifted",
    .summary = "eq. 10: lifted structured, each positive pair against all negatives",
    .options = options,
    .distances = DSML_LOSS_ANY_DISTANCE,
    .check = check,
    .on_distances = lifted,
};
