/* Convolution with stride 1 and "same" padding by Winograd's minimal
 * filtering F(m x m, r x r): each m x m block of outputs ("tile") is computed
 * from the t x t input patch around it (t = m + r - 1) as
 *
 *     Y = A^T [ (G g G^T) (.) (B^T d B) ] A        (Lavin and Gray, 2016)
 *
 * so a tile costs t*t multiplications per input/output channel pair instead
 * of m*m*r*r. Two schemes, chosen by the kernel size:
 *  - 5x5, pad 2: F(2x2, 5x5), 36 products for 100 (the convnet's conv2,
 *    AlexNet's conv2);
 *  - 3x3, pad 1: F(2x2, 3x3), 16 products for 36 (AlexNet's and CNN-F's
 *    conv3-5). F(4x4, 3x3) (36 for 144) was measured against it on
 *    AlexNet's 13x13 maps, forward and backward of 6 images on one thread:
 *    about 5-10% faster (the 13x13 map wastes most of a last 4x4 tile, and
 *    the larger transforms eat into the 1.36x fewer products), but 20x less
 *    accurate (relative error 1.2-1.7e-5 against 6-9e-7: its points 2 and -2
 *    put 8s in A^T). Both were 3.6-4.9x faster than im2col there; the
 *    accuracy decided.
 * Over channels, the t*t element-wise products become t*t GEMMs
 * (tiles x C) (C x F), which is where the time goes (winograd_gemm.c when
 * C and F are multiples of 8, BLIS otherwise). The backward pass is
 * the exact adjoint of the same linear maps: the weight gradient is a GEMM
 * per tile position in the transformed domain followed by G^T (.) G, the
 * input gradient a GEMM per position followed by B (.) B^T folded back onto
 * the overlapping patches. The rounding error is a few float ulps times the
 * input's dynamic range (the tests bound it against the direct convolution).
 *
 * Layer, layouts and parameters are those of dsml_conv2d (NHWC activations,
 * HWIO weights then biases), restricted to the two shapes above. Buffers
 * (XI = t*t positions):
 *   u: the transformed weights, XI x C x F (dsml_winograd_transform_weights,
 *      whenever the weights change), then each position's F x C transpose
 *      (dsml_winograd_transpose_weights, before a backward; scratch of the
 *      transform until then);
 *   v: per tile, its XI transformed input patches of C channels
 *      (tiles x XI x C per image), then in a backward the gradient of the
 *      patches;
 *   m: per tile, XI x F products (forward) or output gradients (backward).
 * v and m are scratch for the call's images only, from the range's first
 * image (dsml_winograd_v_size and _m_size for b1 - b0 images are enough):
 * the backward transforms its images' input patches again rather than
 * keeping the whole batch's from the forward (AlexNet's would take 420 MiB
 * at batch 100; the transform costs a few percent of the layer).
 * Like dsml_conv2d_*_images, the image-range functions are single-threaded
 * and touch only the images b0..b1-1 of the whole-batch buffers (x, y, dx,
 * dy). They keep t*t x C floats of scratch on the stack, twice
 * (about 150 KiB at DSML_WINOGRAD_MAX_CHANNELS). */
#ifndef DSML_NN_WINOGRAD_H
#define DSML_NN_WINOGRAD_H

#include <stddef.h>

#include "nn/conv2d.h"

enum { DSML_WINOGRAD_MIN_CHANNELS = 8, DSML_WINOGRAD_MIN_CHANNELS_3X3 = 64, DSML_WINOGRAD_MAX_CHANNELS = 512 };

/* 1 when l is a convolution that Winograd runs and runs faster than im2col:
 * stride 1, at most DSML_WINOGRAD_MAX_CHANNELS input and output channels,
 * and either 5x5 with pad 2 and at least DSML_WINOGRAD_MIN_CHANNELS input
 * channels (with fewer, the transformed-domain products' inner dimension is
 * too short to pay for the transforms: the convnet's conv1 with 1 or 3
 * channels stays im2col), or 3x3 with pad 1 and at least
 * DSML_WINOGRAD_MIN_CHANNELS_3X3 (a 3x3 kernel saves less per product, so
 * it needs a longer inner dimension to pay; AlexNet's conv3-5 have 192 to
 * 384). The image range functions below take any channel count from 1 up
 * to the maximum, for both shapes. */
int dsml_winograd_supports(const dsml_conv2d *l);

/* Floats of u, of v and of m for n images of h x w. */
size_t dsml_winograd_u_size(const dsml_conv2d *l);
size_t dsml_winograd_v_size(const dsml_conv2d *l, int n, int h, int w);
size_t dsml_winograd_m_size(const dsml_conv2d *l, int n, int h, int w);

/* Floats of one gradient slot: XI x C x F transformed weight gradients,
 * then F bias gradients. */
size_t dsml_winograd_grad_size(const dsml_conv2d *l);

/* u <- G W G^T for every channel pair. */
void dsml_winograd_transform_weights(const dsml_conv2d *l, float *u);

/* The transposes after them in u, which the input gradient reads: once
 * after the transform and before the backward calls. */
void dsml_winograd_transpose_weights(const dsml_conv2d *l, float *u);

/* y = conv(x) + b for images b0..b1-1 (v and m: scratch, as above). */
void dsml_winograd_forward_images(const dsml_conv2d *l, const float *u, float *y, float *v, float *m, const float *x,
                                  int b0, int b1, int h, int w);

/* For images b0..b1-1, given the forward's input x and dy: grad (a
 * dsml_winograd_grad_size slot) receives (accumulate 0) or has added
 * (accumulate 1) their transformed weight and bias gradients; if dx is not
 * NULL their images of dx are overwritten with the input gradient. */
void dsml_winograd_backward_images(const dsml_conv2d *l, const float *u, float *dx, const float *dy, const float *x,
                                   float *v, float *m, int b0, int b1, int h, int w, float *grad, int accumulate);

/* dW += G^T dU G and db += the slot's bias part: a summed slot back to the
 * layer's weight layout (dw then db, as dsml_conv2d_grad_size). */
void dsml_winograd_weight_grad(const dsml_conv2d *l, const float *grad, float *dw, float *db);

#endif
