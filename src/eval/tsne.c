/* Exact t-SNE; see tsne.h for the method and its contract. */
#include "eval/tsne.h"
#include "core/error.h"
#include "core/gemm.h"
#include "core/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ENTROPY_TOL 1e-6       /* binary search stops within this of log(perplexity) */
#define CALIBRATION_TOL 1e-4   /* a row further off than this is counted as not calibrated */
#define MAX_SEARCH_STEPS 200
#define MIN_GAIN 0.01
#define Q_FLOOR 1e-12

void dsml_tsne_defaults(dsml_tsne_params *p)
{
    p->dims_out = 2;
    p->perplexity = 30.0;
    p->iterations = 1000;
    p->exaggeration_iters = 250;
    p->exaggeration = 12.0;
    p->learning_rate = 200.0;
    p->seed = 1;
}

static int check_finite(const float *x, int n, int d)
{
    for (long i = 0; i < (long)n * d; i++)
        if (!isfinite(x[i]))
            return dsml_fail(DSML_ERR_NUMERIC, "t-SNE input: point %ld, value %ld: %g, expected a finite number",
                             i / d, i % d, (double)x[i]);
    return DSML_OK;
}

/* dist (N x N) = squared Euclidean distances of x, through one GEMM on the
 * column-centred rows (xc, N x D scratch; gram, N x N scratch). */
static void squared_distances(const float *x, int n, int d, float *xc, float *gram, double *dist)
{
    for (int k = 0; k < d; k++) {
        double mean = 0;
        for (int i = 0; i < n; i++) mean += x[(long)i * d + k];
        mean /= n;
        for (int i = 0; i < n; i++) xc[(long)i * d + k] = (float)(x[(long)i * d + k] - mean);
    }
    /* gram[N x N] = xc[N x D] * xc^T */
    dsml_gemm(DSML_NO_TRANS, DSML_TRANS, n, n, d, 1.0f, xc, d, xc, d, 0.0f, gram, n);
    for (int i = 0; i < n; i++) {
        double ni = gram[(long)i * n + i];
        for (int j = 0; j < n; j++) {
            double v = ni + gram[(long)j * n + j] - 2.0 * gram[(long)i * n + j];
            dist[(long)i * n + j] = i == j || v < 0 ? 0.0 : v;
        }
    }
}

/* Row i: w_j = exp(-beta (d_j - dmin)) for j != i, normalised into p; returns
 * the entropy log(S) + beta sum (d_j - dmin) w_j / S. */
static double row_entropy(const double *dist, int n, int i, double dmin, double beta, double *p)
{
    double s = 0, sdw = 0;
    for (int j = 0; j < n; j++) {
        if (j == i) { p[j] = 0; continue; }
        double w = exp(-beta * (dist[j] - dmin));
        p[j] = w;
        s += w;
        sdw += (dist[j] - dmin) * w;
    }
    for (int j = 0; j < n; j++) p[j] /= s;
    return log(s) + beta * sdw / s;
}

/* Binary search on beta for one row (the reference implementation's x2p):
 * doubling/halving until the target is bracketed, then bisection. */
static double calibrate_row(const double *dist, int n, int i, double target, double *p)
{
    double dmin = INFINITY, dsum = 0;
    for (int j = 0; j < n; j++) {
        if (j == i) continue;
        if (dist[j] < dmin) dmin = dist[j];
        dsum += dist[j];
    }
    double spread = dsum / (n - 1) - dmin;
    double beta = spread > 0 ? 1.0 / spread : 1.0, lo = -1.0, hi = INFINITY; /* lo < 0: no bound yet */
    double h = row_entropy(dist, n, i, dmin, beta, p);
    for (int step = 0; step < MAX_SEARCH_STEPS && fabs(h - target) > ENTROPY_TOL; step++) {
        if (h > target) { /* too flat: sharpen */
            lo = beta;
            beta = isinf(hi) ? beta * 2 : (beta + hi) / 2;
        } else {
            hi = beta;
            beta = lo < 0 ? beta / 2 : (beta + lo) / 2;
        }
        h = row_entropy(dist, n, i, dmin, beta, p);
    }
    return h;
}

static int affinities_into(const float *x, int n, int d, double perplexity, double *cond, double *entropy,
                           int *not_calibrated, float *xc, float *gram, double *dist)
{
    squared_distances(x, n, d, xc, gram, dist);
    double target = log(perplexity);
    int missed = 0;
#pragma omp parallel for schedule(dynamic, 16) reduction(+ : missed)
    for (int i = 0; i < n; i++) {
        double h = calibrate_row(dist + (long)i * n, n, i, target, cond + (long)i * n);
        if (entropy) entropy[i] = h;
        if (fabs(h - target) > CALIBRATION_TOL) missed++;
    }
    if (not_calibrated) *not_calibrated = missed;
    return DSML_OK;
}

int dsml_tsne_affinities(const float *x, int n, int d, double perplexity, double *cond, double *entropy,
                         int *not_calibrated)
{
    if (n < 2 || d < 1) return dsml_fail(DSML_ERR_ARG, "t-SNE: %d points of size %d, expected at least 2 of size >= 1", n, d);
    if (!(perplexity > 1.0) || !(perplexity < n - 1))
        return dsml_fail(DSML_ERR_ARG, "t-SNE: perplexity %g for %d points, expected 1 < perplexity < %d", perplexity,
                         n, n - 1);
    int rc = check_finite(x, n, d);
    if (rc) return rc;
    float *xc = malloc(sizeof *xc * (size_t)n * (size_t)d);
    float *gram = malloc(sizeof *gram * (size_t)n * (size_t)n);
    double *dist = malloc(sizeof *dist * (size_t)n * (size_t)n);
    if (!xc || !gram || !dist) rc = dsml_fail(DSML_ERR_NOMEM, "t-SNE: out of memory for %d points", n);
    else rc = affinities_into(x, n, d, perplexity, cond, entropy, not_calibrated, xc, gram, dist);
    free(xc);
    free(gram);
    free(dist);
    return rc;
}

/* w (N x N) = 1 / (1 + |y_i - y_j|^2), 0 on the diagonal; returns Z = sum w
 * (rows summed in parallel into rowsum, then added in order). */
static double student_kernel(const double *y, int n, int m, double *w, double *rowsum)
{
#pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++) {
        const double *yi = y + (long)i * m;
        double *wi = w + (long)i * n, s = 0;
        for (int j = 0; j < n; j++) {
            const double *yj = y + (long)j * m;
            double d2 = 0;
            for (int k = 0; k < m; k++) d2 += (yi[k] - yj[k]) * (yi[k] - yj[k]);
            double v = j == i ? 0.0 : 1.0 / (1.0 + d2);
            wi[j] = v;
            s += v;
        }
        rowsum[i] = s;
    }
    double z = 0;
    for (int i = 0; i < n; i++) z += rowsum[i];
    return z;
}

/* KL(P || Q) with q_ij = w_ij / z (floored at 1e-12). */
static double kl_divergence(const double *p, const double *w, double z, int n, double *rowsum)
{
#pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j < n; j++) {
            double pij = p[(long)i * n + j];
            if (pij <= 0) continue;
            double q = w[(long)i * n + j] / z;
            s += pij * log(pij / (q > Q_FLOOR ? q : Q_FLOOR));
        }
        rowsum[i] = s;
    }
    double kl = 0;
    for (int i = 0; i < n; i++) kl += rowsum[i];
    return kl;
}

static int check_params(int n, int d, const dsml_tsne_params *p)
{
    if (!p) return dsml_fail(DSML_ERR_ARG, "t-SNE: no parameters");
    if (n < 4) return dsml_fail(DSML_ERR_ARG, "t-SNE: %d points, expected at least 4", n);
    if (d < 1) return dsml_fail(DSML_ERR_ARG, "t-SNE: input size %d, expected at least 1", d);
    if (p->dims_out < 1 || p->dims_out > 3)
        return dsml_fail(DSML_ERR_ARG, "t-SNE: output size %d, expected 1..3", p->dims_out);
    if (!(p->perplexity > 1.0))
        return dsml_fail(DSML_ERR_ARG, "t-SNE: perplexity %g, expected a number above 1", p->perplexity);
    if (!(3.0 * p->perplexity <= n - 1))
        return dsml_fail(DSML_ERR_ARG,
                         "t-SNE: perplexity %g too large for %d points: expected at most (n - 1) / 3 = %g",
                         p->perplexity, n, (n - 1) / 3.0);
    if (p->iterations < 1 || p->exaggeration_iters < 0)
        return dsml_fail(DSML_ERR_ARG, "t-SNE: %d iterations (%d exaggerated), expected >= 1 (>= 0)", p->iterations,
                         p->exaggeration_iters);
    if (!(p->exaggeration >= 1.0) || !isfinite(p->exaggeration))
        return dsml_fail(DSML_ERR_ARG, "t-SNE: exaggeration %g, expected a finite number >= 1", p->exaggeration);
    if (!(p->learning_rate > 0) || !isfinite(p->learning_rate))
        return dsml_fail(DSML_ERR_ARG, "t-SNE: learning rate %g, expected a finite positive number",
                         p->learning_rate);
    return DSML_OK;
}

int dsml_tsne_run(const float *x, int n, int d, const dsml_tsne_params *p, float *y_out, dsml_tsne_info *info)
{
    int rc = check_params(n, d, p);
    if (!rc) rc = check_finite(x, n, d);
    if (rc) return rc;
    const int m = p->dims_out;
    const size_t nn = (size_t)n * (size_t)n, nm = (size_t)n * (size_t)m;
    double *pm = malloc(sizeof *pm * nn);       /* P, then reused: conditional -> joint */
    double *w = malloc(sizeof *w * nn);         /* distances during calibration, then the kernel */
    float *gram = malloc(sizeof *gram * nn);
    float *xc = malloc(sizeof *xc * (size_t)n * (size_t)d);
    double *block = malloc(sizeof *block * (4 * nm + (size_t)n));
    if (!pm || !w || !gram || !xc || !block) {
        rc = dsml_fail(DSML_ERR_NOMEM, "t-SNE: out of memory for %d points", n);
        goto done;
    }
    double *y = block, *dy = y + nm, *iy = dy + nm, *gains = iy + nm, *rowsum = gains + nm;

    int missed = 0;
    rc = affinities_into(x, n, d, p->perplexity, pm, NULL, &missed, xc, gram, w);
    if (rc) goto done;
    free(gram);
    gram = NULL;
    /* symmetrise: p_ij = (P(j|i) + P(i|j)) / 2N */
    for (int i = 0; i < n; i++)
        for (int j = i; j < n; j++) {
            double v = (pm[(long)i * n + j] + pm[(long)j * n + i]) / (2.0 * n);
            pm[(long)i * n + j] = v;
            pm[(long)j * n + i] = v;
        }

    dsml_rng rng;
    dsml_rng_seed(&rng, p->seed);
    for (size_t k = 0; k < nm; k++) {
        y[k] = 1e-4 * dsml_rng_normal(&rng);
        dy[k] = 0;
        iy[k] = 0;
        gains[k] = 1;
    }
    int trace_every = p->iterations / 50 > 1 ? p->iterations / 50 : 1, traced = 0;
    double kl_initial = 0;
    for (int it = 0; it < p->iterations; it++) {
        double z = student_kernel(y, n, m, w, rowsum);
        if (it == 0) kl_initial = kl_divergence(pm, w, z, n, rowsum);
        else if (it % trace_every == 0 && traced < DSML_TSNE_MAX_TRACE && info)
            info->kl_trace[traced++] = kl_divergence(pm, w, z, n, rowsum);
        double exaggeration = it < p->exaggeration_iters ? p->exaggeration : 1.0;
        double momentum = it < p->exaggeration_iters ? 0.5 : 0.8;
#pragma omp parallel for schedule(static)
        for (int i = 0; i < n; i++) {
            double g[3] = {0, 0, 0};
            const double *yi = y + (long)i * m;
            for (int j = 0; j < n; j++) {
                double wij = w[(long)i * n + j];
                double f = (exaggeration * pm[(long)i * n + j] - wij / z) * wij;
                for (int k = 0; k < m; k++) g[k] += f * (yi[k] - y[(long)j * m + k]);
            }
            for (int k = 0; k < m; k++) dy[(long)i * m + k] = 4.0 * g[k];
        }
        for (size_t k = 0; k < nm; k++) {
            /* the reference: gains grow when the step changes direction */
            gains[k] = ((dy[k] > 0) != (iy[k] > 0)) ? gains[k] + 0.2 : gains[k] * 0.8;
            if (gains[k] < MIN_GAIN) gains[k] = MIN_GAIN;
            iy[k] = momentum * iy[k] - p->learning_rate * gains[k] * dy[k];
            y[k] += iy[k];
        }
        for (int k = 0; k < m; k++) {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += y[(long)i * m + k];
            mean /= n;
            for (int i = 0; i < n; i++) y[(long)i * m + k] -= mean;
        }
    }
    double z = student_kernel(y, n, m, w, rowsum);
    double kl_final = kl_divergence(pm, w, z, n, rowsum);
    for (size_t k = 0; k < nm; k++) {
        if (!isfinite(y[k])) {
            rc = dsml_fail(DSML_ERR_NUMERIC, "t-SNE: the embedding diverged (non-finite coordinate %zu)", k);
            goto done;
        }
        y_out[k] = (float)y[k];
    }
    if (info) {
        info->kl_initial = kl_initial;
        info->kl_final = kl_final;
        info->trace_every = trace_every;
        info->trace_count = traced;
        info->rows_not_calibrated = missed;
    }
done:
    free(pm);
    free(w);
    free(gram);
    free(xc);
    free(block);
    return rc;
}
