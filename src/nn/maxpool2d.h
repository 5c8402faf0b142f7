/* Max pooling on NHWC activations: the 2 x 2, stride 2 kernel (the
 * convnet's), and k x k windows with any stride (overlapping 3 x 3 / 2 in
 * AlexNet and CNN-F), output size rounded down or up as PyTorch's ceil_mode.
 *
 * 2 x 2 / 2. Legend: N = images, H x W = input size (both even), C = channels; the
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

/* k x k / S. Output side (PyTorch's rule, no padding): floor((H - k) / S) + 1,
 * or with ceil_mode ceil((H - k) / S) + 1 less one when that last window
 * would start past the input (H >= k assumed). The last window may reach past
 * the input (ceil_mode): it is clipped. Forward records, per output, the
 * winner's place ky * k + kx in its window (so k <= 15); among equal values
 * the first in row-major order wins, as in PyTorch. */
int dsml_maxpool2d_out_size(int in, int k, int stride, int ceil_mode);

/* y[N x Ho x Wo x C], argmax (same count, caller-owned) <- x[N x H x W x C]. */
void dsml_maxpool2d_forward_window(float *y, unsigned char *argmax, const float *x, int n, int h, int w, int c, int k,
                                   int stride, int ho, int wo);

/* dx[N x H x W x C] (overwritten) <- dy routed through argmax; overlapping
 * windows add up. */
void dsml_maxpool2d_backward_window(float *dx, const float *dy, const unsigned char *argmax, int n, int h, int w,
                                    int c, int k, int stride, int ho, int wo);

#endif
