/* One layer as the sequential executor (network.c) runs it, and what each
 * kind of layer contributes: one net_layer_ops entry per dsml_layer_kind
 * (net_layer.c), holding the kind's shape rule, parameters, buffers,
 * forward and backward. Internal to src/nn.
 *
 * Every buffer is the whole batch's (max_batch images), carved from the
 * network's workspace at create time; forward and backward get an image
 * range b0..b1-1 and touch only those images, so the executor may run
 * ranges of the spatial layers on different threads. Scratch that a range
 * needs only while it runs (im2col matrices) is one buffer per thread
 * ("lane", omp_get_thread_num()) sized for one trunk chunk; so are the
 * trunk's gradients, since each chunk goes back through the trunk on one
 * thread (AlexNet's whole-batch ones took 220 MiB at batch 100). */
#ifndef DSML_NN_NET_LAYER_H
#define DSML_NN_NET_LAYER_H

#include <stddef.h>

#include "core/rng.h"
#include "nn/conv2d.h"
#include "nn/layer_spec.h"
#include "nn/linear.h"
#include "nn/lrn.h"

/* The most groups of trunk chunks whose weight gradients are summed apart
 * (then added in group order). */
enum { NET_MAX_GROUPS = 16 };

/* Where a kind's output goes, and where its input gradient goes. */
typedef enum {
    NET_OWN,      /* a buffer of its own */
    NET_IN_PLACE, /* over its input (its gradient: over its output's gradient) */
    NET_PASS      /* nowhere: the input itself is the output (gradient likewise) */
} net_place;

typedef struct {
    dsml_conv2d l;
    int winograd;        /* runs as Winograd (F(2x2, 5x5) or F(4x4, 3x3)), else im2col */
    float *col;          /* im2col: one matrix per lane for a chunk of images; backward recomputes it */
    size_t lane_floats;  /* of col, or of m */
    float *u;            /* Winograd: transformed weights */
    float *v, *m;        /* Winograd: input patches and products, one buffer each per lane for a chunk of
                          * images; backward recomputes the patches */
    size_t v_lane_floats;
    float *slots;        /* weight-gradient slots: one per lane, then the sum over groups */
    size_t slot_floats;
    int lanes;           /* slots before the sum */
} net_conv;

typedef struct {
    dsml_layer_spec spec;
    int index;           /* position in the description (0-based) */
    int c, h, w;         /* input: channels (features once flat), height, width (1 x 1 once flat) */
    int oc, oh, ow;      /* output, likewise */
    int flat_in;         /* the input is a feature vector */
    size_t param_offset, param_count;
    float *out;          /* own output buffer (NET_OWN kinds) */
    float *dx;           /* own input-gradient buffer (NET_OWN kinds that compute one) */
    size_t dx_lane;      /* 0: dx holds the whole batch; else it is per lane, this many floats each (trunk) */
    /* Bound by the executor before each pass. */
    const float *x;      /* forward input */
    float *y;            /* forward output */
    const float *gy;     /* gradient of the output */
    float *gx;           /* gradient of the input; NULL: not computed */
    size_t gy_lane, gx_lane; /* 0: gy, gx hold the whole batch (image b at b x its floats); else one buffer per
                              * lane of this many floats, holding a trunk chunk's images from its first */
    union {
        net_conv conv;
        dsml_linear linear;
        struct {
            unsigned char *winner; /* which input of each window won */
            int halves;            /* runs the 2x2/2 kernel (even sizes), else the k x k one */
        } pool;
        struct {
            dsml_lrn l;
            float *scale, *q;      /* D^-beta and D^(-beta-1) of the last training forward */
        } lrn;
        float *mask;           /* dropout: the mask of the last training forward */
    } k;
} net_layer;

/* Carving of the workspace: the first pass (base NULL) only counts. */
typedef struct {
    float *base;
    size_t used;      /* floats */
    int chunk, lanes; /* per-thread scratch: `lanes` buffers for `chunk` images each */
} net_carver;

float *dsml_net_carve(net_carver *c, size_t floats);
unsigned char *dsml_net_carve_bytes(net_carver *c, size_t bytes);

typedef struct {
    const char *name;
    int flat_input;         /* 1: needs features (after a flatten); 0: needs spatial activations; -1: either */
    net_place output, gradient;
    int keeps_input;        /* backward reads the forward's input */
    int draws;              /* forward draws from the rng (so it runs on the whole batch, in the head) */
    /* Sets the output shape from the input's (c, h, w), or fails (DSML_ERR_ARG) with
     * what is wrong; the executor prefixes the layer. */
    int (*plan)(net_layer *l);
    /* Floats of parameters; NULL: none. */
    size_t (*param_count)(const net_layer *l);
    /* Points the layer at its parameters and gradients (param_count floats
     * each) and draws the initial parameters. */
    void (*init)(net_layer *l, float *params, float *grads, dsml_rng *rng);
    /* Carves the kind's own buffers (beyond out and dx); NULL: none. */
    void (*carve)(net_layer *l, net_carver *cv, int max_batch);
    /* 0 when the layer is the identity in this pass (skipped, input passed on); NULL: always 1. */
    int (*active)(const net_layer *l, int training);
    /* Once per pass over the whole batch, before the ranges (backward 0 or 1); NULL: nothing. */
    void (*prepare)(net_layer *l, int backward);
    /* Images b0..b1-1 from x to y; NULL: nothing to do (NET_PASS). */
    void (*forward)(net_layer *l, int b0, int b1, dsml_rng *rng);
    /* Images b0..b1-1 from gy to gx and the parameter gradients: in the
     * trunk, weight gradients go to the slot of `lane` (accumulate 0
     * overwrites it); in the head straight to the gradient block. NULL:
     * nothing to do. */
    void (*backward)(net_layer *l, int b0, int b1, int lane, int accumulate);
    /* In a trunk backward, once per group of chunks, in group order: the
     * sum (add 1) or first sum (add 0) receives the slot of `lane`. */
    void (*gather)(net_layer *l, int lane, int add);
    /* After a trunk backward: adds the sum to the gradients. */
    void (*reduce)(net_layer *l);
    /* GEMM flops (2 m n k) per image of the forward; NULL: none. */
    double (*flops)(const net_layer *l);
} net_layer_ops;

/* The entry of a kind; NULL outside dsml_layer_kind. */
const net_layer_ops *dsml_net_layer_ops(dsml_layer_kind kind);

#endif
