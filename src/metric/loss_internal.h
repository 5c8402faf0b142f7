/* Shared between the loss dispatcher (loss.c) and the one file per loss:
 * the workspace layout and each loss's entry point. Not part of the public
 * API. */
#ifndef DSML_METRIC_LOSS_INTERNAL_H
#define DSML_METRIC_LOSS_INTERNAL_H

#include <stddef.h>

#include "metric/loss.h"

struct dsml_loss_ws {
    int max_n, d;
    dsml_distance_ws *dist_ws;
    float *dist;   /* N x N distances (or the Gram matrix for the inner-product N-pair, the
                      cosine similarities for gpw) */
    float *w;      /* N x N dL/ddist */
    double *row_a; /* N: per-row scratch (lifted: max; npair: one row of S) */
    double *row_b; /* N: per-row scratch (lifted: scaled sum; npair: one row of dL/dS) */
    double *row_c; /* N: per-row scratch (lifted: gradient weight of the row's negatives;
                      density: per-class spread, distance to the others, use flag in a, b, c) */
    int *idx_a;    /* N: lifted: argmax negative per row; npair: anchors */
    int *idx_b;    /* N: npair: positives; triplet: negatives of the anchor */
    float *hn;     /* N x D: vmf, gpw: L2-normalised embeddings */
    float *dhn;    /* N x D: vmf, gpw: dL/d(normalised embeddings) */
    double *norm;  /* N: vmf, gpw: the norms the rows were divided by */
    unsigned char *mask; /* N x N: gpw: 1 = pair kept by the mining stage */
    unsigned char *similar; /* N x N: dpsh, dtsh: 1 = the two rows share a label */
};

/* Each distance-based loss reads dist (N x N, row = anchor) and labels,
 * overwrites w with dL/ddist and returns the loss (without L_r). Parameters
 * were checked by the dispatcher; nothing here can fail. */
double dsml_loss_contrastive(const dsml_loss_params *p, const float *dist, const unsigned char *similar, int n,
                             float *w);
double dsml_loss_triplet(const dsml_loss_params *p, const float *dist, const int *labels, int n, float *w,
                         dsml_loss_ws *ws);
double dsml_loss_lifted(const dsml_loss_params *p, const float *dist, const int *labels, int n, float *w,
                        dsml_loss_ws *ws);

/* N-pair: finds the pairs from the labels (DSML_ERR_ARG when a class does not
 * appear exactly twice), adds dL/dh into dh (zeroed by the caller) and writes
 * the loss (without L_r). */
int dsml_loss_npair(const dsml_loss_params *p, const float *h, const int *labels, int n, int d, float *dh,
                    dsml_loss_ws *ws, double *loss);

/* vMF loss (vmf.c) over p->vmf_means: writes dL/dh into dh (zeroed by the
 * caller) and the loss. DSML_ERR_STATE when the means are not set,
 * DSML_ERR_ARG for a label outside them or a size mismatch. */
int dsml_loss_vmf(const dsml_loss_params *p, const float *h, const int *labels, int n, int d, float *dh,
                  dsml_loss_ws *ws, double *loss);

/* GPW loss (gpw.c): mining, then weighting, on the cosine similarities of
 * the L2-normalised rows of h. Adds dL/dh into dh (zeroed by the caller) and
 * returns the loss. Cannot fail. */
double dsml_loss_gpw(const dsml_loss_params *p, const float *h, const int *labels, int n, int d, float *dh,
                     dsml_loss_ws *ws);

/* The density regulariser (density.c), weight p->density, on the distance
 * p->distance: recomputes the distance matrix into ws->dist, adds its
 * gradient into dh and writes its value. */
int dsml_loss_density(const dsml_loss_params *p, const float *h, const int *labels, int n, int d, float *dh,
                      dsml_loss_ws *ws, double *value);

/* Parameter checks of the vmf, gpw and density fields (gpw.c), called by
 * the dispatcher's check. */
int dsml_loss_related_check(const dsml_loss_params *p);

/* Hashing losses (dpsh.c, dtsh.c) on Theta = 1/2 H H^T (computed into
 * ws->dist; ws->w receives dL/dTheta). similar: N x N, 1 when rows i and j
 * share a label. Add dL/dh into dh (zeroed by the caller) and return the loss,
 * quantisation penalty included. Parameters were checked; cannot fail. */
double dsml_loss_dpsh(const dsml_loss_params *p, const float *h, const unsigned char *similar, int n, int d,
                      float *dh, dsml_loss_ws *ws);
double dsml_loss_dtsh(const dsml_loss_params *p, const float *h, const unsigned char *similar, int n, int d,
                      float *dh, dsml_loss_ws *ws);

/* Shared by the hashing losses (dpsh.c). similar[i * n + j] = 1 when rows i
 * and j share a label: labels[i] == labels[j], or, when labels is NULL, the
 * `words`-word bitsets of sets have a common bit. */
void dsml_loss_similarity(unsigned char *similar, const int *labels, const uint64_t *sets, int words, int n);
/* log(1 + e^x) and 1 / (1 + e^-x), without overflow for any x. */
double dsml_loss_softplus(double x);
double dsml_loss_sigmoid(double x);
/* theta (N x N) = 1/2 H H^T through one GEMM. */
void dsml_loss_inner_products(const float *h, int n, int d, float *theta);
/* dh += dL/dH for w = dL/dTheta (N x N, symmetrised in place). */
void dsml_loss_inner_backward(float *w, const float *h, int n, int d, float *dh);
/* weight * 1/(N D) sum (h - sign(h))^2 with sign(0) = +1 (the Hamming code's
 * bit for h >= 0); adds its gradient into dh and returns its value. */
double dsml_loss_quantisation(float weight, const float *h, int n, int d, float *dh);

/* L_r of eq. 7: lambda * (1/N) sum_i |sum_m h_im|. Adds its subgradient
 * lambda/N * sign(sum_m h_im) into dh and returns its value. */
double dsml_loss_regulariser(float lambda, const float *h, int n, int d, float *dh);

#endif
