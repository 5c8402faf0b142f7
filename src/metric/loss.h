/* Metric-learning losses of the paper (eqs. 7-12) over one batch, with their
 * analytic gradients: contrastive, triplet, lifted structured and N-pair, each
 * with any distance of distance.h, plus the zero-mean regulariser L_r.
 *
 * Legend: N = rows in the batch (n), D = embedding size (d). Every formula,
 * normalisation, default and epsilon is written out in docs/losses.md. */
#ifndef DSML_METRIC_LOSS_H
#define DSML_METRIC_LOSS_H

#include "metric/distance.h"

typedef enum { DSML_LOSS_CONTRASTIVE, DSML_LOSS_TRIPLET, DSML_LOSS_LIFTED, DSML_LOSS_NPAIR } dsml_loss_kind;

typedef struct {
    dsml_loss_kind loss;
    dsml_distance_kind distance;
    float margin;    /* alpha (contrastive, triplet, lifted; unused by npair) */
    float beta;      /* lifted only: scale of the distances, > 0 */
    float lambda;    /* weight of the zero-mean regulariser L_r (eq. 7), >= 0 */
    int lifted_hard; /* 1 = hard max as eq. 10 is written, 0 = log-sum-exp (Song et al.) */
    float npair_l2;  /* npair only: weight of the L2 embedding penalty of Sohn's N-pair loss, >= 0 */
} dsml_loss_params;

/* Below this the SNR distance is clamped before the N-pair similarity
 * S = 1/d^2 is taken, so S <= 1e4 (an SNR of 100, 20 dB). */
#define DSML_NPAIR_MIN_SNR_DIST 1e-2f

/* "contrastive", "triplet", "lifted", "npair". DSML_ERR_ARG for anything else,
 * leaving *out alone. */
int dsml_loss_parse(const char *name, dsml_loss_kind *out);
/* The name dsml_loss_parse accepts; "unknown" for a bad value. */
const char *dsml_loss_name(dsml_loss_kind kind);

/* Documented defaults per loss and distance (margins differ in scale between
 * Euclidean and SNR); see docs/losses.md. */
dsml_loss_params dsml_loss_defaults(dsml_loss_kind loss, dsml_distance_kind distance);

/* Opaque scratch for one batch, allocated once: the distance matrix, its
 * gradient and the distance workspace. */
typedef struct dsml_loss_ws dsml_loss_ws;

/* Allocates *out for batches of up to max_n rows of d values; the caller
 * releases it with dsml_loss_ws_free. DSML_ERR_ARG, DSML_ERR_NOMEM. */
int dsml_loss_ws_create(dsml_loss_ws **out, int max_n, int d);
void dsml_loss_ws_free(dsml_loss_ws *ws);

/* h: N x D and labels: N ints, both borrowed. Writes dL/dh into dh (N x D,
 * overwritten) and the loss into *loss. DSML_ERR_ARG for a batch the loss
 * cannot use (n > max_n, d different from the workspace's, bad parameters, an
 * N-pair batch whose classes do not each appear exactly twice) and
 * DSML_ERR_NUMERIC (the message says which) when an input, the loss or the
 * gradient is not finite. Allocates nothing. */
int dsml_loss_compute(const dsml_loss_params *p, const float *h, const int *labels, int n, int d,
                      float *dh, dsml_loss_ws *ws, double *loss);

#endif
