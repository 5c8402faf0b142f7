/* L2 normalisation of embedding rows, forward and backward, for the losses
 * on the unit hypersphere (vmf.c, gpw.c) and for evaluating their runs by
 * cosine similarity.
 *
 * Legend: N = rows (n), D = values per row (d). A row is divided by
 * max(|h_i|, DSML_L2NORM_MIN): a (near) zero row stays finite. */
#ifndef DSML_METRIC_L2NORM_H
#define DSML_METRIC_L2NORM_H

#define DSML_L2NORM_MIN 1e-6

/* hn (N x D, caller's) = h_i / max(|h_i|, DSML_L2NORM_MIN); norm (N, caller's)
 * receives the divisors. */
void dsml_l2norm_forward(const float *h, int n, int d, float *hn, double *norm);

/* dh (N x D) += the gradient with respect to h of a function whose gradient
 * with respect to hn is dhn: (g - hn (hn . g)) / norm_i, or g / norm_i for a
 * row whose norm was clamped. */
void dsml_l2norm_backward(const float *hn, const double *norm, const float *dhn, int n, int d, float *dh);

/* Normalises the rows of x (n x d) in place. */
void dsml_l2norm_rows(float *x, long n, int d);

#endif
