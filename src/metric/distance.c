/* Pairwise Euclidean, squared Euclidean and SNR distances by GEMM, forward
 * and backward; see distance.h.
 *
 * Backward, for every kind. Let W = dL/ddist, x the centred rows the forward
 * used, s_i = |x_i|^2, q_ij = s_i + s_j - 2 x_i.x_j = |x_i - x_j|^2. Each
 * distance is f(q_ij) / den_i with
 *   sqeuclidean: f = q,              den = 1
 *   euclidean:   f = sqrt(q + eps),  den = 1
 *   snr:         f = q,              den = s_i + D * eps   (den depends on x_i)
 * With A_ij = W_ij f'(q_ij) / den_i (i != j), M = A + A^T, r_i = sum_j M_ij
 * and, for SNR only, B_i = sum_j W_ij dist_ij / den_i (from d den_i / d x_i = 2 x_i):
 *   dL/dx_i = 2 (r_i - B_i) x_i - 2 (M X)_i
 * which is one N x N by N x D GEMM. Through the centring:
 *   snr: x_i = h_i - mean(h_i) -> dL/dh_i = dL/dx_i - mean(dL/dx_i); that mean
 *   is 0 in exact arithmetic (rows of X and of M X sum to 0, as d_S ignores a
 *   shift of h_i), so subtracting it only removes rounding.
 *   euclidean kinds: x_i = h_i - column mean; the column sums of dL/dx are
 *   sum_i 2 r_i x_i - 2 sum_ij M_ij x_j = 0 because M is symmetric, so
 *   dL/dh = dL/dx exactly. */
#include "metric/distance.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/gemm.h"
#include "core/names.h"

struct dsml_distance_ws {
    int max_n, d;
    float *x;     /* N x D centred rows */
    float *m;     /* N x N: Gram matrix in forward, M in backward */
    float *t;     /* N x D: M X */
    double *s;    /* N: |x_i|^2 */
    double *den;  /* N: SNR denominators D * (var(h_i) + eps) */
    double *r;    /* N: row sums of M minus B */
};

static const char *const names[] = {
    [DSML_DIST_EUCLIDEAN] = "euclidean",
    [DSML_DIST_SQEUCLIDEAN] = "sqeuclidean",
    [DSML_DIST_SNR] = "snr",
};

int dsml_distance_parse(const char *name, dsml_distance_kind *out)
{
    int k;
    int rc = dsml_names_parse("distance", names, DSML_NAMES_COUNT(names), name, &k);
    if (!rc) *out = (dsml_distance_kind)k;
    return rc;
}

const char *dsml_distance_name(dsml_distance_kind kind)
{
    return dsml_names_get(names, DSML_NAMES_COUNT(names), (int)kind);
}

int dsml_distance_ws_create(dsml_distance_ws **out, int max_n, int d)
{
    *out = NULL;
    if (max_n < 1 || d < 1)
        return dsml_fail(DSML_ERR_ARG, "distance workspace: %d rows of %d values, expected both >= 1", max_n, d);
    dsml_distance_ws *ws = calloc(1, sizeof *ws);
    if (!ws) return dsml_fail(DSML_ERR_NOMEM, "distance workspace: out of memory");
    size_t nn = (size_t)max_n * max_n, nd = (size_t)max_n * d;
    ws->max_n = max_n;
    ws->d = d;
    ws->x = malloc(sizeof(float) * nd);
    ws->m = malloc(sizeof(float) * nn);
    ws->t = malloc(sizeof(float) * nd);
    ws->s = malloc(sizeof(double) * max_n);
    ws->den = malloc(sizeof(double) * max_n);
    ws->r = malloc(sizeof(double) * max_n);
    if (!ws->x || !ws->m || !ws->t || !ws->s || !ws->den || !ws->r) {
        dsml_distance_ws_free(ws);
        return dsml_fail(DSML_ERR_NOMEM, "distance workspace: out of memory for %d x %d", max_n, d);
    }
    *out = ws;
    return DSML_OK;
}

void dsml_distance_ws_free(dsml_distance_ws *ws)
{
    if (!ws) return;
    free(ws->x);
    free(ws->m);
    free(ws->t);
    free(ws->s);
    free(ws->den);
    free(ws->r);
    free(ws);
}

static int check_size(const char *what, int n, int d, const dsml_distance_ws *ws)
{
    if (n < 1 || n > ws->max_n || d != ws->d)
        return dsml_fail(DSML_ERR_ARG, "%s: batch of %d x %d, workspace holds up to %d x %d", what, n, d,
                         ws->max_n, ws->d);
    return DSML_OK;
}

/* x = h with each row's mean removed (snr) or the batch's column mean
 * removed (Euclidean kinds); s_i = |x_i|^2 in double. */
static void centre(dsml_distance_kind kind, const float *h, int n, int d, dsml_distance_ws *ws)
{
    float *x = ws->x;
    if (kind == DSML_DIST_SNR) {
        for (int i = 0; i < n; i++) {
            const float *hi = h + (size_t)i * d;
            double mean = 0;
            for (int k = 0; k < d; k++) mean += hi[k];
            mean /= d;
            for (int k = 0; k < d; k++) x[(size_t)i * d + k] = (float)(hi[k] - mean);
        }
    } else {
        /* one column at a time, the mean in double */
        for (int k = 0; k < d; k++) {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += h[(size_t)i * d + k];
            mean /= n;
            for (int i = 0; i < n; i++) x[(size_t)i * d + k] = (float)(h[(size_t)i * d + k] - mean);
        }
    }
    for (int i = 0; i < n; i++) {
        const float *xi = x + (size_t)i * d;
        double s = 0;
        for (int k = 0; k < d; k++) s += (double)xi[k] * xi[k];
        ws->s[i] = s;
    }
}

/* |x_i - x_j|^2 directly, in double: the fallback for close pairs. */
static double direct_sq(const float *xi, const float *xj, int d)
{
    double q = 0;
    for (int k = 0; k < d; k++) {
        double e = (double)xi[k] - xj[k];
        q += e * e;
    }
    return q;
}

int dsml_distance_forward(dsml_distance_kind kind, float *dist, const float *h, int n, int d,
                          dsml_distance_ws *ws)
{
    int rc = check_size("distance forward", n, d, ws);
    if (rc) return rc;
    if ((int)kind < 0 || kind > DSML_DIST_SNR) return dsml_fail(DSML_ERR_ARG, "distance forward: unknown kind %d", (int)kind);
    centre(kind, h, n, d, ws);
    /* Gram matrix G = X X^T: A = X (N x D, no transpose), B = X stored N x D, used transposed. */
    dsml_gemm(DSML_NO_TRANS, DSML_TRANS, n, n, d, 1.0f, ws->x, d, ws->x, d, 0.0f, ws->m, n);
    for (int i = 0; i < n; i++) ws->den[i] = kind == DSML_DIST_SNR ? ws->s[i] + (double)d * DSML_DIST_VAR_EPS : 1.0;
    for (int i = 0; i < n; i++) {
        const float *xi = ws->x + (size_t)i * d;
        for (int j = 0; j < n; j++) {
            float *out = dist + (size_t)i * n + j;
            if (i == j) {
                *out = 0.0f;
                continue;
            }
            double sum = ws->s[i] + ws->s[j];
            double q = sum - 2.0 * ws->m[(size_t)i * n + j];
            if (q < 0.01 * sum) q = direct_sq(xi, ws->x + (size_t)j * d, d);
            if (q < 0) q = 0;
            switch (kind) {
            case DSML_DIST_SQEUCLIDEAN: *out = (float)q; break;
            case DSML_DIST_EUCLIDEAN: *out = (float)sqrt(q + DSML_DIST_SQRT_EPS); break;
            case DSML_DIST_SNR: *out = (float)(q / ws->den[i]); break;
            }
        }
    }
    return DSML_OK;
}

int dsml_distance_backward(dsml_distance_kind kind, float *dh, const float *ddist, const float *dist,
                           int n, int d, dsml_distance_ws *ws)
{
    int rc = check_size("distance backward", n, d, ws);
    if (rc) return rc;
    if ((int)kind < 0 || kind > DSML_DIST_SNR) return dsml_fail(DSML_ERR_ARG, "distance backward: unknown kind %d", (int)kind);
    float *m = ws->m;
    /* A_ij into m, and B_i (SNR) into r with a minus sign. */
    for (int i = 0; i < n; i++) {
        double b = 0;
        for (int j = 0; j < n; j++) {
            size_t ij = (size_t)i * n + j;
            double w = i == j ? 0.0 : ddist[ij], a;
            switch (kind) {
            case DSML_DIST_EUCLIDEAN: a = w / (2.0 * dist[ij]); break; /* dist >= 1e-6 off the diagonal */
            case DSML_DIST_SNR: a = w / ws->den[i]; b += w * dist[ij] / ws->den[i]; break;
            default: a = w; break;
            }
            m[ij] = (float)a;
        }
        ws->r[i] = -b;
    }
    /* M = A + A^T (in place, upper and lower together), r_i += sum_j M_ij. */
    for (int i = 0; i < n; i++) {
        m[(size_t)i * n + i] = 0.0f;
        for (int j = i + 1; j < n; j++) {
            float v = m[(size_t)i * n + j] + m[(size_t)j * n + i];
            m[(size_t)i * n + j] = v;
            m[(size_t)j * n + i] = v;
        }
    }
    for (int i = 0; i < n; i++) {
        double r = 0;
        for (int j = 0; j < n; j++) r += m[(size_t)i * n + j];
        ws->r[i] += r;
    }
    /* T = M X: M is N x N, X is N x D, both as stored. */
    dsml_gemm(DSML_NO_TRANS, DSML_NO_TRANS, n, d, n, 1.0f, m, n, ws->x, d, 0.0f, ws->t, d);
    for (int i = 0; i < n; i++) {
        const float *xi = ws->x + (size_t)i * d, *ti = ws->t + (size_t)i * d;
        float *gi = dh + (size_t)i * d;
        double r2 = 2.0 * ws->r[i];
        if (kind == DSML_DIST_SNR) {
            double mean = 0;
            for (int k = 0; k < d; k++) mean += r2 * xi[k] - 2.0 * ti[k];
            mean /= d;
            for (int k = 0; k < d; k++) gi[k] += (float)(r2 * xi[k] - 2.0 * ti[k] - mean);
        } else {
            for (int k = 0; k < d; k++) gi[k] += (float)(r2 * xi[k] - 2.0 * ti[k]);
        }
    }
    return DSML_OK;
}
