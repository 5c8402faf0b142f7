/* Clustering evaluation: seeded k-means++ with Lloyd iterations, and the
 * scores of a clustering against class labels: NMI and the pairwise F1 of
 * Song et al. 2016 (definitions: docs/metrics.md).
 *
 * Dimensions: n points of d floats (row-major n x d), k clusters.
 * Memory: inputs are borrowed; outputs (assignment, centroids, info) are
 * caller-owned; scratch is allocated and freed inside each call. */
#ifndef DSML_EVAL_CLUSTER_H
#define DSML_EVAL_CLUSTER_H

#include <stdint.h>

typedef struct {
    int iterations;     /* centroid updates done */
    int converged;      /* 1 when an assignment step changed nothing */
    int reseeded;       /* empty clusters re-seeded over the run */
    double inertia;     /* sum of squared distances of the points to their centroid */
} dsml_kmeans_info;

/* k-means on x: k-means++ seeding drawn from dsml_rng seeded with `seed`, then
 * Lloyd iterations (point-centroid distances through dsml_gemm) until an
 * assignment step changes nothing or max_iter centroid updates were done.
 * Distance ties go to the lower centroid index. An empty cluster is re-seeded
 * with the point farthest from its centroid (lowest index on ties) among
 * clusters of two or more points; it stays empty when all those points sit on
 * their centroids (fewer distinct points than k). Writes assignment[n] in
 * 0..k-1 and, when not NULL, centroids[k x d] and info. The same inputs, seed
 * and BLIS build give the same result for any thread count. Needs
 * 1 <= k <= n, max_iter >= 0 and finite x. */
int dsml_kmeans_run(const float *x, int n, int d, int k, uint64_t seed, int max_iter, int *assignment,
                    float *centroids, dsml_kmeans_info *info);

/* dsml_kmeans_run without centroids and info. */
int dsml_kmeans(const float *x, int n, int d, int k, uint64_t seed, int max_iter, int *assignment);

/* NMI = 2 I(Y;C) / (H(Y) + H(C)) and pairwise F1 of a clustering (clusters)
 * against classes (labels); both arrays hold n ids >= 0 (any values; they
 * need not be dense). Either output may be NULL. */
int dsml_cluster_scores(const int *labels, const int *clusters, int n, double *nmi, double *pairwise_f1);

/* The two scores alone; NaN (with a message in dsml_last_error()) on bad input. */
double dsml_nmi(const int *labels, const int *clusters, int n);
double dsml_pairwise_f1(const int *labels, const int *clusters, int n);

#endif
