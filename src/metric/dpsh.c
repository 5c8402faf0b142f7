/* DPSH (Li, Wang and Kang, IJCAI 2016): the negative log-likelihood of the
 * pairwise similarities under p(s_ij = 1) = sigma(Theta_ij), with
 * Theta_ij = 1/2 u_i^T u_j on the real-valued codes u = h, plus the
 * quantisation penalty towards b = sign(u):
 *
 *   L = 1/|P| sum_{i != j} [ log(1 + e^Theta_ij) - s_ij Theta_ij ]
 *     + quant * 1/(N D) sum_i |b_i - u_i|^2
 *
 * over the |P| = N (N - 1) ordered pairs of the batch. The pieces both
 * hashing losses share (Theta and its backward, the quantisation penalty)
 * are in pairs.c. Why means instead of the paper's sums, and the defaults:
 * docs/losses.md, "Hashing losses". */
#include "core/error.h"
#include "metric/loss_internal.h"
#include "metric/pairs.h"

static int dpsh(const dsml_loss_params *p, const float *h, const dsml_loss_batch *b, float *dh, dsml_loss_ws *ws,
                double *loss)
{
    const unsigned char *similar = b->similar;
    int n = b->n, d = b->d;
    float *theta = ws->dist, *w = ws->w;
    dsml_pairs_inner_products(h, n, d, theta);
    double pairs = (double)n * (n - 1), sum = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            size_t ij = (size_t)i * n + j;
            if (i == j) {
                w[ij] = 0.0f;
                continue;
            }
            double t = theta[ij], s = similar[ij];
            sum += dsml_pairs_softplus(t) - s * t;
            w[ij] = (float)((dsml_pairs_sigmoid(t) - s) / pairs);
        }
    if (n > 1) dsml_pairs_inner_backward(w, h, n, d, dh);
    *loss = (n > 1 ? sum / pairs : 0.0) + dsml_pairs_quantisation(p->hashing.quant, h, n, d, dh);
    return DSML_OK;
}

/* No margin (dsml_loss_hashing_defaults has the rest). */
static void defaults(dsml_loss_params *p)
{
    dsml_loss_hashing_defaults(p, 0.0f);
}

static int check(const dsml_loss_params *p)
{
    return dsml_loss_hashing_check(dsml_loss_dpsh_entry.name, p);
}

static const char *const options[] = {"quant", NULL};

const dsml_loss_entry dsml_loss_dpsh_entry = {
    .kind = DSML_LOSS_DPSH,
    .name = "dpsh",
    .summary = "deep hashing: pairwise likelihood of inner products, plus quantisation",
    .options = options,
    .distances = DSML_LOSS_DISTANCE(DSML_DIST_EUCLIDEAN),
    .works_on = "inner products",
    .label_sets = 1,
    .defaults = defaults,
    .check = check,
    .on_embeddings = dpsh,
};
