/* Pairwise distances over a batch of embeddings, and their backward pass.
 *
 * Legend: N = rows in the batch (n), D = embedding size (d). h is N x D,
 * row-major; the distance matrix is N x N, row i is the anchor:
 *
 *   euclidean    dist[i][j] = sqrt(|h_i - h_j|^2 + DSML_DIST_SQRT_EPS)     (i != j)
 *   sqeuclidean  dist[i][j] = |h_i - h_j|^2
 *   snr          dist[i][j] = var(h_j - h_i) / (var(h_i) + DSML_DIST_VAR_EPS)
 *
 * with var the population variance (mean subtracted, divided by D), as in
 * eqs. 1, 2 and 6 of the paper. The SNR distance is NOT symmetric: the anchor
 * comes first. The diagonal is exactly 0 for every kind and carries no
 * gradient.
 *
 * Everything goes through one GEMM (dsml_gemm) on centred rows: for SNR,
 * c_i = h_i - mean(h_i) and
 *   dist[i][j] = (|c_i|^2 + |c_j|^2 - 2 c_i.c_j) / (|c_i|^2 + D * DSML_DIST_VAR_EPS);
 * for the Euclidean kinds the batch's column mean is subtracted first (the
 * distances are translation invariant, and smaller norms mean less
 * cancellation). Tiny negative values left by cancellation are clamped to 0,
 * and a pair whose squared distance is below 1% of |x_i|^2 + |x_j|^2 (where
 * cancellation costs precision) is recomputed directly in double, so
 * duplicates come out exactly 0.
 *
 * The backward pass turns dL/ddist (N x N) into dL/dh with one more GEMM, see
 * distance.c. */
#ifndef DSML_METRIC_DISTANCE_H
#define DSML_METRIC_DISTANCE_H

typedef enum { DSML_DIST_EUCLIDEAN, DSML_DIST_SQEUCLIDEAN, DSML_DIST_SNR } dsml_distance_kind;

/* Added under the square root of the Euclidean distance so that its gradient
 * stays finite when two embeddings coincide (sqrt(1e-12) = 1e-6). */
#define DSML_DIST_SQRT_EPS 1e-12f
/* Added to var(h_i) in the SNR denominator so that a constant anchor
 * (variance 0) gives a large finite distance instead of a division by 0. */
#define DSML_DIST_VAR_EPS 1e-12f

/* "euclidean", "sqeuclidean", "snr". Returns DSML_ERR_ARG (with a message) for
 * anything else and leaves *out alone. */
int dsml_distance_parse(const char *name, dsml_distance_kind *out);
/* The name dsml_distance_parse accepts; "unknown" for a bad value. */
const char *dsml_distance_name(dsml_distance_kind kind);

/* Scratch saved between forward and backward, sized once for up to max_n
 * rows of d values. Opaque. */
typedef struct dsml_distance_ws dsml_distance_ws;

/* Allocates *out (owned by the caller, released with dsml_distance_ws_free).
 * DSML_ERR_ARG for max_n < 1 or d < 1, DSML_ERR_NOMEM. */
int dsml_distance_ws_create(dsml_distance_ws **out, int max_n, int d);
void dsml_distance_ws_free(dsml_distance_ws *ws);

/* dist (N x N, caller's, overwritten) = pairwise distances of h (N x D,
 * borrowed). Saves the centred rows and norms in ws for the backward pass.
 * DSML_ERR_ARG when n > max_n or d differs from the workspace's. Allocates
 * nothing. Does not check h for NaN (the losses do). */
int dsml_distance_forward(dsml_distance_kind kind, float *dist, const float *h, int n, int d,
                          dsml_distance_ws *ws);

/* Accumulates dL/dh into dh (N x D, caller's: dh += ...) from ddist = dL/ddist
 * (N x N; the diagonal is ignored) and the dist written by the matching
 * forward call on the same ws. Allocates nothing; overwrites ws scratch. */
int dsml_distance_backward(dsml_distance_kind kind, float *dh, const float *ddist, const float *dist,
                           int n, int d, dsml_distance_ws *ws);

#endif
