/* Adaptive average pooling on NHWC activations, PyTorch's
 * nn.AdaptiveAvgPool2d((Ho, Wo)): output row i averages input rows
 * [floor(i H / Ho), ceil((i + 1) H / Ho)), likewise columns; bins may overlap
 * (H not a multiple of Ho) or repeat a row (H < Ho). With H = Ho and W = Wo
 * every bin is one pixel: the identity (the executor then skips the layer).
 *
 * Legend: N = images, H x W = input size, C = channels, Ho x Wo = output size. */
#ifndef DSML_NN_AVGPOOL_H
#define DSML_NN_AVGPOOL_H

/* y[N x Ho x Wo x C] <- x[N x H x W x C]. */
void dsml_avgpool_forward(float *y, const float *x, int n, int h, int w, int c, int ho, int wo);

/* dx[N x H x W x C] (overwritten) <- dy[N x Ho x Wo x C]: each output's
 * gradient divided by its bin's pixel count, added to the bin's pixels. */
void dsml_avgpool_backward(float *dx, const float *dy, int n, int h, int w, int c, int ho, int wo);

#endif
