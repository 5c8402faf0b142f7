/* PyTorch-compatible bilinear taps and the row kernels built on them; see
 * bilinear.h. The arithmetic is float, as in torch's CPU kernel for float
 * tensors: results agree with torch's to float rounding (a few 1e-5 on
 * 0..255 values; tests/reference/bilinear_torch.py). */
#include "data/bilinear.h"
#include "core/error.h"

#include <math.h>
#include <stdlib.h>

void dsml_bilinear_taps(int n_in, int n_out, dsml_bilinear_tap *taps)
{
    float scale = (float)n_in / (float)n_out;
    for (int o = 0; o < n_out; o++) {
        float x = scale * ((float)o + 0.5f) - 0.5f;
        if (x < 0) x = 0;
        int i0 = (int)floorf(x);
        if (i0 > n_in - 1) i0 = n_in - 1;
        float l = x - (float)i0;
        if (l < 0) l = 0;
        if (l > 1) l = 1;
        taps[o].i0 = i0;
        taps[o].i1 = i0 < n_in - 1 ? i0 + 1 : i0;
        taps[o].w0 = 1.0f - l;
        taps[o].w1 = l;
    }
}

void dsml_bilinear_row_u8(const uint8_t *src, const dsml_bilinear_tap *first, int n, int reverse, float *out)
{
    if (reverse) {
        for (int j = 0; j < n; j++) {
            const dsml_bilinear_tap *t = first + (n - 1 - j);
            out[j] = t->w0 * (float)src[t->i0] + t->w1 * (float)src[t->i1];
        }
    } else {
        for (int j = 0; j < n; j++) {
            const dsml_bilinear_tap *t = first + j;
            out[j] = t->w0 * (float)src[t->i0] + t->w1 * (float)src[t->i1];
        }
    }
}

int dsml_bilinear_resize_f32(const float *src, int channels, int h, int w, float *dst, int H, int W)
{
    if (channels < 1 || h < 1 || w < 1 || H < 1 || W < 1)
        return dsml_fail(DSML_ERR_ARG, "bilinear resize: %d channels %dx%d -> %dx%d, expected positive sizes",
                         channels, h, w, H, W);
    dsml_bilinear_tap *ty = malloc(sizeof *ty * ((size_t)H + (size_t)W));
    float *rows = malloc(sizeof *rows * (size_t)h * (size_t)W);
    if (!ty || !rows) {
        free(ty);
        free(rows);
        return dsml_fail(DSML_ERR_NOMEM, "bilinear resize: cannot allocate scratch for %dx%d -> %dx%d", h, w, H, W);
    }
    dsml_bilinear_tap *tx = ty + H;
    dsml_bilinear_taps(h, H, ty);
    dsml_bilinear_taps(w, W, tx);
    for (int k = 0; k < channels; k++) {
        const float *plane = src + (size_t)k * h * w;
        for (int r = 0; r < h; r++) /* along x: every source row to W columns */
            for (int j = 0; j < W; j++)
                rows[(size_t)r * W + j] = tx[j].w0 * plane[(size_t)r * w + tx[j].i0] +
                                          tx[j].w1 * plane[(size_t)r * w + tx[j].i1];
        float *out = dst + (size_t)k * H * W;
        for (int i = 0; i < H; i++) { /* along y */
            const float *a = rows + (size_t)ty[i].i0 * W, *b = rows + (size_t)ty[i].i1 * W;
            for (int j = 0; j < W; j++) out[(size_t)i * W + j] = ty[i].w0 * a[j] + ty[i].w1 * b[j];
        }
    }
    free(ty);
    free(rows);
    return DSML_OK;
}
