/* k-means++ / Lloyd clustering and the NMI and pairwise F1 of a clustering
 * (see cluster.h and docs/metrics.md). */
#include "eval/cluster.h"
#include "core/error.h"
#include "core/gemm.h"
#include "core/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define KMEANS_BLOCK_FLOATS (1 << 20) /* point x centroid scores per GEMM block (4 MiB) */

static double squared_distance(const float *a, const float *b, int d)
{
    double s = 0.0;
    for (int j = 0; j < d; j++) {
        double t = (double)a[j] - b[j];
        s += t * t;
    }
    return s;
}

/* k-means++: the first centre uniform, each next one drawn with probability
 * proportional to the squared distance to the nearest centre chosen so far. */
static void seed_centroids(const float *x, int n, int d, int k, dsml_rng *rng, float *centroids, double *mind,
                           unsigned char *chosen)
{
    memset(chosen, 0, (size_t)n);
    int c0 = (int)dsml_rng_below(rng, (uint64_t)n);
    chosen[c0] = 1;
    memcpy(centroids, x + (size_t)c0 * d, (size_t)d * sizeof *centroids);
    for (int i = 0; i < n; i++) mind[i] = squared_distance(x + (size_t)i * d, centroids, d);
    for (int c = 1; c < k; c++) {
        double total = 0.0;
        for (int i = 0; i < n; i++) total += mind[i];
        int pick = -1;
        if (total > 0.0) {
            double u = dsml_rng_uniform(rng) * total, cum = 0.0;
            for (int i = 0; i < n; i++) {
                if (mind[i] <= 0.0) continue;
                pick = i; /* the last positive one if rounding leaves u beyond the sum */
                cum += mind[i];
                if (cum > u) break;
            }
        }
        if (pick < 0) { /* every point sits on a centre: any point not chosen yet (k <= n) */
            do pick = (int)dsml_rng_below(rng, (uint64_t)n);
            while (chosen[pick]);
        }
        chosen[pick] = 1;
        float *centre = centroids + (size_t)c * d;
        memcpy(centre, x + (size_t)pick * d, (size_t)d * sizeof *centre);
        for (int i = 0; i < n; i++) {
            double dist = squared_distance(x + (size_t)i * d, centre, d);
            if (dist < mind[i]) mind[i] = dist;
        }
    }
}

/* Assigns every point to its nearest centroid (lowest index on ties), writes
 * its squared distance to dist[i]; returns how many assignments changed. */
static int assign_points(const float *x, int n, int d, int k, const float *centroids, const float *xnorm,
                         float *cnorm, float *scores, int block, int *assignment, double *dist)
{
    for (int c = 0; c < k; c++) {
        const float *centre = centroids + (size_t)c * d;
        double s = 0.0;
        for (int j = 0; j < d; j++) s += (double)centre[j] * centre[j];
        cnorm[c] = (float)s;
    }
    int changed = 0;
    for (int p0 = 0; p0 < n; p0 += block) {
        int m = n - p0 < block ? n - p0 : block;
        /* scores[m x k] = -2 X[p0:p0+m] C^T: X block stored m x d, C stored k x d (transposed). */
        dsml_gemm(DSML_NO_TRANS, DSML_TRANS, m, k, d, -2.0f, x + (size_t)p0 * d, d, centroids, d, 0.0f, scores, k);
#pragma omp parallel for num_threads(dsml_get_threads()) schedule(static) reduction(+ : changed)
        for (int i = 0; i < m; i++) {
            const float *row = scores + (size_t)i * k;
            int best = 0;
            float best_v = cnorm[0] + row[0];
            for (int c = 1; c < k; c++) {
                float v = cnorm[c] + row[c];
                if (v < best_v) { best_v = v; best = c; }
            }
            float dd = xnorm[p0 + i] + best_v;
            dist[p0 + i] = dd > 0.0f ? dd : 0.0;
            if (assignment[p0 + i] != best) { assignment[p0 + i] = best; changed++; }
        }
    }
    return changed;
}

/* Centroids = means of their points; empty clusters take the point farthest
 * from its centroid among clusters with two or more points. Returns the
 * number of clusters re-seeded. */
static int update_centroids(const float *x, int n, int d, int k, int *assignment, double *dist, float *centroids,
                            double *sums, int *counts)
{
    memset(sums, 0, (size_t)k * d * sizeof *sums);
    memset(counts, 0, (size_t)k * sizeof *counts);
    for (int i = 0; i < n; i++) {
        int c = assignment[i];
        const float *p = x + (size_t)i * d;
        double *s = sums + (size_t)c * d;
        for (int j = 0; j < d; j++) s[j] += p[j];
        counts[c]++;
    }
    int reseeded = 0;
    for (int c = 0; c < k; c++) {
        if (counts[c] > 0) continue;
        int far = -1;
        for (int i = 0; i < n; i++)
            if (counts[assignment[i]] > 1 && (far < 0 || dist[i] > dist[far])) far = i;
        if (far < 0 || dist[far] <= 0.0) continue; /* every point sits on its centroid: stays empty */
        int old = assignment[far];
        const float *p = x + (size_t)far * d;
        double *s_old = sums + (size_t)old * d, *s_new = sums + (size_t)c * d;
        for (int j = 0; j < d; j++) { s_old[j] -= p[j]; s_new[j] = p[j]; }
        counts[old]--;
        counts[c] = 1;
        assignment[far] = c;
        dist[far] = 0.0;
        reseeded++;
    }
    for (int c = 0; c < k; c++) {
        if (counts[c] == 0) continue;
        for (int j = 0; j < d; j++)
            centroids[(size_t)c * d + j] = (float)(sums[(size_t)c * d + j] / counts[c]);
    }
    return reseeded;
}

int dsml_kmeans_run(const float *x, int n, int d, int k, uint64_t seed, int max_iter, int *assignment,
                    float *centroids, dsml_kmeans_info *info)
{
    const char *fn = "dsml_kmeans";
    if (!x || !assignment) return dsml_fail(DSML_ERR_ARG, "%s: points or assignment is NULL", fn);
    if (n < 1) return dsml_fail(DSML_ERR_ARG, "%s: %d points, expected at least 1", fn, n);
    if (d < 1) return dsml_fail(DSML_ERR_ARG, "%s: dimension %d, expected at least 1", fn, d);
    if (k < 1 || k > n) return dsml_fail(DSML_ERR_ARG, "%s: k = %d, expected 1..%d (the number of points)", fn, k, n);
    if (max_iter < 0) return dsml_fail(DSML_ERR_ARG, "%s: max_iter %d, expected >= 0", fn, max_iter);
    for (size_t i = 0; i < (size_t)n * d; i++)
        if (!isfinite(x[i]))
            return dsml_fail(DSML_ERR_NUMERIC, "%s: point %zu, column %zu: %g, expected a finite number", fn,
                             i / (size_t)d, i % (size_t)d, (double)x[i]);

    int block = KMEANS_BLOCK_FLOATS / k;
    if (block < 1) block = 1;
    if (block > n) block = n;
    float *own_centroids = centroids ? NULL : malloc((size_t)k * d * sizeof *own_centroids);
    float *cent = centroids ? centroids : own_centroids;
    float *xnorm = malloc((size_t)n * sizeof *xnorm);
    float *cnorm = malloc((size_t)k * sizeof *cnorm);
    float *scores = malloc((size_t)block * k * sizeof *scores);
    double *dist = malloc((size_t)n * sizeof *dist);
    double *sums = malloc((size_t)k * d * sizeof *sums);
    int *counts = malloc((size_t)k * sizeof *counts);
    unsigned char *chosen = malloc((size_t)n);
    int rc = DSML_OK;
    if (!cent || !xnorm || !cnorm || !scores || !dist || !sums || !counts || !chosen) {
        rc = dsml_fail(DSML_ERR_NOMEM, "%s: out of memory for %d points x %d clusters", fn, n, k);
        goto done;
    }
    for (int i = 0; i < n; i++) {
        double s = 0.0;
        for (int j = 0; j < d; j++) s += (double)x[(size_t)i * d + j] * x[(size_t)i * d + j];
        xnorm[i] = (float)s;
    }
    dsml_rng rng;
    dsml_rng_seed(&rng, seed);
    seed_centroids(x, n, d, k, &rng, cent, dist, chosen);

    dsml_kmeans_info result = {0, 0, 0, 0.0};
    for (int i = 0; i < n; i++) assignment[i] = -1;
    for (int iter = 0;; iter++) {
        int changed = assign_points(x, n, d, k, cent, xnorm, cnorm, scores, block, assignment, dist);
        if (changed == 0) { result.converged = 1; break; }
        if (iter == max_iter) break;
        result.reseeded += update_centroids(x, n, d, k, assignment, dist, cent, sums, counts);
        result.iterations++;
    }
    for (int i = 0; i < n; i++) result.inertia += dist[i];
    if (info) *info = result;

done:
    free(own_centroids);
    free(xnorm);
    free(cnorm);
    free(scores);
    free(dist);
    free(sums);
    free(counts);
    free(chosen);
    return rc;
}

int dsml_kmeans(const float *x, int n, int d, int k, uint64_t seed, int max_iter, int *assignment)
{
    return dsml_kmeans_run(x, n, d, k, seed, max_iter, assignment, NULL, NULL);
}

/* ------------------------------------------------------------ NMI and F1 */

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Entropy (nats) and number of same-group pairs of the group sizes found as
 * runs of equal values in sorted keys[0..n-1] (after shifting by `shift`). */
static void run_statistics(const uint64_t *keys, int n, int shift, double *entropy, double *pairs)
{
    double h = 0.0, p = 0.0;
    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n && keys[j] >> shift == keys[i] >> shift) j++;
        double c = (double)(j - i);
        h -= c / n * log(c / n);
        p += c * (c - 1.0) / 2.0;
        i = j;
    }
    *entropy = h;
    *pairs = p;
}

int dsml_cluster_scores(const int *labels, const int *clusters, int n, double *nmi, double *pairwise_f1)
{
    const char *fn = "dsml_cluster_scores";
    if (!labels || !clusters) return dsml_fail(DSML_ERR_ARG, "%s: labels or clusters is NULL", fn);
    if (n < 1) return dsml_fail(DSML_ERR_ARG, "%s: %d points, expected at least 1", fn, n);
    for (int i = 0; i < n; i++) {
        if (labels[i] < 0) return dsml_fail(DSML_ERR_ARG, "%s: point %d: label %d, expected >= 0", fn, i, labels[i]);
        if (clusters[i] < 0)
            return dsml_fail(DSML_ERR_ARG, "%s: point %d: cluster %d, expected >= 0", fn, i, clusters[i]);
    }
    uint64_t *joint = malloc((size_t)n * sizeof *joint);
    uint64_t *by_cluster = malloc((size_t)n * sizeof *by_cluster);
    if (!joint || !by_cluster) {
        free(joint);
        free(by_cluster);
        return dsml_fail(DSML_ERR_NOMEM, "%s: out of memory for %d points", fn, n);
    }
    /* Contingency table as runs of sorted (label, cluster) keys; class sizes
     * are runs of the label half, cluster sizes runs of sorted cluster ids. */
    for (int i = 0; i < n; i++) {
        joint[i] = (uint64_t)(uint32_t)labels[i] << 32 | (uint32_t)clusters[i];
        by_cluster[i] = (uint32_t)clusters[i];
    }
    qsort(joint, (size_t)n, sizeof *joint, compare_u64);
    qsort(by_cluster, (size_t)n, sizeof *by_cluster, compare_u64);
    double h_y, h_c, h_yc, pairs_y, pairs_c, pairs_yc;
    run_statistics(joint, n, 32, &h_y, &pairs_y);
    run_statistics(by_cluster, n, 0, &h_c, &pairs_c);
    run_statistics(joint, n, 0, &h_yc, &pairs_yc);
    free(joint);
    free(by_cluster);

    if (nmi) {
        /* I(Y;C) = H(Y) + H(C) - H(Y,C); both partitions trivial: identical, NMI 1. */
        double mutual = h_y + h_c - h_yc;
        if (mutual < 0.0) mutual = 0.0;
        *nmi = h_y + h_c > 0.0 ? 2.0 * mutual / (h_y + h_c) : 1.0;
        if (*nmi > 1.0) *nmi = 1.0;
    }
    if (pairwise_f1) {
        /* precision = same-class pairs among same-cluster pairs; recall = the reverse. */
        if (pairs_y == 0.0 && pairs_c == 0.0) {
            *pairwise_f1 = 1.0; /* all singletons on both sides: the partitions agree */
        } else {
            double precision = pairs_c > 0.0 ? pairs_yc / pairs_c : 0.0;
            double recall = pairs_y > 0.0 ? pairs_yc / pairs_y : 0.0;
            *pairwise_f1 = precision + recall > 0.0 ? 2.0 * precision * recall / (precision + recall) : 0.0;
        }
    }
    return DSML_OK;
}

double dsml_nmi(const int *labels, const int *clusters, int n)
{
    double v;
    return dsml_cluster_scores(labels, clusters, n, &v, NULL) ? NAN : v;
}

double dsml_pairwise_f1(const int *labels, const int *clusters, int n)
{
    double v;
    return dsml_cluster_scores(labels, clusters, n, NULL, &v) ? NAN : v;
}
