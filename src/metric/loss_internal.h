/* Shared between the loss dispatcher (loss.c), the registry (registry.c) and
 * the one file per loss: the workspace layout, the batch a compute function
 * sees, each loss's registry entry, the density plug-in and the parameter
 * checks the losses share. Not part of the public API. */
#ifndef DSML_METRIC_LOSS_INTERNAL_H
#define DSML_METRIC_LOSS_INTERNAL_H

#include <stddef.h>

#include "metric/loss.h"

struct dsml_loss_ws {
    int max_n, d;
    dsml_distance_ws *dist_ws;
    float *dist;   /* N x N distances (or the Gram matrix for the inner-product N-pair, the
                      cosine similarities for gpw, Theta for the hashing losses) */
    float *w;      /* N x N dL/ddist */
    double *row_a; /* N: per-row scratch (lifted: max; npair: one row of S) */
    double *row_b; /* N: per-row scratch (lifted: scaled sum; npair: one row of dL/dS) */
    double *row_c; /* N: per-row scratch (lifted: gradient weight of the row's negatives;
                      density: per-class spread, distance to the others, use flag in a, b, c) */
    int *idx_a;    /* N: lifted: argmax negative per row; npair: anchors */
    int *idx_b;    /* N: npair: positives; triplet, dtsh: negatives of the anchor */
    float *hn;     /* N x D: vmf, gpw: L2-normalised embeddings */
    float *dhn;    /* N x D: vmf, gpw: dL/d(normalised embeddings) */
    double *norm;  /* N: vmf, gpw: the norms the rows were divided by */
    unsigned char *mask; /* N x N: gpw: 1 = pair kept by the mining stage */
    unsigned char *similar; /* N x N: losses with label_sets: 1 = the two rows share a label */
};

/* The batch as a compute function sees it. Parameters were checked by the
 * dispatcher, and h and the distances are finite. */
struct dsml_loss_batch {
    int n, d;
    const int *labels;            /* N class ids; NULL for a multi-label batch */
    const unsigned char *similar; /* N x N, 1 = rows i and j share a label: set for
                                     entries with label_sets only (else NULL) */
};
typedef struct dsml_loss_batch dsml_loss_batch;

/* The entries, one per loss file, listed by the registry (registry.c). */
extern const dsml_loss_entry dsml_loss_contrastive_entry; /* contrastive.c */
extern const dsml_loss_entry dsml_loss_triplet_entry;     /* triplet.c */
extern const dsml_loss_entry dsml_loss_lifted_entry;      /* lifted.c */
extern const dsml_loss_entry dsml_loss_npair_entry;       /* npair.c */
extern const dsml_loss_entry dsml_loss_vmf_entry;         /* vmf.c */
extern const dsml_loss_entry dsml_loss_gpw_entry;         /* gpw.c */
extern const dsml_loss_entry dsml_loss_dpsh_entry;        /* dpsh.c */
extern const dsml_loss_entry dsml_loss_dtsh_entry;        /* dtsh.c */

/* The density regulariser (density.c), weight p->density.weight, on the
 * distance p->distance: recomputes the distance matrix into ws->dist, adds
 * its gradient into dh and writes its value. Needs labels. */
int dsml_density_compute(const dsml_loss_params *p, const float *h, const int *labels, int n, int d, float *dh,
                         dsml_loss_ws *ws, double *value);
/* Its parameter check (weight >= 0, ratio > 0 when on), made by the
 * dispatcher for the entries it plugs into; `loss` names the loss in the
 * message. */
int dsml_density_check(const char *loss, const dsml_density_params *density);
/* Its `dsml train` options ("density", "density-ratio"), NULL-terminated. */
extern const char *const dsml_density_options[];

/* L_r of eq. 7 (regulariser.c): lambda * (1/N) sum_i |sum_m h_im|. Adds its
 * subgradient lambda/N * sign(sum_m h_im) into dh and returns its value. */
double dsml_loss_regulariser(float lambda, const float *h, int n, int d, float *dh);

/* Shared parameter checks (params.c): DSML_ERR_ARG with "<loss>: <what>
 * <value>, expected a finite value >= 0" (nonnegative) or "> 0" (positive). */
int dsml_loss_check_nonnegative(const char *loss, const char *what, float value);
int dsml_loss_check_positive(const char *loss, const char *what, float value);

/* The check of a loss that is not one of the paper's four (vmf, gpw, dpsh,
 * dtsh): DSML_ERR_ARG unless p->equations is COMMON, with "<loss>:
 * --equations paper applies to the paper's losses: contrastive, triplet,
 * lifted, npair". */
int dsml_loss_check_common_equations(const char *loss, const dsml_loss_params *p);

/* The hashing losses (dpsh.c, dtsh.c): no L_r, the quantisation weight of
 * docs/losses.md (0.1) and the given margin; the check of the weight (and of
 * the equations, COMMON only). */
void dsml_loss_hashing_defaults(dsml_loss_params *p, float margin);
int dsml_loss_hashing_check(const char *loss, const dsml_loss_params *p);

#endif
