/* The sequential executor: builds, runs forward and backward for any network
 * description (an array of dsml_layer_spec, layer_spec.h).
 *
 * At create time it infers every layer's shape from the input's, refuses a
 * description no kernel implements (naming the layer), puts every parameter
 * in one block and every gradient in another, in the order the layers come
 * (weight then bias, as PyTorch's parameters()), and carves one workspace
 * for max_batch images; forward and backward allocate nothing.
 *
 * How it runs a description (properties of the executor, whatever the
 * network):
 *  - The spatial part (the layers before the flatten, "trunk") runs in
 *    chunks of images, each chunk on one OpenMP thread from the input to the
 *    last spatial layer's output and back, with single-threaded GEMMs, so a
 *    chunk's activations and im2col rows stay in cache; a chunk holds about
 *    DSML_NETWORK_TRUNK_ROWS output pixels of the last conv layer. The
 *    layers after it ("head") run on the whole batch with multi-threaded
 *    GEMMs.
 *  - An im2col matrix is per thread and per chunk, not per batch: the trunk
 *    runs on at most the threads OpenMP offered at create time, each with
 *    its own matrices, and backward recomputes a chunk's rows (the same
 *    values: results as if they were kept).
 *  - Each trunk layer's weight gradient is summed per fixed group of
 *    consecutive chunks (at most 16) into its own slot, and the slots are
 *    added in group order: results do not depend on the thread count or on
 *    scheduling.
 *  - A conv layer (stride 1) runs as Winograd (F(2x2, 5x5) or F(2x2, 3x3))
 *    wherever dsml_winograd_supports says so, else as im2col + GEMM.
 *  - A ReLU right before a max pool runs after it, on the pooled values
 *    (max and ReLU commute exactly: same outputs, same gradients).
 *  - The input (CHW rows) is converted to NHWC once, per chunk, when spatial
 *    layers read it (a no-op copy is skipped for one channel); a flatten
 *    straight on the input keeps its CHW order.
 *  - No gradient flows below the first layer with parameters, or below the
 *    first trainable one (dsml_network_set_trainable_from): it computes its
 *    parameter gradients only, and the layers below it nothing.
 *  - ReLU works in place; dropout draws its mask serially (it must stand
 *    after the flatten).
 *
 * Legend: N = images in a batch (n), C x H x W = input shape. */
#ifndef DSML_NN_NETWORK_H
#define DSML_NN_NETWORK_H

#include <stddef.h>

#include "core/rng.h"
#include "nn/layer_spec.h"

enum {
    DSML_NETWORK_MAX_LAYERS = 64,
    DSML_NETWORK_TRUNK_ROWS = 1024 /* last-conv output pixels per trunk chunk: measured best */
};

typedef struct dsml_network dsml_network; /* opaque */

/* One layer as planned, for listings and tests. Layers are numbered in the
 * order they run (a ReLU moved after its max pool comes after it). */
typedef struct {
    dsml_layer_spec spec;
    int index;                 /* its position in the description */
    int in_c, in_h, in_w;      /* input: channels (features once flat), height, width (1 x 1 once flat) */
    int out_c, out_h, out_w;   /* output, likewise */
    int spatial;               /* 1 when it runs in the trunk's chunks */
    int winograd;              /* conv: 1 for Winograd (F(2x2, 5x5) or F(2x2, 3x3)), 0 for im2col */
    size_t param_offset, param_count; /* its weight then bias in the parameter block */
    /* The first layer with parameters after a flatten of spatial (NHWC)
     * activations: the C x H x W it reads flattened in (y, x, c) order,
     * where PyTorch's flatten reads (c, y, x); 0 x 0 x 0 for every other
     * layer (and after a flatten of the input itself, which keeps CHW). */
    int flat_c, flat_h, flat_w;
} dsml_network_layer;

/* Plans and allocates the network for inputs of channels x height x width
 * and up to max_batch images, and initialises the parameters layer by layer
 * from rng (PyTorch's defaults). The description is copied; the gradients
 * start at zero. DSML_ERR_ARG naming the layer and what is wrong for a
 * description the executor cannot run (bad shapes, a kind in the wrong
 * part, sizes beyond an int); DSML_ERR_NOMEM. *out is owned by the caller:
 * dsml_network_free. */
int dsml_network_create(dsml_network **out, const dsml_layer_spec *layers, int count, int channels, int height,
                        int width, int max_batch, dsml_rng *rng);

/* x: n rows of C*H*W floats (CHW), borrowed for the call only. *y points to
 * n rows of the last layer's features, owned by the network, valid until the
 * next forward. training=1 keeps what backward needs and applies dropout
 * (drawn from rng, which may be NULL when no dropout is active); training=0
 * for inference. DSML_ERR_ARG for n outside 1..max_batch. */
int dsml_network_forward(dsml_network *net, const float *x, int n, int training, dsml_rng *rng, const float **y);

/* dy: n rows of output gradients, borrowed. Accumulates into the gradient
 * block. Needs the preceding training forward of the same batch
 * (DSML_ERR_STATE otherwise) and consumes its saved state. */
int dsml_network_backward(dsml_network *net, const float *dy, int n);

/* Frozen layers: from the next backward on, only the layers from `layer`
 * on (in dsml_network_layer_at order) get parameter gradients. Backward stops
 * at the first layer with parameters at or after `layer`, which computes no
 * input gradient; the layers before it compute nothing, and their part of the
 * gradient block is left as it is (zero after dsml_network_zero_grad). The
 * gradients of the trained layers are those of a full backward, to the bit.
 * 0 (the default) trains every layer; count leaves backward nothing to do.
 * Forward is unchanged. DSML_ERR_ARG for layer outside 0..count. */
int dsml_network_set_trainable_from(dsml_network *net, int layer);

void dsml_network_zero_grad(dsml_network *net);

/* The parameter / gradient block (owned by the network) and its length. */
float *dsml_network_params(dsml_network *net, size_t *count);
float *dsml_network_grads(dsml_network *net, size_t *count);

/* Layers as they run (see dsml_network_layer), 0..count-1. */
int dsml_network_layer_count(const dsml_network *net);
const dsml_network_layer *dsml_network_layer_at(const dsml_network *net, int i);

/* For importing weights: the feature dsml reads where PyTorch's flatten puts
 * feature `torch_index` (c * H * W + y * W + x) of a C x H x W activation,
 * that is (y * W + x) * C + c. Column `torch_index` of PyTorch's weight for
 * the layer after the flatten is column dsml_network_flat_feature(l, i) of
 * dsml's. Layers with flat_c == 0 keep PyTorch's order (returns torch_index).
 *
 * What an importer needs per layer with parameters (dsml_network_layer_at):
 *  - linear: spec.out x in_c weight, row-major as PyTorch's (O x I), then out
 *    biases, at param_offset; columns permuted as above where flat_c > 0;
 *  - conv: spec.k x spec.k x in_c x spec.out weight ("HWIO": PyTorch's OIHW
 *    weight w[o][c][ky][kx] goes to ((ky * k + kx) * in_c + c) * out + o),
 *    then out biases, at param_offset. */
int dsml_network_flat_feature(const dsml_network_layer *l, int torch_index);

/* Bytes of the workspace (activations, gradients, im2col matrices and the
 * kernels' buffers) carved for max_batch images; parameters and gradients
 * not included. */
size_t dsml_network_workspace_bytes(const dsml_network *net);

/* Features per image of the output. */
int dsml_network_out_features(const dsml_network *net);

/* GEMM flops (2*m*n*k) per image of the direct (im2col) formulation: forward
 * only (training=0), or forward plus backward (training=1; the first trained
 * layer with parameters computes no input gradient, the frozen ones
 * nothing). */
double dsml_network_flops_per_image(const dsml_network *net, int training);

void dsml_network_free(dsml_network *net);

#endif
