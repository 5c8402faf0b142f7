/* Local response normalisation across channels on NHWC activations, with
 * PyTorch's nn.LocalResponseNorm(size, alpha, beta, k) semantics:
 *
 *   b_c = a_c * D_c^-beta,   D_c = k + alpha / size * sum_{c' in win(c)} a_{c'}^2
 *
 * win(c) = [c - floor(size/2), c + floor((size-1)/2)] clipped to the channels
 * (PyTorch pads the squares with floor(size/2) zero channels in front and
 * floor((size-1)/2) behind, then averages `size` of them: for an even size
 * the window reaches one channel further down than up). MatConvNet's
 * normalisation (vl_nnnormalize [N kappa alpha beta]) has no division by
 * size: it is this with k = kappa, alpha = N * its alpha.
 *
 * Legend: P = pixels (images x height x width), C = channels. */
#ifndef DSML_NN_LRN_H
#define DSML_NN_LRN_H

#include <stddef.h>

typedef struct {
    int size;                /* channels in the window, >= 1 */
    float alpha, beta, k;    /* as PyTorch's */
} dsml_lrn;

/* y[P x C] <- x[P x C]; keeps scale = D^-beta and q = D^(-beta-1) (P x C
 * each, caller-owned) for backward. */
void dsml_lrn_forward(const dsml_lrn *l, float *y, float *scale, float *q, const float *x, size_t pixels, int c);

/* dx[P x C] (overwritten) <- dy, the forward's input x, scale and q:
 * dx_j = dy_j s_j - 2 beta alpha / size * a_j * sum_{c : j in win(c)} dy_c a_c q_c. */
void dsml_lrn_backward(const dsml_lrn *l, float *dx, const float *dy, const float *x, const float *scale,
                       const float *q, size_t pixels, int c);

#endif
