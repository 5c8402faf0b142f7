/* Metric-learning losses of the paper (eqs. 7-12) over one batch, with their
 * analytic gradients: contrastive, triplet, lifted structured and N-pair, each
 * with any distance of distance.h, plus the zero-mean regulariser L_r; and the
 * related methods: vMF (vmf.h), general pair weighting and the density
 * regulariser (docs/losses.md, "Related methods").
 *
 * Legend: N = rows in the batch (n), D = embedding size (d). Every formula,
 * normalisation, default and epsilon is written out in docs/losses.md. */
#ifndef DSML_METRIC_LOSS_H
#define DSML_METRIC_LOSS_H

#include <stdint.h>

#include "metric/distance.h"

typedef enum {
    DSML_LOSS_CONTRASTIVE, DSML_LOSS_TRIPLET, DSML_LOSS_LIFTED, DSML_LOSS_NPAIR,
    DSML_LOSS_VMF, /* von Mises-Fisher loss over class mean directions (vmf.c, vmf.h) */
    DSML_LOSS_GPW,  /* general pair weighting: mining + weighting on cosine similarities (gpw.c) */
    DSML_LOSS_DPSH, /* deep hashing, pairwise likelihood of 1/2 u_i.u_j + quantisation (dpsh.c) */
    DSML_LOSS_DTSH  /* deep hashing, triplet likelihood with margin + quantisation (dtsh.c) */
} dsml_loss_kind;

/* GPW stages (docs/losses.md, "General pair weighting"). */
typedef enum { DSML_GPW_MINE_NONE, DSML_GPW_MINE_MS } dsml_gpw_mining;
typedef enum { DSML_GPW_WEIGHT_MS, DSML_GPW_WEIGHT_CONTRASTIVE, DSML_GPW_WEIGHT_BINOMIAL,
               DSML_GPW_WEIGHT_LIFTED } dsml_gpw_weighting;

struct dsml_vmf_means; /* vmf.h */

typedef struct {
    dsml_loss_kind loss;
    dsml_distance_kind distance;
    float margin;    /* alpha (contrastive, triplet, lifted; unused by npair) */
    float beta;      /* lifted only: scale of the distances, > 0 */
    float lambda;    /* weight of the zero-mean regulariser L_r (eq. 7), >= 0 */
    int lifted_hard; /* 1 = hard max as eq. 10 is written, 0 = log-sum-exp (Song et al.) */
    float npair_l2;  /* npair only: weight of the L2 embedding penalty of Sohn's N-pair loss, >= 0 */
    float quant;     /* dpsh, dtsh: weight of the quantisation penalty mean (b - u)^2, b = sign(u), >= 0;
                        dtsh's margin is per bit: alpha = margin * D */
    /* density adaptivity (density.c): contrastive, triplet, npair */
    float density;       /* weight of the density regulariser, >= 0 (0 = off) */
    float density_ratio; /* target ratio of intra- to inter-class mean distance, > 0 */
    /* gpw (gpw.c) */
    dsml_gpw_mining gpw_mining;
    dsml_gpw_weighting gpw_weighting;
    float gpw_alpha, gpw_beta; /* scales of the positive / negative terms, > 0 */
    float gpw_lambda;          /* similarity margin */
    float gpw_epsilon;         /* ms mining margin, >= 0 */
    /* vmf (vmf.c) */
    float vmf_kappa;                   /* concentration, > 0 */
    struct dsml_vmf_means *vmf_means;  /* borrowed; set by the trainer; NULL = not set */
} dsml_loss_params;

/* Default target of density.c: intra-class mean distance at least this
 * fraction of the class's mean distance to other classes. */
#define DSML_DENSITY_DEFAULT_RATIO 0.5f

/* Below this the SNR distance is clamped before the N-pair similarity
 * S = 1/d^2 is taken, so S <= 1e4 (an SNR of 100, 20 dB). */
#define DSML_NPAIR_MIN_SNR_DIST 1e-2f

/* "contrastive", "triplet", "lifted", "npair", "vmf", "gpw". DSML_ERR_ARG for
 * anything else, leaving *out alone. */
int dsml_loss_parse(const char *name, dsml_loss_kind *out);
/* The name dsml_loss_parse accepts; "unknown" for a bad value. */
const char *dsml_loss_name(dsml_loss_kind kind);

/* Documented defaults per loss and distance (margins differ in scale between
 * Euclidean and SNR); see docs/losses.md. */
dsml_loss_params dsml_loss_defaults(dsml_loss_kind loss, dsml_distance_kind distance);

/* GPW stage names: mining "none", "ms"; weighting "ms", "contrastive",
 * "binomial", "lifted". DSML_ERR_ARG for anything else, leaving *out alone. */
int dsml_gpw_mining_parse(const char *name, dsml_gpw_mining *out);
int dsml_gpw_weighting_parse(const char *name, dsml_gpw_weighting *out);
const char *dsml_gpw_mining_name(dsml_gpw_mining m);
const char *dsml_gpw_weighting_name(dsml_gpw_weighting w);
/* Sets gpw_alpha, gpw_beta, gpw_lambda to the documented defaults of the
 * weighting w (and gpw_weighting to w). */
void dsml_gpw_defaults(dsml_loss_params *p, dsml_gpw_weighting w);

/* The parameter checks dsml_loss_compute makes, without a batch (so that a
 * trainer can reject a bad configuration before it loads data).
 * DSML_ERR_ARG with a message. */
int dsml_loss_check(const dsml_loss_params *p);

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

/* 1 when the loss takes multi-label batches: contrastive (DSNRH and its
 * Euclidean twin) without the density regulariser, dpsh and dtsh. */
int dsml_loss_takes_label_sets(const dsml_loss_params *p);

/* Multi-label batches (NUS-WIDE): label_sets holds N bitsets of `words`
 * uint64 words (bit k set: the row has label k), borrowed; rows i and j are
 * similar when they share at least one label. A loss that does not take them
 * (dsml_loss_takes_label_sets) is DSML_ERR_ARG. Otherwise as
 * dsml_loss_compute. */
int dsml_loss_compute_multi(const dsml_loss_params *p, const float *h, const uint64_t *label_sets, int words, int n,
                            int d, float *dh, dsml_loss_ws *ws, double *loss);

#endif
