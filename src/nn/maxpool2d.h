/* 2 x 2 max pooling with stride 2 on NHWC activations.
 *
 * Legend: N = images, H x W = input size (both even), C = channels; the
 * output is N x H/2 x W/2 x C. Forward records, per output, which of the four
 * inputs won (0 = top-left, 1 = top-right, 2 = bottom-left, 3 = bottom-right);
 * among equal values the first in that order wins, as in PyTorch, and the
 * whole gradient goes to it. */
#ifndef DSML_NN_MAXPOOL2D_H
#define DSML_NN_MAXPOOL2D_H

#include <stddef.h>

/* y[N x H/2 x W/2 x C], argmax (same count, caller-owned) <- x[N x H x W x C]. */
void dsml_maxpool2d_forward(float *y, unsigned char *argmax, const float *x, int n, int h, int w, int c);

/* dx[N x H x W x C] (overwritten) <- dy routed through argmax. */
void dsml_maxpool2d_backward(float *dx, const float *dy, const unsigned char *argmax, int n, int h, int w,
                             int c);

#endif
