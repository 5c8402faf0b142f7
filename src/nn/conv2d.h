/* 2-D convolution with stride and zero padding, on NHWC activations, as
 * im2col + GEMM over a range of images on the calling thread. The caller
 * (model.c) splits a batch into chunks of a few images and runs the chunks
 * on its OpenMP threads, so each chunk's im2col rows are still in cache when
 * the GEMM reads them.
 *
 * Legend: N = images, H x W = input size, C = input channels, F = output
 * channels (filters), k = kernel side, S = stride, P = padding. Output size
 * is PyTorch's Ho = floor((H + 2P - k) / S) + 1, likewise Wo.
 *
 * Layouts: x is N x H x W x C (channels last), y is N x Ho x Wo x F. The
 * weight is k x k x C x F row-major ("HWIO": PyTorch's OIHW transposed so
 * that it is a (k*k*C) x F matrix) and the F biases follow it directly, so
 * the parameters form one (k*k*C + 1) x F matrix. The im2col matrix `col` has
 * one row per output pixel, N*Ho*Wo rows of k*k*C + 1 columns: the taps
 * ordered (ky, kx, c), then a constant 1 that carries the bias. Then
 * y = col [W; b] is a single GEMM whose result is already NHWC, and the
 * weight-gradient GEMM yields the bias gradient too. (This layout measured
 * faster than F x (k*k*C) for all three GEMMs.)
 *
 * The layer borrows its parameter and gradient storage and its col buffer. */
#ifndef DSML_NN_CONV2D_H
#define DSML_NN_CONV2D_H

#include <stddef.h>

#include "core/rng.h"

typedef struct {
    int cin, cout;     /* C, F */
    int k, stride;     /* kernel side, stride */
    int pad;           /* zero padding on every border */
    float *w, *b;      /* borrowed: k*k*C*F then F floats */
    float *dw, *db;    /* borrowed: same shapes, accumulated by backward */
} dsml_conv2d;

/* Floats of parameters (and of gradients): F*k*k*C + F. */
size_t dsml_conv2d_param_count(int cin, int cout, int k);

/* Floats the col buffer needs for n images of h x w: N*Ho*Wo*(k*k*C + 1). */
size_t dsml_conv2d_col_size(const dsml_conv2d *l, int n, int h, int w);

/* Points the layer at params / grads (owned by the caller) and draws W then b
 * from U(-1/sqrt(C*k*k), 1/sqrt(C*k*k)), PyTorch's default init. */
void dsml_conv2d_init(dsml_conv2d *l, int cin, int cout, int k, int stride, int pad, float *params, float *grads,
                      dsml_rng *rng);

/* Ho (or Wo) for an input side of `in`: floor((in + 2P - k) / S) + 1 (< 1: the input is too small). */
int dsml_conv2d_out_size(const dsml_conv2d *l, int in);

/* Floats of one [dW; db] gradient matrix: (k*k*C + 1) * F. */
size_t dsml_conv2d_grad_size(const dsml_conv2d *l);

/* y = conv(x) + b for images b0..b1-1 of the batch (x and y are the whole
 * batch's buffers; only those images' parts are touched). col receives
 * im2col of those images from its start (dsml_conv2d_col_size(l, b1 - b0,
 * h, w) floats), so a thread may reuse one col buffer for every range it
 * runs. Single-threaded: call it from OpenMP threads on disjoint ranges. */
void dsml_conv2d_forward_images(const dsml_conv2d *l, float *y, float *col, const float *x, int b0, int b1,
                                 int h, int w);

/* For images b0..b1-1: grad = [dW; db] of those images (accumulate 0) or
 * grad += it (accumulate 1), a dsml_conv2d_grad_size matrix. col holds the
 * images' im2col rows from its start: with x not NULL (the whole batch's
 * input) they are computed here first, with x NULL they must be the
 * forward's. If dx is not NULL, col is then overwritten with dy W^T and
 * folded back (col2im) into the images of dx (overwritten). Single-threaded,
 * like the forward. */
void dsml_conv2d_backward_images(const dsml_conv2d *l, float *dx, const float *dy, float *col, const float *x,
                                  int b0, int b1, int h, int w, float *grad, int accumulate);

/* The whole batch on the calling thread: forward_images(0, n), and
 * backward_images(0, n) accumulating into the layer's dW and db. */
void dsml_conv2d_forward(const dsml_conv2d *l, float *y, float *col, const float *x, int n, int h, int w);
void dsml_conv2d_backward(dsml_conv2d *l, float *dx, const float *dy, float *col, int n, int h, int w);

/* The reference: direct convolution with plain loops (for tests), any stride. */
void dsml_conv2d_forward_naive(const dsml_conv2d *l, float *y, const float *x, int n, int h, int w);

/* The layer owns nothing; clears the borrowed pointers. */
void dsml_conv2d_free(dsml_conv2d *l);

#endif
