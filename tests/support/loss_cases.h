/* Fixtures shared by the tests of src/metric (check_distance, check_loss,
 * check_pair_losses, check_related, check_hashing): random batches, naive
 * distances, one loss evaluation that must succeed, a loss on a batch as a
 * finite-difference objective with the gradient check over it, and vMF means
 * from explicit rows.
 *
 * Legend: N = rows (n), D = values per row (d). */
#ifndef DSML_TESTS_LOSS_CASES_H
#define DSML_TESTS_LOSS_CASES_H

#include <stdint.h>

#include "metric/distance.h"
#include "metric/loss.h"
#include "metric/vmf.h"

/* The labels of the batches the gradient and reference tests share: 12 rows
 * in 4 classes of 3 (row i of class (5 i) mod 4), and, for N-pair, 8 rows
 * in 4 pairs (anchor, then positive). */
extern const int loss_cases_classes[12];
extern const int loss_cases_pairs[8];

/* h (N x D) = scale * N(0, 1), drawn from the RNG seeded with `seed`. */
void loss_cases_normal(uint64_t seed, float *h, int n, int d, double scale);
/* Each row N(0, 1) plus a shift of its own, offset * N(0, 1) drawn first:
 * a per-row mean, so that centring matters. */
void loss_cases_shifted(uint64_t seed, float *h, int n, int d, float offset);

/* dist(anchor hi, compared hj) straight from eqs. 1-3, in double, O(D)
 * (D <= 256); the Euclidean one without DSML_DIST_SQRT_EPS. */
double loss_cases_naive_distance(dsml_distance_kind kind, const float *hi, const float *hj, int d);

/* The loss of a batch under p with a workspace of its own, failing the test
 * (with the library's message) when the loss fails. dh: N x D, or NULL. */
double loss_cases_value(const dsml_loss_params *p, const float *h, const int *labels, int n, int d, float *dh);

/* A loss on one batch, for the gradient checker: labels, or (labels NULL)
 * one-word label sets. Everything borrowed. */
typedef struct {
    dsml_loss_params p;
    float *h, *dh;
    const int *labels;
    const uint64_t *sets;
    int n, d;
    dsml_loss_ws *ws;
} loss_case;

/* The loss of *c (a loss_case), dL/dh into c->dh; fails the test (with the
 * library's message) when the loss fails. */
double loss_case_objective(void *c);

/* Fails the test unless the loss is finite and > 0 and its gradient agrees
 * with central differences (step 1e-3, tolerance 1e-2) on every coordinate
 * checked, with at least min_percent of them checked (the others are kinks). */
void loss_case_assert_gradient(loss_case *c, const char *what, int min_percent);

/* Class mean directions set from explicit rows (row c = class c, normalised
 * by the estimate); for batches of up to max_n. Freed with
 * dsml_vmf_means_free. */
dsml_vmf_means *loss_cases_means(const float *rows, int classes, int d, int max_n);

#endif
