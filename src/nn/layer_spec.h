/* The words of a network description: a network is an array of layer specs,
 * run in order by the sequential executor (network.h). A spec says what a
 * layer computes, never how: the executor infers every shape from the input,
 * chooses the kernels and refuses what no kernel implements.
 *
 * Layers come in PyTorch's order and semantics (a description reads like the
 * nn.Sequential it mirrors); activations between spatial layers are NHWC, so
 * a flatten after spatial layers orders features (y, x, channel).
 *
 * Adding a kind of layer: a value in dsml_layer_kind, a constructor below, its kernel in
 * a file of its own, and one entry in the table of net_layer.c (where it may
 * stand, shape, parameters, buffers, forward, backward); docs/nn.md. */
#ifndef DSML_NN_LAYER_SPEC_H
#define DSML_NN_LAYER_SPEC_H

#include <stddef.h>

typedef enum {
    DSML_LAYER_CONV,    /* k x k convolution to `out` channels: stride, zero padding, groups */
    DSML_LAYER_MAXPOOL, /* k x k max pooling with stride, output size rounded down or (ceil) up */
    DSML_LAYER_RELU,    /* max(x, 0), elementwise */
    DSML_LAYER_FLATTEN, /* spatial activations -> one feature vector per image */
    DSML_LAYER_LINEAR,  /* fully connected to `out` features */
    DSML_LAYER_DROPOUT, /* inverted dropout with probability p while training */
    DSML_LAYER_LRN,     /* local response normalisation across channels (nn.LocalResponseNorm) */
    DSML_LAYER_AVGPOOL, /* adaptive average pooling to out_h x out_w (nn.AdaptiveAvgPool2d) */
    DSML_LAYER_KINDS
} dsml_layer_kind;

typedef struct {
    dsml_layer_kind kind;
    int out;          /* conv: output channels; linear: output features */
    int k, stride;    /* conv, maxpool: kernel side and stride */
    int pad, groups;  /* conv: zero padding on every border, channel groups */
    int ceil_mode;    /* maxpool: 1 rounds the output size up (PyTorch's ceil_mode) */
    float p;          /* dropout: probability of zeroing a value */
    int size;         /* lrn: channels in the window */
    float alpha, beta, bias; /* lrn: b_c = a_c (bias + alpha/size sum a^2)^-beta; bias is PyTorch's k */
    int out_h, out_w; /* avgpool: output height and width */
} dsml_layer_spec;

static inline dsml_layer_spec dsml_layer_conv(int out, int k, int stride, int pad)
{
    return (dsml_layer_spec){.kind = DSML_LAYER_CONV, .out = out, .k = k, .stride = stride, .pad = pad, .groups = 1};
}

static inline dsml_layer_spec dsml_layer_maxpool(int k, int stride)
{
    return (dsml_layer_spec){.kind = DSML_LAYER_MAXPOOL, .k = k, .stride = stride};
}

/* PyTorch's MaxPool2d(k, stride, ceil_mode=True): a last, partial window
 * where one starts inside the input. */
static inline dsml_layer_spec dsml_layer_maxpool_ceil(int k, int stride)
{
    return (dsml_layer_spec){.kind = DSML_LAYER_MAXPOOL, .k = k, .stride = stride, .ceil_mode = 1};
}

static inline dsml_layer_spec dsml_layer_relu(void) { return (dsml_layer_spec){.kind = DSML_LAYER_RELU}; }

static inline dsml_layer_spec dsml_layer_flatten(void) { return (dsml_layer_spec){.kind = DSML_LAYER_FLATTEN}; }

static inline dsml_layer_spec dsml_layer_linear(int out) { return (dsml_layer_spec){.kind = DSML_LAYER_LINEAR, .out = out}; }

static inline dsml_layer_spec dsml_layer_dropout(float p) { return (dsml_layer_spec){.kind = DSML_LAYER_DROPOUT, .p = p}; }

/* PyTorch's LocalResponseNorm(size, alpha, beta, k). */
static inline dsml_layer_spec dsml_layer_lrn(int size, float alpha, float beta, float k)
{
    return (dsml_layer_spec){.kind = DSML_LAYER_LRN, .size = size, .alpha = alpha, .beta = beta, .bias = k};
}

/* PyTorch's AdaptiveAvgPool2d((out_h, out_w)). */
static inline dsml_layer_spec dsml_layer_avgpool(int out_h, int out_w)
{
    return (dsml_layer_spec){.kind = DSML_LAYER_AVGPOOL, .out_h = out_h, .out_w = out_w};
}

/* "conv 5x5/1 pad 2 -> 32", "maxpool 2x2/2", "relu", "linear -> 256",
 * "dropout 0.5", "maxpool 3x3/2 ceil", "lrn 5 alpha 0.0005 beta 0.75 k 2",
 * "avgpool -> 6x6"... into buf (cut to fit): for messages and listings
 * (net_layer.c, with the kinds' names of its table). */
void dsml_layer_spec_format(const dsml_layer_spec *s, char *buf, size_t size);

#endif
