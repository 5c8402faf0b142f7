/* Exact t-SNE (van der Maaten and Hinton 2008): n points of d floats mapped to
 * a few dimensions (2 for plots) so that neighbours stay neighbours.
 *
 * Legend: N = points (n), D = input size (d), M = output size (dims_out).
 *
 *   1. Squared Euclidean distances of the inputs through one dsml_gemm.
 *   2. Per row i, a binary search on beta_i = 1 / (2 sigma_i^2) until the
 *      entropy of P(j|i) = exp(-beta_i d_ij) / sum_k exp(-beta_i d_ik) is
 *      log(perplexity) (natural log) within 1e-6.
 *   3. p_ij = (P(j|i) + P(i|j)) / (2N).
 *   4. Gradient descent on KL(P || Q), q_ij proportional to 1 / (1 + |y_i - y_j|^2)
 *      (Student t, one degree of freedom): gradient
 *      4 sum_j (p_ij - q_ij) (y_i - y_j) / (1 + |y_i - y_j|^2); P multiplied by
 *      `exaggeration` for the first `exaggeration_iters` iterations, momentum
 *      0.5 during them and 0.8 after, per-coordinate gains as in the reference
 *      implementation (+0.2 when the gradient's sign differs from the last
 *      step's, x0.8 when it agrees, floor 0.01), the mean of Y removed after
 *      each step. Y starts as N(0, 1e-4^2) draws from dsml_rng seeded with
 *      `seed`.
 *
 * The cost is O(N^2) time and memory (two N x N double matrices: 32 MB each at
 * N = 2000). The output depends only on the inputs, the parameters and the
 * BLIS build, not on the thread count: every sum over all points is taken in
 * a fixed order. */
#ifndef DSML_EVAL_TSNE_H
#define DSML_EVAL_TSNE_H

#include <stdint.h>

#define DSML_TSNE_MAX_TRACE 64

typedef struct {
    int dims_out;            /* M, 1..3 (2) */
    double perplexity;       /* > 1 and at most (N - 1) / 3 (30) */
    int iterations;          /* >= 1 (1000) */
    int exaggeration_iters;  /* iterations with P exaggerated and momentum 0.5 (250) */
    double exaggeration;     /* >= 1 (12) */
    double learning_rate;    /* > 0 (200) */
    uint64_t seed;           /* initialisation of Y (1) */
} dsml_tsne_params;

typedef struct {
    double kl_initial;       /* KL(P || Q) at the initial Y (true P, not exaggerated) */
    double kl_final;         /* after the last iteration */
    /* KL after iterations trace_every, 2 trace_every, ... (at most DSML_TSNE_MAX_TRACE). */
    int trace_every;
    int trace_count;
    double kl_trace[DSML_TSNE_MAX_TRACE];
    int rows_not_calibrated; /* rows whose entropy missed the target by > 1e-4 (duplicates) */
} dsml_tsne_info;

/* The defaults above. */
void dsml_tsne_defaults(dsml_tsne_params *p);

/* Conditional affinities: row i of cond (N x N, caller's) holds P(j|i), with
 * P(i|i) = 0, each row summing to 1; entropy (N, caller's, may be NULL) gets
 * H(P_i) in nats. Needs N >= 2, 1 < perplexity < N - 1, finite x (N x D,
 * borrowed). Allocates its scratch inside the call. *not_calibrated (may be
 * NULL) counts rows whose entropy missed log(perplexity) by more than 1e-4. */
int dsml_tsne_affinities(const float *x, int n, int d, double perplexity, double *cond, double *entropy,
                         int *not_calibrated);

/* Embeds x (N x D, borrowed) into y (N x M, caller's, overwritten). info may
 * be NULL. Errors (DSML_ERR_ARG, DSML_ERR_NUMERIC, DSML_ERR_NOMEM) say what was
 * expected: N >= 4, perplexity within (1, (N - 1) / 3], finite inputs. Scratch
 * is allocated once at the start and freed before returning; the iterations
 * allocate nothing. */
int dsml_tsne_run(const float *x, int n, int d, const dsml_tsne_params *p, float *y, dsml_tsne_info *info);

#endif
