/* Helpers of the losses that work on pairs of rows rather than on a distance
 * of distance.h: which rows are similar (single- or multi-label), the
 * numerically safe softplus and sigmoid, the inner products Theta = 1/2 H H^T
 * with their backward, and the quantisation penalty of the hashing losses.
 * Used by contrastive (similarity), gpw (softplus, sigmoid), dpsh and dtsh.
 *
 * Legend: N = rows (n), D = values per row (d). */
#ifndef DSML_METRIC_PAIRS_H
#define DSML_METRIC_PAIRS_H

#include <stdint.h>

/* similar[i * n + j] = 1 when rows i and j share a label: labels[i] ==
 * labels[j], or, when labels is NULL, the `words`-word bitsets of sets have a
 * common bit. similar: N x N, caller's. */
void dsml_pairs_similarity(unsigned char *similar, const int *labels, const uint64_t *sets, int words, int n);

/* log(1 + e^x) and 1 / (1 + e^-x), without overflow for any x. */
double dsml_pairs_softplus(double x);
double dsml_pairs_sigmoid(double x);

/* theta (N x N, caller's) = 1/2 H H^T through one GEMM. */
void dsml_pairs_inner_products(const float *h, int n, int d, float *theta);
/* dh += dL/dH for w = dL/dTheta (N x N, symmetrised in place). */
void dsml_pairs_inner_backward(float *w, const float *h, int n, int d, float *dh);

/* weight * 1/(N D) sum (h - sign(h))^2 with sign(0) = +1 (the Hamming code's
 * bit for h >= 0); adds its gradient into dh and returns its value. */
double dsml_pairs_quantisation(float weight, const float *h, int n, int d, float *dh);

#endif
