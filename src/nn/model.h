/* Embedding networks by name: the registry of networks (registry.c), each a
 * description run by the sequential executor (network.h), with every
 * parameter in one contiguous block, every gradient in another, and one
 * scratch workspace sized at create time for max_batch, so forward and
 * backward allocate nothing.
 *
 *   mlp:     flatten - [linear - ReLU] per hidden size - dropout - linear(-> dim)
 *   convnet: conv5x5(C->32, pad 2) - ReLU - maxpool2 - conv5x5(32->64, pad 2) - ReLU - maxpool2
 *            - flatten - linear(->256) - ReLU - dropout - linear(256->dim)
 *   alexnet: torchvision's AlexNet, fc8 -> dim (227x227 or 224x224 inputs)
 *   cnn-f:   Chatfield et al.'s CNN-F (MatConvNet imagenet-vgg-f), fc8 -> dim (224x224)
 * (registry.c and docs/nn.md list their layers)
 *
 * (as PyTorch writes them; the executor runs each ReLU after its pool, as they
 * commute, and dropout with p = 0 is the identity). Inputs are n rows of C*H*W floats in
 * CHW (planar) order, as the datasets store them. Inside the convnet
 * activations are NHWC (channels last), so the flatten before fc1 orders
 * features (y, x, channel), and conv weights are stored F x 5 x 5 x C (see
 * conv2d.h): the same function class as the PyTorch model with its weights
 * permuted. The mlp flattens its input as stored (CHW). Parameter block
 * order: layer by layer from the input, weight then bias, as PyTorch's
 * parameters().
 *
 * Adding a network: a dsml_model_kind value (its number is the parameter
 * file's kind field), a describe function and one entry in registry.c
 * (docs/nn.md).
 *
 * Legend: N = images in a batch (n), D = embedding size (dim). */
#ifndef DSML_NN_MODEL_H
#define DSML_NN_MODEL_H

#include <stddef.h>

#include "core/rng.h"
#include "nn/network.h"

/* The values are the parameter file's kind field: append, never renumber. */
typedef enum {
    DSML_MODEL_MLP,
    DSML_MODEL_CONVNET,
    DSML_MODEL_ALEXNET,
    DSML_MODEL_CNN_F,
    DSML_MODEL_KINDS
} dsml_model_kind;

typedef struct {
    dsml_model_kind kind;
    int channels, height, width;   /* input shape; input rows are C*H*W floats in CHW (planar) order */
    int dim;                       /* embedding size */
    int hidden[8], n_hidden;       /* networks that take the "hidden" option (mlp) */
    int max_batch;                 /* forward/backward accept 1..max_batch images */
    float dropout;                 /* the description's dropout probability (0 = none) */
} dsml_model_config;

typedef struct dsml_model dsml_model; /* opaque */

/* "mlp", "convnet", "alexnet", "cnn-f"; DSML_ERR_ARG naming the value and listing the names,
 * leaving *out alone. */
int dsml_model_parse_kind(const char *name, dsml_model_kind *out);
/* The name, or "unknown" outside the registry. */
const char *dsml_model_kind_name(dsml_model_kind kind);
/* The input side and channels the network's pretrained weights expect
 * (alexnet: 227 and 3, cnn-f: 224 and 3); 0 for either when it takes any. */
void dsml_model_native_input(dsml_model_kind kind, int *size, int *channels);
/* One line for --help, or "unknown". */
const char *dsml_model_summary(dsml_model_kind kind);
/* 1 when the network takes the training option (without "--", e.g.
 * "hidden" for mlp) beyond those every network takes, else 0. */
int dsml_model_takes_option(dsml_model_kind kind, const char *option);

/* Checks the config (DSML_ERR_ARG naming the field; the executor's message
 * naming the layer for a shape the network cannot take), allocates the model,
 * its parameter and gradient blocks and its workspace, and initialises the
 * parameters as PyTorch's defaults, drawing from rng layer by layer. The
 * gradients start at zero. *out is owned by the caller: dsml_model_free. */
int dsml_model_create(dsml_model **out, const dsml_model_config *cfg, dsml_rng *rng);

/* x: n rows of C*H*W floats (CHW), borrowed for the call only. *embeddings
 * points to n x dim floats owned by the model, valid until the next forward.
 * training=1 keeps what backward needs and applies dropout (drawn from rng,
 * which may be NULL when dropout is 0); training=0 for inference (rng
 * unused). DSML_ERR_ARG for n outside 1..max_batch. */
int dsml_model_forward(dsml_model *m, const float *x, int n, int training, dsml_rng *rng,
                       const float **embeddings);

/* dembeddings: n x dim. Accumulates into the gradient block. Needs the
 * preceding training forward of the same batch (DSML_ERR_STATE otherwise);
 * it consumes that forward's saved state, so a second backward needs a new
 * forward. */
int dsml_model_backward(dsml_model *m, const float *dembeddings, int n);

void dsml_model_zero_grad(dsml_model *m);

/* The parameter / gradient block (owned by the model) and its length. */
float *dsml_model_params(dsml_model *m, size_t *count);
float *dsml_model_grads(dsml_model *m, size_t *count);

/* The config the model was created with (hidden sizes cleared for networks
 * that do not take them). */
const dsml_model_config *dsml_model_get_config(const dsml_model *m);

/* The executor running the model (owned by the model): its layers as
 * planned. */
dsml_network *dsml_model_network(dsml_model *m);

/* GEMM flops (2*m*n*k) per image of the direct (im2col) formulation: forward
 * only (training=0), or forward plus backward (training=1; the first layer
 * computes no input gradient). A Winograd conv layer does 2.8x fewer
 * multiply-adds, so a rate derived from this count is a
 * direct-convolution-equivalent rate. */
double dsml_model_flops_per_image(const dsml_model *m, int training);

/* One line, e.g. "convnet 1x28x28 -> 32, 863,392 parameters". */
void dsml_model_describe(const dsml_model *m, char *buf, size_t size);

void dsml_model_free(dsml_model *m);

/* Parameter files (model_io.c), all numbers in the host's byte order
 * (little-endian on every supported machine):
 *
 *   offset  size      field
 *   0       8         magic "DSMLMDL1"
 *   8       4 x 14    int32: kind (0 mlp, 1 convnet, 2 alexnet, 3 cnn-f), channels, height, width,
 *                     dim, n_hidden, hidden[0..7] (unused entries 0)
 *   64      4         float32: dropout (informational, not checked on load)
 *   68      8         uint64: parameter count P
 *   76      4 x P     float32: the parameter block, in the order model.h states
 *
 * Nothing follows. Written atomically (temp file, fsync, rename). */
int dsml_model_save(const dsml_model *m, const char *path);

/* Replaces m's parameters with those of a file written by dsml_model_save for
 * the same architecture (kind, input shape, dim, hidden sizes; max_batch and
 * dropout may differ). DSML_ERR_IO when unreadable, DSML_ERR_FORMAT for a bad
 * magic, a truncated or oversized file or a non-finite value, DSML_ERR_ARG
 * when the architecture differs. On failure m is unchanged. */
int dsml_model_load_params(dsml_model *m, const char *path);

#endif
