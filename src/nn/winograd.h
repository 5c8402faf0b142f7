/* 5x5 convolution with padding 2 ("same" size), stride 1, by Winograd's
 * minimal filtering F(2x2, 5x5): each 2x2 block of outputs ("tile") is
 * computed from the 6x6 input patch around it as
 *
 *     Y = A^T [ (G g G^T) (.) (B^T d B) ] A        (Lavin and Gray, 2016)
 *
 * so a tile costs 36 multiplications per input/output channel pair instead
 * of 100. Over channels, the 36 element-wise products become 36 GEMMs
 * (tiles x C) (C x F), which is where the time goes (winograd_gemm.c when
 * C and F are multiples of 8, BLIS otherwise). The backward pass is
 * the exact adjoint of the same linear maps: the weight gradient is a GEMM
 * per tile position in the transformed domain followed by G^T (.) G, the
 * input gradient a GEMM per position followed by B (.) B^T folded back onto
 * the overlapping patches. Versus im2col + GEMM this is 2.8x fewer
 * multiply-adds on conv2 of the convnet, at a rounding error of a few float
 * ulps times the input's dynamic range (the tests bound it against the
 * direct convolution).
 *
 * Layer, layouts and parameters are those of dsml_conv2d (NHWC activations,
 * HWIO weights then biases), restricted to k = 5, pad = 2. Buffers:
 *   u: the transformed weights, 36 x C x F (dsml_winograd_transform_weights,
 *      whenever the weights change), then each position's F x C transpose
 *      (dsml_winograd_transpose_weights, before a backward; scratch of the
 *      transform until then);
 *   v: per tile, its 36 transformed input patches of C channels
 *      (N x tiles x 36 x C), kept from forward to backward, where it is
 *      overwritten by the gradient of the patches;
 *   m: per tile, 36 x F products (forward) or output gradients (backward),
 *      N x tiles x 36 x F, scratch.
 * Like dsml_conv2d_*_images, the image-range functions are single-threaded
 * and touch only the images b0..b1-1 of the whole-batch buffers. */
#ifndef DSML_NN_WINOGRAD_H
#define DSML_NN_WINOGRAD_H

#include <stddef.h>

#include "nn/conv2d.h"

enum { DSML_WINOGRAD_MIN_CHANNELS = 8, DSML_WINOGRAD_MAX_CHANNELS = 128 };

/* 1 when l is a 5x5, pad-2 convolution that Winograd runs and runs faster
 * than im2col: DSML_WINOGRAD_MIN_CHANNELS..MAX_CHANNELS input channels (with
 * fewer, the transformed-domain products' inner dimension is too short to pay
 * for the transforms: the convnet's conv1 with 1 or 3 channels stays
 * im2col) and at most DSML_WINOGRAD_MAX_CHANNELS output channels. The image
 * range functions below take any channel count up to the maximum. */
int dsml_winograd_supports(const dsml_conv2d *l);

/* Floats of u, of v and of m for n images of h x w. */
size_t dsml_winograd_u_size(const dsml_conv2d *l);
size_t dsml_winograd_v_size(const dsml_conv2d *l, int n, int h, int w);
size_t dsml_winograd_m_size(const dsml_conv2d *l, int n, int h, int w);

/* Floats of one gradient slot: 36 x C x F transformed weight gradients,
 * then F bias gradients. */
size_t dsml_winograd_grad_size(const dsml_conv2d *l);

/* u <- G W G^T for every channel pair. */
void dsml_winograd_transform_weights(const dsml_conv2d *l, float *u);

/* The transposes after them in u, which the input gradient reads: once
 * after the transform and before the backward calls. */
void dsml_winograd_transpose_weights(const dsml_conv2d *l, float *u);

/* y = conv(x) + b for images b0..b1-1; v receives their transformed patches. */
void dsml_winograd_forward_images(const dsml_conv2d *l, const float *u, float *y, float *v, float *m, const float *x,
                                  int b0, int b1, int h, int w);

/* For images b0..b1-1, given dy: grad (a dsml_winograd_grad_size slot)
 * receives (accumulate 0) or has added (accumulate 1) their transformed
 * weight and bias gradients; if dx is not NULL their images of dx are
 * overwritten with the input gradient (v is consumed). */
void dsml_winograd_backward_images(const dsml_conv2d *l, const float *u, float *dx, const float *dy, float *v, float *m,
                                   int b0, int b1, int h, int w, float *grad, int accumulate);

/* dW += G^T dU G and db += the slot's bias part: a summed slot back to the
 * layer's weight layout (dw then db, as dsml_conv2d_grad_size). */
void dsml_winograd_weight_grad(const dsml_conv2d *l, const float *grad, float *dw, float *db);

#endif
