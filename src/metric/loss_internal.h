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
    float *dist;   /* N x N distances (or the Gram matrix for the inner-product N-pair) */
    float *w;      /* N x N dL/ddist */
    double *row_a; /* N: per-row scratch (lifted: max; npair: one row of S) */
    double *row_b; /* N: per-row scratch (lifted: scaled sum; npair: one row of dL/dS) */
    double *row_c; /* N: per-row scratch (lifted: gradient weight of the row's negatives) */
    int *idx_a;    /* N: lifted: argmax negative per row; npair: anchors */
    int *idx_b;    /* N: npair: positives; triplet: negatives of the anchor */
};

/* Each distance-based loss reads dist (N x N, row = anchor) and labels,
 * overwrites w with dL/ddist and returns the loss (without L_r). Parameters
 * were checked by the dispatcher; nothing here can fail. */
double dsml_loss_contrastive(const dsml_loss_params *p, const float *dist, const int *labels, int n, float *w);
double dsml_loss_triplet(const dsml_loss_params *p, const float *dist, const int *labels, int n, float *w,
                         dsml_loss_ws *ws);
double dsml_loss_lifted(const dsml_loss_params *p, const float *dist, const int *labels, int n, float *w,
                        dsml_loss_ws *ws);

/* N-pair: finds the pairs from the labels (DSML_ERR_ARG when a class does not
 * appear exactly twice), adds dL/dh into dh (zeroed by the caller) and writes
 * the loss (without L_r). */
int dsml_loss_npair(const dsml_loss_params *p, const float *h, const int *labels, int n, int d, float *dh,
                    dsml_loss_ws *ws, double *loss);

/* L_r of eq. 7: lambda * (1/N) sum_i |sum_m h_im|. Adds its subgradient
 * lambda/N * sign(sum_m h_im) into dh and returns its value. */
double dsml_loss_regulariser(float lambda, const float *h, int n, int d, float *dh);

#endif
