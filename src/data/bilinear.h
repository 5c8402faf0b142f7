/* Bilinear resampling with PyTorch's semantics: F.interpolate(mode='bilinear',
 * align_corners=False, antialias=False). Along an axis of n_in samples
 * resampled to n_out, output index o reads the source position
 *
 *   x = max(s * (o + 0.5) - 0.5, 0),  s = n_in / n_out  (float arithmetic)
 *   i0 = min(floor(x), n_in - 1),  l = min(max(x - i0, 0), 1),
 *   i1 = i0 + 1 when i0 < n_in - 1, else i0,
 *   value = (1 - l) * v[i0] + l * v[i1].
 *
 * No antialiasing: when shrinking, each output still reads 2 samples per axis.
 * Two axes combine as torch does: each source row is interpolated along x
 * first, then the two rows along y. Equal sizes give an exact copy. The taps
 * of an axis depend on its sizes only, so callers compute them once (at init)
 * and the per-pixel work is two multiplies and an add per axis. */
#ifndef DSML_DATA_BILINEAR_H
#define DSML_DATA_BILINEAR_H

#include <stdint.h>

/* What one output index reads: source indices i0, i1 with weights w0, w1. */
typedef struct {
    int i0, i1;
    float w0, w1;
} dsml_bilinear_tap;

/* The n_out taps of an axis of n_in samples (both >= 1) into taps. */
void dsml_bilinear_taps(int n_in, int n_out, dsml_bilinear_tap *taps);

/* One row along x: out[j] = the source row `src` read through tap first + j,
 * for j < n, or through tap first + n - 1 - j when reverse (a mirrored row:
 * a horizontal flip after the crop). */
void dsml_bilinear_row_u8(const uint8_t *src, const dsml_bilinear_tap *first, int n, int reverse, float *out);

/* Resizes a float image (C x h x w, planar) into dst (C x H x W); src and dst
 * are borrowed and must not overlap. Allocates its taps and one scratch image
 * (h x W floats) for the call: for init-time work, not for per-batch loops.
 * Errors: DSML_ERR_ARG on a non-positive size, DSML_ERR_NOMEM. */
int dsml_bilinear_resize_f32(const float *src, int channels, int h, int w, float *dst, int H, int W);

#endif
