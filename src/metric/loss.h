/* Metric-learning losses of the paper (eqs. 7-12) over one batch, with their
 * analytic gradients: contrastive, triplet, lifted structured and N-pair, each
 * with any distance of distance.h, plus the zero-mean regulariser L_r; the
 * related methods: vMF (vmf.h), general pair weighting and the density
 * regulariser (docs/losses.md, "Related methods"); and the hashing losses
 * DPSH and DTSH.
 *
 * One registry lists the losses (registry.c): one entry per loss with its
 * name, summary, options, distances, defaults, check and compute function.
 * The dispatcher (dsml_loss_compute) walks the entry of p->loss; adding a
 * loss is one file and one line of the registry (docs/losses.md, "The
 * registry").
 *
 * Legend: N = rows in the batch (n), D = embedding size (d). Every formula,
 * normalisation, default and epsilon is written out in docs/losses.md. */
#ifndef DSML_METRIC_LOSS_H
#define DSML_METRIC_LOSS_H

#include <stdint.h>

#include "metric/distance.h"

typedef enum {
    DSML_LOSS_CONTRASTIVE, DSML_LOSS_TRIPLET, DSML_LOSS_LIFTED, DSML_LOSS_NPAIR,
    DSML_LOSS_VMF,  /* von Mises-Fisher loss over class mean directions (vmf.c, vmf.h) */
    DSML_LOSS_GPW,  /* general pair weighting: mining + weighting on cosine similarities (gpw.c) */
    DSML_LOSS_DPSH, /* deep hashing, pairwise likelihood of 1/2 u_i.u_j + quantisation (dpsh.c) */
    DSML_LOSS_DTSH, /* deep hashing, triplet likelihood with margin + quantisation (dtsh.c) */
    DSML_LOSS_COUNT /* not a loss: the number of kinds */
} dsml_loss_kind;

/* GPW stages (docs/losses.md, "General pair weighting"). */
typedef enum { DSML_GPW_MINE_NONE, DSML_GPW_MINE_MS } dsml_gpw_mining;
typedef enum { DSML_GPW_WEIGHT_MS, DSML_GPW_WEIGHT_CONTRASTIVE, DSML_GPW_WEIGHT_BINOMIAL,
               DSML_GPW_WEIGHT_LIFTED } dsml_gpw_weighting;

struct dsml_vmf_means; /* vmf.h */

/* Which reading of the paper's eqs. 7-12 the paper's four losses compute
 * (docs/losses.md, "The paper's equations as printed"). COMMON: the common
 * conventions (contrastive averaged over its non-zero terms, lifted
 * log-sum-exp unless lifted.hard); PAPER: the equations as printed
 * (contrastive summed over pairs, lifted hard max, N-pair without an L2
 * term). Triplet is the same under both. */
typedef enum { DSML_EQUATIONS_COMMON, DSML_EQUATIONS_PAPER } dsml_equations;

/* Each loss reads the members it names; dsml_loss_defaults sets all of them,
 * so a member no loss of the run reads still holds its documented default. */
typedef struct { float weight, ratio; } dsml_density_params;   /* density regulariser: weight 0 = off; ratio > 0 */
typedef struct { float beta; int hard; } dsml_lifted_params;    /* eq. 10: beta > 0; hard = hard max instead of log-sum-exp */
typedef struct { float l2; } dsml_npair_params;                 /* Sohn's L2 embedding penalty */
typedef struct { float quant; } dsml_hashing_params;            /* dpsh, dtsh quantisation weight */
/* kappa: concentration, > 0; means: borrowed, set by the caller (the
 * trainer estimates them, dsml_vmf_means_*); NULL = not set. */
typedef struct { float kappa; struct dsml_vmf_means *means; } dsml_vmf_params;
/* alpha, beta: scales of the positive / negative terms, > 0; lambda: the
 * similarity margin; epsilon: the ms mining margin, >= 0. */
typedef struct { dsml_gpw_mining mining; dsml_gpw_weighting weighting; float alpha, beta, lambda, epsilon; } dsml_gpw_params;
typedef struct {
    dsml_loss_kind loss;
    dsml_distance_kind distance;
    dsml_equations equations; /* the paper's four losses; the others take COMMON only */
    float margin;   /* alpha of eqs. 8-10: contrastive, triplet, lifted; dtsh: per bit */
    float lambda;   /* zero-mean regulariser, eq. 7, every loss */
    dsml_density_params density;  /* contrastive, triplet, npair */
    dsml_lifted_params lifted;
    dsml_npair_params npair;
    dsml_hashing_params hashing;
    dsml_vmf_params vmf;
    dsml_gpw_params gpw;
} dsml_loss_params;

/* Default target of density.c: intra-class mean distance at least this
 * fraction of the class's mean distance to other classes. */
#define DSML_DENSITY_DEFAULT_RATIO 0.5f

/* Below this the SNR distance is clamped before the N-pair similarity
 * S = 1/d^2 is taken, so S <= 1e4 (an SNR of 100, 20 dB). */
#define DSML_NPAIR_MIN_SNR_DIST 1e-2f

/* ---------- the registry ---------- */

/* Opaque scratch for one batch, allocated once: the distance matrix, its
 * gradient and the distance workspace. */
typedef struct dsml_loss_ws dsml_loss_ws;
/* What a compute function sees of the batch (loss_internal.h). */
struct dsml_loss_batch;

/* dsml_loss_entry.distances: one distance, or all of them. */
#define DSML_LOSS_DISTANCE(kind) (1u << (kind))
#define DSML_LOSS_ANY_DISTANCE (~0u)

/* One loss. Every member is set in every entry, except `defaults` (NULL:
 * the common defaults serve unchanged) and exactly one of on_distances and
 * on_embeddings. */
typedef struct {
    dsml_loss_kind kind;
    const char *name;    /* --loss NAME and metrics.json's config.loss */
    const char *summary; /* one line for --help texts */
    /* The `dsml train` options (without "--") it takes beyond the common
     * ones (loss, distance, lambda) and the density regulariser's;
     * NULL-terminated. */
    const char *const *options;
    unsigned distances;   /* the distances it accepts: bit k = dsml_distance_kind k */
    const char *works_on; /* with a restricted set: what it works on instead ("inner products"),
                             for the message that refuses another distance; else NULL */
    int label_sets;  /* 1: reads only which rows share a label, so it takes multi-label batches */
    int density;     /* 1: the density regulariser plugs into it (its options come along) */
    int class_means; /* 1: needs p->vmf.means (dsml_vmf_means, set by the caller) */
    int unit_sphere; /* 1: works on L2-normalised embeddings: its runs are evaluated by cosine */
    int pairs;       /* 1: batches of pairs, one class per pair: 2 images per class (default batch 20) */
    /* Adjusts the common defaults in *p (p->loss and p->distance set) to this loss. */
    void (*defaults)(dsml_loss_params *p);
    /* The checks of the members it reads (the common ones and the density
     * regulariser's are the dispatcher's). DSML_ERR_ARG with a message. */
    int (*check)(const dsml_loss_params *p);
    /* On the distance matrix dist (N x N, row = anchor, finite): overwrites
     * w (N x N) with dL/ddist and returns the loss (without L_r). Cannot fail. */
    double (*on_distances)(const dsml_loss_params *p, const float *dist, const struct dsml_loss_batch *b, float *w,
                           dsml_loss_ws *ws);
    /* On the embeddings h (N x D, finite): adds dL/dh into dh (zeroed by
     * the dispatcher) and writes the loss (without L_r) into *loss. */
    int (*on_embeddings)(const dsml_loss_params *p, const float *h, const struct dsml_loss_batch *b, float *dh,
                         dsml_loss_ws *ws, double *loss);
} dsml_loss_entry;

/* The entry of a kind, or NULL outside 0..DSML_LOSS_COUNT-1. Iterate the
 * registry with for (k = 0; k < DSML_LOSS_COUNT; k++). */
const dsml_loss_entry *dsml_loss_entry_of(dsml_loss_kind kind);
/* The entry named `name`, or NULL (no message; dsml_loss_parse has one). */
const dsml_loss_entry *dsml_loss_find(const char *name);

/* 1 when `option` (a `dsml train` option name without "--") is one the loss
 * takes: the common loss, distance and lambda, its entry's options and, when
 * the density regulariser plugs into it, density and density-ratio. 0 for
 * any other name and for a bad kind. */
int dsml_loss_takes_option(dsml_loss_kind kind, const char *option);
/* DSML_OK when the loss takes `option`, else DSML_ERR_ARG with
 * "--beta: not an option of contrastive (lifted takes it)" (every loss that
 * takes it; "(no loss takes it)" when none does). */
int dsml_loss_check_option(dsml_loss_kind kind, const char *option);

/* "contrastive", "triplet", ... (the registry's names). DSML_ERR_ARG with
 * "loss 'x': expected ..." (all of them) for anything else, leaving *out alone. */
int dsml_loss_parse(const char *name, dsml_loss_kind *out);
/* The name dsml_loss_parse accepts; "unknown" for a bad value. */
const char *dsml_loss_name(dsml_loss_kind kind);

/* Documented defaults per loss and distance (margins differ in scale between
 * Euclidean and SNR); see docs/losses.md. Every sub-struct gets its
 * default, then the loss's entry adjusts. */
dsml_loss_params dsml_loss_defaults(dsml_loss_kind loss, dsml_distance_kind distance);

/* GPW stage names: mining "none", "ms"; weighting "ms", "contrastive",
 * "binomial", "lifted". DSML_ERR_ARG for anything else, leaving *out alone. */
int dsml_gpw_mining_parse(const char *name, dsml_gpw_mining *out);
int dsml_gpw_weighting_parse(const char *name, dsml_gpw_weighting *out);
const char *dsml_gpw_mining_name(dsml_gpw_mining m);
const char *dsml_gpw_weighting_name(dsml_gpw_weighting w);
/* "common", "paper". DSML_ERR_ARG with "equations 'x': expected common or
 * paper" for anything else, leaving *out alone. */
int dsml_equations_parse(const char *name, dsml_equations *out);
/* The name dsml_equations_parse accepts; "unknown" for a bad value. */
const char *dsml_equations_name(dsml_equations e);

/* Sets p->gpw.alpha, beta, lambda to the documented defaults of the
 * weighting w (and p->gpw.weighting to w). */
void dsml_gpw_defaults(dsml_loss_params *p, dsml_gpw_weighting w);

/* The parameter checks dsml_loss_compute makes, without a batch (so that a
 * trainer can reject a bad configuration before it loads data): the kind,
 * the distance (one the loss accepts), lambda, the density regulariser (only
 * on a loss it plugs into), then the entry's check. DSML_ERR_ARG with a
 * message. */
int dsml_loss_check(const dsml_loss_params *p);

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

/* 1 when the loss takes multi-label batches (its entry's label_sets:
 * contrastive, dpsh, dtsh), and the density regulariser, which needs one
 * class per row, is off. */
int dsml_loss_takes_label_sets(const dsml_loss_params *p);

/* Multi-label batches (NUS-WIDE): label_sets holds N bitsets of `words`
 * uint64 words (bit k set: the row has label k), borrowed; rows i and j are
 * similar when they share at least one label. A loss that does not take them
 * (dsml_loss_takes_label_sets) is DSML_ERR_ARG. Otherwise as
 * dsml_loss_compute. */
int dsml_loss_compute_multi(const dsml_loss_params *p, const float *h, const uint64_t *label_sets, int words, int n,
                            int d, float *dh, dsml_loss_ws *ws, double *loss);

#endif
