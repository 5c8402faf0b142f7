/* The density regulariser, added to contrastive, triplet or N-pair with any
 * distance of distance.h (docs/losses.md, "Density adaptivity"):
 *
 *   rho_c   = mean of d(h_i, h_j) over ordered pairs i != j of class c      (spread: low = dense)
 *   delta_c = mean of d(h_i, h_k) over i in c, k not in c                   (distance to the others)
 *   R       = weight * (1/C') sum_c [ ratio - rho_c / delta_c ]_+
 *
 * over the C' classes of the batch with at least two members and at least
 * one row of another class (and delta_c > 0), with weight and ratio from
 * dsml_density_params. A class packed more tightly than ratio times its
 * distance to the other classes is pushed to spread out; the ratio makes the
 * target adapt to the scale of the embedding and of the distance. The distance matrix is recomputed here (anchor
 * first, as everywhere), so the term is independent of how the base loss
 * used it. */
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "metric/loss_internal.h"

const char *const dsml_density_options[] = {"density", "density-ratio", NULL};

int dsml_density_check(const char *loss, const dsml_density_params *density)
{
    int rc = dsml_loss_check_nonnegative(loss, "density weight", density->weight);
    if (!rc && density->weight > 0) rc = dsml_loss_check_positive(loss, "density ratio", density->ratio);
    return rc;
}

int dsml_density_compute(const dsml_loss_params *p, const float *h, const int *labels, int n, int d, float *dh,
                         dsml_loss_ws *ws, double *value)
{
    *value = 0;
    float *dist = ws->dist, *w = ws->w;
    int rc = dsml_distance_forward(p->distance, dist, h, n, d, ws->dist_ws);
    if (rc) return rc;
    for (size_t i = 0; i < (size_t)n * n; i++)
        if (!isfinite(dist[i]))
            return dsml_fail(DSML_ERR_NUMERIC, "density: %s distance (%zu, %zu) is not finite",
                             dsml_distance_name(p->distance), i / n, i % n);
    /* Per class, indexed by the row of its first member: rho in row_a, delta
     * in row_b, counts of intra and inter pairs in idx_a / idx_b, and in
     * row_c 1 for a class that enters the sum. */
    double *rho = ws->row_a, *delta = ws->row_b, *used = ws->row_c;
    int *n_in = ws->idx_a, *n_out = ws->idx_b, classes = 0;
    for (int f = 0; f < n; f++) {
        used[f] = 0;
        int first = 1;
        for (int j = 0; j < f && first; j++) first = labels[j] != labels[f];
        if (!first) continue;
        double s_in = 0, s_out = 0;
        int c_in = 0, c_out = 0;
        for (int i = f; i < n; i++) {
            if (labels[i] != labels[f]) continue;
            const float *di = dist + (size_t)i * n;
            for (int j = 0; j < n; j++) {
                if (j == i) continue;
                if (labels[j] == labels[f]) { s_in += di[j]; c_in++; }
                else { s_out += di[j]; c_out++; }
            }
        }
        if (!c_in || !c_out || !(s_out > 0)) continue;
        rho[f] = s_in / c_in;
        delta[f] = s_out / c_out;
        n_in[f] = c_in;
        n_out[f] = c_out;
        used[f] = 1;
        classes++;
    }
    memset(w, 0, sizeof(float) * (size_t)n * n);
    if (!classes) return DSML_OK;
    double scale = (double)p->density.weight / classes, total = 0, ratio = p->density.ratio;
    for (int f = 0; f < n; f++) {
        if (!used[f]) continue;
        double gap = ratio - rho[f] / delta[f];
        if (gap <= 0) continue;
        total += gap;
        /* d gap / d rho = -1/delta, d gap / d delta = rho/delta^2; each mean
         * spreads its derivative evenly over its pairs. */
        float g_in = (float)(-scale / delta[f] / n_in[f]);
        float g_out = (float)(scale * rho[f] / (delta[f] * delta[f]) / n_out[f]);
        for (int i = f; i < n; i++) {
            if (labels[i] != labels[f]) continue;
            float *wi = w + (size_t)i * n;
            for (int j = 0; j < n; j++)
                if (j != i) wi[j] = labels[j] == labels[f] ? g_in : g_out;
        }
    }
    if (total > 0) {
        rc = dsml_distance_backward(p->distance, dh, w, dist, n, d, ws->dist_ws);
        if (rc) return rc;
    }
    *value = scale * total;
    return DSML_OK;
}
