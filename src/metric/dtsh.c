/* DTSH (Wang, Shi and Kitani, ACCV 2016): the negative log-likelihood of the
 * triplet labels under p(a closer to p than to n) = sigma(Theta_ap - Theta_an
 * - alpha), Theta_ij = 1/2 u_i^T u_j, plus the quantisation penalty towards
 * b = sign(u):
 *
 *   L = 1/|T| sum_{(a,p,n) in T} -log sigma(Theta_ap - Theta_an - alpha)
 *     + quant * 1/(N D) sum_i |b_i - u_i|^2
 *
 * over every triplet of the batch with p != a similar to a and n dissimilar
 * to a (similar: sharing a label), alpha = margin * D (margin per bit; the
 * authors' code uses alpha = B / 2). -log sigma(x) = softplus(-x). Sources
 * and defaults: docs/losses.md, "Hashing losses". */
#include "core/error.h"
#include "metric/loss_internal.h"
#include "metric/pairs.h"

static int dtsh(const dsml_loss_params *p, const float *h, const dsml_loss_batch *b, float *dh, dsml_loss_ws *ws,
                double *loss)
{
    const unsigned char *similar = b->similar;
    int n = b->n, d = b->d;
    float *theta = ws->dist, *w = ws->w;
    int *negatives = ws->idx_b;
    double *row = ws->row_a, alpha = (double)p->margin * d;
    dsml_pairs_inner_products(h, n, d, theta);

    double triplets = 0;
    for (int a = 0; a < n; a++) {
        long pos = 0, neg = 0;
        for (int j = 0; j < n; j++) {
            if (j == a) continue;
            if (similar[(size_t)a * n + j]) pos++;
            else neg++;
        }
        triplets += (double)pos * neg;
    }
    double sum = 0;
    for (int a = 0; a < n; a++) {
        const float *ta = theta + (size_t)a * n;
        const unsigned char *sa = similar + (size_t)a * n;
        int neg = 0;
        for (int j = 0; j < n; j++) {
            row[j] = 0.0;
            if (j != a && !sa[j]) negatives[neg++] = j;
        }
        for (int q = 0; q < n && neg > 0; q++) {
            if (q == a || !sa[q]) continue;
            double gp = 0;
            for (int k = 0; k < neg; k++) {
                double x = (double)ta[q] - ta[negatives[k]] - alpha;
                sum += dsml_pairs_softplus(-x);
                double g = -dsml_pairs_sigmoid(-x) / triplets; /* dL/dx */
                gp += g;
                row[negatives[k]] -= g;
            }
            row[q] += gp;
        }
        for (int j = 0; j < n; j++) w[(size_t)a * n + j] = (float)row[j];
    }
    if (triplets > 0) dsml_pairs_inner_backward(w, h, n, d, dh);
    *loss = (triplets > 0 ? sum / triplets : 0.0) + dsml_pairs_quantisation(p->hashing.quant, h, n, d, dh);
    return DSML_OK;
}

/* alpha = B / 2: margin 0.5 per bit (dsml_loss_hashing_defaults has the rest). */
static void defaults(dsml_loss_params *p)
{
    dsml_loss_hashing_defaults(p, 0.5f);
}

static int check(const dsml_loss_params *p)
{
    const char *name = dsml_loss_dtsh_entry.name;
    int rc = dsml_loss_check_nonnegative(name, "margin", p->margin);
    return rc ? rc : dsml_loss_hashing_check(name, p);
}

static const char *const options[] = {"margin", "quant", NULL};

const dsml_loss_entry dsml_loss_dtsh_entry = {
    .kind = DSML_LOSS_DTSH,
    .name = "dtsh",
    .summary = "deep hashing: triplet likelihood of inner products, plus quantisation",
    .options = options,
    .distances = DSML_LOSS_DISTANCE(DSML_DIST_EUCLIDEAN),
    .works_on = "inner products",
    .label_sets = 1,
    .defaults = defaults,
    .check = check,
    .on_embeddings = dtsh,
};
